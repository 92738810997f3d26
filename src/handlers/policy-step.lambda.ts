/**
 * Lambda task of the policy state machine: applies one SCP/RCP plan step.
 *
 * Input (the Map state's item, with the execution name as correlation id):
 * ```json
 * { "correlationId": "run-2026-01-01T00-00-00Z", "installationId": "default",
 *   "step": { "kind": "policy.attach", "id": "policy.attach:scp:deny-leave:ou-ab12-cd34ef56", ... } }
 * ```
 * Output: `{ "stepId": "...", "kind": "policy.attach", "outcome": "applied" | "already-done", "policyId": "p-..." }`.
 *
 * Throttling and conflicts are retried inside (backoff with jitter); any other failure is
 * rethrown with the AWS error name, for the state machine's Retry/Catch. Logs are JSON lines
 * with the correlation id; policy content is never logged.
 */
import { AwsClients, createAwsClients } from '../aws/clients';
import { createPolicyExecutor, StepOutcome } from '../engine/policies/executor';
import { isPolicyStep } from '../engine/policies/run';
import type { PolicyStep } from '../engine/policies/steps';
import { Clock, systemClock } from '../engine/retry';

/** The task input. */
export interface PolicyStepEvent {
  readonly correlationId: string;
  readonly installationId: string;
  readonly step: PolicyStep;
}

/** What the handler depends on; tests pass a fake's clients and clock. */
export interface PolicyStepHandlerDeps {
  readonly clients: () => AwsClients;
  readonly clock: Clock;
  readonly log: (entry: Record<string, unknown>) => void;
}

/** Builds the handler. */
export function createPolicyStepHandler(deps: PolicyStepHandlerDeps): (event: PolicyStepEvent) => Promise<StepOutcome> {
  return async (event) => {
    const correlationId = typeof event?.correlationId === 'string' ? event.correlationId : 'unknown';
    const problem = invalidEvent(event);
    if (problem) {
      deps.log({ level: 'error', correlationId, message: `invalid event: ${problem}` });
      throw new InvalidPolicyStepEventError(problem);
    }
    const { step } = event;
    const started = deps.clock.now();
    const context = { correlationId, installationId: event.installationId, stepId: step.id, kind: step.kind };
    deps.log({ level: 'info', ...context, message: step.summary });
    try {
      const executor = createPolicyExecutor({ clients: deps.clients(), installationId: event.installationId, clock: deps.clock });
      const outcome = await executor.apply(step);
      deps.log({ level: 'info', ...context, outcome: outcome.outcome, policyId: outcome.policyId, durationMs: deps.clock.now() - started });
      return outcome;
    } catch (error) {
      const { name, message } = error as Error;
      deps.log({ level: 'error', ...context, errorName: name, message, durationMs: deps.clock.now() - started });
      throw error;
    }
  };
}

/** Thrown for an event that is not a policy step task input. */
export class InvalidPolicyStepEventError extends Error {
  constructor(problem: string) {
    super(problem);
    this.name = 'InvalidPolicyStepEventError';
  }
}

function invalidEvent(event: PolicyStepEvent | undefined): string | undefined {
  if (!event || typeof event !== 'object') return 'the event must be an object';
  if (typeof event.installationId !== 'string' || event.installationId === '') return 'installationId must be a non-empty string';
  const step = event.step as unknown as { kind?: unknown; id?: unknown } | undefined;
  if (!step || typeof step.kind !== 'string' || typeof step.id !== 'string') return 'step must be a plan step with an id and a kind';
  if (!isPolicyStep(event.step)) return `step kind ${String(step.kind)} is not a policy step`;
  return undefined;
}

let clients: AwsClients | undefined;

/** The Lambda entry point: real clients (created once per container), the system clock, logs to stdout. */
export const handler = createPolicyStepHandler({
  clients: () => (clients ??= createAwsClients({ userAgent: 'cdk-control-tower-customizations/policy-step' })),
  clock: systemClock,
  log: (entry) => console.log(JSON.stringify(entry)),
});
