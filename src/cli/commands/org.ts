import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { systemClock } from '../../engine/retry';
import { formatFinding, hasErrors, loadPackage, PackageSourceError } from '../../manifest';
import { DEFAULT_STACK_SET_PREFIX } from '../../manifest/load';
import { ExitCode, type CliIo } from '../io';

interface ExportOptions {
  readonly out?: string;
  readonly package?: string;
  readonly region?: string;
  readonly stackSetPrefix?: string;
}

/**
 * `cfct org export [--out org.json] [--package <package>]`: a snapshot of the organization for
 * offline plans: the whole tree, every SCP and RCP, and every stack set with the prefix (home
 * region). With a package, it also holds the package's stack sets outside the prefix and the SSM
 * values it reads; a plan from a snapshot that lacks something it needs is refused (CFCT-O010),
 * never planned as if it were absent. Read-only.
 */
export function register(program: Command, io: CliIo, result: { exitCode: number }): void {
  const org = program.command('org').description('work with the organization');
  org
    .command('export')
    .description('write a snapshot of the organization (for `cfct plan --organization`); read-only')
    .option('--out <file>', 'where to write it (default: standard output)')
    .option(
      '--package <package>',
      'also read the stack sets outside the prefix and the SSM values this configuration package uses',
    )
    .option('--region <region>', 'home region, when no package gives it (default: AWS_REGION)')
    .option('--stack-set-prefix <prefix>', 'stack set name prefix (default CustomControlTower-)')
    .action(async (options: ExportOptions) => {
      const { loadOrganizationSnapshot } =
        require('../../engine/organization/load') as typeof import('../../engine/organization/load');
      const { serialiseSnapshot } =
        require('../../engine/organization/serialise') as typeof import('../../engine/organization/serialise');
      const { snapshotNeeds } = require('../../engine/run') as typeof import('../../engine/run');
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
        // Every policy type whole (not only the package's), so any installation id can plan from it.
        const { stackSets } = snapshotNeeds(loaded.manifest, { stackSets: prefix });
        text = serialiseSnapshot((await loadOrganizationSnapshot(clients, { clock, stackSets })).snapshot);
      } else {
        const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
        if (!region) {
          io.stderr('cfct org export: pass --package or --region, or set AWS_REGION\n');
          result.exitCode = ExitCode.USAGE;
          return;
        }
        // No package: no names or SSM values to read, but every stack set with the prefix, so a
        // manifest whose stack sets all carry the prefix and read no SSM value plans from it as live.
        const stackSets = {
          homeRegion: region,
          prefix: options.stackSetPrefix ?? DEFAULT_STACK_SET_PREFIX,
          names: [],
          ssmNames: [],
        };
        text = serialiseSnapshot(
          (await loadOrganizationSnapshot(awsClients(io, region), { clock, stackSets })).snapshot,
        );
      }
      if (options.out) {
        writeFileSync(options.out, text);
        io.stderr(`wrote ${options.out}\n`);
      } else {
        io.stdout(text);
      }
    });
}
