import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/**
 * Properties of a {@link ConfigurationBucket}.
 */
export interface ConfigurationBucketProps {
  /**
   * Physical name of the bucket.
   *
   * @default - `custom-control-tower-configuration-<account>-<region>`, the name upstream
   * Customizations for AWS Control Tower uses, so existing upload scripts keep working
   */
  readonly bucketName?: string;

  /**
   * KMS key that encrypts the configuration package.
   *
   * @default - a new customer managed key with automatic rotation enabled
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * How long a replaced or deleted version of the configuration package is kept.
   *
   * @default Duration.days(90)
   */
  readonly noncurrentVersionExpiration?: Duration;

  /**
   * Bucket that receives the server access logs of the configuration bucket.
   * It must allow log delivery and use SSE-S3 (S3 cannot deliver access logs to SSE-KMS buckets).
   *
   * @default - a new hardened bucket, retained on stack deletion
   */
  readonly serverAccessLogsBucket?: s3.IBucket;

  /**
   * Key prefix of the server access log objects.
   *
   * @default 'configuration-bucket/'
   */
  readonly serverAccessLogsPrefix?: string;

  /**
   * What happens to the bucket (and the log bucket and key it creates) when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The hardened, versioned S3 bucket that holds the configuration package
 * (`custom-control-tower-configuration.zip`).
 *
 * What it sets up:
 *
 * - KMS encryption with a key it creates (rotation on) or one you pass
 * - versioning, with noncurrent versions expiring after 90 days by default
 * - all public access blocked, TLS enforced, bucket owner enforced object ownership
 * - server access logs delivered to a separate log bucket
 * - EventBridge notifications on, so an upload can start the pipeline
 * - retained when removed from the stack
 */
export class ConfigurationBucket extends Construct {
  /** The configuration bucket. */
  public readonly bucket: s3.IBucket;

  /** The KMS key that encrypts the configuration bucket. */
  public readonly encryptionKey: kms.IKey;

  /** The bucket that receives the configuration bucket's server access logs. */
  public readonly serverAccessLogsBucket: s3.IBucket;

  constructor(scope: Construct, id: string, props: ConfigurationBucketProps = {}) {
    super(scope, id);

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const noncurrentVersionExpiration = props.noncurrentVersionExpiration ?? Duration.days(90);
    if (!Token.isUnresolved(noncurrentVersionExpiration.toDays({ integral: false }))) {
      const days = noncurrentVersionExpiration.toDays({ integral: false });
      if (days < 1 || !Number.isInteger(days)) {
        throw new Error(
          `noncurrentVersionExpiration must be a whole number of days of at least 1, got ${noncurrentVersionExpiration.toHumanString()}`,
        );
      }
    }
    if (props.bucketName !== undefined && !Token.isUnresolved(props.bucketName)) {
      validateBucketName(props.bucketName);
    }

    this.encryptionKey =
      props.encryptionKey ??
      new kms.Key(this, 'Key', {
        description: 'Encrypts the Customizations for AWS Control Tower configuration package',
        enableKeyRotation: true,
        removalPolicy,
      });

    this.serverAccessLogsBucket =
      props.serverAccessLogsBucket ??
      new s3.Bucket(this, 'AccessLogs', {
        // S3 delivers server access logs only to buckets encrypted with SSE-S3.
        encryption: s3.BucketEncryption.S3_MANAGED,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        versioned: true,
        removalPolicy,
      });

    const stack = Stack.of(this);
    const bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: props.bucketName ?? `custom-control-tower-configuration-${stack.account}-${stack.region}`,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.encryptionKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.serverAccessLogsBucket,
      serverAccessLogsPrefix: props.serverAccessLogsPrefix ?? 'configuration-bucket/',
      lifecycleRules: [
        {
          id: 'ExpireNoncurrentVersions',
          noncurrentVersionExpiration,
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      removalPolicy,
    });
    // EventBridge notifications set on the resource itself: `eventBridgeEnabled` would add a
    // custom resource (and a Lambda function) to do what CloudFormation does natively.
    (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };
    this.bucket = bucket;
  }
}

function validateBucketName(name: string): void {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) || name.includes('..')) {
    throw new Error(
      `bucketName must be 3-63 characters of lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit, got '${name}'`,
    );
  }
}
