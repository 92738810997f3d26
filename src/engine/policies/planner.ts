/**
 * SCP/RCP planner: desired (manifest + package files) vs actual (organization snapshot) ->
 * ordered steps. SCPs first, then RCPs; per type: enable the type, create, update, tag
 * (adopt), detaches that make room, attach, detach, delete.
 */
import { DeletePolicyStep, POLICY_TYPE_LABEL, PolicyAttachmentStep, PolicyRef, PolicyStep } from './steps';
import type { Finding } from '../../manifest/findings';
import type { Manifest, PackageFiles, PolicyResource } from '../../manifest/model';
import { isPolicy } from '../../manifest/model';
import { minifyPolicy } from '../../manifest/policy';
import type { OrganizationIndex } from '../organization/organization-index';
import { problemFindings, resolvePolicyTargets, ACTIVE_STATES } from '../organization/resolve';
import type { PolicyType, SnapshotPolicy } from '../organization/snapshot';
import { DEFAULT_INSTALLATION_ID, INSTALLATION_TAG } from '../plan';
import { engineFinding } from '../rules';
import { readPolicyDocument } from './document';
import { policyTagFindings } from './tags';

/** The AWS-managed policy AWS attaches to every root, OU and account when a type is enabled. */
export const FULL_ACCESS_POLICY: Readonly<Record<PolicyType, string>> = {
  SERVICE_CONTROL_POLICY: 'FullAWSAccess',
  RESOURCE_CONTROL_POLICY: 'RCPFullAWSAccess',
};

/** At most this many policies of one type on a root, OU or account. */
export const MAX_POLICIES_PER_TARGET = 5;

/** What the policy planner needs. */
export interface PolicyPlanInput {
  readonly manifest: Manifest;
  readonly files: PackageFiles;
  readonly index: OrganizationIndex;
  readonly installationId: string;
  /** Policy documents outside the package, by reference as written (fetched by the caller). */
  readonly remoteDocuments?: ReadonlyMap<string, string>;
  /** Remote references the caller could not read, with the reader's error (undefined: no such object). */
  readonly unreadDocuments?: ReadonlyMap<string, unknown>;
}

/** Steps in apply order, and findings. */
export interface PolicyPlanResult {
  readonly steps: PolicyStep[];
  readonly findings: Finding[];
}

const TYPE_OF: Readonly<Record<PolicyResource['deployMethod'], PolicyType>> = {
  scp: 'SERVICE_CONTROL_POLICY',
  rcp: 'RESOURCE_CONTROL_POLICY',
};

/** Plans SCPs, then RCPs. */
export function planPolicies(input: PolicyPlanInput): PolicyPlanResult {
  const steps: PolicyStep[] = [];
  const findings: Finding[] = [];
  for (const type of ['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY'] as const) {
    const result = planPolicyType(input, type);
    steps.push(...result.steps);
    findings.push(...result.findings);
  }
  return { steps, findings };
}

/** Per-target bookkeeping for quota and ordering checks. */
interface TargetChanges {
  attach: PolicyAttachmentStep[];
  detach: PolicyAttachmentStep[];
}

