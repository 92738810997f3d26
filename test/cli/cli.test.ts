import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  version: string;
};
const cfct = join(root, pkg.bin.cfct);

beforeAll(() => {
  // `assets/` is generated: a fresh clone bundles before tests.
  if (!existsSync(cfct)) {
    execFileSync('npx', ['projen', 'bundle'], { cwd: root, stdio: 'ignore' });
  }
});

function runCfct(...args: string[]) {
  return spawnSync(process.execPath, [cfct, ...args], { encoding: 'utf8' });
}

describe('cfct executable', () => {
  test('is the bin of the npm package and starts with a node shebang', () => {
    expect(pkg.bin.cfct).toMatch(/^assets\/.*cfct\.js$/);
    expect(readFileSync(cfct, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  test('--version prints the package version', () => {
    const result = runCfct('--version');
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(pkg.version);
  });

  test('--help describes the tool and exits 0', () => {
    const result = runCfct('--help');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: cfct/);
    expect(result.stdout).toContain('Customizations for AWS Control Tower');
  });

  test('fails with exit code 2 on an unknown argument', () => {
    const result = runCfct('--no-such-option');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("unknown option '--no-such-option'");
  });

  test('the bundle is self-contained: it loads with no node_modules on the path', () => {
    const result = spawnSync(process.execPath, [cfct, '--help'], {
      encoding: 'utf8',
      cwd: '/',
      env: { PATH: process.env.PATH, NODE_PATH: '' },
    });
    expect(result.status).toBe(0);
    expect(readFileSync(cfct, 'utf8')).not.toMatch(/require\("(commander|yaml|ajv)"\)/);
  });
});
