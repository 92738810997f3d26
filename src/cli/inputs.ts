/**
 * What `plan` and `apply` read before they plan: the package, and the organization (an exported
 * snapshot, or the live organization).
 */
import { readFileSync } from 'node:fs';
import { ExitCode, type CliIo } from './io';
import { withProgress } from './progress';
import { createAwsClients, type AwsClients } from '../aws/clients';
import { parseSnapshot } from '../engine/organization/serialise';
import { DEFAULT_INSTALLATION_ID } from '../engine/plan';
import { systemClock, type Clock } from '../engine/retry';
import { loadRunSnapshot, planRun, type PlannedRun, type PlanRunInput, type RunOptions } from '../engine/run';
import {
  describeStateCacheReport,
  NotReadOfflineError,
  parseS3ObjectUrl,
  readOperationPreferences,
  readStackSetOrder,
  templateReader,
  type StateCacheReport,
  type TemplateReader,
} from '../engine/stacksets';
import {
  formatFinding,
  hasErrors,
  loadPackage,
  PackageSourceError,
  type Finding,
  type LoadedPackage,
  type Manifest,
} from '../manifest';
import { packageSourceProblem, unusablePath } from './paths';
import { plural } from './report/format';
import { usageFinding, type UsageRuleId } from './usage';

/** Flags shared by the commands that plan. */
export interface PlanFlags {
  readonly organization?: string;
  readonly live?: boolean;
  readonly stackSetPrefix?: string;
  readonly installationId?: string;
  readonly accounts?: string;
  readonly stagingBucket?: string;
  /** StackSets administration role ARN. @default upstream's */
  readonly administrationRoleArn?: string;
  /** Role StackSets assumes in target accounts. @default upstream's */
  readonly executionRoleName?: string;
  /** Write progress lines of the live read on stderr even when it is not a terminal. */
  readonly progress?: boolean;
  /**
   * The installation's default operation preferences: a JSON object with the keys of a resource's
   * `operation_preferences` (`{"MaxConcurrentCount": 5}`). @default 100% / 10% / PARALLEL / SOFT
   */
  readonly operationPreferences?: string;
  /** The installation's default `stack_set_order`, for manifests without one. @default sequential */
  readonly stackSetOrder?: string;
  /**
   * The stack set state cache object, `s3://bucket/key` (live plans only).
   * @default - every stack set is read in full
   */
  readonly stateCache?: string;
}

/** What planning reads: the package's manifest and files, the organization, how to read templates. */
export interface PlanInputs {
  readonly run: PlanRunInput;
  readonly clock: Clock;
  /** Live runs only. */
  readonly clients?: AwsClients;
  /** The package's own findings (warnings and notes; errors stop before planning). */
  readonly packageFindings: readonly Finding[];
  /** How the stack set state cache was used (live runs with `--state-cache`, once a fingerprint key exists). */
  readonly stateCache?: StateCacheReport;
}

/** Where findings go when planning cannot start; by default, one line each on stderr. */
export type FindingsSink = (findings: readonly Finding[]) => void;

/** Clients for live commands: the injected ones (tests), else real clients for `region`. */
export function awsClients(io: CliIo, region: string): AwsClients {
  return io.aws ? io.aws(region) : createAwsClients({ region });
}

/** `--accounts 111111111111,222222222222` as a list; undefined when absent. */
export function parseAccounts(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
}

function printer(io: CliIo): FindingsSink {
  return (findings) => {
    for (const f of findings) io.stderr(`${formatFinding(f)}\n`);
  };
}

/** What a command does between reading the package and reading the live organization. */
export interface PlanInputHooks {
  /**
   * Runs before the first live AWS call (`cfct apply` takes the installation lock here): returns
   * the clients to read and run with, or an exit code to stop with.
   */
  readonly beforeLiveRead?: (
    clients: AwsClients,
    manifest: Manifest,
    installationId: string,
  ) => Promise<AwsClients | number>;
  /** Where the package's and the snapshot's findings go. @default printed to stderr */
  readonly print?: FindingsSink;
  /** Where a usage error goes besides its line on stderr (`--format json` puts it in the document). */
  readonly usage?: (error: Finding) => void;
}

/**
 * Reads the package and the organization. Prints findings and returns an exit code instead when
 * they cannot be used: 2 for usage errors and unreadable paths, 1 for findings.
 */
