import { Command, CommanderError } from 'commander';
import * as applyCommand from './commands/apply';
import * as initCommand from './commands/init';
import * as migrateCommand from './commands/migrate';
import * as orgCommand from './commands/org';
import * as packageCommand from './commands/package';
import * as planCommand from './commands/plan';
import * as validateCommand from './commands/validate';
import { ExitCode, type CliIo } from './io';
import { packageVersion } from './version';

// Commands import these from ./io (not from here, which imports the commands).
export { ExitCode, type CliIo } from './io';

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  interactive: Boolean(process.stdin.isTTY),
  confirm: async (question) => {
    const { createInterface } = await import('node:readline/promises');
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return /^y(es)?$/i.test((await rl.question(`${question} Only 'yes' applies: `)).trim());
    } finally {
      rl.close();
    }
  },
};

/**
 * Builds the `cfct` program. Each command sets `exitCode` through the returned holder, so the
 * program can be run in-process by tests without touching `process.exitCode`.
 */
export function buildProgram(io: CliIo, result: { exitCode: number }): Command {
  const program = new Command();
  program
    .name('cfct')
    .description(
      'Customizations for AWS Control Tower: validate a configuration package, plan its changes to the organization, and apply them.',
    )
    .version(packageVersion(), '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'show help')
    .showHelpAfterError('(run `cfct --help` for usage)')
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
    })
    .exitOverride();

  for (const command of [validateCommand, planCommand, applyCommand, orgCommand, packageCommand, initCommand, migrateCommand]) {
    command.register(program, io, result);
  }
  return program;
}

/** Runs `cfct` with `argv` (as `process.argv`: node, script, ...args) and resolves to the exit code. */
export async function run(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const result = { exitCode: ExitCode.OK as number };
  const program = buildProgram(io, result);
  try {
    await program.parseAsync([...argv]);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end with exit code 0; anything else commander rejects is usage.
      return err.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    }
    // An AWS call that failed for good (no credentials, access denied, ...): say which, no trace.
    const { name, message } = err instanceof Error ? err : { name: 'Error', message: String(err) };
    io.stderr(`cfct: ${name === 'Error' ? '' : `${name}: `}${message}\n`);
    return ExitCode.FINDINGS;
  }
  return result.exitCode;
}
