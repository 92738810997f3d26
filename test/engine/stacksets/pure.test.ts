import * as fc from 'fast-check';
import { resource } from './env';
import { sha256 } from '../../../src/engine/canonical';
import { ssmView } from '../../../src/engine/stacksets';
import { fingerprinterFor } from '../../../src/engine/stacksets/fingerprint';
import { buildStackSetGraph, dependantsOf, exportNameMatches } from '../../../src/engine/stacksets/graph';
import { crossPairs, groupPairs, pairKey } from '../../../src/engine/stacksets/pairs';
import { parseParameterValue } from '../../../src/engine/stacksets/parameter-helpers';
import {
  diffParameters,
  elementHashes,
  noEchoFingerprint,
  resolveParameter,
  SsmValue,
} from '../../../src/engine/stacksets/parameters';
import { resolveOperationPreferences } from '../../../src/engine/stacksets/settings';
import { normaliseTemplate } from '../../../src/engine/stacksets/template';
import { parseTemplate } from '../../../src/manifest/template';

const normalised = (text: string) => normaliseTemplate(parseTemplate(text, 't').value);

describe('template normalisation', () => {
  test('formatting, key order and JSON versus YAML do not change the hash', () => {
    const json =
      '{"Resources":{"B":{"Type":"AWS::S3::Bucket","Properties":{"BucketName":{"Ref":"N"}}}},"Parameters":{"N":{"Type":"String"}}}';
    const pretty = JSON.stringify(
      {
        Parameters: { N: { Type: 'String' } },
        Resources: { B: { Properties: { BucketName: { Ref: 'N' } }, Type: 'AWS::S3::Bucket' } },
      },
      null,
      4,
    );
    const yaml =
      'Parameters:\n  N:\n    Type: String\nResources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Ref N\n';
    expect(normalised(pretty).hash).toBe(normalised(json).hash);
    expect(normalised(yaml).hash).toBe(normalised(json).hash);
  });

  test('a changed value or array order changes the hash', () => {
    const a = normalised('{"Resources":{"B":{"Type":"AWS::S3::Bucket","DependsOn":["X","Y"]}}}');
    const b = normalised('{"Resources":{"B":{"Type":"AWS::S3::Bucket","DependsOn":["Y","X"]}}}');
    expect(a.hash).not.toBe(b.hash);
  });

  test('NoEcho parameters are found whether written as a boolean or a string', () => {
    const t = normalised(
      '{"Parameters":{"A":{"Type":"String","NoEcho":true},"B":{"Type":"String","NoEcho":"true"},"C":{"Type":"String"}},"Resources":{}}',
    );
    expect(t.noEchoParameters).toEqual(['A', 'B']);
    expect(t.declaredParameters).toEqual(['A', 'B', 'C']);
  });
});

describe('pairs', () => {
  test('groups accounts with the same regions into one cross product', () => {
    const pairs = [...crossPairs(['3', '1'], ['us-east-1', 'eu-west-1']), ...crossPairs(['2'], ['eu-west-1'])];
    expect(groupPairs(pairs)).toEqual([
      { accounts: ['2'], regions: ['eu-west-1'] },
      { accounts: ['1', '3'], regions: ['eu-west-1', 'us-east-1'] },
    ]);
  });

  test('property: groups cover exactly the given pairs, and there is one group per distinct region set', () => {
    const pairArb = fc.record({
      account: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
      region: fc.constantFrom('r1', 'r2', 'r3'),
    });
    fc.assert(
      fc.property(fc.array(pairArb, { maxLength: 30 }), (pairs) => {
        const groups = groupPairs(pairs);
        const covered = groups.flatMap((g) => crossPairs(g.accounts, g.regions).map(pairKey)).sort();
        expect(covered).toEqual([...new Set(pairs.map(pairKey))].sort());
        const regionSets = new Set(
          [...new Set(pairs.map((p) => p.account))].map((a) =>
            pairs
              .filter((p) => p.account === a)
              .map((p) => p.region)
              .filter((r, i, all) => all.indexOf(r) === i)
              .sort()
              .join(','),
          ),
        );
        expect(groups.length).toBe(regionSets.size);
      }),
    );
  });
});

