/**
 * The plan: what must change in the organization, as JSON-serialisable steps in the order they
 * are applied, with the findings made while planning and a hash of what it was computed from.
 */
import { canonicalJson, sha256 } from './canonical';
import type { Finding } from '../manifest/findings';
import type { PolicyStep } from './policies/steps';
import { engineFinding } from './rules';
import type { StackSetStep } from './stacksets/steps';

/** Version of the plan JSON format. */
export const PLAN_FORMAT_VERSION = 1;

// Defined in ./installation (which imports nothing), so stack set settings need not import the plan.
export { DEFAULT_INSTALLATION_ID, INSTALLATION_TAG } from './installation';

/**
 * Every step kind. Each step has a stable `id` (the same change planned twice gets the same id),
 * a `kind` (`policy.*`, `stackset.*`), a one-line `summary`, and the data to apply it.
 * Stack set step kinds (src/engine/stacksets/steps.ts) join this union.
 */
export type PlanStep = PolicyStep | StackSetStep;

export interface Plan {
  readonly formatVersion: typeof PLAN_FORMAT_VERSION;
  readonly installationId: string;
  /** SHA-256 of the inputs (manifest, policy documents, organization snapshot); see `inputHash`. */
  readonly inputHash: string;
  readonly findings: readonly Finding[];
  readonly steps: readonly PlanStep[];
}

/** SHA-256 (hex) of a JSON value with object keys sorted, so equal inputs hash equally. */
export function inputHash(value: unknown): string {
  return sha256(canonicalJson(value));
}

/** Steps on which a saved plan and a fresh plan of the same package disagree. */
export interface PlanDifferences {
  /** In the saved plan, no longer needed. */
  readonly gone: readonly PlanStep[];
  /** Needed now, not in the saved plan. */
  readonly added: readonly PlanStep[];
}

/**
 * Compares a saved plan with a fresh one: undefined while the saved plan still holds (its inputs,
 * the package and the organization, are unchanged); otherwise the steps that differ (none when
 * only inputs that change no step differ).
 */
export function savedPlanDifferences(
  saved: Pick<Plan, 'inputHash' | 'steps'>,
  fresh: Plan,
): PlanDifferences | undefined {
  if (saved.inputHash === fresh.inputHash) return undefined;
  const savedIds = new Set(saved.steps.map((s) => s.id));
  const freshIds = new Set(fresh.steps.map((s) => s.id));
  return {
    gone: saved.steps.filter((s) => !freshIds.has(s.id)),
    added: fresh.steps.filter((s) => !savedIds.has(s.id)),
  };
}

/** No finding while a saved plan still holds; otherwise an error (CFCT-C010) naming the steps that differ. */
export function checkSavedPlan(saved: Pick<Plan, 'inputHash' | 'steps'>, fresh: Plan): Finding[] {
  const differences = savedPlanDifferences(saved, fresh);
  if (!differences) return [];
  const ids = (steps: readonly PlanStep[]) => steps.map((s) => s.id).join(', ');
  const parts = [
    differences.gone.length ? `no longer needed: ${ids(differences.gone)}` : '',
    differences.added.length ? `now needed: ${ids(differences.added)}` : '',
  ].filter(Boolean);
  const changed = parts.length ? `; steps ${parts.join('; ')}` : ' (the steps are the same)';
  return [
    engineFinding('CFCT-C010', {
      message: `the organization or the package changed since the plan was made${changed}`,
      hint: 'plan again, review, and apply the new plan',
    }),
  ];
}
