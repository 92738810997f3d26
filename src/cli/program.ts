import { Command, CommanderError } from 'commander';
import * as applyCommand from './commands/apply';
import { addExamples } from './commands/help';
import * as initCommand from './commands/init';
import * as migrateCommand from './commands/migrate';
import * as orgCommand from './commands/org';
import * as packageCommand from './commands/package';
import * as pipelineBuildCommand from './commands/pipeline-build';
import * as planCommand from './commands/plan';
import * as printTasksCommand from './commands/print-tasks';
import * as showCommand from './commands/show';
import * as validateCommand from './commands/validate';
import { ExitCode, type CliIo } from './io';
import { colorWanted } from './report/color';
import { commanderRule, failureDocument, jsonCommandOf, usageFinding } from './usage';
import { packageVersion } from './version';

// Commands import these from ./io (not from here, which imports the commands).
export { ExitCode, type CliIo } from './io';

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  interactive: Boolean(process.stdin.isTTY),
  color: colorWanted(process.stdout.isTTY),
  progress: Boolean(process.stderr.isTTY),
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

  const commands = [
    validateCommand,
    planCommand,
    showCommand,
    applyCommand,
    printTasksCommand,
    orgCommand,
    packageCommand,
    initCommand,
    migrateCommand,
    pipelineBuildCommand,
  ];
  for (const command of commands) {
    command.register(program, io, result);
  }
  addExamples(program);
  return program;
}

/** How a live command gets credentials, said when the SDK found none. */
export const CREDENTIALS_HINT = [
  "hint: live commands use the AWS SDK's standard credential chain, in the management account. Provide credentials with one of:",
  '  AWS_PROFILE=<profile> (after `aws configure` or `aws sso login --profile <profile>`),',
  '  AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) in the environment,',
  '  or an instance, container or CodeBuild role. Offline, plan with --organization <file> from `cfct org export`.',
].join('\n');

function isMissingCredentials(name: string, message: string): boolean {
  return (
    name === 'CredentialsProviderError' ||
    /could not load credentials|unable to locate credentials|no credentials/i.test(message)
  );
}

/** Runs `cfct` with `argv` (as `process.argv`: node, script, ...args) and resolves to the exit code. */
export async function run(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const result = { exitCode: ExitCode.OK as number };
  const program = buildProgram(io, result);
  // With --format json, a command writes one JSON document on stdout whatever happens.
  const json = jsonCommandOf(argv.slice(2));
  try {
    await program.parseAsync([...argv]);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end with exit code 0; anything else commander rejects is usage.
      if (err.exitCode === 0) return ExitCode.OK;
      if (json) {
        const message = err.message.replace(/^error: /, '');
        io.stdout(
          failureDocument(
            json,
            [usageFinding(commanderRule(err.code), message, `run \`cfct ${json} --help\` for usage`)],
            'usage error; nothing was done',
          ),
        );
      }
      return ExitCode.USAGE;
    }
    // An AWS call that failed for good (no credentials, access denied, ...): say which, no trace.
    const { name, message } = err instanceof Error ? err : { name: 'Error', message: String(err) };
    const text = `${name === 'Error' ? '' : `${name}: `}${message}`;
    io.stderr(`cfct: ${text}\n`);
    const credentials = isMissingCredentials(name, message);
    if (credentials) io.stderr(`${CREDENTIALS_HINT}\n`);
    if (json) {
      io.stdout(
        failureDocument(
          json,
          [usageFinding('CFCT-U006', text, credentials ? CREDENTIALS_HINT : undefined)],
          'an AWS request failed; nothing was done',
        ),
      );
    }
    return ExitCode.FINDINGS;
  }
  return result.exitCode;
}
