/**
 * Stack set rules no other scenario reaches: CFCT-K012 (a helper with nowhere to run), CFCT-K020
 * (service-managed stack sets), CFCT-K030 (a wanted INOPERABLE instance) and CFCT-K042 (a removed
 * stack set that keeps instances in suspended accounts). Through the real SDK clients and the fake.
 */
import { accountIds, desired, HOME, manifest, resource, StackSetWorld, template } from './env';

const ACCOUNTS = accountIds(3);

function world() {
  const w = new StackSetWorld();
  w.setAccounts(ACCOUNTS);
  return w;
}

describe('stack set rules', () => {
  test('fails when a key pair helper has no target account to run in: CFCT-K012 at its turn, nothing is created', async () => {
    const w = world();
    const r = resource('vm', {
      parameters: [
        {
          key: 'KeyName',
          value: '$[alfred_genkeypair]',
          ssmParameters: [
            { name: '/vm/keymaterial', value: '$[keymaterial]' },
            { name: '/vm/keyname', value: '$[keyname]' },
          ],
        },
      ],
    });
    const { report } = await w.apply(manifest([r]), [desired(r, template('vm', { parameters: ['KeyName'] }), [])]);
    const k012 = report.findings.filter((f) => f.ruleId === 'CFCT-K012');
    expect(k012).toEqual([expect.objectContaining({ severity: 'error', resource: 'vm' })]);
    expect(k012[0].message).toContain('parameter KeyName needs a target account and region to create its key pair in');
    expect(report.failed.map((f) => f.resource)).toEqual(['vm']);
    expect(w.ec2.keyPairs.size).toBe(0);
    expect(w.fake.callCount('cloudformation', 'CreateStackSet')).toBe(0);
  });

  test('fails when a resource asks for service-managed permissions: CFCT-K020, the stack set is not planned', async () => {
    const w = world();
    const r = resource('org-wide', { permissionModel: 'service_managed' });
    const plan = await w.plan(manifest([r]), [desired(r, template('a'), ACCOUNTS)]);
    expect(plan.resources[0].steps).toEqual([]);
    expect(plan.findings).toContainEqual(
      expect.objectContaining({ ruleId: 'CFCT-K020', severity: 'error', resource: 'org-wide' }),
    );
  });

  test('a wanted INOPERABLE instance is left out of every operation, with a CFCT-K030 warning', async () => {
    const w = world();
    const r = resource('baseline');
    await w.apply(manifest([r]), [desired(r, template('a'), ACCOUNTS)]);
    w.cfn.stackSets.get('CustomControlTower-baseline')!.instances.get(`${ACCOUNTS[0]}/${HOME}`)!.status = 'INOPERABLE';
    const before = w.cfn.operations().length;
    const { plan, report } = await w.apply(manifest([r]), [desired(r, template('b'), ACCOUNTS)]);
    expect(plan.findings).toContainEqual(
      expect.objectContaining({ ruleId: 'CFCT-K030', severity: 'warning', resource: 'baseline' }),
    );
    expect(plan.findings.find((f) => f.ruleId === 'CFCT-K030')!.message).toContain(`${ACCOUNTS[0]}/${HOME}`);
    expect(report.failed).toEqual([]);
    expect(
      plan.resources[0].steps.flatMap((s) => ('targets' in s && s.targets ? s.targets.accounts : [])),
    ).not.toContain(ACCOUNTS[0]);
    expect(w.operationsSince(before).map((o) => o.action)).toEqual(['UPDATE']);
    expect(w.cfn.instancesOf('CustomControlTower-baseline')).toEqual([
      `${ACCOUNTS[0]}/${HOME}:INOPERABLE`,
      `${ACCOUNTS[1]}/${HOME}:CURRENT`,
      `${ACCOUNTS[2]}/${HOME}:CURRENT`,
    ]);
  });

  test('a removed stack set with instances in a suspended account is not deleted this run: CFCT-K042, the other instances go', async () => {
    const w = world();
    const [gone, stays] = [resource('gone'), resource('stays')];
    await w.apply(manifest([gone, stays]), [
      desired(gone, template('g'), ACCOUNTS),
      desired(stays, template('s'), ACCOUNTS),
    ]);
    w.setAccounts([ACCOUNTS[0]], 'SUSPENDED');
    const { plan, report } = await w.apply(manifest([stays], { enableStackSetDeletion: true }), [
      desired(stays, template('s'), ACCOUNTS.slice(1)),
    ]);
    expect(plan.findings).toContainEqual(expect.objectContaining({ ruleId: 'CFCT-K042', severity: 'warning' }));
    expect(plan.removals[0].steps.map((s) => s.kind)).toEqual(['stackset.delete-instances']);
    expect(report.failed).toEqual([]);
    expect(w.fake.callCount('cloudformation', 'DeleteStackSet')).toBe(0);
    expect(w.cfn.stackSets.get('CustomControlTower-gone')!.status).toBe('ACTIVE');
    expect(w.cfn.instancesOf('CustomControlTower-gone')).toEqual([`${ACCOUNTS[0]}/${HOME}:CURRENT`]);
  });
});
