/**
 * The stack set part of the organization snapshot: existing stack sets (template hash, parameters
 * with NoEcho values masked as the API returns them, tags, instances with status), the Control
 * Tower baseline's accounts, and the SSM values the manifest reads. Enough to plan offline.
 *
 * Reads, per stack set: one DescribeStackSet and one paginated ListStackInstances (never a
 * per-account listing); plus one paginated ListStackSets to find stack sets that left the
 * manifest, and GetParameters in batches of 10. With a state cache (state-cache.ts), a stack set
 * whose stamp still holds costs one ListStackSetOperations call instead.
 */
import {
  DescribeStackSetCommand,
  paginateListStackInstances,
  paginateListStackSetOperations,
  paginateListStackSets,
  StackSetNotFoundException,
} from '@aws-sdk/client-cloudformation';
import { GetParametersCommand } from '@aws-sdk/client-ssm';
import { parseTemplate } from '../../manifest/template';
import { mapLimit } from '../concurrency';
import { retrying, retryThrottled, type Clock } from '../retry';
import type { StackSetClients } from './clients';
import { Fingerprinter, readFingerprinter, readStackSetRecords, StackSetRecord } from './fingerprint';
import { ssmNamesRead, STORAGE_MARKERS } from './parameter-helpers';
import { storageName, SsmValue, elementHashes, secretElementHashes } from './parameters';
import { sha256 } from '../canonical';
import { CONTROL_TOWER_BASELINE_STACK_SET } from './settings';
import type { StackInstanceState, StackSetSnapshot, StackSetState } from './snapshot-model';
import {
  mergeStackSetStates,
  sameStamp,
  secretsDigest,
  type StackSetStamp,
  type StackSetStateCache,
  type StackSetStateEntry,
  type StateCacheReport,
} from './state-cache';
import { normaliseTemplate } from './template';
import type { StackSetResource } from '../../manifest/model';

export {
  STACK_SET_SNAPSHOT_SCHEMA,
  type StackInstanceState,
  type StackSetParameterState,
  type StackSetSnapshot,
  type StackSetState,
} from './snapshot-model';

/** The clients reading needs. */
export type SnapshotClients = Pick<StackSetClients, 'cloudFormation' | 'ssm'>;

/** What to read. */
export interface StackSetSnapshotRequest {
  readonly homeRegion: string;
  /** Stack set names of the manifest's resources. */
  readonly names: readonly string[];
  /** Stack sets with this prefix that are not in `names` are read too (deletion candidates). */
  readonly prefix: string;
  readonly ssmNames: readonly string[];
}

/** Every SSM name the stack set resources read (`$[alfred_ssm_...]`) or store helper values in. */
export function ssmNamesOf(resources: readonly StackSetResource[]): string[] {
  const names = new Set<string>();
  for (const resource of resources) {
    for (const parameter of resource.parameters) {
      ssmNamesRead(parameter.value).forEach((n) => names.add(n));
      for (const marker of Object.values(STORAGE_MARKERS)) {
        const name = storageName(parameter, marker);
        if (name) names.add(name);
      }
    }
  }
  return [...names].sort();
}

/** Stack sets read at once (CloudFormation's read APIs throttle per account; the engine retries). */
const SNAPSHOT_CONCURRENCY = 4;

/** Options of {@link readStackSetSnapshot}. */
export interface StackSetSnapshotOptions {
  /**
   * Stack set states read before, confirmed live with one ListStackSetOperations call per stack
   * set (state-cache.ts). Used only with a fingerprinter; the snapshot is the one a full read gives.
   * @default - every stack set is read in full
   */
  readonly cache?: StackSetStateCache;
  /** Told how the cache was used (counts, and why it could not be loaded or saved). */
  readonly onCacheReport?: (report: StateCacheReport) => void;
}

