/**
 * Pipeline run files: what the build stage stores for the deploy stages, and the small JSON
 * inputs of the two state machines.
 *
 * Under `s3://<bucket>/<prefix>/<pipelineExecutionId>/` the build stage writes
 * - `plan.json`: the approved plan (a `RunPlan`, exactly as the approval's report shows it),
 * - `package.zip`: the configuration package the plan was made from,
 * - `options.json`: the run options (installation id, stack set prefix and roles, `--accounts`),
 * - `stacksets.json`: the stack set run input (`StackSetRunInput`) the stack set tasks read.
 *
 * The state machine inputs hold references to these objects only, never plans, templates or
 * account lists: a Step Functions payload is limited to 256 KB, and an organization of 10,000
 * accounts gives plans of many megabytes.
 */
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { canonicalJson } from './canonical';
import { lockLocation, type LockLocation } from './lock';
import { formatFinding, hasErrors, type Finding } from '../manifest/findings';
import { packageFromZip } from '../manifest/load';
import type { AccountState, OrganizationSnapshot } from './organization/snapshot';
import { checkSavedPlan, savedPlanDifferences, type PlanStep } from './plan';
import { listFirst } from './plural';
import { isPolicyStep } from './policies';
import type { Clock } from './retry';
import { retryThrottled } from './retry';
import { engineFinding } from './rules';
import { loadRunSnapshot, planRun, type PlannedRun, type RunOptions, type RunPlan } from './run';
import { templateReader, type S3ObjectRef, type StackSetRunInput } from './stacksets';
import type { AwsClients } from '../aws/clients';

/** Key prefix of the run files when none is given. */
export const DEFAULT_PIPELINE_RUN_PREFIX = 'cfct/runs';

/** Object names of a run's files under `<prefix>/<pipelineExecutionId>/`. */
export const PIPELINE_RUN_FILES = {
  plan: 'plan.json',
  package: 'package.zip',
  options: 'options.json',
  runInput: 'stacksets.json',
} as const;

/** Where the installation's lock object lives (contract B). */
export type LockRef = LockLocation;

/**
 * What both state machines receive (the Step Functions execution input). References only;
 * a few hundred bytes whatever the size of the organization.
 */
export interface PipelineRunReferences {
  /**
   * The run's identity: the CodePipeline execution id. Every log line carries it as the
   * correlation id, and stack set operation ids derive from it, so a retried deploy stage (a new
   * execution with the same input) or a redriven execution resumes operations instead of
   * starting them twice.
   */
  readonly runId: string;
  readonly installationId: string;
  /** Region of the bucket: the manifest's home region. */
  readonly region: string;
  /** The approved plan (`RunPlan`). */
  readonly plan: S3ObjectRef;
  /** The configuration package (zip) the plan was made from. */
  readonly package: S3ObjectRef;
  /** The run options (`RunOptions`) the plan was made with. */
  readonly options: S3ObjectRef;
  /** The stack set run input (`StackSetRunInput`). */
  readonly runInput: S3ObjectRef;
  /** The installation's lock object (contract B). */
  readonly lock: LockRef;
}

/** Input of the policy state machine. */
export type PolicyStateMachineInput = PipelineRunReferences;

/** Input of the stack set state machine. */
export type StackSetStateMachineInput = PipelineRunReferences;

/** Inputs of {@link writePipelineRun}. */
export interface WritePipelineRunInput {
  readonly clients: Pick<AwsClients, 's3'>;
  readonly clock: Clock;
  /** The bucket the run files go to (the pipeline's artifact bucket). */
  readonly bucket: string;
  /** Key prefix; the files go under `<prefix>/<pipelineExecutionId>/`. @default 'cfct/runs' */
  readonly prefix?: string;
  /** The CodePipeline execution id (`#{codepipeline.PipelineExecutionId}`). */
  readonly pipelineExecutionId: string;
  /** The planned run (`planRun`), whose plan is the one approved. */
  readonly planned: PlannedRun;
  /** The organization snapshot the plan was made from (account states for the stack set tasks). */
  readonly snapshot: OrganizationSnapshot;
  /** The run options the plan was made with (`planRun`'s `options`). */
  readonly options: RunOptions;
  /** The configuration package as a zip (the source artifact, or `createPackageZip` of a folder). */
  readonly packageZip: Buffer;
  /** Bucket of the installation's lock. @default - `bucket` */
  readonly lockBucket?: string;
}

