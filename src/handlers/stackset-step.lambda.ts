/**
 * Lambda task of the stack set state machine: starts or checks one stack set step. It never
 * waits for an operation: the state machine's Wait state sits between checks.
 *
 * Input: `{ "correlationId": "<execution name>", "runInput": {...}, "region": "us-east-1",
 * "resource": "baseline", "action": "start" | "check", "step": {...}, "operationId"?: "...",
 * "attempt"?: 2 }`.
 * Output of `start`: `{ "status": "done" | "started" | "blocked" | "failed", "operationId"?,
 * "attempt"?, "message"? }` (on `blocked`, wait and start again with `attempt + 1`). Output of
 * `check`: `{ "status": "RUNNING" | "SUCCEEDED" | "FAILED", "message"?, "failures"? }`.
 */
import { InvalidStackSetEventError, logged, StackSetTaskEvent } from './stackset-task';
import { lambdaDeps, type TaskDeps } from './task';
import { checkStep, CheckResult, startStep, StartResult } from '../engine/stacksets/executor';
import { readRunInput } from '../engine/stacksets/run-input';
import type { StackSetStep } from '../engine/stacksets/steps';

/** The task input. */
export interface StackSetStepEvent extends StackSetTaskEvent {
  readonly action: 'start' | 'check';
  readonly step: StackSetStep;
  readonly operationId?: string;
  readonly attempt?: number;
}

/** Builds the handler. */
export function createStackSetStepHandler(deps: TaskDeps): (event: StackSetStepEvent) => Promise<StartResult | CheckResult> {
  return (event) => logged(deps, `stackset-step-${event?.action}`, event, async () => {
    if (!event.step || typeof event.step.kind !== 'string' || !event.step.kind.startsWith('stackset.')) throw new InvalidStackSetEventError('step must be a stack set plan step');
    const clients = deps.clients();
    const input = await readRunInput(clients, event.runInput, event.region, deps.clock);
    const context = {
      clients,
      settings: input.settings,
      homeRegion: input.homeRegion,
      runId: event.correlationId,
      clock: deps.clock,
      // NoEcho values written in the package come from the run input, never from the step.
      packageParameters: (resource: string) => input.desired.find((d) => d.resource.name === resource)?.resource.parameters,
    };
    if (event.action === 'start') return startStep(event.step, context, event.attempt ?? 1);
    if (event.action === 'check' && typeof event.operationId === 'string') return checkStep(event.step, event.operationId, context);
    throw new InvalidStackSetEventError('action must be "start", or "check" with an operationId');
  }, (result) => ({ stepId: event.step.id, status: result.status, ...('operationId' in result ? { operationId: result.operationId } : {}), ...('message' in result ? { message: result.message } : {}) }));
}

/** The Lambda entry point. */
export const handler = createStackSetStepHandler(lambdaDeps('cdk-control-tower-customizations/stackset-step'));
