/**
 * Property: for random organizations and manifests, applying the plan and planning again gives
 * an empty plan, also under injected throttling and conflicts and with EnablePolicyType staying
 * PENDING_ENABLE for a few reads; and nothing this installation does not own is ever changed,
 * detached or deleted. The plan reads policies as a run does (the manifest's types whole, the
 * others only where the installation owns a policy); the check reads every type whole, so an
 * owned policy of a type the manifest no longer uses cannot stay attached unseen.
 */
import * as fc from 'fast-check';
import { loadOrganizationSnapshot } from '../../../src/engine/organization/load';
import { POLICY_TYPES } from '../../../src/engine/organization/snapshot';
import { INSTALLATION_TAG } from '../../../src/engine/plan';
import { applyPolicyPlan, createPolicyPlan } from '../../../src/engine/policies';
import { policyTypesOf } from '../../../src/engine/run';
import { hasErrors } from '../../../src/manifest/findings';
import type { PolicyResource } from '../../../src/manifest/model';
import { buildOrganization, OrganizationSpec, organizationSpecArbitrary, policyDocument } from '../../fake/builders';
import { fakeAwsClients } from '../../fake/clients';
import { concurrentModification, throttling } from '../../fake/organizations';
import { manifestOf, memoryFiles, policyResource } from '../helpers';

/** A manifest resource drawn against a spec: targets name OUs (bare, path, id), Root, accounts, or nothing real. */
interface ResourceDraw {
  readonly name: string;
  readonly type: 'scp' | 'rcp';
  readonly ous: readonly number[];
  readonly accounts: readonly number[];
  readonly attachToAccounts: boolean;
  readonly content: number;
}

const resourceArbitrary = fc.record({
  name: fc.constantFrom('deny-root', 'deny-regions', 'protect-logs', 'rcp-guard', 'legacy', 'new-one'),
  type: fc.constantFrom<'scp' | 'rcp'>('scp', 'rcp'),
  ous: fc.array(fc.integer({ min: -2, max: 9 }), { maxLength: 3 }),
  accounts: fc.array(fc.integer({ min: -1, max: 11 }), { maxLength: 2 }),
  attachToAccounts: fc.boolean(),
  content: fc.nat(2),
});

const scenario: fc.Arbitrary<Scenario> = fc.record({
  spec: organizationSpecArbitrary(),
  resources: fc.array(resourceArbitrary, { maxLength: 5 }),
  enablePolicyDeletion: fc.boolean(),
  installationId: fc.constantFrom('default', 'default', 'other'),
  seed: fc.nat(1000),
  pendingEnableReads: fc.integer({ min: 0, max: 3 }),
});

/** The OU entry for spec OU `i`: path, bare name, or id; -1 = Root; others = a name that does not exist. */
function ouEntry(spec: OrganizationSpec, ouIds: readonly string[], i: number): string {
  if (i === -1) return 'Root';
  if (i < 0 || i >= spec.ous.length) return 'Ghost';
  if (i % 3 === 0) return ouIds[i];
  const names: string[] = [];
  for (let j = i; j >= 0; j = spec.ous[j].parent) names.unshift(spec.ous[j].name);
  return names.join(':');
}

/** One generated case. */
interface Scenario {
  readonly spec: OrganizationSpec;
  readonly resources: readonly ResourceDraw[];
  readonly enablePolicyDeletion: boolean;
  readonly installationId: string;
  readonly seed: number;
  readonly pendingEnableReads: number;
}

/** How many cases applied a non-empty plan, and how many were refused: the property must exercise both. */
const stats = { applied: 0, refused: 0, faults: 0, pending: 0, otherTypes: 0 };

