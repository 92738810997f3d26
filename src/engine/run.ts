/**
 * One run of the engine over a whole configuration package: policies first (SCPs, then RCPs),
 * then stack sets (removed ones first, then the manifest's in dependency order). `cfct plan` and
 * `cfct apply` call this; the pipeline's tasks run the same steps one at a time.
 */
import { sha256 } from './canonical';
import { templateDiff } from './diff';
import type { AwsClients } from '../aws/clients';
import type { Finding } from '../manifest/findings';
import { hasErrors } from '../manifest/findings';
import { DEFAULT_STACK_SET_PREFIX } from '../manifest/load';
import type { Manifest, PackageFiles } from '../manifest/model';
import { isPolicy, isStackSet } from '../manifest/model';
import { snapshotForPlan, type SnapshotNeeds } from './organization/coverage';
import { loadOrganizationSnapshot, type LoadedSnapshot } from './organization/load';
import { OrganizationIndex } from './organization/organization-index';
import { POLICY_TYPES, type AccountState, type OrganizationSnapshot, type PolicyType } from './organization/snapshot';
import { DEFAULT_INSTALLATION_ID, inputHash, Plan, PLAN_FORMAT_VERSION } from './plan';
import {
  applyPolicyPlan,
  createPolicyPlan,
  isPolicyStep,
  policyInputHash,
  type ApplyResult,
  type PolicyStep,
} from './policies';
import { systemClock, type Clock } from './retry';
import { engineFinding, withPlanningSuppressions } from './rules';
import {
  accountStateOf,
  applyStackSets,
  defaultStackSetSettings,
  desiredStackSets,
  identify,
  planStackSets,
  ssmNamesOf,
  stackSetNameFor,
  unstagedTemplateFindings,
  type ApplyOptions,
  type DesiredStackSet,
  type Fingerprinter,
  type StackSetApplyReport,
  type StackSetPlan,
  type StackSetSettings,
  type StackSetSettingsOverrides,
  type StackSetSnapshot,
  type StackSetStep,
  type TemplateReader,
  type S3ObjectRef,
  type StackSetStateCache,
  s3StackSetStateCache,
} from './stacksets';

/** What a run is configured with (command line flags, or the pipeline construct's props). */
export interface RunOptions {
  /** Value of the `cfct:installation` ownership tag. @default 'default' */
  readonly installationId?: string;
  /** Stack set prefix, roles, staging bucket, secrets key. @default upstream CfCT's */
  readonly stackSets?: Omit<StackSetSettingsOverrides, 'installationId'>;
  /**
   * Limit the run to these accounts: only their stack instances are created, updated or deleted,
   * and only policy attachments to these accounts themselves. Stack set definitions, OU-level
   * policies and everything else are left alone.
   * @default - the whole organization
   */
  readonly accounts?: readonly string[];
  /**
   * The stack set state cache object (`stackSetStateCacheKey` in the run bucket) that live plans
   * read stack set states through; the plan is the same without it. Offline plans never use it.
   * @default - every stack set is read in full
   */
  readonly stateCache?: S3ObjectRef;
}

/** A plan of a whole run. JSON-serialisable; holds no secret. */
export interface RunPlan extends Plan {
  readonly homeRegion: string;
  readonly managementAccountId: string;
  /** The account limit the plan was made with, if any. */
  readonly accounts?: readonly string[];
  readonly stackSets: {
    /** Stack set summaries: removed stack sets first, then the manifest's, in manifest order. */
    readonly summaries: StackSetPlan['resources'][number]['summary'][];
    /** resource -> resources it runs after. */
    readonly dependsOn: Readonly<Record<string, readonly string[]>>;
    /** resource -> unified diff of its template (parsed, keys sorted), for templates that change. */
    readonly templateDiffs: Readonly<Record<string, string>>;
    readonly waves: readonly (readonly string[])[];
  };
}

/** A plan with what applying it needs beside it (templates, resolved targets). */
export interface PlannedRun {
  readonly plan: RunPlan;
  readonly manifest: Manifest;
  readonly desired: readonly DesiredStackSet[];
  readonly stackSetPlan: StackSetPlan;
  readonly settings: StackSetSettings;
  /** Account states at plan time (accounts absent from the organization: undefined). */
  readonly accountState: (accountId: string) => AccountState | undefined;
}

