import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as lambdaEvents from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { eventBridgeKeyStatement } from './key-statements';
import { LifecycleTriggerFunction } from '../handlers/lifecycle-trigger-function';

/**
 * Properties of a {@link LifecycleTrigger}.
 */
export interface LifecycleTriggerProps {
  /** The pipeline to start; it must declare the V2 pipeline variable `ACCOUNTS`. */
  readonly pipeline: codepipeline.IPipeline;

  /** KMS key that encrypts the queues and the function's logs. */
  readonly encryptionKey: kms.IKey;

  /**
   * How many receives a message gets before it moves to the dead-letter queue.
   *
   * @default 5 (as upstream)
   */
  readonly maxReceiveCount?: number;

  /**
   * How long the function's logs are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What happens to the log group when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The new-account trigger: Control Tower `CreateManagedAccount` and `UpdateManagedAccount`
 * events (state SUCCEEDED) → EventBridge → SQS FIFO queue (dead-letter queue after 5 receives,
 * both KMS-encrypted) → Lambda → `StartPipelineExecution` with the V2 pipeline variable
 * `ACCOUNTS` naming the accounts, so the run touches only their stack instances.
 */
export class LifecycleTrigger extends Construct {
  /** The FIFO queue the lifecycle events wait in. */
  public readonly queue: sqs.IQueue;
  /** Messages that failed `maxReceiveCount` times. */
  public readonly deadLetterQueue: sqs.IQueue;
  /** The function that starts the pipeline. */
  public readonly function: lambda.IFunction;
  /** The EventBridge rule on the lifecycle events. */
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: LifecycleTriggerProps) {
    super(scope, id);
    const maxReceiveCount = props.maxReceiveCount ?? 5;
    if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000) {
      throw new Error(`maxReceiveCount must be a whole number between 1 and 1000, got ${maxReceiveCount}`);
    }
    const timeout = Duration.minutes(1);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      fifo: true,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const queue = new sqs.Queue(this, 'Queue', {
      fifo: true,
      contentBasedDeduplication: true,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      // Six times the function timeout, as Lambda recommends for SQS event sources.
      visibilityTimeout: Duration.minutes(6),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
    });
    this.queue = queue;

    this.rule = new events.Rule(this, 'Rule', {
      description: 'Control Tower managed account created or updated: run the customizations for that account',
      eventPattern: {
        source: ['aws.controltower'],
        detailType: ['AWS Service Event via CloudTrail'],
        detail: { eventName: ['CreateManagedAccount', 'UpdateManagedAccount'] },
      },
      targets: [new targets.SqsQueue(queue, { messageGroupId: 'cfct-lifecycle' })],
    });
    // EventBridge writes to the KMS-encrypted queue: it needs the key (rules of this account and region only).
    props.encryptionKey.addToResourcePolicy(eventBridgeKeyStatement(Stack.of(this)), false);

    const logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: props.encryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Starts the customizations pipeline for new Control Tower accounts',
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn, `${logGroup.logGroupArn}:log-stream:*`],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['codepipeline:StartPipelineExecution'],
        resources: [props.pipeline.pipelineArn],
      }),
    );

    const fn = new LifecycleTriggerFunction(this, 'Function', {
      description: 'Starts the customizations pipeline for the accounts named by Control Tower lifecycle events',
      role,
      logGroup,
      timeout,
      memorySize: 256,
      environment: { PIPELINE_NAME: props.pipeline.pipelineName },
    });
    fn.addEventSource(new lambdaEvents.SqsEventSource(queue, { batchSize: 10 }));
    this.function = fn;
  }
}
