/** CloudFormation ValidateTemplate: the fake answers as CloudFormation does, and the build stage reports its answer. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CloudFormationClient, ValidateTemplateCommand } from '@aws-sdk/client-cloudformation';
import * as cfnSdk from '@aws-sdk/client-cloudformation';
import { EXAMPLE, LiveWorld } from '../cli/live-world';
import { tempDir } from '../cli/support';
import { FakeCloudFormation } from '../fake/cloudformation';
import { FakeAws } from '../fake/core';

function client(): CloudFormationClient {
  const fake = new FakeAws();
  new FakeCloudFormation(fake);
  return fake.client(CloudFormationClient, cfnSdk, 'cloudformation', {
    accountId: '111111111111',
    region: 'us-east-1',
  });
}

describe('the fake ValidateTemplate', () => {
  test('returns the parameters of a valid template', async () => {
    const body = JSON.stringify({
      Parameters: { Env: { Type: 'String', Default: 'prod' }, Secret: { Type: 'String', NoEcho: true } },
      Resources: { B: { Type: 'AWS::S3::Bucket' } },
    });
    const answer = await client().send(new ValidateTemplateCommand({ TemplateBody: body }));
    expect(answer.Parameters).toEqual([
      { ParameterKey: 'Env', NoEcho: false, DefaultValue: 'prod' },
      { ParameterKey: 'Secret', NoEcho: true },
    ]);
  });

  test.each([
    ['no Resources', '{"Parameters": {}}', 'Template format error: At least one Resources member must be defined.'],
    [
      'a resource without Type',
      '{"Resources": {"B": {"Properties": {}}}}',
      'Template format error: [/Resources/B] Every Resources object must contain a Type member.',
    ],
    [
      'an oversized body',
      `{"Resources": {"B": {"Type": "AWS::S3::Bucket", "Metadata": "${'x'.repeat(52_000)}"}}}`,
      'Templates with a size greater than 51,200 bytes must be deployed via an S3 Bucket',
    ],
  ])('fails with ValidationError for %s', async (_name, body, message) => {
    await expect(client().send(new ValidateTemplateCommand({ TemplateBody: body }))).rejects.toMatchObject({
      name: 'ValidationError',
      message,
    });
  });
});

describe('cfct pipeline-build and ValidateTemplate', () => {
  function packageWith(template: string): string {
    const dir = tempDir('cfct-vt-');
    const files: Record<string, string> = {
      'manifest.yaml':
        'region: us-east-1\nversion: 2021-03-15\nresources:\n  - name: broken\n    resource_file: templates/t.json\n    deploy_method: stack_set\n    deployment_targets:\n      organizational_units: [Root]\n',
      'templates/t.json': template,
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return dir;
  }

  test('fails with CFCT-V001 on the template when CloudFormation rejects it', async () => {
    const world = new LiveWorld();
    const dir = packageWith('{"Resources": {"B": {"Properties": {}}}}');
    const result = await world.cfct(
      'pipeline-build',
      dir,
      '--bucket',
      'b',
      '--execution-id',
      'e1',
      '--out',
      join(tempDir(), 'o'),
      '--lint',
      'none',
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'templates/t.json error CFCT-V001 CloudFormation ValidateTemplate rejects the template: Template format error: [/Resources/B] Every Resources object must contain a Type member.',
    );
    expect(world.fake.callCount('cloudformation', 'ValidateTemplate')).toBe(1);
  });

  test('validates every template of a valid package once and reports nothing', async () => {
    const world = new LiveWorld();
    const result = await world.cfct(
      'pipeline-build',
      EXAMPLE,
      '--bucket',
      'b',
      '--execution-id',
      'e1',
      '--out',
      join(tempDir(), 'o'),
      '--lint',
      'none',
    );
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('CFCT-V00');
    expect(world.fake.callCount('cloudformation', 'ValidateTemplate')).toBeGreaterThan(0);
  });

  test('a template CloudFormation cannot be asked about is a warning (CFCT-V002), not a crash', async () => {
    const world = new LiveWorld();
    world.fake.injectFault({
      service: 'cloudformation',
      operation: 'ValidateTemplate',
      rate: 1,
      error: () =>
        new cfnSdk.CloudFormationServiceException({
          name: 'AccessDenied',
          $fault: 'client',
          message: 'not authorized to perform: cloudformation:ValidateTemplate',
          $metadata: {},
        }),
    });
    const result = await world.cfct(
      'pipeline-build',
      EXAMPLE,
      '--bucket',
      'b',
      '--execution-id',
      'e1',
      '--out',
      join(tempDir(), 'o'),
      '--lint',
      'none',
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /warning CFCT-V002 the template could not be validated by CloudFormation \(AccessDenied: not authorized/,
    );
  });

  test('the build stage lints with cfn-lint by default', async () => {
    const world = new LiveWorld();
    const dir = packageWith(
      JSON.stringify({ Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: { DelaySeconds: 'abc' } } } }),
    );
    const result = await world.cfct(
      'pipeline-build',
      dir,
      '--bucket',
      'b',
      '--execution-id',
      'e1',
      '--out',
      join(tempDir(), 'o'),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/templates\/t\.json:1:\d+ error CFCT-L010 cfn-lint E3012/);
  });
});
