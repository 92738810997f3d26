import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { cfct, tempDir } from './support';

const LEGACY = `# Legacy manifest
region: us-east-1 # home region
version: 2020-01-01

organization_policies:
  - name: deny-leave
    description: Stop accounts leaving
    policy_file: policies/deny-leave.json
    # where it applies
    apply_to_accounts_in_ou:
      - Workloads
      - Sandbox:Dev

cloudformation_resources:
  - name: baseline
    template_file: templates/baseline.template
    parameter_file: parameters/baseline.json
    deploy_method: stack_set
    deploy_to_account:
      - 035935210323 # a leading zero, kept as written
      - 123456789012
    deploy_to_ou:
      - Workloads
    regions:
      - us-east-1
    ssm_parameters:
      - name: /org/baseline/arn
        value: $[output_RoleArn]
    depends_on:
      - other
`;

function legacyPackage(text = LEGACY): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'manifest.yaml'), text);
  return dir;
}

describe('cfct migrate', () => {
  test('rewrites a 2020-01-01 manifest as 2021-03-15 in place', async () => {
    const dir = legacyPackage();
    const result = await cfct('migrate', dir);
    expect(result.code).toBe(0);
    const migrated = readFileSync(join(dir, 'manifest.yaml'), 'utf8');
    expect(parse(migrated, { schema: 'failsafe' })).toEqual({
      region: 'us-east-1',
      version: '2021-03-15',
      resources: [
        {
          name: 'deny-leave',
          description: 'Stop accounts leaving',
          resource_file: 'policies/deny-leave.json',
          deploy_method: 'scp',
          deployment_targets: { organizational_units: ['Workloads', 'Sandbox:Dev'] },
        },
        {
          name: 'baseline',
          resource_file: 'templates/baseline.template',
          parameter_file: 'parameters/baseline.json',
          deploy_method: 'stack_set',
          deployment_targets: { accounts: ['035935210323', '123456789012'], organizational_units: ['Workloads'] },
          regions: ['us-east-1'],
          export_outputs: [{ name: '/org/baseline/arn', value: '$[output_RoleArn]' }],
        },
      ],
    });
    expect(result.stderr).toContain('cloudformation_resources[0]: dropped depends_on');
  });

  test('keeps comments and scalars exactly as written', async () => {
    const result = await cfct('migrate', legacyPackage(), '--out', '-');
    expect(result.stdout).toContain('# Legacy manifest');
    expect(result.stdout).toContain('region: us-east-1 # home region');
    expect(result.stdout).toContain('# where it applies');
    expect(result.stdout).toContain('- 035935210323 # a leading zero, kept as written');
    expect(result.stdout).toMatch(/^version: 2021-03-15$/m);
  });

  test('leaves a 2021-03-15 manifest unchanged', async () => {
    const text = 'region: us-east-1\nversion: 2021-03-15\nresources: []\n';
    const dir = legacyPackage(text);
    const result = await cfct('migrate', dir);
    expect(result.code).toBe(0);
    expect(readFileSync(join(dir, 'manifest.yaml'), 'utf8')).toBe(text);
    expect(result.stderr).toContain('already version 2021-03-15');
  });

  test('fails when the manifest is not valid YAML', async () => {
    const dir = legacyPackage('version: 2020-01-01\norganization_policies: [\n');
    const result = await cfct('migrate', dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^manifest\.yaml: /);
    expect(readFileSync(join(dir, 'manifest.yaml'), 'utf8')).toBe('version: 2020-01-01\norganization_policies: [\n');
  });

  test('fails when the version is neither 2020-01-01 nor 2021-03-15', async () => {
    const result = await cfct('migrate', legacyPackage('version: 2019-01-01\n'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('version must be 2020-01-01 to migrate, got 2019-01-01');
  });

  test('fails with exit code 2 when the package cannot be read', async () => {
    const result = await cfct('migrate', join(tempDir(), 'missing'));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot read');
  });
});

describe('cfct migrate on a commented manifest', () => {
  const COMMENTED = `# Legacy manifest
region: us-east-1
version: 2020-01-01

# The guardrails
organization_policies:
  # first policy
  - name: deny-leave
    policy_file: policies/deny-leave.json

    # where it applies
    apply_to_accounts_in_ou:
      # workloads only
      - Workloads

  # second policy
  - name: deny-root
    # the file
    policy_file: policies/deny-root.json
    apply_to_accounts_in_ou:
      - Sandbox

# Stack sets
cloudformation_resources:
  # the baseline
  - name: baseline
    template_file: templates/baseline.template
    deploy_method: stack_set
    # accounts
    deploy_to_account:
      - "123456789012"
    regions:
      - us-east-1
`;

  test('keeps each comment above its list item, section and key, and every blank line', async () => {
    const result = await cfct('migrate', legacyPackage(COMMENTED), '--out', '-');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`# Legacy manifest
region: us-east-1
version: 2021-03-15

# The guardrails
resources:
  # first policy
  - name: deny-leave
    resource_file: policies/deny-leave.json
    deploy_method: scp

    # where it applies
    deployment_targets:
      organizational_units:
        # workloads only
        - Workloads

  # second policy
  - name: deny-root
    # the file
    resource_file: policies/deny-root.json
    deploy_method: scp
    deployment_targets:
      organizational_units:
        - Sandbox

  # Stack sets
  # the baseline
  - name: baseline
    resource_file: templates/baseline.template
    deploy_method: stack_set
    # accounts
    deployment_targets:
      accounts:
        - "123456789012"
    regions:
      - us-east-1
`);
    // Every comment of the input is in the output.
    for (const comment of COMMENTED.match(/# .*/g)!) expect(result.stdout).toContain(comment);
  });
});
