import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { ENGINE_RULES } from '../../src/engine/rules';
import { MANIFEST_V2_SCHEMA, RULES } from '../../src/manifest';

const root = join(__dirname, '..', '..');

describe('docs/rules.md', () => {
  const doc = readFileSync(join(root, 'docs', 'rules.md'), 'utf8');
  const rows = doc
    .split('\n')
    .filter((line) => /^\| CFCT-/.test(line))
    .map((line) =>
      line
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((cell) => cell.trim().replace(/\\\|/g, '|')),
    );

  test('lists every rule once, in catalogue order, with its severity, cause and explanation', () => {
    const catalogue = [...Object.entries(RULES), ...Object.entries(ENGINE_RULES)];
    expect(rows).toEqual(catalogue.map(([id, rule]) => [id, rule.severity, rule.title, rule.explanation]));
  });

  test('every rule id the code reports is in the catalogue', () => {
    const source = execFileSync('grep', ['-rhoE', "'CFCT-[A-Z][0-9]{3}'", join(root, 'src')], { encoding: 'utf8' });
    const used = [
      ...new Set(
        source
          .split('\n')
          .filter(Boolean)
          .map((id) => id.replace(/'/g, '')),
      ),
    ].sort();
    const known = new Set([...Object.keys(RULES), ...Object.keys(ENGINE_RULES)]);
    expect(used.filter((id) => !known.has(id))).toEqual([]);
    expect(used.length).toBeGreaterThan(60);
  });

  test('findings are made only by the catalogue builder: no ruleId literal elsewhere in src', () => {
    // grep exits 1 when nothing matches: that is the outcome wanted, not an error.
    const hits = spawnSync('grep', ['-rnE', 'ruleId: *[\'"`]', join(root, 'src'), '--include=*.ts'], {
      encoding: 'utf8',
    })
      .stdout.split('\n')
      .filter(Boolean);
    const builder = join(root, 'src', 'manifest', 'rules.ts');
    expect(hits.filter((line) => !line.startsWith(`${builder}:`))).toEqual([]);
    // the check sees literals where there are some
    const probe = spawnSync('grep', ['-rnE', 'ruleId: *[\'"`]', join(root, 'test', 'engine', 'organization')], {
      encoding: 'utf8',
    }).stdout;
    expect(probe).toContain("ruleId: 'CFCT-O");
  });

  test('every rule id of the catalogue is referenced by a test', () => {
    const source = execFileSync('grep', ['-rhoE', 'CFCT-[A-Z][0-9]{3}', join(root, 'test')], { encoding: 'utf8' });
    const referenced = new Set(source.split('\n').filter(Boolean));
    const catalogue = [...Object.keys(RULES), ...Object.keys(ENGINE_RULES)];
    expect(catalogue.filter((id) => !referenced.has(id))).toEqual([]);
  });
});

describe('the published JSON Schema', () => {
  const published = JSON.parse(readFileSync(join(root, 'schema', 'manifest-v2.schema.json'), 'utf8')) as {
    $id: string;
  };

  test('schema/manifest-v2.schema.json is the schema validation uses, with an $id', () => {
    expect(published).toEqual(MANIFEST_V2_SCHEMA);
    expect(published.$id).toMatch(/^https:\/\/.+manifest-v2\.schema\.json$/);
  });

  test('the sample manifest validates against it (as an editor reads YAML)', () => {
    const ajv = new Ajv({ allowUnionTypes: true });
    const validate = ajv.compile(published);
    const sample = parse(readFileSync(join(__dirname, 'fixtures', 'valid', 'manifest.yaml'), 'utf8'));
    expect(validate(sample)).toBe(true);
  });

  test('it rejects an unknown key', () => {
    const validate = new Ajv({ allowUnionTypes: true }).compile(published);
    expect(validate({ region: 'us-east-1', version: '2021-03-15', resources: [], extra: 1 })).toBe(false);
  });
});