function planPolicyType(input: PolicyPlanInput, type: PolicyType): PolicyPlanResult {
  const { index, installationId } = input;
  const label = POLICY_TYPE_LABEL[type];
  const findings: Finding[] = [];
  const head: PolicyStep[] = [];
  const changes = new Map<string, TargetChanges>();
  const change = (targetId: string) => {
    let c = changes.get(targetId);
    if (!c) changes.set(targetId, (c = { attach: [], detach: [] }));
    return c;
  };
  // A name appears once per type (validation reports duplicates as CFCT-M rules); the first wins.
  const desired = input.manifest.resources
    .filter((r): r is PolicyResource => isPolicy(r) && TYPE_OF[r.deployMethod] === type)
    .filter((r, i, all) => all.findIndex((o) => o.name === r.name) === i);
  const existing = new Map(index.snapshot.policies.filter((p) => p.type === type).map((p) => [p.name, p]));
  const inManifest = new Set(desired.map((r) => r.name));

  const [root] = index.roots.values();
  const enabling = desired.length > 0 && root !== undefined && !root.enabledPolicyTypes.includes(type);
  if (enabling) {
    head.push({
      kind: 'policy.enable-type',
      id: `policy.enable-type:${label}:${root.id}`,
      summary: `enable ${type} on the root ${root.id}`,
      rootId: root.id,
      policyType: type,
    });
    findings.push(engineFinding('CFCT-C009', { message: `${type} is not enabled on the root; the plan enables it` }));
  }

  const detachable = (targetId: string) => {
    const account = index.accounts.get(targetId);
    return !account || ACTIVE_STATES.includes(account.state);
  };
  const attachment = (
    kind: 'policy.attach' | 'policy.detach',
    policy: PolicyRef,
    targetId: string,
    resource?: string,
  ): PolicyAttachmentStep => {
    const [verb, preposition] = kind === 'policy.attach' ? ['attach', 'to'] : ['detach', 'from'];
    const targetName = index.describe(targetId);
    return {
      kind,
      id: `${kind}:${label}:${policy.name}:${targetId}`,
      summary: `${verb} ${label} "${policy.name}" ${preposition} ${targetName}`,
      policy,
      targetId,
      targetName,
      ...(resource ? { resource } : {}),
    };
  };

  for (const resource of desired) {
    const document = readPolicyDocument(input.files, resource, input.remoteDocuments, input.unreadDocuments);
    if ('finding' in document) {
      findings.push(document.finding);
      continue;
    }
    const resolution = resolvePolicyTargets(index, resource);
    findings.push(...resolution.findings);
    for (const target of resolution.targets) {
      if (target.id === index.managementAccountId) {
        findings.push(
          engineFinding('CFCT-C002', {
            message: `${label} "${resource.name}" targets the management account ${target.id}, where ${label.toUpperCase()}s have no effect`,
            location: target.entry.location,
            resource: resource.name,
          }),
        );
      }
    }
    const actual = existing.get(resource.name);
    const description = resource.description ?? '';
    const tags = { ...resource.tags, [INSTALLATION_TAG]: installationId };
    const tagFindings = policyTagFindings(tags, actual?.tags ?? {}, {
      label: `${label} "${resource.name}"`,
      resource: resource.name,
      location: resource.location,
    });
    if (tagFindings.length > 0) {
      findings.push(...tagFindings);
      continue;
    }
    let ref: PolicyRef;
    let attached: readonly string[] = [];
    if (!actual) {
      ref = { name: resource.name, type };
      head.push({
        kind: 'policy.create',
        id: `policy.create:${label}:${resource.name}`,
        summary: `create ${label} "${resource.name}"`,
        resource: resource.name,
        policy: ref,
        description,
        content: document.content,
        tags,
      });
    } else {
      const owner = actual.tags[INSTALLATION_TAG];
      const adopt = !actual.awsManaged && owner === undefined && installationId === DEFAULT_INSTALLATION_ID;
      if (actual.awsManaged || (owner !== installationId && !adopt)) {
        findings.push(
          engineFinding('CFCT-C006', {
            message: `${label} "${resource.name}" exists (${actual.id}) but is ${ownerText(actual)}; it is left alone`,
            location: resource.location,
            hint: 'give the policy another name in the manifest',
            resource: resource.name,
          }),
        );
        continue;
      }
      ref = { name: actual.name, type, id: actual.id };
      attached = actual.targetIds;
      head.push(
        ...updateAndTagSteps(actual, {
          description,
          content: document.content,
          tags,
          adopt,
          label,
          resource: resource.name,
        }),
      );
      if (adopt) {
        findings.push(
          engineFinding('CFCT-C005', {
            message: `${label} "${resource.name}" (${actual.id}) has no ${INSTALLATION_TAG} tag; it is adopted by this installation`,
            location: resource.location,
            resource: resource.name,
          }),
        );
      }
    }
    const wanted = new Set(resolution.targets.map((t) => t.id));
    const removals = attached.filter((t) => !wanted.has(t) && detachable(t));
    for (const target of resolution.targets) {
      if (!attached.includes(target.id)) {
        change(target.id).attach.push(attachment('policy.attach', ref, target.id, resource.name));
      }
    }
    const blocked = resolution.problems.length > 0 && removals.length > 0;
    findings.push(...problemFindings(resolution.problems, { resource: resource.name, blocksRemoval: blocked }));
    if (!blocked) {
      for (const target of removals) {
        change(target).detach.push(attachment('policy.detach', ref, target, resource.name));
      }
    }
  }

  const deletions: DeletePolicyStep[] = [];
  for (const actual of existing.values()) {
    if (actual.awsManaged || actual.tags[INSTALLATION_TAG] !== installationId || inManifest.has(actual.name)) continue;
    const ref = { name: actual.name, type, id: actual.id };
    const removable = actual.targetIds.filter(detachable);
    for (const target of removable) change(target).detach.push(attachment('policy.detach', ref, target));
    if (input.manifest.enablePolicyDeletion && removable.length === actual.targetIds.length) {
      deletions.push({
        kind: 'policy.delete',
        id: `policy.delete:${label}:${actual.name}`,
        summary: `delete ${label} "${actual.name}"`,
        policy: ref,
      });
    } else {
      findings.push(
        engineFinding('CFCT-C007', {
          message: `${label} "${actual.name}" (${actual.id}) left the manifest: detached, and kept`,
          hint: input.manifest.enablePolicyDeletion
            ? 'it is still attached to accounts that are not active'
            : 'set enable_policy_deletion: true to delete it',
          resource: actual.name,
        }),
      );
    }
  }

  const { early, attaches, detaches, kept } = checkTargets(index, type, changes, findings, enabling);
  // a policy that stays attached somewhere cannot be deleted
  const deletable = deletions.filter((step) => !kept.has(step.policy.name));
  return { steps: [...head, ...early, ...attaches, ...detaches, ...deletable], findings };
}

