/**
 * Property: whatever is done to a valid manifest, validation ends in findings, never an
 * exception, and every finding is well-formed.
 */
import * as fc from 'fast-check';
import { stringify } from 'yaml';
import { BASE_FILES, HEADER, POLICY, STACK_SET, VALID_MANIFEST } from './support';
import { packageFromFiles, RULES, type Finding } from '../../src/manifest';
import { parseYaml } from '../../src/manifest/yaml';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const LEGACY = [
  'region: us-east-1',
  'version: 2020-01-01',
  'organization_policies:',
  '  - name: deny-delete',
  '    policy_file: policies/deny.json',
  '    apply_to_accounts_in_ou: [Root]',
  'cloudformation_resources:',
  '  - name: topic',
  '    template_file: templates/topic.yaml',
  '    parameter_file: parameters/topic.json',
  '    deploy_method: stack_set',
  "    deploy_to_account: ['111122223333']",
  '    regions: [us-east-1]',
  '',
].join('\n');
const EXTENDED =
  HEADER +
  POLICY +
  STACK_SET +
  STACK_SET.replace('name: topic', 'name: topic2') +
  '    depends_on: [topic]\n    lint_suppressions:\n      - {rule_id: CFCT-M013, reason: later}\n';

/**
 * The files besides the manifest (mutations only touch the manifest): the base package, with
 * its template as JSON, which parses much faster than YAML and keeps 10,000 runs quick.
 */
const FILES: Record<string, string> = {
  ...BASE_FILES,
  'templates/topic.yaml': JSON.stringify(
    parseYaml(BASE_FILES['templates/topic.yaml'], 't', { syntaxRule: 'CFCT-T001' }).value,
  ),
};

const SEEDS: Json[] = [VALID_MANIFEST, LEGACY, EXTENDED].map((text) => {
  const parsed = parseYaml(text, 'manifest.yaml', { syntaxRule: 'CFCT-Y001' });
  expect(parsed.findings).toEqual([]);
  return parsed.value as Json;
});

const INTERESTING = [
  '$[alfred_genpass_x]',
  '$[alfred_ssm_/a/b]',
  '$[alfred_genkeypair]',
  '$[output_TopicArn]',
  '$[password]',
  '$[',
  '../x',
  '/abs',
  's3://',
  's3://bucket/key',
  'https://example.com/x',
  'templates/topic.yaml',
  'policies/deny.json',
  'parameters/topic.json',
  '035935210323',
  '012345670123',
  '11112222333',
  'us-east-7',
  'us-east-1',
  'Root',
  'A::B',
  'r-abcd',
  '2021-03-15',
  '2020-01-01',
  'stack_set',
  'scp',
  'rcp',
  'CFCT-M013',
  'CFCT-M003',
  'service_managed',
  'dependencies',
  'topic',
  'deny-delete',
  'yes',
  '0755',
  '1e3',
  '',
  ' ',
  '__proto__',
  'constructor',
];
const KEYS = [
  'region',
  'version',
  'resources',
  'name',
  'resource_file',
  'deploy_method',
  'deployment_targets',
  'accounts',
  'organizational_units',
  'parameter_file',
  'parameters',
  'parameter_key',
  'parameter_value',
  'regions',
  'export_outputs',
  'depends_on',
  'stack_set_name',
  'tags',
  'lint_suppressions',
  'rule_id',
  'reason',
  'operation_preferences',
  'auto_deployment',
  'enabled',
  'permission_model',
  'attach_to_accounts',
  'include_nested_ous',
  'exclude_accounts',
  'organization_policies',
  'cloudformation_resources',
  'policy_file',
  'template_file',
  'deploy_to_account',
  'deploy_to_ou',
  'ssm_parameters',
  '__proto__',
  'toString',
];

const scalar: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom(...INTERESTING),
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);
const value: fc.Arbitrary<Json> = fc.oneof(
  { weight: 4, arbitrary: scalar },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom(...KEYS), scalar, { maxKeys: 3 }) },
);