describe('helpers', () => {
  test('parses every helper, defaults and comma lists', () => {
    expect(
      parseParameterValue(
        '$[alfred_ssm_/org/id],plain,$[alfred_genpass_12],$[alfred_genpass],$[alfred_genaz_3],$[alfred_genaz],$[alfred_genkeypair],$[other]',
      ),
    ).toEqual([
      { kind: 'ssm', name: '/org/id' },
      { kind: 'literal', text: 'plain' },
      { kind: 'genpass', length: 12 },
      { kind: 'genpass', length: 8 },
      { kind: 'genaz', count: 3 },
      { kind: 'genaz', count: 2 },
      { kind: 'genkeypair' },
      { kind: 'literal', text: 'other' },
    ]);
  });
});

describe('parameters', () => {
  const actual = (key: string, value: string) => ({ key, value, elementHashes: elementHashes(value) });
  const ssmValue = (name: string, value: string, type: SsmValue['type'] = 'String'): SsmValue => ({
    name,
    type,
    ...(type === 'SecureString' ? {} : { value }),
    elementHashes: elementHashes(value),
    version: 1,
  });

  test('compares both ways: added, changed and removed keys', () => {
    const r = resource('x', {
      parameters: [
        { key: 'A', value: '1' },
        { key: 'B', value: 'new' },
      ],
    });
    const desired = r.parameters.map((p) => resolveParameter(p, ssmView({}), 'x').parameter);
    const changes = diffParameters(desired, [actual('B', 'old'), actual('C', 'gone')], new Set(), ssmView({}));
    expect(changes).toEqual([
      { key: 'A', change: 'added', to: '1' },
      { key: 'B', change: 'changed', from: 'old', to: 'new' },
      { key: 'C', change: 'removed', from: 'gone' },
    ]);
  });

  test('an SSM value read by $[alfred_ssm_] is compared, and a SecureString only through digests', () => {
    const ssm = ssmView({ '/a': ssmValue('/a', 'v1,v2'), '/s': ssmValue('/s', 'secret!', 'SecureString') });
    const r = resource('x', {
      parameters: [
        { key: 'A', value: '$[alfred_ssm_/a]' },
        { key: 'S', value: '$[alfred_ssm_/s]' },
      ],
    });
    const desired = r.parameters.map((p) => resolveParameter(p, ssm, 'x').parameter);
    expect(desired[1].parts).toEqual([{ secureSsm: '/s' }]);
    expect(diffParameters(desired, [actual('A', 'v1,v2'), actual('S', 'secret!')], new Set(), ssm)).toEqual([]);
    const changed = diffParameters(desired, [actual('A', 'v1'), actual('S', 'other')], new Set(), ssm);
    expect(changed).toEqual([
      { key: 'A', change: 'changed', from: 'v1', to: 'v1,v2' },
      { key: 'S', change: 'changed', from: '(secret)', to: '(secret from /s)' },
    ]);
    expect(JSON.stringify(changed)).not.toContain('secret!');
  });

  test('an export pending in this run is known after apply; a missing SSM parameter is a finding', () => {
    const r = resource('x', {
      parameters: [
        { key: 'A', value: '$[alfred_ssm_/exported]' },
        { key: 'B', value: '$[alfred_ssm_/missing]' },
      ],
    });
    const producer = resource('p', { exportOutputs: [{ name: '/exported', value: '$[output_Id]' }] });
    const ssm = ssmView({}, [producer]);
    expect(resolveParameter(r.parameters[0], ssm, 'x').parameter.parts).toEqual([
      { afterApply: 'SSM parameter /exported, exported by p' },
    ]);
    const missing = resolveParameter(r.parameters[1], ssm, 'x');
    expect(missing.findings.map((f) => [f.ruleId, f.severity])).toEqual([['CFCT-K010', 'error']]);
  });

  test('fails when a generating helper has no sibling ssm_parameters entry', () => {
    const r = resource('x', { parameters: [{ key: 'P', value: '$[alfred_genpass_16]' }] });
    const result = resolveParameter(r.parameters[0], ssmView({}), 'x');
    expect(result.findings[0]).toMatchObject({ ruleId: 'CFCT-K011', severity: 'error', resource: 'x' });
    expect(result.findings[0].hint).toContain('$[password]');
  });

  test('the NoEcho fingerprint is keyed: it changes with the value, the stack set and the key, and is unknown until generated or without a key', () => {
    const entry = (value: string) => resource('x', { parameters: [{ key: 'P', value }] }).parameters[0];
    const noEcho = new Set(['P']);
    const key = fingerprinterFor(Buffer.alloc(32, 7));
    const fp = (value: string, name = 'S', k = key) =>
      noEchoFingerprint(name, [resolveParameter(entry(value), ssmView({}), 'x').parameter], noEcho, ssmView({}), k);
    expect(fp('a')).toMatch(/^[0-9a-f]{64}$/);
    expect(fp('a')).toBe(fp('a'));
    expect(fp('b')).not.toBe(fp('a'));
    expect(fp('a', 'T')).not.toBe(fp('a'));
    expect(fp('a', 'S', fingerprinterFor(Buffer.alloc(32, 8)))).not.toBe(fp('a'));
    // Not the unkeyed digest an offline search could test guesses against.
    expect(fp('a')).not.toBe(sha256(`S\nP=${sha256('a')}`));
    expect(
      noEchoFingerprint(
        'S',
        [resolveParameter(entry('a'), ssmView({}), 'x').parameter],
        noEcho,
        ssmView({}),
        undefined,
      ),
    ).toBe('unknown');
    const generated = resource('x', {
      parameters: [{ key: 'P', value: '$[alfred_genpass]', ssmParameters: [{ name: '/p', value: '$[password]' }] }],
    }).parameters[0];
    expect(
      noEchoFingerprint('S', [resolveParameter(generated, ssmView({}), 'x').parameter], noEcho, ssmView({}), key),
    ).toBe('unknown');
    expect(noEchoFingerprint('S', [], new Set(), ssmView({}), key)).toBeUndefined();
  });
});

