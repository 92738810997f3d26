/**
 * The stack set dependency graph (reference behaviour §6): `sequential` chains the resources in
 * manifest order; `dependencies` uses explicit `depends_on` plus edges inferred from
 * `$[alfred_ssm_X]` to the resource whose `export_outputs` writes `X`.
 */
import { ssmNamesRead } from './parameter-helpers';
import type { Finding } from '../../manifest/findings';
import type { StackSetOrder, StackSetResource } from '../../manifest/model';
import { finding } from '../../manifest/rules';

/** Resources by name with the names each one runs after. */
export interface StackSetGraph {
  /** Resource names in manifest order. */
  readonly nodes: readonly string[];
  /** name -> names it depends on (sorted). */
  readonly dependsOn: Readonly<Record<string, readonly string[]>>;
  /** Waves of resources that may run together; each wave depends only on earlier ones. */
  readonly waves: readonly (readonly string[])[];
  readonly findings: readonly Finding[];
}

/** True when an export name (possibly templated with `{account_id}`/`{region}`) can produce `name`. */
export function exportNameMatches(exportName: string, name: string): boolean {
  if (!/\{account_id\}|\{region\}/.test(exportName)) return exportName === name;
  const pattern = exportName
    .split(/(\{account_id\}|\{region\})/)
    .map((part) =>
      part === '{account_id}'
        ? '\\d{12}'
        : part === '{region}'
          ? '[a-z0-9-]+'
          : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${pattern}$`).test(name);
}

/**
 * Builds the graph, reports unknown `depends_on` names (CFCT-M010) and cycles, including those
 * through `$[alfred_ssm_...]` reads (CFCT-M011); cycle members get no wave.
 */
export function buildStackSetGraph(resources: readonly StackSetResource[], order: StackSetOrder): StackSetGraph {
  const findings: Finding[] = [];
  const names = resources.map((r) => r.name);
  const known = new Set(names);
  const edges = new Map<string, Set<string>>(names.map((n) => [n, new Set<string>()]));
  resources.forEach((resource, i) => {
    const deps = edges.get(resource.name)!;
    if (order === 'sequential') {
      if (i > 0) deps.add(resources[i - 1].name);
      return;
    }
    for (const entry of resource.dependsOn) {
      if (known.has(entry.value) && entry.value !== resource.name) {
        deps.add(entry.value);
      } else {
        const others = names.filter((n) => n !== resource.name);
        findings.push(
          finding('CFCT-M010', {
            message: `depends_on names '${entry.value}', which is not another stack_set resource of this manifest`,
            location: entry.location,
            hint: `use the name of a stack_set resource: ${others.join(', ') || '(none)'}`,
            resource: resource.name,
          }),
        );
      }
    }
    const read = resource.parameters.flatMap((p) => ssmNamesRead(p.value));
    for (const producer of resources) {
      if (producer.name === resource.name) continue;
      if (producer.exportOutputs.some((e) => read.some((name) => exportNameMatches(e.name, name)))) {
        deps.add(producer.name);
      }
    }
  });
  const dependsOn = Object.fromEntries([...edges].map(([n, d]) => [n, [...d].sort()]));
  const waves = topologicalWaves(names, dependsOn);
  const placed = new Set(waves.flat());
  const cyclic = names.filter((n) => !placed.has(n));
  if (cyclic.length > 0) {
    findings.push(
      finding('CFCT-M011', {
        message: `stack set dependencies form a cycle through: ${cyclic.join(', ')}`,
        location: resources.find((r) => r.name === cyclic[0])?.location,
        hint: 'remove a depends_on entry, or stop reading an $[alfred_ssm_...] value exported by a resource that depends on this one',
        resource: cyclic[0],
      }),
    );
  }
  return { nodes: names, dependsOn, waves, findings };
}

/** Kahn's algorithm in levels; within a wave, manifest order. Nodes on a cycle are left out. */
function topologicalWaves(
  names: readonly string[],
  dependsOn: Readonly<Record<string, readonly string[]>>,
): string[][] {
  const done = new Set<string>();
  const waves: string[][] = [];
  for (;;) {
    const wave = names.filter((n) => !done.has(n) && dependsOn[n].every((d) => done.has(d)));
    if (wave.length === 0) return waves;
    wave.forEach((n) => done.add(n));
    waves.push(wave);
  }
}

/** Every resource that depends on `failed`, directly or through others. */
export function dependantsOf(graph: StackSetGraph, failed: string): string[] {
  const blocked = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const node of graph.nodes) {
      if (blocked.has(node)) continue;
      if (graph.dependsOn[node].some((d) => d === failed || blocked.has(d))) {
        blocked.add(node);
        grew = true;
      }
    }
  }
  return graph.nodes.filter((n) => blocked.has(n));
}
