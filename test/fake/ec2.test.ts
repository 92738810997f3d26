/**
 * The fake EC2 through the real SDK client: key pairs and Availability Zones as the stack set
 * prepare step uses them for `$[alfred_genkeypair]` and `$[alfred_autoaz]` (EC2 API reference:
 * CreateKeyPair, DescribeKeyPairs, DescribeAvailabilityZones, AvailabilityZone).
 */
import * as ec2Sdk from '@aws-sdk/client-ec2';
import {
  CreateKeyPairCommand,
  DescribeAvailabilityZonesCommand,
  DescribeKeyPairsCommand,
  EC2Client,
  EC2ServiceException,
} from '@aws-sdk/client-ec2';
import { fakeAwsClients } from './clients';
import { FakeAws } from './core';
import { FakeEc2, zoneIdPrefix } from './ec2';
import { FakeSts } from './sts';

const MEMBER = { accountId: '222222222222', region: 'eu-west-1' };

function setup() {
  const fake = new FakeAws({ seed: 9 });
  const ec2 = new FakeEc2(fake);
  const client = (context = MEMBER) => fake.client(EC2Client, ec2Sdk, 'ec2', context);
  return { fake, ec2, client };
}

describe('fake EC2 key pairs', () => {
  test('CreateKeyPair returns the private key once, with an RSA fingerprint and a key pair id of AWS shape', async () => {
    const { ec2, client } = setup();
    const out = await client().send(new CreateKeyPairCommand({ KeyName: 'db' }));
    expect(out).toMatchObject({
      KeyName: 'db',
      KeyFingerprint: expect.stringMatching(/^([0-9a-f]{2}:){19}[0-9a-f]{2}$/),
      KeyPairId: expect.stringMatching(/^key-[0-9a-f]{17}$/),
      KeyMaterial: expect.stringMatching(/^-----BEGIN RSA PRIVATE KEY-----\n.+\n-----END RSA PRIVATE KEY-----$/),
    });
    expect(ec2.keyPairs.get('222222222222/eu-west-1/db')).toMatchObject({
      name: 'db',
      fingerprint: out.KeyFingerprint,
      id: out.KeyPairId,
      type: 'rsa',
    });
    const described = await client().send(new DescribeKeyPairsCommand({ KeyNames: ['db'] }));
    expect(described.KeyPairs).toEqual([
      {
        KeyPairId: out.KeyPairId,
        KeyFingerprint: out.KeyFingerprint,
        KeyName: 'db',
        KeyType: 'rsa',
        Tags: [],
        CreateTime: new Date(Date.UTC(2026, 0, 1)),
      },
    ]);
    expect(JSON.stringify(described)).not.toContain('PRIVATE KEY');
  });

  test('KeyType ed25519 gives a base64 SHA-256 fingerprint and an OpenSSH private key', async () => {
    const { client } = setup();
    const out = await client().send(new CreateKeyPairCommand({ KeyName: 'ed', KeyType: 'ed25519' }));
    expect(out.KeyFingerprint).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(out.KeyMaterial).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/);
    expect((await client().send(new DescribeKeyPairsCommand({ KeyNames: ['ed'] }))).KeyPairs![0].KeyType).toBe(
      'ed25519',
    );
  });

  test('fails with InvalidKeyPair.Duplicate for a second key pair of one name in one account and region, not in another', async () => {
    const { ec2, client } = setup();
    await client().send(new CreateKeyPairCommand({ KeyName: 'db' }));
    const error = await client()
      .send(new CreateKeyPairCommand({ KeyName: 'db' }))
      .catch((e) => e);
    expect(error).toBeInstanceOf(EC2ServiceException);
    expect(error).toMatchObject({
      name: 'InvalidKeyPair.Duplicate',
      message: "The keypair 'db' already exists.",
      $metadata: { httpStatusCode: 400 },
    });
    await client({ ...MEMBER, accountId: '333333333333' }).send(new CreateKeyPairCommand({ KeyName: 'db' }));
    await client({ ...MEMBER, region: 'us-east-1' }).send(new CreateKeyPairCommand({ KeyName: 'db' }));
    expect([...ec2.keyPairs.keys()].sort()).toEqual([
      '222222222222/eu-west-1/db',
      '222222222222/us-east-1/db',
      '333333333333/eu-west-1/db',
    ]);
  });

  test('fails with MissingParameter without a KeyName, and InvalidParameterValue over 255 or non-ASCII characters (255 is accepted)', async () => {
    const { ec2, client } = setup();
    await expect(
      client().send(new CreateKeyPairCommand({ KeyName: undefined as unknown as string })),
    ).rejects.toMatchObject({
      name: 'MissingParameter',
      message: 'The request must contain the parameter KeyName',
    });
    for (const name of ['k'.repeat(256), 'clé']) {
      await expect(client().send(new CreateKeyPairCommand({ KeyName: name }))).rejects.toMatchObject({
        name: 'InvalidParameterValue',
        message: `Value (${name}) for parameter KeyName is invalid. A key pair name can have up to 255 ASCII characters.`,
      });
    }
    await client().send(new CreateKeyPairCommand({ KeyName: 'k'.repeat(255) }));
    expect(ec2.keyPairs.size).toBe(1);
  });

  test('fails with InvalidParameterValue for an unknown KeyType or KeyFormat', async () => {
    const { client } = setup();
    await expect(
      client().send(new CreateKeyPairCommand({ KeyName: 'k', KeyType: 'dsa' as ec2Sdk.KeyType })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: 'Value (dsa) for parameter KeyType is invalid. Use rsa or ed25519.',
    });
    await expect(
      client().send(new CreateKeyPairCommand({ KeyName: 'k', KeyFormat: 'der' as ec2Sdk.KeyFormat })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: 'Value (der) for parameter KeyFormat is invalid.',
    });
    await expect(client().send(new CreateKeyPairCommand({ KeyName: 'k', KeyFormat: 'pem' }))).resolves.toBeDefined();
  });

  test('DescribeKeyPairs lists every key pair of the account and region, or those named by name or id', async () => {
    const { client } = setup();
    const a = await client().send(new CreateKeyPairCommand({ KeyName: 'a' }));
    await client().send(new CreateKeyPairCommand({ KeyName: 'b' }));
    await client({ ...MEMBER, accountId: '333333333333' }).send(new CreateKeyPairCommand({ KeyName: 'c' }));
    const names = async (input: ec2Sdk.DescribeKeyPairsCommandInput) =>
      ((await client().send(new DescribeKeyPairsCommand(input))).KeyPairs ?? []).map((p) => p.KeyName);
    expect(await names({})).toEqual(['a', 'b']);
    expect(await names({ KeyNames: ['b'] })).toEqual(['b']);
    expect(await names({ KeyPairIds: [a.KeyPairId!] })).toEqual(['a']);
  });

  test('fails with InvalidKeyPair.NotFound when a named key pair or id does not exist in the account and region', async () => {
    const { client } = setup();
    await client({ ...MEMBER, region: 'us-east-1' }).send(new CreateKeyPairCommand({ KeyName: 'elsewhere' }));
    await expect(client().send(new DescribeKeyPairsCommand({ KeyNames: ['elsewhere'] }))).rejects.toMatchObject({
      name: 'InvalidKeyPair.NotFound',
      message: "The key pair 'elsewhere' does not exist",
    });
    await expect(
      client().send(new DescribeKeyPairsCommand({ KeyPairIds: ['key-0123456789abcdef0'] })),
    ).rejects.toMatchObject({
      name: 'InvalidKeyPair.NotFound',
      message: "The key pair 'key-0123456789abcdef0' does not exist",
    });
  });

  test('a key pair a test sets directly (as an earlier run left it) is described with RSA type', async () => {
    const { ec2, client } = setup();
    ec2.keyPairs.set('222222222222/eu-west-1/old', { name: 'old', fingerprint: 'aa:bb', id: 'key-0000000000000000a' });
    expect((await client().send(new DescribeKeyPairsCommand({ KeyNames: ['old'] }))).KeyPairs).toEqual([
      expect.objectContaining({ KeyName: 'old', KeyFingerprint: 'aa:bb', KeyType: 'rsa' }),
    ]);
    await expect(client().send(new CreateKeyPairCommand({ KeyName: 'old' }))).rejects.toMatchObject({
      name: 'InvalidKeyPair.Duplicate',
    });
  });

  test('fails loudly for inputs it does not model: tags, dry runs, filters, public keys, PPK keys', async () => {
    const { client } = setup();
    await expect(
      client().send(new CreateKeyPairCommand({ KeyName: 'k', TagSpecifications: [{ ResourceType: 'key-pair' }] })),
    ).rejects.toThrow('the fake does not implement CreateKeyPair TagSpecifications');
    await expect(client().send(new CreateKeyPairCommand({ KeyName: 'k', DryRun: true }))).rejects.toThrow(
      'the fake does not implement CreateKeyPair DryRun',
    );
    await expect(client().send(new CreateKeyPairCommand({ KeyName: 'k', KeyFormat: 'ppk' }))).rejects.toThrow(
      'the fake does not implement CreateKeyPair KeyFormat ppk',
    );
    await expect(
      client().send(new DescribeKeyPairsCommand({ Filters: [{ Name: 'key-name', Values: ['k'] }] })),
    ).rejects.toThrow('the fake does not implement DescribeKeyPairs Filters');
    await expect(client().send(new DescribeKeyPairsCommand({ IncludePublicKey: true }))).rejects.toThrow(
      'the fake does not implement DescribeKeyPairs IncludePublicKey',
    );
    await expect(
      client().send(new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'state', Values: ['available'] }] })),
    ).rejects.toThrow('the fake does not implement DescribeAvailabilityZones Filters');
    await expect(client().send(new ec2Sdk.DeleteKeyPairCommand({ KeyName: 'k' }))).rejects.toThrow(
      /the fake does not implement this ec2 operation/,
    );
  });

  test('fails with an injected throttling error before the operation runs: no key pair is created', async () => {
    const { fake, ec2, client } = setup();
    fake.injectFault({
      service: 'ec2',
      operation: 'CreateKeyPair',
      rate: 1,
      limit: 1,
      error: () =>
        new EC2ServiceException({
          name: 'RequestLimitExceeded',
          $fault: 'client',
          message: 'Request limit exceeded.',
          $metadata: { httpStatusCode: 503 },
        }),
    });
    await expect(client().send(new CreateKeyPairCommand({ KeyName: 'k' }))).rejects.toMatchObject({
      name: 'RequestLimitExceeded',
    });
    expect(ec2.keyPairs.size).toBe(0);
    await client().send(new CreateKeyPairCommand({ KeyName: 'k' }));
    expect(fake.callsOf(CreateKeyPairCommand).map((c) => c.error)).toEqual(['RequestLimitExceeded', undefined]);
  });
});

