import { BASE_FILES, unmark, VALID_MANIFEST } from './support';
import { packageFromFiles } from '../../src/manifest';

describe('corpus support', () => {
  test('the base package is valid', () => {
    const loaded = packageFromFiles({ ...BASE_FILES, 'manifest.yaml': VALID_MANIFEST });
    expect(loaded.findings).toEqual([]);
    expect(loaded.manifest?.resources).toHaveLength(2);
  });

  test('unmark finds the line and column of the mark', () => {
    expect(unmark('a: 1\nbc: ‸x\n')).toEqual({ text: 'a: 1\nbc: x\n', line: 2, column: 5 });
  });
});