/** What {@link writePipelineRun} stored, and the inputs of the two state machines. */
export interface PipelineRunFiles {
  /** `s3://<bucket>/<prefix>/<pipelineExecutionId>/` */
  readonly location: string;
  readonly policyStateMachineInput: PolicyStateMachineInput;
  readonly stackSetStateMachineInput: StackSetStateMachineInput;
}

/** The stack set run input of a planned run: settings, desired stack sets, account states. */
export function stackSetRunInputOf(planned: PlannedRun, snapshot: OrganizationSnapshot): StackSetRunInput {
  const accountStates: Record<string, AccountState> = {};
  for (const account of snapshot.accounts) accountStates[account.id] = account.state;
  return { homeRegion: planned.plan.homeRegion, settings: planned.settings, desired: planned.desired, accountStates };
}

/**
 * Stores the approved plan, the package, the run options and the stack set run input of one
 * pipeline execution, and returns the state machine inputs (references only). Writing the same
 * run twice overwrites it with the same content.
 */
export async function writePipelineRun(input: WritePipelineRunInput): Promise<PipelineRunFiles> {
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(input.pipelineExecutionId)) {
    throw new Error(
      `pipelineExecutionId must be 1 to 128 letters, digits, '.', '_' or '-', got '${input.pipelineExecutionId}'`,
    );
  }
  const { plan } = input.planned;
  const prefix = (input.prefix ?? DEFAULT_PIPELINE_RUN_PREFIX).replace(/^\/+|\/+$/g, '');
  const base = `${prefix ? `${prefix}/` : ''}${input.pipelineExecutionId}`;
  const ref = (name: string): S3ObjectRef => ({ bucket: input.bucket, key: `${base}/${name}` });
  const s3 = input.clients.s3(plan.homeRegion);
  const put = (where: S3ObjectRef, body: string | Buffer, contentType: string) =>
    retryThrottled(
      () =>
        s3.send(new PutObjectCommand({ Bucket: where.bucket, Key: where.key, Body: body, ContentType: contentType })),
      input.clock,
    );

  const refs: PipelineRunReferences = {
    runId: input.pipelineExecutionId,
    installationId: plan.installationId,
    region: plan.homeRegion,
    plan: ref(PIPELINE_RUN_FILES.plan),
    package: ref(PIPELINE_RUN_FILES.package),
    options: ref(PIPELINE_RUN_FILES.options),
    runInput: ref(PIPELINE_RUN_FILES.runInput),
    lock: lockLocation(input.lockBucket ?? input.bucket, plan.installationId),
  };
  await put(refs.package, input.packageZip, 'application/zip');
  await put(refs.options, JSON.stringify(input.options), 'application/json');
  await put(refs.runInput, JSON.stringify(stackSetRunInputOf(input.planned, input.snapshot)), 'application/json');
  // The plan last: a run whose plan exists has all its files.
  await put(refs.plan, JSON.stringify(plan), 'application/json');
  return { location: `s3://${input.bucket}/${base}/`, policyStateMachineInput: refs, stackSetStateMachineInput: refs };
}

/** Reads one run file. */
export async function readRunObject(
  clients: Pick<AwsClients, 's3'>,
  ref: S3ObjectRef,
  region: string,
  clock: Clock,
): Promise<Buffer> {
  const object = await retryThrottled(
    () => clients.s3(region).send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key })),
    clock,
  );
  const bytes = await object.Body?.transformToByteArray();
  if (!bytes || bytes.length === 0) throw new Error(`the run file s3://${ref.bucket}/${ref.key} is empty`);
  return Buffer.from(bytes);
}

/** Reads the approved plan and the run options of a run. */
export async function readApprovedRun(
  clients: Pick<AwsClients, 's3'>,
  refs: Pick<PipelineRunReferences, 'plan' | 'options' | 'region'>,
  clock: Clock,
): Promise<{ plan: RunPlan; options: RunOptions }> {
  const plan = JSON.parse((await readRunObject(clients, refs.plan, refs.region, clock)).toString('utf8')) as RunPlan;
  const options = JSON.parse(
    (await readRunObject(clients, refs.options, refs.region, clock)).toString('utf8'),
  ) as RunOptions;
  return { plan, options };
}

/** Which state machine checks the approved plan: each refuses changes the approval did not cover. */
export type ApprovalScope = 'policies' | 'stacksets';

/** Outcome of {@link checkApprovedRun}. */
export interface ApprovalCheck {
  /** True when every change the fresh plan makes was in the approved plan. */
  readonly approved: boolean;
  /** Why not (CFCT-C010), or what is already done (CFCT-C060); error findings only when refused. */
  readonly findings: readonly Finding[];
  /** One line for the execution's failure cause or log. */
  readonly message: string;
  /** Approved steps of this scope the organization already has (done by an earlier attempt, or by hand). */
  readonly alreadyDone: number;
}

