import { HOME, MANAGEMENT, resource, StackSetWorld, template } from './env';
import { loadOrganizationSnapshot } from '../../../src/engine/organization/load';
import { OrganizationIndex } from '../../../src/engine/organization/organization-index';
import { CONTROL_TOWER_BASELINE_STACK_SET } from '../../../src/engine/stacksets/settings';
import { readStackSetSnapshot } from '../../../src/engine/stacksets/snapshot';
import { resolveStackSetTargets } from '../../../src/engine/stacksets/targets';
import { FakeOrganizations } from '../../fake/organizations';

async function setUp(withBaseline: boolean) {
  const w = new StackSetWorld();
  const org = new FakeOrganizations(w.fake, { managementAccountId: MANAGEMENT });
  const ou = org.addOu(org.rootId, 'Workloads');
  const enrolled = org.addAccount({ id: '200000000001', name: 'enrolled', parentId: ou });
  const notEnrolled = org.addAccount({ id: '200000000002', name: 'not-enrolled', parentId: ou });
  const suspended = org.addAccount({ id: '200000000003', name: 'suspended', parentId: ou, state: 'SUSPENDED' });
  if (withBaseline) {
    w.cfn.seedStackSet({
      name: CONTROL_TOWER_BASELINE_STACK_SET,
      templateBody: template('ct'),
      instances: [MANAGEMENT, enrolled, suspended].map((account) => ({ account, region: HOME })),
    });
  }
  const { snapshot } = await loadOrganizationSnapshot(w.aws, { clock: w.fake.clock });
  const stackSets = await readStackSetSnapshot(w.clients, { homeRegion: HOME, names: [], prefix: w.settings.prefix, ssmNames: [] }, w.fake.clock);
  return { index: new OrganizationIndex(snapshot), stackSets, enrolled, notEnrolled };
}

const targets = (ous: string[], accounts: string[] = [], exclude: string[] = []) => ({
  accounts: accounts.map((value) => ({ value })),
  organizationalUnits: ous.map((value) => ({ value })),
  excludeAccounts: exclude.map((value) => ({ value })),
  includeNestedOus: false,
});

describe('stack set targets', () => {
  test('Root means the ACTIVE accounts of the Control Tower baseline stack set, never the management account', async () => {
    const { index, stackSets, enrolled } = await setUp(true);
    expect(stackSets.baselineAccounts).toEqual([MANAGEMENT, '200000000001', '200000000003']);
    const resolved = resolveStackSetTargets(index, resource('r', { deploymentTargets: targets(['Root']) }), { baselineStackSetAccounts: stackSets.baselineAccounts });
    expect(resolved.accounts).toEqual([enrolled]);
    expect(resolved.findings).toEqual([]);
  });

  test('Root without the baseline stack set: every ACTIVE member account, with a warning; exclude_accounts still applies', async () => {
    const { index, stackSets, enrolled, notEnrolled } = await setUp(false);
    expect(stackSets.baselineAccounts).toBeUndefined();
    const all = resolveStackSetTargets(index, resource('r', { deploymentTargets: targets(['Root']) }), {});
    expect(all.accounts).toEqual([enrolled, notEnrolled]);
    expect(all.findings).toEqual([expect.objectContaining({ ruleId: 'CFCT-K034', severity: 'warning' })]);
    const excluded = resolveStackSetTargets(index, resource('r', { deploymentTargets: targets(['Root'], [], ['not-enrolled']) }), { enabledBaselineAccounts: [enrolled, notEnrolled] });
    expect(excluded.accounts).toEqual([enrolled]);
  });

  test('an unknown OU is reported and recorded as unresolved (so deletions are refused)', async () => {
    const { index } = await setUp(false);
    const resolved = resolveStackSetTargets(index, resource('r', { deploymentTargets: targets(['Workloadz'], ['enrolled']) }), {});
    expect(resolved.accounts).toEqual(['200000000001']);
    expect(resolved.unresolved).toEqual([{ value: 'Workloadz' }]);
    expect(resolved.findings.map((f) => f.ruleId)).toEqual(['CFCT-O002']);
  });
});
