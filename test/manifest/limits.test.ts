/**
 * Limits AWS would otherwise enforce at apply time, checked the same way when validating and in
 * the engine: the 5,120-character policy limit (on the minified document), repeated JSON keys,
 * and whole-file findings located at `file:1:1`.
 */
import { BASE_FILES, HEADER, POLICY, STACK_SET } from './support';
import { readPolicyDocument } from '../../src/engine/policies/document';
import { packageFromFiles, POLICY_MAX_CHARS, type Finding } from '../../src/manifest';
import { duplicateKeyOffsets } from '../../src/manifest/json';
import { memoryFiles, policyResource } from '../engine/helpers';

/** A pretty-printed policy whose minified form has exactly `length` characters. */
function policyOfLength(length: number): string {
  const document = (sid: string) => ({
    Version: '2012-10-17',
    Statement: [{ Sid: sid, Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' }],
  });
  const base = JSON.stringify(document('')).length;
  const text = JSON.stringify(document('A'.repeat(length - base)), null, 2);
  expect(JSON.stringify(JSON.parse(text)).length).toBe(length);
  expect(text.length).toBeGreaterThan(length);
  return text;
}

const validate = (policy: string) =>
  packageFromFiles({ ...BASE_FILES, 'manifest.yaml': HEADER + POLICY, 'policies/deny.json': policy });
const engine = (policy: string) =>
  readPolicyDocument(
    memoryFiles({ 'policies/deny.json': policy }),
    policyResource('deny', { file: 'policies/deny.json', ous: ['Root'] }),
  );
const ids = (findings: readonly Finding[]) => findings.map((f) => f.ruleId);

describe('the policy size limit, on the minified document', () => {
  test('a policy of exactly 5,120 minified characters is accepted when validating and by the engine', () => {
    const policy = policyOfLength(POLICY_MAX_CHARS);
    expect(ids(validate(policy).findings)).toEqual([]);
    expect(engine(policy)).toEqual({ content: JSON.stringify(JSON.parse(policy)) });
  });

  test('fails on a policy of 5,121 minified characters, when validating (at file:1:1) and in the engine', () => {
    const policy = policyOfLength(POLICY_MAX_CHARS + 1);
    expect(validate(policy).findings).toEqual([
      expect.objectContaining({
        ruleId: 'CFCT-L002',
        severity: 'error',
        message: 'policy is 5121 characters after minification; the limit is 5120',
        location: { file: 'policies/deny.json', line: 1, column: 1 },
      }),
    ]);
    const refused = engine(policy);
    expect(refused).toEqual({
      finding: expect.objectContaining({
        ruleId: 'CFCT-C004',
        severity: 'error',
        message: 'policy file policies/deny.json is 5121 characters minified; the limit is 5120',
      }),
    });
  });
});

describe('repeated keys in JSON files', () => {
  const twoConditions = [
    '{',
    '  "Version": "2012-10-17",',
    '  "Statement": [{',
    '    "Effect": "Deny", "Action": "*", "Resource": "*",',
    '    "Condition": {',
    '      "StringNotEquals": { "aws:PrincipalOrgID": "o-abc" },',
    '      "StringNotEquals": { "aws:PrincipalAccount": "111122223333" }',
    '    }',
    '  }]',
    '}',
  ].join('\n');

  test('fails when a policy repeats a condition operator: the guardrail uploaded would be weaker than the file', () => {
    expect(validate(twoConditions).findings).toEqual([
      expect.objectContaining({
        ruleId: 'CFCT-M050',
        severity: 'error',
        location: { file: 'policies/deny.json', line: 7, column: 7 },
        message: expect.stringContaining('"StringNotEquals"'),
      }),
    ]);
    expect(engine(twoConditions)).toEqual({
      finding: expect.objectContaining({
        ruleId: 'CFCT-C004',
        message: expect.stringContaining('repeats the key "StringNotEquals"'),
      }),
    });
  });

  test('the same key in different objects, in strings or escaped is not a repeat', () => {
    expect(duplicateKeyOffsets('{"a": {"x": 1}, "b": {"x": 2}, "c": ["a", "a"], "d": "\\"a\\": 1"}')).toEqual([]);
    expect(duplicateKeyOffsets('[{"k": 1}, {"k": 2}]')).toEqual([]);
    expect(duplicateKeyOffsets('{"a\\u0062": 1, "ab": 2}')).toEqual([{ key: 'ab', offset: 15 }]);
    expect(duplicateKeyOffsets('{"a": 1, "b": {"c": 1, "c": 2}, "a": 3}')).toEqual([
      { key: 'c', offset: 23 },
      { key: 'a', offset: 32 },
    ]);
  });

  test('fails when a parameter file repeats a key, at the second key', () => {
    const loaded = packageFromFiles({
      ...BASE_FILES,
      'manifest.yaml': HEADER + STACK_SET,
      'parameters/topic.json': '[{"ParameterKey": "Env",\n  "ParameterKey": "Owner", "ParameterValue": "x"}]',
    });
    expect(loaded.findings).toEqual([
      expect.objectContaining({
        ruleId: 'CFCT-M050',
        severity: 'error',
        resource: 'topic',
        location: { file: 'parameters/topic.json', line: 2, column: 3 },
      }),
    ]);
  });
});
