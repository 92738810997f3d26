import { accessSync, constants, statSync } from 'node:fs';

/** True when `path` is a folder this process can read. */
export function isReadableDirectory(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