/**
 * Reads the stack set snapshot. With the installation's `fingerprinter`, secret values are kept as
 * keyed digests; without it (nothing applied yet), as nothing, and no cache is used.
 */
export async function readStackSetSnapshot(
  clients: SnapshotClients,
  request: StackSetSnapshotRequest,
  clock: Clock,
  fingerprinter?: Fingerprinter,
  options: StackSetSnapshotOptions = {},
): Promise<StackSetSnapshot> {
  const cfn = clients.cloudFormation(request.homeRegion);
  const wanted = new Set(request.names);
  /** StackSetId by name, of every ACTIVE stack set (a stamp's first part). */
  const ids = new Map<string, string>();
  for await (const page of paginateListStackSets(
    { client: retrying(cfn, clock), pageSize: 100 },
    { Status: 'ACTIVE' },
  )) {
    for (const summary of page.Summaries ?? []) {
      if (summary.StackSetName && summary.StackSetId) ids.set(summary.StackSetName, summary.StackSetId);
      if (summary.StackSetName?.startsWith(request.prefix)) wanted.add(summary.StackSetName);
    }
  }
  const secrets = new Set<string>();
  const ssm = await readSsmValues(clients, request.homeRegion, request.ssmNames, clock, fingerprinter, secrets);
  const names = [...wanted].sort();
  const records = await readStackSetRecords(clients, request.homeRegion, names, clock);
  const cached =
    options.cache && fingerprinter
      ? await cachedReader(
          clients,
          request.homeRegion,
          options.cache,
          ids,
          secretsDigest(secrets, fingerprinter),
          clock,
        )
      : undefined;
  const read = (name: string, readOptions: ReadStackSetOptions) =>
    cached ? cached.read(name, readOptions) : readStackSet(clients, request.homeRegion, name, readOptions, clock);
  // Each stack set is one DescribeStackSet and a paginated ListStackInstances (or, confirmed from
  // the cache, one ListStackSetOperations): a few are read at once, so a large organization's
  // listing is not one long chain of pages.
  const states = await mapLimit(names, SNAPSHOT_CONCURRENCY, (name) =>
    read(name, { secrets, fingerprinter, record: records[name] }),
  );
  const stackSets: Record<string, StackSetState> = {};
  names.forEach((name, i) => {
    const state = states[i];
    if (state) stackSets[name] = state;
  });
  // The baseline's states are read without the fingerprinter: one name, one way of reading it.
  const baseline = wanted.has(CONTROL_TOWER_BASELINE_STACK_SET)
    ? await readStackSet(clients, request.homeRegion, CONTROL_TOWER_BASELINE_STACK_SET, { secrets }, clock)
    : await read(CONTROL_TOWER_BASELINE_STACK_SET, { secrets });
  if (cached) options.onCacheReport?.(await cached.finish());
  return {
    homeRegion: request.homeRegion,
    stackSets,
    ...(baseline ? { baselineAccounts: [...new Set(baseline.instances.map((i) => i.account))].sort() } : {}),
    ssm,
  };
}

/** Operation statuses after which nothing more changes the stack set (until the next operation). */
const FINISHED_OPERATIONS: ReadonlySet<string> = new Set(['SUCCEEDED', 'FAILED', 'STOPPED']);

/**
 * The stamp of a stack set now, and whether a state read under it may be cached (no operation,
 * or every operation finished). Every page of ListStackSetOperations: the API reference documents
 * no order, so the newest is the one with the latest CreationTimestamp (ties: the greater id).
 * Undefined when the stack set does not exist (any more).
 */
