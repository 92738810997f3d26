/**
 * Target resolution (reference-behaviour §3): manifest `deployment_targets` to roots, OUs and
 * accounts of the organization. Upstream syntax and meaning (`Root`, a top-level OU name, a
 * nested path `A:B:C`, direct child accounts, 12-digit ids, case-insensitive account names),
 * plus `ou-…` and `r-…` ids, account emails, `include_nested_ous` and `exclude_accounts`.
 *
 * Nothing is dropped silently: every entry that resolves to nothing is a `TargetProblem`; the
 * caller turns problems into findings with `problemFindings`, as errors when the plan would
 * otherwise remove something because of them.
 */
import type { OrganizationIndex, TargetKind } from './organization-index';
import type { AccountState, SnapshotAccount } from './snapshot';
import type { Finding } from '../../manifest/findings';
import type { DeploymentTargets, PolicyResource, TargetEntry } from '../../manifest/model';
import { didYouMean } from '../../manifest/suggest';
import { engineFinding } from '../rules';

/** An entry that resolves to nothing usable. */
export interface TargetProblem {
  readonly rule: 'CFCT-O002' | 'CFCT-O003' | 'CFCT-O004' | 'CFCT-O005';
  readonly entry: TargetEntry;
  readonly message: string;
  readonly hint?: string;
}

/** An OU entry resolved: a root, an OU, or a problem. */
export type OuResolution =
  { readonly kind: 'root' | 'ou'; readonly id: string } | { readonly kind: 'problem'; readonly problem: TargetProblem };

/** An account entry resolved: an account, or a problem. */
export type AccountResolution =
  | { readonly kind: 'account'; readonly account: SnapshotAccount }
  | { readonly kind: 'problem'; readonly problem: TargetProblem };

/** The literal upstream uses for the organization root. */
export const ROOT_ENTRY = 'Root';

/** States in which an account takes part in operations. */
export const ACTIVE_STATES: readonly AccountState[] = ['ACTIVE'];

/**
 * Resolves an `organizational_units` entry: `Root` (exact), an `r-` root id, an `ou-` id, a
 * nested path `A:B:C` (exact names per level from the top), or a bare name, which matches
 * top-level OUs only (a nested OU by bare name is a problem with a hint, where upstream
 * silently matched nothing).
 */
export function resolveOrganizationalUnit(index: OrganizationIndex, entry: TargetEntry): OuResolution {
  const value = entry.value;
  const problem = (rule: TargetProblem['rule'], message: string, hint?: string): OuResolution => ({
    kind: 'problem',
    problem: { rule, entry, message, hint },
  });
  if (value === ROOT_ENTRY) {
    const [root] = index.roots.values();
    return root ? { kind: 'root', id: root.id } : problem('CFCT-O002', 'the organization has no root in the snapshot');
  }
  if (/^r-[0-9a-z]{4,32}$/.test(value)) {
    return index.roots.has(value) ? { kind: 'root', id: value } : problem('CFCT-O002', `no root has the id ${value}`);
  }
  if (/^ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}$/.test(value)) {
    return index.ous.has(value) ? { kind: 'ou', id: value } : problem('CFCT-O002', `no OU has the id ${value}`);
  }
  const names = value.split(':');
  let parents = [...index.roots.keys()];
  for (const name of names) {
    const next = parents.flatMap((parent) =>
      index
        .childOus(parent)
        .filter((ou) => ou.name === name)
        .map((ou) => ou.id),
    );
    if (next.length === 0) {
      const nested = index.ousNamed(names[names.length - 1]).map((ou) => index.pathOf(ou.id));
      if (names.length === 1 && nested.length > 0) {
        return problem(
          'CFCT-O003',
          `OU "${value}" is not a top-level OU; a bare name matches top-level OUs only`,
          `write the nested path: ${nested.map((p) => `"${p}"`).join(' or ')}`,
        );
      }
      return problem(
        'CFCT-O002',
        `no OU matches "${value}"`,
        nested.length > 0
          ? `OUs with that name: ${nested.map((p) => `"${p}"`).join(', ')}`
          : (didYouMean(
              value,
              [...index.ous.keys()].map((id) => index.pathOf(id)),
            ) ?? 'OU names are case-sensitive; nested OUs are written A:B:C'),
      );
    }
    parents = next;
  }
  // Sibling OU names are unique in AWS, so a path names at most one OU per root.
  return { kind: 'ou', id: parents[0] };
}