describe('operation preferences', () => {
  test('default to 100% / 10% / PARALLEL / SOFT_FAILURE_TOLERANCE; counts replace percentages', () => {
    expect(resolveOperationPreferences(undefined)).toEqual({
      MaxConcurrentPercentage: 100,
      FailureTolerancePercentage: 10,
      RegionConcurrencyType: 'PARALLEL',
      ConcurrencyMode: 'SOFT_FAILURE_TOLERANCE',
    });
    expect(
      resolveOperationPreferences({
        maxConcurrentCount: 5,
        failureToleranceCount: 0,
        regionOrder: ['eu-west-1'],
        concurrencyMode: 'STRICT_FAILURE_TOLERANCE',
      }),
    ).toEqual({
      MaxConcurrentCount: 5,
      FailureToleranceCount: 0,
      RegionConcurrencyType: 'PARALLEL',
      RegionOrder: ['eu-west-1'],
      ConcurrencyMode: 'STRICT_FAILURE_TOLERANCE',
    });
  });
});

describe('dependency graph', () => {
  const dep = (value: string) => ({ value });

  test('sequential chains resources in manifest order', () => {
    const g = buildStackSetGraph([resource('a'), resource('b'), resource('c')], 'sequential');
    expect(g.waves).toEqual([['a'], ['b'], ['c']]);
    expect(dependantsOf(g, 'b')).toEqual(['c']);
  });

  test('dependencies: explicit depends_on plus edges inferred from exports, in waves', () => {
    const a = resource('a', { exportOutputs: [{ name: '/net/{account_id}/{region}/vpc', value: '$[output_Vpc]' }] });
    const b = resource('b', { parameters: [{ key: 'Vpc', value: '$[alfred_ssm_/net/123456789012/us-east-1/vpc]' }] });
    const c = resource('c', { dependsOn: [dep('b')] });
    const d = resource('d');
    const g = buildStackSetGraph([a, b, c, d], 'dependencies');
    expect(g.dependsOn).toEqual({ a: [], b: ['a'], c: ['b'], d: [] });
    expect(g.waves).toEqual([['a', 'd'], ['b'], ['c']]);
    expect(dependantsOf(g, 'a')).toEqual(['b', 'c']);
    expect(dependantsOf(g, 'd')).toEqual([]);
    expect(g.findings).toEqual([]);
  });

  test('fails when depends_on names an unknown resource or the graph has a cycle', () => {
    const g = buildStackSetGraph(
      [resource('a', { dependsOn: [dep('b')] }), resource('b', { dependsOn: [dep('a'), dep('nope')] })],
      'dependencies',
    );
    expect(g.findings.map((f) => f.ruleId).sort()).toEqual(['CFCT-M010', 'CFCT-M011']);
    expect(g.waves).toEqual([]);
  });

  test('export name templates match only ids and regions', () => {
    expect(exportNameMatches('/x/{account_id}/{region}', '/x/123456789012/eu-west-1')).toBe(true);
    expect(exportNameMatches('/x/{account_id}', '/x/abc')).toBe(false);
    expect(exportNameMatches('/x.y', '/xzy')).toBe(false);
  });
});
