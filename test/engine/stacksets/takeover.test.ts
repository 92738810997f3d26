import { accountIds, desired, HOME, manifest, MANAGEMENT, resource, StackSetWorld, template } from './env';
import { recordName } from '../../../src/engine/stacksets/fingerprint';
import { UPSTREAM_TAG_KEY, UPSTREAM_TAG_VALUE } from '../../../src/engine/stacksets/settings';

const STACK_SETS = 50;
const ACCOUNTS = accountIds(10);
const REGIONS = [HOME, 'eu-west-1', 'eu-central-1', 'ap-southeast-2'];
const mgmt = { accountId: MANAGEMENT, region: HOME };

/** An organization as upstream CfCT leaves it: its stack sets, tagged AWS_Solutions, no cfct tag. */
function upstreamInstallation(): StackSetWorld {
  const w = new StackSetWorld();
  w.setAccounts(ACCOUNTS);
  for (let i = 0; i < STACK_SETS; i++) {
    w.cfn.seedStackSet({
      name: `CustomControlTower-r${i}`,
      templateBody: template(`r${i}`, { parameters: ['Env'] }),
      parameters: [{ ParameterKey: 'Env', ParameterValue: 'prod' }],
      tags: { [UPSTREAM_TAG_KEY]: UPSTREAM_TAG_VALUE },
      instances: ACCOUNTS.flatMap((account) => REGIONS.map((region) => ({ account, region }))),
    });
    const set = w.cfn.stackSets.get(`CustomControlTower-r${i}`)!;
    set.administrationRoleArn = w.settings.administrationRoleArn;
    set.executionRoleName = w.settings.executionRoleName;
    set.capabilities = [...w.settings.capabilities];
  }
  return w;
}

function upstreamManifest(count = STACK_SETS) {
  const resources = Array.from({ length: count }, (_, i) =>
    resource(`r${i}`, { regions: REGIONS, parameters: [{ key: 'Env', value: 'prod' }] }),
  );
  return {
    m: manifest(resources),
    wanted: resources.map((r) => desired(r, template(r.name, { parameters: ['Env'] }), ACCOUNTS)),
  };
}

describe('taking over an upstream installation touches no member account', () => {
  test('unchanged template, parameters and targets: adoption costs zero stack set operations, only one ownership record per stack set', async () => {
    const w = upstreamInstallation();
    const { m, wanted } = upstreamManifest();
    const { plan, report } = await w.apply(m, wanted);
    expect(report.failed).toEqual([]);
    expect(plan.resources.every((r) => r.summary.adopt && r.steps.map((s) => s.kind).join() === 'stackset.adopt')).toBe(
      true,
    );
    expect(w.cfn.operations()).toEqual([]);
    for (const op of [
      'UpdateStackSet',
      'CreateStackInstances',
      'UpdateStackInstances',
      'DeleteStackInstances',
      'CreateStackSet',
    ]) {
      expect(w.fake.callCount('cloudformation', op)).toBe(0);
    }
    // One record per stack set, and the fingerprint key, created at the first apply.
    expect(w.fake.callCount('ssm', 'PutParameter')).toBe(STACK_SETS + 1);
    for (let i = 0; i < STACK_SETS; i++) {
      expect(JSON.parse(w.ssm.get(mgmt, recordName(`CustomControlTower-r${i}`))!.value)).toEqual({ owner: 'default' });
      expect(w.cfn.stackSets.get(`CustomControlTower-r${i}`)!.tags).toEqual([
        { Key: UPSTREAM_TAG_KEY, Value: UPSTREAM_TAG_VALUE },
      ]);
    }
    // The next run: owned, unchanged, no step at all.
    const again = await w.plan(m, wanted);
    expect(again.resources.flatMap((r) => r.steps)).toEqual([]);
    expect(again.resources.some((r) => r.summary.adopt)).toBe(false);
  });

  test('deletion stays gated on ownership: a never-adopted upstream stack set is left alone, an adopted one is deleted once it leaves the manifest', async () => {
    const w = upstreamInstallation();
    const { m, wanted } = upstreamManifest(2);
    await w.apply(m, wanted); // adopts r0 and r1 only
    const removed = manifest([wanted[0].resource], { enableStackSetDeletion: true });
    const { plan, report } = await w.apply(removed, [wanted[0]]);
    expect(report.failed).toEqual([]);
    expect(plan.removals.find((r) => r.summary.stackSetName === 'CustomControlTower-r1')!.summary.action).toBe(
      'delete',
    );
    expect(w.cfn.stackSets.get('CustomControlTower-r1')?.status ?? 'DELETED').toBe('DELETED');
    const untouched = plan.removals.find((r) => r.summary.stackSetName === 'CustomControlTower-r2')!;
    expect(untouched.steps).toEqual([]);
    expect(untouched.findings).toContainEqual(expect.objectContaining({ ruleId: 'CFCT-K040' }));
    expect(w.cfn.instancesOf('CustomControlTower-r2')).toHaveLength(ACCOUNTS.length * REGIONS.length);
  });

  test('fails to adopt for another installation: a record owned by someone else is foreign', async () => {
    const w = upstreamInstallation();
    w.ssm.seed(mgmt, recordName('CustomControlTower-r0'), JSON.stringify({ owner: 'other' }));
    const { m, wanted } = upstreamManifest(1);
    const { plan } = await w.apply(m, wanted);
    expect(plan.resources[0].steps).toEqual([]);
    expect(plan.findings).toContainEqual(expect.objectContaining({ ruleId: 'CFCT-K021', severity: 'error' }));
  });

  test('a changed parameter still updates an adopted stack set, which then records ownership itself', async () => {
    const w = upstreamInstallation();
    const r = resource('r0', { regions: REGIONS, parameters: [{ key: 'Env', value: 'dev' }] });
    const { plan, report } = await w.apply(manifest([r]), [
      desired(r, template('r0', { parameters: ['Env'] }), ACCOUNTS),
    ]);
    expect(report.failed).toEqual([]);
    expect(plan.resources[0].steps.map((s) => s.kind)).toEqual(['stackset.update']);
    expect(JSON.parse(w.ssm.get(mgmt, recordName('CustomControlTower-r0'))!.value)).toEqual({ owner: 'default' });
  });
});
