/**
 * `$[alfred_genkeypair]` across interrupted runs: EC2 refuses a second key pair of the same name
 * (InvalidKeyPair.Duplicate) and returns a private key only when it creates one, so the helper
 * must resume from what it stored, and say so when the private key is lost.
 */
import { CreateKeyPairCommand, EC2Client } from '@aws-sdk/client-ec2';
import * as ec2Sdk from '@aws-sdk/client-ec2';
import { accountIds, desired, HOME, manifest, MANAGEMENT, resource, StackSetWorld, template } from './env';

const ACCOUNTS = accountIds(1);
const mgmt = { accountId: MANAGEMENT, region: HOME };
const KEY = 'CustomControlTower-vm-KeyName';

function keyResource(storage = ['$[keyname]', '$[keymaterial]', '$[keyfingerprint]']) {
  const names: Record<string, string> = {
    '$[keyname]': '/vm/keyname',
    '$[keymaterial]': '/vm/keymaterial',
    '$[keyfingerprint]': '/vm/keyfingerprint',
  };
  return resource('vm', {
    regions: [HOME],
    parameters: [
      {
        key: 'KeyName',
        value: '$[alfred_genkeypair]',
        ssmParameters: storage.map((value) => ({ name: names[value], value })),
      },
    ],
  });
}

function world() {
  const w = new StackSetWorld();
  w.setAccounts(ACCOUNTS);
  return w;
}

const vmTemplate = template('vm', { parameters: ['KeyName'] });
const kp = (w: StackSetWorld) => w.ec2.keyPairs.get(`${ACCOUNTS[0]}/${HOME}/${KEY}`);

describe('generated key pairs', () => {
  test('the fake refuses a second key pair of the same name in one account and region (InvalidKeyPair.Duplicate), not in another', async () => {
    const w = world();
    const client = (accountId: string) => w.fake.client(EC2Client, ec2Sdk, 'ec2', { accountId, region: HOME });
    await client(ACCOUNTS[0]).send(new CreateKeyPairCommand({ KeyName: 'k' }));
    await expect(client(ACCOUNTS[0]).send(new CreateKeyPairCommand({ KeyName: 'k' }))).rejects.toMatchObject({
      name: 'InvalidKeyPair.Duplicate',
    });
    await client('999999999999').send(new CreateKeyPairCommand({ KeyName: 'k' }));
  });

  test('survives a run that stopped after storing the private key: the next run stores fingerprint and name, creates nothing', async () => {
    const w = world();
    const r = keyResource();
    w.ec2.keyPairs.set(`${ACCOUNTS[0]}/${HOME}/${KEY}`, { name: KEY, fingerprint: 'aa:bb:cc', id: 'key-0123' });
    w.ssm.seed(
      mgmt,
      '/vm/keymaterial',
      '-----BEGIN RSA PRIVATE KEY-----\nkept\n-----END RSA PRIVATE KEY-----',
      'SecureString',
    );
    const { report } = await w.apply(manifest([r]), [desired(r, vmTemplate, ACCOUNTS)]);
    expect(report.failed).toEqual([]);
    expect(w.ssm.get(mgmt, '/vm/keyname')!.value).toBe(KEY);
    expect(w.ssm.get(mgmt, '/vm/keyfingerprint')!.value).toBe('aa:bb:cc');
    expect(w.ssm.get(mgmt, '/vm/keymaterial')!.value).toContain('kept');
    expect(w.fake.calls.filter((c) => c.operation === 'CreateKeyPair').map((c) => c.error)).toEqual([
      'InvalidKeyPair.Duplicate',
    ]);
    expect(w.cfn.parametersOf('CustomControlTower-vm').KeyName).toBe(KEY);
  });

  test('survives a duplicate when no private key storage was asked for', async () => {
    const w = world();
    const r = keyResource(['$[keyname]']);
    w.ec2.keyPairs.set(`${ACCOUNTS[0]}/${HOME}/${KEY}`, { name: KEY, fingerprint: 'aa:bb', id: 'key-1' });
    const { report } = await w.apply(manifest([r]), [desired(r, vmTemplate, ACCOUNTS)]);
    expect(report.failed).toEqual([]);
    expect(w.ssm.get(mgmt, '/vm/keyname')!.value).toBe(KEY);
  });

  test('fails when the private key was lost (stopped right after CreateKeyPair): CFCT-K070 with the fix, nothing stored or deployed; then recovers', async () => {
    const w = world();
    const r = keyResource();
    const wanted = [desired(r, vmTemplate, ACCOUNTS)];
    // a run stopped right after CreateKeyPair: the key pair exists, nothing is stored
    w.ec2.keyPairs.set(`${ACCOUNTS[0]}/${HOME}/${KEY}`, { name: KEY, fingerprint: 'dd:ee', id: 'key-2' });

    // the next run meets InvalidKeyPair.Duplicate: a finding, not a crash, and the name is not stored
    const second = await w.apply(manifest([r]), wanted);
    expect(second.report.failed).toEqual([
      { resource: 'vm', message: expect.stringContaining('CFCT-K070'), failures: [] },
    ]);
    const finding = second.report.findings.find((f) => f.ruleId === 'CFCT-K070')!;
    expect(finding).toMatchObject({
      severity: 'error',
      resource: 'vm',
      message: expect.stringContaining(
        `key pair ${KEY} exists in account ${ACCOUNTS[0]} (${HOME}), but its private key was never stored in /vm/keymaterial`,
      ),
      hint: `delete the key pair (aws ec2 delete-key-pair --key-name ${KEY} --region ${HOME}, in account ${ACCOUNTS[0]}) and run again to create and store a new one; or, if you hold its private key, store it in /vm/keymaterial as a SecureString`,
    });
    expect(w.ssm.get(mgmt, '/vm/keyname')).toBeUndefined();
    expect(w.cfn.stackSets.has('CustomControlTower-vm')).toBe(false);
    // nothing was deleted on the user's behalf
    expect(kp(w)).toBeDefined();

    // the fix the finding names: delete the key pair, run again
    w.ec2.keyPairs.delete(`${ACCOUNTS[0]}/${HOME}/${KEY}`);
    const third = await w.apply(manifest([r]), wanted);
    expect(third.report.failed).toEqual([]);
    expect(w.ssm.get(mgmt, '/vm/keymaterial')!.type).toBe('SecureString');
    expect(w.ssm.get(mgmt, '/vm/keyfingerprint')!.value).toBe(kp(w)!.fingerprint);
    expect(JSON.stringify(second.report)).not.toContain('PRIVATE KEY');
  });
});