async function readStamp(
  cfn: ReturnType<SnapshotClients['cloudFormation']>,
  name: string,
  stackSetId: string,
  secrets: string,
  clock: Clock,
): Promise<{ stamp: StackSetStamp; finished: boolean } | undefined> {
  let newest: { id: string; at: number } | undefined;
  let finished = true;
  try {
    for await (const page of paginateListStackSetOperations(
      { client: retrying(cfn, clock), pageSize: 100 },
      { StackSetName: name },
    )) {
      for (const summary of page.Summaries ?? []) {
        if (!summary.OperationId) continue;
        if (!FINISHED_OPERATIONS.has(summary.Status ?? '')) finished = false;
        const at = summary.CreationTimestamp ? new Date(summary.CreationTimestamp).getTime() : Number.NaN;
        if (Number.isNaN(at)) {
          finished = false;
        } // an operation that cannot be ordered: no cache use
        else if (!newest || at > newest.at || (at === newest.at && summary.OperationId > newest.id)) {
          newest = { id: summary.OperationId, at };
        }
      }
    }
  } catch (error) {
    if (error instanceof StackSetNotFoundException) return undefined;
    throw error;
  }
  return { stamp: { stackSetId, ...(newest ? { operationId: newest.id } : {}), secrets }, finished };
}

/**
 * Reads stack sets through the cache: a stack set whose cached stamp still holds is its cached
 * state (with its fresh record); any other is read in full, and cached when its operations are
 * finished. `finish` saves once, when an entry was added, refreshed or dropped.
 */
async function cachedReader(
  clients: SnapshotClients,
  homeRegion: string,
  cache: StackSetStateCache,
  ids: ReadonlyMap<string, string>,
  secrets: string,
  clock: Clock,
) {
  const cfn = clients.cloudFormation(homeRegion);
  const loaded = await cache.load();
  const notes = loaded.note ? [loaded.note] : [];
  const next: Record<string, StackSetStateEntry> = {};
  let confirmed = 0;
  let fullReads = 0;
  let changed = false;
  const read = async (name: string, options: ReadStackSetOptions): Promise<StackSetState | undefined> => {
    const id = ids.get(name);
    // Read before the full read: an operation that starts during it makes the next stamp differ.
    const now = id === undefined ? undefined : await readStamp(cfn, name, id, secrets, clock);
    const entry = loaded.entries[name];
    if (now?.finished && entry && sameStamp(entry.stamp, now.stamp)) {
      confirmed++;
      next[name] = entry;
      return { ...entry.state, ...(options.record ? { record: options.record } : {}) };
    }
    fullReads++;
    const state = await readStackSet(clients, homeRegion, name, options, clock);
    if (now?.finished && state && state.id === now.stamp.stackSetId) {
      const { record: _record, ...cachedState } = state;
      next[name] = { stamp: now.stamp, state: cachedState };
      changed = true;
    } else if (entry) {
      changed = true;
    }
    return state;
  };
  const finish = async (): Promise<StateCacheReport> => {
    if (Object.keys(loaded.entries).some((name) => !(name in next))) changed = true;
    let saved = false;
    if (changed) {
      const sorted = Object.fromEntries(
        Object.keys(next)
          .sort()
          .map((name) => [name, next[name]]),
      );
      const result = await cache.save(sorted);
      saved = result.saved;
      if (result.note) notes.push(result.note);
    }
    return { location: cache.location, confirmed, read: fullReads, saved, notes };
  };
  return { read, finish };
}

/** What {@link refreshStackSetStates} reads again. */
export interface StackSetStateRefresh {
  readonly homeRegion: string;
  /** Stack sets whose steps have all finished. */
  readonly names: readonly string[];
  /** The SSM names the manifest reads (`ssmNamesOf`): the next plan shapes parameter values with them. */
  readonly ssmNames: readonly string[];
}

/**
 * After a run changed stack sets: reads each of `names` in full once (stamp first, as the
 * snapshot read does) and puts its state in the cache, so that the next plan confirms it with one
 * call instead of reading it again. A stack set that is gone, or has an operation that has not
 * finished, loses its entry. Saves once. Undefined without a fingerprint key (no cache use).
 */
