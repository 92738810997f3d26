/**
 * Applies the policy part of a plan, for the command line (the pipeline's state machine does the
 * same one step at a time through the policy handlers): one executor for the run, the plan's
 * policy steps in order, stopping at the first failure.
 */
import type { Finding } from '../../manifest/findings';
import { hasErrors } from '../../manifest/findings';
import type { Plan } from '../plan';
import { createPolicyExecutor, PolicyExecutorOptions, StepOutcome } from './executor';
import { isPolicyStep } from './steps';

/** What applying a plan did. */
export interface ApplyResult {
  /** One per step applied, in order. */
  readonly outcomes: readonly StepOutcome[];
  /** The first step that failed (later steps were not run), with its error. */
  readonly failed?: { readonly stepId: string; readonly error: string };
  /** Set when the plan was refused (it has error findings); nothing was applied. */
  readonly refused?: readonly Finding[];
}

/** Applies the plan's policy steps in order; stops at the first failure. Refuses plans with errors. */
export async function applyPolicyPlan(
  plan: Plan,
  options: Omit<PolicyExecutorOptions, 'installationId'>,
): Promise<ApplyResult> {
  if (hasErrors(plan.findings)) {
    return { outcomes: [], refused: plan.findings.filter((f) => f.severity === 'error') };
  }
  const executor = createPolicyExecutor({ ...options, installationId: plan.installationId });
  const outcomes: StepOutcome[] = [];
  for (const step of plan.steps.filter(isPolicyStep)) {
    try {
      outcomes.push(await executor.apply(step));
    } catch (error) {
      return { outcomes, failed: { stepId: step.id, error: `${(error as Error).name}: ${(error as Error).message}` } };
    }
  }
  return { outcomes };
}
