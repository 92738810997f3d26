/**
 * What `plan` and `apply` show a reviewer: the package's warnings in the plan apply shows, remote
 * policy files offline, and one count per policy in every report format.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { EXAMPLE, EXAMPLE_ORGANIZATION, LiveWorld } from './live-world';
import { cfct, tempDir } from './support';
import { run } from '../../src/cli/program';
import { fakeAwsClients } from '../fake/clients';

/** A copy of the bundled example with its manifest edited. */
function examplePackage(edit: (manifest: string) => string = (m) => m, changes = true): string {
  const dir = join(tempDir('cfct-counts-'), 'package');
  cpSync(EXAMPLE, dir, { recursive: true });
  const path = join(dir, 'manifest.yaml');
  const before = readFileSync(path, 'utf8');
  const after = edit(before);
  if (changes && after === before) throw new Error('the edit changed nothing');
  writeFileSync(path, after);
  return dir;
}

/** An account id written as a number: validate warns (CFCT-M007), and the plan must too. */
const NUMERIC_ACCOUNT = (m: string) => m.replace('        - "222222222222"', '        - 22222222222');
const REMOTE_POLICY = (m: string) =>
  m.replace('resource_file: policies/deny-root-user.json', 'resource_file: s3://org-policies/deny-root-user.json');

describe('cfct apply shows the plan cfct plan shows', () => {
  test("the plan apply prints carries the package's warnings, as plan does", async () => {
    const pkg = examplePackage(NUMERIC_ACCOUNT);
    const world = new LiveWorld();
    const plan = await world.cfct('plan', pkg, '--live');
    expect(plan.stdout).toMatch(/manifest\.yaml:\d+:\d+ warning CFCT-M007/);
    const apply = await world.cfct('apply', pkg, '--live', '--yes', '--poll-seconds', '1');
    expect(apply.stderr).toContain('policies: 9 step(s) applied');
    expect(apply.stdout).toMatch(/manifest\.yaml:\d+:\d+ warning CFCT-M007/);
    // The findings line counts them the same way in both.
    const findingsLine = (text: string) => text.split('\n').find((l) => l.startsWith('Findings: '));
    expect(findingsLine(apply.stdout)).toBe(findingsLine(plan.stdout));
  });

  test('the confirmation prompt says the plan has warnings', async () => {
    const pkg = examplePackage(NUMERIC_ACCOUNT);
    const world = new LiveWorld();
    const questions: string[] = [];
    let stdout = '';
    const code = await run(['node', 'cfct', 'apply', pkg, '--live'], {
      stdout: (t) => (stdout += t),
      stderr: () => undefined,
      aws: () => fakeAwsClients(world.fake, world.organizations.managementAccountId, 'us-east-1'),
      clock: world.fake.clock,
      interactive: true,
      confirm: async (question) => {
        questions.push(question);
        return false;
      },
    });
    expect(code).toBe(1);
    expect(stdout).toContain('warning CFCT-M007');
    expect(questions).toHaveLength(1);
    const warnings = /Findings: \d+ errors?, (\d+) warnings?/.exec(stdout)![1];
    expect(Number(warnings)).toBeGreaterThan(0);
    expect(questions[0]).toMatch(
      new RegExp(`^Apply \\d+ steps\\? The plan has ${warnings} warnings \\(listed above\\)\\.$`),
    );
  });
  test("the plan pipeline-build stores for the approver carries the package's warnings", async () => {
    const pkg = examplePackage(NUMERIC_ACCOUNT);
    const world = new LiveWorld();
    const out = join(tempDir(), 'out');
    const result = await world.cfct(
      'pipeline-build',
      pkg,
      '--bucket',
      'artifact-bucket',
      '--execution-id',
      'exec-1',
      '--out',
      out,
    );
    expect(result.code).toBe(0);
    const plan = JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8'));
    expect(plan.findings.map((f: { ruleId: string }) => f.ruleId)).toContain('CFCT-M007');
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('CFCT-M007');
  });
});

