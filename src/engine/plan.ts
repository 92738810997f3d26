/**
 * The plan: what must change in the organization, as JSON-serialisable steps in the order they
 * are applied, with the findings made while planning and a hash of what it was computed from.
 */
import { createHash } from 'node:crypto';
import type { Finding } from '../manifest/findings';
import type { PolicyStep } from './policies/steps';
import type { StackSetStep } from './stacksets/steps';

/** Version of the plan JSON format. */
export const PLAN_FORMAT_VERSION = 1;

/** Tag key marking what an installation owns (created or adopted); the value is the installation id. */
export const INSTALLATION_TAG = 'cfct:installation';

/** The installation id when none is configured; the only one that adopts untagged upstream resources. */
export const DEFAULT_INSTALLATION_ID = 'default';

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
  return createHash('sha256').update(stableJson(value)).digest('hex');
}

/** JSON with object keys sorted at every level. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
