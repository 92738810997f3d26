import { Aws, Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  deployParts,
  grantReadRunFiles,
  lambdaTask,
  lockedRunStates,
  newHandler,
  newLockFunction,
  newPlanCheckFunction,
  stateMachineLogs,
  suppress,
  suppressStateMachineRole,
} from './deploy-parts';
import { PolicyStateMachineProps } from './policy-state-machine-props';
import { PolicyStepsFunction } from '../handlers/policy-steps-function';

/**
 * The policy stage of a pipeline run, as a Step Functions state machine: takes the
 * installation's lock, checks that the approved plan is still what the live organization and
 * the stored package give (and refuses otherwise; an approved plan without a policy step ends
 * there, without reading the organization again), applies the plan's SCP and RCP steps one at a
 * time (Organizations writes are serialised), and releases the lock.
 *
 * The execution input is a `PolicyStateMachineInput` (src/engine/pipeline-run.ts): references to
 * the run files in S3, never plans or account lists. Every task retries Lambda service errors
 * and throttling with backoff and jitter, and a failure releases the lock before the execution
 * fails with its cause.
 */
export class PolicyStateMachine extends Construct {
  /** The state machine. */
  public readonly stateMachine: sfn.StateMachine;

  /** The lock task's function. */
  public readonly lockFunction: lambda.Function;

  /** The plan check's function (re-plans from the live organization). */
  public readonly planCheckFunction: lambda.Function;

  /** The function that applies policy steps. */
  public readonly policyStepsFunction: lambda.Function;

  constructor(scope: Construct, id: string, props: PolicyStateMachineProps) {
    super(scope, id);
    const parts = deployParts(this, props, Duration.hours(1));

    this.lockFunction = newLockFunction(parts);
    this.planCheckFunction = newPlanCheckFunction(parts);
    this.policyStepsFunction = newHandler(parts, 'PolicyStepsTask', PolicyStepsFunction, {
      description: "Applies the approved plan's SCP and RCP steps",
      memorySize: 1024,
    });
    grantReadRunFiles(parts, this.policyStepsFunction);
    grantPolicyWrites(this.policyStepsFunction);

    const failed = new sfn.Fail(this, 'PolicyRunFailed', { error: 'PolicyRunFailed', causePath: '$.error.Cause' });
    const stepFailed = new sfn.Fail(this, 'PolicyStepFailed', {
      error: 'PolicyStepFailed',
      causePath: '$.policies.failed.cause',
    });
    const states = lockedRunStates(
      this,
      { lock: this.lockFunction, planCheck: this.planCheckFunction },
      parts.lockTtl,
      'policies',
      failed,
    );
    const { releaseAfterError, release } = states;

    const start = new sfn.Pass(this, 'StartPolicySteps', {
      result: sfn.Result.fromObject({ nextIndex: 0, done: false }),
      resultPath: '$.policies',
    });
    const apply = lambdaTask(
      this,
      'ApplyPolicySteps',
      this.policyStepsFunction,
      {
        correlationId: sfn.JsonPath.stringAt('$.runId'),
        installationId: sfn.JsonPath.stringAt('$.installationId'),
        region: sfn.JsonPath.stringAt('$.region'),
        plan: sfn.JsonPath.objectAt('$.plan'),
        index: sfn.JsonPath.numberAt('$.policies.nextIndex'),
      },
      '$.policies',
      'Applies steps in order from nextIndex for up to a minute; called again until done',
    );
    apply.addCatch(releaseAfterError, { resultPath: '$.error' });

    const applied = release('ReleaseLock', new sfn.Succeed(this, 'PoliciesApplied'));
    const afterStep = new sfn.Choice(this, 'PolicyStepsLeft')
      .when(sfn.Condition.isPresent('$.policies.failed'), release('ReleaseLockAfterStepFailure', stepFailed))
      .when(sfn.Condition.booleanEquals('$.policies.done', true), applied)
      .otherwise(apply);

    const definition = states.definition(start.next(apply.next(afterStep)), {
      choiceId: 'PolicyStepsToApply',
      succeedId: 'NoPolicySteps',
      comment: 'The approved plan has no policy step',
    });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      comment: 'Customizations for AWS Control Tower: SCPs and RCPs of an approved plan',
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: parts.timeout,
      tracingEnabled: true,
      logs: stateMachineLogs(parts, props.logGroup),
    });
    suppressStateMachineRole(this.stateMachine);
  }
}

/** Organizations writes of the policy steps, scoped to the organization's policies and targets. */
function grantPolicyWrites(fn: PolicyStepsFunction): void {
  const org = `arn:${Aws.PARTITION}:organizations::${Aws.ACCOUNT_ID}`;
  const policies = [`${org}:policy/o-*/service_control_policy/p-*`, `${org}:policy/o-*/resource_control_policy/p-*`];
  const targets = [`${org}:root/o-*/r-*`, `${org}:ou/o-*/ou-*`, `arn:${Aws.PARTITION}:organizations::*:account/o-*/*`];
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['organizations:CreatePolicy'],
      resources: ['*'],
      conditions: {
        StringEquals: { 'organizations:PolicyType': ['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY'] },
      },
    }),
  );
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: [
        'organizations:UpdatePolicy',
        'organizations:DeletePolicy',
        'organizations:DescribePolicy',
        'organizations:TagResource',
        'organizations:ListTagsForResource',
        'organizations:ListTargetsForPolicy',
      ],
      resources: policies,
    }),
  );
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['organizations:AttachPolicy', 'organizations:DetachPolicy'],
      resources: [...policies, ...targets],
    }),
  );
  fn.addToRolePolicy(
    new iam.PolicyStatement({ actions: ['organizations:EnablePolicyType'], resources: [`${org}:root/o-*/r-*`] }),
  );
  fn.addToRolePolicy(
    new iam.PolicyStatement({ actions: ['organizations:ListPolicies', 'organizations:ListRoots'], resources: ['*'] }),
  );
  suppress(fn.role!.node.findChild('DefaultPolicy'), [
    {
      id: 'AwsSolutions-IAM5',
      reason:
        'Policies, roots, OUs and accounts of the organization: their ids are known only at run time; CreatePolicy and the List calls support no resource-level permissions (CreatePolicy is limited to SCPs and RCPs)',
      appliesTo: ['Resource::*', { regex: '/^Resource::arn:<AWS::Partition>:organizations::.*\\*$/' }],
    },
  ]);
}