export async function readPlanInputs(
  io: CliIo,
  command: string,
  source: string,
  flags: PlanFlags,
  hooks: PlanInputHooks = {},
): Promise<PlanInputs | number> {
  const print = hooks.print ?? printer(io);
  const usage = (ruleId: UsageRuleId, message: string, hint?: string) => {
    io.stderr(`cfct ${command}: ${message}\n`);
    hooks.usage?.(usageFinding(ruleId, message, hint));
    return ExitCode.USAGE;
  };
  if (Boolean(flags.organization) === Boolean(flags.live)) {
    return usage(
      'CFCT-U005',
      'give exactly one of --organization <file> and --live',
      'plan offline with --organization org.json (from `cfct org export`), or against the live organization with --live',
    );
  }
  const accounts = parseAccounts(flags.accounts);
  const badAccount = accounts?.find((a) => !/^\d{12}$/.test(a));
  if (badAccount !== undefined || accounts?.length === 0) {
    return usage('CFCT-U003', `--accounts takes 12-digit account ids separated by commas, got '${flags.accounts}'`);
  }
  const stateCache = flags.stateCache !== undefined ? parseS3ObjectUrl(flags.stateCache) : undefined;
  if (flags.stateCache !== undefined && !stateCache) {
    return usage(
      'CFCT-U003',
      `--state-cache takes an S3 object URL, s3://bucket/key, got '${flags.stateCache}'`,
      'the pipeline keeps its cache at s3://<artifact bucket>/cfct/runs/stack-set-states.json',
    );
  }
  if (stateCache && flags.organization) {
    return usage(
      'CFCT-U003',
      '--state-cache is for plans against the live organization (--live); a snapshot is read as it is',
    );
  }
  const defaults = [
    flags.operationPreferences !== undefined
      ? readOperationPreferences(flags.operationPreferences, '--operation-preferences')
      : undefined,
    flags.stackSetOrder !== undefined ? readStackSetOrder(flags.stackSetOrder, '--stack-set-order') : undefined,
  ] as const;
  const defaultFindings = defaults.flatMap((d) => d?.findings ?? []);
  if (hasErrors(defaultFindings)) {
    print(defaultFindings);
    io.stderr(`cfct ${command}: fix the stack set defaults given on the command line\n`);
    return ExitCode.USAGE;
  }
  const [preferences, order] = [defaults[0]?.preferences, defaults[1]?.order];
  let loaded: LoadedPackage;
  try {
    loaded = await loadPackage(source, { stackSetPrefix: flags.stackSetPrefix });
  } catch (err) {
    if (!(err instanceof PackageSourceError)) throw err;
    return usage('CFCT-U004', packageSourceProblem(source, err));
  }
  if (hasErrors(loaded.findings) || !loaded.manifest) {
    print(loaded.findings);
    io.stderr(`cfct ${command}: the package has errors; fix them first (cfct validate ${source})\n`);
    return ExitCode.FINDINGS;
  }
  const manifest = loaded.manifest;
  const options: RunOptions = {
    ...(flags.installationId ? { installationId: flags.installationId } : {}),
    stackSets: {
      ...(flags.stackSetPrefix ? { prefix: flags.stackSetPrefix } : {}),
      ...(flags.stagingBucket ? { stagingBucket: flags.stagingBucket } : {}),
      ...(flags.administrationRoleArn ? { administrationRoleArn: flags.administrationRoleArn } : {}),
      ...(flags.executionRoleName ? { executionRoleName: flags.executionRoleName } : {}),
      ...(preferences ? { defaultOperationPreferences: preferences } : {}),
      ...(order ? { defaultStackSetOrder: order } : {}),
    },
    ...(accounts ? { accounts } : {}),
    ...(stateCache ? { stateCache } : {}),
  };
  const clock = io.clock ?? systemClock;
  const files = loaded.files;

  if (flags.organization) {
    let text: string;
    try {
      text = readFileSync(flags.organization, 'utf8');
    } catch (err) {
      return usage(
        'CFCT-U004',
        unusablePath(flags.organization, 'an organization snapshot written by cfct org export --out org.json', err),
      );
    }
    const parsed = parseSnapshot(text, flags.organization);
    if (!parsed.snapshot) {
      print(parsed.findings);
      return ExitCode.FINDINGS;
    }
    // Offline: templates come from the package only (remote ones need --live).
    const readTemplate: TemplateReader = async (ref) => {
      if (ref.kind !== 'local') throw new NotReadOfflineError(ref.raw);
      return ref.path ? loaded.files.read(ref.path)?.toString('utf8') : undefined;
    };
    const run = {
      manifest,
      files,
      snapshot: parsed.snapshot,
      snapshotSource: flags.organization,
      readTemplate,
      options,
    };
    return { run, clock, packageFindings: loaded.findings };
  }

  const progress = withProgress(awsClients(io, manifest.region), io.stderr, 'reading the organization', {
    show: flags.progress === true || io.progress === true,
    clock,
  });
  let clients = progress.clients;
  if (hooks.beforeLiveRead) {
    const ready = await hooks.beforeLiveRead(clients, manifest, options.installationId ?? DEFAULT_INSTALLATION_ID);
    if (typeof ready === 'number') return ready;
    clients = ready;
  }
  const {
    snapshot,
    fingerprinter,
    stateCache: cacheReport,
  } = await loadRunSnapshot(clients, manifest, {
    stackSets: options.stackSets,
    installationId: options.installationId,
    ...(stateCache ? { stateCache } : {}),
    clock,
  });
  progress.done(
    `read the organization: ${plural(snapshot.accounts.length, 'account')}, ${plural(snapshot.organizationalUnits.length, 'OU')}, ${plural(Object.keys(snapshot.stackSets?.stackSets ?? {}).length, 'stack set')}`,
  );
  const readTemplate = templateReader(loaded.files, clients, manifest.region, clock);
  if (cacheReport) io.stderr(`${describeStateCacheReport(cacheReport)}\n`);
  const run = { manifest, files, snapshot, readTemplate, options, ...(fingerprinter ? { fingerprinter } : {}) };
  return {
    run,
    clock,
    clients,
    packageFindings: loaded.findings,
    ...(cacheReport ? { stateCache: cacheReport } : {}),
  };
}

/**
 * Plans what `inputs` hold. The plan carries every finding: the package's own (warnings such as a
 * deprecated manifest version, notes) first, then the planner's. `plan`, `apply` and
 * `print-tasks` all plan through here, so what one shows the others show.
 */
export async function planInputs(inputs: PlanInputs): Promise<PlannedRun> {
  const planned = await planRun(inputs.run);
  return { ...planned, plan: { ...planned.plan, findings: [...inputs.packageFindings, ...planned.plan.findings] } };
}