/** Update (only what differs) and tag steps for a policy this installation owns or adopts. */
function updateAndTagSteps(
  actual: SnapshotPolicy,
  want: {
    description: string;
    content: string;
    tags: Record<string, string>;
    adopt: boolean;
    label: string;
    resource: string;
  },
): PolicyStep[] {
  const steps: PolicyStep[] = [];
  const policy = { name: actual.name, type: actual.type, id: actual.id };
  const before = { description: actual.description, content: actual.content ?? '' };
  if (sameDocument(before.content, want.content) === false || before.description !== want.description) {
    steps.push({
      kind: 'policy.update',
      id: `policy.update:${want.label}:${actual.name}`,
      summary: `update ${want.label} "${actual.name}" (${[
        sameDocument(before.content, want.content) ? '' : 'content',
        before.description !== want.description ? 'description' : '',
      ]
        .filter(Boolean)
        .join(', ')})`,
      resource: want.resource,
      policy,
      description: want.description,
      content: want.content,
      before,
    });
  }
  const missing = Object.entries(want.tags).filter(([k, v]) => actual.tags[k] !== v);
  if (missing.length > 0) {
    const verb = want.adopt ? 'adopt' : 'tag';
    const tagList = missing.map(([k, v]) => `${k}=${v}`).join(', ');
    steps.push({
      kind: 'policy.tag',
      id: `policy.tag:${want.label}:${actual.name}`,
      summary: `${verb} ${want.label} "${actual.name}" (${tagList})`,
      resource: want.resource,
      policy,
      tags: Object.fromEntries(missing),
      adopt: want.adopt,
    });
  }
  return steps;
}

/**
 * Quota and minimum checks per target (counting every attached policy of the type, whoever
 * owns it), and ordering: detaches go first on targets where
 * attaching first would pass the quota on the way; detaches that would leave a target with no
 * SCP are dropped with an error.
 */
/** Policy names for a message: the first 10, then how many more (a target may carry thousands in a bad manifest). */
function foldNames(names: readonly string[], shown = 10): string {
  return names.length > shown
    ? `${names.slice(0, shown).join(', ')}, and ${names.length - shown} more`
    : names.join(', ');
}

function checkTargets(
  index: OrganizationIndex,
  type: PolicyType,
  changes: Map<string, TargetChanges>,
  findings: Finding[],
  enabling: boolean,
) {
  const early: PolicyStep[] = [];
  const attaches: PolicyStep[] = [];
  const detaches: PolicyStep[] = [];
  /** Names of policies whose detach was not planned somewhere. */
  const kept = new Set<string>();
  for (const [targetId, c] of changes) {
    // enabling the type attaches the AWS-managed full-access policy everywhere first
    const current = enabling ? [FULL_ACCESS_POLICY[type]] : index.attachedPolicies(targetId, type).map((p) => p.name);
    const leaving = new Set(c.detach.map((s) => s.policy.name));
    const final = [...current.filter((n) => !leaving.has(n)), ...c.attach.map((s) => s.policy.name)];
    if (final.length > MAX_POLICIES_PER_TARGET) {
      const target = index.describe(targetId);
      const labelPlural = `${POLICY_TYPE_LABEL[type].toUpperCase()}s`;
      findings.push(
        engineFinding('CFCT-C003', {
          message: `${target} would have ${final.length} ${labelPlural} attached (limit ${MAX_POLICIES_PER_TARGET}): ${foldNames(final)}`,
          hint: 'attach fewer policies there, combine policies, or detach policies this installation does not own',
          resource: c.attach[0]?.resource,
        }),
      );
    }
    if (type === 'SERVICE_CONTROL_POLICY' && final.length === 0 && c.detach.length > 0) {
      const detached = [...leaving].join(', ');
      const target = index.describe(targetId);
      findings.push(
        engineFinding('CFCT-C008', {
          message: `detaching ${detached} would leave ${target} without any SCP; the detach is not planned`,
          hint: 'attach FullAWSAccess (or another SCP) to that target first',
        }),
      );
      attaches.push(...c.attach);
      leaving.forEach((name) => kept.add(name));
      continue;
    }
    const room = current.length + c.attach.length > MAX_POLICIES_PER_TARGET;
    (room ? early : detaches).push(...c.detach);
    attaches.push(...c.attach);
  }
  return { early, attaches, detaches, kept };
}

/** Whether two documents are the same once minified; false when either is not JSON. */
function sameDocument(a: string, b: string): boolean {
  try {
    return minifyPolicy(a) === minifyPolicy(b);
  } catch {
    return false;
  }
}

function ownerText(policy: SnapshotPolicy): string {
  if (policy.awsManaged) return 'AWS-managed';
  const owner = policy.tags[INSTALLATION_TAG];
  return owner === undefined
    ? `untagged, and only the "${DEFAULT_INSTALLATION_ID}" installation adopts untagged policies`
    : `owned by installation "${owner}"`;
}
