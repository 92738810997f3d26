/**
 * What every Lambda task shares: its dependencies (clients, clock, log), structured JSON logs
 * carrying the correlation id (the state machine execution name), event checks, and the real
 * clients of the Lambda entry points.
 */
import { AwsClients, createAwsClients } from '../aws/clients';
import { systemClock, type Clock } from '../engine/retry';

/** What a task depends on; tests pass a fake's clients and clock. */
export interface TaskDeps {
  readonly clients: () => AwsClients;
  readonly clock: Clock;
  readonly log: (entry: Record<string, unknown>) => void;
}

/** Thrown for an event that is not the task's input (the state machine's Catch sees its name). */
export class InvalidTaskEventError extends Error {
  constructor(problem: string, name = 'InvalidTaskEventError') {
    super(problem);
    this.name = name;
  }
}

/** How one task run is described in its log lines. */
export interface TaskRun<T> {
  readonly task: string;
  /** Fields every log line carries, the correlation id first among them. */
  readonly context: Readonly<Record<string, unknown>> & { readonly correlationId: string };
  /** Why the event is not this task's input, or undefined. */
  readonly problem: string | undefined;
  /** The error thrown for an invalid event. */
  readonly invalid: (problem: string) => Error;
  /** What the result adds to the last log line. */
  readonly describe: (result: T) => Record<string, unknown>;
}

/** Runs `work` with start/end/error log lines; an invalid event is logged and thrown before any work. */
export async function runTask<T>(deps: TaskDeps, run: TaskRun<T>, work: () => Promise<T>): Promise<T> {
  const context = { task: run.task, ...run.context };
  if (run.problem) {
    deps.log({ level: 'error', ...context, message: `invalid event: ${run.problem}` });
    throw run.invalid(run.problem);
  }
  const started = deps.clock.now();
  deps.log({ level: 'info', ...context, message: 'started' });
  try {
    const result = await work();
    deps.log({ level: 'info', ...context, ...run.describe(result), durationMs: deps.clock.now() - started });
    return result;
  } catch (error) {
    const { name, message } = error as Error;
    deps.log({ level: 'error', ...context, errorName: name, message, durationMs: deps.clock.now() - started });
    throw error;
  }
}

/** The correlation id of an event, or `unknown` when it has none. */
export function correlationIdOf(event: unknown): string {
  const id = (event as { correlationId?: unknown } | undefined)?.correlationId;
  return typeof id === 'string' && id !== '' ? id : 'unknown';
}

let clients: AwsClients | undefined;

/** The dependencies of a Lambda entry point: real clients (one set per container), the system clock, JSON logs. */
export function lambdaDeps(userAgent: string): TaskDeps {
  return {
    clients: () => (clients ??= createAwsClients({ userAgent })),
    clock: systemClock,
    log: (entry) => console.log(JSON.stringify(entry)),
  };
}
