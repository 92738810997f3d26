/**
 * Usage errors, and the JSON document a command with `--format json` writes when it stops before
 * its work: one document on standard output for every outcome, so a script can always read why.
 * Standard error still carries the error as a line of text.
 */
import { ExitCode, type CliIo } from './io';
import type { Finding } from '../manifest/findings';
import { finding, type RuleId } from '../manifest/rules';

/** The commands that have `--format json`. */
export const JSON_COMMANDS = ['validate', 'plan', 'show', 'print-tasks'] as const;
export type JsonCommand = (typeof JSON_COMMANDS)[number];

/** The rule ids of command line errors (docs/rules.md, family U). */
export type UsageRuleId = Extract<RuleId, `CFCT-U${string}`>;

/** A finding of a command line error: no location (it is about the command line, not a file). */
export function usageFinding(ruleId: UsageRuleId, message: string, hint?: string): Finding {
  return finding(ruleId, { message, ...(hint ? { hint } : {}) });
}

/**
 * The document `command --format json` writes when it did not do its work: the shape its
 * successful output has, empty, with the findings that say why.
 * - `validate`: `{ valid: false, findings }`
 * - `plan`, `show`: `{ planned: false, reason, findings, steps: [] }` (`apply --plan` refuses it)
 * - `print-tasks`: `{ stackSets: [], findings }`
 */
export function failureDocument(command: JsonCommand, findings: readonly Finding[], reason: string): string {
  const doc =
    command === 'validate'
      ? { valid: false, reason, findings }
      : command === 'print-tasks'
        ? { stackSets: [], reason, findings }
        : { planned: false, reason, findings, steps: [] };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/**
 * Reports a usage error of `cfct <command>`: a line on standard error, and with `json` the
 * failure document on standard output. Returns the usage exit code.
 */
export function usageError(io: CliIo, command: JsonCommand, json: boolean, error: Finding): number {
  io.stderr(`cfct ${command}: ${error.message}\n`);
  if (json) io.stdout(failureDocument(command, [error], 'usage error; nothing was done'));
  return ExitCode.USAGE;
}

/**
 * The command a command line runs and whether it asks for JSON, read from the raw arguments (for
 * errors commander reports before any command runs). `undefined` unless it is a JSON command
 * given `--format json`.
 */
export function jsonCommandOf(args: readonly string[]): JsonCommand | undefined {
  const name = args.find((a) => !a.startsWith('-'));
  if (!name || !(JSON_COMMANDS as readonly string[]).includes(name)) return undefined;
  const json = args.some((a, i) => a === '--format=json' || (a === '--format' && args[i + 1] === 'json'));
  return json ? (name as JsonCommand) : undefined;
}

/** The rule of an error commander reports (by its error code). */
export function commanderRule(code: string): UsageRuleId {
  if (
    code === 'commander.missingArgument' ||
    code === 'commander.optionMissingArgument' ||
    code === 'commander.missingMandatoryOptionValue'
  ) {
    return 'CFCT-U002';
  }
  if (code === 'commander.invalidArgument') return 'CFCT-U003';
  return 'CFCT-U001';
}
