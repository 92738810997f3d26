/**
 * Lookups over a snapshot, built once per plan: by id, by name, by email, by parent, by path,
 * and the policies attached to each target.
 */
import type {
  OrganizationSnapshot,
  PolicyType,
  SnapshotAccount,
  SnapshotOrganizationalUnit,
  SnapshotPolicy,
  SnapshotRoot,
} from './snapshot';

/** What a target id is. */
export type TargetKind = 'root' | 'ou' | 'account';

/** Indexed view of an `OrganizationSnapshot`. */
export class OrganizationIndex {
  readonly roots = new Map<string, SnapshotRoot>();
  readonly ous = new Map<string, SnapshotOrganizationalUnit>();
  readonly accounts = new Map<string, SnapshotAccount>();
  readonly policies = new Map<string, SnapshotPolicy>();
  private readonly ouChildren = new Map<string, SnapshotOrganizationalUnit[]>();
  private readonly accountChildren = new Map<string, SnapshotAccount[]>();
  private readonly accountsByName = new Map<string, SnapshotAccount[]>();
  private readonly accountsByEmail = new Map<string, SnapshotAccount[]>();
  private readonly attached = new Map<string, SnapshotPolicy[]>();

  constructor(readonly snapshot: OrganizationSnapshot) {
    for (const root of snapshot.roots) this.roots.set(root.id, root);
    for (const ou of snapshot.organizationalUnits) {
      this.ous.set(ou.id, ou);
      push(this.ouChildren, ou.parentId, ou);
    }
    for (const account of snapshot.accounts) {
      this.accounts.set(account.id, account);
      push(this.accountChildren, account.parentId, account);
      push(this.accountsByName, account.name.toLowerCase(), account);
      push(this.accountsByEmail, account.email.toLowerCase(), account);
    }
    for (const policy of snapshot.policies) {
      this.policies.set(policy.id, policy);
      for (const target of policy.targetIds) push(this.attached, target, policy);
    }
  }

  get managementAccountId(): string {
    return this.snapshot.managementAccountId;
  }

  /** OUs directly under a root or OU. */
  childOus(parentId: string): readonly SnapshotOrganizationalUnit[] {
    return this.ouChildren.get(parentId) ?? [];
  }

  /** Accounts directly under a root or OU. */
  childAccounts(parentId: string): readonly SnapshotAccount[] {
    return this.accountChildren.get(parentId) ?? [];
  }

  /** Accounts under a root or OU at any depth. */
  descendantAccounts(parentId: string): SnapshotAccount[] {
    const out = [...this.childAccounts(parentId)];
    for (const ou of this.childOus(parentId)) out.push(...this.descendantAccounts(ou.id));
    return out;
  }

  /** Accounts whose name equals `name`, case-insensitively. */
  accountsNamed(name: string): readonly SnapshotAccount[] {
    return this.accountsByName.get(name.toLowerCase()) ?? [];
  }

  /** Accounts whose email equals `email`, case-insensitively. */
  accountsWithEmail(email: string): readonly SnapshotAccount[] {
    return this.accountsByEmail.get(email.toLowerCase()) ?? [];
  }

  /** Every OU of any depth named exactly `name`. */
  ousNamed(name: string): SnapshotOrganizationalUnit[] {
    return this.snapshot.organizationalUnits.filter((ou) => ou.name === name);
  }

  /** The OU path `A:B:C` of an OU (names from the top level down). */
  pathOf(ouId: string): string {
    const names: string[] = [];
    for (let ou = this.ous.get(ouId); ou; ou = this.ous.get(ou.parentId)) names.unshift(ou.name);
    return names.join(':');
  }

  /** Policies of `type` attached to a target. */
  attachedPolicies(targetId: string, type: PolicyType): SnapshotPolicy[] {
    return (this.attached.get(targetId) ?? []).filter((p) => p.type === type);
  }

  /** Whether the id is a root, an OU or an account of the organization, or undefined. */
  kindOf(targetId: string): TargetKind | undefined {
    if (this.roots.has(targetId)) return 'root';
    if (this.ous.has(targetId)) return 'ou';
    if (this.accounts.has(targetId)) return 'account';
    return undefined;
  }

  /** A readable name of a target: `Root`, the OU path, or `name (id)` for accounts. */
  describe(targetId: string): string {
    const root = this.roots.get(targetId);
    if (root) return `Root (${root.id})`;
    if (this.ous.has(targetId)) return `${this.pathOf(targetId)} (${targetId})`;
    const account = this.accounts.get(targetId);
    return account ? `${account.name} (${account.id})` : targetId;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
