import { BASE_FILES, HEADER } from './support';
import { isPolicy, isStackSet, packageFromFiles, type Manifest } from '../../src/manifest';

/** The manifest without source locations (to compare what two manifests mean). */
function meaning(manifest: Manifest | undefined): unknown {
  return JSON.parse(
    JSON.stringify(manifest, (key, value: unknown) =>
      key === 'location' || key.endsWith('Location') ? undefined : value,
    ),
  );
}

function load(manifest: string, files: Record<string, string> = {}) {
  return packageFromFiles({ ...BASE_FILES, ...files, 'manifest.yaml': manifest });
}

const LEGACY = [
  'region: us-east-1',
  'version: 2020-01-01',
  'organization_policies:',
  '  - name: deny-delete',
  '    description: no deletes',
  '    policy_file: policies/deny.json',
  '    apply_to_accounts_in_ou: [Root, Workloads]',
  'cloudformation_resources:',
  '  - name: topic',
  '    template_file: templates/topic.yaml',
  '    parameter_file: parameters/topic.json',
  '    deploy_method: stack_set',
  "    deploy_to_account: ['111122223333', Audit]",
  '    deploy_to_ou: [Workloads]',
  '    regions: [us-east-1, eu-west-1]',
  '    depends_on: [ignored-by-upstream]',
  '    ssm_parameters:',
  '      - name: /org/topic/arn',
  '        value: $[output_TopicArn]',
  '',
].join('\n');

const CURRENT = [
  HEADER.trimEnd(),
  '  - name: deny-delete',
  '    description: no deletes',
  '    resource_file: policies/deny.json',
  '    deploy_method: scp',
  '    deployment_targets:',
  '      organizational_units: [Root, Workloads]',
  '  - name: topic',
  '    resource_file: templates/topic.yaml',
  '    parameter_file: parameters/topic.json',
  '    deploy_method: stack_set',
  '    deployment_targets:',
  "      accounts: ['111122223333', Audit]",
  '      organizational_units: [Workloads]',
  '    regions: [us-east-1, eu-west-1]',
  '    export_outputs:',
  '      - name: /org/topic/arn',
  '        value: $[output_TopicArn]',
  '',
].join('\n');

