/**
 * Whether a snapshot holds what a plan needs, and the part of it the plan reads. A plan from an
 * exported snapshot must be the plan the live organization gives, with the same input hash: so
 * the snapshot is narrowed to exactly what a live read for the same manifest returns (extra
 * policy types, stack sets and SSM values an export holds are dropped), and a snapshot that lacks
 * something the plan needs is refused with a finding naming what to export, instead of being read
 * as "absent" (a stack set missing from the snapshot would otherwise be planned as a create).
 */
import type { Finding } from '../../manifest/findings';
import { DEFAULT_STACK_SET_PREFIX } from '../../manifest/load';
import { INSTALLATION_TAG } from '../plan';
import { engineFinding } from '../rules';
import { OrganizationSnapshot, POLICY_TYPES, PolicyType, SnapshotCoverage } from './snapshot';
import type { StackSetSnapshotRequest } from '../stacksets/snapshot';

/** What planning a manifest reads beyond the organization tree (a live read reads exactly this). */
export interface SnapshotNeeds {
  readonly installationId: string;
  /** Types the manifest uses: read whole. The others are read only where the installation owns a policy. */
  readonly policyTypes: readonly PolicyType[];
  /** Stack sets and SSM values (names sorted). */
  readonly stackSets: StackSetSnapshotRequest;
}

/** The snapshot narrowed to what the plan reads, or findings saying what it lacks. */
export interface CoveredSnapshot {
  readonly snapshot?: OrganizationSnapshot;
  readonly findings: readonly Finding[];
}

/**
 * Narrows `snapshot` to `needs`; `source` names the snapshot in findings (its file).
 * Snapshots without `coverage` (written before it existed) count as holding every policy type.
 */
export function snapshotForPlan(
  snapshot: OrganizationSnapshot,
  needs: SnapshotNeeds,
  source = 'organization snapshot',
): CoveredSnapshot {
  const findings: Finding[] = [];
  const coverage = snapshot.coverage;
  const hint = exportHint(needs);
  const missing = (what: string, path: string) =>
    findings.push(
      engineFinding('CFCT-O010', {
        message: `the snapshot does not hold ${what}, which this plan reads`,
        location: { file: source, path },
        hint,
      }),
    );

  // Policies: every type the manifest uses, and every type this installation owns a policy of.
  const whole: PolicyType[] = [];
  const unowned: PolicyType[] = [];
  for (const type of POLICY_TYPES) {
    const read = coverage ? coverage.policyTypes.includes(type) : true;
    if (read) {
      const owned = snapshot.policies.some((p) => p.type === type && p.tags[INSTALLATION_TAG] === needs.installationId);
      (needs.policyTypes.includes(type) || owned ? whole : unowned).push(type);
      continue;
    }
    const checked = coverage?.unownedPolicyTypes;
    if (
      !needs.policyTypes.includes(type) &&
      checked?.installationId === needs.installationId &&
      checked.policyTypes.includes(type)
    ) {
      unowned.push(type);
    } else {
      missing(
        needs.policyTypes.includes(type)
          ? `the ${type} policies`
          : `the ${type} policies, so it cannot tell whether installation "${needs.installationId}" owns one to detach`,
        'coverage.policyTypes',
      );
    }
  }

  // Stack sets: the manifest's by name, every one with the prefix, and the SSM values they read.
  const request = needs.stackSets;
  const read = coverage?.stackSets;
  if (!snapshot.stackSets || !read) {
    missing(
      `a stack set section read for this manifest (stack sets with the prefix ${request.prefix}, the manifest's stack sets and SSM values)`,
      'stackSets',
    );
  } else {
    if (read.homeRegion !== request.homeRegion) {
      missing(
        `the stack sets of the home region ${request.homeRegion} (it was read in ${read.homeRegion})`,
        'coverage.stackSets.homeRegion',
      );
    }
    if (!request.prefix.startsWith(read.prefix)) {
      missing(
        `every stack set with the prefix ${request.prefix} (it lists the prefix ${read.prefix})`,
        'coverage.stackSets.prefix',
      );
    }
    const names = request.names.filter((n) => !read.names.includes(n) && !n.startsWith(read.prefix));
    if (names.length) missing(`the stack set(s) ${names.join(', ')}`, 'coverage.stackSets.names');
    const ssm = request.ssmNames.filter((n) => !read.ssmNames.includes(n));
    if (ssm.length) missing(`the SSM parameter(s) ${ssm.join(', ')}`, 'coverage.stackSets.ssmNames');
  }
  if (findings.length) return { findings };

  const stackSets = snapshot.stackSets!;
  const narrowed: SnapshotCoverage = {
    policyTypes: whole,
    ...(unowned.length ? { unownedPolicyTypes: { installationId: needs.installationId, policyTypes: unowned } } : {}),
    stackSets: {
      homeRegion: request.homeRegion,
      prefix: request.prefix,
      names: [...request.names],
      ssmNames: [...request.ssmNames],
    },
  };
  return {
    findings,
    snapshot: {
      ...snapshot,
      policies: snapshot.policies.filter((p) => whole.includes(p.type)),
      stackSets: {
        ...stackSets,
        stackSets: Object.fromEntries(
          Object.entries(stackSets.stackSets).filter(
            ([name]) => request.names.includes(name) || name.startsWith(request.prefix),
          ),
        ),
        ssm: Object.fromEntries(Object.entries(stackSets.ssm).filter(([name]) => request.ssmNames.includes(name))),
      },
      coverage: narrowed,
    },
  };
}

function exportHint(needs: SnapshotNeeds): string {
  const prefix =
    needs.stackSets.prefix === DEFAULT_STACK_SET_PREFIX ? '' : ` --stack-set-prefix ${needs.stackSets.prefix}`;
  return `export the snapshot again with \`cfct org export --package <this package>${prefix}\` (it then holds what this manifest needs), or plan with --live`;
}
