/**
 * Shared by the stack set Lambda tasks: their event, its checks, and the logged run.
 */
import { correlationIdOf, InvalidTaskEventError, runTask, type TaskDeps } from './task';
import type { S3ObjectRef } from '../engine/stacksets';

/** Fields every stack set task event has. */
export interface StackSetTaskEvent {
  /** The state machine execution name: every log line carries it. */
  readonly correlationId: string;
  /** The run input the plan stage stored. */
  readonly runInput: S3ObjectRef;
  /** Region of the run input's bucket (the home region). */
  readonly region: string;
  /** The manifest resource this task works on. */
  readonly resource: string;
}

/** Thrown for an event that is not this task's input. */
export class InvalidStackSetEventError extends InvalidTaskEventError {
  constructor(problem: string) {
    super(problem, 'InvalidStackSetEventError');
  }
}

/** Why `event` is not a stack set task event, or undefined. */
export function eventProblem(event: Partial<StackSetTaskEvent> | undefined): string | undefined {
  if (!event || typeof event !== 'object') return 'the event must be an object';
  if (typeof event.correlationId !== 'string' || !event.correlationId) {
    return 'correlationId must be a non-empty string';
  }
  if (!event.runInput || typeof event.runInput.bucket !== 'string' || typeof event.runInput.key !== 'string') {
    return 'runInput must be { bucket, key }';
  }
  if (typeof event.region !== 'string' || !event.region) return 'region must be a non-empty string';
  if (typeof event.resource !== 'string' || !event.resource) return 'resource must be a non-empty string';
  return undefined;
}

/** Runs a stack set task's `work` with log lines that carry the correlation id and the resource. */
export function logged<T>(
  deps: TaskDeps,
  task: string,
  event: Partial<StackSetTaskEvent>,
  work: () => Promise<T>,
  describe: (result: T) => Record<string, unknown>,
): Promise<T> {
  const problem = eventProblem(event);
  const context = problem
    ? { correlationId: correlationIdOf(event) }
    : { correlationId: correlationIdOf(event), resource: event.resource };
  return runTask(deps, { task, context, problem, invalid: (p) => new InvalidStackSetEventError(p), describe }, work);
}
