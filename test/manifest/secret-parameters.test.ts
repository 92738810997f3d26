import { BASE_FILES, HEADER } from './support';
import { packageFromFiles } from '../../src/manifest';

const TEMPLATE = [
  'AWSTemplateFormatVersion: 2010-09-09',
  'Parameters:',
  '  Plain:',
  '    Type: String',
  '  Hidden:',
  '    Type: String',
  '    NoEcho: true',
  'Resources:',
  '  Topic:',
  '    Type: AWS::SNS::Topic',
  '',
].join('\n');

function load(parameterKey: string, suppression = '') {
  const manifest =
    HEADER +
    [
      '  - name: db',
      '    resource_file: templates/db.yaml',
      '    deploy_method: stack_set',
      '    parameter_file: parameters/db.json',
      '    deployment_targets:',
      '      accounts:',
      "        - '111122223333'",
      suppression,
      '',
    ]
      .filter((l) => l !== '')
      .join('\n') +
    '\n';
  const other = parameterKey === 'Plain' ? 'Hidden' : 'Plain';
  const parameters = JSON.stringify(
    [
      {
        ParameterKey: parameterKey,
        ParameterValue: '$[alfred_genpass_12]',
        ssm_parameters: [{ name: '/db/password', value: '$[password]' }],
      },
      { ParameterKey: other, ParameterValue: 'x' },
    ],
    null,
    2,
  );
  return packageFromFiles({
    ...BASE_FILES,
    'templates/db.yaml': TEMPLATE,
    'parameters/db.json': parameters,
    'manifest.yaml': manifest,
  });
}

describe('CFCT-M070: a secret given to a parameter that is not NoEcho', () => {
  test('fails when a generated password feeds a parameter that is not NoEcho, with location and hint', () => {
    const loaded = load('Plain');
    const found = loaded.findings.filter((f) => f.ruleId === 'CFCT-M070');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: 'error', resource: 'db', location: { file: 'parameters/db.json' } });
    expect(found[0].message).toContain('"Plain"');
    expect(found[0].hint).toContain('NoEcho: true');
    expect(found[0].hint).toContain('CFCT-M070');
  });

  test('a generated password for a NoEcho parameter is fine', () => {
    expect(load('Hidden').findings.filter((f) => f.ruleId === 'CFCT-M070')).toEqual([]);
  });

  test('suppressible with a reason: then an info note carrying the reason, and the package is valid', () => {
    const loaded = load(
      'Plain',
      '    lint_suppressions:\n      - rule_id: CFCT-M070\n        reason: the bootstrap user rotates this password at first login',
    );
    const found = loaded.findings.filter((f) => f.ruleId === 'CFCT-M070');
    expect(found).toEqual([
      expect.objectContaining({
        severity: 'info',
        message: expect.stringContaining('(suppressed: the bootstrap user rotates this password at first login)'),
      }),
    ]);
    expect(loaded.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  test('fails when the suppression gives no reason', () => {
    const loaded = load('Plain', "    lint_suppressions:\n      - rule_id: CFCT-M070\n        reason: ' '");
    expect(loaded.findings.map((f) => [f.ruleId, f.severity])).toEqual(
      expect.arrayContaining([
        ['CFCT-M016', 'error'],
        ['CFCT-M070', 'error'],
      ]),
    );
  });
});
