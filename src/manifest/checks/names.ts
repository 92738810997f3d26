/**
 * Resource names: unique, valid stack set names, and `depends_on` references that exist and
 * form no cycle.
 */
import type { Finding } from '../findings';
import { isStackSet, type Manifest, type StackSetResource } from '../model';
import { finding } from '../rules';
import { didYouMean } from '../suggest';

const STACK_SET_NAME = /^[a-zA-Z][-a-zA-Z0-9]*$/;
const STACK_SET_NAME_MAX = 128;

/** The stack set name of a resource: `stack_set_name`, or prefix + name. */
export function stackSetName(resource: StackSetResource, prefix: string): string {
  return resource.stackSetName ?? `${prefix}${resource.name}`;
}

function checkUnique(manifest: Manifest, prefix: string): Finding[] {
  const findings: Finding[] = [];
  const names = new Map<string, string>();
  const stackSets = new Map<string, string>();
  for (const resource of manifest.resources) {
    const first = names.get(resource.name);
    if (first !== undefined) {
      findings.push(
        finding('CFCT-M001', {
          message: `resource name "${resource.name}" is used more than once`,
          location: resource.nameLocation ?? resource.location,
          hint: 'give each resource its own name',
          resource: resource.name,
        }),
      );
    } else {
      names.set(resource.name, resource.name);
    }
    if (!isStackSet(resource)) continue;
    const full = stackSetName(resource, prefix);
    const owner = stackSets.get(full.toLowerCase());
    if (owner !== undefined && owner !== resource.name) {
      findings.push(
        finding('CFCT-M001', {
          message: `resources "${owner}" and "${resource.name}" both deploy stack set "${full}"`,
          location: resource.stackSetNameLocation ?? resource.nameLocation ?? resource.location,
          hint: 'stack set names are unique (case-insensitively) in an account and region: change name or stack_set_name',
          resource: resource.name,
        }),
      );
    } else {
      stackSets.set(full.toLowerCase(), resource.name);
    }
  }
  return findings;
}

function checkStackSetName(resource: StackSetResource, prefix: string): Finding[] {
  const full = stackSetName(resource, prefix);
  let problem: string | undefined;
  if (full.length > STACK_SET_NAME_MAX) {
    problem = `is ${full.length} characters long; at most ${STACK_SET_NAME_MAX} are allowed`;
  } else if (!STACK_SET_NAME.test(full)) {
    problem = 'must start with a letter and contain only letters, digits and hyphens';
  }
  if (!problem) return [];
  return [
    finding('CFCT-M002', {
      message: `stack set name "${full}" ${problem}`,
      location: resource.stackSetNameLocation ?? resource.nameLocation ?? resource.location,
      hint: resource.stackSetName
        ? 'change stack_set_name'
        : 'rename the resource (spaces and underscores are not allowed), or set stack_set_name to keep the resource name',
      resource: resource.name,
    }),
  ];
}

function checkDependsOn(manifest: Manifest, allNames: readonly string[]): Finding[] {
  const findings: Finding[] = [];
  const stackSets = new Map(manifest.resources.filter(isStackSet).map((r) => [r.name, r]));
  for (const resource of stackSets.values()) {
    for (const entry of resource.dependsOn) {
      if (stackSets.has(entry.value)) continue;
      const why = allNames.includes(entry.value)
        ? 'is not a stack_set resource (policies always run before stack sets)'
        : 'names no resource';
      findings.push(
        finding('CFCT-M010', {
          message: `depends_on entry "${entry.value}" of "${resource.name}" ${why}`,
          location: entry.location,
          hint: didYouMean(entry.value, [...stackSets.keys()]) ?? 'name a stack_set resource of this manifest',
          resource: resource.name,
        }),
      );
    }
  }
  findings.push(...checkCycles(stackSets));
  return findings;
}

/** Reports each dependency cycle once, at the first resource (in manifest order) on it. */
function checkCycles(stackSets: ReadonlyMap<string, StackSetResource>): Finding[] {
  const findings: Finding[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): void => {
    state.set(name, 'visiting');
    stack.push(name);
    for (const entry of stackSets.get(name)!.dependsOn) {
      const next = entry.value;
      if (!stackSets.has(next)) continue;
      if (state.get(next) === 'visiting') {
        const cycle = [...stack.slice(stack.indexOf(next)), next];
        findings.push(
          finding('CFCT-M011', {
            message: `depends_on forms a cycle: ${cycle.join(' -> ')}`,
            location: entry.location,
            hint: 'remove one of the depends_on entries on this cycle',
            resource: name,
          }),
        );
      } else if (!state.has(next)) {
        visit(next);
      }
    }
    stack.pop();
    state.set(name, 'done');
  };
  for (const name of stackSets.keys()) if (!state.has(name)) visit(name);
  return findings;
}

/**
 * Checks names: unique resource and stack set names (CFCT-M001), stack set names valid for
 * CloudFormation after `prefix` (CFCT-M002), `depends_on` entries that exist (CFCT-M010) and
 * form no cycle (CFCT-M011). `allNames` holds every resource name written in the manifest,
 * including resources left out of `manifest` because they failed the schema.
 */
export function checkNames(manifest: Manifest, prefix: string, allNames: readonly string[]): Finding[] {
  return [
    ...checkUnique(manifest, prefix),
    ...manifest.resources.filter(isStackSet).flatMap((resource) => checkStackSetName(resource, prefix)),
    ...checkDependsOn(manifest, allNames),
  ];
}
