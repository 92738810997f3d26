import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { ExitCode, type CliIo } from '../io';
import { SAMPLE_PACKAGE } from '../sample-package';

/** `cfct init <folder>`: writes a sample configuration package that validates. */
export function register(program: Command, io: CliIo, result: { exitCode: number }): void {
  program
    .command('init')
    .description('write a sample configuration package (manifest, policy, template, parameters) into a folder')
    .argument('<folder>', 'where to write it; created when missing, must be empty when it exists')
    .action((folder: string) => {
      const root = resolve(folder);
      if (existsSync(root) && readdirSync(root).length > 0) {
        io.stderr(`cfct init: ${folder} is not empty; choose a new or empty folder\n`);
        result.exitCode = ExitCode.USAGE;
        return;
      }
      for (const [path, text] of Object.entries(SAMPLE_PACKAGE)) {
        const target = join(root, ...path.split('/'));
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, text);
      }
      io.stdout(
        `Wrote a sample configuration package to ${folder}:\n` +
          Object.keys(SAMPLE_PACKAGE)
            .map((path) => `  ${path}\n`)
            .join('') +
          `Next: cfct validate ${folder}\n`,
      );
    });
}