describe('normalisation', () => {
  test('a 2020-01-01 manifest means the same as its 2021-03-15 form, with a deprecation warning', () => {
    const legacy = load(LEGACY);
    const current = load(CURRENT);
    expect(legacy.findings.map((f) => [f.ruleId, f.severity, f.location?.line])).toEqual([['CFCT-S006', 'warning', 2]]);
    expect(current.findings).toEqual([]);
    // Except that legacy deploy_to_account keeps only accounts directly under a top-level OU, as upstream.
    const legacyStackSet = legacy.manifest!.resources.find(isStackSet)!;
    expect(legacyStackSet.deploymentTargets.accountsUnderTopLevelOusOnly).toBe(true);
    expect(
      current.manifest!.resources.find(isStackSet)!.deploymentTargets.accountsUnderTopLevelOusOnly,
    ).toBeUndefined();
    const withoutLegacyScope = (m: typeof legacy.manifest) => ({
      ...m!,
      resources: m!.resources.map((r) => {
        const { accountsUnderTopLevelOusOnly: _scope, ...targets } = r.deploymentTargets;
        return { ...r, deploymentTargets: targets };
      }),
    });
    expect({ ...(meaning(withoutLegacyScope(legacy.manifest)) as object), version: 'x' }).toEqual({
      ...(meaning(current.manifest) as object),
      version: 'x',
    });
    expect(legacy.manifest?.version).toBe('2020-01-01');
  });

  test('a legacy stack set without deploy_method is a stack set, and its depends_on is accepted', () => {
    const loaded = load(LEGACY.replace('    deploy_method: stack_set\n', ''));
    expect(loaded.findings.map((f) => f.ruleId)).toEqual(['CFCT-S006']);
    expect(loaded.manifest!.resources[1].deployMethod).toBe('stack_set');
  });

  test('legacy resources keep locations pointing at the legacy keys', () => {
    const resource = load(LEGACY).manifest!.resources[1];
    expect(resource.resourceFile.location).toMatchObject({
      line: 10,
      path: 'cloudformation_resources[0].template_file',
    });
  });

  test('parameter values are strings: numbers and booleans stringified, lists joined with commas', () => {
    const manifest = [
      HEADER.trimEnd(),
      '  - name: topic',
      '    resource_file: templates/topic.yaml',
      '    deploy_method: stack_set',
      '    deployment_targets: {organizational_units: [Workloads]}',
      '    parameters:',
      '      - {parameter_key: Env, parameter_value: 365}',
      '      - {parameter_key: Owner, parameter_value: [a, 2, true, 1.5, 0x1F, 1:30]}',
      '',
    ].join('\n');
    const loaded = load(manifest);
    // 0x1F and 1:30 change text when read as YAML 1.1 integers, so they are flagged.
    expect(loaded.findings.map((f) => [f.ruleId, f.location?.column])).toEqual([
      ['CFCT-Y002', 67],
      ['CFCT-Y002', 73],
    ]);
    const resource = loaded.manifest!.resources[0];
    if (!isStackSet(resource)) throw new Error('expected a stack set');
    expect(resource.parameters.map((p) => [p.key, p.value])).toEqual([
      ['Env', '365'],
      ['Owner', 'a,2,true,1.5,31,90'],
    ]);
  });

  test('parameters from a parameter file come with their ssm_parameters and file locations', () => {
    const loaded = load(CURRENT, {
      'parameters/topic.json':
        '[\n  {"ParameterKey": "Env", "ParameterValue": "$[alfred_genpass_12]", "ssm_parameters": [{"name": "/x/pw", "value": "$[password]"}]}\n]',
      'templates/topic.yaml': BASE_FILES['templates/topic.yaml'].replace(
        '  Env:\n    Type: String',
        '  Env:\n    Type: String\n    NoEcho: true',
      ),
    });
    expect(loaded.findings).toEqual([]);
    const resource = loaded.manifest!.resources.find(isStackSet)!;
    expect(resource.parameters).toEqual([
      {
        key: 'Env',
        value: '$[alfred_genpass_12]',
        ssmParameters: [{ name: '/x/pw', value: '$[password]' }],
        location: { file: 'parameters/topic.json', line: 2, column: 3, path: '[0]' },
      },
    ]);
  });

  test.each([
    ['123456789012', '123456789012', []],
    ["'012345678901'", '012345678901', []],
    ['035935210323', '035935210323', []],
    ['012345670123', '012345670123', ['CFCT-M052']],
    ['12345678901', '012345678901', ['CFCT-M007']],
    ['Audit', 'Audit', []],
    ['ops@example.com', 'ops@example.com', []],
  ])('account %s is the string %s', (written, value, rules) => {
    const manifest = CURRENT.replace("accounts: ['111122223333', Audit]", `accounts: [${written}]`);
    const loaded = load(manifest);
    expect(loaded.findings.map((f) => f.ruleId)).toEqual(rules);
    const resource = loaded.manifest!.resources.find(isStackSet)!;
    expect(resource.deploymentTargets.accounts.map((a) => a.value)).toEqual([value]);
  });

  test('a suppression covers warnings found while normalising, as a note with the reason', () => {
    const manifest =
      CURRENT.replace("accounts: ['111122223333', Audit]", 'accounts: [12345678901]') +
      '    lint_suppressions: [{rule_id: CFCT-M007, reason: the id is right}]\n';
    const loaded = load(manifest);
    expect(loaded.findings.map((f) => [f.ruleId, f.severity])).toEqual([['CFCT-M007', 'info']]);
    expect(loaded.findings[0].message).toContain('(suppressed: the id is right)');
  });

  test('a missing or remote parameter file is an error and is not compared with the template', () => {
    const missing = load(
      CURRENT.replace('parameter_file: parameters/topic.json', 'parameter_file: parameters/none.json'),
    );
    expect(missing.findings.map((f) => f.ruleId)).toEqual(['CFCT-M003']);
    const broken = load(CURRENT, { 'parameters/topic.json': '[{"ParameterKey": "Env"}]' });
    expect(broken.findings.map((f) => f.ruleId)).toEqual(['CFCT-R002']);
    const remote = load(
      CURRENT.replace('parameter_file: parameters/topic.json', 'parameter_file: s3://bucket/parameters.json'),
    );
    expect(remote.findings.map((f) => [f.ruleId, f.message])).toEqual([
      [
        'CFCT-M003',
        'parameter file "s3://bucket/parameters.json" is not in the package; parameter files are read from the package only',
      ],
    ]);
  });

  test('regions default to the home region', () => {
    const loaded = load(
      CURRENT.replace('    regions: [us-east-1, eu-west-1]\n', '').replace('region: us-east-1', 'region: eu-west-2'),
    );
    expect(loaded.manifest!.resources.find(isStackSet)!.regions).toEqual(['eu-west-2']);
  });

  test('remote file references are parsed into bucket and key', () => {
    const refs = [
      's3://my-bucket/path/t.yaml',
      'https://my-bucket.s3.eu-west-1.amazonaws.com/path/t.yaml',
      'https://s3.amazonaws.com/my-bucket/path/t.yaml',
    ];
    for (const ref of refs) {
      const loaded = load(CURRENT.replace('resource_file: templates/topic.yaml', `resource_file: ${ref}`));
      expect(loaded.findings).toEqual([]);
      expect(loaded.manifest!.resources.find(isStackSet)!.resourceFile).toMatchObject({
        raw: ref,
        bucket: 'my-bucket',
        key: 'path/t.yaml',
      });
    }
  });

  test('extensions are read into the model', () => {
    const manifest = [
      'region: us-east-1',
      'version: 2021-03-15',
      'enable_policy_deletion: true',
      'stack_set_order: dependencies',
      'resources:',
      '  - name: base',
      '    resource_file: templates/topic.yaml',
      '    deploy_method: stack_set',
      '    deployment_targets: {organizational_units: [Workloads]}',
      '    parameters: [{parameter_key: Env, parameter_value: x}]',
      '  - name: topic',
      '    stack_set_name: Topic-Everywhere',
      '    resource_file: templates/topic.yaml',
      '    deploy_method: stack_set',
      '    parameters: [{parameter_key: Env, parameter_value: x}]',
      '    depends_on: [base]',
      '    tags: {team: platform, cost: 42}',
      '    permission_model: service_managed',
      '    auto_deployment: {enabled: true, retain_stacks_on_account_removal: true}',
      '    operation_preferences: {MaxConcurrentCount: 5, FailureToleranceCount: 1, RegionConcurrencyType: SEQUENTIAL, RegionOrder: [eu-west-1]}',
      '    deployment_targets:',
      '      organizational_units: [Workloads]',
      '      include_nested_ous: true',
      "      exclude_accounts: ['111122223333']",
      '  - name: rcp',
      '    resource_file: policies/deny.json',
      '    deploy_method: rcp',
      '    attach_to_accounts: true',
      "    deployment_targets: {accounts: ['111122223333']}",
      '',
    ].join('\n');
    const loaded = load(manifest);
    expect(loaded.findings).toEqual([]);
    const m = loaded.manifest!;
    expect([m.enablePolicyDeletion, m.enableStackSetDeletion, m.stackSetOrder]).toEqual([true, false, 'dependencies']);
    const topic = m.resources[1];
    if (!isStackSet(topic)) throw new Error('expected a stack set');
    expect(topic).toMatchObject({
      stackSetName: 'Topic-Everywhere',
      tags: { team: 'platform', cost: '42' },
      permissionModel: 'service_managed',
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: true },
      operationPreferences: {
        maxConcurrentCount: 5,
        failureToleranceCount: 1,
        regionConcurrencyType: 'SEQUENTIAL',
        regionOrder: ['eu-west-1'],
      },
      deploymentTargets: {
        includeNestedOus: true,
        excludeAccounts: [expect.objectContaining({ value: '111122223333' })],
      },
    });
    expect(topic.dependsOn.map((d) => d.value)).toEqual(['base']);
    const rcp = m.resources[2];
    expect(isPolicy(rcp) && rcp.attachToAccounts).toBe(true);
  });

  test('a manifest with schema errors is not returned, but every resource is still checked', () => {
    const manifest = CURRENT.replace('deploy_method: scp', 'deploy_method: scpp').replace(
      'resource_file: templates/topic.yaml',
      'resource_file: templates/none.yaml',
    );
    const loaded = load(manifest);
    expect(loaded.manifest).toBeUndefined();
    expect(loaded.findings.map((f) => f.ruleId)).toEqual(['CFCT-S005', 'CFCT-M003']);
  });
});