/** Whether a step holds values known only after apply (exports of earlier stack sets, generated values). */
function holdsValuesKnownAfterApply(step: PlanStep): boolean {
  const text = JSON.stringify(step);
  return text.includes('"afterApply"') || text.includes('(known after apply');
}

function pairsOf(step: PlanStep): string[] {
  if (!('targets' in step) || !step.targets) return [];
  const { accounts, regions } = step.targets;
  return accounts.flatMap((a) => regions.map((r) => `${a}/${r}`));
}

function definitionOf(step: PlanStep): string | undefined {
  if (step.kind !== 'stackset.create' && step.kind !== 'stackset.update') return undefined;
  const { createdTag: _created, ...definition } = step.definition;
  return canonicalJson(definition);
}

/**
 * Whether the approved plan covers a step of a fresh plan that it does not hold as such. Stack
 * set steps are compared by what they converge to, since an earlier attempt of the run can leave
 * a stack set half way (a create-instances step that failed in some accounts is completed by
 * update-instances there): instance steps are covered when the approved plan creates, updates
 * (or, for deletions, deletes) those very instances; definition steps when the approved plan
 * sets the same definition, or held values known only after apply for that stack set; a
 * deletion when the approved plan deletes the stack set; an adoption when it adopts it.
 */
function coveredBy(approved: readonly PlanStep[]): (step: PlanStep) => boolean {
  return (step) => {
    if (isPolicyStep(step)) return false;
    const same = approved.filter(
      (a): a is Exclude<PlanStep, { kind: `policy.${string}` }> =>
        !isPolicyStep(a) && a.stackSetName === step.stackSetName,
    );
    switch (step.kind) {
      case 'stackset.create-instances':
      case 'stackset.update-instances': {
        const approvedPairs = new Set(
          same
            .filter((a) => a.kind === 'stackset.create-instances' || a.kind === 'stackset.update-instances')
            .flatMap(pairsOf),
        );
        return pairsOf(step).every((p) => approvedPairs.has(p));
      }
      case 'stackset.delete-instances': {
        const approvedPairs = new Set(same.filter((a) => a.kind === 'stackset.delete-instances').flatMap(pairsOf));
        return pairsOf(step).every((p) => approvedPairs.has(p));
      }
      case 'stackset.create':
      case 'stackset.update':
        return (
          same.some(
            (a) => holdsValuesKnownAfterApply(a) && (a.kind === 'stackset.create' || a.kind === 'stackset.update'),
          ) || same.some((a) => definitionOf(a) !== undefined && definitionOf(a) === definitionOf(step))
        );
      case 'stackset.delete':
        return same.some((a) => a.kind === 'stackset.delete');
      case 'stackset.adopt':
        return same.some((a) => a.kind === 'stackset.adopt');
    }
  };
}

/**
 * Compares the approved plan with a plan made now from the stored package and the live
 * organization (through `savedPlanDifferences`). Approved when the fresh plan makes no change
 * the approved plan does not cover: steps of the approved plan that are no longer needed (the
 * organization already has them: done by an earlier attempt of this run, or by hand) are fine,
 * and stack set steps are compared by what they converge to (see `coveredBy`).
 */
export function compareWithApproved(approved: RunPlan, fresh: RunPlan, scope: ApprovalScope): ApprovalCheck {
  if (hasErrors(approved.findings)) {
    const errors = approved.findings.filter((f) => f.severity === 'error');
    return {
      approved: false,
      findings: errors,
      message: `refused: the approved plan has errors: ${errors.slice(0, 3).map(formatFinding).join('; ')}`,
      alreadyDone: 0,
    };
  }
  const differences = savedPlanDifferences(approved, fresh);
  if (!differences) return { approved: true, findings: [], message: 'the approved plan is up to date', alreadyDone: 0 };
  const covered = coveredBy(approved.steps);
  const added = differences.added.filter((s) => !covered(s));
  if (added.length > 0) {
    const findings = checkSavedPlan(approved, { ...fresh, steps: fresh.steps.filter((s) => !covered(s)) });
    const summaries = listFirst(
      added.map((s) => s.summary),
      5,
      '; ',
    );
    return {
      approved: false,
      findings,
      message: `refused: the organization or the package changed since the plan was approved; ${added.length} change(s) were not approved (${summaries}). Plan again, review, and approve the new plan`,
      alreadyDone: 0,
    };
  }
  const done = differences.gone.filter(inApprovalScope(scope));
  const findings =
    done.length === 0
      ? []
      : [
          engineFinding('CFCT-C060', {
            message: `${done.length} approved step(s) are already done or completed differently: ${listFirst(
              done.map((s) => s.summary),
              5,
              '; ',
            )}`,
          }),
        ];
  return {
    approved: true,
    findings,
    message: `the approved plan holds; ${done.length} approved step(s) already done`,
    alreadyDone: done.length,
  };
}

