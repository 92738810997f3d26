/**
 * Hand-written broken packages: at least one for each rule that a package's content can
 * trigger. The mark (‸) shows where the finding must point.
 */
import { HEADER, POLICY, STACK_SET, type BrokenCase } from './support';

/** A stack set resource with `extra` lines (already indented by four spaces) appended. */
function stackSet(extra: string, name = 'topic'): string {
  return STACK_SET.replace('  - name: topic', `  - name: ${name}`) + extra;
}

/** A stack set without parameter_file, with `extra` lines. */
function bareStackSet(extra: string, name = 'topic', template = 'templates/topic.yaml'): string {
  return (
    [
      `  - name: ${name}`,
      `    resource_file: ${template}`,
      '    deploy_method: stack_set',
      '    deployment_targets:',
      '      organizational_units: [Workloads]',
      '',
    ].join('\n') + extra
  );
}

export const HANDWRITTEN_CASES: readonly BrokenCase[] = [
  // YAML
  {
    name: 'fails when the YAML has a syntax error',
    rule: 'CFCT-Y001',
    manifest: 'region: us-east-1\nversion: 2021-03-15\nresources: [\n  ‸',
  },
  {
    name: 'fails when a flow mapping is not closed',
    rule: 'CFCT-Y001',
    manifest: 'region: {us-east-1\n‸version: 2021-03-15\n',
  },
  {
    name: 'fails on an unknown tag in the manifest',
    rule: 'CFCT-Y001',
    manifest: 'region: ‸!Ref us-east-1\nversion: 2021-03-15\nresources: []\n',
  },
  {
    name: 'warns when an unquoted parameter value changes text (octal)',
    rule: 'CFCT-Y002',
    manifest: HEADER + bareStackSet('    parameters:\n      - parameter_key: Env\n        parameter_value: ‸0755\n'),
  },
  {
    name: 'warns when yes becomes a boolean',
    rule: 'CFCT-Y002',
    manifest: HEADER + bareStackSet('    parameters:\n      - parameter_key: Env\n        parameter_value: ‸yes\n'),
  },
  {
    name: 'warns when 1.00 becomes a float',
    rule: 'CFCT-Y002',
    manifest: HEADER + bareStackSet('    parameters:\n      - parameter_key: Env\n        parameter_value: ‸1.00\n'),
  },
  {
    name: 'warns on a duplicate key',
    rule: 'CFCT-Y003',
    manifest: 'region: us-east-1\n‸region: us-east-2\nversion: 2021-03-15\nresources: []\n',
  },
  // Schema
  {
    name: 'fails on an unsupported version',
    rule: 'CFCT-S001',
    manifest: 'region: us-east-1\nversion: ‸2022-01-01\nresources: []\n',
  },
  {
    name: 'fails on a quoted unsupported version',
    rule: 'CFCT-S001',
    manifest: "region: us-east-1\nversion: ‸'1.0'\nresources: []\n",
  },
  { name: 'fails when region is missing', rule: 'CFCT-S002', manifest: '‸version: 2021-03-15\nresources: []\n' },
  {
    name: 'fails when a resource has no resource_file',
    rule: 'CFCT-S002',
    manifest: HEADER + '  - ‸name: x\n    deploy_method: scp\n    deployment_targets: {}\n',
  },
  {
    name: 'fails on an unknown top-level key',
    rule: 'CFCT-S003',
    manifest: 'region: us-east-1\nversion: 2021-03-15\n‸resource:\n  - name: x\n',
  },
  { name: 'fails on a misspelt resource key', rule: 'CFCT-S003', manifest: HEADER + stackSet('    ‸depend_on: [x]\n') },
  {
    name: 'fails on an unknown key in deployment_targets',
    rule: 'CFCT-S003',
    manifest: HEADER + POLICY.replace('      organizational_units:', '      ‸organisational_units:'),
  },
  {
    name: 'fails when resources is a mapping',
    rule: 'CFCT-S004',
    manifest: 'region: us-east-1\nversion: 2021-03-15\nresources:\n  ‸name: x\n',
  },
  { name: 'fails when the manifest is a list', rule: 'CFCT-S004', manifest: '‸- region: us-east-1\n' },
  {
    name: 'fails when enable_stack_set_deletion is not a boolean',
    rule: 'CFCT-S004',
    manifest: 'region: us-east-1\nversion: 2021-03-15\nenable_stack_set_deletion: ‸maybe\nresources: []\n',
  },
  {
    name: 'fails when a name is a number',
    rule: 'CFCT-S004',
    manifest: HEADER + POLICY.replace('name: deny-delete', 'name: ‸42'),
  },
  {
    name: 'fails on an unknown deploy_method',
    rule: 'CFCT-S005',
    manifest: HEADER + POLICY.replace('deploy_method: scp', 'deploy_method: ‸stackset'),
  },
  {
    name: 'fails on an unknown stack_set_order',
    rule: 'CFCT-S005',
    manifest: 'region: us-east-1\nversion: 2021-03-15\nstack_set_order: ‸parallel\nresources: []\n',
  },
  {
    name: 'warns on the legacy version',
    rule: 'CFCT-S006',
    manifest: 'region: us-east-1\nversion: ‸2020-01-01\norganization_policies: []\n',
  },
  {
    name: 'fails on a region listed twice',
    rule: 'CFCT-S005',
    manifest:
      HEADER +
      stackSet('').replace(
        '    regions:\n      - us-east-1\n',
        '    regions:\n      - us-east-1\n      - ‸us-east-1\n',
      ),
  },
  {
    name: 'fails on a legacy policy without apply_to_accounts_in_ou',
    rule: 'CFCT-S002',
    manifest:
      'region: us-east-1\nversion: 2020-01-01\norganization_policies:\n  - ‸name: p\n    policy_file: policies/deny.json\n',
  },
  {
    name: 'fails on a percentage above 100',
    rule: 'CFCT-S007',
    manifest: HEADER + stackSet('    operation_preferences:\n      MaxConcurrentPercentage: ‸150\n'),
  },
  {
    name: 'fails on an empty name',
    rule: 'CFCT-S007',
    manifest: HEADER + POLICY.replace('name: deny-delete', "name: ‸''"),
  },
  // Manifest semantics
  {
    name: 'fails on duplicate resource names',
    rule: 'CFCT-M001',
    manifest: HEADER + POLICY + POLICY.replace('  - name: ', '  - name: ‸'),
  },
  {
    name: 'fails when two resources deploy one stack set',
    rule: 'CFCT-M001',
    manifest: HEADER + bareStackSet('', 'a') + bareStackSet('    stack_set_name: ‸CustomControlTower-a\n', 'b'),
  },
  {
    name: 'fails on a stack set name with an underscore',
    rule: 'CFCT-M002',
    manifest: HEADER + bareStackSet('', '‸my_topic'),
  },
  {
    name: 'fails on a stack_set_name starting with a digit',
    rule: 'CFCT-M002',
    manifest: HEADER + bareStackSet('    stack_set_name: ‸1-topic\n'),
  },
  {
    name: 'fails on a stack set name longer than 128',
    rule: 'CFCT-M002',
    manifest: HEADER + bareStackSet('', `‸${'a'.repeat(120)}`),
  },
  {
    name: 'fails when the template is missing',
    rule: 'CFCT-M003',
    manifest: HEADER + bareStackSet('', 'topic', '‸templates/missing.yaml'),
  },
  {
    name: 'fails when the parameter file is missing',
    rule: 'CFCT-M003',
    manifest:
      HEADER + stackSet('').replace('parameter_file: parameters/topic.json', 'parameter_file: ‸parameters/nope.json'),
  },
  {
    name: 'fails when the parameter file is remote',
    rule: 'CFCT-M003',
    manifest:
      HEADER +
      stackSet('').replace(
        'parameter_file: parameters/topic.json',
        'parameter_file: ‸s3://my-bucket/parameters/topic.json',
      ),
  },
  {
    name: 'fails when the policy file is missing',
    rule: 'CFCT-M003',
    manifest: HEADER + POLICY.replace('resource_file: policies/deny.json', 'resource_file: ‸policies/Deny.json'),
  },
  {
    name: 'fails on a path climbing out of the package',
    rule: 'CFCT-M004',
    manifest: HEADER + bareStackSet('', 'topic', '‸../templates/topic.yaml'),
  },
  {
    name: 'fails on an absolute path',
    rule: 'CFCT-M004',
    manifest: HEADER + bareStackSet('', 'topic', '‸/etc/passwd'),
  },
  {
    name: 'fails on an s3 URL without a key',
    rule: 'CFCT-M005',
    manifest: HEADER + bareStackSet('', 'topic', '‸s3://my-bucket'),
  },
  {
    name: 'fails on an s3 URL with an invalid bucket',
    rule: 'CFCT-M005',
    manifest: HEADER + bareStackSet('', 'topic', '‸s3://My_Bucket/t.yaml'),
  },
  {
    name: 'fails on an https URL that is not S3',
    rule: 'CFCT-M005',
    manifest: HEADER + bareStackSet('', 'topic', '‸https://example.com/t.yaml'),
  },
  {
    name: 'fails on an unsupported scheme',
    rule: 'CFCT-M005',
    manifest: HEADER + bareStackSet('', 'topic', '‸ftp://host/t.yaml'),
  },
  {
    name: 'fails on an 11-digit quoted account id',
    rule: 'CFCT-M006',
    manifest: HEADER + stackSet('').replace("        - '111122223333'", "        - ‸'11112222333'"),
  },
  {
    name: 'fails on an account id with dashes',
    rule: 'CFCT-M006',
    manifest: HEADER + stackSet('').replace("        - '111122223333'", '        - ‸1111-2222-3333'),
  },
  {
    name: 'fails when an unquoted account id is octal to YAML 1.1',
    rule: 'CFCT-M052',
    manifest: HEADER + stackSet('').replace("        - '111122223333'", '        - ‸012345670123'),
  },
  {
    name: 'fails when an unquoted octal account id is in a legacy deploy_to_account',
    rule: 'CFCT-M052',
    manifest:
      'region: us-east-1\nversion: 2020-01-01\ncloudformation_resources:\n  - name: topic\n    template_file: templates/topic.yaml\n    parameter_file: parameters/topic.json\n    deploy_to_account:\n      - ‸000000000017\n',
  },
  {
    name: 'warns when an account id lost its leading zero',
    rule: 'CFCT-M007',
    manifest: HEADER + stackSet('').replace("        - '111122223333'", '        - ‸12345678901'),
  },
  {
    name: 'fails on an OU path with an empty level',
    rule: 'CFCT-M008',
    manifest: HEADER + stackSet('').replace('        - Workloads', '        - ‸Workloads::Prod'),
  },
  {
    name: 'fails on an OU path ending with a colon',
    rule: 'CFCT-M008',
    manifest: HEADER + stackSet('').replace('        - Workloads', "        - ‸'Workloads:'"),
  },
  {
    name: 'fails on a malformed root id',
    rule: 'CFCT-M008',
    manifest: HEADER + POLICY.replace('        - Root', '        - ‸r-AB'),
  },
  {
    name: 'fails on an unknown home region',
    rule: 'CFCT-M009',
    manifest: 'region: ‸us-east-7\nversion: 2021-03-15\nresources: []\n',
  },
  {
    name: 'fails on an unknown deployment region',
    rule: 'CFCT-M009',
    manifest: HEADER + stackSet('').replace('      - us-east-1', '      - ‸eu-west-9'),
  },
  {
    name: 'fails on an unknown region in RegionOrder',
    rule: 'CFCT-M009',
    manifest: HEADER + stackSet('    operation_preferences:\n      RegionOrder: [us-east-1, ‸useast2]\n'),
  },
  {
    name: 'fails when depends_on names no resource',
    rule: 'CFCT-M010',
    manifest: HEADER + stackSet('    depends_on:\n      - ‸networking\n'),
  },
  {
    name: 'fails when depends_on names a policy',
    rule: 'CFCT-M010',
    manifest: HEADER + POLICY + stackSet('    depends_on: [‸deny-delete]\n'),
  },
  {
    name: 'fails on a dependency cycle',
    rule: 'CFCT-M011',
    manifest: HEADER + bareStackSet('    depends_on: [b]\n', 'a') + bareStackSet('    depends_on: [‸a]\n', 'b'),
  },
  {
    name: 'fails when a resource depends on itself',
    rule: 'CFCT-M011',
    manifest: HEADER + bareStackSet('    depends_on: [‸a]\n', 'a'),
  },
  {
    name: 'fails on an export name with a space',
    rule: 'CFCT-M012',
    manifest: HEADER + stackSet('').replace('      - name: /org/topic/arn', '      - name: ‸/org/topic arn'),
  },
  {
    name: 'fails on an export name under /aws',
    rule: 'CFCT-M012',
    manifest: HEADER + stackSet('').replace('      - name: /org/topic/arn', '      - name: ‸/aws/topic'),
  },
  {
    name: 'fails on an invalid SSM name read by a helper',
    rule: 'CFCT-M012',
    manifest:
      HEADER +
      bareStackSet('    parameters:\n      - ‸parameter_key: Env\n        parameter_value: $[alfred_ssm_org/env]\n'),
  },
  {
    name: 'warns when an export reads an undeclared output',
    rule: 'CFCT-M013',
    manifest:
      HEADER +
      stackSet('').replace(
        '      - name: /org/topic/arn\n        value: $[output_TopicArn]',
        '      - name: ‸/org/topic/arn\n        value: $[output_TopicName]',
      ),
  },
  {
    name: 'warns on accounts of a policy',
    rule: 'CFCT-M014',
    manifest: HEADER + POLICY + "      accounts: [‸'111122223333']\n",
  },
  {
    name: 'fails on include_nested_ous for a policy',
    rule: 'CFCT-M015',
    manifest: HEADER + POLICY + '      ‸include_nested_ous: true\n',
  },
  {
    name: 'fails on exclude_accounts for a policy',
    rule: 'CFCT-M015',
    manifest: HEADER + POLICY + "      ‸exclude_accounts: ['111122223333']\n",
  },
  {
    name: 'fails on depends_on for a policy',
    rule: 'CFCT-M015',
    manifest: HEADER + POLICY + '    ‸depends_on: [topic]\n' + STACK_SET,
  },
  {
    name: 'fails on attach_to_accounts for a stack set',
    rule: 'CFCT-M015',
    manifest: HEADER + stackSet('    ‸attach_to_accounts: true\n'),
  },
  {
    name: 'fails on a suppression of an unknown rule',
    rule: 'CFCT-M016',
    manifest: HEADER + stackSet('    lint_suppressions:\n      - ‸rule_id: CFCT-X999\n        reason: because\n'),
  },
  {
    name: 'fails on a suppression without a reason',
    rule: 'CFCT-M016',
    manifest: HEADER + stackSet("    lint_suppressions:\n      - ‸rule_id: CFCT-M013\n        reason: ''\n"),
  },
  {
    name: 'fails on a suppression of an error rule',
    rule: 'CFCT-M016',
    manifest: HEADER + stackSet('    lint_suppressions:\n      - ‸rule_id: CFCT-M003\n        reason: later\n'),
  },
  {
    name: 'fails on parameters together with parameter_file',
    rule: 'CFCT-M017',
    manifest: HEADER + stackSet('    ‸parameters:\n      - parameter_key: Env\n        parameter_value: dev\n'),
  },
  {
    name: 'fails on auto_deployment without service_managed',
    rule: 'CFCT-M018',
    manifest: HEADER + stackSet('    ‸auto_deployment:\n      enabled: true\n'),
  },
  {
    name: 'fails on a failure tolerance percentage and count together',
    rule: 'CFCT-M018',
    manifest:
      HEADER +
      stackSet('    operation_preferences:\n      FailureTolerancePercentage: 10\n      ‸FailureToleranceCount: 1\n'),
  },
  {
    name: 'fails when a policy repeats a condition operator in one statement',
    rule: 'CFCT-M050',
    manifest: HEADER + POLICY,
    files: {
      'policies/deny.json': [
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",',
        '  "Condition": {',
        '    "StringNotEquals": {"aws:PrincipalOrgID": "o-abc"},',
        '    ‸"StringNotEquals": {"aws:PrincipalAccount": "111122223333"}',
        '  }}]}',
      ].join('\n'),
    },
  },
  {
    name: 'fails when a parameter file repeats a key',
    rule: 'CFCT-M050',
    files: { 'parameters/topic.json': '[{"ParameterKey": "Env", "ParameterValue": "a", ‸"ParameterValue": "b"}]' },
  },
  {
    name: 'fails when a JSON template repeats a resource name',
    rule: 'CFCT-M050',
    manifest: HEADER + bareStackSet('', 'topic', 'templates/t.json'),
    files: {
      'templates/t.json':
        '{"Resources": {\n  "Topic": {"Type": "AWS::SNS::Topic"},\n  ‸"Topic": {"Type": "AWS::SQS::Queue"}\n}}',
    },
  },
  {
    name: 'notes a target list that holds only comments',
    rule: 'CFCT-M051',
    manifest:
      HEADER +
      stackSet('').replace(
        "      accounts:\n        - '111122223333'\n",
        "      ‸accounts:\n        # - '111122223333'\n",
      ),
  },
  {
    name: 'fails on a tag key starting with aws:',
    rule: 'CFCT-M053',
    manifest: HEADER + stackSet('    tags:\n      ‸aws:team: platform\n'),
  },
  {
    name: 'fails on an empty stack set tag value',
    rule: 'CFCT-M053',
    manifest: HEADER + stackSet("    tags:\n      team: ‸''\n"),
  },
  {
    name: 'fails on a tag value longer than 256 characters',
    rule: 'CFCT-M053',
    manifest: HEADER + stackSet(`    tags:\n      team: ‸${'x'.repeat(257)}\n`),
  },
  {
    name: 'fails on a tag key longer than 128 characters',
    rule: 'CFCT-M053',
    manifest: HEADER + stackSet(`    tags:\n      ‸${'k'.repeat(129)}: x\n`),
  },
  {
    name: 'fails on a tag with a character tags may not hold',
    rule: 'CFCT-M053',
    manifest: HEADER + stackSet('    tags:\n      ‸cost#centre: x\n'),
  },
  {
    name: "fails on more tags than AWS accepts with the library's own",
    rule: 'CFCT-M053',
    manifest:
      HEADER +
      stackSet(
        `    tags:\n${Array.from({ length: 47 }, (_, i) => `      ${i === 46 ? '‸' : ''}t${i}: v`).join('\n')}\n`,
      ),
  },
  {
    name: 'fails on a tag key the library manages itself',
    rule: 'CFCT-M053',
    manifest: HEADER + stackSet('    tags:\n      ‸cfct:installation: other\n'),
  },
  // Templates
  {
    name: 'fails on a template with a YAML error',
    rule: 'CFCT-T001',
    manifest: HEADER + bareStackSet(''),
    files: { 'templates/topic.yaml': 'Resources:\n  Topic: [\n‸' },
  },
  {
    name: 'fails on an unknown short-form tag',
    rule: 'CFCT-T001',
    manifest: HEADER + bareStackSet(''),
    files: { 'templates/topic.yaml': 'Resources:\n  Topic:\n    Type: ‸!Reff X\n' },
  },
  {
    name: 'fails on a JSON template that does not parse',
    rule: 'CFCT-T001',
    manifest: HEADER + bareStackSet('', 'topic', 'templates/t.json'),
    files: { 'templates/t.json': '{"Resources": {‸' },
  },
  {
    name: 'fails on a template without Resources',
    rule: 'CFCT-T002',
    manifest: HEADER + bareStackSet(''),
    files: { 'templates/topic.yaml': '‸Description: nothing here\nParameters: {}\n' },
  },
  {
    name: 'fails on a template larger than 1 MB',
    rule: 'CFCT-T003',
    manifest: HEADER + bareStackSet(''),
    files: { 'templates/topic.yaml': `Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n# ${'x'.repeat(1_048_600)}\n` },
    file: 'templates/topic.yaml',
    wholeFile: true,
  },
  // Parameters
  {
    name: 'fails on a parameter file that is not JSON',
    rule: 'CFCT-R001',
    files: { 'parameters/topic.json': '[{"ParameterKey": "Env",‸}]' },
  },
  {
    name: 'fails on a parameter file with a bare word',
    rule: 'CFCT-R001',
    files: { 'parameters/topic.json': '[\n  {"ParameterKey": ‸Env}\n]' },
  },
  { name: 'fails on an empty parameter file', rule: 'CFCT-R001', files: { 'parameters/topic.json': '‸' } },
  {
    name: 'fails on a parameter file that is an object',
    rule: 'CFCT-R002',
    files: { 'parameters/topic.json': '‸{"Env": "prod"}' },
  },
  {
    name: 'fails on a parameter entry without ParameterKey',
    rule: 'CFCT-R002',
    files: { 'parameters/topic.json': '[\n  ‸{"ParameterValue": "prod"}\n]' },
  },
  {
    name: 'fails on a misspelt ParameterValue',
    rule: 'CFCT-R002',
    files: { 'parameters/topic.json': '[{"ParameterKey": "Env", ‸"ParamterValue": "prod", "ParameterValue": "x"}]' },
  },
  {
    name: 'fails on a parameter entry with an object value',
    rule: 'CFCT-R002',
    files: { 'parameters/topic.json': '[{"ParameterKey": "Env", "ParameterValue": ‸{"a": 1}}]' },
  },
  {
    name: 'fails on a parameter the template does not declare',
    rule: 'CFCT-R003',
    files: {
      'parameters/topic.json':
        '[{"ParameterKey": "Env", "ParameterValue": "prod"},\n ‸{"ParameterKey": "Enviroment", "ParameterValue": "x"}]',
    },
  },
  {
    name: 'fails on a manifest parameter the template does not declare',
    rule: 'CFCT-R003',
    manifest:
      HEADER +
      bareStackSet(
        '    parameters:\n      - parameter_key: Env\n        parameter_value: dev\n      - ‸parameter_key: Region\n        parameter_value: x\n',
      ),
  },
  {
    name: 'fails when a required parameter is missing from the file',
    rule: 'CFCT-R004',
    manifest:
      HEADER + stackSet('').replace('parameter_file: parameters/topic.json', 'parameter_file: ‸parameters/topic.json'),
    files: { 'parameters/topic.json': '[]' },
  },
  {
    name: 'fails when a required parameter is missing (no parameters)',
    rule: 'CFCT-R004',
    manifest: HEADER + bareStackSet('', 'topic').replace('  - name: topic', '  - ‸name: topic'),
  },
  {
    name: 'fails on a duplicate parameter',
    rule: 'CFCT-R005',
    files: {
      'parameters/topic.json':
        '[{"ParameterKey": "Env", "ParameterValue": "a"}, ‸{"ParameterKey": "Env", "ParameterValue": "b"}]',
    },
  },
  // Helpers
  {
    name: 'fails on an unknown helper',
    rule: 'CFCT-H001',
    files: { 'parameters/topic.json': '[‸{"ParameterKey": "Env", "ParameterValue": "$[alfred_genpassword_8]"}]' },
  },
  {
    name: 'fails on a helper with a bad count',
    rule: 'CFCT-H001',
    files: { 'parameters/topic.json': '[‸{"ParameterKey": "Env", "ParameterValue": "$[alfred_genaz_two]"}]' },
  },
  {
    name: 'fails on an unterminated helper',
    rule: 'CFCT-H001',
    files: { 'parameters/topic.json': '[‸{"ParameterKey": "Env", "ParameterValue": "$[alfred_ssm_/x"}]' },
  },
  {
    name: 'fails on an unknown storage placeholder',
    rule: 'CFCT-H001',
    files: {
      'parameters/topic.json':
        '[‸{"ParameterKey": "Env", "ParameterValue": "$[alfred_genpass_12]", "ssm_parameters": [{"name": "/x/pw", "value": "$[pasword]"}]}]',
    },
  },
  {
    name: 'fails on a generated password given to a parameter that is not NoEcho',
    rule: 'CFCT-M070',
    files: {
      'parameters/topic.json':
        '[‸{"ParameterKey": "Env", "ParameterValue": "$[alfred_genpass_12]", "ssm_parameters": [{"name": "/x/pw", "value": "$[password]"}]}]',
    },
  },
  {
    name: 'fails on genpass without an SSM name',
    rule: 'CFCT-H002',
    files: { 'parameters/topic.json': '[‸{"ParameterKey": "Env", "ParameterValue": "$[alfred_genpass_12]"}]' },
  },
  {
    name: 'fails on genkeypair in manifest parameters',
    rule: 'CFCT-H002',
    manifest:
      HEADER +
      bareStackSet('    parameters:\n      - ‸parameter_key: Env\n        parameter_value: $[alfred_genkeypair]\n'),
  },
  // Policies
  {
    name: 'fails on a policy that is not JSON',
    rule: 'CFCT-L001',
    manifest: HEADER + POLICY,
    files: { 'policies/deny.json': '{"Version": "2012-10-17", ‸Statement: []}' },
  },
  {
    name: 'fails on a policy with a missing value',
    rule: 'CFCT-L001',
    manifest: HEADER + POLICY,
    files: { 'policies/deny.json': '{\n  "Version": ‸}' },
  },
  {
    name: 'fails on a policy over 5,120 characters after minification',
    rule: 'CFCT-L002',
    manifest: HEADER + POLICY,
    files: {
      'policies/deny.json': JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Deny', Action: Array.from({ length: 300 }, (_, i) => `service${i}:Action`), Resource: '*' },
        ],
      }),
    },
    file: 'policies/deny.json',
    wholeFile: true,
  },
  {
    name: 'fails on a policy without statements',
    rule: 'CFCT-L003',
    manifest: HEADER + POLICY,
    files: { 'policies/deny.json': '{"Version": "2012-10-17", "Statement": []}' },
    file: 'policies/deny.json',
    wholeFile: true,
  },
  // Package
  {
    name: 'fails when the package has no manifest',
    rule: 'CFCT-P001',
    files: { 'manifest.yaml': null, 'manifest.yml': 'region: us-east-1' },
    file: 'manifest.yaml',
  },
  {
    name: 'fails when the manifest is in another folder',
    rule: 'CFCT-P001',
    files: { 'manifest.yaml': null, 'config/manifest.yaml': 'region: us-east-1' },
    file: 'config/manifest.yaml',
  },
  {
    name: 'fails on a manifest that is not UTF-8',
    rule: 'CFCT-P007',
    files: { 'manifest.yaml': Buffer.from([0x72, 0x3a, 0xff, 0xfe]) },
    file: 'manifest.yaml',
    wholeFile: true,
  },
  {
    name: 'fails on a template that is not UTF-8',
    rule: 'CFCT-P007',
    manifest: HEADER + bareStackSet(''),
    files: { 'templates/topic.yaml': Buffer.from([0xc3, 0x28]) },
    file: 'templates/topic.yaml',
    wholeFile: true,
  },
];
