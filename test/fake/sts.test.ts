/**
 * The fake STS through the real SDK client: AssumeRole as the engine uses it to act in member
 * accounts (STS API reference: AssumeRole).
 */
import * as stsSdk from '@aws-sdk/client-sts';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { FakeAws } from './core';
import { FakeSts } from './sts';

function setup() {
  const fake = new FakeAws({ seed: 7 });
  const sts = new FakeSts(fake);
  const client = fake.client(STSClient, stsSdk, 'sts', { accountId: '111111111111', region: 'us-east-1' });
  return { fake, sts, client };
}

describe('fake STS', () => {
  test('AssumeRole returns credentials whose access key names the target account, and records the role', async () => {
    const { sts, client } = setup();
    const arn = 'arn:aws:iam::222222222222:role/AWSControlTowerExecution';
    const out = await client.send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'cfct' }));
    expect(out.Credentials!.AccessKeyId).toBe('ASIA222222222222');
    expect(out.AssumedRoleUser!.Arn).toBe('arn:aws:sts::222222222222:assumed-role/AWSControlTowerExecution/cfct');
    expect(sts.assumed).toEqual([arn]);
  });

  test('roles with a path resolve to their name', async () => {
    const { client } = setup();
    const out = await client.send(
      new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::222222222222:role/service-role/Runner', RoleSessionName: 's' }),
    );
    expect(out.AssumedRoleUser!.Arn).toBe('arn:aws:sts::222222222222:assumed-role/Runner/s');
  });

  test('fails when the role does not exist in the account: AccessDenied (403), nothing recorded', async () => {
    const { sts, client } = setup();
    sts.missingRoles.add('222222222222/AWSControlTowerExecution');
    await expect(
      client.send(
        new AssumeRoleCommand({
          RoleArn: 'arn:aws:iam::222222222222:role/AWSControlTowerExecution',
          RoleSessionName: 'cfct',
        }),
      ),
    ).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    expect(sts.assumed).toEqual([]);
  });

  test('fails when the role ARN is not a role ARN: AccessDenied', async () => {
    const { client } = setup();
    await expect(
      client.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::222222222222:user/alice', RoleSessionName: 'cfct' })),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});
