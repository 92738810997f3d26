/**
 * Plan and apply SCPs/RCPs end to end: the entry points the CLI and the handlers call.
 */
import type { Finding } from '../../manifest/findings';
import { hasErrors } from '../../manifest/findings';
import { isPolicy } from '../../manifest/model';
import { OrganizationIndex } from '../organization/organization-index';
import type { OrganizationSnapshot } from '../organization/snapshot';
import { inputHash, Plan, PLAN_FORMAT_VERSION } from '../plan';
import { createPolicyExecutor, PolicyExecutorOptions, StepOutcome } from './executor';
import { planPolicies, type PolicyPlanInput } from './planner';
import type { PolicyStep } from './steps';

/** Inputs of a policy plan: the planner's, with the snapshot the organization index is made from. */
export interface PolicyPlanRequest extends Omit<PolicyPlanInput, 'index'> {
  readonly snapshot: OrganizationSnapshot;
}

/** Plans SCPs and RCPs into a `Plan`. Read-only; never throws on bad input (findings instead). */
export function createPolicyPlan(request: PolicyPlanRequest): Plan {
  const index = new OrganizationIndex(request.snapshot);
  const { steps, findings } = planPolicies({ ...request, index });
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    installationId: request.installationId,
    inputHash: policyInputHash(request),
    findings,
    steps,
  };
}

/**
 * Hash of what a policy plan is computed from: the manifest, the policy documents it names,
 * and the snapshot (without the time it was taken).
 */
export function policyInputHash(request: PolicyPlanRequest): string {
  const documents: Record<string, string | null> = {};
  for (const resource of request.manifest.resources.filter(isPolicy)) {
    const path = resource.resourceFile.path;
    if (path) documents[path] = request.files.read(path)?.toString('base64') ?? null;
    else documents[resource.resourceFile.raw] = request.remoteDocuments?.get(resource.resourceFile.raw) ?? null;
  }
  const { takenAt: _takenAt, ...organization } = request.snapshot;
  return inputHash({ installationId: request.installationId, manifest: request.manifest, documents, organization });
}

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

/** Whether a plan step is a policy step. */
export function isPolicyStep(step: { readonly kind: string }): step is PolicyStep {
  return step.kind.startsWith('policy.');
}
