import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/cli/program';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `cfct ...args` in-process and captures what it prints. */
export async function cfct(...args: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await run(['node', 'cfct', ...args], {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
  });
  return { code, stdout, stderr };
}

/** A new empty temporary folder. */
export function tempDir(prefix = 'cfct-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