describe('fake EC2 Availability Zones', () => {
  test('by default a region has three available zones with zone ids of AWS shape', async () => {
    const { client } = setup();
    const out = await client().send(new DescribeAvailabilityZonesCommand({}));
    expect(out.AvailabilityZones).toEqual(
      ['a', 'b', 'c'].map((s, i) => ({
        ZoneName: `eu-west-1${s}`,
        ZoneId: `euw1-az${i + 1}`,
        State: 'available',
        OptInStatus: 'opt-in-not-required',
        RegionName: 'eu-west-1',
        GroupName: 'eu-west-1-zg-1',
        NetworkBorderGroup: 'eu-west-1',
        ZoneType: 'availability-zone',
        Messages: [],
      })),
    );
  });

  test('zone id prefixes follow AWS: use1, euw1, apne1, apse2, euc1, usgw1', () => {
    expect(
      ['us-east-1', 'eu-west-1', 'ap-northeast-1', 'ap-southeast-2', 'eu-central-1', 'us-gov-west-1'].map(zoneIdPrefix),
    ).toEqual(['use1', 'euw1', 'apne1', 'apse2', 'euc1', 'usgw1']);
  });

  test('zones set per region, or per account and region, replace the default with their states', async () => {
    const { ec2, client } = setup();
    ec2.zones.set('eu-west-1', [
      { name: 'eu-west-1a', state: 'available' },
      { name: 'eu-west-1b', state: 'impaired' },
    ]);
    ec2.zones.set('222222222222/eu-west-1', [{ name: 'eu-west-1c', state: 'constrained' }]);
    const zones = async (context = MEMBER) =>
      ((await client(context).send(new DescribeAvailabilityZonesCommand({}))).AvailabilityZones ?? []).map(
        (z) => `${z.ZoneName}:${z.State}`,
      );
    expect(await zones()).toEqual(['eu-west-1c:constrained']);
    expect(await zones({ ...MEMBER, accountId: '333333333333' })).toEqual([
      'eu-west-1a:available',
      'eu-west-1b:impaired',
    ]);
  });

  test('Local and Wavelength Zones are listed when opted in, or all of them with AllAvailabilityZones', async () => {
    const { ec2, client } = setup();
    ec2.zones.set('us-west-2', [
      { name: 'us-west-2a', state: 'available' },
      { name: 'us-west-2-lax-1a', state: 'available', type: 'local-zone', optedIn: true },
      { name: 'us-west-2-wl1-las-wlz-1', state: 'available', type: 'wavelength-zone' },
    ]);
    const where = { accountId: '222222222222', region: 'us-west-2' };
    const listed = async (input: ec2Sdk.DescribeAvailabilityZonesCommandInput) =>
      ((await client(where).send(new DescribeAvailabilityZonesCommand(input))).AvailabilityZones ?? []).map((z) => [
        z.ZoneName,
        z.ZoneType,
        z.OptInStatus,
      ]);
    expect(await listed({})).toEqual([
      ['us-west-2a', 'availability-zone', 'opt-in-not-required'],
      ['us-west-2-lax-1a', 'local-zone', 'opted-in'],
    ]);
    expect((await listed({ AllAvailabilityZones: true })).map((z) => z[2])).toEqual([
      'opt-in-not-required',
      'opted-in',
      'not-opted-in',
    ]);
  });

  test('ZoneNames and ZoneIds select zones; fails with InvalidParameterValue for a zone the region does not have', async () => {
    const { client } = setup();
    const names = async (input: ec2Sdk.DescribeAvailabilityZonesCommandInput) =>
      ((await client().send(new DescribeAvailabilityZonesCommand(input))).AvailabilityZones ?? []).map(
        (z) => z.ZoneName,
      );
    expect(await names({ ZoneNames: ['eu-west-1b'] })).toEqual(['eu-west-1b']);
    expect(await names({ ZoneIds: ['euw1-az3'] })).toEqual(['eu-west-1c']);
    await expect(
      client().send(new DescribeAvailabilityZonesCommand({ ZoneNames: ['eu-west-1z'] })),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue', message: 'Invalid availability zone: [eu-west-1z]' });
    await expect(client().send(new DescribeAvailabilityZonesCommand({ ZoneIds: ['use1-az1'] }))).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: 'Invalid availability zone ID: [use1-az1]',
    });
  });

  test('through ec2InAccount the client acts as the member account, after STS AssumeRole', async () => {
    const { fake, ec2 } = setup();
    const sts = new FakeSts(fake);
    const clients = fakeAwsClients(fake, '111111111111');
    const ec2Client = await clients.ec2InAccount('222222222222', 'eu-west-1', 'AWSControlTowerExecution');
    await ec2Client.send(new CreateKeyPairCommand({ KeyName: 'k' }));
    expect(sts.assumed).toEqual(['arn:aws:iam::222222222222:role/AWSControlTowerExecution']);
    expect([...ec2.keyPairs.keys()]).toEqual(['222222222222/eu-west-1/k']);
    expect(fake.callsOf(CreateKeyPairCommand)[0].context).toEqual({ accountId: '222222222222', region: 'eu-west-1' });
  });

  test('fails with an injected throttling error on DescribeAvailabilityZones, then answers', async () => {
    const { fake, client } = setup();
    fake.injectFault({
      service: 'ec2',
      operation: 'DescribeAvailabilityZones',
      rate: 1,
      limit: 1,
      error: () =>
        new EC2ServiceException({
          name: 'RequestLimitExceeded',
          $fault: 'client',
          message: 'Request limit exceeded.',
          $metadata: { httpStatusCode: 503 },
        }),
    });
    await expect(client().send(new DescribeAvailabilityZonesCommand({}))).rejects.toMatchObject({
      name: 'RequestLimitExceeded',
    });
    expect((await client().send(new DescribeAvailabilityZonesCommand({}))).AvailabilityZones).toHaveLength(3);
  });
});
