import { accessSync, constants, existsSync, statSync } from 'node:fs';

/** True when `path` is a folder this process can read. */
export function isReadableDirectory(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Why `path` cannot be used, naming it and what was expected there, e.g.
 * `plans/x.json does not exist; expected a plan written by cfct plan --out plan.json`.
 */
export function unusablePath(path: string, expected: string, err?: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (!existsSync(path) || code === 'ENOENT') return `${path} does not exist; expected ${expected}`;
  if (code === 'EACCES' || code === 'EPERM') return `${path} cannot be read (permission denied); expected ${expected}`;
  if (code === 'EISDIR') return `${path} is a folder; expected ${expected}`;
  return `${path} cannot be read${code ? ` (${code})` : ''}; expected ${expected}`;
}

/** What a package argument must be. */
export const PACKAGE_EXPECTED = 'a configuration package: a folder holding manifest.yaml, or a .zip of one';

/** Why a package argument cannot be read: the path and what was expected, or the reader's words. */
export function packageSourceProblem(source: string, err: Error): string {
  return /^cannot read .*: (ENOENT|EACCES|EPERM)$/.test(err.message)
    ? unusablePath(source, PACKAGE_EXPECTED)
    : err.message;
}
