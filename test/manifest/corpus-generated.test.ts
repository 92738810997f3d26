/**
 * Generated broken packages: systematic mutations of the sample package, each with the rule
 * and the position it must be reported at.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { brief } from './support';
import { packageFromFiles } from '../../src/manifest';
import { KNOWN_REGIONS } from '../../src/manifest/regions';

const SAMPLE = join(__dirname, 'fixtures', 'valid');

function readTree(dir: string, out: Record<string, string> = {}): Record<string, string> {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) readTree(full, out);
    else out[relative(SAMPLE, full).split('\\').join('/')] = readFileSync(full, 'utf8');
  }
  return out;
}

const FILES = readTree(SAMPLE);
const LINES = FILES['manifest.yaml'].split('\n');

interface Generated {
  readonly name: string;
  readonly rule: string;
  readonly manifest: string;
  readonly line: number;
  readonly column: number;
  readonly hint?: string;
}

/** Replaces line `index` (0-based) of the sample manifest. */
function withLine(index: number, text: string): string {
  return [...LINES.slice(0, index), text, ...LINES.slice(index + 1)].join('\n');
}

const KEY_LINE = /^(\s*(?:- )?)([A-Za-z_]+):(\s+|$)(.*)$/;
const ITEM_LINE = /^(\s*- )([^\s{[].*)$/;

/** Lines under `tags:` hold user keys, not schema keys. */
function isUserKey(index: number): boolean {
  for (let i = index - 1; i >= 0; i--) {
    const match = KEY_LINE.exec(LINES[i]);
    if (!match) continue;
    if (match[1].length < KEY_LINE.exec(LINES[index])![1].length) return match[2] === 'tags';
  }
  return false;
}

function misspeltKeys(): Generated[] {
  const cases: Generated[] = [];
  LINES.forEach((line, index) => {
    const match = KEY_LINE.exec(line);
    if (!match || isUserKey(index)) return;
    const [, indent, key, space, rest] = match;
    const typo = key.slice(0, -1);
    cases.push({
      name: `fails on misspelt key "${typo}" (line ${index + 1})`,
      rule: 'CFCT-S003',
      manifest: withLine(index, `${indent}${typo}:${space}${rest}`),
      line: index + 1,
      column: indent.length + 1,
      hint: `did you mean "${key}"?`,
    });
  });
  return cases;
}

function wrongTypes(): Generated[] {
  const cases: Generated[] = [];
  LINES.forEach((line, index) => {
    const key = KEY_LINE.exec(line);
    if (key && key[4] !== '' && !/^[[{#]/.test(key[4]) && key[2] !== 'version') {
      const column = line.length - key[4].length + 1;
      cases.push({
        name: `fails when "${key[2]}" (line ${index + 1}) is a mapping`,
        rule: 'CFCT-S004',
        manifest: withLine(index, `${line.slice(0, column - 1)}{x: 1}`),
        line: index + 1,
        column,
      });
      return;
    }
    const item = ITEM_LINE.exec(line);
    if (item && !KEY_LINE.test(line)) {
      cases.push({
        name: `fails when list item "${item[2]}" (line ${index + 1}) is a mapping`,
        rule: 'CFCT-S004',
        manifest: withLine(index, `${item[1]}{x: 1}`),
        line: index + 1,
        column: item[1].length + 1,
      });
    }
  });
  return cases;
}

/** The line (0-based) of the first occurrence of `text` in the sample manifest. */
function lineOf(text: string): number {
  const index = LINES.findIndex((line) => line.includes(text));
  if (index < 0) throw new Error(`sample manifest has no line with ${text}`);
  return index;
}

function valueCases(
  rule: string,
  anchor: string,
  values: readonly string[],
  what: string,
  hint?: (value: string) => string | undefined,
): Generated[] {
  const index = lineOf(anchor);
  const column = LINES[index].indexOf(anchor) + 1;
  return values.map((value) => ({
    name: `fails on ${what} ${value}`,
    rule,
    manifest: withLine(index, LINES[index].replace(anchor, value)),
    line: index + 1,
    column,
    hint: hint?.(value),
  }));
}

function regionTypos(): string[] {
  return KNOWN_REGIONS.filter((r) => !r.startsWith('eusc')).map((region) => region.replace(/-(\d)$/, '$1'));
}

const GENERATED: Generated[] = [
  ...misspeltKeys(),
  ...wrongTypes(),
  ...valueCases(
    'CFCT-M006',
    "'210987654321'",
    [
      '1',
      '12345',
      '123456789',
      "'1234567890123'",
      "'12345678901'",
      "'00000000001'",
      '1234-5678-9012',
      '"1234 5678 9012"',
    ],
    'account id',
  ),
  ...valueCases(
    'CFCT-M009',
    'eu-west-1',
    regionTypos(),
    'region',
    (value) => `did you mean "${value.replace(/(\d)$/, '-$1')}"?`,
  ),
  ...valueCases(
    'CFCT-M008',
    'Sandbox',
    ["':Sandbox'", "'Sandbox:'", "'A::B'", "' Sandbox'", "'A: B'", 'r-1', 'r-ABCD', `'${'x'.repeat(129)}'`],
    'OU',
  ),
  ...valueCases(
    'CFCT-M012',
    '/org/network/vpc-id',
    [
      'org/network/vpc-id',
      '/org/network vpc',
      '/org//vpc',
      '/aws/vpc',
      'ssm-vpc',
      `/${'a/'.repeat(16)}x`,
      '/org/{account}/vpc',
      '/org/vpc!',
      `/${'x'.repeat(1011)}`,
    ],
    'export name',
  ),
  ...valueCases(
    'CFCT-M002',
    'Logging-Baseline',
    ['Logging_Baseline', '1Logging', 'Logging.Baseline', '"Logging Baseline"', '-Logging', `L${'x'.repeat(128)}`],
    'stack set name',
  ),
];

describe('generated broken packages', () => {
  test('there are many of them', () => {
    expect(GENERATED.length).toBeGreaterThan(100);
  });

  test.each(GENERATED.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const loaded = packageFromFiles({ ...FILES, 'manifest.yaml': c.manifest });
    expect(brief(loaded.findings)).toContainEqual({
      ruleId: c.rule,
      file: 'manifest.yaml',
      line: c.line,
      column: c.column,
    });
    if (c.hint) {
      const match = loaded.findings.find((f) => f.ruleId === c.rule && f.location?.line === c.line);
      expect(match?.hint).toBe(c.hint);
    }
    expect(loaded.findings.some((f) => f.severity === 'error')).toBe(true);
  });
});
