/**
 * Applies the stack set part of a plan, for the command line (the pipeline's state machine does
 * the same through the handlers): removed stack sets first, then the manifest's resources in
 * dependency order, each re-planned just before its turn, up to `concurrency` at once (a
 * resource starts as soon as everything it depends on succeeded). A failure, synchronous or not,
 * fails that stack set only: its dependants are skipped with a reason, independent ones run to
 * completion, operations already started are followed to their end. The report lists every
 * failure and every skip. Waiting between operation checks is the caller's `wait`. One executor
 * (`createStackSetExecutor`) applies the run's steps.
 */
import { describeError, isThrottling } from '../retry';
import type { DesiredStackSet } from './desired';
import { createStackSetExecutor, DEFAULT_POLL_INTERVAL_MS, InstanceFailure, type StackSetExecutor } from './executor';
import { buildStackSetGraph } from './graph';
import { ExportedOutput, exportOutputs } from './outputs';
import type { StackSetPlan } from './plan-manifest';
import { PrepareContext, prepareStackSet } from './prepare';
import { stackSetOrderOf } from './settings';
import { refreshStackSetStates, ssmNamesOf } from './snapshot';
import type { StackSetStateCache, StateCacheReport } from './state-cache';
import type { StackSetStep } from './steps';
import { hasErrors, formatFinding, Finding } from '../../manifest/findings';
import { isStackSet } from '../../manifest/model';
import type { Manifest } from '../../manifest/model';

/** How the apply loop waits and how much it runs at once. */
export interface ApplyOptions {
  /** Waits between checks of a running operation (and before retrying a busy stack set). */
  readonly wait: (ms: number) => Promise<void>;
  /** @default 10000 */
  readonly pollIntervalMs?: number;
  /** How long a stack set busy with another operation is waited for. @default settings.busyTimeoutMinutes (60 minutes) */
  readonly busyTimeoutMs?: number;
  /** Independent stack sets applied at once (`stack_set_order: dependencies`). @default 4 */
  readonly concurrency?: number;
  /**
   * Narrows the steps of each stack set as it is re-planned at its turn (e.g. to some accounts'
   * instances). Removals run as planned: narrow them in the plan passed in.
   * @default every step
   */
  readonly limitSteps?: (steps: readonly StackSetStep[]) => StackSetStep[];
  /** Told as each stack set's steps start, wait and finish, for progress displays. */
  readonly onProgress?: (progress: StackSetProgress) => void;
  /**
   * Once every stack set's steps have finished, the stack sets that ran steps are read in full
   * once and put in this cache (one save), so that the next plan confirms them with one call each.
   * @default - no cache is written
   */
  readonly stateCache?: StackSetStateCache;
}

/** Where one stack set's apply stands. */
export interface StackSetProgress {
  readonly stackSetName: string;
  /** The step running (or just finished), as its one-line summary. */
  readonly step: string;
  readonly state: 'started' | 'running' | 'succeeded' | 'failed';
  /** Stack instances of finished steps, and of all the stack set's steps in this apply. */
  readonly instancesDone: number;
  readonly instancesTotal: number;
}

/** Stack instances a step creates, updates or deletes (its targets' accounts × regions). */
function instancesOf(step: StackSetStep): number {
  return 'targets' in step && step.targets ? step.targets.accounts.length * step.targets.regions.length : 0;
}

/** One failed stack set. */
export interface StackSetFailure {
  readonly resource: string;
  /** The AWS error name of a synchronous failure (e.g. ValidationError); absent for failed operations and planning errors. */
  readonly errorName?: string;
  /** Every failure of the stack set's steps, one per line. */
  readonly message: string;
  /** Instances that FAILED or were CANCELLED. */
  readonly failures: readonly InstanceFailure[];
}

/** A resource that was not attempted. */
export interface StackSetSkip {
  readonly resource: string;
  /** The failed resource it depends on (directly or through others). */
  readonly blockedBy: string;
  readonly reason: string;
}

/** What an apply did. */
export interface StackSetApplyReport {
  /** Resources (or removed stack sets) whose steps all succeeded, including those with no step. */
  readonly succeeded: string[];
  readonly failed: StackSetFailure[];
  /** Resources not attempted because something they depend on failed. */
  readonly blocked: StackSetSkip[];
  /** Steps run, by kind. */
  readonly steps: Record<string, number>;
  readonly exports: ExportedOutput[];
  readonly findings: Finding[];
  /** How the state cache was refreshed (with `stateCache`, once a fingerprint key exists). */
  stateCache?: StateCacheReport;
}

/**
 * Applies a plan made moments ago from the same inputs: removals as planned, then every desired
 * stack set, re-planned at its turn. A resource the plan found unchanged, with no value known
 * only after apply, is not read again (nothing earlier in the run can have changed its inputs).
 */
