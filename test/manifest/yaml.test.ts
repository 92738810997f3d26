import { parse } from 'yaml';
import { parseYaml } from '../../src/manifest/yaml';

/** Our reading of the scalar `text` (PyYAML's YAML 1.1 resolution). */
function ours(text: string): unknown {
  const parsed = parseYaml(`v: ${text}\n`, 'test.yaml', { syntaxRule: 'CFCT-Y001' });
  expect(parsed.findings).toEqual([]);
  return (parsed.value as { v: unknown }).v;
}

/** The `yaml` package's own YAML 1.1 reading of `text`. */
function yamlPackage(text: string): unknown {
  const value = (parse(`v: ${text}\n`, { schema: 'yaml-1.1' }) as { v: unknown }).v;
  return value instanceof Date ? 'Date' : value;
}

describe('YAML 1.1 scalars as PyYAML resolves them', () => {
  // Each row: text, what the `yaml` package's yaml-1.1 schema gives, what PyYAML (and we) give.
  test.each([
    ['035935210323', 35935210323, '035935210323'],
    ['09', 9, '09'],
    ['y', true, 'y'],
    ['Y', true, 'Y'],
    ['n', false, 'n'],
    ['N', false, 'N'],
    ['1e3', 1000, '1e3'],
    ['1.0e3', 1000, '1.0e3'],
    ['.', NaN, '.'],
    ['-.5', -0.5, '-.5'],
    ['+.5', 0.5, '+.5'],
    ['2021-3-5', 'Date', '2021-3-5'],
    ['0:30', 30, '0:30'],
  ])('%s differs from the yaml package (%p there, %p here)', (text, theirs, mine) => {
    expect(yamlPackage(text)).toEqual(theirs);
    expect(ours(text)).toEqual(mine);
  });

  test.each([
    ['0755', 493],
    ['-017', -15],
    ['1_000', 1000],
    ['0b101', 5],
    ['0x1F', 31],
    ['1:30', 90],
    ['190:20:30', 685230],
    ['-1:30.5', -90.5],
    ['1.00', 1],
    ['1.', 1],
    ['.5', 0.5],
    ['1.0e+3', 1000],
    ['1.5e-3', 0.0015],
    ['123456789012', 123456789012],
    ['yes', true],
    ['No', false],
    ['on', true],
    ['OFF', false],
    ['true', true],
    ['~', null],
    ['null', null],
    ['', null],
  ])('%s is read as %p, as both PyYAML and the yaml package read it', (text, value) => {
    expect(ours(text)).toEqual(value);
    expect(yamlPackage(text)).toEqual(value);
  });

  test('.inf and .nan are floats', () => {
    expect(ours('.inf')).toBe(Infinity);
    expect(ours('-.Inf')).toBe(-Infinity);
    expect(ours('.NaN')).toBeNaN();
  });

  test('dates and timestamps are kept as written (PyYAML str() of a date is the same text)', () => {
    expect(ours('2021-03-15')).toBe('2021-03-15');
    expect(ours('2021-03-15 10:00:00')).toBe('2021-03-15 10:00:00');
  });

  test('quoted scalars are always strings', () => {
    expect(ours("'0755'")).toBe('0755');
    expect(ours('"yes"')).toBe('yes');
    expect(ours("'2021-03-15'")).toBe('2021-03-15');
  });

  test('explicit !!str keeps a plain scalar a string', () => {
    expect(ours('!!str 0755')).toBe('0755');
  });
});

describe('YAML structure', () => {
  test('merge keys copy the keys the mapping does not set itself', () => {
    const parsed = parseYaml('base: &b {a: 1, b: 2}\nx:\n  <<: *b\n  b: 3\n', 'm.yaml', { syntaxRule: 'CFCT-Y001' });
    expect(parsed.value).toEqual({ base: { a: 1, b: 2 }, x: { a: 1, b: 3 } });
  });

  test('aliases resolve to the anchored value', () => {
    const parsed = parseYaml('a: &x [1, 2]\nb: *x\n', 'm.yaml', { syntaxRule: 'CFCT-Y001' });
    expect(parsed.value).toEqual({ a: [1, 2], b: [1, 2] });
  });

  test('fails on a recursive alias without looping', () => {
    const parsed = parseYaml('a: &x\n  - *x\n', 'm.yaml', { syntaxRule: 'CFCT-Y001' });
    expect(parsed.findings.map((f) => f.ruleId)).toEqual(['CFCT-Y001']);
  });

  test('fails on an alias bomb quickly, without expanding it', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) {
      lines.push(
        `${'abcdefghij'[i]}: &${'abcdefghij'[i]} [${Array(10)
          .fill(`*${'abcdefghij'[i - 1]}`)
          .join(', ')}]`,
      );
    }
    const start = Date.now();
    const parsed = parseYaml(`${lines.join('\n')}\n`, 'm.yaml', { syntaxRule: 'CFCT-Y001' });
    expect(Date.now() - start).toBeLessThan(5000);
    expect(parsed.findings.map((f) => f.ruleId)).toEqual(['CFCT-Y001']);
    expect(parsed.findings[0].message).toContain('aliases expand to more than');
  });

  test('fails on a mapping key that is a list, at the key', () => {
    const parsed = parseYaml('a:\n  ? [x, y]\n  : 1\n', 'm.yaml', { syntaxRule: 'CFCT-Y001' });
    expect(parsed.findings).toEqual([
      expect.objectContaining({ ruleId: 'CFCT-Y001', location: expect.objectContaining({ line: 2, column: 5 }) }),
    ]);
  });

  test('a key named __proto__ is an ordinary key', () => {
    const parsed = parseYaml('__proto__: {polluted: true}\n', 'm.yaml', { syntaxRule: 'CFCT-Y001' });
    expect(Object.keys(parsed.value as object)).toEqual(['__proto__']);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  test('positions of values and keys are 1-based lines and columns with a document path', () => {
    const parsed = parseYaml('a:\n  - x\n  - y: 1\n', 'm.yaml', { syntaxRule: 'CFCT-Y001' });
    expect(parsed.positions.at(['a', 1, 'y'])).toEqual({ file: 'm.yaml', line: 3, column: 8, path: 'a[1].y' });
    expect(parsed.positions.keyAt(['a', 1, 'y'])).toEqual({ file: 'm.yaml', line: 3, column: 5, path: 'a[1].y' });
  });

  test('fails with a position on a syntax error', () => {
    const parsed = parseYaml('a: [1, 2\n', 'm.yaml', { syntaxRule: 'CFCT-Y001' });
    expect(parsed.value).toBeUndefined();
    expect(parsed.findings[0]).toMatchObject({ ruleId: 'CFCT-Y001', location: { file: 'm.yaml', line: 2 } });
  });
});

describe('tags', () => {
  test('fails on tags PyYAML cannot construct, at the tag', () => {
    const parsed = parseYaml('a: !!python/object:os.system {x: 1}\nb: !Custom [1]\n', 'm.yaml', {
      syntaxRule: 'CFCT-Y001',
    });
    expect(parsed.findings.map((f) => [f.ruleId, f.location?.line, f.location?.column])).toEqual([
      ['CFCT-Y001', 1, 4],
      ['CFCT-Y001', 2, 4],
    ]);
  });

  test('CloudFormation tags are unknown in a manifest', () => {
    const parsed = parseYaml('region: !Ref Region\n', 'm.yaml', { syntaxRule: 'CFCT-Y001' });
    expect(parsed.findings.map((f) => f.ruleId)).toEqual(['CFCT-Y001']);
  });
});
