import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
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

const root = join(__dirname, '..', '..');

/** The built `cfct` bundle (the npm package's bin); built first on a fresh clone. */
export function cfctBundle(): string {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  const bin = join(root, pkg.bin.cfct);
  if (!existsSync(bin)) execFileSync('npx', ['projen', 'bundle'], { cwd: root, stdio: 'ignore' });
  return bin;
}

/** Runs the built bundle as a real process, from `/`, with no node_modules in reach. */
export function cfctProcess(...args: string[]): CliRun {
  const result = spawnSync(process.execPath, [cfctBundle(), ...args], {
    encoding: 'utf8',
    cwd: '/',
    env: { PATH: process.env.PATH },
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
