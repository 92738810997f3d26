/**
 * Reads an `OrganizationSnapshot` from AWS Organizations: every list paginated (pages of 20),
 * each thing read once, API calls counted per operation.
 */
import {
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  OrganizationsClient,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
  paginateListPolicies,
  paginateListRoots,
  paginateListTagsForResource,
  paginateListTargetsForPolicy,
} from '@aws-sdk/client-organizations';
import type { AwsClients } from '../../aws/clients';
import { INSTALLATION_TAG } from '../plan';
import type { Clock } from '../retry';
import { retrying, systemClock } from '../retry';
import { readEnrolledOus } from './baselines';
import { createLimiter, settleAll, type Limiter } from '../concurrency';
import {
  AccountState,
  OrganizationSnapshot,
  POLICY_TYPES,
  PolicyType,
  SnapshotAccount,
  SnapshotCoverage,
  SnapshotOrganizationalUnit,
  SnapshotPolicy,
  SnapshotRoot,
} from './snapshot';
import { Fingerprinter, readFingerprinter } from '../stacksets/fingerprint';
import { readStackSetSnapshot, StackSetSnapshotOptions, StackSetSnapshotRequest } from '../stacksets/snapshot';
import type { StackSetStateCache, StateCacheReport } from '../stacksets/state-cache';

/** Organizations' maximum page size for list operations. */
export const ORGANIZATIONS_PAGE_SIZE = 20;

/** Options of `loadOrganizationSnapshot`. */
export interface LoadSnapshotOptions {
  /** Types whose policies are all read. @default both SERVICE_CONTROL_POLICY and RESOURCE_CONTROL_POLICY */
  readonly policyTypes?: readonly PolicyType[];
  /**
   * Further types read only when the installation owns a policy of them: their policies are
   * listed and the customer-managed ones' tags read (a page or two, and a call per policy), and
   * only when one carries the installation's tag is the type read whole (targets, documents).
   * @default - none
   */
  readonly ownedPolicyTypes?: { readonly installationId: string; readonly policyTypes: readonly PolicyType[] };
  /** Parallel requests; Organizations throttles early, so keep it small. @default 4 */
  readonly concurrency?: number;
  /** @default the system clock */
  readonly clock?: Clock;
  /** Also read the stack sets and SSM values a manifest needs. @default - not read */
  readonly stackSets?: StackSetSnapshotRequest;
  /**
   * Stack set states read before (with `stackSets`): a stack set nothing touched since is
   * confirmed with one ListStackSetOperations call instead of read in full; the snapshot is the
   * same. @default - every stack set is read in full
   */
  readonly stackSetStateCache?: StackSetStateCache;
}

/** A snapshot and the API calls it took, per operation (`ListAccountsForParent: 751`). */
export interface LoadedSnapshot {
  readonly snapshot: OrganizationSnapshot;
  readonly apiCalls: Readonly<Record<string, number>>;
  /**
   * The installation's fingerprinter (its key stays in the management account and out of the
   * snapshot), when stack sets were read and the key exists.
   */
  readonly fingerprinter?: Fingerprinter;
  /** How the stack set state cache was used, when one was given and the fingerprint key exists. */
  readonly stateCache?: StateCacheReport;
}

/**
 * Reads the whole organization: roots, OU tree, accounts, and policies with tags and targets.
 * The OU tree and the policies are read at once through one limit of `concurrency` Organizations
 * requests in flight (Organizations throttles early); the stack sets (CloudFormation and SSM,
 * other services and quotas) are read beside them.
 */
