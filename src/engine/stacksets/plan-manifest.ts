/**
 * Plans every stack set of a manifest: removed stack sets first (most recently created first),
 * then the manifest's resources in dependency order. SSM values that an earlier resource of the
 * same run exports are "known after apply".
 */
import type { DesiredStackSet } from './desired';
import { buildStackSetGraph, exportNameMatches, StackSetGraph } from './graph';
import type { SsmValue, SsmView } from './parameters';
import { planStackSetRemoval, planStackSetResource, StackSetPlanContext, StackSetResourcePlan } from './plan-resource';
import { CREATED_TAG_KEY, stackSetNameFor, stackSetOrderOf } from './settings';
import type { StackSetSnapshot } from './snapshot';
import type { Finding } from '../../manifest/findings';
import { isStackSet } from '../../manifest/model';
import type { Manifest, StackSetResource } from '../../manifest/model';

/** The stack set part of a plan. */
export interface StackSetPlan {
  readonly graph: StackSetGraph;
  /** Stack sets that left the manifest, in deletion order. */
  readonly removals: readonly StackSetResourcePlan[];
  /** Manifest resources, in manifest order. */
  readonly resources: readonly StackSetResourcePlan[];
  readonly findings: readonly Finding[];
}

/** An SSM view over recorded values, with the exports of `pendingProducers` pending. */
export function ssmView(
  values: Readonly<Record<string, SsmValue>>,
  pendingProducers: readonly StackSetResource[] = [],
): SsmView {
  return {
    get: (name) => values[name],
    pendingExport: (name) =>
      pendingProducers.find((p) => p.exportOutputs.some((e) => exportNameMatches(e.name, name)))?.name,
  };
}

/**
 * Plans all stack sets. `desired` holds one entry per stack_set resource (with its template and
 * resolved targets); resources without an entry (their template or targets failed) are skipped.
 */
export function planStackSets(
  manifest: Manifest,
  desired: readonly DesiredStackSet[],
  snapshot: StackSetSnapshot,
  context: Omit<StackSetPlanContext, 'stackSets' | 'ssm'>,
): StackSetPlan {
  const resources = manifest.resources.filter(isStackSet);
  const graph = buildStackSetGraph(resources, stackSetOrderOf(manifest, context.settings));
  const byName = new Map(desired.map((d) => [d.resource.name, d]));
  const changed: StackSetResource[] = [];
  const planned = new Map<string, StackSetResourcePlan>();
  for (const name of graph.waves.flat()) {
    const entry = byName.get(name);
    if (!entry) continue;
    const plan = planStackSetResource(entry, {
      ...context,
      stackSets: snapshot.stackSets,
      ssm: ssmView(snapshot.ssm, changed),
    });
    planned.set(name, plan);
    if (plan.steps.length > 0 && entry.resource.exportOutputs.length > 0) changed.push(entry.resource);
  }
  const manifestNames = new Set(resources.map((r) => stackSetNameFor(r, context.settings)));
  const removed = Object.values(snapshot.stackSets)
    .filter((s) => !manifestNames.has(s.name) && s.name.startsWith(context.settings.prefix))
    .sort(
      (a, b) =>
        (b.tags[CREATED_TAG_KEY] ?? '').localeCompare(a.tags[CREATED_TAG_KEY] ?? '') || a.name.localeCompare(b.name),
    );
  const removals = removed.map((s) =>
    planStackSetRemoval(s, manifest.enableStackSetDeletion, {
      ...context,
      stackSets: snapshot.stackSets,
      ssm: ssmView(snapshot.ssm),
    }),
  );
  const ordered = resources.flatMap((r) => (planned.has(r.name) ? [planned.get(r.name)!] : []));
  return {
    graph,
    removals,
    resources: ordered,
    findings: [...graph.findings, ...removals.flatMap((r) => r.findings), ...ordered.flatMap((r) => r.findings)],
  };
}
