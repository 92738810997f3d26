/**
 * Lambda task of the stack set state machine: folds the last wave's outcomes into the run's
 * progress and names the next wave's stack sets, skipping (with the reason) those whose
 * dependency failed or was not run. When no wave is left it gives the run's summary.
 *
 * Input: `{ "correlationId", "region", "plan": {bucket,key}, "progress"?: {...}, "results"?: [...] }`.
 * Output: `{ "progress": {...}, "run": ["a", "b"], "done": false, "failed": false, "summary": "" }`.
 * The plan (waves, dependencies) is read from S3; only resource names and short messages travel.
 */
import { correlationIdOf, InvalidTaskEventError, lambdaDeps, runTask, type TaskDeps } from './task';
import {
  nextWave,
  readRunObject,
  type NextWave,
  type StackSetOutcome,
  type StackSetRunProgress,
} from '../engine/pipeline-run';
import type { RunPlan } from '../engine/run';
import type { S3ObjectRef } from '../engine/stacksets';

/** The task input. */
export interface StackSetWaveEvent {
  readonly correlationId: string;
  readonly region: string;
  readonly plan: S3ObjectRef;
  /** Absent (or null) before the first wave. */
  readonly progress?: StackSetRunProgress | null;
  /** Outcomes of the wave that just ran. */
  readonly results?: readonly StackSetOutcome[];
}

/** Thrown for an event that is not this task's input. */
export class InvalidStackSetWaveEventError extends InvalidTaskEventError {
  constructor(problem: string) {
    super(problem, 'InvalidStackSetWaveEventError');
  }
}

function problemOf(event: Partial<StackSetWaveEvent> | undefined): string | undefined {
  if (!event || typeof event !== 'object') return 'the event must be an object';
  if (typeof event.region !== 'string' || event.region === '') return 'region must be a non-empty string';
  if (!event.plan || typeof event.plan.bucket !== 'string' || typeof event.plan.key !== 'string') {
    return 'plan must be { bucket, key }';
  }
  if (event.results !== undefined && !Array.isArray(event.results)) return 'results must be a list';
  if (
    event.progress !== undefined &&
    event.progress !== null &&
    (typeof event.progress !== 'object' || !Number.isInteger(event.progress?.wave))
  ) {
    return 'progress must be the progress of an earlier wave';
  }
  return undefined;
}

/** Builds the handler. */
export function createStackSetWaveHandler(deps: TaskDeps): (event: StackSetWaveEvent) => Promise<NextWave> {
  return (event) =>
    runTask(
      deps,
      {
        task: 'stackset-wave',
        context: { correlationId: correlationIdOf(event), wave: event?.progress?.wave ?? 0 },
        problem: problemOf(event),
        invalid: (p) => new InvalidStackSetWaveEventError(p),
        describe: (r) => ({ run: r.run, done: r.done, failed: r.failed, ...(r.done ? { summary: r.summary } : {}) }),
      },
      async () => {
        const plan = JSON.parse(
          (await readRunObject(deps.clients(), event.plan, event.region, deps.clock)).toString('utf8'),
        ) as RunPlan;
        return nextWave(plan, event.progress ?? undefined, event.results ?? []);
      },
    );
}

/** The Lambda entry point. */
export const handler = createStackSetWaveHandler(lambdaDeps('cdk-control-tower-customizations/stackset-wave'));
