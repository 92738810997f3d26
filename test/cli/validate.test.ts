import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, type CliIo } from '../../src/cli/program';
import { BASE_FILES, HEADER, POLICY, STACK_SET, VALID_MANIFEST } from '../manifest/support';

const SAMPLE = join(__dirname, '..', 'manifest', 'fixtures', 'valid');

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'cfct-validate-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

let counter = 0;
function writePackage(manifest: string, files: Record<string, string> = BASE_FILES): string {
  const dir = join(work, `p${counter++}`);
  for (const [name, content] of Object.entries({ ...files, 'manifest.yaml': manifest })) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

async function cfct(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) };
  const code = await run(['node', 'cfct', ...args], io);
  return { code, stdout, stderr };
}

describe('cfct validate', () => {
  test('exits 0 on a valid package and prints no findings', async () => {
    const result = await cfct('validate', writePackage(VALID_MANIFEST));
    expect(result).toMatchObject({ code: 0, stdout: '' });
    expect(result.stderr).toContain('0 errors, 0 warnings');
  });

  test('exits 0 on the sample package (its one suppressed warning is a note)', async () => {
    const result = await cfct('validate', SAMPLE);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^manifest\.yaml:\d+:\d+ info CFCT-M013 .*\(suppressed: /);
  });

  test('fails with exit 1 and prints one finding a line with file:line:col, rule id and hint', async () => {
    const manifest = HEADER + POLICY.replace('deploy_method: scp', 'deploy_method: scpp') + STACK_SET;
    const result = await cfct('validate', writePackage(manifest));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      'manifest.yaml:6:20 error CFCT-S005 "deploy_method" is "scpp"; allowed: scp, rcp, stack_set (at resources[0].deploy_method) hint: did you mean "scp"?\n',
    );
  });

  test('warnings pass, and fail with --strict', async () => {
    const manifest = HEADER + POLICY + "      accounts: ['111122223333']\n" + STACK_SET;
    const dir = writePackage(manifest);
    const relaxed = await cfct('validate', dir);
    expect(relaxed.code).toBe(0);
    expect(relaxed.stdout).toContain('warning CFCT-M014');
    expect((await cfct('validate', dir, '--strict')).code).toBe(1);
  });

  test('--format json prints every finding with its location', async () => {
    const manifest = HEADER + POLICY + STACK_SET.replace('      - us-east-1', '      - us-east-7');
    const result = await cfct('validate', writePackage(manifest), '--format', 'json');
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.valid).toBe(false);
    expect(report.findings).toEqual([
      {
        ruleId: 'CFCT-M009',
        severity: 'error',
        message: '"us-east-7" is not a known AWS region',
        location: { file: 'manifest.yaml', line: 20, column: 9, path: 'resources[1].regions[0]' },
        hint: 'did you mean "us-east-1"?',
        resource: 'topic',
      },
    ]);
  });

  test('--stack-set-prefix changes the stack set name that is checked', async () => {
    const long = HEADER + STACK_SET.replace('name: topic', `name: ${'t'.repeat(110)}`);
    const dir = writePackage(long);
    expect((await cfct('validate', dir)).code).toBe(1);
    expect((await cfct('validate', dir, '--stack-set-prefix', 'C-')).code).toBe(0);
  });

  test('fails with exit 1 on a corrupt zip', async () => {
    const zip = join(work, 'corrupt.zip');
    writeFileSync(zip, 'not a zip');
    const result = await cfct('validate', zip);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('error CFCT-P006');
  });

  test('fails with exit 2 on a path that does not exist', async () => {
    const result = await cfct('validate', join(work, 'missing'));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /missing does not exist; expected a configuration package: a folder holding manifest.yaml, or a .zip of one/,
    );
  });

  test('fails with exit 2 on an unknown format or a missing argument', async () => {
    expect((await cfct('validate', SAMPLE, '--format', 'xml')).code).toBe(2);
    expect((await cfct('validate')).code).toBe(2);
    expect((await cfct('validate', SAMPLE, '--stack-set-prefix', '1bad')).code).toBe(2);
  });
});
