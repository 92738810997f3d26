import { InvalidArgumentError, Option, type Command } from 'commander';
import { formatFinding, hasErrors, loadPackage, PackageSourceError } from '../../manifest';
import { ExitCode, type CliIo } from '../io';
import { packageSourceProblem } from '../paths';
import { countFindings } from '../report/format';
import { usageError, usageFinding } from '../usage';

/** Options of `cfct validate`. */
interface ValidateOptions {
  readonly format: 'text' | 'json';
  readonly strict?: boolean;
  readonly stackSetPrefix?: string;
  /** `true` (bare `--lint`: cfn-lint) or a comma-separated list of linters. */
  readonly lint?: string | boolean;
  readonly guardRules?: string;
}

function prefixOption(value: string): string {
  if (!/^[a-zA-Z][-a-zA-Z0-9]*$/.test(value)) {
    throw new InvalidArgumentError(
      'a stack set prefix starts with a letter and holds only letters, digits and hyphens',
    );
  }
  return value;
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
    .option(
      '--lint [linters]',
      'also lint the templates with installed linters: cfn-lint (default), cfn-nag, cfn-guard (comma-separated)',
    )
    .option('--guard-rules <path>', 'cfn-guard rules file or folder (with --lint cfn-guard)')
    .action(async (source: string, options: ValidateOptions) => {
      let linters: readonly import('../lint').LinterName[] = [];
      if (options.lint !== undefined && options.lint !== false) {
        const { parseLinters } = require('../lint') as typeof import('../lint');
        const parsed = parseLinters(options.lint === true ? 'cfn-lint' : options.lint);
        if ('unknown' in parsed) {
          const error = usageFinding(
            'CFCT-U003',
            `--lint takes cfn-lint, cfn-nag and cfn-guard, got '${parsed.unknown}'`,
          );
          result.exitCode = usageError(io, 'validate', options.format === 'json', error);
          return;
        }
        linters = parsed.linters;
      }
      let loaded;
      try {
        loaded = await loadPackage(source, { stackSetPrefix: options.stackSetPrefix });
      } catch (err) {
        if (!(err instanceof PackageSourceError)) throw err;
        result.exitCode = usageError(
          io,
          'validate',
          options.format === 'json',
          usageFinding('CFCT-U004', packageSourceProblem(source, err)),
        );
        return;
      }
      if (linters.length && loaded.manifest) {
        const { lintTemplates } = require('../lint') as typeof import('../lint');
        const linted = lintTemplates(loaded.manifest, loaded.files, {
          linters,
          ...(options.guardRules ? { guardRules: options.guardRules } : {}),
        });
        loaded = { ...loaded, findings: [...loaded.findings, ...linted] };
      }
      const failed = hasErrors(loaded.findings, options.strict === true);
      if (options.format === 'json') {
        io.stdout(`${JSON.stringify({ valid: !failed, findings: loaded.findings }, null, 2)}\n`);
      } else {
        for (const f of loaded.findings) io.stdout(`${formatFinding(f)}\n`);
        io.stderr(`${source}: ${countFindings(loaded.findings)}\n`);
      }
      result.exitCode = failed ? ExitCode.FINDINGS : ExitCode.OK;
    });
}