export async function refreshStackSetStates(
  clients: SnapshotClients,
  request: StackSetStateRefresh,
  cache: StackSetStateCache,
  clock: Clock,
): Promise<StateCacheReport | undefined> {
  const fingerprinter = await readFingerprinter(clients, request.homeRegion, clock);
  if (!fingerprinter || request.names.length === 0) return undefined;
  const cfn = clients.cloudFormation(request.homeRegion);
  const wanted = new Set(request.names);
  const ids = new Map<string, string>();
  for await (const page of paginateListStackSets(
    { client: retrying(cfn, clock), pageSize: 100 },
    { Status: 'ACTIVE' },
  )) {
    for (const summary of page.Summaries ?? []) {
      if (summary.StackSetName && summary.StackSetId && wanted.has(summary.StackSetName)) {
        ids.set(summary.StackSetName, summary.StackSetId);
      }
    }
  }
  const secrets = new Set<string>();
  await readSsmValues(clients, request.homeRegion, request.ssmNames, clock, fingerprinter, secrets);
  const digest = secretsDigest(secrets, fingerprinter);
  const names = [...wanted].sort();
  const updates: Record<string, StackSetStateEntry | null> = {};
  await mapLimit(names, SNAPSHOT_CONCURRENCY, async (name) => {
    const id = ids.get(name);
    const now = id === undefined ? undefined : await readStamp(cfn, name, id, digest, clock);
    const state = now?.finished
      ? await readStackSet(clients, request.homeRegion, name, { secrets, fingerprinter }, clock)
      : undefined;
    updates[name] = now && state && state.id === now.stamp.stackSetId ? { stamp: now.stamp, state } : null;
  });
  return { ...(await mergeStackSetStates(cache, updates)), read: names.length };
}

/**
 * One stack set's cache entry, read now (stamp first, then the state), for a task that has just
 * finished the stack set's steps: the pipeline's outputs task. The StackSetId is the one
 * DescribeStackSet gives (no ListStackSets per task). A stack set deleted and created again
 * between the two reads is stamped with the new id and the old one's newest operation: the state
 * is the new one's, and a stamp that names an operation the new one does not have never holds
 * again, so the next plan reads it in full. Undefined without a fingerprint key, while an
 * operation has not finished, or when the stack set does not exist.
 */
export async function readStackSetStateEntry(
  clients: SnapshotClients,
  request: { readonly homeRegion: string; readonly name: string; readonly ssmNames: readonly string[] },
  clock: Clock,
): Promise<StackSetStateEntry | undefined> {
  const fingerprinter = await readFingerprinter(clients, request.homeRegion, clock);
  if (!fingerprinter) return undefined;
  const secrets = new Set<string>();
  await readSsmValues(clients, request.homeRegion, request.ssmNames, clock, fingerprinter, secrets);
  const cfn = clients.cloudFormation(request.homeRegion);
  const now = await readStamp(cfn, request.name, '', secretsDigest(secrets, fingerprinter), clock);
  if (!now?.finished) return undefined;
  const state = await readStackSet(clients, request.homeRegion, request.name, { secrets, fingerprinter }, clock);
  if (!state) return undefined;
  return { stamp: { ...now.stamp, stackSetId: state.id }, state };
}

/** How `readStackSet` treats secrets, and the stack set's record. */
export interface ReadStackSetOptions {
  /** Elements of the SecureString values read (in memory only): parameter values holding one keep only digests. */
  readonly secrets: ReadonlySet<string>;
  /** Keys the digests of those elements; without it they have none. */
  readonly fingerprinter?: Fingerprinter;
  readonly record?: StackSetRecord;
}

