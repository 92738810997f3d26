/**
 * Lambda task of the stack set state machine: starts or checks one stack set step. It never
 * waits for an operation: the state machine's Wait state sits between checks and between starts
 * of a busy stack set.
 *
 * Input: `{ "correlationId": "<execution name>", "runInput": { "bucket", "key" }, "region":
 * "us-east-1", "resource": "baseline", "action": "start" | "check", "step": {...},
 * "operationId"?: "...", "attempt"?: 2, "pollIntervalSeconds"?: 30, "busyTimeoutSeconds"?: 3600 }`.
 * `pollIntervalSeconds` is the Wait between two starts of a busy stack set (default 10);
 * `busyTimeoutSeconds` how long a busy stack set is waited for (default: the run input's
 * `settings.busyTimeoutMinutes`, 60).
 *
 * Output of `start`, one of:
 * - `{ "status": "done" }`: a synchronous step (create or delete the stack set) finished;
 * - `{ "status": "started", "operationId": "cfct-..." }`: check it after a Wait;
 * - `{ "status": "blocked", "attempt": 3, "message": "..." }`: another operation runs on the stack
 *   set; Wait `pollIntervalSeconds`, then start again with `attempt + 1`;
 * - `{ "status": "failed", "errorName": "ValidationError", "message": "..." }`: any AWS error the
 *   step met (ValidationError, InsufficientCapabilitiesException, LimitExceededException,
 *   InvalidOperationException, StackInstanceNotFoundException, ..., OperationInProgressException
 *   once the busy wait reached its limit, NoSuchKey for a missing run input).
 *
 * Output of `check`: `{ "status": "RUNNING" }`, `{ "status": "SUCCEEDED" }` or
 * `{ "status": "FAILED", "message": "...", "failures": [{ "account", "region", "status":
 * "FAILED" | "CANCELLED", "reason" }] }`.
 *
 * A start re-run for the same step and execution (a Lambda retry, a Step Functions redrive)
 * resumes the operation it started while that runs or succeeded, and starts a new operation
 * (new id) when it ended FAILED or STOPPED. The handler throws only for an invalid event
 * (`InvalidStackSetEventError`) and for throttling its retries could not absorb (the AWS error
 * name kept, e.g. `ThrottlingException`), so Step Functions Retry handles those.
 */
import { InvalidStackSetEventError, logged, StackSetTaskEvent } from './stackset-task';
import { lambdaDeps, type TaskDeps } from './task';
import { describeError, isThrottling } from '../engine/retry';
import {
  createStackSetExecutor,
  readRunInput,
  type CheckResult,
  type StackSetExecutor,
  type StackSetStep,
  type StartResult,
} from '../engine/stacksets';

/** The task input. */
export interface StackSetStepEvent extends StackSetTaskEvent {
  readonly action: 'start' | 'check';
  readonly step: StackSetStep;
  readonly operationId?: string;
  readonly attempt?: number;
  /** Seconds the state machine waits between two starts of a busy stack set. @default 10 */
  readonly pollIntervalSeconds?: number;
  /** Seconds a busy stack set is waited for before the start fails. @default settings.busyTimeoutMinutes * 60 */
  readonly busyTimeoutSeconds?: number;
}

function positiveOrAbsent(value: unknown): boolean {
  return value === undefined || (typeof value === 'number' && Number.isFinite(value) && value > 0);
}

/** Builds the handler. */
export function createStackSetStepHandler(
  deps: TaskDeps,
): (event: StackSetStepEvent) => Promise<StartResult | CheckResult> {
  return (event) =>
    logged(
      deps,
      `stackset-step-${event?.action}`,
      event,
      async () => {
        if (!event.step || typeof event.step.kind !== 'string' || !event.step.kind.startsWith('stackset.')) {
          throw new InvalidStackSetEventError('step must be a stack set plan step');
        }
        if (event.action !== 'start' && !(event.action === 'check' && typeof event.operationId === 'string')) {
          throw new InvalidStackSetEventError('action must be "start", or "check" with an operationId');
        }
        if (
          !positiveOrAbsent(event.attempt) ||
          !positiveOrAbsent(event.pollIntervalSeconds) ||
          !positiveOrAbsent(event.busyTimeoutSeconds)
        ) {
          throw new InvalidStackSetEventError(
            'attempt, pollIntervalSeconds and busyTimeoutSeconds must be positive numbers when given',
          );
        }
        const clients = deps.clients();
        let executor: StackSetExecutor;
        try {
          const input = await readRunInput(clients, event.runInput, event.region, deps.clock);
          executor = createStackSetExecutor({
            clients,
            settings: input.settings,
            homeRegion: input.homeRegion,
            runId: event.correlationId,
            clock: deps.clock,
            ...(event.pollIntervalSeconds !== undefined ? { pollIntervalMs: event.pollIntervalSeconds * 1000 } : {}),
            ...(event.busyTimeoutSeconds !== undefined ? { busyTimeoutMs: event.busyTimeoutSeconds * 1000 } : {}),
            // NoEcho values written in the package come from the run input, never from the step.
            packageParameters: (resource: string) =>
              input.desired.find((d) => d.resource.name === resource)?.resource.parameters,
          });
        } catch (error) {
          if (isThrottling(error)) throw error;
          const { name, message: reason } = describeError(error);
          const message = `reading the run input s3://${event.runInput.bucket}/${event.runInput.key}: ${name}: ${reason}`;
          return event.action === 'start'
            ? { status: 'failed' as const, errorName: name, message }
            : { status: 'FAILED' as const, message, failures: [] };
        }
        if (event.action === 'start') return executor.start(event.step, event.attempt ?? 1);
        return executor.check(event.step, event.operationId!);
      },
      (result) => ({
        stepId: event.step.id,
        status: result.status,
        ...('operationId' in result ? { operationId: result.operationId } : {}),
        ...('errorName' in result ? { errorName: result.errorName } : {}),
        ...('message' in result ? { message: result.message } : {}),
        ...('failures' in result ? { failures: result.failures.length } : {}),
      }),
    );
}

/** The Lambda entry point. */
export const handler = createStackSetStepHandler(lambdaDeps('cdk-control-tower-customizations/stackset-step'));
