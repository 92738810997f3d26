import { Duration } from 'aws-cdk-lib';
import { DeployStateMachineProps } from './state-machine-props';

/**
 * Properties of a {@link StackSetStateMachine}.
 *
 * There are no operation preference or stack set order props here: this state machine does not
 * plan. It applies the plan the build stage made, re-planning each stack set with the run
 * options stored beside it, which carry the installation's defaults
 * (`CustomControlTowerPipeline`'s `stackSetOperationPreferences` and `stackSetOrder`, or
 * `cfct pipeline-build --operation-preferences` / `--stack-set-order`).
 */
export interface StackSetStateMachineProps extends DeployStateMachineProps {
  /**
   * Most stack sets of one dependency wave deployed at once (the Map state's MaxConcurrency).
   *
   * @default 4
   */
  readonly maxConcurrency?: number;

  /**
   * Time from the start of a stack set operation to its first check (a Wait state), and between
   * two starts of a step whose stack set is busy with another operation. A running operation is
   * checked again at a third of this interval (at least 5 seconds, at most the interval).
   *
   * @default Duration.seconds(30)
   */
  readonly pollInterval?: Duration;

  /**
   * Most time one stack set operation is waited for; after that the stack set fails with a
   * message naming the operation (which keeps running in CloudFormation).
   *
   * @default Duration.hours(6)
   */
  readonly maxOperationWait?: Duration;

  /**
   * Most time a step waits for another operation on its stack set to finish
   * (OperationInProgressException) before it fails.
   *
   * @default Duration.minutes(60)
   */
  readonly busyTimeout?: Duration;

  /**
   * ARN of the StackSets administration role (SELF_MANAGED), which the tasks pass to
   * CloudFormation. Give the role the build stage plans with.
   *
   * @default - `arn:<partition>:iam::<account>:role/service-role/AWSControlTowerStackSetRole`
   */
  readonly administrationRoleArn?: string;

  /**
   * Name of the role StackSets (and the helper and output tasks) assume in each target account.
   * Give the role name the build stage plans with.
   *
   * @default 'AWSControlTowerExecution'
   */
  readonly executionRoleName?: string;
}
