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
import { correlationIdOf, InvalidTaskEventError, lambdaDeps, runTask, type TaskDeps } from './task';
import { createPolicyExecutor, isPolicyStep, StepOutcome, type PolicyStep } from '../engine/policies';

/** The task input. */
export interface PolicyStepEvent {
  readonly correlationId: string;
  readonly installationId: string;
  readonly step: PolicyStep;
}

/** Builds the handler. */
export function createPolicyStepHandler(deps: TaskDeps): (event: PolicyStepEvent) => Promise<StepOutcome> {
  return (event) => {
    const problem = invalidEvent(event);
    const correlationId = correlationIdOf(event);
    const { installationId, step } = event ?? {};
    const context = problem
      ? { correlationId }
      : { correlationId, installationId, stepId: step.id, kind: step.kind, summary: step.summary };
    return runTask(
      deps,
      {
        task: 'policy-step',
        context,
        problem,
        invalid: (p) => new InvalidPolicyStepEventError(p),
        describe: (outcome) => ({ outcome: outcome.outcome, policyId: outcome.policyId }),
      },
      () =>
        createPolicyExecutor({
          clients: deps.clients(),
          installationId: event.installationId,
          clock: deps.clock,
        }).apply(event.step),
    );
  };
}

/** Thrown for an event that is not a policy step task input. */
export class InvalidPolicyStepEventError extends InvalidTaskEventError {
  constructor(problem: string) {
    super(problem, 'InvalidPolicyStepEventError');
  }
}

function invalidEvent(event: PolicyStepEvent | undefined): string | undefined {
  if (!event || typeof event !== 'object') return 'the event must be an object';
  if (typeof event.installationId !== 'string' || event.installationId === '') {
    return 'installationId must be a non-empty string';
  }
  const step = event.step as unknown as { kind?: unknown; id?: unknown } | undefined;
  if (!step || typeof step.kind !== 'string' || typeof step.id !== 'string') {
    return 'step must be a plan step with an id and a kind';
  }
  if (!isPolicyStep(event.step)) return `step kind ${String(step.kind)} is not a policy step`;
  return undefined;
}

/** The Lambda entry point. */
export const handler = createPolicyStepHandler(lambdaDeps('cdk-control-tower-customizations/policy-step'));
