import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { systemClock } from '../../engine/retry';
import { formatFinding, hasErrors, loadPackage, PackageSourceError } from '../../manifest';
import { ExitCode, type CliIo } from '../io';

interface ExportOptions {
  readonly out?: string;
  readonly package?: string;
  readonly region?: string;
  readonly stackSetPrefix?: string;
}

/**
 * `cfct org export [--out org.json] [--package <package>]`: a snapshot of the organization for
 * offline plans. With a package, it also holds the stack sets and SSM values the package uses.
 * Read-only.
 */
export function register(program: Command, io: CliIo, result: { exitCode: number }): void {
  const org = program.command('org').description('work with the organization');
  org
    .command('export')
    .description('write a snapshot of the organization (for `cfct plan --organization`); read-only')
    .option('--out <file>', 'where to write it (default: standard output)')
    .option('--package <package>', 'also read the stack sets and SSM values this configuration package uses')
    .option('--region <region>', 'home region, when no package gives it (default: AWS_REGION)')
    .option('--stack-set-prefix <prefix>', 'stack set name prefix (default CustomControlTower-)')
    .action(async (options: ExportOptions) => {
      const { loadOrganizationSnapshot } = require('../../engine/organization/load') as typeof import('../../engine/organization/load');
      const { serialiseSnapshot } = require('../../engine/organization/serialise') as typeof import('../../engine/organization/serialise');
      const { loadRunSnapshot } = require('../../engine/run') as typeof import('../../engine/run');
      const { awsClients } = require('../inputs') as typeof import('../inputs');
      const clock = io.clock ?? systemClock;
      let text: string;
      if (options.package) {
        let loaded;
        try {
          loaded = await loadPackage(options.package, { stackSetPrefix: options.stackSetPrefix });
        } catch (err) {
          if (!(err instanceof PackageSourceError)) throw err;
          io.stderr(`cfct org export: ${err.message}\n`);
          result.exitCode = ExitCode.USAGE;
          return;
        }
        if (hasErrors(loaded.findings) || !loaded.manifest) {
          for (const f of loaded.findings) io.stderr(`${formatFinding(f)}\n`);
          result.exitCode = ExitCode.FINDINGS;
          return;
        }
        const clients = awsClients(io, loaded.manifest.region);
        const prefix = options.stackSetPrefix ? { prefix: options.stackSetPrefix } : {};
        text = serialiseSnapshot((await loadRunSnapshot(clients, loaded.manifest, { stackSets: prefix, clock })).snapshot);
      } else {
        const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
        if (!region) {
          io.stderr('cfct org export: pass --package or --region, or set AWS_REGION\n');
          result.exitCode = ExitCode.USAGE;
          return;
        }
        text = serialiseSnapshot((await loadOrganizationSnapshot(awsClients(io, region), { clock })).snapshot);
      }
      if (options.out) {
        writeFileSync(options.out, text);
        io.stderr(`wrote ${options.out}\n`);
      } else {
        io.stdout(text);
      }
    });
}
