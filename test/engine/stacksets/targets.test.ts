import { desired, HOME, manifest, MANAGEMENT, resource, StackSetWorld, template } from './env';
import { loadOrganizationSnapshot } from '../../../src/engine/organization/load';
import { OrganizationIndex } from '../../../src/engine/organization/organization-index';
import { readStackSetSnapshot } from '../../../src/engine/stacksets';
import { CONTROL_TOWER_BASELINE_STACK_SET } from '../../../src/engine/stacksets/settings';
import { resolveStackSetTargets } from '../../../src/engine/stacksets/targets';
import { fakeAwsClients } from '../../fake/clients';
import { FakeControlTower } from '../../fake/controltower';
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
  const stackSets = await readStackSetSnapshot(
    w.clients,
    { homeRegion: HOME, names: [], prefix: w.settings.prefix, ssmNames: [] },
    w.fake.clock,
  );
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
    const resolved = resolveStackSetTargets(index, resource('r', { deploymentTargets: targets(['Root']) }), {
      baselineStackSetAccounts: stackSets.baselineAccounts,
    });
    expect(resolved.accounts).toEqual([enrolled]);
    expect(resolved.findings).toEqual([]);
  });

  test('Root means the direct ACTIVE accounts of OUs with an enabled AWSControlTowerBaseline, read live, before the baseline stack set', async () => {
    const w = new StackSetWorld();
    const controlTower = new FakeControlTower(w.fake);
    const aws = fakeAwsClients(w.fake, MANAGEMENT, HOME, controlTower);
    const org = new FakeOrganizations(w.fake, { managementAccountId: MANAGEMENT });
    const registered = org.addOu(org.rootId, 'Workloads');
    const nested = org.addOu(registered, 'Team');
    const unregistered = org.addOu(org.rootId, 'Sandbox');
    org.addAccount({ id: '200000000001', name: 'enrolled', parentId: registered });
    org.addAccount({ id: '200000000002', name: 'in-nested-unregistered', parentId: nested });
    org.addAccount({ id: '200000000003', name: 'sandbox', parentId: unregistered });
    org.addAccount({ id: '200000000004', name: 'suspended', parentId: registered, state: 'SUSPENDED' });
    controlTower.enable(HOME, `arn:aws:organizations::${MANAGEMENT}:ou/${org.organizationId}/${registered}`);
    controlTower.enable(HOME, `arn:aws:organizations::${MANAGEMENT}:ou/${org.organizationId}/${unregistered}`, {
      status: 'FAILED',
    });
    // The baseline stack set says otherwise: enabled baselines win.
    w.cfn.seedStackSet({
      name: CONTROL_TOWER_BASELINE_STACK_SET,
      templateBody: template('ct'),
      instances: [{ account: '200000000003', region: HOME }],
    });
    const request = { homeRegion: HOME, names: [], prefix: w.settings.prefix, ssmNames: [] };
    const { snapshot, apiCalls } = await loadOrganizationSnapshot(aws, { clock: w.fake.clock, stackSets: request });
    expect(apiCalls.ListEnabledBaselines).toBe(1);
    expect(snapshot.stackSets!.enrolledOus).toEqual([registered]);
    const index = new OrganizationIndex(snapshot);
    const resolved = resolveStackSetTargets(index, resource('r', { deploymentTargets: targets(['Root']) }), {
      enrolledOus: snapshot.stackSets!.enrolledOus,
      baselineStackSetAccounts: snapshot.stackSets!.baselineAccounts,
    });
    expect(resolved.accounts).toEqual(['200000000001']);
    expect(resolved.rootUnresolved).toBeUndefined();
    expect(resolved.findings).toEqual([]);
  });

  test('Root with neither source: every ACTIVE member account as candidates, flagged unresolved; exclude_accounts still applies', async () => {
    const { index, stackSets, enrolled, notEnrolled } = await setUp(false);
    expect(stackSets.baselineAccounts).toBeUndefined();
    const all = resolveStackSetTargets(
      index,
      resource('r', { deploymentTargets: targets(['Root'], ['enrolled']) }),
      {},
    );
    expect(all.accounts).toEqual([enrolled, notEnrolled]);
    expect(all.rootUnresolved).toEqual([notEnrolled]);
    expect(all.findings).toEqual([]);
    const excluded = resolveStackSetTargets(
      index,
      resource('r', { deploymentTargets: targets(['Root'], [], ['not-enrolled']) }),
      { enrolledOus: [index.accounts.get(enrolled)!.parentId] },
    );
    expect(excluded.accounts).toEqual([enrolled]);
  });

  test('root_accounts: all_active means every ACTIVE member account, with an info note, whatever Control Tower says', async () => {
    const { index, stackSets, enrolled, notEnrolled } = await setUp(true);
    const options = { baselineStackSetAccounts: stackSets.baselineAccounts, rootAccounts: 'all_active' as const };
    const all = resolveStackSetTargets(index, resource('r', { deploymentTargets: targets(['Root']) }), options);
    expect(all.accounts).toEqual([enrolled, notEnrolled]);
    expect(all.rootUnresolved).toBeUndefined();
    expect(all.findings).toEqual([expect.objectContaining({ ruleId: 'CFCT-K034', severity: 'info' })]);
  });

  test('an unknown OU is reported and recorded as unresolved (so deletions are refused)', async () => {
    const { index } = await setUp(false);
    const resolved = resolveStackSetTargets(
      index,
      resource('r', { deploymentTargets: targets(['Workloadz'], ['enrolled']) }),
      {},
    );
    expect(resolved.accounts).toEqual(['200000000001']);
    expect(resolved.unresolved).toEqual([{ value: 'Workloadz' }]);
    expect(resolved.findings.map((f) => f.ruleId)).toEqual(['CFCT-O002']);
  });
});

