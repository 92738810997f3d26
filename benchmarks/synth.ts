/**
 * Synth time of the full pipeline stack (S3 source with the sample package, approval,
 * notifications, lifecycle trigger, both state machines): construction and `app.synth()`
 * (asset staging included) into a fresh output folder, wall and CPU time, for a few runs in one
 * process (the first pays for loading aws-cdk-lib). Target: at most 10 s.
 *
 *   npx projen bench:synth [runs]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const RUNS = Number(process.argv[2]) || 3;

function main(): void {
  const loadStarted = Date.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { App, Stack } = require('aws-cdk-lib') as typeof import('aws-cdk-lib');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { CustomControlTowerPipeline } = require('../src') as typeof import('../src');
  process.stdout.write(`load aws-cdk-lib and the constructs: ${Date.now() - loadStarted} ms\n`);
  for (let i = 1; i <= RUNS; i++) {
    const outdir = mkdtempSync(join(tmpdir(), 'cfct-synth-'));
    const cpu = process.cpuUsage();
    const started = Date.now();
    const app = new App({ outdir });
    const stack = new Stack(app, 'Customizations', { env: { account: '111111111111', region: 'us-east-1' } });
    new CustomControlTowerPipeline(stack, 'Customizations', {
      requireApproval: true,
      approvalEmails: ['a@example.com'],
      notificationEmails: ['o@example.com'],
    });
    const constructed = Date.now();
    const assembly = app.synth();
    const done = Date.now();
    const used = process.cpuUsage(cpu);
    const resources = Object.keys(assembly.getStackByName('Customizations').template.Resources).length;
    process.stdout.write(
      `run ${i}: construct ${constructed - started} ms, synth ${done - constructed} ms, total ${done - started} ms wall, ` +
        `${Math.round((used.user + used.system) / 1000)} ms CPU; ${resources} resources\n`,
    );
    rmSync(outdir, { recursive: true, force: true });
  }
  process.stdout.write(
    `machine: ${cpus().length} cores, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`,
  );
}

main();
