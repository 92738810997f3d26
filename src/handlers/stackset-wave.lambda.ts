/**
 * Lambda task of the stack set state machine: folds the last wave's outcomes into the run's
 * progress and names the next wave's stack sets, skipping (with the reason) those whose
 * dependency failed or was not run. When no wave is left it gives the run's summary.
 *
 * Input: `{ "correlationId", "region", "plan": {bucket,key}, "progress"?: {...}, "results"?: [...],
 * "options"?: {bucket,key} }`.
 * Output: `{ "progress": {...}, "run": ["a", "b"], "done": false, "failed": false, "summary": "" }`;
 * once done, with run options that name a state cache, the states the outputs task left are
 * merged into it (`"stateCache": { "read", "saved", "notes" }`).
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
import { isThrottling } from '../engine/retry';
import type { RunOptions, RunPlan } from '../engine/run';
import {
  mergeStackSetStates,
  parseStackSetStateEntry,
  s3StackSetStateCache,
  stackSetStateFileKey,
  type S3ObjectRef,
  type StackSetStateEntry,
  type StateCacheReport,
} from '../engine/stacksets';

/** The task input. */
export interface StackSetWaveEvent {
  readonly correlationId: string;
  readonly region: string;
  readonly plan: S3ObjectRef;
  /** Absent (or null) before the first wave. */
  readonly progress?: StackSetRunProgress | null;
  /** Outcomes of the wave that just ran. */
  readonly results?: readonly StackSetOutcome[];
  /**
   * The run options; when they name a stack set state cache, the run's end merges the states the
   * outputs task left (`<run files>/states/<name>.json`) into it. @default - no merge
   */
  readonly options?: S3ObjectRef;
}

/** The task output: the next wave, and at the run's end how the state cache was refreshed. */
export interface StackSetWaveResult extends NextWave {
  readonly stateCache?: { readonly read: number; readonly saved: boolean; readonly notes: readonly string[] };
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
export function createStackSetWaveHandler(deps: TaskDeps): (event: StackSetWaveEvent) => Promise<StackSetWaveResult> {
  return (event) =>
    runTask(
      deps,
      {
        task: 'stackset-wave',
        context: { correlationId: correlationIdOf(event), wave: event?.progress?.wave ?? 0 },
        problem: problemOf(event),
        invalid: (p) => new InvalidStackSetWaveEventError(p),
        describe: (r) => ({
          run: r.run,
          done: r.done,
          failed: r.failed,
          ...(r.done ? { summary: r.summary } : {}),
          ...(r.stateCache ? { stateCache: r.stateCache } : {}),
        }),
      },
      async (): Promise<StackSetWaveResult> => {
        const plan = JSON.parse(
          (await readRunObject(deps.clients(), event.plan, event.region, deps.clock)).toString('utf8'),
        ) as RunPlan;
        const next = nextWave(plan, event.progress ?? undefined, event.results ?? []);
        if (!next.done || !event.options) return next;
        const report = await mergeRunStates(deps, event, plan, next);
        return report ? { ...next, stateCache: { read: report.read, saved: report.saved, notes: report.notes } } : next;
      },
    );
}

/**
 * The run is done: merges the state cache entries the outputs task left for the stack sets that
 * ran into the cache object the run options name, with one save (the only writer of that object
 * in the run, so the parallel branches never race on it). Undefined when the options name none.
 */
async function mergeRunStates(
  deps: TaskDeps,
  event: StackSetWaveEvent,
  plan: RunPlan,
  next: NextWave,
): Promise<StateCacheReport | undefined> {
  const clients = deps.clients();
  let options: RunOptions;
  try {
    options = JSON.parse(
      (await readRunObject(clients, event.options!, event.region, deps.clock)).toString('utf8'),
    ) as RunOptions;
  } catch (error) {
    if (isThrottling(error)) throw error;
    return undefined;
  }
  if (!options.stateCache) return undefined;
  const cache = s3StackSetStateCache({
    clients,
    ref: options.stateCache,
    homeRegion: plan.homeRegion,
    installationId: plan.installationId,
    clock: deps.clock,
  });
  const ran = new Set([...next.progress.succeeded, ...next.progress.failed.map((f) => f.resource)]);
  const base = event.plan.key.replace(/\/[^/]*$/, '');
  const updates: Record<string, StackSetStateEntry | null> = {};
  for (const summary of plan.stackSets.summaries.filter((s) => ran.has(s.resource))) {
    const ref = { bucket: event.plan.bucket, key: stackSetStateFileKey(base, summary.stackSetName) };
    let file: { entry?: unknown };
    try {
      file = JSON.parse((await readRunObject(clients, ref, event.region, deps.clock)).toString('utf8'));
    } catch (error) {
      if (isThrottling(error)) throw error;
      continue; // no state left for it (it failed before its end, or it was removed)
    }
    updates[summary.stackSetName] =
      file.entry === null ? null : (parseStackSetStateEntry(file.entry, summary.stackSetName) ?? null);
  }
  if (Object.keys(updates).length === 0) return undefined;
  return mergeStackSetStates(cache, updates);
}

/** The Lambda entry point. */
export const handler = createStackSetWaveHandler(lambdaDeps('cdk-control-tower-customizations/stackset-wave'));
