/**
 * The live commands (`plan --live`, `apply`, `org export`) in-process, against the stateful fake
 * holding the bundled example's organization.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateStackSetCommand, LimitExceededException } from '@aws-sdk/client-cloudformation';
import { AccessDeniedException } from '@aws-sdk/client-organizations';
import { PutObjectCommand, type PutObjectCommandInput, S3ServiceException } from '@aws-sdk/client-s3';
import { EXAMPLE, LiveWorld, LOCK_BUCKET } from './live-world';
import { tempDir } from './support';

const READ_ONLY = /^(Describe|List|Get)/;
const NEW_ACCOUNT = '123412341234';

/** The installation lock's S3 calls. */
function isLockCall(call: { service: string; input: unknown }): boolean {
  return call.service === 's3' && String((call.input as { Key?: string }).Key).startsWith('cfct/locks/');
}

/** Write calls to AWS, the lock's aside. */
function writes(world: LiveWorld): string[] {
  return world.fake.calls
    .filter((c) => !READ_ONLY.test(c.operation) && !isLockCall(c))
    .map((c) => `${c.service}:${c.operation}`);
}

async function applied(world: LiveWorld): Promise<void> {
  const result = await world.cfct('apply', EXAMPLE, '--live', '--yes', '--poll-seconds', '1');
  expect(result.stderr).toContain('Apply complete.');
  expect(result.code).toBe(0);
}

