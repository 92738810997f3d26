import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { cfct, tempDir } from './support';
import { SAMPLE_PACKAGE } from '../../src/cli/sample-package';
import { loadPackage } from '../../src/manifest';

async function samplePackage(): Promise<string> {
  const dir = join(tempDir(), 'config');
  expect((await cfct('init', dir)).code).toBe(0);
  return dir;
}

describe('cfct package', () => {
  test('zips a valid package with the manifest at the root, loadable as the pipeline loads it', async () => {
    const dir = await samplePackage();
    const out = join(tempDir(), 'custom-control-tower-configuration.zip');
    const result = await cfct('package', dir, '--out', out);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`wrote ${out} (${Object.keys(SAMPLE_PACKAGE).length} files`);

    const loaded = await loadPackage(out);
    expect(loaded.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect([...loaded.files.list()].sort()).toEqual(Object.keys(SAMPLE_PACKAGE).sort());
    expect(loaded.manifest?.resources.map((r) => r.name)).toEqual([
      'deny-leaving-organization',
      'password-policy-check',
    ]);
  });

  test('is deterministic: the same folder gives the same bytes', async () => {
    const dir = await samplePackage();
    const a = join(tempDir(), 'a.zip');
    const b = join(tempDir(), 'b.zip');
    await cfct('package', dir, '--out', a);
    await new Promise((r) => setTimeout(r, 1100)); // file times differ; the zip must not
    await cfct('package', dir, '--out', b);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
  });

  test('fails when the package has errors, and writes no zip', async () => {
    const dir = await samplePackage();
    writeFileSync(join(dir, 'policies', 'deny-leave-organization.json'), '{ "Version": ');
    const out = join(tempDir(), 'out.zip');
    const result = await cfct('package', dir, '--out', out);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/policies\/deny-leave-organization\.json(:\d+:\d+)? error CFCT-/);
    expect(result.stderr).toContain('nothing was written');
    expect(existsSync(out)).toBe(false);
  });

  test('fails with exit code 2 when the folder does not exist', async () => {
    const result = await cfct('package', join(tempDir(), 'missing'));
    expect(result.code).toBe(2);
  });

  test('--upload puts the zip in the bucket under the name the S3 source watches', async () => {
    const s3 = mockClient(S3Client);
    s3.on(PutObjectCommand).resolves({ ETag: '"x"' });
    try {
      const dir = await samplePackage();
      const out = join(tempDir(), 'p.zip');
      const result = await cfct('package', dir, '--out', out, '--upload', 'my-config-bucket', '--region', 'eu-west-1');
      expect(result.code).toBe(0);
      const calls = s3.commandCalls(PutObjectCommand);
      expect(calls).toHaveLength(1);
      expect(calls[0].args[0].input).toMatchObject({
        Bucket: 'my-config-bucket',
        Key: 'custom-control-tower-configuration.zip',
      });
      expect(Buffer.from(calls[0].args[0].input.Body as Buffer).equals(readFileSync(out))).toBe(true);
      expect(result.stdout).toContain('uploaded s3://my-config-bucket/custom-control-tower-configuration.zip');
    } finally {
      s3.restore();
    }
  });
});
