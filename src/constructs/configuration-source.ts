import * as path from 'path';
import { RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ConfigurationBucket } from './configuration-bucket';

/** The object key that starts the pipeline, as upstream Customizations for AWS Control Tower names it. */
const CONFIGURATION_OBJECT_KEY = 'custom-control-tower-configuration.zip';

/**
 * Options of {@link ConfigurationSource.s3}.
 */
export interface S3ConfigurationSourceOptions {
  /**
   * An existing bucket that holds the configuration package. It must send events to
   * EventBridge (S3 "EventBridge notifications" on) for uploads to start the pipeline.
   *
   * @default - a new {@link ConfigurationBucket}
   */
  readonly bucket?: s3.IBucket;

  /**
   * Name of the new configuration bucket (ignored when `bucket` is given).
   *
   * @default - `custom-control-tower-configuration-<account>-<region>` for the `default`
   * installation (upstream's name), `cfct-configuration-<installationId>-<account>-<region>` otherwise
   */
  readonly bucketName?: string;

  /**
   * Object key of the configuration package; uploading it starts the pipeline.
   *
   * @default 'custom-control-tower-configuration.zip'
   */
  readonly objectKey?: string;

  /**
   * Put the sample package (the one `cfct init` writes) in the new bucket as
   * `_custom-control-tower-configuration.zip`. It starts nothing: rename it to the object key to run it.
   *
   * @default true (only for a new bucket)
   */
  readonly samplePackage?: boolean;
}

/**
 * Options of {@link ConfigurationSource.codeCommit}.
 */
export interface CodeCommitConfigurationSourceOptions {
  /**
   * The repository holding the configuration package. Give this or `repositoryName`.
   *
   * @default - the repository named `repositoryName`
   */
  readonly repository?: codecommit.IRepository;

  /**
   * Name of an existing repository. Give this or `repository`.
   *
   * @default - `repository`
   */
  readonly repositoryName?: string;

  /**
   * Branch whose commits start the pipeline.
   *
   * @default 'main'
   */
  readonly branch?: string;
}

/**
 * Options of {@link ConfigurationSource.codeConnection}.
 */
export interface CodeConnectionConfigurationSourceOptions {
  /** ARN of the AWS CodeConnections (formerly CodeStar Connections) connection. */
  readonly connectionArn: string;

  /** Owner of the repository (user or organization). */
  readonly owner: string;

  /** Name of the repository. */
  readonly repository: string;

  /**
   * Branch whose commits start the pipeline.
   *
   * @default 'main'
   */
  readonly branch?: string;
}

/**
 * What a source needs from the pipeline it is bound to.
 */
export interface ConfigurationSourceBindOptions {
  /** The artifact the source action writes. */
  readonly output: codepipeline.Artifact;
  /** The key that encrypts a bucket the source creates. */
  readonly encryptionKey: kms.IKey;
  /** The installation id of the pipeline (names the bucket of a non-default installation). */
  readonly installationId: string;
  /** What happens to a bucket the source creates when it leaves the stack. */
  readonly removalPolicy: RemovalPolicy;
  /**
   * Bucket of the server access logs of a bucket the source creates.
   *
   * @default - the new bucket gets its own log bucket
   */
  readonly serverAccessLogsBucket?: s3.IBucket;
}

/**
 * What a bound source gives the pipeline.
 */
export interface ConfigurationSourceConfig {
  /** The source action of the pipeline's first stage. */
  readonly action: codepipeline.IAction;
  /** `s3`, `codecommit` or `codeconnection`. */
  readonly kind: string;
  /**
   * The configuration bucket (S3 sources).
   *
   * @default - none
   */
  readonly bucket?: s3.IBucket;
  /**
   * The object key of the configuration package (S3 sources).
   *
   * @default - none
   */
  readonly objectKey?: string;
  /**
   * The S3 object key whose upload starts the pipeline, if the pipeline must create the
   * EventBridge rule for it.
   *
   * @default - the action starts the pipeline itself
   */
  readonly startOnObjectKey?: string;
}

/**
 * Where the pipeline reads the configuration package from: an S3 zip (the default, as
 * upstream), a CodeCommit repository, or a repository reached through AWS CodeConnections
 * (GitHub, GitLab, Bitbucket).
 */
export abstract class ConfigurationSource {
  /** The configuration package as a zip in S3; its upload starts the pipeline. */
  public static s3(options: S3ConfigurationSourceOptions = {}): ConfigurationSource {
    return new S3Source(options);
  }

  /** A CodeCommit repository branch. */
  public static codeCommit(options: CodeCommitConfigurationSourceOptions): ConfigurationSource {
    const given = [options.repository, options.repositoryName].filter((x) => x !== undefined).length;
    if (given !== 1) {
      const got = given === 0 ? 'neither' : 'both';
      throw new Error(`ConfigurationSource.codeCommit needs exactly one of repository and repositoryName, got ${got}`);
    }
    checkBranch(options.branch);
    return new CodeCommitSource(options);
  }

