/**
 * Progress of a long read (a large organization) on standard error, so standard output stays the
 * plan. Counts the AWS requests made through the clients it wraps, by phase (organization tree,
 * policies, stack sets, SSM), and, when shown, writes a line at most every `everyMs` of the
 * clock: the first request, then whenever that much time has passed. One closing line always.
 */
import { interceptRequests, type AwsClients } from '../aws/clients';
import { systemClock, type Clock } from '../engine/retry';

/** What a read is doing, by the requests it makes. */
export type Phase = 'organization tree' | 'policies' | 'stack sets' | 'SSM' | 'S3' | 'STS';

/** Phases in the order a plan reads them, which is the order the line lists them in. */
export const PHASES: readonly Phase[] = ['organization tree', 'policies', 'stack sets', 'SSM', 'S3', 'STS'];

type Service = keyof AwsClients;

/** The phase of a request: by the service, and for Organizations by the operation. */
export function phaseOf(service: Service, operation: string): Phase {
  switch (service) {
    case 'organizations':
      // ListPolicies, DescribePolicy, ListTargetsForPolicy, ListPoliciesForTarget, EnablePolicyType,
      // and the tags of policies; the rest (roots, OUs, accounts) is the tree.
      return /Polic|Tags/.test(operation) ? 'policies' : 'organization tree';
    case 'controlTower':
      // Which OUs Control Tower governs: part of the tree a plan targets.
      return 'organization tree';
    case 'ssm':
      return 'SSM';
    case 's3':
      return 'S3';
    case 'sts':
      return 'STS';
    default:
      return 'stack sets';
  }
}

export interface Progress {
  /** The same clients, counting their requests. */
  readonly clients: AwsClients;
  /** Writes the closing line (with the request count) and stops reporting. */
  done(summary: string): void;
}

/** Least time between two progress lines. */
export const PROGRESS_EVERY_MS = 500;

export interface ProgressOptions {
  /** Write the progress lines (the closing line is always written). @default true */
  readonly show?: boolean;
  /** The clock the lines are throttled by. @default the system clock */
  readonly clock?: Clock;
  /** Least milliseconds between two progress lines. @default PROGRESS_EVERY_MS */
  readonly everyMs?: number;
}

/**
 * Wraps `clients` to count their requests by phase. A progress line reads
 * `reading the organization: 42 requests so far: organization tree 12, policies 30 (ListTargetsForPolicy)`.
 */
export function withProgress(
  clients: AwsClients,
  write: (text: string) => void,
  label: string,
  options: ProgressOptions = {},
): Progress {
  const clock = options.clock ?? systemClock;
  const everyMs = options.everyMs ?? PROGRESS_EVERY_MS;
  const show = options.show ?? true;
  const counts = new Map<Phase, number>();
  let requests = 0;
  let reporting = true;
  let lastLine = Number.NEGATIVE_INFINITY;
  const count = (service: Service, operation: string) => {
    if (!reporting) return;
    requests += 1;
    const phase = phaseOf(service, operation);
    counts.set(phase, (counts.get(phase) ?? 0) + 1);
    if (!show) return;
    const now = clock.now();
    if (now - lastLine < everyMs) return;
    lastLine = now;
    const phases = PHASES.filter((p) => counts.has(p)).map((p) => `${p} ${counts.get(p)}`);
    write(
      `${label}: ${requests} ${requests === 1 ? 'request' : 'requests'} so far: ${phases.join(', ')} (${operation})\n`,
    );
  };
  // One interception per service, so each request is known by its service as well as its operation.
  const by = (service: Service) => interceptRequests(clients, (operation) => count(service, operation));
  const organizations = by('organizations');
  const cloudFormation = by('cloudFormation');
  const ssm = by('ssm');
  const s3 = by('s3');
  const sts = by('sts');
  const controlTower = by('controlTower');
  const codePipeline = by('codePipeline');
  const ec2InAccount = by('ec2InAccount');
  const cloudFormationInAccount = by('cloudFormationInAccount');
  const wrapped: AwsClients = {
    organizations: () => organizations.organizations(),
    cloudFormation: (region) => cloudFormation.cloudFormation(region),
    ssm: (region) => ssm.ssm(region),
    s3: (region) => s3.s3(region),
    sts: (region) => sts.sts(region),
    controlTower: (region) => controlTower.controlTower(region),
    codePipeline: (region) => codePipeline.codePipeline(region),
    ec2InAccount: (...args) => ec2InAccount.ec2InAccount(...args),
    cloudFormationInAccount: (...args) => cloudFormationInAccount.cloudFormationInAccount(...args),
  };
  return {
    clients: wrapped,
    done(summary) {
      if (!reporting) return;
      reporting = false;
      write(`${summary} (${requests} requests)\n`);
    },
  };
}