/** Resolves an `accounts` entry: a 12-digit id, an email (contains `@`), or a name (case-insensitive, exact). */
export function resolveAccount(index: OrganizationIndex, entry: TargetEntry): AccountResolution {
  const value = entry.value.trim();
  let matches: readonly SnapshotAccount[];
  let what: string;
  if (/^\d{12}$/.test(value)) {
    const account = index.accounts.get(value);
    matches = account ? [account] : [];
    what = 'id';
  } else if (value.includes('@')) {
    matches = index.accountsWithEmail(value);
    what = 'email';
  } else {
    matches = index.accountsNamed(value);
    what = 'name';
  }
  if (matches.length === 1) return { kind: 'account', account: matches[0] };
  if (matches.length === 0) {
    const known = [...index.accounts.values()]
      .map((a) => (what === 'email' ? a.email : what === 'id' ? a.id : a.name))
      .filter((x): x is string => Boolean(x));
    const hint =
      /^\d+$/.test(value) && value.length < 12
        ? 'account ids have 12 digits; quote ids with leading zeros in YAML'
        : didYouMean(value, known);
    return {
      kind: 'problem',
      problem: { rule: 'CFCT-O004', entry, message: `no account of the organization has the ${what} "${value}"`, hint },
    };
  }
  return {
    kind: 'problem',
    problem: {
      rule: 'CFCT-O005',
      entry,
      message: `${matches.length} accounts have the ${what} "${value}": ${matches.map((a) => a.id).join(', ')}`,
      hint: 'name the account by its 12-digit id',
    },
  };
}

/** A root, OU or account a policy is attached to, and the entry that asked for it. */
export interface ResolvedTarget {
  readonly id: string;
  readonly kind: TargetKind;
  readonly entry: TargetEntry;
}

/** Targets of a policy resource. */
export interface PolicyTargets {
  /** Roots, OUs and (with `attach_to_accounts`) ACTIVE accounts, each once, in manifest order. */
  readonly targets: readonly ResolvedTarget[];
  /** Entries that resolved to nothing. */
  readonly problems: readonly TargetProblem[];
  /** Accounts left out because of their state. */
  readonly findings: readonly Finding[];
  /** Explicit accounts not ACTIVE: their attachments are neither added nor removed. */
  readonly leftOutAccountIds: readonly string[];
}

/**
 * Resolves a policy's targets. `Root` is the organization root itself; an OU is the OU itself
 * (policies are inherited down the tree); accounts count only with `attach_to_accounts: true`.
 */
export function resolvePolicyTargets(index: OrganizationIndex, resource: PolicyResource): PolicyTargets {
  const targets = new Map<string, ResolvedTarget>();
  const problems: TargetProblem[] = [];
  const findings: Finding[] = [];
  const leftOut: SnapshotAccount[] = [];
  for (const entry of resource.deploymentTargets.organizationalUnits) {
    const resolved = resolveOrganizationalUnit(index, entry);
    if (resolved.kind === 'problem') problems.push(resolved.problem);
    else if (!targets.has(resolved.id)) targets.set(resolved.id, { id: resolved.id, kind: resolved.kind, entry });
  }
  // Without attach_to_accounts, accounts are ignored (manifest validation reports it as CFCT-M014).
  const accounts = resource.attachToAccounts ? resource.deploymentTargets.accounts : [];
  for (const entry of accounts) {
    const resolved = resolveAccount(index, entry);
    if (resolved.kind === 'problem') {
      problems.push(resolved.problem);
    } else if (!ACTIVE_STATES.includes(resolved.account.state)) {
      leftOut.push(resolved.account);
    } else if (!targets.has(resolved.account.id)) {
      targets.set(resolved.account.id, { id: resolved.account.id, kind: 'account', entry });
    }
  }
  findings.push(...accountStateFindings(leftOut, resource.name));
  return { targets: [...targets.values()], problems, findings, leftOutAccountIds: leftOut.map((a) => a.id) };
}

/** Accounts a stack set resource deploys to. */
export interface AccountTargets {
  /** ACTIVE accounts covered by the entries, minus `exclude_accounts`, each once, sorted by id. */
  readonly accounts: readonly SnapshotAccount[];
  /** SUSPENDED, PENDING_CLOSURE and PENDING_ACTIVATION accounts covered: leave their instances alone. */
  readonly leftOut: readonly SnapshotAccount[];
  /** CLOSED accounts covered: their instances are removed with RetainStacks=true. */
  readonly closed: readonly SnapshotAccount[];
  /**
   * `Root` (or an `r-` id) was listed. For stack sets `Root` means the accounts Control Tower
   * governs, which needs CloudFormation; the stack set engine decides (see
   * `activeMemberAccounts` for the last-resort meaning). Root's accounts are not in `accounts`.
   */
  readonly includesRoot: boolean;
  readonly problems: readonly TargetProblem[];
  /** One finding per account left out or closed. */
  readonly findings: readonly Finding[];
}

/**
 * Resolves stack set targets to accounts: an OU covers its direct child accounts, or with
 * `include_nested_ous` every account below it; explicit accounts by id, name or email;
 * `exclude_accounts` removed last.
 */