/**
 * Reads the organization live, with the stack sets and SSM values `manifest` needs (its stack
 * sets, and the others with the prefix, which may have left the manifest), and the policies of
 * the types it uses or this installation owns policies of (see {@link policyTypesOf}). Pass the
 * same `installationId` and `stackSets` options as to {@link planRun}: a plan for another
 * installation or prefix refuses the snapshot (CFCT-O010) rather than plan from the wrong read.
 */
export async function loadRunSnapshot(
  clients: AwsClients,
  manifest: Manifest,
  options: Pick<RunOptions, 'stackSets' | 'installationId' | 'stateCache'> & { readonly clock?: Clock } = {},
): Promise<LoadedSnapshot> {
  const needs = snapshotNeeds(manifest, options);
  const cache = options.stateCache
    ? s3StackSetStateCache({
        clients,
        ref: options.stateCache,
        homeRegion: manifest.region,
        installationId: needs.installationId,
        clock: options.clock ?? systemClock,
      })
    : undefined;
  return loadOrganizationSnapshot(clients, {
    ...(cache ? { stackSetStateCache: cache } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    policyTypes: needs.policyTypes,
    ownedPolicyTypes: {
      installationId: needs.installationId,
      policyTypes: POLICY_TYPES.filter((t) => !needs.policyTypes.includes(t)),
    },
    stackSets: needs.stackSets,
  });
}

/** What planning `manifest` reads (a live read reads exactly this; a snapshot must hold it). */
export function snapshotNeeds(
  manifest: Manifest,
  options: Pick<RunOptions, 'stackSets' | 'installationId'> = {},
): SnapshotNeeds {
  const prefix = options.stackSets?.prefix ?? DEFAULT_STACK_SET_PREFIX;
  const resources = manifest.resources.filter(isStackSet);
  return {
    installationId: options.installationId ?? DEFAULT_INSTALLATION_ID,
    policyTypes: policyTypesOf(manifest),
    stackSets: {
      homeRegion: manifest.region,
      names: [...new Set(resources.map((r) => stackSetNameFor(r, { prefix })))].sort(),
      prefix,
      ssmNames: ssmNamesOf(resources),
    },
  };
}

/**
 * The policy types a manifest needs read whole: those of its resources. A type it does not use
 * matters only where this installation owns policies of it (they must be detached, or deleted,
 * once they leave the manifest, exactly as when one of two leaves), and which types those are is
 * not in the manifest. Reading every type whole each run would cost, per type, a
 * ListTargetsForPolicy page per 20 targets of its AWS-managed full-access policy (attached to
 * every root, OU and account); instead the loader lists the other types' policies (one
 * ListPolicies page per 20) and reads the tags of the customer-managed ones, and reads a type
 * whole only when one carries this installation's tag. Enabled types on the root would not do:
 * a type Control Tower enabled says nothing about who owns its policies.
 */
export function policyTypesOf(manifest: Manifest): PolicyType[] {
  const used = new Set(manifest.resources.filter(isPolicy).map((r) => r.deployMethod));
  return POLICY_TYPES.filter((type) => used.has(type === 'SERVICE_CONTROL_POLICY' ? 'scp' : 'rcp'));
}

/** Inputs of {@link planRun}. */
export interface PlanRunInput {
  readonly manifest: Manifest;
  readonly files: PackageFiles;
  /**
   * The organization, read for this manifest (loadRunSnapshot, or an export that holds at least
   * that: the plan reads only that part, and refuses a snapshot that lacks some of it).
   */
  readonly snapshot: OrganizationSnapshot;
  /** Names the snapshot in findings (its file). @default 'organization snapshot' */
  readonly snapshotSource?: string;
  /** Reads the files the manifest references: package files, and S3 objects when live. */
  readonly readTemplate: TemplateReader;
  readonly options?: RunOptions;
  /**
   * The installation's fingerprinter, from `loadRunSnapshot` (live plans only).
   * @default - NoEcho values are not compared: stack sets that have them are planned for update
   */
  readonly fingerprinter?: Fingerprinter;
}

/** Plans a whole run. Read-only; bad input ends in findings, never an exception. */
export async function planRun(input: PlanRunInput): Promise<PlannedRun> {
  const { manifest, files } = input;
  const options = input.options ?? {};
  const installationId = options.installationId ?? DEFAULT_INSTALLATION_ID;
  const settings = defaultStackSetSettings(
    input.snapshot.managementAccountId,
    { ...options.stackSets, installationId },
    manifest.region,
  );
  const covered = snapshotForPlan(input.snapshot, snapshotNeeds(manifest, options), input.snapshotSource);
  if (!covered.snapshot) return refusedRun(input, settings, covered.findings);
  // From here on, only what a live read for this manifest returns: the same plan, the same hash.
  const snapshot = covered.snapshot;
  const stackSetSnapshot = snapshot.stackSets ?? { homeRegion: manifest.region, stackSets: {}, ssm: {} };
  const index = new OrganizationIndex(snapshot);
  const findings: Finding[] = [];

  const { documents: remoteDocuments, unread: unreadDocuments } = await readRemotePolicies(
    manifest,
    input.readTemplate,
  );
  const policyPlan = createPolicyPlan({ manifest, files, snapshot, installationId, remoteDocuments, unreadDocuments });
  findings.push(...policyPlan.findings);

  const desired = await desiredStackSets(manifest, input.readTemplate, index, stackSetSnapshot);
  findings.push(...desired.findings);
  const stackSetPlan = planStackSets(manifest, desired.desired, stackSetSnapshot, {
    settings,
    accountState: accountStateOf(index),
    ...(input.fingerprinter ? { fingerprinter: input.fingerprinter } : {}),
  });
  findings.push(...stackSetPlan.findings);
  findings.push(
    ...unstagedTemplateFindings(
      stackSetPlan.resources.flatMap((r) => r.steps),
      settings.stagingBucket,
      desired.desired,
    ),
  );

  let steps = [
    ...policyPlan.steps,
    ...stackSetPlan.removals.flatMap((r) => r.steps),
    ...stackSetPlan.resources.flatMap((r) => r.steps),
  ];
  if (options.accounts) {
    const limited = limitToAccounts(steps, options.accounts);
    steps = limited.steps;
    findings.push(...limited.findings);
  }

  const plan: RunPlan = {
    formatVersion: PLAN_FORMAT_VERSION,
    installationId,
    inputHash: inputHash({
      policies: policyInputHash({ manifest, files, snapshot, installationId, remoteDocuments }),
      templates: desired.desired.map((d) => [d.resource.name, sha256(d.template.text)]),
      settings,
      accounts: options.accounts ?? null,
    }),
    findings: withPlanningSuppressions(findings, manifest),
    steps,
    homeRegion: manifest.region,
    managementAccountId: snapshot.managementAccountId,
    ...(options.accounts ? { accounts: [...options.accounts] } : {}),
    stackSets: {
      summaries: [...stackSetPlan.removals, ...stackSetPlan.resources].map((r) => r.summary),
      dependsOn: stackSetPlan.graph.dependsOn,
      waves: stackSetPlan.graph.waves,
      templateDiffs: templateDiffs(stackSetPlan, desired.desired, stackSetSnapshot),
    },
  };
  return { plan, manifest, desired: desired.desired, stackSetPlan, settings, accountState: accountStateOf(index) };
}

/** A plan that plans nothing: the snapshot lacks what planning reads (the findings say what). */
function refusedRun(input: PlanRunInput, settings: StackSetSettings, findings: readonly Finding[]): PlannedRun {
  const { manifest, snapshot } = input;
  const options = input.options ?? {};
  const plan: RunPlan = {
    formatVersion: PLAN_FORMAT_VERSION,
    installationId: settings.installationId,
    inputHash: inputHash({ refused: findings.map((f) => f.message), accounts: options.accounts ?? null }),
    findings: [...findings],
    steps: [],
    homeRegion: manifest.region,
    managementAccountId: snapshot.managementAccountId,
    ...(options.accounts ? { accounts: [...options.accounts] } : {}),
    stackSets: { summaries: [], dependsOn: {}, waves: [], templateDiffs: {} },
  };
  const index = new OrganizationIndex(snapshot);
  const stackSetPlan: StackSetPlan = {
    graph: { nodes: [], dependsOn: {}, waves: [], findings: [] },
    removals: [],
    resources: [],
    findings: [],
  };
  return { plan, manifest, desired: [], stackSetPlan, settings, accountState: accountStateOf(index) };
}

/** Remote policy documents by reference as written, and the references that could not be read. */
interface RemotePolicyDocuments {
  readonly documents: Map<string, string>;
  readonly unread: Map<string, unknown>;
}

/**
 * Fetches the policy documents the manifest references outside the package (`s3://`, S3
 * `https://`). One that cannot be read is left out, with the reason in `unread` (the reader's
 * error, or undefined when the object does not exist); the policy planner reports it (CFCT-C004).
 */
async function readRemotePolicies(manifest: Manifest, read: TemplateReader): Promise<RemotePolicyDocuments> {
  const documents = new Map<string, string>();
  const unread = new Map<string, unknown>();
  for (const resource of manifest.resources.filter(isPolicy)) {
    const ref = resource.resourceFile;
    if (ref.kind === 'local' || documents.has(ref.raw) || unread.has(ref.raw)) continue;
    try {
      const text = await read(ref);
      if (text !== undefined) documents.set(ref.raw, text);
      else unread.set(ref.raw, undefined);
    } catch (error) {
      unread.set(ref.raw, error);
    }
  }
  return { documents, unread };
}

/** Template diffs of the stack sets whose template changes, against the template they have now. */
function templateDiffs(
  plan: StackSetPlan,
  desired: readonly DesiredStackSet[],
  snapshot: StackSetSnapshot,
): Record<string, string> {
  const diffs: Record<string, string> = {};
  for (const { summary } of plan.resources) {
    const current = snapshot.stackSets[summary.stackSetName]?.templateBody;
    const wanted = desired.find((d) => d.resource.name === summary.resource)?.template.text;
    if (!summary.templateChanged || current === undefined || wanted === undefined) continue;
    const diff = templateDiff(summary.stackSetName, current, wanted);
    if (diff !== undefined) diffs[summary.resource] = diff;
  }
  return diffs;
}

/**
 * Keeps only the work on `accounts`: their stack instances, and policy attachments to the accounts
 * themselves (of policies that exist). Stack set definitions and other policy changes are left
 * for a run over the whole organization, with a finding saying so.
 */
export function limitToAccounts<S extends PolicyStep | StackSetStep>(
  steps: readonly S[],
  accounts: readonly string[],
): { steps: S[]; findings: Finding[] } {
  const wanted = new Set(accounts);
  const kept: S[] = [];
  const deferred: string[] = [];
  for (const step of steps) {
    if (isPolicyStep(step)) {
      const policyStep = step as PolicyStep;
      if (
        (policyStep.kind === 'policy.attach' || policyStep.kind === 'policy.detach') &&
        wanted.has(policyStep.targetId) &&
        policyStep.policy.id
      ) {
        kept.push(step);
      } else {
        deferred.push(policyStep.summary);
      }
      continue;
    }
    const stackSetStep = step as StackSetStep;
    switch (stackSetStep.kind) {
      case 'stackset.create':
        // A new stack set has no instance elsewhere: creating it changes no other account.
        kept.push(step);
        break;
      case 'stackset.create-instances':
      case 'stackset.update-instances':
      case 'stackset.delete-instances': {
        const mine = stackSetStep.targets.accounts.filter((a) => wanted.has(a));
        if (mine.length > 0) {
          const { id: _id, summary: _summary, ...content } = stackSetStep;
          kept.push(identify({ ...content, targets: { ...stackSetStep.targets, accounts: mine } }) as S);
        }
        break;
      }
      default:
        deferred.push(stackSetStep.summary);
    }
  }
  const findings: Finding[] =
    deferred.length === 0
      ? []
      : [
          engineFinding('CFCT-C020', {
            message: `--accounts leaves ${deferred.length} change(s) outside those accounts for a run over the whole organization: ${deferred.join('; ')}`,
            hint: 'run plan and apply without --accounts to make them',
          }),
        ];
  return { steps: kept, findings };
}

/** Inputs of {@link applyRun} beyond the planned run. */
export interface ApplyRunOptions {
  readonly clients: AwsClients;
  readonly clock: Clock;
  /** Waits between checks of long operations (the CLI sleeps; tests advance a fake clock). */
  readonly wait: (ms: number) => Promise<void>;
  /** Identifies this apply; part of every stack set operation id, so a re-run resumes. */
  readonly runId: string;
  /** @default 10000 */
  readonly pollIntervalMs?: number;
  /** How long a stack set busy with another operation (e.g. of an interrupted run) is waited for. @default 60 minutes */
  readonly busyTimeoutMs?: number;
  /** Independent stack sets applied at once. @default 4 */
  readonly concurrency?: number;
  /** Told as each stack set's steps start, wait and finish. */
  readonly onProgress?: ApplyOptions['onProgress'];
  /**
   * Refreshed at the end with the stack sets that ran steps (see `ApplyOptions.stateCache`).
   * @default - no cache is written
   */
  readonly stateCache?: StackSetStateCache;
}

/** What an apply did. */
export interface RunReport {
  /** Set when the plan has errors: nothing was applied. */
  readonly refused?: readonly Finding[];
  readonly policies?: ApplyResult;
  readonly stackSets?: StackSetApplyReport;
  /** True when every step succeeded. */
  readonly succeeded: boolean;
}

/**
 * Applies a planned run: policy steps in order (stopping at the first failure, before any stack
 * set), then stack sets, each re-planned just before its turn. Re-running converges.
 */
export async function applyRun(planned: PlannedRun, options: ApplyRunOptions): Promise<RunReport> {
  const { plan } = planned;
  if (hasErrors(plan.findings)) {
    return { refused: plan.findings.filter((f) => f.severity === 'error'), succeeded: false };
  }
  const policyPlan: Plan = { ...plan, steps: plan.steps.filter(isPolicyStep) };
  const policies = await applyPolicyPlan(policyPlan, { clients: options.clients, clock: options.clock });
  if (policies.failed || policies.refused) {
    // Stack sets run after the policies: none was attempted, and the report says so.
    const blocked = [
      ...planned.stackSetPlan.removals.filter((r) => r.steps.length > 0),
      ...planned.stackSetPlan.resources,
    ].map((r) => ({
      resource: r.summary.resource,
      blockedBy: 'policies',
      reason: 'stack sets run only once every policy step succeeded',
    }));
    return {
      policies,
      stackSets: { succeeded: [], failed: [], blocked, steps: {}, exports: [], findings: [] },
      succeeded: false,
    };
  }

  const accounts = plan.accounts;
  const limit = accounts ? (steps: readonly StackSetStep[]) => limitToAccounts(steps, accounts).steps : undefined;
  const stackSetPlan = limit
    ? { ...planned.stackSetPlan, removals: planned.stackSetPlan.removals.map((r) => ({ ...r, steps: limit(r.steps) })) }
    : planned.stackSetPlan;
  const stackSets = await applyStackSets(
    planned.manifest,
    planned.desired,
    stackSetPlan,
    {
      clients: options.clients,
      settings: planned.settings,
      homeRegion: plan.homeRegion,
      runId: options.runId,
      clock: options.clock,
      accountState: planned.accountState,
    },
    {
      wait: options.wait,
      pollIntervalMs: options.pollIntervalMs,
      ...(options.busyTimeoutMs !== undefined ? { busyTimeoutMs: options.busyTimeoutMs } : {}),
      concurrency: options.concurrency,
      onProgress: options.onProgress,
      ...(limit ? { limitSteps: limit } : {}),
      ...(options.stateCache ? { stateCache: options.stateCache } : {}),
    },
  );
  return { policies, stackSets, succeeded: stackSets.failed.length === 0 && stackSets.blocked.length === 0 };
}
