import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { migrateManifest } from '../../manifest/migrate';
import { ExitCode, type CliIo } from '../io';

/** `cfct migrate <package>`: rewrites a 2020-01-01 manifest as 2021-03-15, keeping comments. */
export function register(program: Command, io: CliIo, result: { exitCode: number }): void {
  program
    .command('migrate')
    .description('rewrite a version 2020-01-01 manifest as version 2021-03-15, keeping comments')
    .argument('<package>', 'configuration package folder, or the manifest file itself')
    .option('--out <file>', 'write the new manifest here instead of replacing manifest.yaml; - for stdout')
    .action((source: string, options: { out?: string }) => {
      let manifestPath = source;
      let text: string;
      try {
        if (statSync(source).isDirectory()) manifestPath = join(source, 'manifest.yaml');
        text = readFileSync(manifestPath, 'utf8');
      } catch {
        io.stderr(`cfct migrate: cannot read ${manifestPath}\n`);
        result.exitCode = ExitCode.USAGE;
        return;
      }
      const migration = migrateManifest(text);
      if (migration.text === undefined) {
        for (const error of migration.errors) io.stderr(`${error}\n`);
        result.exitCode = ExitCode.FINDINGS;
        return;
      }
      const out = options.out ?? manifestPath;
      if (out === '-') io.stdout(migration.text);
      else if (migration.text !== text) writeFileSync(out, migration.text);
      for (const note of migration.notes) io.stderr(`${note}\n`);
      if (out !== '-' && migration.text !== text) io.stderr(`wrote ${out}\n`);
    });
}
