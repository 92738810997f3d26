import { Duration } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * Properties both state machines share: where the run files and the lock are, logging, timeouts.
 */
export interface DeployStateMachineProps {
  /**
   * The bucket holding the run files the build stage writes (`<prefix>/<pipelineExecutionId>/`:
   * plan, package, options, stack set run input) and the installation's lock object
   * (`cfct/locks/<installationId>.json`). The tasks get read access to the run files and write
   * access to the lock object only.
   */
  readonly runBucket: s3.IBucket;

  /**
   * Key prefix of the run files in `runBucket`.
   *
   * @default 'cfct/runs'
   */
  readonly runPrefix?: string;

  /**
   * The installation this state machine deploys: the value of the `cfct:installation` tag,
   * and the name of its lock.
   *
   * @default 'default'
   */
  readonly installationId?: string;

  /**
   * Log group of the state machine's execution logs (level ALL, without execution data).
   *
   * @default - a new log group encrypted with `encryptionKey`, kept for `logRetention`
   */
  readonly logGroup?: logs.ILogGroup;

  /**
   * How long the log group this construct creates keeps the logs (the state machine's and the
   * handlers'). Ignored for the state machine's logs when `logGroup` is given.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * KMS key that encrypts the log groups this construct creates.
   *
   * @default - a new customer managed key with rotation enabled
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Most time one execution may run before Step Functions stops it.
   *
   * @default - Duration.hours(1) for the policy state machine, Duration.hours(24) for the stack set state machine
   */
  readonly timeout?: Duration;

  /**
   * Timeout of each handler's Lambda function (one task: one plan check, one policy step, one
   * start or check of a stack set operation).
   *
   * @default Duration.minutes(5)
   */
  readonly taskTimeout?: Duration;

  /**
   * How long the lock is held without renewal before another run may take it over (a run whose
   * execution stopped without releasing it cannot hold the installation forever). The stack set
   * state machine renews it at every dependency wave.
   *
   * @default - the state machine's `timeout`
   */
  readonly lockTtl?: Duration;

  /**
   * Prefix of the stack set names this installation manages (the prefix the build stage plans
   * with). The tasks' CloudFormation permissions are limited to `stackset/<prefix>*`.
   *
   * @default 'CustomControlTower-'
   */
  readonly stackSetPrefix?: string;
}
