import { join } from 'node:path';
import { loadPackage } from '../../src/manifest';

const sample = join(__dirname, 'fixtures', 'valid');

describe('the sample package', () => {
  test('loads with no errors or warnings and normalises every resource', async () => {
    const loaded = await loadPackage(sample);
    expect(loaded.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    const manifest = loaded.manifest!;
    expect(manifest.version).toBe('2021-03-15');
    expect(manifest.stackSetOrder).toBe('dependencies');
    expect(manifest.resources.map((r) => [r.name, r.deployMethod])).toEqual([
      ['deny-leave-organization', 'scp'],
      ['data-perimeter', 'rcp'],
      ['network', 'stack_set'],
      ['logging', 'stack_set'],
    ]);
  });
});
