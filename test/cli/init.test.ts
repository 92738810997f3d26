import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cfct, tempDir } from './support';
import { SAMPLE_PACKAGE } from '../../src/cli/sample-package';

describe('cfct init', () => {
  test('writes the sample package into a new folder', async () => {
    const dir = join(tempDir(), 'config');
    const result = await cfct('init', dir);
    expect(result.code).toBe(0);
    for (const [path, text] of Object.entries(SAMPLE_PACKAGE)) {
      expect(readFileSync(join(dir, path), 'utf8')).toBe(text);
    }
    expect(result.stdout).toContain(`Next: cfct validate ${dir}`);
  });

  test('fails with exit code 2 when the folder is not empty, and writes nothing', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'keep.txt'), 'mine');
    const result = await cfct('init', dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is not empty');
    expect(existsSync(join(dir, 'manifest.yaml'))).toBe(false);
  });
});
