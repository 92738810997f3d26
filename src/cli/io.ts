/**
 * What every command shares: exit codes and the I/O (output, AWS clients, clock, prompts) the
 * program hands it. A module of its own so commands need not import the program that imports them.
 */
import type { AwsClients } from '../aws/clients';
import type { Clock } from '../engine/retry';

/** Exit codes shared by every command. */
export const ExitCode = {
  /** Success; for `validate`, no errors (and no warnings with `--strict`). */
  OK: 0,
  /** The command ran and found problems (findings, failed operations). */
  FINDINGS: 1,
  /** Usage error, or an input path that does not exist or cannot be read. */
  USAGE: 2,
} as const;

/** Where a command writes, and what it reaches AWS and time through; tests pass their own. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** AWS clients for live commands, with `region` as the default region. @default real clients */
  readonly aws?: (region: string) => AwsClients;
  /** The clock of retries and waits. @default the system clock */
  readonly clock?: Clock;
  /** True when a person can answer a confirmation prompt. @default stdin is a TTY */
  readonly interactive?: boolean;
  /** Asks a yes/no question; resolves to the answer. @default reads a line from stdin */
  readonly confirm?: (question: string) => Promise<boolean>;
  /** True to colour what goes to stdout. @default stdout is a TTY and NO_COLOR is unset */
  readonly color?: boolean;
  /** True to write progress lines of long reads on stderr (also with `--progress`). @default stderr is a TTY */
  readonly progress?: boolean;
}