  /** A repository reached through an AWS CodeConnections connection (GitHub, GitLab, Bitbucket). */
  public static codeConnection(options: CodeConnectionConfigurationSourceOptions): ConfigurationSource {
    if (
      !Token.isUnresolved(options.connectionArn) &&
      !/^arn:aws[\w-]*:(codeconnections|codestar-connections):[\w-]+:\d{12}:connection\/[\w-]+$/.test(
        options.connectionArn,
      )
    ) {
      throw new Error(
        `connectionArn must be a CodeConnections connection ARN (arn:aws:codeconnections:<region>:<account>:connection/<id>), got '${options.connectionArn}'`,
      );
    }
    for (const [name, value] of [
      ['owner', options.owner],
      ['repository', options.repository],
    ] as const) {
      if (!Token.isUnresolved(value) && value.trim() === '') {
        throw new Error(`ConfigurationSource.codeConnection needs a non-empty ${name}`);
      }
    }
    checkBranch(options.branch);
    return new CodeConnectionSource(options);
  }

  /** `s3`, `codecommit` or `codeconnection`. */
  public abstract readonly kind: string;

  /** Creates what the source needs in `scope` and returns its pipeline action. */
  public abstract bind(scope: Construct, options: ConfigurationSourceBindOptions): ConfigurationSourceConfig;
}

function checkBranch(branch: string | undefined): void {
  if (branch !== undefined && !Token.isUnresolved(branch) && branch.trim() === '') {
    throw new Error("branch must not be empty; omit it for 'main'");
  }
}

class S3Source extends ConfigurationSource {
  public readonly kind = 's3';
  constructor(private readonly options: S3ConfigurationSourceOptions) {
    super();
    const key = options.objectKey;
    if (key !== undefined && !Token.isUnresolved(key) && (key === '' || key.startsWith('/') || key.startsWith('_'))) {
      throw new Error(
        `objectKey must be a relative S3 key that does not start with '_' (keys with a leading underscore never start the pipeline), got '${key}'`,
      );
    }
  }

  public bind(scope: Construct, o: ConfigurationSourceBindOptions): ConfigurationSourceConfig {
    const objectKey = this.options.objectKey ?? CONFIGURATION_OBJECT_KEY;
    let bucket = this.options.bucket;
    if (!bucket) {
      const stack = Stack.of(scope);
      const created = new ConfigurationBucket(scope, 'ConfigurationBucket', {
        encryptionKey: o.encryptionKey,
        removalPolicy: o.removalPolicy,
        serverAccessLogsBucket: o.serverAccessLogsBucket,
        bucketName: this.options.bucketName ?? bucketNameFor(o.installationId, stack),
      });
      bucket = created.bucket;
      if (this.options.samplePackage ?? true) deploySample(scope, bucket, o.encryptionKey);
    }
    const action = new actions.S3SourceAction({
      actionName: 'Source',
      bucket,
      bucketKey: objectKey,
      output: o.output,
      // An EventBridge rule on the bucket's own notifications starts the pipeline (no CloudTrail trail needed).
      trigger: actions.S3Trigger.NONE,
    });
    return { action, kind: this.kind, bucket, objectKey, startOnObjectKey: objectKey };
  }
}

/** The configuration bucket name of an installation (upstream's for `default`; bucket names hold 63 characters). */
function bucketNameFor(installationId: string, stack: Stack): string | undefined {
  if (installationId === 'default') return undefined;
  if (installationId.length > 16) {
    throw new Error(
      `installationId '${installationId}' is too long to name the configuration bucket (at most 16 characters); pass ConfigurationSource.s3({ bucketName }) or a shorter installationId`,
    );
  }
  return `cfct-configuration-${installationId}-${stack.account}-${stack.region}`;
}

function deploySample(scope: Construct, bucket: s3.IBucket, key: kms.IKey): void {
  // Loaded lazily: aws-s3-deployment is only needed when a sample is deployed.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const s3deploy = require('aws-cdk-lib/aws-s3-deployment') as typeof import('aws-cdk-lib/aws-s3-deployment');
  const deployment = new s3deploy.BucketDeployment(scope, 'SamplePackage', {
    destinationBucket: bucket,
    sources: [s3deploy.Source.asset(path.join(__dirname, '../../assets/sample'))],
    // The sample sits beside the user's packages: never delete what is already there.
    prune: false,
    retainOnDelete: true,
    extract: true,
    memoryLimit: 256,
  });
  key.grantEncryptDecrypt(deployment.handlerRole);
}

class CodeCommitSource extends ConfigurationSource {
  public readonly kind = 'codecommit';
  constructor(private readonly options: CodeCommitConfigurationSourceOptions) {
    super();
  }

  public bind(scope: Construct, o: ConfigurationSourceBindOptions): ConfigurationSourceConfig {
    const repository =
      this.options.repository ??
      codecommit.Repository.fromRepositoryName(scope, 'ConfigurationRepository', this.options.repositoryName!);
    const action = new actions.CodeCommitSourceAction({
      actionName: 'Source',
      repository,
      branch: this.options.branch ?? 'main',
      output: o.output,
      trigger: actions.CodeCommitTrigger.EVENTS,
    });
    return { action, kind: this.kind };
  }
}

class CodeConnectionSource extends ConfigurationSource {
  public readonly kind = 'codeconnection';
  constructor(private readonly options: CodeConnectionConfigurationSourceOptions) {
    super();
  }

  public bind(_scope: Construct, o: ConfigurationSourceBindOptions): ConfigurationSourceConfig {
    const action = new actions.CodeStarConnectionsSourceAction({
      actionName: 'Source',
      connectionArn: this.options.connectionArn,
      owner: this.options.owner,
      repo: this.options.repository,
      branch: this.options.branch ?? 'main',
      output: o.output,
      triggerOnPush: true,
    });
    return { action, kind: this.kind };
  }
}