/** One stack set and its instances, or undefined when it does not exist. */
export async function readStackSet(
  clients: SnapshotClients,
  homeRegion: string,
  name: string,
  options: ReadStackSetOptions,
  clock: Clock,
): Promise<StackSetState | undefined> {
  const { secrets, fingerprinter, record } = options;
  const cfn = clients.cloudFormation(homeRegion);
  let described;
  try {
    described = (await retryThrottled(() => cfn.send(new DescribeStackSetCommand({ StackSetName: name })), clock))
      .StackSet;
  } catch (error) {
    if (error instanceof StackSetNotFoundException) return undefined;
    throw error;
  }
  if (!described || described.Status === 'DELETED') return undefined;
  const instances: StackInstanceState[] = [];
  for await (const page of paginateListStackInstances(
    { client: retrying(cfn, clock), pageSize: 100 },
    { StackSetName: name },
  )) {
    for (const summary of page.Summaries ?? []) {
      instances.push({
        account: summary.Account!,
        region: summary.Region!,
        status: (summary.Status ?? 'OUTDATED') as StackInstanceState['status'],
        ...(summary.StackInstanceStatus?.DetailedStatus
          ? { detailedStatus: summary.StackInstanceStatus.DetailedStatus }
          : {}),
        ...(summary.StatusReason ? { statusReason: summary.StatusReason } : {}),
      });
    }
  }
  const parsed = described.TemplateBody !== undefined ? parseTemplate(described.TemplateBody, name).value : undefined;
  return {
    name,
    id: described.StackSetId ?? name,
    ...(described.Description !== undefined ? { description: described.Description } : {}),
    ...(parsed !== undefined ? { templateHash: normaliseTemplate(parsed).hash } : {}),
    ...(described.TemplateBody !== undefined ? { templateBody: described.TemplateBody } : {}),
    parameters: (described.Parameters ?? []).map((p) => {
      const elements = (p.ParameterValue ?? '').split(',');
      if (!elements.some((e) => secrets.has(e))) {
        return { key: p.ParameterKey!, value: p.ParameterValue ?? '', elementHashes: elements.map(sha256) };
      }
      return {
        key: p.ParameterKey!,
        elementHashes: elements.map((e) =>
          secrets.has(e) ? (secretElementHashes(e, fingerprinter)[0] ?? '') : sha256(e),
        ),
      };
    }),
    tags: Object.fromEntries((described.Tags ?? []).map((t) => [t.Key!, t.Value ?? ''])),
    capabilities: described.Capabilities ?? [],
    ...(described.AdministrationRoleARN ? { administrationRoleArn: described.AdministrationRoleARN } : {}),
    ...(described.ExecutionRoleName ? { executionRoleName: described.ExecutionRoleName } : {}),
    ...(described.PermissionModel ? { permissionModel: described.PermissionModel } : {}),
    instances,
    ...(record ? { record } : {}),
  };
}

/**
 * SSM values by name; SecureString values are kept only as keyed digests (none without a
 * `fingerprinter`), and their elements are added to `secrets` (in memory, never recorded).
 */
export async function readSsmValues(
  clients: SnapshotClients,
  homeRegion: string,
  names: readonly string[],
  clock: Clock,
  fingerprinter?: Fingerprinter,
  secrets?: Set<string>,
): Promise<Record<string, SsmValue>> {
  const ssm = clients.ssm(homeRegion);
  const values: Record<string, SsmValue> = {};
  for (let i = 0; i < names.length; i += 10) {
    const batch = names.slice(i, i + 10);
    const result = await retryThrottled(
      () => ssm.send(new GetParametersCommand({ Names: batch, WithDecryption: true })),
      clock,
    );
    for (const p of result.Parameters ?? []) {
      const type = (p.Type ?? 'String') as SsmValue['type'];
      const value = p.Value ?? '';
      if (type === 'SecureString') value.split(',').forEach((e) => e && secrets?.add(e));
      values[p.Name!] = {
        name: p.Name!,
        type,
        ...(type === 'SecureString' ? {} : { value }),
        elementHashes: type === 'SecureString' ? secretElementHashes(value, fingerprinter) : elementHashes(value),
        version: p.Version ?? 0,
      };
    }
  }
  return values;
}