export async function applyStackSets(
  manifest: Manifest,
  desired: readonly DesiredStackSet[],
  plan: Pick<StackSetPlan, 'removals' | 'resources'>,
  prepareContext: PrepareContext,
  options: ApplyOptions,
): Promise<StackSetApplyReport> {
  // NoEcho values written in the package reach the executor from here, never through a plan.
  const packageParameters = (resource: string) =>
    desired.find((d) => d.resource.name === resource)?.resource.parameters;
  const context: PrepareContext = {
    ...prepareContext,
    pollIntervalMs: options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
    ...(options.busyTimeoutMs !== undefined ? { busyTimeoutMs: options.busyTimeoutMs } : {}),
    packageParameters: prepareContext.packageParameters ?? packageParameters,
  };
  const executor = createStackSetExecutor(context);
  const report: StackSetApplyReport = { succeeded: [], failed: [], blocked: [], steps: {}, exports: [], findings: [] };
  /** Stack sets a step ran on (they are read again for the state cache once everything finished). */
  const ranSteps = new Set<string>();
  const tracked: ApplyOptions = {
    ...options,
    onProgress: (progress) => {
      if (progress.state === 'started') ranSteps.add(progress.stackSetName);
      options.onProgress?.(progress);
    },
  };
  const isUnchanged = (r: StackSetPlan['resources'][number]) =>
    r.steps.length === 0 && r.summary.knownAfterApply.length === 0 && !hasErrors(r.findings);
  const unchanged = new Set(plan.resources.filter(isUnchanged).map((r) => r.summary.resource));
  for (const removal of plan.removals) {
    if (removal.steps.length === 0) continue;
    const failure = await contained(() => runSteps(removal.steps, executor, tracked, report));
    if (failure) report.failed.push({ resource: removal.summary.resource, ...failure });
    else report.succeeded.push(removal.summary.resource);
  }
  const graph = buildStackSetGraph(manifest.resources.filter(isStackSet), stackSetOrderOf(manifest, context.settings));
  const byName = new Map(desired.map((d) => [d.resource.name, d]));
  const ordered = graph.waves.flat();
  const inWave = new Set(ordered);
  /** name -> the failed resource at the root of its failure (itself when it failed). */
  const failedRoot = new Map<string, string>();
  const succeeded = new Set<string>();
  for (const name of graph.nodes) {
    if (!inWave.has(name)) {
      report.failed.push({
        resource: name,
        message: 'not applied: it is part of a dependency cycle (CFCT-M011)',
        failures: [],
      });
      failedRoot.set(name, name);
    } else if (!byName.has(name)) {
      report.failed.push({
        resource: name,
        message: 'not planned: its template or targets could not be read',
        failures: [],
      });
      failedRoot.set(name, name);
    }
  }
  const pending = ordered.filter((name) => byName.has(name));
  const running = new Map<string, Promise<void>>();
  const limit = Math.max(1, options.concurrency ?? 4);
  while (pending.length > 0 || running.size > 0) {
    for (let i = 0; i < pending.length;) {
      const name = pending[i];
      const dependencies = graph.dependsOn[name] ?? [];
      const failedDependency = dependencies.find((d) => failedRoot.has(d));
      if (failedDependency) {
        pending.splice(i, 1);
        const root = failedRoot.get(failedDependency)!;
        failedRoot.set(name, root);
        report.blocked.push({
          resource: name,
          blockedBy: root,
          reason:
            root === failedDependency
              ? `it depends on ${root}, which failed`
              : `it depends on ${failedDependency}, which was skipped because ${root} failed`,
        });
        continue;
      }
      if (running.size < limit && dependencies.every((d) => succeeded.has(d))) {
        pending.splice(i, 1);
        running.set(
          name,
          (async () => {
            const failure = await contained(() =>
              applyOne(byName.get(name)!, unchanged.has(name), context, executor, tracked, report),
            );
            if (failure) {
              report.failed.push({ resource: name, ...failure });
              failedRoot.set(name, name);
            } else {
              report.succeeded.push(name);
              succeeded.add(name);
            }
            running.delete(name);
          })(),
        );
        continue;
      }
      i++;
    }
    if (running.size === 0) break; // nothing can start: only resources waiting on ones that never run
    await Promise.race(running.values());
  }
  for (const name of pending) {
    report.blocked.push({ resource: name, blockedBy: name, reason: 'its dependencies never ran' });
  }
  if (options.stateCache && ranSteps.size > 0) {
    try {
      const refreshed = await refreshStackSetStates(
        context.clients,
        {
          homeRegion: context.homeRegion,
          names: [...ranSteps],
          ssmNames: ssmNamesOf(manifest.resources.filter(isStackSet)),
        },
        options.stateCache,
        context.clock,
      );
      if (refreshed) report.stateCache = refreshed;
    } catch (error) {
      // The run is done: a read that fails here leaves the cache as it was (the next plan reads in full).
      const { name, message } = describeError(error);
      report.stateCache = {
        location: options.stateCache.location,
        confirmed: 0,
        read: 0,
        saved: false,
        notes: [`the stack sets could not be read again (${name}: ${message})`],
      };
    }
  }
  return report;
}

