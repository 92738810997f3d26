/**
 * Lambda task of the stack set state machine: folds the last wave's outcomes into the run's
 * progress and names the next wave's stack sets, skipping (with the reason) those whose
 * dependency failed or was not run. When no wave is left it gives the run's summary.
 *
 * Input: `{ "correlationId", "region", "plan": {bucket,key}, "progress"?: {...}, "results"?: [...],
 * "options"?: {bucket,key} }`; a result may say `"readState": true` (the stack set's steps all ran).
 * Output: `{ "progress": {...}, "run": ["a", "b"], "done": false, "failed": false, "summary": "",
 * "statesToRead": ["x"] }`: `statesToRead` names the stack sets of the wave just folded in whose
 * state the machine reads (outputs task, `action: 'state'`) beside the next wave, or after the
 * last one. Once done with nothing left to read, and with run options that name a state cache,
 * the states left in `<run files>/states/` are merged into it (`"stateCache": { "read", "saved",
 * "notes" }`); done with states still to read, the machine reads them and calls the task again
 * with the progress and no results, which merges.
 * The plan (waves, dependencies) is read from S3; only resource names and short messages travel.
 */
import { correlationIdOf, InvalidTaskEventError, lambdaDeps, runTask, type TaskDeps } from './task';
import { mapLimit } from '../engine/concurrency';
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

/** State files read at once when the run's states are merged into the cache. */
const STATE_FILE_READS = 16;

/** The task input. */
export interface StackSetWaveEvent {
  readonly correlationId: string;
  readonly region: string;
  readonly plan: S3ObjectRef;
  /** Absent (or null) before the first wave. */
  readonly progress?: StackSetRunProgress | null;
  /** Outcomes of the wave that just ran. */
  readonly results?: readonly StackSetWaveOutcome[];
  /**
   * The run options; when they name a stack set state cache, the run's end merges the states the
   * outputs task left (`<run files>/states/<name>.json`) into it. @default - no merge
   */
  readonly options?: S3ObjectRef;
}

/** A stack set's outcome, as its Map iteration ends. */
export interface StackSetWaveOutcome extends StackSetOutcome {
  /** Its steps all ran (and its export did not fail): its state is read for the state cache. */
  readonly readState?: boolean;
}

/** The task output: the next wave, and at the run's end how the state cache was refreshed. */
export interface StackSetWaveResult extends NextWave {
  /** Stack sets of the wave just folded in whose state is to be read (names, possibly none). */
  readonly statesToRead: readonly string[];
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
          statesToRead: r.statesToRead.length,
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
        const results = event.results ?? [];
        const next = nextWave(plan, event.progress ?? undefined, results);
        const statesToRead = results
          .filter((r) => r.status === 'succeeded' && r.readState === true)
          .map((r) => r.resource);
        // The merge waits for the last wave's states: the machine reads them, then calls again.
        if (!next.done || !event.options || statesToRead.length > 0) return { ...next, statesToRead };
        const report = await mergeRunStates(deps, event, plan, next);
        return report
          ? { ...next, statesToRead, stateCache: { read: report.read, saved: report.saved, notes: report.notes } }
          : { ...next, statesToRead };
      },
    );
}

/**
 * The run is done and every state is read: merges the state cache entries the outputs task left
 * (`action: 'state'`) for the stack sets that ran into the cache object the run options name, with one save (the only writer of that object
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
  // The state files side by side (a few S3 reads at once, not one after another), in plan order.
  const summaries = plan.stackSets.summaries.filter((s) => ran.has(s.resource));
  const files = await mapLimit(summaries, STATE_FILE_READS, async (summary) => {
    const ref = { bucket: event.plan.bucket, key: stackSetStateFileKey(base, summary.stackSetName) };
    try {
      return JSON.parse((await readRunObject(clients, ref, event.region, deps.clock)).toString('utf8')) as {
        entry?: unknown;
      };
    } catch (error) {
      if (isThrottling(error)) throw error;
      return undefined; // no state left for it (it failed before its end, it was removed, its read failed)
    }
  });
  summaries.forEach((summary, i) => {
    const file = files[i];
    if (!file) return;
    updates[summary.stackSetName] =
      file.entry === null ? null : (parseStackSetStateEntry(file.entry, summary.stackSetName) ?? null);
  });
  if (Object.keys(updates).length === 0) return undefined;
  return mergeStackSetStates(cache, updates);
}

/** The Lambda entry point. */
export const handler = createStackSetWaveHandler(lambdaDeps('cdk-control-tower-customizations/stackset-wave'));
