/**
 * Stack set targets: the organization's target resolution plus `Root`'s stack set meaning
 * (reference behaviour §3): the accounts of Control Tower's baseline stack set where it exists,
 * else the accounts with an enabled Control Tower baseline, else every ACTIVE member account
 * with a warning. Never the management account.
 */
import { CONTROL_TOWER_BASELINE_STACK_SET } from './settings';
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
}

/** Where `Root`'s accounts came from. */
export interface ControlTowerAccounts {
  /** Accounts with an instance of the baseline stack set (from the stack set snapshot). */
  readonly baselineStackSetAccounts?: readonly string[];
  /** Accounts with an enabled Control Tower baseline, when those were read. */
  readonly enabledBaselineAccounts?: readonly string[];
}

/** Resolves a stack set resource's targets to ACTIVE account ids (Root's accounts first-class). */
export function resolveStackSetTargets(
  index: OrganizationIndex,
  resource: StackSetResource,
  controlTower: ControlTowerAccounts,
): ResolvedStackSetTargets {
  const resolved = resolveAccountTargets(index, resource.deploymentTargets, resource.name);
  const findings: Finding[] = [...resolved.findings, ...problemFindings(resolved.problems, { resource: resource.name, blocksRemoval: false })];
  const ids = new Set(resolved.accounts.map((a) => a.id));
  if (resolved.includesRoot) {
    const root = rootAccounts(index, controlTower, resource, findings);
    const excluded = new Set(resource.deploymentTargets.excludeAccounts.flatMap((e) => {
      const r = resolveAccount(index, e);
      return r.kind === 'account' ? [r.account.id] : [];
    }));
    for (const id of root) if (!excluded.has(id)) ids.add(id);
  }
  return { accounts: [...ids].sort(), unresolved: resolved.problems.map((p) => p.entry), findings };
}

/** Account state by id for planning: undefined for accounts no longer in the organization. */
export function accountStateOf(index: OrganizationIndex): (accountId: string) => AccountState | undefined {
  return (id) => index.accounts.get(id)?.state;
}

function rootAccounts(index: OrganizationIndex, controlTower: ControlTowerAccounts, resource: StackSetResource, findings: Finding[]): string[] {
  const active = (ids: readonly string[]) => ids.filter((id) => id !== index.managementAccountId && index.accounts.get(id)?.state === 'ACTIVE');
  if (controlTower.baselineStackSetAccounts) return active(controlTower.baselineStackSetAccounts);
  if (controlTower.enabledBaselineAccounts) return active(controlTower.enabledBaselineAccounts);
  findings.push(engineFinding('CFCT-K034', {
    message: `Root: neither the ${CONTROL_TOWER_BASELINE_STACK_SET} stack set nor Control Tower's enabled baselines could be read, so Root means every ACTIVE member account`,
    ...(resource.location ? { location: resource.location } : {}),
    hint: 'check that Control Tower is set up in the home region, or list OUs instead of Root',
    resource: resource.name,
  }));
  return activeMemberAccounts(index).map((a) => a.id);
}
