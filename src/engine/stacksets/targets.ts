/**
 * Stack set targets: the organization's target resolution plus `Root`'s stack set meaning
 * (reference behaviour §3): the accounts Control Tower governs, i.e. the direct ACTIVE child
 * accounts of the OUs with an enabled AWSControlTowerBaseline, else the accounts of Control
 * Tower's baseline stack set (older landing zones). When neither can be read, `Root` is
 * unresolved: the planner refuses any instance it would create for it (CFCT-K090), unless the
 * manifest says `root_accounts: all_active` (every ACTIVE member account). Never the management
 * account.
 */
import type { Finding } from '../../manifest/findings';
import type { StackSetResource, TargetEntry } from '../../manifest/model';
import type { OrganizationIndex } from '../organization/organization-index';
import { activeMemberAccounts, problemFindings, resolveAccount, resolveAccountTargets } from '../organization/resolve';
import type { AccountState } from '../organization/snapshot';
import { engineFinding } from '../rules';

/** A resource's deployment targets, resolved to accounts. */
export interface ResolvedStackSetTargets {
  /** ACTIVE target account ids, sorted; the first is where helpers and default exports run. */
  readonly accounts: readonly string[];
  /** Entries that matched nothing: instance deletions are refused while any exist (a typo must never delete). */
  readonly unresolved: readonly TargetEntry[];
  readonly findings: readonly Finding[];
  /**
   * Set when `Root` is a target but Control Tower's enrolment could not be read: the accounts
   * (among `accounts`) that only `Root` would add. No instance is created in them (CFCT-K090).
   */
  readonly rootUnresolved?: readonly string[];
}

/** Where `Root`'s accounts came from. */
export interface ControlTowerAccounts {
  /** Accounts with an instance of the baseline stack set (from the stack set snapshot). */
  readonly baselineStackSetAccounts?: readonly string[];
  /** OUs with an enabled AWSControlTowerBaseline, when those were read. */
  readonly enrolledOus?: readonly string[];
  /** The manifest's `root_accounts`. @default 'enrolled' */
  readonly rootAccounts?: 'enrolled' | 'all_active';
}

/** Resolves a stack set resource's targets to ACTIVE account ids (Root's accounts first-class). */
export function resolveStackSetTargets(
  index: OrganizationIndex,
  resource: StackSetResource,
  controlTower: ControlTowerAccounts,
): ResolvedStackSetTargets {
  const resolved = resolveAccountTargets(index, resource.deploymentTargets, resource.name);
  const findings: Finding[] = [
    ...resolved.findings,
    ...problemFindings(resolved.problems, { resource: resource.name, blocksRemoval: false }),
  ];
  const ids = new Set(resolved.accounts.map((a) => a.id));
  let rootUnresolved: string[] | undefined;
  if (resolved.includesRoot) {
    const root = rootAccounts(index, controlTower, resource, findings);
    const excluded = new Set(
      resource.deploymentTargets.excludeAccounts.flatMap((e) => {
        const r = resolveAccount(index, e);
        return r.kind === 'account' ? [r.account.id] : [];
      }),
    );
    const candidates = root.accounts.filter((id) => !excluded.has(id));
    if (!root.known) rootUnresolved = candidates.filter((id) => !ids.has(id)).sort();
    for (const id of candidates) ids.add(id);
  }
  return {
    accounts: [...ids].sort(),
    unresolved: resolved.problems.map((p) => p.entry),
    findings,
    ...(rootUnresolved ? { rootUnresolved } : {}),
  };
}

/** Account state by id for planning: undefined for accounts no longer in the organization. */
export function accountStateOf(index: OrganizationIndex): (accountId: string) => AccountState | undefined {
  return (id) => index.accounts.get(id)?.state;
}

/** Root's accounts; `known: false` when Control Tower's enrolment could not be read (then every ACTIVE member account, as candidates). */
function rootAccounts(
  index: OrganizationIndex,
  controlTower: ControlTowerAccounts,
  resource: StackSetResource,
  findings: Finding[],
): { accounts: string[]; known: boolean } {
  const active = (ids: Iterable<string>) =>
    [...ids].filter((id) => id !== index.managementAccountId && index.accounts.get(id)?.state === 'ACTIVE');
  if (controlTower.rootAccounts === 'all_active') {
    findings.push(
      engineFinding('CFCT-K034', {
        message:
          'Root means every ACTIVE member account (root_accounts: all_active), whether Control Tower governs it or not',
        ...(resource.location ? { location: resource.location } : {}),
        resource: resource.name,
      }),
    );
    return { accounts: activeMemberAccounts(index).map((a) => a.id), known: true };
  }
  if (controlTower.enrolledOus) {
    const ous = new Set(controlTower.enrolledOus);
    return {
      accounts: active([...index.accounts.values()].filter((a) => ous.has(a.parentId)).map((a) => a.id)),
      known: true,
    };
  }
  if (controlTower.baselineStackSetAccounts) {
    return { accounts: active(controlTower.baselineStackSetAccounts), known: true };
  }
  return { accounts: activeMemberAccounts(index).map((a) => a.id), known: false };
}
