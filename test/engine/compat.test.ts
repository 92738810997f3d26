/**
 * Upstream compatibility and AWS limits the engine honours at plan and apply time: legacy
 * targets as upstream reads them, comma-separated values as upstream deploys them, the
 * organization's partition in role ARNs and S3 URLs, template limits, exports by region, and
 * transitive blocking. Through the public engine entry points, real SDK clients and the fake.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import * as sts from '@aws-sdk/client-sts';
import { accountIds, desired, HOME, manifest, MANAGEMENT, resource, StackSetWorld, template } from './stacksets/env';
import { createAwsClients } from '../../src/aws/clients';
import { systemClock } from '../../src/engine/retry';
import { loadRunSnapshot, planRun } from '../../src/engine/run';
import { defaultStackSetSettings, templateReader } from '../../src/engine/stacksets';
import { s3ObjectUrl } from '../../src/engine/stacksets/settings';
import { packageFromFiles, type Finding } from '../../src/manifest';
import { LiveWorld } from '../cli/live-world';
import { fakeAwsClients } from '../fake/clients';
import { FakeAws } from '../fake/core';
import { FakeSts } from '../fake/sts';

const TOPIC = 'Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n';

/** Plans a package against the example organization in the fake, live (S3 readable). */
async function planLive(
  files: Record<string, string>,
  options: Parameters<typeof planRun>[0]['options'] = {},
  world = new LiveWorld(),
) {
  const pkg = packageFromFiles(files);
  expect(pkg.findings.filter((f) => f.severity === 'error')).toEqual([]);
  const clients = fakeAwsClients(world.fake, '111111111111', pkg.manifest!.region);
  const { snapshot } = await loadRunSnapshot(clients, pkg.manifest!, { clock: world.fake.clock });
  const readTemplate = templateReader(pkg.files, clients, pkg.manifest!.region, systemClock);
  const planned = await planRun({ manifest: pkg.manifest!, files: pkg.files, snapshot, readTemplate, options });
  return { pkg, plan: planned.plan, world, clients };
}

const rules = (findings: readonly Finding[], id: string) => findings.filter((f) => f.ruleId === id);