/** Inputs of {@link checkApprovedRun}. */
export interface CheckApprovedRunInput {
  readonly clients: AwsClients;
  readonly clock: Clock;
  readonly refs: Pick<PipelineRunReferences, 'plan' | 'package' | 'options' | 'region'>;
  readonly scope: ApprovalScope;
}

/** What {@link checkApprovedRun} found, with the approved plan it read. */
export interface ApprovedRunCheck extends ApprovalCheck {
  readonly plan: RunPlan;
  /** Steps of the approved plan in the check's scope: 0 means the state machine has nothing to apply. */
  readonly stepsInScope: number;
}

/** Whether a step belongs to a state machine's scope. */
export function inApprovalScope(scope: ApprovalScope): (step: PlanStep) => boolean {
  return (step) => (scope === 'policies' ? isPolicyStep(step) : !isPolicyStep(step));
}

/**
 * Re-plans from the stored package and the live organization, and compares with the approved
 * plan. A stored package that no longer validates refuses the run, with its findings.
 *
 * An approved plan without a step in the scope (and without errors) is approved without reading
 * the organization again: the state machine applies nothing, so nothing can be applied that the
 * approval did not cover (CFCT-C070). A change made since the approval is the next run's plan.
 */
export async function checkApprovedRun(input: CheckApprovedRunInput): Promise<ApprovedRunCheck> {
  const { clients, clock, refs } = input;
  const { plan, options } = await readApprovedRun(clients, refs, clock);
  const stepsInScope = plan.steps.filter(inApprovalScope(input.scope)).length;
  if (stepsInScope === 0 && !hasErrors(plan.findings)) {
    const what = input.scope === 'policies' ? 'policy' : 'stack set';
    return {
      plan,
      stepsInScope,
      approved: true,
      findings: [
        engineFinding('CFCT-C070', {
          message: `the approved plan has no ${what} step: nothing to apply, the organization was not read again`,
        }),
      ],
      message: `the approved plan has no ${what} step: nothing to apply`,
      alreadyDone: 0,
    };
  }
  const zip = await readRunObject(clients, refs.package, refs.region, clock);
  const loaded = await packageFromZip(zip, { stackSetPrefix: options.stackSets?.prefix });
  if (!loaded.manifest || hasErrors(loaded.findings)) {
    const errors = loaded.findings.filter((f) => f.severity === 'error');
    return {
      plan,
      stepsInScope,
      approved: false,
      findings: errors,
      message: `refused: the stored package has errors: ${errors.slice(0, 3).map(formatFinding).join('; ')}`,
      alreadyDone: 0,
    };
  }
  // The build stage's options: the same installation, prefix and stack set state cache.
  const { snapshot } = await loadRunSnapshot(clients, loaded.manifest, {
    stackSets: options.stackSets,
    ...(options.installationId ? { installationId: options.installationId } : {}),
    ...(options.stateCache ? { stateCache: options.stateCache } : {}),
    clock,
  });
  const fresh = await planRun({
    manifest: loaded.manifest,
    files: loaded.files,
    snapshot,
    readTemplate: templateReader(loaded.files, clients, loaded.manifest.region, clock),
    options,
  });
  return { plan, stepsInScope, ...compareWithApproved(plan, fresh.plan, input.scope) };
}

// ---------------------------------------------------------------------------------------------
// Stack set waves: what the stack set state machine runs next, given what happened so far.
// ---------------------------------------------------------------------------------------------

/** How one stack set of a wave ended (the result of one iteration of the wave's Map). */
export interface StackSetOutcome {
  readonly resource: string;
  readonly status: 'succeeded' | 'failed';
  /** Why it failed (cut to 1,000 characters). */
  readonly message?: string;
}

