/**
 * An `AwsClients` whose clients are real SDK v3 clients answered by the fake. Clients are
 * per caller account and region: `organizations()`, `cloudFormation(region)`, ... act as the
 * management account; `ec2InAccount` assumes a role through the fake STS and returns an EC2
 * client acting as the member account.
 */
import * as cloudformation from '@aws-sdk/client-cloudformation';
import * as codepipeline from '@aws-sdk/client-codepipeline';
import * as ec2 from '@aws-sdk/client-ec2';
import * as organizations from '@aws-sdk/client-organizations';
import * as s3 from '@aws-sdk/client-s3';
import * as ssm from '@aws-sdk/client-ssm';
import * as sts from '@aws-sdk/client-sts';
import { FAKE_CONTROL_TOWER_CREDENTIALS, FakeControlTower } from './controltower';
import type { FakeAws } from './core';
import type { AwsClients } from '../../src/aws/clients';
import { assumeRoleCredentials } from '../../src/aws/clients';
import { ControlTowerClient } from '../../src/aws/controltower';

/** Creates `AwsClients` for `managementAccountId` backed by `fake`. */
export function fakeAwsClients(
  fake: FakeAws,
  managementAccountId: string,
  homeRegion = 'us-east-1',
  controlTower?: FakeControlTower,
): AwsClients {
  const cache = new Map<string, unknown>();
  const cached = <T>(key: string, make: () => T): T => {
    if (!cache.has(key)) cache.set(key, make());
    return cache.get(key) as T;
  };
  const asManagement = (region: string) => ({ accountId: managementAccountId, region });
  const clients: AwsClients = {
    organizations: () =>
      cached('organizations', () =>
        fake.client(organizations.OrganizationsClient, organizations, 'organizations', asManagement(homeRegion)),
      ),
    cloudFormation: (region) =>
      cached(`cloudformation:${region}`, () =>
        fake.client(cloudformation.CloudFormationClient, cloudformation, 'cloudformation', asManagement(region)),
      ),
    ssm: (region) => cached(`ssm:${region}`, () => fake.client(ssm.SSMClient, ssm, 'ssm', asManagement(region))),
    s3: (region) => cached(`s3:${region}`, () => fake.client(s3.S3Client, s3, 's3', asManagement(region))),
    sts: (region) => cached(`sts:${region}`, () => fake.client(sts.STSClient, sts, 'sts', asManagement(region))),
    codePipeline: (region) =>
      cached(`codepipeline:${region}`, () =>
        fake.client(codepipeline.CodePipelineClient, codepipeline, 'codepipeline', asManagement(region)),
      ),
    // The real signed-request client; its HTTP exchange is answered by the fake Control Tower (or
    // fails as an unreachable endpoint would, when the test has none).
    controlTower: (region) =>
      cached(
        `controltower:${region}`,
        () =>
          new ControlTowerClient({
            region,
            credentials: FAKE_CONTROL_TOWER_CREDENTIALS,
            endpoint: `https://controltower.${region}.amazonaws.com`,
            send: controlTower
              ? controlTower.send(asManagement(region))
              : async () => {
                  throw Object.assign(
                    new Error(
                      `getaddrinfo ENOTFOUND controltower.${region}.amazonaws.com (no fake Control Tower in this test)`,
                    ),
                    { name: 'RequestError' },
                  );
                },
          }),
      ),
    ec2InAccount: async (accountId, region, roleName) => {
      // The same AssumeRole call the real implementation makes, answered by the fake STS module.
      await assumeRoleCredentials(clients.sts(region), `arn:aws:iam::${accountId}:role/${roleName}`, 'cfct')();
      return cached(`ec2:${accountId}:${region}`, () => fake.client(ec2.EC2Client, ec2, 'ec2', { accountId, region }));
    },
    cloudFormationInAccount: async (accountId, region, roleName) => {
      await assumeRoleCredentials(clients.sts(region), `arn:aws:iam::${accountId}:role/${roleName}`, 'cfct')();
      return cached(`cloudformation:${accountId}:${region}`, () =>
        fake.client(cloudformation.CloudFormationClient, cloudformation, 'cloudformation', { accountId, region }),
      );
    },
  };
  return clients;
}
