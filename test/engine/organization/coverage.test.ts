/**
 * A snapshot plans exactly as the live organization, or not at all: `snapshotForPlan` narrows a
 * snapshot to what a live read for the manifest returns, and refuses one that lacks part of it.
 */
import { snapshotForPlan, type SnapshotNeeds } from '../../../src/engine/organization/coverage';
import { loadOrganizationSnapshot } from '../../../src/engine/organization/load';
import type { OrganizationSnapshot } from '../../../src/engine/organization/snapshot';
import { policyDocument } from '../../fake/builders';
import { fakeOrganization } from '../helpers';

const needs = (
  over: Partial<SnapshotNeeds> = {},
  stackSets: Partial<SnapshotNeeds['stackSets']> = {},
): SnapshotNeeds => ({
  installationId: 'default',
  policyTypes: ['SERVICE_CONTROL_POLICY'],
  ...over,
  stackSets: {
    homeRegion: 'us-east-1',
    prefix: 'CustomControlTower-',
    names: ['CustomControlTower-a'],
    ssmNames: ['/x'],
    ...stackSets,
  },
});

const STACK_SETS = { homeRegion: 'us-east-1', stackSets: {}, ssm: {} };

async function snapshotWith(
  coverage: OrganizationSnapshot['coverage'],
  stackSets: OrganizationSnapshot['stackSets'] = STACK_SETS,
): Promise<OrganizationSnapshot> {
  const { clients, organizations } = fakeOrganization({
    enabledPolicyTypes: ['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY'],
  });
  organizations.addPolicy({
    name: 'mine',
    type: 'RESOURCE_CONTROL_POLICY',
    content: policyDocument('m'),
    tags: { 'cfct:installation': 'default' },
  });
  const { snapshot } = await loadOrganizationSnapshot(clients);
  const { coverage: _c, stackSets: _s, ...rest } = snapshot;
  return { ...rest, ...(stackSets ? { stackSets } : {}), ...(coverage ? { coverage } : {}) };
}

const ALL = ['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY'] as const;
const readFor = (stackSets: Partial<NonNullable<NonNullable<OrganizationSnapshot['coverage']>['stackSets']>> = {}) => ({
  policyTypes: [...ALL],
  stackSets: {
    homeRegion: 'us-east-1',
    prefix: 'CustomControlTower-',
    names: ['CustomControlTower-a'],
    ssmNames: ['/x'],
    ...stackSets,
  },
});

