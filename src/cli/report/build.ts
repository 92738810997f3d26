/**
 * From a run plan to what the report shows. Reads only the plan, which holds no secret.
 */
import {
  isDestructivePolicy,
  isDestructiveStackSet,
  type GraphNode,
  type InstanceGroup,
  type NotPlanned,
  type PolicyAction,
  type PolicyChange,
  type ReportModel,
  type StackSetAction,
  type StackSetChange,
} from './model';
import { policyText, unifiedDiff } from '../../engine/diff';
import { isPolicyStep, type PolicyStep } from '../../engine/policies';
import type { RunPlan } from '../../engine/run';
import type { StackSetStep } from '../../engine/stacksets';
import type { Finding } from '../../manifest/findings';

const POLICY_LABEL: Readonly<Record<string, string>> = {
  SERVICE_CONTROL_POLICY: 'SCP',
  RESOURCE_CONTROL_POLICY: 'RCP',
};

function policyChanges(steps: readonly PolicyStep[]): PolicyChange[] {
  const byName = new Map<
    string,
    {
      type: string;
      action: PolicyAction;
      adopted?: boolean;
      diff?: string;
      description?: PolicyChange['descriptionChange'];
      attach: string[];
      detach: string[];
    }
  >();
  const entry = (name: string, type: string) => {
    let e = byName.get(name);
    if (!e) byName.set(name, (e = { type: POLICY_LABEL[type] ?? type, action: 'none', attach: [], detach: [] }));
    return e;
  };
  for (const step of steps) {
    if (step.kind === 'policy.enable-type') continue;
    const e = entry(step.policy.name, step.policy.type);
    switch (step.kind) {
      case 'policy.create':
        e.action = 'create';
        e.diff = unifiedDiff(step.policy.name, '', policyText(step.content));
        break;
      case 'policy.update':
        e.action = 'update';
        if (step.before.content !== step.content) {
          e.diff = unifiedDiff(step.policy.name, policyText(step.before.content), policyText(step.content));
        }
        if (step.before.description !== step.description) {
          e.description = { before: step.before.description, after: step.description };
        }
        break;
      case 'policy.tag':
        if (step.adopt) {
          e.adopted = true;
          if (e.action === 'none') e.action = 'adopt';
        }
        break;
      case 'policy.delete':
        e.action = 'delete';
        break;
      case 'policy.attach':
        e.attach.push(step.targetName);
        break;
      case 'policy.detach':
        e.detach.push(step.targetName);
        break;
    }
  }
  return [...byName].map(([name, e]) => ({
    name,
    type: e.type,
    action: e.action,
    ...(e.adopted ? { adopted: true } : {}),
    ...(e.diff ? { contentDiff: e.diff } : {}),
    ...(e.description ? { descriptionChange: e.description } : {}),
    attach: e.attach,
    detach: e.detach,
  }));
}

/** Instances of steps of one kind, merged per region. */
function instanceGroups(steps: readonly StackSetStep[], kind: StackSetStep['kind']): InstanceGroup[] {
  const byRegion = new Map<string, Set<string>>();
  for (const step of steps) {
    if (step.kind !== kind || !('targets' in step) || !step.targets) continue;
    for (const region of step.targets.regions) {
      const accounts = byRegion.get(region) ?? new Set<string>();
      step.targets.accounts.forEach((a) => accounts.add(a));
      byRegion.set(region, accounts);
    }
  }
  return [...byRegion]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([region, accounts]) => ({ region, accounts: [...accounts].sort() }));
}

function stackSetChanges(plan: RunPlan, steps: readonly StackSetStep[]): StackSetChange[] {
  return plan.stackSets.summaries.map((s) => {
    const mine = steps.filter((step) => step.stackSetName === s.stackSetName);
    const reasons =
      s.action === 'create'
        ? []
        : [
            ...(s.adopt ? ['adoption'] : []),
            ...(s.templateChanged ? ['template'] : []),
            ...(s.parameterChanges.length > 0 ? ['parameters'] : []),
            ...(s.tagChanges.length > 0 ? ['tags'] : []),
          ];
    const create = instanceGroups(mine, 'stackset.create-instances');
    const update = instanceGroups(mine, 'stackset.update-instances');
    const del = instanceGroups(mine, 'stackset.delete-instances');
    // With --accounts, a summary may describe work the plan leaves out: the steps decide.
    const action: StackSetAction =
      mine.length === 0 && s.action !== 'blocked'
        ? 'none'
        : s.adopt && (s.action === 'update' || s.action === 'none')
          ? 'adopt'
          : s.action;
    return {
      resource: s.resource,
      stackSetName: s.stackSetName,
      action,
      reasons,
      ...(plan.stackSets.templateDiffs[s.resource] ? { templateDiff: plan.stackSets.templateDiffs[s.resource] } : {}),
      parameterChanges: s.parameterChanges.map((c) => ({
        key: c.key,
        ...(c.from !== undefined ? { before: c.from } : {}),
        ...(c.to !== undefined ? { after: c.to } : {}),
      })),
      create,
      update,
      delete: del,
      knownAfterApply: s.knownAfterApply,
    };
  });
}