async function run(input: Scenario, faults: boolean): Promise<void> {
  const { spec, resources, enablePolicyDeletion, installationId, seed, pendingEnableReads } = input;
  const built = buildOrganization(spec, { seed, pendingEnableReads });
  const { fake, organizations } = built;
  const clients = fakeAwsClients(fake, organizations.managementAccountId);
  const seen = new Set<string>();
  const drawn = resources.filter((r) => !seen.has(`${r.type}:${r.name}`) && seen.add(`${r.type}:${r.name}`));
  const manifestResources: PolicyResource[] = drawn.map((r) =>
    policyResource(r.name, {
      type: r.type,
      ous: r.ous.map((i) => ouEntry(spec, built.ouIds, i)),
      accounts: r.accounts.map((i) => (i < 0 || i >= spec.accounts.length ? 'Nobody' : spec.accounts[i].name)),
      attachToAccounts: r.attachToAccounts,
    }),
  );
  const files = memoryFiles(
    Object.fromEntries(drawn.map((r) => [`policies/${r.name}.json`, policyDocument(`${r.name}${r.content}`)])),
  );
  const manifest = manifestOf(manifestResources, { enablePolicyDeletion });

  // what this installation does not own (and will not adopt) must never change
  const adoptable = (p: { name: string; type: string; tags: Record<string, string> }) =>
    installationId === 'default' &&
    p.tags[INSTALLATION_TAG] === undefined &&
    drawn.some((r) => r.name === p.name && (r.type === 'scp') === (p.type === 'SERVICE_CONTROL_POLICY'));
  const foreign = organizations
    .allPolicies()
    .filter((p) => p.awsManaged || (p.tags[INSTALLATION_TAG] !== installationId && !adoptable(p)))
    .map((p) => ({ ...p, targets: organizations.targetsOf(p.id).sort() }));

  const whole = policyTypesOf(manifest);
  const others = POLICY_TYPES.filter((t) => !whole.includes(t));
  const asRun = async () =>
    (
      await loadOrganizationSnapshot(clients, {
        policyTypes: whole,
        ownedPolicyTypes: { installationId, policyTypes: others },
      })
    ).snapshot;
  const plan = async () =>
    createPolicyPlan({ manifest, files, snapshot: (await loadOrganizationSnapshot(clients)).snapshot, installationId });
  const first = createPolicyPlan({ manifest, files, snapshot: await asRun(), installationId });
  if (first.steps.some((s) => s.kind === 'policy.enable-type') && pendingEnableReads > 0) stats.pending++;
  if (first.steps.some((s) => s.kind === 'policy.detach' && !whole.includes(s.policy.type))) stats.otherTypes++;
  if (faults) {
    fake.injectFault({ service: 'organizations', rate: 0.1, error: throttling });
    fake.injectFault({ service: 'organizations', rate: 0.1, error: concurrentModification });
  }
  const result = await applyPolicyPlan(first, { clients, clock: fake.clock, random: () => fake.rng.next() });
  fake.clearFaults();

  stats.faults += fake.calls.filter(
    (c) => c.error === 'TooManyRequestsException' || c.error === 'ConcurrentModificationException',
  ).length;
  if (hasErrors(first.findings)) {
    stats.refused++;
    expect(result.refused).toBeDefined();
  } else {
    if (first.steps.length > 0) stats.applied++;
    expect(result.failed).toBeUndefined();
    const second = await plan();
    expect(second.steps).toEqual([]);
  }
  for (const before of foreign) {
    const after = organizations.policy(before.id);
    expect(after).toBeDefined();
    expect({ ...after, targets: organizations.targetsOf(before.id).sort() }).toEqual(before);
  }
}

describe('policy plan convergence (property)', () => {
  test('apply(plan) then plan again is empty; foreign policies untouched', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, (s) => run(s, false)),
      { numRuns: 50, seed: 20261127 },
    );
    expect(stats.applied).toBeGreaterThan(20);
    expect(stats.refused).toBeGreaterThan(0);
    expect(stats.pending).toBeGreaterThan(0);
    expect(stats.otherTypes).toBeGreaterThan(0);
  });

  test('the same with 10% throttling and 10% conflicts injected on every Organizations call', async () => {
    stats.faults = 0;
    stats.pending = 0;
    await fc.assert(
      fc.asyncProperty(scenario, (s) => run(s, true)),
      { numRuns: 50, seed: 4242 },
    );
    expect(stats.faults).toBeGreaterThan(20);
    expect(stats.pending).toBeGreaterThan(0);
  });
});