/** What the stack set runs so far came to; carried between waves in the execution's state. */
export interface StackSetRunProgress {
  /** Index of the next wave to run. */
  readonly wave: number;
  readonly succeeded: readonly string[];
  readonly failed: readonly { readonly resource: string; readonly message: string }[];
  readonly skipped: readonly { readonly resource: string; readonly reason: string }[];
  /**
   * Stack sets of the graph without a step in the approved plan: not prepared, nothing applied;
   * their dependants run. Absent in the progress of executions started before it existed.
   */
  readonly unchanged?: readonly string[];
}

/** The next wave to run, or the end of the run with its summary. */
export interface NextWave {
  readonly progress: StackSetRunProgress;
  /** Resources of the wave to run now (empty when done). */
  readonly run: readonly string[];
  readonly done: boolean;
  /** True when done and any stack set failed or was skipped. */
  readonly failed: boolean;
  /** One paragraph: every failure and skip (at most 30,000 characters, a Fail state's cause). */
  readonly summary: string;
}

/** Longest message kept per failed stack set. */
export const OUTCOME_MESSAGE_LIMIT = 1000;

/**
 * The waves of a plan's stack set part: stack sets that left the manifest (with deletion enabled)
 * one at a time, in the plan's order, then the dependency graph's waves.
 */
export function stackSetWavesOf(plan: RunPlan): string[][] {
  const inGraph = new Set(plan.stackSets.waves.flat());
  const withSteps = new Set(plan.steps.filter((s) => !isPolicyStep(s)).map((s) => s.resource));
  const removals = plan.stackSets.summaries.map((s) => s.resource).filter((r) => !inGraph.has(r) && withSteps.has(r));
  return [...removals.map((r) => [r]), ...plan.stackSets.waves.map((w) => [...w])];
}

/**
 * Folds the last wave's outcomes into the progress and picks the next wave: each stack set whose
 * dependency failed or was skipped is skipped with the reason; a stack set without a step in the
 * approved plan is unchanged (not prepared: nothing is applied to it, so nothing can be applied
 * wrongly) and its dependants run; waves with nothing left to run are passed over.
 * Removals are independent of the manifest's stack sets.
 */
export function nextWave(
  plan: RunPlan,
  progress: StackSetRunProgress | undefined,
  results: readonly StackSetOutcome[] = [],
): NextWave {
  const waves = stackSetWavesOf(plan);
  const succeeded = [...(progress?.succeeded ?? [])];
  const failed = [...(progress?.failed ?? [])];
  const skipped = [...(progress?.skipped ?? [])];
  const unchanged = [...(progress?.unchanged ?? [])];
  const withSteps = new Set(plan.steps.filter((s) => !isPolicyStep(s)).map((s) => s.resource));
  for (const r of results) {
    if (r.status === 'succeeded') succeeded.push(r.resource);
    else failed.push({ resource: r.resource, message: (r.message ?? 'failed').slice(0, OUTCOME_MESSAGE_LIMIT) });
  }
  let wave = progress?.wave ?? 0;
  while (wave < waves.length) {
    const run: string[] = [];
    for (const resource of waves[wave]) {
      const deps = plan.stackSets.dependsOn[resource] ?? [];
      const failedDep = deps.find((d) => failed.some((f) => f.resource === d));
      const skippedDep = deps.find((d) => skipped.some((s) => s.resource === d));
      if (failedDep) {
        skipped.push({ resource, reason: `not run: it depends on ${failedDep}, which failed` });
      } else if (skippedDep) {
        skipped.push({ resource, reason: `not run: it depends on ${skippedDep}, which was not run` });
      } else if (!withSteps.has(resource)) {
        unchanged.push(resource);
      } else {
        run.push(resource);
      }
    }
    wave++;
    if (run.length > 0) {
      return {
        progress: { wave, succeeded, failed, skipped, unchanged },
        run,
        done: false,
        failed: false,
        summary: '',
      };
    }
  }
  const anyFailed = failed.length > 0 || skipped.length > 0;
  const lines = [
    ...failed.map((f) => `FAILED ${f.resource}: ${f.message}`),
    ...skipped.map((s) => `SKIPPED ${s.resource}: ${s.reason}`),
  ];
  const counts = [`${succeeded.length} stack set(s) succeeded`, `${failed.length} failed`, `${skipped.length} skipped`];
  if (unchanged.length > 0) counts.push(`${unchanged.length} unchanged (no step in the approved plan)`);
  const head = counts.join(', ');
  const summary = (anyFailed ? `${head}. ${lines.join('\n')}` : head).slice(0, 30_000);
  return { progress: { wave, succeeded, failed, skipped, unchanged }, run: [], done: true, failed: anyFailed, summary };
}