describe('remote policy files', () => {
  test('offline, a policy file on S3 is reported as not read offline, with --live as the way to read it', async () => {
    const pkg = examplePackage(REMOTE_POLICY);
    const result = await cfct('plan', pkg, '--organization', EXAMPLE_ORGANIZATION, '--format', 'json');
    expect(result.code).toBe(1);
    const finding = JSON.parse(result.stdout).findings.find((f: { ruleId: string }) => f.ruleId === 'CFCT-C004');
    expect(finding.message).toBe(
      'policy file s3://org-policies/deny-root-user.json cannot be read: not read offline; the policy is left as it is',
    );
    expect(finding.hint).toBe('plan with --live to read remote policy files from S3');
    expect(finding.message).not.toContain('does not exist');
    expect(finding.resource).toBe('deny-root-user');
  });

  test('fails when, live, the policy file is not in its bucket: says it does not exist and names the permission', async () => {
    const pkg = examplePackage(REMOTE_POLICY);
    const world = new LiveWorld();
    const result = await world.cfct('plan', pkg, '--live', '--format', 'json');
    expect(result.code).toBe(1);
    const finding = JSON.parse(result.stdout).findings.find((f: { ruleId: string }) => f.ruleId === 'CFCT-C004');
    expect(finding.message).toMatch(
      /^policy file s3:\/\/org-policies\/deny-root-user\.json cannot be read: (it does not exist|NoSuch\w+: .*); the policy is left as it is$/,
    );
    expect(finding.hint).toContain('s3:GetObject');
  });

  test('live, a policy file on S3 is read and planned', async () => {
    const pkg = examplePackage(REMOTE_POLICY);
    const world = new LiveWorld();
    const clients = fakeAwsClients(world.fake, world.organizations.managementAccountId, 'us-east-1');
    const body = readFileSync(join(EXAMPLE, 'policies', 'deny-root-user.json'), 'utf8');
    await clients
      .s3('us-east-1')
      .send(new PutObjectCommand({ Bucket: 'org-policies', Key: 'deny-root-user.json', Body: body }));
    const result = await world.cfct('plan', pkg, '--live', '--format', 'json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).findings.map((f: { ruleId: string }) => f.ruleId)).not.toContain('CFCT-C004');
  });
});

describe('policy counts', () => {
  // In the example, deny-root-user exists untagged with another description: adopted and updated.
  test('an adopted policy that is also updated counts once, as an update noted as adopted, in every format', async () => {
    const text = await cfct('plan', EXAMPLE, '--organization', EXAMPLE_ORGANIZATION);
    expect(text.stdout).toContain('  - update SCP deny-root-user (adopted)\n');
    const headline = text.stdout.split('\nFindings: ')[0];
    expect(headline).toContain('2 policies to create, 1 to update (1 adopted), 3 attachments');
    expect(headline).not.toContain('to adopt');

    const markdown = await cfct('plan', EXAMPLE, '--organization', EXAMPLE_ORGANIZATION, '--format', 'markdown');
    expect(markdown.stdout).toContain(
      '**Plan:** enable RCPs on the root r-ex12; 2 policies to create, 1 to update (1 adopted), 3 attachments',
    );
    expect(markdown.stdout).toContain('| Policies | 2 | 1 (1 adopted) |  | 3 attach, **1 detach** |');

    const html = await cfct('plan', EXAMPLE, '--organization', EXAMPLE_ORGANIZATION, '--format', 'html');
    expect(html.stdout).toContain(
      '<div class="count" data-count="policies-update"><b>1</b>policies to update (1 adopted)</div>',
    );
    expect(html.stdout).toContain('data-count="policies-adopt"><b>0</b>');

    const json = JSON.parse(
      (await cfct('plan', EXAMPLE, '--organization', EXAMPLE_ORGANIZATION, '--format', 'json')).stdout,
    );
    expect(json.summary.policies).toEqual({
      create: 2,
      update: 1,
      adopt: 0,
      adoptedUpdates: 1,
      delete: 0,
      attach: 3,
      detach: 1,
    });
  });

  test('a policy that is only adopted (same content and description) counts as an adoption', async () => {
    const organization = JSON.parse(readFileSync(EXAMPLE_ORGANIZATION, 'utf8'));
    const pkg = examplePackage(undefined, false);
    const denyRoot = organization.policies.find((p: { name: string }) => p.name === 'deny-root-user');
    const manifest = readFileSync(join(pkg, 'manifest.yaml'), 'utf8');
    const description = /- name: deny-root-user\n\s+description: (.*)\n/.exec(manifest)![1];
    denyRoot.description = description.replace(/^"|"$/g, '');
    denyRoot.content = JSON.stringify(JSON.parse(readFileSync(join(pkg, 'policies', 'deny-root-user.json'), 'utf8')));
    const orgFile = join(pkg, 'org-adopt.json');
    writeFileSync(orgFile, JSON.stringify(organization));
    const text = await cfct('plan', pkg, '--organization', orgFile);
    expect(text.stdout).toMatch(/\n {2}[-=] adopt SCP deny-root-user\n/);
    expect(text.stdout.split('\nFindings: ')[0]).toContain('2 policies to create, 1 to adopt, 3 attachments');
    const json = JSON.parse((await cfct('plan', pkg, '--organization', orgFile, '--format', 'json')).stdout);
    expect(json.summary.policies).toMatchObject({ update: 0, adopt: 1, adoptedUpdates: 0 });
  });
});
