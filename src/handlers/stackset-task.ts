/**
 * Shared by the stack set Lambda tasks: their dependencies, the real clients, structured
 * logging with the correlation id, and event checks.
 */
import { AwsClients, createAwsClients } from '../aws/clients';
import type { Clock } from '../engine/retry';
import type { StackSetClients } from '../engine/stacksets/clients';
import type { S3ObjectRef } from '../engine/stacksets/run-input';

/** What a stack set task depends on; tests pass a fake's clients and clock. */
export interface StackSetTaskDeps {
  readonly clients: () => StackSetClients;
  readonly clock: Clock;
  readonly log: (entry: Record<string, unknown>) => void;
}

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
export class InvalidStackSetEventError extends Error {
  constructor(problem: string) {
    super(problem);
    this.name = 'InvalidStackSetEventError';
  }
}

/** Why `event` is not a stack set task event, or undefined. */
export function eventProblem(event: Partial<StackSetTaskEvent> | undefined): string | undefined {
  if (!event || typeof event !== 'object') return 'the event must be an object';
  if (typeof event.correlationId !== 'string' || !event.correlationId) return 'correlationId must be a non-empty string';
  if (!event.runInput || typeof event.runInput.bucket !== 'string' || typeof event.runInput.key !== 'string') return 'runInput must be { bucket, key }';
  if (typeof event.region !== 'string' || !event.region) return 'region must be a non-empty string';
  if (typeof event.resource !== 'string' || !event.resource) return 'resource must be a non-empty string';
  return undefined;
}

/** Runs `work` with start/end/error log lines that carry the correlation id and the resource. */
export async function logged<T>(
  deps: StackSetTaskDeps,
  task: string,
  event: Partial<StackSetTaskEvent>,
  work: () => Promise<T>,
  describe: (result: T) => Record<string, unknown>,
): Promise<T> {
  const correlationId = typeof event?.correlationId === 'string' ? event.correlationId : 'unknown';
  const problem = eventProblem(event);
  if (problem) {
    deps.log({ level: 'error', task, correlationId, message: `invalid event: ${problem}` });
    throw new InvalidStackSetEventError(problem);
  }
  const context = { task, correlationId, resource: event.resource };
  const started = deps.clock.now();
  deps.log({ level: 'info', ...context, message: 'started' });
  try {
    const result = await work();
    deps.log({ level: 'info', ...context, ...describe(result), durationMs: deps.clock.now() - started });
    return result;
  } catch (error) {
    const { name, message } = error as Error;
    deps.log({ level: 'error', ...context, errorName: name, message, durationMs: deps.clock.now() - started });
    throw error;
  }
}

let aws: AwsClients | undefined;

/** Real clients for the Lambda entry points, created once per container. */
export function realStackSetClients(userAgent: string): StackSetClients {
  return (aws ??= createAwsClients({ userAgent }));
}
