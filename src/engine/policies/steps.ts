/**
 * SCP and RCP plan steps. Each is JSON-serialisable, carries a stable `id`, and holds all the
 * executor needs to apply it (policies created by an earlier step are referred to by name).
 */
import type { PolicyType } from '../organization/snapshot';

/** A policy by name, and by id when it already existed at plan time. */
export interface PolicyRef {
  readonly name: string;
  readonly type: PolicyType;
  readonly id?: string;
}

interface PolicyStepBase {
  readonly id: string;
  /** One line for people: what the step does. */
  readonly summary: string;
  /** The manifest resource, when the step comes from one. */
  readonly resource?: string;
}

/** EnablePolicyType on the root. */
export interface EnablePolicyTypeStep extends PolicyStepBase {
  readonly kind: 'policy.enable-type';
  readonly rootId: string;
  readonly policyType: PolicyType;
}

/** CreatePolicy, tagged as this installation's. */
export interface CreatePolicyStep extends PolicyStepBase {
  readonly kind: 'policy.create';
  readonly policy: PolicyRef;
  readonly description: string;
  /** Minified document. */
  readonly content: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** UpdatePolicy of content and/or description (only what differs). */
export interface UpdatePolicyStep extends PolicyStepBase {
  readonly kind: 'policy.update';
  readonly policy: Required<PolicyRef>;
  readonly description: string;
  readonly content: string;
  /** What the policy had at plan time, for the diff people review. */
  readonly before: { readonly description: string; readonly content: string };
}

/** TagResource: adopts an untagged policy (`adopt`) or brings an owned policy's tags up to date. */
export interface TagPolicyStep extends PolicyStepBase {
  readonly kind: 'policy.tag';
  readonly policy: Required<PolicyRef>;
  readonly tags: Readonly<Record<string, string>>;
  readonly adopt: boolean;
}

/** AttachPolicy / DetachPolicy. */
export interface PolicyAttachmentStep extends PolicyStepBase {
  readonly kind: 'policy.attach' | 'policy.detach';
  readonly policy: PolicyRef;
  readonly targetId: string;
  /** Readable target, e.g. `Workloads:Prod (ou-ab12-cd34ef56)`. */
  readonly targetName: string;
}

/** DeletePolicy (owned policies that left the manifest, with `enable_policy_deletion`). */
export interface DeletePolicyStep extends PolicyStepBase {
  readonly kind: 'policy.delete';
  readonly policy: Required<PolicyRef>;
}

export type PolicyStep =
  EnablePolicyTypeStep | CreatePolicyStep | UpdatePolicyStep | TagPolicyStep | PolicyAttachmentStep | DeletePolicyStep;

/** Short type names used in ids and summaries. */
export const POLICY_TYPE_LABEL: Readonly<Record<PolicyType, 'scp' | 'rcp'>> = {
  SERVICE_CONTROL_POLICY: 'scp',
  RESOURCE_CONTROL_POLICY: 'rcp',
};

/** Whether a plan step is a policy step. */
export function isPolicyStep(step: { readonly kind: string }): step is PolicyStep {
  return step.kind.startsWith('policy.');
}