/** Destructive changes first (they are what a reviewer must not miss), otherwise in plan order. */
function destructiveFirst<T>(items: readonly T[], destructive: (item: T) => boolean): T[] {
  return [...items.filter(destructive), ...items.filter((i) => !destructive(i))];
}

/** One line per policy type the plan enables on the root. */
function organizationChanges(steps: readonly PolicyStep[]): string[] {
  return steps.flatMap((step) =>
    step.kind === 'policy.enable-type'
      ? [`enable ${POLICY_LABEL[step.policyType] ?? step.policyType}s on the root ${step.rootId}`]
      : [],
  );
}

/** The resources that errors kept out of the plan, each with its first error. */
function notPlanned(findings: readonly Finding[]): NotPlanned[] {
  const byResource = new Map<string, NotPlanned>();
  for (const f of findings) {
    if (f.severity !== 'error' || !f.resource || byResource.has(f.resource)) continue;
    byResource.set(f.resource, { resource: f.resource, ruleId: f.ruleId, reason: f.message });
  }
  return [...byResource.values()];
}

const SEVERITIES = ['error', 'warning', 'info'] as const;

const count = (groups: readonly InstanceGroup[]) => groups.reduce((n, g) => n + g.accounts.length, 0);

/** The report of a run plan. */
export function buildReport(plan: RunPlan, title: string): ReportModel {
  const policySteps = plan.steps.filter(isPolicyStep) as PolicyStep[];
  const stackSetSteps = plan.steps.filter((s) => !isPolicyStep(s)) as StackSetStep[];
  const policies = destructiveFirst(policyChanges(policySteps), isDestructivePolicy);
  const stackSets = destructiveFirst(stackSetChanges(plan, stackSetSteps), isDestructiveStackSet);
  const organization = organizationChanges(policySteps);
  const kinds = (k: StackSetStep['kind']) => stackSetSteps.filter((s) => s.kind === k).length;
  const severity = (level: string) => plan.findings.filter((f) => f.severity === level).length;

  const actionOf = new Map(stackSets.map((s) => [s.resource, s.action]));
  const nodes: GraphNode[] = Object.keys(plan.stackSets.dependsOn).map((id) => ({
    id,
    action: actionOf.get(id) ?? 'none',
  }));
  const edges = Object.entries(plan.stackSets.dependsOn).flatMap(([to, froms]) => froms.map((from) => ({ from, to })));

  const summary = {
    policies: {
      create: policies.filter((p) => p.action === 'create').length,
      update: policies.filter((p) => p.action === 'update').length,
      // A policy counts once: adopted and updated is an update (noted as adopted), adopted only is an adoption.
      adopt: policies.filter((p) => p.action === 'adopt').length,
      adoptedUpdates: policies.filter((p) => p.adopted && p.action === 'update').length,
      delete: policies.filter((p) => p.action === 'delete').length,
      attach: policies.reduce((n, p) => n + p.attach.length, 0),
      detach: policies.reduce((n, p) => n + p.detach.length, 0),
    },
    stackSets: { create: kinds('stackset.create'), update: kinds('stackset.update'), delete: kinds('stackset.delete') },
    instances: {
      create: stackSets.reduce((n, s) => n + count(s.create), 0),
      update: stackSets.reduce((n, s) => n + count(s.update), 0),
      delete: stackSets.reduce((n, s) => n + count(s.delete), 0),
    },
    findings: { error: severity('error'), warning: severity('warning'), info: severity('info') },
    organization: organization.length,
  };
  const destructive =
    summary.policies.delete + summary.policies.detach + summary.stackSets.delete + summary.instances.delete;
  return {
    title,
    inputs: {
      'input hash': plan.inputHash.slice(0, 12),
      installation: plan.installationId,
      'home region': plan.homeRegion,
    },
    summary: { ...summary, destructive },
    organization,
    ...(summary.findings.error > 0
      ? { incomplete: { errors: summary.findings.error, notPlanned: notPlanned(plan.findings) } }
      : {}),
    policies,
    stackSets,
    findings: SEVERITIES.flatMap((level) => plan.findings.filter((f) => f.severity === level)),
    graph: { nodes, edges },
    empty: plan.steps.length === 0,
  };
}