describe('legacy 2020-01-01 targets, as upstream reads them', () => {
  const legacy = (accounts: string) => ({
    'manifest.yaml': [
      'region: us-east-1',
      'version: 2020-01-01',
      'cloudformation_resources:',
      '  - name: topic',
      '    template_file: templates/topic.yaml',
      '    deploy_method: stack_set',
      `    deploy_to_account: [${accounts}]`,
      '',
    ].join('\n'),
    'templates/topic.yaml': TOPIC,
  });

  test('deploy_to_account keeps only accounts directly under a top-level OU; the management account at the root gets no instance, with a warning naming it', async () => {
    const { plan } = await planLive(legacy("Management, Audit, 'Web Prod', '444444444444'"));
    const instances = plan.steps.filter((s) => s.kind === 'stackset.create-instances') as any[];
    expect(instances.flatMap((s) => s.targets.accounts).sort()).toEqual(['333333333333', '444444444444']);
    const leftOut = rules(plan.findings, 'CFCT-K080');
    expect(leftOut.map((f) => [f.severity, f.message.match(/account (.+?) \(/)?.[1]])).toEqual([
      ['warning', 'Management'],
      ['warning', 'Web Prod'],
    ]);
    expect(leftOut[0].message).toContain('at the root (it is the management account)');
    expect(leftOut[1].message).toContain('nested OU Workloads:Prod');
    expect(leftOut[0].hint).toContain('2021-03-15');
    expect(leftOut[0].location).toMatchObject({ file: 'manifest.yaml', line: 7 });
  });

  test('a 2021-03-15 manifest still targets accounts at the root and in nested OUs', async () => {
    const { plan } = await planLive({
      'manifest.yaml': [
        'region: us-east-1',
        'version: 2021-03-15',
        'resources:',
        '  - name: topic',
        '    resource_file: templates/topic.yaml',
        '    deploy_method: stack_set',
        '    deployment_targets:',
        "      accounts: [Management, 'Web Prod']",
        '',
      ].join('\n'),
      'templates/topic.yaml': TOPIC,
    });
    const instances = plan.steps.filter((s) => s.kind === 'stackset.create-instances') as any[];
    expect(instances.flatMap((s) => s.targets.accounts).sort()).toEqual(['111111111111', '666666666666']);
    expect(rules(plan.findings, 'CFCT-K080')).toEqual([]);
  });
});

describe('partition of the organization', () => {
  const govManifest = {
    'manifest.yaml': [
      'region: us-gov-west-1',
      'version: 2021-03-15',
      'resources:',
      '  - name: topic',
      '    resource_file: templates/topic.yaml',
      '    deploy_method: stack_set',
      '    deployment_targets:',
      '      organizational_units: [Security]',
      '',
    ].join('\n'),
    'templates/topic.yaml': TOPIC,
  };

  test('a GovCloud organization plans its admin role ARN in aws-us-gov, not aws', async () => {
    const { plan } = await planLive(govManifest);
    const create = plan.steps.find((s) => s.kind === 'stackset.create') as any;
    expect(create.definition.administrationRoleArn).toBe(
      'arn:aws-us-gov:iam::111111111111:role/service-role/AWSControlTowerStackSetRole',
    );
  });

  test('role ARNs take the partition of the home region: commercial, GovCloud, China, European Sovereign Cloud', () => {
    expect(defaultStackSetSettings('123456789012', {}, 'eu-west-1').administrationRoleArn).toBe(
      'arn:aws:iam::123456789012:role/service-role/AWSControlTowerStackSetRole',
    );
    expect(defaultStackSetSettings('123456789012', {}, 'us-gov-east-1').partition).toBe('aws-us-gov');
    expect(defaultStackSetSettings('123456789012', {}, 'cn-north-1').administrationRoleArn).toBe(
      'arn:aws-cn:iam::123456789012:role/service-role/AWSControlTowerStackSetRole',
    );
    expect(defaultStackSetSettings('123456789012', {}, 'eusc-de-east-1').partition).toBe('aws-eusc');
    // An explicit admin role is kept as given.
    expect(
      defaultStackSetSettings('123456789012', { administrationRoleArn: 'arn:aws-cn:iam::1:role/x' }, 'us-east-1')
        .administrationRoleArn,
    ).toBe('arn:aws-cn:iam::1:role/x');
  });

  test('member account roles are assumed in the partition of the region (GovCloud, China), not a hard-coded aws', async () => {
    const fake = new FakeAws();
    const fakeSts = new FakeSts(fake);
    fake.mockAllInstances(sts.STSClient, sts, 'sts', { accountId: '111111111111', region: 'us-gov-west-1' });
    try {
      const clients = createAwsClients({ region: 'us-gov-west-1' });
      await clients.ec2InAccount('444444444444', 'us-gov-west-1', 'AWSControlTowerExecution');
      await clients.cloudFormationInAccount('555555555555', 'cn-north-1', 'AWSControlTowerExecution');
      expect(fakeSts.assumed).toEqual([
        'arn:aws-us-gov:iam::444444444444:role/AWSControlTowerExecution',
        'arn:aws-cn:iam::555555555555:role/AWSControlTowerExecution',
      ]);
    } finally {
      fake.restore();
    }
  });

  test('staged template URLs use the S3 domain of the partition (amazonaws.com.cn in China)', () => {
    expect(s3ObjectUrl('b', 'cn-north-1', 'k/t.template')).toBe(
      'https://b.s3.cn-north-1.amazonaws.com.cn/k/t.template',
    );
    expect(s3ObjectUrl('b', 'us-gov-west-1', 'k')).toBe('https://b.s3.us-gov-west-1.amazonaws.com/k');
    expect(s3ObjectUrl('b', 'eusc-de-east-1', 'k')).toBe('https://b.s3.eusc-de-east-1.amazonaws.eu/k');
    expect(s3ObjectUrl('b', 'us-east-1', 'k')).toBe('https://b.s3.us-east-1.amazonaws.com/k');
  });
});

describe('template limits at plan time', () => {
  const big = template('big', { padTo: 60_000 });
  const files = (resourceFile: string) => ({
    'manifest.yaml': [
      'region: us-east-1',
      'version: 2021-03-15',
      'resources:',
      '  - name: big',
      `    resource_file: ${resourceFile}`,
      '    deploy_method: stack_set',
      '    deployment_targets:',
      '      organizational_units: [Security]',
      '',
    ].join('\n'),
    'templates/big.json': big,
  });

  test('fails at plan time when a template over 51,200 bytes would be sent and no staging bucket is configured', async () => {
    const { plan } = await planLive(files('templates/big.json'));
    expect(rules(plan.findings, 'CFCT-K081')).toEqual([
      expect.objectContaining({
        severity: 'error',
        resource: 'big',
        message: expect.stringMatching(
          /^the template of big is \d+ bytes, over the 51200 bytes .* CustomControlTower-big cannot be created$/,
        ),
        location: expect.objectContaining({ file: 'manifest.yaml', line: 5 }),
      }),
    ]);
  });

  test('a staging bucket makes the same plan clean', async () => {
    const { plan } = await planLive(files('templates/big.json'), { stackSets: { stagingBucket: 'cfct-staging' } });
    expect(plan.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  test('fails when a template read from S3 is over 1 MB, and the stack set is not planned', async () => {
    const world = new LiveWorld();
    const clients = fakeAwsClients(world.fake, '111111111111', 'us-east-1');
    await clients.s3('us-east-1').send(
      new PutObjectCommand({
        Bucket: 'org-templates',
        Key: 'huge.yaml',
        Body: `${TOPIC}# ${'x'.repeat(1_048_600)}\n`,
      }),
    );
    const { plan } = await planLive(files('s3://org-templates/huge.yaml'), {}, world);
    expect(rules(plan.findings, 'CFCT-K082')).toEqual([
      expect.objectContaining({
        severity: 'error',
        resource: 'big',
        message: expect.stringContaining('CloudFormation accepts at most 1048576'),
      }),
    ]);
    expect(plan.steps.filter((s) => s.kind.startsWith('stackset.'))).toEqual([]);
  });
});

describe('stack set values and order at apply time', () => {
  const ACCOUNTS = accountIds(3);
  const world = () => {
    const w = new StackSetWorld();
    w.setAccounts(ACCOUNTS);
    return w;
  };

  test('comma-separated parameter values are deployed as upstream deploys them: split, trimmed, re-joined with ","', async () => {
    const w = world();
    const r = resource('lists', {
      parameters: [
        { key: 'Cidrs', value: '10.0.0.0/16, 10.1.0.0/16 ,10.2.0.0/16' },
        { key: 'Name', value: ' padded name ' },
      ],
    });
    const { report } = await w.apply(manifest([r]), [
      desired(r, template('lists', { parameters: ['Cidrs', 'Name'] }), ACCOUNTS),
    ]);
    expect(report.failed).toEqual([]);
    // A value without commas is one element and keeps its text.
    expect(w.cfn.parametersOf('CustomControlTower-lists')).toEqual({
      Cidrs: '10.0.0.0/16,10.1.0.0/16,10.2.0.0/16',
      Name: ' padded name ',
    });
  });

  test('export_outputs named with {region} alone, one account in two regions, writes one parameter per region', async () => {
    const w = world();
    const [account] = ACCOUNTS;
    const r = resource('net', {
      regions: [HOME, 'eu-west-1'],
      parameters: [{ key: 'VpcName', value: 'core' }],
      exportOutputs: [{ name: '/cfct/net/{region}/vpc', value: '$[output_VpcId]' }],
    });
    const { report } = await w.apply(manifest([r]), [
      desired(r, template('net', { parameters: ['VpcName'], outputs: { VpcId: 'VpcName' } }), [account]),
    ]);
    expect(report.failed).toEqual([]);
    expect(report.exports.map((e) => e.name).sort()).toEqual(['/cfct/net/eu-west-1/vpc', `/cfct/net/${HOME}/vpc`]);
    for (const region of [HOME, 'eu-west-1']) {
      expect(w.ssm.get({ accountId: MANAGEMENT, region: HOME }, `/cfct/net/${region}/vpc`)?.value).toBe('core');
    }
  });

  test('dependants are blocked transitively: in a chain of three, the first failing blocks the second and the third', async () => {
    const w = world();
    const a = resource('a');
    const b = resource('b', { dependsOn: [{ value: 'a' }] });
    const c = resource('c', { dependsOn: [{ value: 'b' }] });
    const other = resource('other');
    w.cfn.failingTargets.add(`CustomControlTower-a:${ACCOUNTS[0]}/${HOME}`);
    const m = manifest([a, b, c, other], { stackSetOrder: 'dependencies' });
    const { plan, report } = await w.apply(
      m,
      [a, b, c, other].map((r) => desired(r, template(r.name), ACCOUNTS)),
    );
    expect(plan.graph.waves).toEqual([['a', 'other'], ['b'], ['c']]);
    expect(report.failed.map((f) => f.resource)).toEqual(['a']);
    // Each blocked resource names the failure at the root of its chain.
    expect(report.blocked).toEqual([
      { resource: 'b', blockedBy: 'a', reason: 'it depends on a, which failed' },
      { resource: 'c', blockedBy: 'a', reason: 'it depends on b, which was skipped because a failed' },
    ]);
    expect(report.succeeded).toEqual(['other']);
    expect(w.cfn.stackSets.has('CustomControlTower-b')).toBe(false);
    expect(w.cfn.stackSets.has('CustomControlTower-c')).toBe(false);
  });
});