export async function loadOrganizationSnapshot(
  clients: AwsClients,
  options: LoadSnapshotOptions = {},
): Promise<LoadedSnapshot> {
  const clock = options.clock ?? systemClock;
  // Every call and every page is retried by the engine (the SDK client makes one attempt).
  const client = retrying(clients.organizations(), clock);
  const apiCalls: Record<string, number> = {};
  const count = (operation: string) => {
    apiCalls[operation] = (apiCalls[operation] ?? 0) + 1;
  };
  const reader: OrganizationsReader = {
    client,
    paging: { client, pageSize: ORGANIZATIONS_PAGE_SIZE },
    limit: createLimiter(options.concurrency ?? 4),
    count,
  };
  let stateCache: StateCacheReport | undefined;
  const cache = options.stackSetStateCache
    ? { cache: options.stackSetStateCache, onCacheReport: (r: StateCacheReport) => (stateCache = r) }
    : {};
  const readStackSetsAndKey = async () => {
    if (!options.stackSets) return {};
    const fingerprinter = await readFingerprinter(clients, options.stackSets.homeRegion, clock);
    const stackSets = await readStackSets(clients, options.stackSets, clock, fingerprinter, count, cache);
    return { fingerprinter, stackSets };
  };
  // The first failure stops the Organizations reads from starting anything more; what runs
  // already is waited for, so nothing still calls AWS once this returns or throws.
  const [organization, tree, policyRead, stackSetRead] = await settleAll(reader.limit, [
    reader.limit(async () => {
      count('DescribeOrganization');
      return (await client.send(new DescribeOrganizationCommand({}))).Organization;
    }),
    readTree(reader),
    readPolicies(reader, options),
    readStackSetsAndKey(),
  ]);
  const { fingerprinter, stackSets } = stackSetRead;

  const coverage: SnapshotCoverage = {
    policyTypes: policyRead.read,
    ...(policyRead.unowned.length
      ? {
          unownedPolicyTypes: {
            installationId: options.ownedPolicyTypes!.installationId,
            policyTypes: policyRead.unowned,
          },
        }
      : {}),
    ...(options.stackSets ? { stackSets: stackSetCoverage(options.stackSets) } : {}),
  };
  const snapshot: OrganizationSnapshot = {
    organizationId: organization?.Id ?? '',
    managementAccountId: organization?.MasterAccountId ?? '',
    takenAt: new Date(clock.now()).toISOString(),
    roots: tree.roots,
    organizationalUnits: tree.organizationalUnits,
    accounts: tree.accounts.sort((a, b) => a.id.localeCompare(b.id)),
    policies: policyRead.policies,
    ...(stackSets ? { stackSets } : {}),
    coverage,
  };
  return {
    snapshot,
    apiCalls,
    ...(fingerprinter ? { fingerprinter } : {}),
    ...(stateCache ? { stateCache } : {}),
  };
}

/** What the Organizations readers share: the client, one limit on requests in flight, the call count. */
interface OrganizationsReader {
  readonly client: OrganizationsClient;
  readonly paging: { readonly client: OrganizationsClient; readonly pageSize: number };
  readonly limit: Limiter;
  readonly count: (operation: string) => void;
}

/** Roots, then the OU tree level by level with the accounts of each parent. */
async function readTree(reader: OrganizationsReader): Promise<{
  roots: SnapshotRoot[];
  organizationalUnits: SnapshotOrganizationalUnit[];
  accounts: SnapshotAccount[];
}> {
  const { paging, limit, count } = reader;
  const roots: SnapshotRoot[] = await limit(async () => {
    const read: SnapshotRoot[] = [];
    for await (const page of paginateListRoots(paging, {})) {
      count('ListRoots');
      for (const root of page.Roots ?? []) {
        read.push({
          id: root.Id!,
          name: root.Name ?? 'Root',
          enabledPolicyTypes: (root.PolicyTypes ?? [])
            .filter((t) => t.Status === 'ENABLED' && isPolicyType(t.Type))
            .map((t) => t.Type as PolicyType),
        });
      }
    }
    return read;
  });

  const organizationalUnits: SnapshotOrganizationalUnit[] = [];
  const accounts: SnapshotAccount[] = [];
  const listOus = async (parentId: string) => {
    const ous: SnapshotOrganizationalUnit[] = [];
    for await (const page of paginateListOrganizationalUnitsForParent(paging, { ParentId: parentId })) {
      count('ListOrganizationalUnitsForParent');
      for (const ou of page.OrganizationalUnits ?? []) ous.push({ id: ou.Id!, name: ou.Name ?? '', parentId });
    }
    return ous;
  };
  const listAccounts = async (parentId: string) => {
    for await (const page of paginateListAccountsForParent(paging, { ParentId: parentId })) {
      count('ListAccountsForParent');
      for (const a of page.Accounts ?? []) {
        const state = accountState(a.State, a.Status);
        accounts.push({ id: a.Id!, name: a.Name ?? '', email: a.Email ?? '', parentId, state });
      }
    }
  };
  let level = roots.map((r) => r.id);
  while (level.length > 0) {
    const [children] = await Promise.all([
      Promise.all(level.map((parentId) => limit(() => listOus(parentId)))),
      Promise.all(level.map((parentId) => limit(() => listAccounts(parentId)))),
    ]);
    const next = children.flat();
    organizationalUnits.push(...next);
    level = next.map((ou) => ou.id);
  }
  return { roots, organizationalUnits, accounts };
}

