/**
 * Lambda task of the stack set state machine: prepares one stack set when its turn comes
 * (through the prepare task, `stackset-prepare.lambda.ts`: helper values, staging, re-plan from
 * fresh state), limits the steps to the run's accounts, and stores the steps in S3 beside the run
 * input. A stack set that left the manifest runs the removal steps of the approved plan.
 *
 * Input: `{ "correlationId", "runInput": {bucket,key}, "region", "resource", "plan": {bucket,key},
 * "options": {bucket,key} }`.
 * Output: `{ "resource", "stackSetName", "action", "stepCount", "hasErrors", "message",
 * "findings": [...first 10 errors], "findingCount" }`: no step, template or account list.
 */
import { createStackSetPrepareHandler } from './stackset-prepare.lambda';
import { preparedStepsRef, storePreparedSteps, cut } from './stackset-run';
import { logged, type StackSetTaskEvent } from './stackset-task';
import { InvalidTaskEventError, lambdaDeps, type TaskDeps } from './task';
import { readApprovedRun } from '../engine/pipeline-run';
import { isPolicyStep } from '../engine/policies';
import { describeError, isThrottling } from '../engine/retry';
import { engineFinding } from '../engine/rules';
import { limitToAccounts } from '../engine/run';
import { readRunInput, type S3ObjectRef, type StackSetStep } from '../engine/stacksets';
import { formatFinding, type Finding } from '../manifest/findings';

/** The task input. */
export interface StackSetRunPrepareEvent extends StackSetTaskEvent {
  readonly plan: S3ObjectRef;
  readonly options: S3ObjectRef;
}

/** The task output. */
export interface StackSetRunPrepareResult {
  readonly resource: string;
  readonly stackSetName: string;
  readonly action: string;
  readonly stepCount: number;
  readonly hasErrors: boolean;
  /** The error findings, one line each (cut to 1,000 characters); empty without errors. */
  readonly message: string;
  readonly findings: readonly Finding[];
  readonly findingCount: number;
  /** Whether the resource has `export_outputs` to write once it converged. */
  readonly hasExports: boolean;
}

/** Builds the handler. */
export function createStackSetRunPrepareHandler(
  deps: TaskDeps,
): (event: StackSetRunPrepareEvent) => Promise<StackSetRunPrepareResult> {
  const prepare = createStackSetPrepareHandler(deps);
  return (event) =>
    logged(
      deps,
      'stackset-run-prepare',
      event,
      async () => {
        const clients = deps.clients();
        const approved = await readApprovedRun(
          clients,
          { plan: event.plan, options: event.options, region: event.region },
          deps.clock,
        );
        const input = await readRunInput(clients, event.runInput, event.region, deps.clock);
        let result: Omit<StackSetRunPrepareResult, 'stepCount' | 'message' | 'findingCount' | 'hasExports'> & {
          steps: readonly StackSetStep[];
        };
        if (input.desired.some((d) => d.resource.name === event.resource)) {
          try {
            const { correlationId, runInput, region, resource } = event;
            const prepared = await prepare({ correlationId, runInput, region, resource });
            const accounts = approved.options.accounts;
            result = {
              ...prepared,
              steps: accounts ? limitToAccounts(prepared.steps, accounts).steps : prepared.steps,
            };
          } catch (error) {
            if (isThrottling(error) || error instanceof InvalidTaskEventError) throw error;
            const { name, message } = describeError(error);
            const finding = engineFinding('CFCT-K061', {
              message: `preparing the stack set met ${name}: ${message}; nothing was changed on it`,
              resource: event.resource,
            });
            result = {
              resource: event.resource,
              stackSetName: event.resource,
              action: 'failed',
              steps: [],
              findings: [finding],
              hasErrors: true,
            };
          }
        } else {
          // A stack set that left the manifest: its removal steps are in the approved plan.
          const steps = approved.plan.steps.filter(
            (s): s is StackSetStep => !isPolicyStep(s) && s.resource === event.resource,
          );
          if (steps.length === 0) {
            throw new InvalidTaskEventError(`the approved plan has no stack set resource named ${event.resource}`);
          }
          result = {
            resource: event.resource,
            stackSetName: steps[0].stackSetName,
            action: 'delete',
            steps,
            findings: [],
            hasErrors: false,
          };
        }
        const stored = preparedStepsRef(event.runInput, event.resource);
        if (!result.hasErrors) await storePreparedSteps(clients, stored, event.region, result.steps, deps.clock);
        const errors = result.findings.filter((f) => f.severity === 'error');
        const resource = input.desired.find((d) => d.resource.name === event.resource)?.resource;
        return {
          resource: result.resource,
          stackSetName: result.stackSetName,
          action: result.action,
          stepCount: result.hasErrors ? 0 : result.steps.length,
          hasErrors: result.hasErrors,
          message: cut(errors.map(formatFinding).join('\n')),
          findings: errors.slice(0, 10),
          findingCount: result.findings.length,
          hasExports: (resource?.exportOutputs.length ?? 0) > 0,
        };
      },
      (r) => ({ action: r.action, stepCount: r.stepCount, hasErrors: r.hasErrors }),
    );
}

/** The Lambda entry point. */
export const handler = createStackSetRunPrepareHandler(
  lambdaDeps('cdk-control-tower-customizations/stackset-run-prepare'),
);
