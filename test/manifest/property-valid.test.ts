/**
 * Property: rewriting a valid manifest without changing its meaning (key order, block or flow
 * style, comments, quoting) keeps it valid and keeps its normalised model.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as fc from 'fast-check';
import { stringify } from 'yaml';
import { packageFromFiles, type Manifest } from '../../src/manifest';
import { parseYaml } from '../../src/manifest/yaml';

const SAMPLE = join(__dirname, 'fixtures', 'valid');

function readTree(dir: string, out: Record<string, string> = {}): Record<string, string> {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) readTree(full, out);
    else out[relative(SAMPLE, full)] = readFileSync(full, 'utf8');
  }
  return out;
}

const FILES = readTree(SAMPLE);
const VALUE = parseYaml(FILES['manifest.yaml'], 'manifest.yaml', { syntaxRule: 'CFCT-Y001' }).value;

/** The manifest's meaning: the model without source locations. */
function meaning(manifest: Manifest | undefined): unknown {
  return JSON.parse(
    JSON.stringify(manifest, (key, value: unknown) =>
      key === 'location' || key.endsWith('Location') ? undefined : value,
    ),
  );
}

/** A copy of `value` with the keys of every mapping in the order `order` picks. */
function reorder(value: unknown, order: (keys: string[]) => string[]): unknown {
  if (Array.isArray(value)) return value.map((item) => reorder(item, order));
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(order(Object.keys(record)).map((key) => [key, reorder(record[key], order)]));
}

describe('rewritten valid manifests', () => {
  const original = packageFromFiles(FILES);

  test('the original is valid', () => {
    expect(original.findings.filter((f) => f.severity !== 'info')).toEqual([]);
  });

  test('key order, style, quoting and comments do not change the findings or the model', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.boolean(),
        fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE') as fc.Arbitrary<
          'PLAIN' | 'QUOTE_DOUBLE' | 'QUOTE_SINGLE'
        >,
        fc.integer({ min: 2, max: 6 }),
        (seed, flow, defaultStringType, indent) => {
          const rank = (key: string) =>
            [...key].reduce((hash, char) => (hash * 31 + char.charCodeAt(0)) % 1_000_003, seed % 1_000_003);
          const order = (keys: string[]) => [...keys].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
          // Written as YAML 1.1, so strings such as "yes" or "035935210323" are quoted where PyYAML needs it.
          const text = `# rewritten\n${stringify(reorder(VALUE, order), { version: '1.1', collectionStyle: flow ? 'flow' : 'block', defaultStringType, indent })}`;
          const rewritten = packageFromFiles({ ...FILES, 'manifest.yaml': text });
          expect(rewritten.findings.map((f) => [f.ruleId, f.severity])).toEqual(
            original.findings.map((f) => [f.ruleId, f.severity]),
          );
          expect(meaning(rewritten.manifest)).toEqual(meaning(original.manifest));
        },
      ),
      { numRuns: 200, seed: 7 },
    );
  });
});