describe('cfct plan --live and cfct org export', () => {
  test('read-only: they make no write call', async () => {
    const world = new LiveWorld();
    const out = join(tempDir(), 'org.json');
    expect((await world.cfct('org', 'export', '--package', EXAMPLE, '--out', out)).code).toBe(0);
    expect((await world.cfct('plan', EXAMPLE, '--live')).code).toBe(0);
    expect(world.fake.calls.length).toBeGreaterThan(10);
    expect(writes(world)).toEqual([]);
  });

  test('a plan from an exported snapshot equals the live plan', async () => {
    const world = new LiveWorld();
    await applied(world);
    // Something to plan: a new account in Workloads and a stricter description.
    world.organizations.addAccount({ id: NEW_ACCOUNT, name: 'New Workload', parentId: world.ouIds.get('Workloads') });
    const dir = tempDir();
    const org = join(dir, 'org.json');
    expect((await world.cfct('org', 'export', '--package', EXAMPLE, '--out', org)).code).toBe(0);
    const offline = await world.cfct('plan', EXAMPLE, '--organization', org, '--format', 'json');
    const live = await world.cfct('plan', EXAMPLE, '--live', '--format', 'json');
    expect(offline.code).toBe(0);
    expect(live.stdout).toBe(offline.stdout);
    const plan = JSON.parse(live.stdout);
    expect(plan.steps.map((s: { summary: string }) => s.summary)).toEqual([
      expect.stringMatching(/^create 2 instances? .*of CustomControlTower-security-audit-role$/),
    ]);
  });

  test('plan --live for another installation or prefix reads for it: no CFCT-O010', async () => {
    const world = new LiveWorld();
    const result = await world.cfct(
      'plan',
      EXAMPLE,
      '--live',
      '--installation-id',
      'second',
      '--stack-set-prefix',
      'Second-',
      '--format',
      'json',
    );
    const plan = JSON.parse(result.stdout);
    expect(plan.findings.map((f: { ruleId: string }) => f.ruleId)).not.toContain('CFCT-O010');
    expect(plan.steps.length).toBeGreaterThan(0);
  });

  test('--detailed-exitcode: 2 while changes are pending, 0 once applied', async () => {
    const world = new LiveWorld();
    expect((await world.cfct('plan', EXAMPLE, '--live', '--detailed-exitcode')).code).toBe(2);
    await applied(world);
    const after = await world.cfct('plan', EXAMPLE, '--live', '--detailed-exitcode');
    expect(after.code).toBe(0);
    expect(after.stdout).toContain('No changes.');
  });

  test('fails with exit code 1 and the AWS error, not a stack trace, when AWS refuses', async () => {
    const world = new LiveWorld();
    world.fake.injectFault({
      service: 'organizations',
      operation: 'DescribeOrganization',
      rate: 1,
      error: () =>
        new AccessDeniedException({ message: "You don't have permissions to access this resource.", $metadata: {} }),
    });
    const result = await world.cfct('plan', EXAMPLE, '--live', '--detailed-exitcode');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("cfct: AccessDeniedException: You don't have permissions to access this resource.\n");
  });

  test('org export without a package reads the organization, every policy type and every prefixed stack set', async () => {
    const world = new LiveWorld();
    await applied(world);
    world.fake.calls.length = 0;
    const result = await world.cfct('org', 'export', '--region', 'us-east-1');
    expect(result.code).toBe(0);
    expect(writes(world)).toEqual([]);
    const snapshot = JSON.parse(result.stdout);
    expect(snapshot.accounts.map((a: { id: string }) => a.id)).toContain('888888888888');
    expect(Object.keys(snapshot.stackSets.stackSets).sort()).toEqual([
      'CustomControlTower-audit-log-bucket',
      'CustomControlTower-security-audit-role',
    ]);
    expect(snapshot.stackSets.ssm).toEqual({});
    expect(snapshot.coverage).toEqual({
      policyTypes: ['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY'],
      stackSets: { homeRegion: 'us-east-1', prefix: 'CustomControlTower-', names: [], ssmNames: [] },
    });
  });

  test('fails when a snapshot exported without --package lacks what the plan reads: refused with CFCT-O010, no stack set planned as a create', async () => {
    const world = new LiveWorld();
    await applied(world);
    const org = join(tempDir(), 'org.json');
    expect((await world.cfct('org', 'export', '--region', 'us-east-1', '--out', org)).code).toBe(0);
    const text = await world.cfct('plan', EXAMPLE, '--organization', org);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('Plan INCOMPLETE');
    expect(text.stdout).not.toContain('The organization matches');
    const result = await world.cfct('plan', EXAMPLE, '--organization', org, '--format', 'json');
    expect(result.code).toBe(1);
    const plan = JSON.parse(result.stdout);
    expect(plan.steps).toEqual([]);
    expect(plan.findings).toEqual([
      expect.objectContaining({
        ruleId: 'CFCT-O010',
        severity: 'error',
        message: 'the snapshot does not hold the SSM parameter(s) /org/audit/log-bucket-name, which this plan reads',
        location: { file: org, path: 'coverage.stackSets.ssmNames' },
        hint: expect.stringContaining('cfct org export --package <this package>'),
      }),
    ]);
  });

  test('survives a snapshot exported without --package when the manifest reads nothing else: same plan and hash as live, the saved plan applies', async () => {
    const world = new LiveWorld();
    const pkg = join(tempDir(), 'pkg');
    cpSync(EXAMPLE, pkg, { recursive: true });
    const manifest = join(pkg, 'manifest.yaml');
    writeFileSync(
      manifest,
      readFileSync(manifest, 'utf8').replace('$[alfred_ssm_/org/audit/log-bucket-name]', 'org-audit-logs-bucket'),
    );
    expect((await world.cfct('apply', pkg, '--live', '--yes', '--poll-seconds', '1')).code).toBe(0);
    world.organizations.addAccount({ id: NEW_ACCOUNT, name: 'New Workload', parentId: world.ouIds.get('Workloads') });
    const dir = tempDir();
    const org = join(dir, 'org.json');
    expect((await world.cfct('org', 'export', '--region', 'us-east-1', '--out', org)).code).toBe(0);
    const saved = join(dir, 'plan.json');
    expect((await world.cfct('plan', pkg, '--organization', org, '--format', 'json', '--out', saved)).code).toBe(0);
    const live = await world.cfct('plan', pkg, '--live', '--format', 'json');
    expect(readFileSync(saved, 'utf8')).toBe(live.stdout);
    const plan = JSON.parse(live.stdout);
    // the existing stack sets are updated where needed, never created again
    expect(plan.steps.map((s: { kind: string }) => s.kind)).toEqual(['stackset.create-instances']);
    const apply = await world.cfct('apply', pkg, '--live', '--yes', '--plan', saved, '--poll-seconds', '1');
    expect(apply.stderr).not.toContain('CFCT-C010');
    expect(apply.code).toBe(0);
    expect(world.cfn.instancesOf('CustomControlTower-security-audit-role')).toContain(
      `${NEW_ACCOUNT}/us-east-1:CURRENT`,
    );
  });
});