describe('Root when Control Tower cannot be read', () => {
  const rootTargets = {
    accounts: [],
    organizationalUnits: [{ value: 'Root' }],
    excludeAccounts: [],
    includeNestedOus: false,
  };
  const unresolvedRoot = (accounts: string[], candidates: string[]) => ({
    accounts,
    unresolved: [],
    findings: [],
    rootUnresolved: candidates,
  });

  test('fails when Root would create instances: no step at all, an error with a hint, nothing deployed', async () => {
    const w = new StackSetWorld();
    w.setAccounts(['200000000001', '200000000002']);
    const r = resource('r', { deploymentTargets: rootTargets });
    const wanted = [
      {
        ...desired(r, template('a'), []),
        targets: unresolvedRoot(['200000000001', '200000000002'], ['200000000001', '200000000002']),
      },
    ];
    const { plan, report } = await w.apply(manifest([r]), wanted);
    expect(plan.resources[0].steps).toEqual([]);
    const [error] = plan.findings.filter((f) => f.ruleId === 'CFCT-K090');
    expect(error).toMatchObject({ severity: 'error', resource: 'r' });
    expect(error.hint).toContain('root_accounts: all_active');
    expect(report.failed.map((f) => f.resource)).toEqual(['r']);
    expect(w.cfn.stackSets.has('CustomControlTower-r')).toBe(false);
  });

  test('an unchanged stack set whose Root instances all exist is planned as usual (nothing new, nothing deleted)', async () => {
    const w = new StackSetWorld();
    const accounts = ['200000000001', '200000000002'];
    w.setAccounts(accounts);
    const r = resource('r', { deploymentTargets: rootTargets });
    await w.apply(manifest([r]), [desired(r, template('a'), accounts)]);
    const plan = await w.plan(manifest([r]), [
      { ...desired(r, template('a'), []), targets: unresolvedRoot(accounts, accounts) },
    ]);
    expect(plan.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(plan.resources[0].steps).toEqual([]);
  });
});
