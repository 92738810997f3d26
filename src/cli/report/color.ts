/**
 * ANSI colour for terminals: on when standard output is a terminal, off when it is piped or
 * `NO_COLOR` is set (https://no-color.org). Renderers take a `Paint`; `plain` leaves text as is.
 */

export interface Paint {
  readonly red: (text: string) => string;
  readonly green: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
}

const sgr = (open: number, close: number) => (text: string) =>
  text === '' ? text : `\u001b[${open}m${text}\u001b[${close}m`;

export const ansi: Paint = {
  red: sgr(31, 39),
  green: sgr(32, 39),
  yellow: sgr(33, 39),
  bold: sgr(1, 22),
  dim: sgr(2, 22),
};

const same = (text: string) => text;
export const plain: Paint = { red: same, green: same, yellow: same, bold: same, dim: same };

/** Whether to colour output written to a stream: a terminal, and `NO_COLOR` unset or empty. */
export function colorWanted(isTty: boolean | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(isTty) && !env.NO_COLOR;
}

/** Colours a line of a diff or a plan by its leading symbol (`-` red, `+` green, `~` yellow). */
export function paintBySymbol(paint: Paint, line: string): string {
  const body = line.trimStart();
  if (body.startsWith('---') || body.startsWith('+++')) return paint.bold(line);
  if (body.startsWith('-')) return paint.red(line);
  if (body.startsWith('+')) return paint.green(line);
  if (body.startsWith('~') || body.startsWith('!')) return paint.yellow(line);
  return line;
}
