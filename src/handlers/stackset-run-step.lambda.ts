/**
 * Lambda task of the stack set state machine: starts or checks step `index` of a prepared stack
 * set, through the step task (`stackset-step.lambda.ts`). The step is read from S3 (stored by
 * `stackset-run-prepare`), so account lists never travel in the execution's payload; the output
 * is cut to a bounded size (10 instance failures, 1,000-character messages).
 *
 * Input: `{ "correlationId", "runInput", "region", "resource", "action": "start" | "check",
 * "index": 0, "operationId"?, "attempt"?, "pollIntervalSeconds"?, "busyTimeoutSeconds"? }`.
 * Output: the step task's result (contract A): `start` gives `done`, `started` (operationId),
 * `blocked` (attempt, message) or `failed` (errorName, message); `check` gives `RUNNING`,
 * `SUCCEEDED` or `FAILED` (message, failures, failureCount). An AWS error the step task throws
 * becomes `failed`/`FAILED` with its name; only throttling and invalid events are thrown.
 */
import { cut, preparedStepsRef, readPreparedSteps } from './stackset-run';
import { createStackSetStepHandler } from './stackset-step.lambda';
import { InvalidStackSetEventError, logged, type StackSetTaskEvent } from './stackset-task';
import { InvalidTaskEventError, lambdaDeps, type TaskDeps } from './task';
import { isThrottling } from '../engine/retry';

/** The task input. */
export interface StackSetRunStepEvent extends StackSetTaskEvent {
  readonly action: 'start' | 'check';
  readonly index: number;
  readonly operationId?: string;
  readonly attempt?: number;
  readonly pollIntervalSeconds?: number;
  readonly busyTimeoutSeconds?: number;
}

/** The task output: contract A's start and check results, bounded. */
export interface StackSetRunStepResult {
  readonly status: 'done' | 'started' | 'blocked' | 'failed' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  readonly operationId?: string;
  readonly attempt?: number;
  readonly errorName?: string;
  readonly message?: string;
  readonly failures?: readonly {
    readonly account: string;
    readonly region: string;
    readonly status?: string;
    readonly reason: string;
  }[];
  readonly failureCount?: number;
  /** The step's one-line summary. */
  readonly step: string;
}

/** Builds the handler. */
export function createStackSetRunStepHandler(
  deps: TaskDeps,
): (event: StackSetRunStepEvent) => Promise<StackSetRunStepResult> {
  const stepTask = createStackSetStepHandler(deps);
  return (event) =>
    logged(
      deps,
      `stackset-run-step-${event?.action}`,
      event,
      async () => {
        if (event.action !== 'start' && event.action !== 'check') {
          throw new InvalidStackSetEventError('action must be "start" or "check"');
        }
        if (!Number.isInteger(event.index) || event.index < 0) {
          throw new InvalidStackSetEventError('index must be a non-negative integer');
        }
        const steps = await readPreparedSteps(
          deps.clients(),
          preparedStepsRef(event.runInput, event.resource),
          event.region,
          deps.clock,
        );
        const step = steps[event.index];
        if (!step) {
          throw new InvalidStackSetEventError(
            `the prepared stack set ${event.resource} has ${steps.length} step(s), not a step ${event.index}`,
          );
        }
        const {
          correlationId,
          runInput,
          region,
          resource,
          action,
          operationId,
          attempt,
          pollIntervalSeconds,
          busyTimeoutSeconds,
        } = event;
        let result: Record<string, unknown>;
        try {
          result = (await stepTask({
            correlationId,
            runInput,
            region,
            resource,
            action,
            step,
            ...(operationId !== undefined ? { operationId } : {}),
            ...(attempt !== undefined ? { attempt } : {}),
            ...(pollIntervalSeconds !== undefined ? { pollIntervalSeconds } : {}),
            ...(busyTimeoutSeconds !== undefined ? { busyTimeoutSeconds } : {}),
          } as Parameters<typeof stepTask>[0])) as unknown as Record<string, unknown>;
        } catch (error) {
          if (isThrottling(error) || error instanceof InvalidTaskEventError) throw error;
          const { name, message } = error as Error;
          const text = cut(`${step.summary}: ${name}: ${message}`);
          return action === 'start'
            ? { status: 'failed', errorName: name, message: text, step: step.summary }
            : { status: 'FAILED', errorName: name, message: text, failures: [], failureCount: 0, step: step.summary };
        }
        const failures = Array.isArray(result.failures)
          ? (result.failures as NonNullable<StackSetRunStepResult['failures']>)
          : undefined;
        return {
          ...(result as unknown as StackSetRunStepResult),
          ...(typeof result.message === 'string' ? { message: cut(result.message) } : {}),
          ...(failures ? { failures: failures.slice(0, 10), failureCount: failures.length } : {}),
          ...(result.status === 'failed' && typeof result.errorName !== 'string'
            ? { errorName: 'StackSetStepFailed' }
            : {}),
          step: step.summary,
        };
      },
      (r) => ({
        index: event.index,
        status: r.status,
        ...(r.operationId ? { operationId: r.operationId } : {}),
        ...(r.message ? { message: r.message } : {}),
      }),
    );
}

/** The Lambda entry point. */
export const handler = createStackSetRunStepHandler(lambdaDeps('cdk-control-tower-customizations/stackset-run-step'));
