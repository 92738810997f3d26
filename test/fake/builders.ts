/**
 * Builders of fake organizations: a described one (`OrganizationSpec`), random ones for
 * property tests (`organizationSpecArbitrary`), and a large one for the benchmark.
 */
import * as fc from 'fast-check';
import { FakeAws } from './core';
import { FakeAccountState, FakeOrganizations, FakeOrganizationsOptions, FakePolicyType } from './organizations';

/** An organization to build: OUs and accounts refer to their parent by index (-1 = root). */
export interface OrganizationSpec {
  readonly ous: readonly { readonly name: string; readonly parent: number }[];
  readonly accounts: readonly { readonly name: string; readonly parent: number; readonly state: FakeAccountState }[];
  /** Policies that exist before the run. `tag` is the `cfct:installation` value, if any. */
  readonly policies: readonly {
    readonly name: string;
    readonly type: FakePolicyType;
    readonly tag?: string;
    /** Targets by index: -1 = root, 0..ous-1 = OUs, ous.. = accounts. */
    readonly targets: readonly number[];
  }[];
  readonly enabledPolicyTypes: readonly FakePolicyType[];
}

/** What `buildOrganization` made: the fake, its Organizations module, and the ids by spec index. */
export interface BuiltOrganization {
  readonly fake: FakeAws;
  readonly organizations: FakeOrganizations;
  readonly ouIds: readonly string[];
  readonly accountIds: readonly string[];
  readonly policyIds: readonly string[];
  /** The id of spec target index `i` (-1 = root). */
  targetId(index: number): string;
}

/** A policy document of about `size` characters, distinct per `seed`. */
export function policyDocument(seed: string, statements = 1): string {
  const statement = (i: number) => ({
    Sid: `Deny${seed.replace(/[^A-Za-z0-9]/g, '')}${i}`,
    Effect: 'Deny',
    Action: [`s3:Delete${i}*`],
    Resource: '*',
  });
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: Array.from({ length: statements }, (_, i) => statement(i)),
  });
}

/** Builds `spec` in a new fake. Quota breaches in `spec` policies are skipped (AWS would refuse them). */
export function buildOrganization(
  spec: OrganizationSpec,
  options: FakeOrganizationsOptions & { seed?: number } = {},
): BuiltOrganization {
  const fake = new FakeAws({ seed: options.seed ?? 7 });
  const organizations = new FakeOrganizations(fake, { ...options, enabledPolicyTypes: spec.enabledPolicyTypes });
  const ouIds: string[] = [];
  const parentId = (index: number) => (index < 0 ? organizations.rootId : ouIds[index]);
  for (const ou of spec.ous) ouIds.push(organizations.addOu(parentId(ou.parent), ou.name));
  const accountIds = spec.accounts.map((a) =>
    organizations.addAccount({ name: a.name, parentId: parentId(a.parent), state: a.state }),
  );
  const targetId = (index: number) =>
    index < 0 ? organizations.rootId : index < ouIds.length ? ouIds[index] : accountIds[index - ouIds.length];
  const policyIds: string[] = [];
  for (const p of spec.policies) {
    const id = organizations.addPolicy({
      name: p.name,
      type: p.type,
      content: policyDocument(p.name),
      description: `existing ${p.name}`,
      tags: p.tag ? { 'cfct:installation': p.tag } : {},
    });
    policyIds.push(id);
    if (!organizations.isTypeEnabled(p.type)) continue;
    for (const t of new Set(p.targets)) {
      try {
        organizations.addPolicyTarget(id, targetId(t));
      } catch {
        // a sixth policy on a target: AWS refuses it, so the generated organization has no such attachment
      }
    }
  }
  return { fake, organizations, ouIds, accountIds, policyIds, targetId };
}

const NAMES = ['Security', 'Sandbox', 'Workloads', 'Prod', 'Dev', 'Infrastructure', 'Suspended'];