describe('cfct apply', () => {
  test('applies policies and stack sets, exports outputs, and a second plan is empty', async () => {
    const world = new LiveWorld();
    await applied(world);
    expect(world.cfn.instancesOf('CustomControlTower-security-audit-role').sort()).toEqual([
      '444444444444/eu-west-1:CURRENT',
      '444444444444/us-east-1:CURRENT',
      '888888888888/eu-west-1:CURRENT',
      '888888888888/us-east-1:CURRENT',
    ]);
    expect(world.organizations.isTypeEnabled('RESOURCE_CONTROL_POLICY')).toBe(true);
    // The second stack set received the first one's output through SSM.
    expect(world.cfn.parametersOf('CustomControlTower-security-audit-role').LogBucketName).toBeTruthy();
    const again = await world.cfct('apply', EXAMPLE, '--live', '--yes');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('No changes.');
  });

  test('an interrupted apply converges when run again', async () => {
    const world = new LiveWorld();
    world.cfn.failingTargets.add('888888888888');
    const first = await world.cfct('apply', EXAMPLE, '--live', '--yes', '--poll-seconds', '1');
    expect(first.code).toBe(1);
    expect(first.stderr).toContain('FAILED security-audit-role');
    expect(first.stderr).toContain('888888888888');

    world.cfn.failingTargets.clear();
    await applied(world);
    expect((await world.cfct('plan', EXAMPLE, '--live', '--detailed-exitcode')).code).toBe(0);
  });

  test('fails when a stack set step meets an AWS error: the run report lists it with the error name and the skipped stack set, then exit 1', async () => {
    const world = new LiveWorld();
    world.fake.injectFault({
      service: 'cloudformation',
      operation: 'CreateStackInstances',
      rate: 1,
      limit: 1,
      error: () => new LimitExceededException({ message: 'Maximum number of stack instances reached', $metadata: {} }),
    });
    const first = await world.cfct('apply', EXAMPLE, '--live', '--yes', '--poll-seconds', '1');
    expect(first.code).toBe(1);
    expect(first.stderr).toContain('stack sets: 0 succeeded, 1 failed, 1 skipped');
    expect(first.stderr).toMatch(
      /FAILED audit-log-bucket \(LimitExceededException\): create 1 instance .*LimitExceededException: Maximum number of stack instances reached/,
    );
    expect(first.stderr).toContain('SKIPPED security-audit-role: it depends on audit-log-bucket, which failed');
    expect(first.stderr).toContain('Apply failed');
    expect(first.stderr).not.toMatch(/^\s+at /m);
    await applied(world);
  });

  test('fails when a policy step fails: the stack sets are reported as skipped, then exit 1', async () => {
    const world = new LiveWorld();
    world.fake.injectFault({
      service: 'organizations',
      operation: 'CreatePolicy',
      rate: 1,
      error: () =>
        new AccessDeniedException({ message: "You don't have permissions to access this resource.", $metadata: {} }),
    });
    const result = await world.cfct('apply', EXAMPLE, '--live', '--yes', '--poll-seconds', '1');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('policies: FAILED at');
    expect(result.stderr).toContain('stack sets: 0 succeeded, 0 failed, 2 skipped');
    expect(result.stderr).toContain('SKIPPED audit-log-bucket: stack sets run only once every policy step succeeded');
    expect(world.fake.callCount('cloudformation', 'CreateStackSet')).toBe(0);
  });

  test('--staging-bucket: a template over 51,200 bytes is staged in S3 and passed by URL', async () => {
    const world = new LiveWorld();
    const pkg = join(tempDir(), 'pkg');
    cpSync(EXAMPLE, pkg, { recursive: true });
    const template = join(pkg, 'templates', 'audit-log-bucket.yaml');
    const padding = `Metadata:\n  Notes: "${'x'.repeat(60_000)}"\n`;
    writeFileSync(template, `${readFileSync(template, 'utf8')}\n${padding}`);

    const result = await world.cfct(
      'apply',
      pkg,
      '--live',
      '--yes',
      '--staging-bucket',
      'cfct-staging',
      '--poll-seconds',
      '1',
    );
    expect(result.code).toBe(0);
    const creates = world.fake.inputsOf(CreateStackSetCommand);
    const large = creates.find((c) => c.StackSetName === 'CustomControlTower-audit-log-bucket')!;
    expect(large.TemplateBody).toBeUndefined();
    expect(large.TemplateURL).toMatch(/^https:\/\/cfct-staging\.s3\./);
    expect(creates.find((c) => c.StackSetName === 'CustomControlTower-security-audit-role')!.TemplateBody).toContain(
      'OrgSecurityAudit',
    );
    expect(world.fake.calls.filter((c) => c.operation === 'PutObject' && !isLockCall(c))).toHaveLength(1);
  });

  test('fails when not a terminal and --yes is missing, and applies nothing', async () => {
    const world = new LiveWorld();
    const result = await world.cfct('apply', EXAMPLE, '--live');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('pass --yes');
    expect(writes(world)).toEqual([]);
  });

  test('fails with usage when given a snapshot instead of --live', async () => {
    const world = new LiveWorld();
    const result = await world.cfct('apply', EXAMPLE, '--organization', join(EXAMPLE, 'organization.json'));
    expect(result.code).toBe(2);
  });

  test('--plan applies a saved plan while nothing changed, and refuses it once something did', async () => {
    const world = new LiveWorld();
    const dir = tempDir();
    const saved = join(dir, 'plan.json');
    expect((await world.cfct('plan', EXAMPLE, '--live', '--format', 'json', '--out', saved)).code).toBe(0);
    world.organizations.addAccount({ id: NEW_ACCOUNT, name: 'New Workload', parentId: world.ouIds.get('Workloads') });

    const refused = await world.cfct('apply', EXAMPLE, '--live', '--plan', saved);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('changed since');
    expect(refused.stderr).toMatch(/\+ now planned: create .*CustomControlTower-security-audit-role/);
    expect(writes(world)).toEqual([]);

    const fresh = join(dir, 'fresh.json');
    await world.cfct('plan', EXAMPLE, '--live', '--format', 'json', '--out', fresh);
    const ok = await world.cfct('apply', EXAMPLE, '--live', '--plan', fresh, '--poll-seconds', '1');
    expect(ok.code).toBe(0);
    expect(world.cfn.instancesOf('CustomControlTower-security-audit-role')).toContain(
      `${NEW_ACCOUNT}/us-east-1:CURRENT`,
    );
  });

  test('fails while another apply holds the lock (one line naming it and its expiry), and takes over an expired lock', async () => {
    const world = new LiveWorld();
    const key = `${LOCK_BUCKET}/cfct/locks/default.json`;
    const hold = (expires: number) =>
      world.s3.objects.set(key, Buffer.from(JSON.stringify({ owner: 'ci@runner', expires, purpose: 'cfct apply' })));

    const expires = world.fake.clock.now() + 60_000;
    hold(expires);
    const refused = await world.cfct('apply', EXAMPLE, '--live', '--yes');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `cfct apply: the lock s3://${LOCK_BUCKET}/cfct/locks/default.json is held by ci@runner (cfct apply) until ${new Date(expires).toISOString()}; nothing was applied\n`,
    );
    expect(writes(world)).toEqual([]);
    // Taken before planning: not one read of the organization.
    expect(world.fake.callCount('organizations')).toBe(0);

    hold(world.fake.clock.now() - 1);
    await applied(world);
    // Released afterwards.
    expect(world.s3.objects.has(key)).toBe(false);
  });

  test('takes the lock before the first read of the organization, and releases it at the end', async () => {
    const world = new LiveWorld();
    await applied(world);
    const first = world.fake.calls.findIndex((c) => c.service === 'organizations');
    const lockCalls = world.fake.calls.map((c, i) => ({ c, i })).filter(({ c }) => isLockCall(c));
    const create = lockCalls.find(
      ({ c }) => c.operation === 'PutObject' && (c.input as PutObjectCommandInput).IfNoneMatch === '*',
    );
    expect(create).toBeDefined();
    expect(create!.i).toBeLessThan(first);
    expect((create!.c.input as PutObjectCommandInput).Bucket).toBe(LOCK_BUCKET);
    expect(lockCalls[lockCalls.length - 1].c.operation).toBe('DeleteObject');
    expect(world.s3.objects.has(`${LOCK_BUCKET}/cfct/locks/default.json`)).toBe(false);
  });

  test('renews the lock while the apply runs, past its time to live', async () => {
    const world = new LiveWorld();
    const started = world.fake.clock.now();
    // A 3-second lock, renewed every second of the fake clock (each poll waits a second).
    const result = await world.cfct(
      'apply',
      EXAMPLE,
      '--live',
      '--yes',
      '--poll-seconds',
      '1',
      '--lock-ttl-minutes',
      '0.05',
    );
    expect(result.stderr).toContain('Apply complete.');
    expect(result.code).toBe(0);
    expect(world.fake.clock.now() - started).toBeGreaterThan(3_000);
    const renewals = world.fake.callsOf(PutObjectCommand).filter((c) => isLockCall(c) && c.input.IfMatch);
    expect(renewals.length).toBeGreaterThanOrEqual(Math.floor((world.fake.clock.now() - started) / 1_000) - 1);
    expect(renewals.every((c) => !c.error)).toBe(true);
    expect(world.s3.objects.has(`${LOCK_BUCKET}/cfct/locks/default.json`)).toBe(false);
  });

  test('fails when the lock is lost while applying: no further step is started and the new holder keeps it', async () => {
    const world = new LiveWorld();
    const key = `${LOCK_BUCKET}/cfct/locks/default.json`;
    let lockWrites = 0;
    let lostAt = -1;
    world.s3.pause = async (e) => {
      if (e.operation !== 'PutObject' || e.phase !== 'request' || `${e.bucket}/${e.key}` !== key) return;
      // The first renewal finds the lock taken over (as if this apply had stalled past its expiry).
      if (++lockWrites === 2) {
        world.s3.objects.set(
          key,
          Buffer.from(
            JSON.stringify({ owner: 'pipeline-run-7', expires: world.fake.clock.now() + 600_000, purpose: 'pipeline' }),
          ),
        );
        lostAt = world.fake.calls.length;
      }
    };
    const result = await world.cfct(
      'apply',
      EXAMPLE,
      '--live',
      '--yes',
      '--poll-seconds',
      '1',
      '--lock-ttl-minutes',
      '0.05',
    );
    expect(lostAt).toBeGreaterThan(0);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `cfct apply: the lock s3://${key} was taken over by pipeline-run-7 (pipeline) until `,
    );
    expect(result.stderr).toContain('; no further step is started\n');
    expect(result.stderr).toContain('Apply stopped: the lock');
    expect(result.stderr).not.toContain('Apply complete.');
    // Not one AWS call after the loss but the failed renewal's read of the lock.
    expect(world.fake.calls.slice(lostAt).filter((c) => !isLockCall(c))).toEqual([]);
    // The stack set that depends on the first one's outputs was never created.
    expect(world.fake.inputsOf(CreateStackSetCommand).map((input) => input.StackSetName)).not.toContain(
      'CustomControlTower-security-audit-role',
    );
    expect(JSON.parse(world.s3.objects.get(key)!.toString()).owner).toBe('pipeline-run-7');
  });

  test('fails with usage and a hint when no lock bucket is known, before reading the organization', async () => {
    const world = new LiveWorld();
    world.ssm.parameters.clear();
    const result = await world.cfct('apply', EXAMPLE, '--live', '--yes');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'cfct apply: no lock bucket: pass --lock-bucket <bucket>, or create the SSM parameter /cfct/default/lock-bucket in us-east-1 naming one ' +
        '(the pipeline construct creates it)\n',
    );
    expect(world.fake.callCount('organizations')).toBe(0);
  });

  test('--lock-bucket names the lock bucket', async () => {
    const world = new LiveWorld();
    let seen = '';
    world.s3.pause = async (e) => {
      if (e.operation === 'PutObject' && e.key.startsWith('cfct/locks/') && !seen) seen = `${e.bucket}/${e.key}`;
    };
    const result = await world.cfct(
      'apply',
      EXAMPLE,
      '--live',
      '--yes',
      '--poll-seconds',
      '1',
      '--lock-bucket',
      'my-locks',
    );
    expect(result.code).toBe(0);
    expect(seen).toBe('my-locks/cfct/locks/default.json');
    expect(world.s3.objects.has('my-locks/cfct/locks/default.json')).toBe(false);
  });

  test('fails with exit code 1 and one line naming the lock object when S3 refuses it', async () => {
    const world = new LiveWorld();
    world.fake.injectFault({
      service: 's3',
      operation: 'GetObject',
      rate: 1,
      error: () =>
        new S3ServiceException({
          name: 'AccessDenied',
          $fault: 'client',
          message: 'Access Denied',
          $metadata: { httpStatusCode: 403 },
        }),
    });
    const result = await world.cfct('apply', EXAMPLE, '--live', '--yes');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `cfct apply: cannot take the lock s3://${LOCK_BUCKET}/cfct/locks/default.json: AccessDenied: Access Denied; nothing was applied\n`,
    );
    expect(world.fake.callCount('organizations')).toBe(0);
  });

  test('releases the lock when reading the organization fails', async () => {
    const world = new LiveWorld();
    world.fake.injectFault({
      service: 'organizations',
      operation: 'DescribeOrganization',
      rate: 1,
      error: () =>
        new AccessDeniedException({ message: "You don't have permissions to access this resource.", $metadata: {} }),
    });
    const result = await world.cfct('apply', EXAMPLE, '--live', '--yes');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("cfct: AccessDeniedException: You don't have permissions to access this resource.\n");
    expect(world.fake.calls.filter(isLockCall).map((c) => c.operation)).toEqual([
      'GetObject',
      'PutObject',
      'DeleteObject',
    ]);
    expect(world.s3.objects.has(`${LOCK_BUCKET}/cfct/locks/default.json`)).toBe(false);
  });

  test("--accounts limits the work to those accounts' instances, and shows progress", async () => {
    const world = new LiveWorld();
    await applied(world);
    // A new account, and a template change that would update every instance of the stack set.
    world.organizations.addAccount({ id: NEW_ACCOUNT, name: 'New Workload', parentId: world.ouIds.get('Workloads') });
    const pkg = join(tempDir(), 'pkg');
    cpSync(EXAMPLE, pkg, { recursive: true });
    const template = join(pkg, 'templates', 'security-audit-role.yaml');
    writeFileSync(
      template,
      readFileSync(template, 'utf8').replace('RoleName: OrgSecurityAudit', 'RoleName: OrgSecurityAuditV2'),
    );

    const full = JSON.parse((await world.cfct('plan', pkg, '--live', '--format', 'json')).stdout);
    expect(full.steps.map((s: { kind: string }) => s.kind)).toEqual(['stackset.update', 'stackset.create-instances']);
    // The report shows the template change itself, laid out canonically.
    const text = (await world.cfct('plan', pkg, '--live')).stdout;
    expect(text).toContain('    --- CustomControlTower-security-audit-role (current)');
    expect(text).toMatch(/^ {4}-\s+"RoleName": "OrgSecurityAudit",$/m);
    expect(text).toMatch(/^ {4}\+\s+"RoleName": "OrgSecurityAuditV2",$/m);

    const limited = await world.cfct('plan', pkg, '--live', '--accounts', NEW_ACCOUNT, '--format', 'json');
    const steps = JSON.parse(limited.stdout).steps;
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({ kind: 'stackset.create-instances', targets: { accounts: [NEW_ACCOUNT] } });

    const before = world.cfn.operations().length;
    const result = await world.cfct('apply', pkg, '--live', '--yes', '--accounts', NEW_ACCOUNT, '--poll-seconds', '1');
    expect(result.code).toBe(0);
    expect(world.cfn.operations().slice(before)).toEqual([
      { stackSet: 'CustomControlTower-security-audit-role', action: 'CREATE', status: 'SUCCEEDED', pairs: 2 },
    ]);
    expect(world.fake.callCount('cloudformation', 'UpdateStackSet')).toBe(0);
    expect(result.stderr).toMatch(
      /CustomControlTower-security-audit-role: create 2 instances.*: started \[0\/2 instances\]/,
    );
    expect(result.stderr).toMatch(
      /CustomControlTower-security-audit-role: create 2 instances.*: succeeded \[2\/2 instances\]/,
    );
    // The template change is still pending for a run over the whole organization.
    const after = JSON.parse((await world.cfct('plan', pkg, '--live', '--format', 'json')).stdout);
    expect(after.steps.map((s: { kind: string }) => s.kind)).toEqual(['stackset.update']);
  });

  test('fails with usage on malformed --accounts', async () => {
    const world = new LiveWorld();
    const result = await world.cfct('plan', EXAMPLE, '--live', '--accounts', '12345,abc');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--accounts takes 12-digit account ids');
  });
});

