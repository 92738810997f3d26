import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZipFile } from 'yazl';

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string> };
const cfct = join(root, pkg.bin.cfct);
const SAMPLE = join(__dirname, '..', 'manifest', 'fixtures', 'valid');

let work: string;
beforeAll(() => {
  // `assets/` is generated: a fresh clone bundles before tests.
  if (!existsSync(cfct)) execFileSync('npx', ['projen', 'bundle'], { cwd: root, stdio: 'ignore' });
  work = mkdtempSync(join(tmpdir(), 'cfct-bundle-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function runCfct(...args: string[]) {
  return spawnSync(process.execPath, [cfct, ...args], { encoding: 'utf8', cwd: '/', env: { PATH: process.env.PATH } });
}

function zipOf(files: Record<string, string>): Promise<Buffer> {
  const zip = new ZipFile();
  for (const [name, content] of Object.entries(files)) zip.addBuffer(Buffer.from(content), name);
  zip.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve) => {
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

describe('cfct validate (the bundled executable)', () => {
  test('validates the sample package folder: exit 0', () => {
    const result = runCfct('validate', SAMPLE);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('0 errors, 0 warnings, 1 info');
  });

  test('validates a zip in custom-control-tower-configuration/ and reports a broken manifest: exit 1', async () => {
    const zip = join(work, 'broken.zip');
    writeFileSync(
      zip,
      await zipOf({
        'custom-control-tower-configuration/manifest.yaml':
          'region: us-east-1\nversion: 2021-03-15\nresources:\n  - name: x\n    resource_file: policies/none.json\n    deploy_method: scp\n    deployment_targets: {}\n',
      }),
    );
    const result = runCfct('validate', zip, '--format', 'json');
    expect(result.status).toBe(1);
    expect(JSON.parse(result.stdout).findings).toEqual([
      expect.objectContaining({
        ruleId: 'CFCT-M003',
        location: expect.objectContaining({ file: 'manifest.yaml', line: 5, column: 20 }),
      }),
    ]);
  });

  test('exit 2 for a path that does not exist', () => {
    const result = runCfct('validate', join(work, 'nothing-here'));
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/nothing-here does not exist; expected a configuration package/);
  });
});