export function resolveAccountTargets(
  index: OrganizationIndex,
  targets: DeploymentTargets,
  resource?: string,
): AccountTargets {
  const covered = new Map<string, SnapshotAccount>();
  const problems: TargetProblem[] = [];
  let includesRoot = false;
  for (const entry of targets.organizationalUnits) {
    const resolved = resolveOrganizationalUnit(index, entry);
    if (resolved.kind === 'problem') {
      problems.push(resolved.problem);
    } else if (resolved.kind === 'root') {
      includesRoot = true;
    } else {
      const accounts = targets.includeNestedOus
        ? index.descendantAccounts(resolved.id)
        : index.childAccounts(resolved.id);
      for (const account of accounts) covered.set(account.id, account);
    }
  }
  const legacyLeftOut: Finding[] = [];
  for (const entry of targets.accounts) {
    const resolved = resolveAccount(index, entry);
    if (resolved.kind === 'problem') {
      problems.push(resolved.problem);
    } else if (targets.accountsUnderTopLevelOusOnly && !underTopLevelOu(index, resolved.account)) {
      legacyLeftOut.push(legacyAccountFinding(index, resolved.account, entry, resource));
    } else {
      covered.set(resolved.account.id, resolved.account);
    }
  }
  for (const entry of targets.excludeAccounts) {
    const resolved = resolveAccount(index, entry);
    if (resolved.kind === 'problem') problems.push(resolved.problem);
    else covered.delete(resolved.account.id);
  }
  const all = [...covered.values()].sort((a, b) => a.id.localeCompare(b.id));
  const leftOut = all.filter((a) => a.state !== 'CLOSED' && !ACTIVE_STATES.includes(a.state));
  const closed = all.filter((a) => a.state === 'CLOSED');
  return {
    accounts: all.filter((a) => ACTIVE_STATES.includes(a.state)),
    leftOut,
    closed,
    includesRoot,
    problems,
    findings: [...legacyLeftOut, ...accountStateFindings([...leftOut, ...closed], resource)],
  };
}

/** Whether the account's parent is an OU directly under a root. */
function underTopLevelOu(index: OrganizationIndex, account: SnapshotAccount): boolean {
  const parent = index.ous.get(account.parentId);
  return parent !== undefined && index.roots.has(parent.parentId);
}

/** CFCT-K080: a legacy `deploy_to_account` entry left out, as upstream leaves it out. */
function legacyAccountFinding(
  index: OrganizationIndex,
  account: SnapshotAccount,
  entry: TargetEntry,
  resource: string | undefined,
): Finding {
  const where = index.roots.has(account.parentId)
    ? `at the root${account.id === index.managementAccountId ? ' (it is the management account)' : ''}`
    : `in the nested OU ${index.pathOf(account.parentId)}`;
  return engineFinding('CFCT-K080', {
    message: `account ${account.name} (${account.id}) sits ${where}, not directly under a top-level OU: a 2020-01-01 manifest gives it no instance, as upstream, so it is left out`,
    location: entry.location,
    hint: 'to deploy there, use a 2021-03-15 manifest (`cfct migrate`) and list it under deployment_targets.accounts',
    resource,
  });
}

/** Every ACTIVE account except the management account: `Root`'s meaning when nothing better can be read. */
export function activeMemberAccounts(index: OrganizationIndex): SnapshotAccount[] {
  return index.snapshot.accounts.filter((a) => ACTIVE_STATES.includes(a.state) && a.id !== index.managementAccountId);
}

/**
 * Findings for unresolved entries: warnings, or errors when `blocksRemoval` (the plan would
 * have detached or deleted something for this resource, and does not because of them).
 */
export function problemFindings(
  problems: readonly TargetProblem[],
  options: { resource?: string; blocksRemoval: boolean },
): Finding[] {
  const subject = options.resource ? `"${options.resource}"` : 'this resource';
  return problems.map((p) =>
    engineFinding(p.rule, {
      message: options.blocksRemoval ? `${p.message}; nothing is removed for ${subject} until it is fixed` : p.message,
      location: p.entry.location,
      hint: p.hint,
      resource: options.resource,
      severity: options.blocksRemoval ? 'error' : undefined,
    }),
  );
}

function accountStateFindings(accounts: readonly SnapshotAccount[], resource: string | undefined): Finding[] {
  return accounts.map((a) =>
    a.state === 'CLOSED'
      ? engineFinding('CFCT-O007', {
          message: `account ${a.name} (${a.id}) is CLOSED: it receives nothing, and what was deployed there is removed without touching the account`,
          resource,
        })
      : engineFinding('CFCT-O006', {
          message: `account ${a.name} (${a.id}) is ${a.state}: left out; nothing there is updated or removed`,
          resource,
        }),
  );
}
