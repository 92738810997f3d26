import * as ec2 from '@aws-sdk/client-ec2';
import * as sts from '@aws-sdk/client-sts';
import { assumeRoleCredentials, createAwsClients } from '../../src/aws/clients';
import { fakeAwsClients } from '../fake/clients';
import { FakeAws } from '../fake/core';
import { FakeSts } from '../fake/sts';

describe('createAwsClients', () => {
  test('retry modes, custom user agent, the given region and endpoint, one client per service and region', async () => {
    const clients = createAwsClients({
      region: 'eu-west-1',
      endpoint: 'http://localhost:4566',
      userAgent: 'cfct/1.2.3',
      maxAttempts: 5,
    });
    const org = clients.organizations();
    expect(clients.organizations()).toBe(org);
    expect(await org.config.region()).toBe('eu-west-1');
    expect(org.config.customUserAgent).toEqual([['cfct/1.2.3']]);
    expect(((await org.config.retryStrategy()) as { mode?: string }).mode).toBe('adaptive');
    expect(await org.config.maxAttempts()).toBe(5);
    const cfn = clients.cloudFormation('ap-south-1');
    expect(((await cfn.config.retryStrategy()) as { mode?: string }).mode).toBe('standard');
    expect(await cfn.config.maxAttempts()).toBe(5);
    expect(await cfn.config.region()).toBe('ap-south-1');
    expect(clients.cloudFormation('ap-south-1')).toBe(cfn);
    expect(clients.cloudFormation('eu-central-1')).not.toBe(cfn);
    expect(await clients.ssm('us-west-2').config.region()).toBe('us-west-2');
    expect(await clients.s3('us-west-2').config.region()).toBe('us-west-2');
    expect(await clients.sts('us-west-2').config.region()).toBe('us-west-2');
    const endpoint = await (
      org.config as unknown as { endpoint: () => Promise<{ hostname: string; port?: number }> }
    ).endpoint();
    expect(endpoint).toMatchObject({ hostname: 'localhost', port: 4566 });
  });

  test('without options, the region comes from the environment (AWS_REGION)', async () => {
    const before = process.env.AWS_REGION;
    process.env.AWS_REGION = 'sa-east-1';
    try {
      const clients = createAwsClients();
      expect(await clients.organizations().config.region()).toBe('sa-east-1');
      // The engine retries (src/engine/retry.ts): the SDK makes one attempt, except STS, whose
      // AssumeRole runs in the SDK's credential provider, out of the engine's reach.
      expect(await clients.organizations().config.maxAttempts()).toBe(1);
      expect(await clients.ssm('sa-east-1').config.maxAttempts()).toBe(1);
      expect(await clients.sts('sa-east-1').config.maxAttempts()).toBe(3);
    } finally {
      if (before === undefined) delete process.env.AWS_REGION;
      else process.env.AWS_REGION = before;
    }
  });
});

describe('member account clients through STS AssumeRole', () => {
  function setup() {
    const fake = new FakeAws();
    const fakeSts = new FakeSts(fake);
    const clients = fakeAwsClients(fake, '111111111111');
    return { fake, fakeSts, clients };
  }

  test("assumeRoleCredentials returns the role session's credentials", async () => {
    const { clients, fakeSts } = setup();
    const provider = assumeRoleCredentials(
      clients.sts('us-east-1'),
      'arn:aws:iam::222222222222:role/AWSControlTowerExecution',
      'cfct',
    );
    expect(await provider()).toEqual({
      accessKeyId: 'ASIA222222222222',
      secretAccessKey: 'fake',
      sessionToken: 'fake',
      expiration: new Date(Date.UTC(2100, 0, 1)),
    });
    expect(fakeSts.assumed).toEqual(['arn:aws:iam::222222222222:role/AWSControlTowerExecution']);
  });

  test('fails when the role cannot be assumed', async () => {
    const { clients, fakeSts } = setup();
    fakeSts.missingRoles.add('333333333333/AWSControlTowerExecution');
    await expect(clients.ec2InAccount('333333333333', 'us-east-1', 'AWSControlTowerExecution')).rejects.toMatchObject({
      name: 'AccessDenied',
    });
  });

  test('createAwsClients assumes the role once up front and hands the credentials to the EC2 client', async () => {
    const fake = new FakeAws();
    const fakeSts = new FakeSts(fake);
    // createAwsClients makes its own STS client: route every STSClient instance to the fake
    fake.mockAllInstances(sts.STSClient, sts, 'sts', { accountId: '111111111111', region: 'eu-west-1' });
    try {
      const clients = createAwsClients({ region: 'eu-west-1', partition: 'aws' });
      const client = await clients.ec2InAccount('444444444444', 'eu-west-1', 'AWSControlTowerExecution');
      expect(client).toBeInstanceOf(ec2.EC2Client);
      expect(fakeSts.assumed).toEqual(['arn:aws:iam::444444444444:role/AWSControlTowerExecution']);
      const credentials = await (
        client.config as unknown as { credentials: () => Promise<{ accessKeyId: string }> }
      ).credentials();
      expect(credentials.accessKeyId).toBe('ASIA444444444444');
      expect(await clients.ec2InAccount('444444444444', 'eu-west-1', 'AWSControlTowerExecution')).toBe(client);
    } finally {
      fake.restore();
    }
  });
});