type Mutation =
  | { kind: 'set'; at: number; value: Json }
  | { kind: 'delete'; at: number }
  | { kind: 'rename'; at: number; key: string }
  | { kind: 'insertText'; at: number; text: string }
  | { kind: 'deleteText'; at: number; length: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('rename' as const),
    at: fc.nat(),
    key: fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 8 })),
  }),
  fc.record({
    kind: fc.constant('insertText' as const),
    at: fc.nat(),
    text: fc.string({ unit: fc.constantFrom(...': -\n\t[]{}!&*#"\'|>%@`,?0123456789ab'.split('')), maxLength: 4 }),
  }),
  fc.record({ kind: fc.constant('deleteText' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }),
);

/** Every container in `root` with its keys, depth first. */
function containers(root: Json): (Json[] | { [key: string]: Json })[] {
  const out: (Json[] | { [key: string]: Json })[] = [];
  const visit = (node: Json) => {
    if (node === null || typeof node !== 'object') return;
    out.push(node);
    for (const child of Array.isArray(node) ? node : Object.values(node)) visit(child);
  };
  visit(root);
  return out;
}

function applyToValue(root: Json, m: Mutation): void {
  if (m.kind === 'insertText' || m.kind === 'deleteText') return;
  const all = containers(root);
  const target = all[m.at % all.length];
  const keys = Array.isArray(target) ? target.map((_, i) => i) : Object.keys(target);
  if (keys.length === 0) return;
  const key = keys[Math.floor(m.at / all.length) % keys.length];
  const record = target as Record<string | number, Json>;
  if (m.kind === 'set') {
    record[key] = m.value;
  } else if (m.kind === 'delete') {
    if (Array.isArray(target)) target.splice(key as number, 1);
    else delete record[key];
  } else if (!Array.isArray(target)) {
    const moved = record[key];
    delete record[key];
    Object.defineProperty(target, m.key, { value: moved, enumerable: true, writable: true, configurable: true });
  }
}

function applyToText(text: string, m: Mutation): string {
  if (m.kind === 'insertText') {
    const at = m.at % (text.length + 1);
    return text.slice(0, at) + m.text + text.slice(at);
  }
  if (m.kind === 'deleteText') {
    const at = m.at % (text.length + 1);
    return text.slice(0, at) + text.slice(at + m.length);
  }
  return text;
}

/** Why `f` is not a well-formed finding, or undefined when it is one. */
function malformed(f: Finding): string | undefined {
  const rule = (RULES as Record<string, { severity: string }>)[f.ruleId];
  if (!rule) return 'unknown rule id';
  if (f.severity !== rule.severity && !(f.severity === 'info' && rule.severity === 'warning')) {
    return 'severity differs from the rule';
  }
  if (!f.message) return 'no message';
  if (!f.location?.file) return 'no file';
  const exempt = f.location.file !== 'manifest.yaml' || ['CFCT-P001', 'CFCT-P007'].includes(f.ruleId);
  if (!exempt && !((f.location.line ?? 0) >= 1 && (f.location.column ?? 0) >= 1)) {
    return 'no line and column in the manifest';
  }
  return undefined;
}

describe('mutated manifests', () => {
  test('10,000 mutations end in well-formed findings, never an exception', () => {
    let withErrors = 0;
    fc.assert(
      fc.property(fc.constantFrom(...SEEDS), fc.array(mutation, { minLength: 1, maxLength: 4 }), (seed, mutations) => {
        const root = structuredClone(seed);
        for (const m of mutations) applyToValue(root, m);
        let text = stringify(root);
        for (const m of mutations) text = applyToText(text, m);
        const loaded = packageFromFiles({ ...FILES, 'manifest.yaml': text });
        const bad = loaded.findings.map((f) => [malformed(f), f] as const).filter(([why]) => why !== undefined);
        if (bad.length > 0) throw new Error(`malformed findings: ${JSON.stringify(bad)}`);
        const errors = loaded.findings.some((f) => f.severity === 'error');
        if (errors) withErrors++;
        // A manifest the engine cannot use always comes with at least one error saying why.
        if (loaded.manifest === undefined && !errors) throw new Error('no manifest and no error finding');
      }),
      { numRuns: 10_000, seed: 20261127 },
    );
    // The mutations are not all harmless: most of them produce errors.
    expect(withErrors).toBeGreaterThan(5000);
  });
});
