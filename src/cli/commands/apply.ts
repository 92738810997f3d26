import { readFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { addPlanFlags } from '../flags';
import { renderPlan } from './plan';
import { savedPlanDifferences } from '../../engine/plan';
import { errorName, systemClock } from '../../engine/retry';
import type { RunPlan, RunReport } from '../../engine/run';
import type { StackSetProgress } from '../../engine/stacksets';
import { formatFinding, hasErrors } from '../../manifest/findings';
import type { PlanFlags } from '../inputs';
import { ExitCode, type CliIo } from '../io';
import type { CliLock } from '../lock';
import { plural } from '../report/format';

interface ApplyOptions extends PlanFlags {
  readonly yes?: boolean;
  readonly plan?: string;
  readonly pollSeconds: number;
  readonly lockBucket?: string;
  readonly lockTtlMinutes: number;
  readonly busyMinutes: number;
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}

function readSavedPlan(io: CliIo, file: string): RunPlan | undefined {
  try {
    const plan = JSON.parse(readFileSync(file, 'utf8')) as RunPlan;
    if (typeof plan.inputHash !== 'string' || !Array.isArray(plan.steps)) throw new Error('not a plan');
    return plan;
  } catch {
    io.stderr(`cfct apply: ${file} is not a plan written by \`cfct plan --format json\`\n`);
    return undefined;
  }
}

function describeReport(report: RunReport): string[] {
  const lines: string[] = [];
  const policies = report.policies;
  if (policies) {
    lines.push(`policies: ${policies.outcomes.length} step(s) applied`);
    if (policies.failed) lines.push(`policies: FAILED at ${policies.failed.stepId}: ${policies.failed.error}`);
  }
  const stackSets = report.stackSets;
  if (stackSets) {
    const steps = Object.values(stackSets.steps).reduce((a, b) => a + b, 0);
    lines.push(
      `stack sets: ${stackSets.succeeded.length} succeeded, ${stackSets.failed.length} failed, ${stackSets.blocked.length} skipped; ${steps} step(s) run`,
    );
    for (const f of stackSets.failed) {
      const [first, ...rest] = f.message.split('\n');
      lines.push(`  FAILED ${f.resource}${f.errorName ? ` (${f.errorName})` : ''}: ${first}`);
      for (const more of rest) lines.push(`    ${more}`);
      for (const i of f.failures) lines.push(`    ${i.status} ${i.account} ${i.region}: ${i.reason}`);
    }
    for (const b of stackSets.blocked) lines.push(`  SKIPPED ${b.resource}: ${b.reason}`);
    for (const e of stackSets.exports) lines.push(`  exported ${e.name}`);
    for (const f of stackSets.findings) lines.push(`  ${formatFinding(f)}`);
    if (stackSets.stateCache) {
      const { describeStateCacheReport } = require('../../engine/stacksets') as typeof import('../../engine/stacksets');
      lines.push(describeStateCacheReport(stackSets.stateCache));
    }
  }
  return lines;
}

/**
 * `cfct apply <package> --live`: takes the installation lock, plans, shows the plan, asks (unless
 * --yes), then applies it step by step, waiting on long operations; the lock is renewed while it
 * runs and released at the end. Safe to interrupt and re-run.
 */
export function register(program: Command, io: CliIo, result: { exitCode: number }): void {
  addPlanFlags(
    program
      .command('apply')
      .description('apply a configuration package to the organization: policies, then stack sets in dependency order')
      .argument('<package>', 'configuration package folder or .zip'),
  )
    .option('--yes', 'apply without asking for confirmation')
    .option(
      '--plan <file>',
      'apply only if this saved plan (cfct plan --format json) is still what the package and organization give',
    )
    .option('--poll-seconds <n>', 'seconds between checks of a running stack set operation', positive, 10)
    .option(
      '--lock-bucket <bucket>',
      'S3 bucket holding the installation lock (default: the one the SSM parameter /cfct/<installation-id>/lock-bucket names)',
    )
    .option(
      '--lock-ttl-minutes <n>',
      'how long the lock lasts unless renewed; it is renewed every third of that while the apply runs',
      positive,
      15,
    )
    .option(
      '--busy-minutes <n>',
      'minutes to wait for a stack set busy with another operation (e.g. of an interrupted run) before its step fails',
      positive,
      60,
    )
    .action(async (source: string, options: ApplyOptions) => {
      if (options.organization) {
        io.stderr('cfct apply: applying needs the live organization: use --live (a snapshot is for plans)\n');
        result.exitCode = ExitCode.USAGE;
        return;
      }
      const saved = options.plan ? readSavedPlan(io, options.plan) : undefined;
      if (options.plan && !saved) {
        result.exitCode = ExitCode.USAGE;
        return;
      }
      const { CliLock } = require('../lock') as typeof import('../lock');
      const lock = new CliLock(io, 'apply', {
        ...(options.lockBucket ? { bucket: options.lockBucket } : {}),
        ttlMs: options.lockTtlMinutes * 60_000,
        clock: io.clock ?? systemClock,
        purpose: 'cfct apply',
      });
      try {
        result.exitCode = await applyPackage(io, source, options, saved, lock);
      } finally {
        await lock.stop();
      }
    });
}

/**
 * Takes the installation lock, plans, shows the plan, asks (unless --yes or --plan), then applies
 * it under the lock, which is renewed while the apply runs. Returns the exit code.
 */
async function applyPackage(
  io: CliIo,
  source: string,
  options: ApplyOptions,
  saved: RunPlan | undefined,
  lock: CliLock,
): Promise<number> {
  const { applyRun } = require('../../engine/run') as typeof import('../../engine/run');
  const { planInputs, readPlanInputs } = require('../inputs') as typeof import('../inputs');
  const inputs = await readPlanInputs(io, 'apply', source, options, {
    // The lock is taken before the organization is read: the plan is made under it.
    beforeLiveRead: (clients, manifest, installationId) => lock.take(clients, manifest.region, installationId),
  });
  if (typeof inputs === 'number') return inputs;
  const clients = inputs.clients!;
  // The same plan `cfct plan` shows, the package's warnings included.
  const planned = await planInputs(inputs);
  const { plan } = planned;

  const differences = saved ? savedPlanDifferences(saved, plan) : undefined;
  if (differences) {
    io.stderr(
      `cfct apply: the organization or the package changed since ${options.plan} was made; nothing was applied\n`,
    );
    const lines = [
      ...differences.gone.map((s) => `  - no longer planned: ${s.summary}`),
      ...differences.added.map((s) => `  + now planned: ${s.summary}`),
    ];
    io.stderr(lines.length > 0 ? `${lines.join('\n')}\n` : '  (the steps are the same, but their inputs differ)\n');
    io.stderr('Plan again, review, and apply the new plan.\n');
    return ExitCode.FINDINGS;
  }

  io.stdout(renderPlan(plan, 'text', `cfct apply: ${source}`));
  if (hasErrors(plan.findings)) {
    io.stderr('cfct apply: the plan has errors; nothing was applied\n');
    return ExitCode.FINDINGS;
  }
  if (plan.steps.length === 0) return ExitCode.OK;
  if (!options.yes && !saved) {
    if (!io.interactive || !io.confirm) {
      io.stderr('cfct apply: not a terminal; pass --yes to apply without confirmation\n');
      return ExitCode.USAGE;
    }
    const warnings = plan.findings.filter((f) => f.severity === 'warning').length;
    const note = warnings > 0 ? ` The plan has ${plural(warnings, 'warning')} (listed above).` : '';
    if (!(await io.confirm(`Apply ${plural(plan.steps.length, 'step')}?${note}`))) {
      io.stderr('cfct apply: cancelled; nothing was applied\n');
      return ExitCode.FINDINGS;
    }
  }
  // The confirmation may have taken long: make sure the lock is still ours before the first step.
  try {
    await lock.ensureHeld();
  } catch (error) {
    if (errorName(error) !== 'LockLostError') throw error;
    io.stderr('cfct apply: nothing was applied\n');
    return ExitCode.FINDINGS;
  }

  const stopped = (message: string) => {
    io.stderr(
      `Apply stopped: ${message}. Steps after that were not started; once the other run is done, plan and apply again.\n`,
    );
    return ExitCode.FINDINGS;
  };
  const cacheRef = inputs.run.options?.stateCache;
  const { s3StackSetStateCache } = require('../../engine/stacksets') as typeof import('../../engine/stacksets');
  const stateCache = cacheRef
    ? s3StackSetStateCache({
        clients,
        ref: cacheRef,
        homeRegion: plan.homeRegion,
        installationId: plan.installationId,
        clock: inputs.clock,
      })
    : undefined;
  let report: RunReport;
  try {
    report = await applyRun(planned, {
      ...(stateCache ? { stateCache } : {}),
      clients,
      clock: inputs.clock,
      wait: (ms) => inputs.clock.sleep(ms),
      runId: `cli-${plan.inputHash.slice(0, 12)}-${lock.owner.slice(-8)}`,
      pollIntervalMs: options.pollSeconds * 1000,
      busyTimeoutMs: options.busyMinutes * 60_000,
      onProgress: progressPrinter(io),
    });
  } catch (error) {
    // The guarded clients refuse every call once the lock is lost; where the engine does not turn
    // that into a step failure, it ends the apply here.
    if (errorName(error) !== 'LockLostError') throw error;
    return stopped((error as Error).message);
  }
  for (const line of describeReport(report)) io.stderr(`${line}\n`);
  if (report.refused) for (const f of report.refused) io.stderr(`${formatFinding(f)}\n`);
  if (lock.lost) return stopped(lock.lost.message);
  io.stderr(
    report.succeeded
      ? 'Apply complete.\n'
      : 'Apply failed; fix the cause and run it again (it picks up where it stopped).\n',
  );
  return report.succeeded ? ExitCode.OK : ExitCode.FINDINGS;
}

/** Prints stack set progress: each step as it starts and ends, and every sixth check while it runs. */
function progressPrinter(io: CliIo): (p: StackSetProgress) => void {
  const checks = new Map<string, number>();
  return (p) => {
    const instances = p.instancesTotal > 0 ? ` [${p.instancesDone}/${p.instancesTotal} instances]` : '';
    if (p.state === 'running') {
      const n = (checks.get(p.step) ?? 0) + 1;
      checks.set(p.step, n);
      if (n % 6 !== 0) return;
    }
    io.stderr(`${p.stackSetName}: ${p.step}: ${p.state}${instances}\n`);
  };
}