/** Random organizations: up to 8 OUs nested up to depth 3, up to 10 accounts, up to 6 existing policies. */
export function organizationSpecArbitrary(): fc.Arbitrary<OrganizationSpec> {
  return fc
    .record({
      ouParents: fc.array(fc.nat(), { maxLength: 8 }),
      ouNames: fc.array(fc.constantFrom(...NAMES), { minLength: 8, maxLength: 8 }),
      accounts: fc.array(
        fc.record({
          parent: fc.nat(),
          state: fc.constantFrom<FakeAccountState>(
            'ACTIVE',
            'ACTIVE',
            'ACTIVE',
            'SUSPENDED',
            'PENDING_CLOSURE',
            'CLOSED',
          ),
        }),
        { maxLength: 10 },
      ),
      policies: fc.array(
        fc.record({
          name: fc.constantFrom('deny-root', 'deny-regions', 'protect-logs', 'rcp-guard', 'legacy'),
          type: fc.constantFrom<FakePolicyType>('SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY'),
          tag: fc.constantFrom<string | undefined>(undefined, 'default', 'other'),
          targets: fc.array(fc.integer({ min: -1, max: 17 }), { maxLength: 4 }),
        }),
        { maxLength: 6 },
      ),
      rcpEnabled: fc.boolean(),
    })
    .map(({ ouParents, ouNames, accounts, policies, rcpEnabled }) => {
      const depth: number[] = [];
      const ous = ouParents.map((p, i) => {
        // a parent among the earlier OUs (or the root), keeping nesting at most 3 deep
        let parent = i === 0 ? -1 : (p % (i + 1)) - 1;
        if (parent >= 0 && depth[parent] >= 3) parent = -1;
        depth.push(parent < 0 ? 1 : depth[parent] + 1);
        // OU names are unique among siblings in AWS
        return { name: `${ouNames[i]}${i}`, parent };
      });
      const total = ous.length + accounts.length;
      const seen = new Set<string>();
      return {
        ous,
        accounts: accounts.map((a, i) => ({
          name: `Account${i}`,
          parent: ous.length ? (a.parent % (ous.length + 1)) - 1 : -1,
          state: a.state,
        })),
        policies: policies
          .filter((p) => !seen.has(`${p.type}:${p.name}`) && seen.add(`${p.type}:${p.name}`))
          .map((p) => ({ ...p, targets: p.targets.filter((t) => t < total) })),
        enabledPolicyTypes: rcpEnabled
          ? ['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY']
          : ['SERVICE_CONTROL_POLICY'],
      } satisfies OrganizationSpec;
    });
}

/**
 * A large organization: `ouCount` OUs nested up to `maxDepth` levels (AWS allows 5), each
 * non-leaf OU with `ouCount^(1/depth)`-ish children, `accountCount` accounts spread evenly over
 * the OUs, and `policyCount` customer SCPs of which every tenth is attached to the root and the
 * others to one OU each (all tagged for the `default` installation).
 */
export function buildLargeOrganization(options: {
  accountCount: number;
  ouCount: number;
  policyCount: number;
  maxDepth?: number;
  seed?: number;
}): BuiltOrganization {
  const maxDepth = options.maxDepth ?? 5;
  const ous: { name: string; parent: number }[] = [];
  const depth: number[] = [];
  // breadth-first: 10 top-level OUs, then children under the earliest OU with room
  const fanout = Math.max(2, Math.ceil(Math.pow(options.ouCount, 1 / maxDepth)) + 1);
  for (let i = 0; i < options.ouCount; i++) {
    const parent = i < fanout ? -1 : Math.floor((i - fanout) / fanout);
    const d = parent < 0 ? 1 : depth[parent] + 1;
    const safeParent = d > maxDepth ? -1 : parent;
    depth.push(safeParent < 0 ? 1 : d);
    ous.push({ name: `OU${i}`, parent: safeParent });
  }
  const accounts = Array.from({ length: options.accountCount }, (_, i) => ({
    name: `Account${i}`,
    parent: i % options.ouCount,
    state: (i % 97 === 0 ? 'SUSPENDED' : 'ACTIVE') as FakeAccountState,
  }));
  const policies = Array.from({ length: options.policyCount }, (_, i) => ({
    name: `policy-${i}`,
    type: 'SERVICE_CONTROL_POLICY' as FakePolicyType,
    tag: 'default',
    targets: [i % 10 === 0 ? -1 : (i * 7) % options.ouCount],
  }));
  return buildOrganization(
    { ous, accounts, policies, enabledPolicyTypes: ['SERVICE_CONTROL_POLICY'] },
    { seed: options.seed },
  );
}
