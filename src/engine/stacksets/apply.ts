/**
 * Applies the stack set part of a plan, for the command line (the pipeline's state machine does
 * the same through the handlers): removed stack sets first, then the manifest's resources wave
 * by wave, each re-planned just before its turn. A failure blocks only what depends on it; the
 * report lists every failure. Waiting between operation checks is the caller's `wait`.
 */
import { checkStep, InstanceFailure, startStep, StepContext } from './executor';
import { buildStackSetGraph, dependantsOf } from './graph';
import { ExportedOutput, exportOutputs } from './outputs';
import type { StackSetPlan } from './plan-stacksets';
import type { DesiredStackSet } from './planner';
import { PrepareContext, prepareStackSet } from './prepare';
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
  readonly message: string;
  readonly failures: readonly InstanceFailure[];
}

/** What an apply did. */
export interface StackSetApplyReport {
  /** Resources (or removed stack sets) whose steps all succeeded, including those with no step. */
  readonly succeeded: string[];
  readonly failed: StackSetFailure[];
  /** Resources not attempted because something they depend on failed. */
  readonly blocked: { readonly resource: string; readonly blockedBy: string }[];
  /** Steps run, by kind. */
  readonly steps: Record<string, number>;
  readonly exports: ExportedOutput[];
  readonly findings: Finding[];
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
  context: PrepareContext,
  options: ApplyOptions,
): Promise<StackSetApplyReport> {
  // NoEcho values written in the package reach the executor from here, never through a plan.
  const packageParameters = (resource: string) => desired.find((d) => d.resource.name === resource)?.resource.parameters;
  context = { ...context, packageParameters: context.packageParameters ?? packageParameters };
  const report: StackSetApplyReport = { succeeded: [], failed: [], blocked: [], steps: {}, exports: [], findings: [] };
  const isUnchanged = (r: StackSetPlan['resources'][number]) => r.steps.length === 0 && r.summary.knownAfterApply.length === 0 && !hasErrors(r.findings);
  const unchanged = new Set(plan.resources.filter(isUnchanged).map((r) => r.summary.resource));
  for (const removal of plan.removals) {
    if (removal.steps.length === 0) continue;
    const failure = await runSteps(removal.steps, context, options, report);
    if (failure) report.failed.push({ resource: removal.summary.resource, ...failure });
    else report.succeeded.push(removal.summary.resource);
  }
  const graph = buildStackSetGraph(manifest.resources.filter(isStackSet), manifest.stackSetOrder);
  const byName = new Map(desired.map((d) => [d.resource.name, d]));
  const stopped = new Map<string, string>();
  for (const wave of graph.waves) {
    const runnable = wave.filter((name) => !stopped.has(name) && byName.has(name));
    await inBatches(runnable, options.concurrency ?? 4, async (name) => {
      const failure = await applyOne(byName.get(name)!, unchanged.has(name), context, options, report);
      if (!failure) {
        report.succeeded.push(name);
        return;
      }
      report.failed.push({ resource: name, ...failure });
      for (const dependant of dependantsOf(graph, name)) if (!stopped.has(dependant)) stopped.set(dependant, name);
    });
  }
  for (const [resource, blockedBy] of stopped) report.blocked.push({ resource, blockedBy });
  for (const name of graph.nodes) if (!byName.has(name)) report.failed.push({ resource: name, message: 'not planned: its template or targets could not be read', failures: [] });
  return report;
}

async function applyOne(desired: DesiredStackSet, unchanged: boolean, context: PrepareContext, options: ApplyOptions, report: StackSetApplyReport): Promise<Omit<StackSetFailure, 'resource'> | undefined> {
  if (!unchanged) {
    const plan = await prepareStackSet(desired, context);
    report.findings.push(...plan.findings);
    if (hasErrors(plan.findings)) {
      return { message: plan.findings.filter((f) => f.severity === 'error').map(formatFinding).join('\n'), failures: [] };
    }
    const steps = options.limitSteps ? options.limitSteps(plan.steps) : plan.steps;
    const failure = await runSteps(steps, context, options, report);
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

/** Runs steps in order, each to completion; stops at the first failure and returns it. */
export async function runSteps(steps: readonly StackSetStep[], context: StepContext, options: ApplyOptions, report: Pick<StackSetApplyReport, 'steps'>): Promise<Omit<StackSetFailure, 'resource'> | undefined> {
  const interval = options.pollIntervalMs ?? 10_000;
  const instancesTotal = steps.reduce((n, s) => n + instancesOf(s), 0);
  let instancesDone = 0;
  const tell = (step: StackSetStep, state: StackSetProgress['state']) =>
    options.onProgress?.({ stackSetName: step.stackSetName, step: step.summary, state, instancesDone, instancesTotal });
  for (const step of steps) {
    report.steps[step.kind] = (report.steps[step.kind] ?? 0) + 1;
    tell(step, 'started');
    let started = await startStep(step, context);
    while (started.status === 'blocked') {
      await options.wait(interval);
      started = await startStep(step, context, started.attempt + 1);
    }
    if (started.status === 'failed') {
      tell(step, 'failed');
      return { message: started.message, failures: [] };
    }
    if (started.status === 'started') {
      for (;;) {
        const checked = await checkStep(step, started.operationId, context);
        if (checked.status === 'SUCCEEDED') break;
        if (checked.status === 'FAILED') {
          tell(step, 'failed');
          return { message: checked.message, failures: checked.failures };
        }
        tell(step, 'running');
        await options.wait(interval);
      }
    }
    instancesDone += instancesOf(step);
    tell(step, 'succeeded');
  }
  return undefined;
}

async function inBatches<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}
