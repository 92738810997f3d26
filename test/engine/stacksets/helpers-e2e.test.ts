import { accountIds, desired, HOME, manifest, MANAGEMENT, resource, StackSetWorld, template } from './env';
import { prepareStackSet } from '../../../src/engine/stacksets';
import { recordName } from '../../../src/engine/stacksets/fingerprint';
import { NOECHO_TAG_KEY } from '../../../src/engine/stacksets/settings';

const ACCOUNTS = accountIds(2);
const mgmt = { accountId: MANAGEMENT, region: HOME };

function helperResource() {
  return resource('db', {
    regions: ['eu-west-1', HOME],
    lintSuppressions: [{ ruleId: 'CFCT-M070', reason: 'the token is a test fixture' }],
    parameters: [
      {
        key: 'DbPassword',
        value: '$[alfred_genpass_16]',
        ssmParameters: [{ name: '/db/password', value: '$[password]' }],
      },
      {
        key: 'KeyName',
        value: '$[alfred_genkeypair]',
        ssmParameters: [
          { name: '/db/keyname', value: '$[keyname]' },
          { name: '/db/keymaterial', value: '$[keymaterial]' },
          { name: '/db/keyfingerprint', value: '$[keyfingerprint]' },
        ],
      },
      { key: 'Azs', value: '$[alfred_genaz_3]', ssmParameters: [{ name: '/db/azs', value: '$[az]' }] },
      { key: 'OrgId', value: '$[alfred_ssm_/org/id]' },
      { key: 'Token', value: '$[alfred_ssm_/org/token],extra' },
    ],
  });
}

function world(): StackSetWorld {
  const w = new StackSetWorld({ settings: { secretsKmsKeyId: 'alias/cfct' } });
  w.setAccounts(ACCOUNTS);
  w.ssm.seed(mgmt, '/org/id', 'o-abc123');
  w.ssm.seed(mgmt, '/org/token', 'tok-SECRET-9f8e7d', 'SecureString');
  return w;
}

const dbTemplate = template('db', { parameters: ['KeyName', 'Azs', 'OrgId', 'Token'], noEcho: ['DbPassword'] });

describe('parameter helpers end to end', () => {
  test('generates, stores and reuses values; key pairs and zones come from the first target account through STS; no secret in any plan or payload', async () => {
    const w = world();
    const r = helperResource();
    const m = manifest([r]);
    const wanted = [desired(r, dbTemplate, ACCOUNTS)];

    const plan = await w.plan(m, wanted);
    expect(plan.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(plan.resources[0].summary.knownAfterApply).toEqual([
      'DbPassword: generated password of 16 characters, stored in /db/password',
      'KeyName: generated EC2 key pair name, stored in /db/keyname',
      'Azs: 3 availability zones, stored in /db/azs',
    ]);

    const context = {
      clients: w.clients,
      settings: w.settings,
      homeRegion: HOME,
      runId: 'run-helpers',
      clock: w.fake.clock,
      accountState: (id: string) => w.accountStates.get(id),
    };
    const replanned = await prepareStackSet(wanted[0], context);
    expect(replanned.summary.knownAfterApply).toEqual([]);
    const { report } = await w.apply(m, wanted);
    expect(report.failed).toEqual([]);

    const password = w.ssm.get(mgmt, '/db/password')!;
    expect(password).toMatchObject({ type: 'SecureString', keyId: 'alias/cfct' });
    expect(password.value).toMatch(/^[A-Za-z0-9]{16}$/);
    const keyMaterial = w.ssm.get(mgmt, '/db/keymaterial')!;
    expect(keyMaterial.type).toBe('SecureString');
    expect(w.ssm.get(mgmt, '/db/keyname')!.value).toBe('CustomControlTower-db-KeyName');
    expect(w.ssm.get(mgmt, '/db/keyfingerprint')!.value).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2})+$/);
    expect([...w.ec2.keyPairs.keys()]).toEqual([`${ACCOUNTS[0]}/eu-west-1/CustomControlTower-db-KeyName`]);
    expect(w.sts.assumed).toContain(`arn:aws:iam::${ACCOUNTS[0]}:role/AWSControlTowerExecution`);
    expect(w.ssm.get(mgmt, '/db/azs')!.value).toBe('eu-west-1a,eu-west-1b,eu-west-1c');
    expect(w.cfn.parametersOf('CustomControlTower-db')).toEqual({
      DbPassword: password.value,
      KeyName: 'CustomControlTower-db-KeyName',
      Azs: 'eu-west-1a,eu-west-1b,eu-west-1c',
      OrgId: 'o-abc123',
      Token: 'tok-SECRET-9f8e7d,extra',
    });

    // Secrets appear in no plan, step payload or report.
    const payloads = JSON.stringify({ plan, replanned, report, again: await w.plan(m, wanted) });
    for (const secret of [password.value, keyMaterial.value, 'tok-SECRET-9f8e7d']) {
      expect(payloads).not.toContain(secret);
    }
    expect(payloads).toContain('"secureSsm":"/db/password"');

    // Reused on the next run: nothing changes, the NoEcho fingerprint matches.
    const ops = w.cfn.operations().length;
    const second = await w.apply(m, wanted);
    expect(second.plan.resources[0].steps).toEqual([]);
    expect(w.cfn.operations().length).toBe(ops);
    expect(w.ssm.get(mgmt, '/db/password')!.version).toBe(1);
  });

  test('a NoEcho value changed outside (rotated in SSM) is detected through the recorded fingerprint', async () => {
    const w = world();
    const r = helperResource();
    const wanted = [desired(r, dbTemplate, ACCOUNTS)];
    await w.apply(manifest([r]), wanted);
    // The fingerprint is in the management account's record, not in a tag that reaches member accounts.
    expect(w.cfn.stackSets.get('CustomControlTower-db')!.tags.map((t) => t.Key)).not.toContain(NOECHO_TAG_KEY);
    expect(JSON.parse(w.ssm.get(mgmt, recordName('CustomControlTower-db'))!.value).noEcho).toMatch(/^[0-9a-f]{64}$/);
    w.ssm.seed(mgmt, '/db/password', 'Rotated-Password-1', 'SecureString');
    const { plan } = await w.apply(manifest([r]), wanted);
    expect(plan.resources[0].summary.parameterChanges).toEqual([
      { key: 'DbPassword', change: 'changed', from: '(secret)', to: '(secret)' },
    ]);
    expect(plan.resources[0].steps.map((s) => s.kind)).toEqual(['stackset.update']);
    expect(w.cfn.parametersOf('CustomControlTower-db').DbPassword).toBe('Rotated-Password-1');
    expect(JSON.stringify(plan)).not.toContain('Rotated-Password-1');
  });

  test('fails with findings, not exceptions, when zones are too few or the role cannot be assumed', async () => {
    const w = world();
    w.ec2.zones.set('eu-west-1', [
      { name: 'eu-west-1a', state: 'available' },
      { name: 'eu-west-1b', state: 'impaired' },
    ]);
    const r = resource('az', {
      regions: ['eu-west-1'],
      parameters: [{ key: 'Azs', value: '$[alfred_genaz_2]', ssmParameters: [{ name: '/az/list', value: '$[az]' }] }],
    });
    const { report } = await w.apply(manifest([r]), [desired(r, template('az', { parameters: ['Azs'] }), ACCOUNTS)]);
    expect(report.failed).toEqual([{ resource: 'az', message: expect.stringContaining('CFCT-K013'), failures: [] }]);
    expect(w.cfn.stackSets.has('CustomControlTower-az')).toBe(false);
  });
});
