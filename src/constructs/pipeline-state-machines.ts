import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { PolicyStateMachine } from './policy-state-machine';
import { StackSetStateMachine } from './stackset-state-machine';

/** What the pipeline's deploy stages need from its state machines (internal). */
export interface PipelineStateMachinesOptions {
  readonly policyStateMachine?: sfn.IStateMachine;
  readonly stackSetStateMachine?: sfn.IStateMachine;
  readonly runBucket: s3.IBucket;
  readonly runPrefix: string;
  readonly installationId: string;
  readonly encryptionKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly stackSetPrefix?: string;
  readonly administrationRoleArn?: string;
  readonly executionRoleName?: string;
  readonly maxConcurrency?: number;
}

/** The pipeline's two state machines: the ones given, else new ones configured like the build stage. */
export function createDefaultStateMachines(
  scope: Construct,
  o: PipelineStateMachinesOptions,
): { policy: sfn.IStateMachine; stackSet: sfn.IStateMachine } {
  const shared = {
    runBucket: o.runBucket,
    runPrefix: o.runPrefix,
    installationId: o.installationId,
    encryptionKey: o.encryptionKey,
    logRetention: o.logRetention,
  };
  const policy = o.policyStateMachine ?? new PolicyStateMachine(scope, 'PolicyStateMachine', shared).stateMachine;
  const stackSet =
    o.stackSetStateMachine ??
    new StackSetStateMachine(scope, 'StackSetStateMachine', {
      ...shared,
      ...(o.stackSetPrefix ? { stackSetPrefix: o.stackSetPrefix } : {}),
      ...(o.administrationRoleArn ? { administrationRoleArn: o.administrationRoleArn } : {}),
      ...(o.executionRoleName ? { executionRoleName: o.executionRoleName } : {}),
      ...(o.maxConcurrency !== undefined ? { maxConcurrency: o.maxConcurrency } : {}),
    }).stateMachine;
  return { policy, stackSet };
}