/** Runs `work`; an exception (a bug, or throttling that outlived the retries) becomes the stack set's failure. */
async function contained(
  work: () => Promise<Omit<StackSetFailure, 'resource'> | undefined>,
): Promise<Omit<StackSetFailure, 'resource'> | undefined> {
  try {
    return await work();
  } catch (error) {
    const { name, message: reason } = describeError(error);
    return { errorName: name, message: `${name}: ${reason}`, failures: [] };
  }
}

async function applyOne(
  desired: DesiredStackSet,
  unchanged: boolean,
  context: PrepareContext,
  executor: StackSetExecutor,
  options: ApplyOptions,
  report: StackSetApplyReport,
): Promise<Omit<StackSetFailure, 'resource'> | undefined> {
  if (!unchanged) {
    const plan = await prepareStackSet(desired, context);
    report.findings.push(...plan.findings);
    if (hasErrors(plan.findings)) {
      return {
        message: plan.findings
          .filter((f) => f.severity === 'error')
          .map(formatFinding)
          .join('\n'),
        failures: [],
      };
    }
    const steps = options.limitSteps ? options.limitSteps(plan.steps) : plan.steps;
    const failure = await runSteps(steps, executor, options, report);
    if (failure) return failure;
  }
  if (desired.resource.exportOutputs.length > 0) {
    try {
      report.exports.push(...(await exportOutputs(desired, context)));
    } catch (error) {
      return { message: (error as Error).message, failures: [] };
    }
  }
  return undefined;
}

/** Consecutive throttled checks of a running operation the loop sits out before it gives up following it. */
const MAX_THROTTLED_CHECKS = 30;

/**
 * Runs steps in order, each to completion (an operation once started is followed to its end).
 * After a failure the later steps are skipped, except further instance deletions after a failed
 * deletion (independent instances; deletions come last in a stack set's plan, so a failed
 * deletion never blocks its template update). Returns every failure, or undefined.
 */
export async function runSteps(
  steps: readonly StackSetStep[],
  executor: StackSetExecutor,
  options: ApplyOptions,
  report: Pick<StackSetApplyReport, 'steps'>,
): Promise<Omit<StackSetFailure, 'resource'> | undefined> {
  const interval = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const instancesTotal = steps.reduce((n, s) => n + instancesOf(s), 0);
  let instancesDone = 0;
  const tell = (step: StackSetStep, state: StackSetProgress['state']) =>
    options.onProgress?.({ stackSetName: step.stackSetName, step: step.summary, state, instancesDone, instancesTotal });
  const failures: { step: StackSetStep; errorName?: string; message: string; failures: readonly InstanceFailure[] }[] =
    [];
  for (const step of steps) {
    if (
      failures.length > 0 &&
      !(step.kind === 'stackset.delete-instances' && failures.every((f) => f.step.kind === 'stackset.delete-instances'))
    ) {
      break;
    }
    report.steps[step.kind] = (report.steps[step.kind] ?? 0) + 1;
    tell(step, 'started');
    const failure = await runStep(step, executor, options, interval, () => tell(step, 'running'));
    if (failure) {
      tell(step, 'failed');
      failures.push({ step, ...failure });
      continue;
    }
    instancesDone += instancesOf(step);
    tell(step, 'succeeded');
  }
  if (failures.length === 0) return undefined;
  const named = failures.find((f) => f.errorName);
  return {
    ...(named?.errorName ? { errorName: named.errorName } : {}),
    message: failures.map((f) => f.message).join('\n'),
    failures: failures.flatMap((f) => f.failures),
  };
}

/** One step: start (waiting out a busy stack set), then check until the operation ends. */
type StepFailure = { errorName?: string; message: string; failures: readonly InstanceFailure[] };

async function runStep(
  step: StackSetStep,
  executor: StackSetExecutor,
  options: ApplyOptions,
  interval: number,
  running: () => void,
): Promise<StepFailure | undefined> {
  let started;
  try {
    started = await executor.start(step);
    while (started.status === 'blocked') {
      await options.wait(interval);
      started = await executor.start(step, started.attempt + 1);
    }
  } catch (error) {
    const { name, message: reason } = describeError(error);
    return { errorName: name, message: `${step.summary}: ${name}: ${reason}`, failures: [] };
  }
  if (started.status === 'failed') return { errorName: started.errorName, message: started.message, failures: [] };
  if (started.status === 'done') return undefined;
  let throttled = 0;
  for (;;) {
    let checked;
    try {
      checked = await executor.check(step, started.operationId);
      throttled = 0;
    } catch (error) {
      // Never abandon a started operation over throttling: keep following it.
      if (!isThrottling(error) || ++throttled > MAX_THROTTLED_CHECKS) {
        const { name, message: reason } = describeError(error);
        return {
          errorName: name,
          message: `checking operation ${started.operationId} (${step.summary}): ${name}: ${reason}`,
          failures: [],
        };
      }
      await options.wait(interval);
      continue;
    }
    if (checked.status === 'SUCCEEDED') return undefined;
    if (checked.status === 'FAILED') return { message: checked.message, failures: checked.failures };
    running();
    await options.wait(interval);
  }
}
