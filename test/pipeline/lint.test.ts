/**
 * Template linting: cfn-lint for real (it is installed on these machines), cfn_nag and cfn-guard
 * through a stand-in process runner (they are not), and `cfct validate --lint`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { lintTemplates, type ProcessResult } from '../../src/cli/lint';
import { loadPackage } from '../../src/manifest';
import { cfct, tempDir } from '../cli/support';

const BAD_TEMPLATE = [
  'AWSTemplateFormatVersion: "2010-09-09"',
  'Resources:',
  '  Queue:',
  '    Type: AWS::SQS::Queue',
  '    Properties:',
  '      DelaySeconds: abc',
  'Outputs:',
  '  Unused:',
  '    Value: !GetAtt Queue.Arn',
  '    Export:',
  '      Name: !Sub "${AWS::StackName}-queue"',
  'Parameters:',
  '  NotUsed:',
  '    Type: String',
  '    Default: x',
  '',
].join('\n');

function writePackage(files: Record<string, string>): string {
  const dir = tempDir('cfct-lint-pkg-');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

function manifest(suppressions = ''): string {
  return `region: us-east-1
version: 2021-03-15
resources:
  - name: queues
    resource_file: templates/queue.yaml
    deploy_method: stack_set
    deployment_targets:
      accounts: ["123456789012"]
${suppressions}`;
}

async function load(dir: string) {
  const loaded = await loadPackage(dir);
  return { manifest: loaded.manifest!, files: loaded.files };
}

describe('template linting', () => {
  test('cfn-lint findings become CFCT-L010/L011 with its rule id, the template position and the resource', async () => {
    const { manifest: m, files } = await load(
      writePackage({ 'manifest.yaml': manifest(), 'templates/queue.yaml': BAD_TEMPLATE }),
    );
    const findings = lintTemplates(m, files, { linters: ['cfn-lint'] });
    expect(findings).toContainEqual(
      expect.objectContaining({
        ruleId: 'CFCT-L010',
        severity: 'error',
        message: expect.stringMatching(/^cfn-lint E3012: 'abc' is not of type 'integer'/),
        location: { file: 'templates/queue.yaml', line: 6, column: 7 },
        resource: 'queues',
      }),
    );
    expect(findings).toContainEqual(
      expect.objectContaining({
        ruleId: 'CFCT-L011',
        severity: 'warning',
        message: expect.stringMatching(/^cfn-lint W2001: .*NotUsed/),
        location: expect.objectContaining({ file: 'templates/queue.yaml', line: 13 }),
      }),
    );
  });

  test('cfn-lint informational checks become CFCT-L012 notes, which do not fail validation', async () => {
    const table = [
      'AWSTemplateFormatVersion: "2010-09-09"',
      'Resources:',
      '  Table:',
      '    Type: AWS::DynamoDB::Table',
      '    Properties:',
      '      BillingMode: PAY_PER_REQUEST',
      '      AttributeDefinitions: [{ AttributeName: id, AttributeType: S }]',
      '      KeySchema: [{ AttributeName: id, KeyType: HASH }]',
      '',
    ].join('\n');
    const { manifest: m, files } = await load(
      writePackage({ 'manifest.yaml': manifest(), 'templates/queue.yaml': table }),
    );
    const findings = lintTemplates(m, files, { linters: ['cfn-lint'] });
    expect(findings).toContainEqual(
      expect.objectContaining({
        ruleId: 'CFCT-L012',
        severity: 'info',
        message: expect.stringMatching(/^cfn-lint I3011: 'DeletionPolicy' is a required property/),
        location: expect.objectContaining({ file: 'templates/queue.yaml', line: 3 }),
        resource: 'queues',
      }),
    );
    expect(findings.filter((f) => f.severity !== 'info')).toEqual([]);
  });

  test("lint_suppressions turn a resource's cfn-lint warnings into notes that give the reason", async () => {
    const suppressions =
      '    lint_suppressions:\n      - rule_id: CFCT-L011\n        reason: the parameter is kept for the next release\n';
    const { manifest: m, files } = await load(
      writePackage({ 'manifest.yaml': manifest(suppressions), 'templates/queue.yaml': BAD_TEMPLATE }),
    );
    const findings = lintTemplates(m, files, { linters: ['cfn-lint'] });
    const w2001 = findings.find((f) => f.message.includes('W2001'))!;
    expect(w2001.severity).toBe('info');
    expect(w2001.message).toContain('(suppressed: the parameter is kept for the next release)');
    // errors stay errors
    expect(findings.find((f) => f.message.includes('E3012'))!.severity).toBe('error');
  });

  test('cfn_nag and cfn-guard results map to CFCT-L013/L014/L015 (process stand-in)', async () => {
    const { manifest: m, files } = await load(
      writePackage({ 'manifest.yaml': manifest(), 'templates/queue.yaml': BAD_TEMPLATE }),
    );
    const calls: string[] = [];
    const run = (command: string, args: readonly string[]): ProcessResult => {
      calls.push(command);
      if (command === 'cfn_nag_scan') {
        const dir = args[args.indexOf('--input-path') + 1];
        const report = [
          {
            filename: join(dir, 'templates', 'queue.yaml'),
            file_results: {
              violations: [
                {
                  id: 'W48',
                  type: 'WARN',
                  message: 'SQS Queue should specify KmsMasterKeyId',
                  logical_resource_ids: ['Queue'],
                  line_numbers: [3],
                },
                {
                  id: 'F1000',
                  type: 'FAIL',
                  message: 'Missing egress rule',
                  logical_resource_ids: ['Sg'],
                  line_numbers: [-1],
                },
              ],
            },
          },
        ];
        return { status: 0, stdout: JSON.stringify(report), stderr: '' };
      }
      return { status: 19, stdout: 'queue.yaml Status = FAIL\nFAILED rules\nRule [sqs_encrypted] FAIL\n', stderr: '' };
    };
    const findings = lintTemplates(m, files, { linters: ['cfn-nag', 'cfn-guard'], guardRules: '/rules.guard', run });
    expect(calls).toEqual(['cfn_nag_scan', 'cfn-guard']);
    expect(findings.map((f) => [f.ruleId, f.severity, f.message, f.location?.line])).toEqual([
      ['CFCT-L014', 'warning', 'cfn_nag W48: SQS Queue should specify KmsMasterKeyId (Queue)', 3],
      ['CFCT-L013', 'error', 'cfn_nag F1000: Missing egress rule (Sg)', undefined],
      ['CFCT-L015', 'warning', 'cfn-guard rule sqs_encrypted failed', undefined],
    ]);
  });

  test('fails with one clear finding when a requested linter is not installed', async () => {
    const { manifest: m, files } = await load(
      writePackage({ 'manifest.yaml': manifest(), 'templates/queue.yaml': BAD_TEMPLATE }),
    );
    const missing = (): ProcessResult => ({
      status: null,
      stdout: '',
      stderr: '',
      error: { code: 'ENOENT', message: 'spawn cfn_nag_scan ENOENT' },
    });
    expect(lintTemplates(m, files, { linters: ['cfn-nag'], run: missing })).toEqual([
      expect.objectContaining({
        ruleId: 'CFCT-L017',
        severity: 'warning',
        message: 'cfn-nag was requested but is not installed, so templates were not checked with it',
      }),
    ]);
    expect(lintTemplates(m, files, { linters: ['cfn-guard'], run: missing })[0].message).toBe(
      'cfn-guard was requested without a rules file, so templates were not checked with it',
    );
  });

  test('survives a linter that crashes or prints what is not JSON', async () => {
    const { manifest: m, files } = await load(
      writePackage({ 'manifest.yaml': manifest(), 'templates/queue.yaml': BAD_TEMPLATE }),
    );
    const broken = (): ProcessResult => ({ status: 1, stdout: 'Traceback (most recent call last):', stderr: '' });
    expect(lintTemplates(m, files, { linters: ['cfn-lint'], run: broken })).toEqual([
      expect.objectContaining({
        ruleId: 'CFCT-L016',
        message: 'cfn-lint did not run to completion (exit 1): Traceback (most recent call last):',
      }),
    ]);
  });

  test('cfct validate --lint reports cfn-lint findings and exits 1 on its errors', async () => {
    const dir = writePackage({ 'manifest.yaml': manifest(), 'templates/queue.yaml': BAD_TEMPLATE });
    const plain = await cfct('validate', dir);
    expect(plain.code).toBe(0);
    const linted = await cfct('validate', dir, '--lint');
    expect(linted.code).toBe(1);
    expect(linted.stdout).toContain(
      "templates/queue.yaml:6:7 error CFCT-L010 cfn-lint E3012: 'abc' is not of type 'integer'",
    );
    const usage = await cfct('validate', dir, '--lint', 'tflint');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toBe("cfct validate: --lint takes cfn-lint, cfn-nag and cfn-guard, got 'tflint'\n");
  });
});