/** The policies of each type read, with their targets, documents and tags. */
async function readPolicies(
  reader: OrganizationsReader,
  options: LoadSnapshotOptions,
): Promise<{ policies: SnapshotPolicy[]; read: PolicyType[]; unowned: PolicyType[] }> {
  const { client, paging, limit, count } = reader;
  const policies: SnapshotPolicy[] = [];
  const full = new Set(options.policyTypes ?? POLICY_TYPES);
  const checked = new Set((options.ownedPolicyTypes?.policyTypes ?? []).filter((t) => !full.has(t)));
  const read: PolicyType[] = [];
  const unowned: PolicyType[] = [];
  const readTags = async (id: string): Promise<Record<string, string>> => {
    const tags: Record<string, string> = {};
    for await (const page of paginateListTagsForResource({ client }, { ResourceId: id })) {
      count('ListTagsForResource');
      for (const tag of page.Tags ?? []) tags[tag.Key!] = tag.Value ?? '';
    }
    return tags;
  };
  for (const type of POLICY_TYPES.filter((t) => full.has(t) || checked.has(t))) {
    const summaries = await limit(async () => {
      const listed = [];
      for await (const page of paginateListPolicies(paging, { Filter: type })) {
        count('ListPolicies');
        listed.push(...(page.Policies ?? []));
      }
      return listed;
    });
    const knownTags = new Map<string, Record<string, string>>();
    if (!full.has(type)) {
      const customer = summaries.filter((p) => !(p.AwsManaged ?? false));
      const tagged = await Promise.all(customer.map((p) => limit(async () => [p.Id!, await readTags(p.Id!)] as const)));
      tagged.forEach(([id, tags]) => knownTags.set(id, tags));
      if (!tagged.some(([, tags]) => tags[INSTALLATION_TAG] === options.ownedPolicyTypes!.installationId)) {
        unowned.push(type);
        continue;
      }
    }
    read.push(type);
    const readPolicy = async (summary: (typeof summaries)[number]): Promise<SnapshotPolicy> => {
      const id = summary.Id!;
      const awsManaged = summary.AwsManaged ?? false;
      const targetIds = await listTargets(client, id, count);
      const described = { id, name: summary.Name ?? '', type, description: summary.Description ?? '', awsManaged };
      if (awsManaged) return { ...described, tags: {}, targetIds };
      count('DescribePolicy');
      const content = (await client.send(new DescribePolicyCommand({ PolicyId: id }))).Policy?.Content ?? '';
      const tags = knownTags.get(id) ?? (await readTags(id));
      return { ...described, content, tags, targetIds };
    };
    policies.push(...(await Promise.all(summaries.map((summary) => limit(() => readPolicy(summary))))));
  }
  return { policies, read, unowned };
}

/** The stack set snapshot, with the OUs Control Tower governs (what `Root` means for stack sets). */
async function readStackSets(
  clients: AwsClients,
  request: StackSetSnapshotRequest,
  clock: Clock,
  fingerprinter: Fingerprinter | undefined,
  count: (operation: string) => void,
  options: StackSetSnapshotOptions,
) {
  const stackSets = await readStackSetSnapshot(clients, request, clock, fingerprinter, options);
  const enrolled = await readEnrolledOus(clients, request.homeRegion, clock);
  for (let i = 0; i < enrolled.calls; i++) count('ListEnabledBaselines');
  return { ...stackSets, ...(enrolled.ous ? { enrolledOus: enrolled.ous } : {}) };
}

function stackSetCoverage(request: StackSetSnapshotRequest): NonNullable<SnapshotCoverage['stackSets']> {
  return {
    homeRegion: request.homeRegion,
    prefix: request.prefix,
    names: [...request.names],
    ssmNames: [...request.ssmNames],
  };
}

async function listTargets(
  client: OrganizationsClient,
  policyId: string,
  count: (op: string) => void,
): Promise<string[]> {
  const targetIds: string[] = [];
  for await (const page of paginateListTargetsForPolicy(
    { client, pageSize: ORGANIZATIONS_PAGE_SIZE },
    { PolicyId: policyId },
  )) {
    count('ListTargetsForPolicy');
    for (const target of page.Targets ?? []) targetIds.push(target.TargetId!);
  }
  return targetIds;
}

function isPolicyType(type: string | undefined): type is PolicyType {
  return (POLICY_TYPES as readonly (string | undefined)[]).includes(type);
}

/** `State` where the API returns it, else `Status` (whose values are a subset of `State`'s). */
export function accountState(state: string | undefined, status: string | undefined): AccountState {
  return (state ?? status ?? 'ACTIVE') as AccountState;
}
