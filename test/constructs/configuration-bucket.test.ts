import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ConfigurationBucket } from '../../src';
import { awsSolutionsFindings } from '../nag';

function newStack(): Stack {
  return new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
}

describe('ConfigurationBucket', () => {
  test('defaults: upstream name, KMS with a rotating key, versioned, public access blocked, logged, retained', () => {
    const stack = newStack();
    new ConfigurationBucket(stack, 'Config');
    const template = Template.fromStack(stack);

    template.resourceCountIs('AWS::S3::Bucket', 2);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BucketName: 'custom-control-tower-configuration-111111111111-eu-west-1',
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            Match.objectLike({
              BucketKeyEnabled: true,
              ServerSideEncryptionByDefault: {
                SSEAlgorithm: 'aws:kms',
                KMSMasterKeyID: Match.anyValue(),
              },
            }),
          ],
        },
        LoggingConfiguration: {
          DestinationBucketName: Match.anyValue(),
          LogFilePrefix: 'configuration-bucket/',
        },
        LifecycleConfiguration: {
          Rules: [
            Match.objectLike({
              Status: 'Enabled',
              NoncurrentVersionExpiration: { NoncurrentDays: 90 },
            }),
          ],
        },
        NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
      }),
    });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
  });

  test('the log bucket uses SSE-S3, blocks public access and is retained', () => {
    const stack = newStack();
    new ConfigurationBucket(stack, 'Config');
    Template.fromStack(stack).hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicAcls: true, RestrictPublicBuckets: true }),
      }),
    });
  });

  test('both buckets deny requests without TLS', () => {
    const stack = newStack();
    new ConfigurationBucket(stack, 'Config');
    const policies = Template.fromStack(stack).findResources('AWS::S3::BucketPolicy');
    expect(Object.keys(policies)).toHaveLength(2);
    for (const policy of Object.values(policies)) {
      expect(policy.Properties.PolicyDocument.Statement).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      );
    }
  });

  test('accepts a bucket name, a key, a log bucket, a retention and a removal policy', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'MyKey', { enableKeyRotation: true });
    const logs = new s3.Bucket(stack, 'MyLogs');
    const config = new ConfigurationBucket(stack, 'Config', {
      bucketName: 'my-cfct-config',
      encryptionKey: key,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 'cfct/',
      noncurrentVersionExpiration: Duration.days(30),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const template = Template.fromStack(stack);

    expect(config.encryptionKey).toBe(key);
    expect(config.serverAccessLogsBucket).toBe(logs);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.resourceCountIs('AWS::S3::Bucket', 2);
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({
        BucketName: 'my-cfct-config',
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            Match.objectLike({
              ServerSideEncryptionByDefault: {
                SSEAlgorithm: 'aws:kms',
                KMSMasterKeyID: stack.resolve(key.keyArn),
              },
            }),
          ],
        },
        LoggingConfiguration: { DestinationBucketName: stack.resolve(logs.bucketName), LogFilePrefix: 'cfct/' },
        LifecycleConfiguration: {
          Rules: [Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } })],
        },
      }),
    });
  });

  test('fails when noncurrentVersionExpiration is not a whole number of days', () => {
    expect(
      () => new ConfigurationBucket(newStack(), 'Config', { noncurrentVersionExpiration: Duration.hours(36) }),
    ).toThrow(/noncurrentVersionExpiration must be a whole number of days of at least 1, got 1 day 12 hours/);
  });

  test('fails when bucketName is not a valid S3 bucket name', () => {
    expect(() => new ConfigurationBucket(newStack(), 'Config', { bucketName: 'My_Bucket' })).toThrow(
      /bucketName must be 3-63 characters .*, got 'My_Bucket'/,
    );
  });

  test('passes cdk-nag AwsSolutions with no unsuppressed findings', () => {
    const stack = newStack();
    new ConfigurationBucket(stack, 'Config');
    expect(awsSolutionsFindings(stack)).toEqual([]);
  });

  test('the cdk-nag check reports a plain bucket (it can fail)', () => {
    const stack = newStack();
    new s3.Bucket(stack, 'Plain');
    expect(awsSolutionsFindings(stack)).toEqual(
      expect.arrayContaining([expect.stringContaining('AwsSolutions-S1'), expect.stringContaining('AwsSolutions-S10')]),
    );
  });
});
