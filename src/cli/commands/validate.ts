import { InvalidArgumentError, Option, type Command } from 'commander';
import { formatFinding, hasErrors, loadPackage, PackageSourceError, type Finding } from '../../manifest';
import { ExitCode, type CliIo } from '../io';

/** Options of `cfct validate`. */
interface ValidateOptions {
  readonly format: 'text' | 'json';
  readonly strict?: boolean;
  readonly stackSetPrefix?: string;
}

function prefixOption(value: string): string {
  if (!/^[a-zA-Z][-a-zA-Z0-9]*$/.test(value)) {
    throw new InvalidArgumentError('a stack set prefix starts with a letter and holds only letters, digits and hyphens');
  }
  return value;
}

function summary(findings: readonly Finding[]): string {
  const count = (severity: Finding['severity']) => findings.filter((f) => f.severity === severity).length;
  return `${count('error')} error(s), ${count('warning')} warning(s), ${count('info')} note(s)`;
}

/**
 * `cfct validate <package>`: reads a configuration package (folder or zip), runs every rule and
 * prints the findings. Exit 0 when clean (warnings allowed unless `--strict`), 1 with findings,
 * 2 for usage errors or a path that does not exist or cannot be read.
 */
export function register(program: Command, io: CliIo, result: { exitCode: number }): void {
  program
    .command('validate')
    .description('check a configuration package (folder or zip) and print every finding')
    .argument('<package>', 'configuration package folder or .zip')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--strict', 'fail on warnings too')
    .option('--stack-set-prefix <prefix>', 'stack set name prefix (default CustomControlTower-)', prefixOption)
    .action(async (source: string, options: ValidateOptions) => {
      let loaded;
      try {
        loaded = await loadPackage(source, { stackSetPrefix: options.stackSetPrefix });
      } catch (err) {
        if (!(err instanceof PackageSourceError)) throw err;
        io.stderr(`cfct validate: ${err.message}\n`);
        result.exitCode = ExitCode.USAGE;
        return;
      }
      const failed = hasErrors(loaded.findings, options.strict === true);
      if (options.format === 'json') {
        io.stdout(`${JSON.stringify({ valid: !failed, findings: loaded.findings }, null, 2)}\n`);
      } else {
        for (const f of loaded.findings) io.stdout(`${formatFinding(f)}\n`);
        io.stderr(`${source}: ${summary(loaded.findings)}\n`);
      }
      result.exitCode = failed ? ExitCode.FINDINGS : ExitCode.OK;
    });
}