describe('cfct plan --live --state-cache and cfct apply --live --state-cache', () => {
  const CACHE = 's3://cfct-artifacts/cfct/runs/stack-set-states.json';

  test('--state-cache: apply caches the stack sets it changed; the plans after it are the ones without a cache, confirm every stack set with one call and list no instance', async () => {
    const world = new LiveWorld();
    const applyResult = await world.cfct(
      'apply',
      EXAMPLE,
      '--live',
      '--yes',
      '--poll-seconds',
      '1',
      '--state-cache',
      CACHE,
    );
    expect(applyResult.code).toBe(0);
    // The apply read the stack sets it created once at its end and cached them.
    expect(applyResult.stderr).toMatch(
      /stack set state cache s3:\/\/cfct-artifacts\/cfct\/runs\/stack-set-states\.json: 0 confirmed, 2 read in full, saved/,
    );
    const without = await world.cfct('plan', EXAMPLE, '--live', '--format', 'json');
    const before = world.fake.calls.length;
    const first = await world.cfct('plan', EXAMPLE, '--live', '--format', 'json', '--state-cache', CACHE);
    expect(first.stdout).toBe(without.stdout);
    expect(world.fake.calls.slice(before).filter((c) => c.operation === 'ListStackInstances')).toEqual([]);
    const second = await world.cfct('plan', EXAMPLE, '--live', '--format', 'json', '--state-cache', CACHE);
    expect(second.stdout).toBe(without.stdout);
    expect(second.stderr).toMatch(/: 2 confirmed, 1 read in full, not written/); // the third: the baseline stack set, which does not exist
    expect(world.fake.calls.slice(before).filter((c) => c.operation === 'ListStackInstances')).toEqual([]);
    expect(
      world.fake.calls.slice(before).filter((c) => c.operation === 'ListStackSetOperations').length,
    ).toBeGreaterThan(0);
  });

  test('fails with usage (CFCT-U003) when --state-cache is not an s3://bucket/key URL, or is given with --organization', async () => {
    const world = new LiveWorld();
    for (const bad of [
      'cfct-artifacts/key',
      's3://cfct-artifacts',
      's3://cfct-artifacts/dir/',
      's3://Bad_Bucket/key',
      's3://b/key',
    ]) {
      const result = await world.cfct('plan', EXAMPLE, '--live', '--state-cache', bad, '--format', 'json');
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`--state-cache takes an S3 object URL, s3://bucket/key, got '${bad}'`);
      expect(JSON.parse(result.stdout).findings[0]).toMatchObject({ ruleId: 'CFCT-U003' });
    }
    const applyBad = await world.cfct('apply', EXAMPLE, '--live', '--yes', '--state-cache', 'nope');
    expect(applyBad.code).toBe(2);
    expect(applyBad.stderr).toContain("--state-cache takes an S3 object URL, s3://bucket/key, got 'nope'");
    const org = join(tempDir(), 'org.json');
    expect((await world.cfct('org', 'export', '--package', EXAMPLE, '--out', org)).code).toBe(0);
    const offline = await world.cfct('plan', EXAMPLE, '--organization', org, '--state-cache', 's3://cache-bucket/k');
    expect(offline.code).toBe(2);
    expect(offline.stderr).toContain('--state-cache is for plans against the live organization');
    expect(world.fake.callsOf(PutObjectCommand).filter((c) => c.input.Key === 'k')).toEqual([]);
  });
});