describe('snapshotForPlan', () => {
  test("narrows to what a live read returns: the manifest's types, owned types, the prefix's stack sets and the SSM values read", async () => {
    const snapshot = await snapshotWith(readFor({ names: [], ssmNames: ['/x', '/y'] }), {
      homeRegion: 'us-east-1',
      stackSets: {
        'CustomControlTower-a': { name: 'CustomControlTower-a' } as never,
        'Other-b': { name: 'Other-b' } as never,
      },
      ssm: { '/x': { name: '/x' } as never, '/y': { name: '/y' } as never },
    });
    const covered = snapshotForPlan(snapshot, needs());
    expect(covered.findings).toEqual([]);
    // the RCP type stays: this installation owns an RCP, whose detach the plan must see
    expect(new Set(covered.snapshot!.policies.map((p) => p.type))).toEqual(new Set(ALL));
    expect(Object.keys(covered.snapshot!.stackSets!.stackSets)).toEqual(['CustomControlTower-a']);
    expect(Object.keys(covered.snapshot!.stackSets!.ssm)).toEqual(['/x']);
    expect(covered.snapshot!.coverage).toEqual({ policyTypes: [...ALL], stackSets: needs().stackSets });

    // for another installation the RCPs are nobody's business: dropped, and recorded as checked
    const other = snapshotForPlan(snapshot, needs({ installationId: 'other' }));
    expect(other.snapshot!.policies.map((p) => p.type)).not.toContain('RESOURCE_CONTROL_POLICY');
    expect(other.snapshot!.coverage!.unownedPolicyTypes).toEqual({
      installationId: 'other',
      policyTypes: ['RESOURCE_CONTROL_POLICY'],
    });
  });

  test('fails when the snapshot has no stack set section (an old `org export` without --package)', async () => {
    const covered = snapshotForPlan(await snapshotWith(undefined, undefined), needs(), 'org.json');
    expect(covered.snapshot).toBeUndefined();
    expect(covered.findings).toEqual([
      expect.objectContaining({
        ruleId: 'CFCT-O010',
        severity: 'error',
        location: { file: 'org.json', path: 'stackSets' },
        hint: expect.stringContaining('cfct org export --package <this package>'),
      }),
    ]);
  });

  test("fails when the stack sets were read for another prefix, another region, or without the manifest's names and SSM values", async () => {
    const refused = async (read: Parameters<typeof readFor>[0], over: Partial<SnapshotNeeds['stackSets']> = {}) =>
      snapshotForPlan(await snapshotWith(readFor(read)), needs({}, over)).findings.map(
        (f) => `${f.ruleId} ${f.location?.path}: ${f.message}`,
      );
    expect(await refused({ prefix: 'Mine-' }, { prefix: 'Mine-', names: ['Mine-a'] })).toEqual([]);
    expect(await refused({ prefix: 'Other-' })).toEqual([
      'CFCT-O010 coverage.stackSets.prefix: the snapshot does not hold every stack set with the prefix CustomControlTower- (it lists the prefix Other-), which this plan reads',
    ]);
    expect(await refused({ prefix: 'Other-', names: [] })).toHaveLength(2);
    expect(await refused({ homeRegion: 'eu-west-1' })).toEqual([
      'CFCT-O010 coverage.stackSets.homeRegion: the snapshot does not hold the stack sets of the home region us-east-1 (it was read in eu-west-1), which this plan reads',
    ]);
    // a stack_set_name outside the prefix must have been read by name
    expect(await refused({}, { names: ['Custom-Name'] })).toEqual([
      'CFCT-O010 coverage.stackSets.names: the snapshot does not hold the stack set(s) Custom-Name, which this plan reads',
    ]);
    expect(await refused({ ssmNames: [] }, { ssmNames: ['/x', '/y'] })).toEqual([
      'CFCT-O010 coverage.stackSets.ssmNames: the snapshot does not hold the SSM parameter(s) /x, /y, which this plan reads',
    ]);
  });

  test('fails when a policy type was neither read nor checked for this installation', async () => {
    const scpOnly = { ...readFor(), policyTypes: ['SERVICE_CONTROL_POLICY' as const] };
    const refused = (snapshot: OrganizationSnapshot, n: SnapshotNeeds) =>
      snapshotForPlan(snapshot, n).findings.map((f) => f.message);
    expect(refused(await snapshotWith(scpOnly), needs())).toEqual([
      'the snapshot does not hold the RESOURCE_CONTROL_POLICY policies, so it cannot tell whether installation "default" owns one to detach, which this plan reads',
    ]);
    expect(refused(await snapshotWith(scpOnly), needs({ policyTypes: [...ALL] }))).toEqual([
      'the snapshot does not hold the RESOURCE_CONTROL_POLICY policies, which this plan reads',
    ]);
    const checked = {
      ...scpOnly,
      unownedPolicyTypes: { installationId: 'default', policyTypes: ['RESOURCE_CONTROL_POLICY' as const] },
    };
    expect(refused(await snapshotWith(checked), needs())).toEqual([]);
    expect(refused(await snapshotWith(checked), needs({ installationId: 'other' }))).toHaveLength(1);
  });
});

describe('reading a type the manifest does not use', () => {
  test("costs a ListPolicies page and a tag read per customer-managed policy, not the full-access policy's targets", async () => {
    const { clients, organizations } = fakeOrganization({
      enabledPolicyTypes: ['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY'],
    });
    for (let i = 0; i < 10; i++) {
      const ou = organizations.addOu(organizations.rootId, `OU${i}`);
      for (let j = 0; j < 20; j++) organizations.addAccount({ name: `A${i}-${j}`, parentId: ou });
    }
    organizations.addPolicy({ name: 'theirs', type: 'RESOURCE_CONTROL_POLICY', content: policyDocument('t') });
    const total = (calls: Readonly<Record<string, number>>) => Object.values(calls).reduce((a, b) => a + b, 0);
    const whole = await loadOrganizationSnapshot(clients);
    const checked = await loadOrganizationSnapshot(clients, {
      policyTypes: ['SERVICE_CONTROL_POLICY'],
      ownedPolicyTypes: { installationId: 'default', policyTypes: ['RESOURCE_CONTROL_POLICY'] },
    });
    // RCPFullAWSAccess is attached to 212 targets: 11 ListTargetsForPolicy pages a full read needs
    expect(total(whole.apiCalls) - total(checked.apiCalls)).toBe(11 + 1 + 1);
    expect(checked.apiCalls.ListPolicies).toBe(2);
  });
});
