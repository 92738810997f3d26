/**
 * The policy plan entry: every SCP and RCP of a manifest planned into a `Plan`, with the hash of
 * what it was computed from (read-only; the planner itself is planner.ts).
 */
import { isPolicy } from '../../manifest/model';
import { OrganizationIndex } from '../organization/organization-index';
import type { OrganizationSnapshot } from '../organization/snapshot';
import { inputHash, Plan, PLAN_FORMAT_VERSION } from '../plan';
import { planPolicies, type PolicyPlanInput } from './planner';

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
