/**
 * Lambda task of the stack set state machine: when a stack set's turn comes, generates missing
 * helper values, stages a large template and re-plans the stack set from fresh state.
 *
 * Input: `{ "correlationId": "<execution name>", "runInput": { "bucket": "...", "key": "..." },
 * "region": "us-east-1", "resource": "baseline" }`.
 * Output: `{ "resource": "baseline", "stackSetName": "...", "action": "update", "steps": [...],
 * "findings": [...], "hasErrors": false }`. Steps hold SSM references for secrets, never values.
 * An AWS error while preparing (reading the run input, generating helper values, staging the
 * template, reading the stack set) is `hasErrors: true` with a CFCT-K061 finding naming the
 * error, and no steps; the handler throws only for an invalid event and for throttling its
 * retries could not absorb (Step Functions Retry handles those).
 */
import { logged, StackSetTaskEvent } from './stackset-task';
import { lambdaDeps, type TaskDeps } from './task';
import { describeError, isThrottling } from '../engine/retry';
import { engineFinding } from '../engine/rules';
import {
  desiredOf,
  prepareStackSet,
  readRunInput,
  type DesiredStackSet,
  type StackSetRunInput,
  type StackSetStep,
} from '../engine/stacksets';
import type { Finding } from '../manifest/findings';
import { hasErrors } from '../manifest/findings';

/** The task output. */
export interface StackSetPrepareResult {
  readonly resource: string;
  readonly stackSetName: string;
  readonly action: string;
  readonly steps: readonly StackSetStep[];
  readonly findings: readonly Finding[];
  readonly hasErrors: boolean;
}

/** Builds the handler. */
export function createStackSetPrepareHandler(
  deps: TaskDeps,
): (event: StackSetTaskEvent) => Promise<StackSetPrepareResult> {
  return (event) =>
    logged(
      deps,
      'stackset-prepare',
      event,
      async () => {
        const clients = deps.clients();
        let input: StackSetRunInput;
        let desired: DesiredStackSet;
        try {
          input = await readRunInput(clients, event.runInput, event.region, deps.clock);
          desired = desiredOf(input, event.resource);
        } catch (error) {
          if (isThrottling(error)) throw error;
          const { name, message: reason } = describeError(error);
          const findings = [
            engineFinding('CFCT-K061', {
              message: `reading the run input s3://${event.runInput.bucket}/${event.runInput.key} met ${name}: ${reason}`,
              resource: event.resource,
              hint: 'the plan stage stores the run input; run the pipeline again from its start',
            }),
          ];
          return {
            resource: event.resource,
            stackSetName: '',
            action: 'blocked',
            steps: [],
            findings,
            hasErrors: true,
          };
        }
        const plan = await prepareStackSet(desired, {
          clients,
          settings: input.settings,
          homeRegion: input.homeRegion,
          runId: event.correlationId,
          clock: deps.clock,
          accountState: (id) => input.accountStates[id],
        });
        return {
          resource: event.resource,
          stackSetName: plan.summary.stackSetName,
          action: plan.summary.action,
          steps: plan.steps,
          findings: plan.findings,
          hasErrors: hasErrors(plan.findings),
        };
      },
      (result) => ({
        action: result.action,
        steps: result.steps.map((s) => s.summary),
        findings: result.findings.length,
      }),
    );
}

/** The Lambda entry point. */
export const handler = createStackSetPrepareHandler(lambdaDeps('cdk-control-tower-customizations/stackset-prepare'));
