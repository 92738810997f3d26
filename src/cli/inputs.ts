/**
 * What `plan` and `apply` read before they plan: the package, and the organization (an exported
 * snapshot, or the live organization).
 */
import { readFileSync } from 'node:fs';
import { createAwsClients, type AwsClients } from '../aws/clients';
import { parseSnapshot } from '../engine/organization/serialise';
import { DEFAULT_INSTALLATION_ID } from '../engine/plan';
import { systemClock, type Clock } from '../engine/retry';
import { loadRunSnapshot, type PlanRunInput, type RunOptions } from '../engine/run';
import { templateReader, type TemplateReader } from '../engine/stacksets/desired';
import { ExitCode, type CliIo } from './io';
import { formatFinding, hasErrors, loadPackage, PackageSourceError, type Finding, type LoadedPackage, type Manifest } from '../manifest';

/** Flags shared by the commands that plan. */
export interface PlanFlags {
  readonly organization?: string;
  readonly live?: boolean;
  readonly stackSetPrefix?: string;
  readonly installationId?: string;
  readonly accounts?: string;
  readonly stagingBucket?: string;
}

/** What planning reads: the package's manifest and files, the organization, how to read templates. */
export interface PlanInputs {
  readonly run: PlanRunInput;
  readonly clock: Clock;
  /** Live runs only. */
  readonly clients?: AwsClients;
}

/** Clients for live commands: the injected ones (tests), else real clients for `region`. */
export function awsClients(io: CliIo, region: string): AwsClients {
  return io.aws ? io.aws(region) : createAwsClients({ region });
}

/** `--accounts 111111111111,222222222222` as a list; undefined when absent. */
export function parseAccounts(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value.split(',').map((a) => a.trim()).filter(Boolean);
}

function print(io: CliIo, findings: readonly Finding[]): void {
  for (const f of findings) io.stderr(`${formatFinding(f)}\n`);
}

/** What a command does between reading the package and reading the live organization. */
export interface PlanInputHooks {
  /**
   * Runs before the first live AWS call (`cfct apply` takes the installation lock here): returns
   * the clients to read and run with, or an exit code to stop with.
   */
  readonly beforeLiveRead?: (clients: AwsClients, manifest: Manifest, installationId: string) => Promise<AwsClients | number>;
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
  if (Boolean(flags.organization) === Boolean(flags.live)) {
    io.stderr(`cfct ${command}: give exactly one of --organization <file> and --live\n`);
    return ExitCode.USAGE;
  }
  const accounts = parseAccounts(flags.accounts);
  const badAccount = accounts?.find((a) => !/^\d{12}$/.test(a));
  if (badAccount !== undefined || accounts?.length === 0) {
    io.stderr(`cfct ${command}: --accounts takes 12-digit account ids separated by commas, got '${flags.accounts}'\n`);
    return ExitCode.USAGE;
  }
  let loaded: LoadedPackage;
  try {
    loaded = await loadPackage(source, { stackSetPrefix: flags.stackSetPrefix });
  } catch (err) {
    if (!(err instanceof PackageSourceError)) throw err;
    io.stderr(`cfct ${command}: ${err.message}\n`);
    return ExitCode.USAGE;
  }
  if (hasErrors(loaded.findings) || !loaded.manifest) {
    print(io, loaded.findings);
    io.stderr(`cfct ${command}: the package has errors; fix them first (cfct validate ${source})\n`);
    return ExitCode.FINDINGS;
  }
  const manifest = loaded.manifest;
  const options: RunOptions = {
    ...(flags.installationId ? { installationId: flags.installationId } : {}),
    stackSets: {
      ...(flags.stackSetPrefix ? { prefix: flags.stackSetPrefix } : {}),
      ...(flags.stagingBucket ? { stagingBucket: flags.stagingBucket } : {}),
    },
    ...(accounts ? { accounts } : {}),
  };
  const clock = io.clock ?? systemClock;
  const files = loaded.files;

  if (flags.organization) {
    let text: string;
    try {
      text = readFileSync(flags.organization, 'utf8');
    } catch {
      io.stderr(`cfct ${command}: cannot read ${flags.organization}\n`);
      return ExitCode.USAGE;
    }
    const parsed = parseSnapshot(text, flags.organization);
    if (!parsed.snapshot) {
      print(io, parsed.findings);
      return ExitCode.FINDINGS;
    }
    // Offline: templates come from the package only (remote ones need --live).
    const readTemplate: TemplateReader = async (ref) => (ref.kind === 'local' && ref.path ? loaded.files.read(ref.path)?.toString('utf8') : undefined);
    return { run: { manifest, files, snapshot: parsed.snapshot, snapshotSource: flags.organization, readTemplate, options }, clock };
  }

  let clients = awsClients(io, manifest.region);
  if (hooks.beforeLiveRead) {
    const ready = await hooks.beforeLiveRead(clients, manifest, options.installationId ?? DEFAULT_INSTALLATION_ID);
    if (typeof ready === 'number') return ready;
    clients = ready;
  }
  const { snapshot } = await loadRunSnapshot(clients, manifest, { stackSets: options.stackSets, installationId: options.installationId, clock });
  const readTemplate = templateReader(loaded.files, clients, manifest.region, clock);
  return { run: { manifest, files, snapshot, readTemplate, options }, clock, clients };
}
