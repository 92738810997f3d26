import {
  CreateStackInstancesCommand,
  CreateStackSetCommand,
  DeleteStackInstancesCommand,
  DeleteStackSetCommand,
  ListStackInstancesCommand,
  StopStackSetOperationCommand,
} from '@aws-sdk/client-cloudformation';
import { accountIds, desired, HOME, manifest, MANAGEMENT, resource, StackSetWorld, template } from './env';
import { createStackSetExecutor } from '../../../src/engine/stacksets';
import { INSTALLATION_TAG_KEY, UPSTREAM_TAG_KEY, UPSTREAM_TAG_VALUE } from '../../../src/engine/stacksets/settings';

const ACCOUNTS = accountIds(3);
const REGIONS = [HOME, 'eu-west-1'];

function world(): StackSetWorld {
  const w = new StackSetWorld();
  w.setAccounts(accountIds(10));
  return w;
}

describe('stack set scenarios', () => {
  test('create: one CreateStackSet and one CreateStackInstances for every account x region', async () => {
    const w = world();
    const r = resource('baseline', {
      regions: REGIONS,
      parameters: [{ key: 'Env', value: 'prod' }],
      tags: { team: 'platform' },
    });
    const { plan, report } = await w.apply(manifest([r]), [
      desired(r, template('a', { parameters: ['Env'] }), ACCOUNTS),
    ]);
    expect(plan.resources[0].summary).toMatchObject({ action: 'create', instancesToCreate: 6 });
    expect(plan.resources[0].steps.map((s) => s.kind)).toEqual(['stackset.create', 'stackset.create-instances']);
    expect(report.failed).toEqual([]);
    expect(w.cfn.operations()).toEqual([
      { stackSet: 'CustomControlTower-baseline', action: 'CREATE', status: 'SUCCEEDED', pairs: 6 },
    ]);
    expect(w.cfn.instancesOf('CustomControlTower-baseline')).toHaveLength(6);
    expect(w.cfn.instancesOf('CustomControlTower-baseline').every((i) => i.endsWith(':CURRENT'))).toBe(true);
    const set = w.cfn.stackSets.get('CustomControlTower-baseline')!;
    expect(set.administrationRoleArn).toBe(`arn:aws:iam::${MANAGEMENT}:role/service-role/AWSControlTowerStackSetRole`);
    expect(set.executionRoleName).toBe('AWSControlTowerExecution');
    expect(set.capabilities).toEqual(['CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND']);
    expect(Object.fromEntries(set.tags.map((t) => [t.Key, t.Value]))).toMatchObject({
      [UPSTREAM_TAG_KEY]: UPSTREAM_TAG_VALUE,
      [INSTALLATION_TAG_KEY]: 'default',
      team: 'platform',
    });
    const started = w.fake.inputsOf(CreateStackInstancesCommand)[0];
    expect(started.OperationPreferences).toEqual({
      MaxConcurrentPercentage: 100,
      FailureTolerancePercentage: 10,
      RegionConcurrencyType: 'PARALLEL',
      ConcurrencyMode: 'SOFT_FAILURE_TOLERANCE',
    });
    expect(started.OperationId).toMatch(/^cfct-[0-9a-f]{40}$/);
  });

  test('no change: no step, no operation, and only DescribeStackSet + one ListStackInstances page per stack set', async () => {
    const w = world();
    const r = resource('baseline', { regions: REGIONS });
    const wanted = [desired(r, template('a'), ACCOUNTS)];
    await w.apply(manifest([r]), wanted);
    const before = w.cfn.operations().length;
    const callsBefore = w.fake.calls.length;
    const { plan, report } = await w.apply(manifest([r]), [
      desired(r, JSON.stringify(JSON.parse(template('a'))), ACCOUNTS),
    ]);
    expect(plan.resources[0].steps).toEqual([]);
    expect(plan.resources[0].summary.action).toBe('none');
    expect(report.succeeded).toEqual(['baseline']);
    expect(w.cfn.operations().length).toBe(before);
    const writes = w.fake.calls.slice(callsBefore).filter((c) => !/^(Describe|List|Get)/.test(c.operation));
    expect(writes).toEqual([]);
  });

  test('one account added: one operation, only that account', async () => {
    const w = world();
    const r = resource('baseline', { regions: REGIONS });
    await w.apply(manifest([r]), [desired(r, template('a'), ACCOUNTS)]);
    const before = w.cfn.operations().length;
    const { plan } = await w.apply(manifest([r]), [desired(r, template('a'), [...ACCOUNTS, accountIds(1, 5)[0]])]);
    expect(plan.resources[0].steps).toMatchObject([
      { kind: 'stackset.create-instances', targets: { accounts: [accountIds(1, 5)[0]], regions: ['eu-west-1', HOME] } },
    ]);
    expect(w.operationsSince(before)).toEqual([
      { stackSet: 'CustomControlTower-baseline', action: 'CREATE', status: 'SUCCEEDED', pairs: 2 },
    ]);
  });

  test('one region added: one operation covering every account in that region', async () => {
    const w = world();
    const r = resource('baseline', { regions: [HOME] });
    await w.apply(manifest([r]), [desired(r, template('a'), ACCOUNTS)]);
    const before = w.cfn.operations().length;
    const r2 = resource('baseline', { regions: [HOME, 'ap-southeast-2'] });
    const { plan } = await w.apply(manifest([r2]), [desired(r2, template('a'), ACCOUNTS)]);
    expect(plan.resources[0].steps).toMatchObject([
      { kind: 'stackset.create-instances', targets: { accounts: ACCOUNTS, regions: ['ap-southeast-2'] } },
    ]);
    expect(w.operationsSince(before)).toEqual([
      { stackSet: 'CustomControlTower-baseline', action: 'CREATE', status: 'SUCCEEDED', pairs: 3 },
    ]);
  });

  test('template change: one UpdateStackSet over the existing instances, all CURRENT afterwards', async () => {
    const w = world();
    const r = resource('baseline', { regions: REGIONS });
    await w.apply(manifest([r]), [desired(r, template('a'), ACCOUNTS)]);
    const before = w.cfn.operations().length;
    const { plan } = await w.apply(manifest([r]), [desired(r, template('b'), ACCOUNTS)]);
    expect(plan.resources[0].summary).toMatchObject({ action: 'update', templateChanged: true, instancesToUpdate: 6 });
    expect(plan.resources[0].steps).toMatchObject([
      { kind: 'stackset.update', reasons: ['template'], targets: { accounts: ACCOUNTS, regions: ['eu-west-1', HOME] } },
    ]);
    expect(w.operationsSince(before)).toEqual([
      { stackSet: 'CustomControlTower-baseline', action: 'UPDATE', status: 'SUCCEEDED', pairs: 6 },
    ]);
    expect(w.cfn.instancesOf('CustomControlTower-baseline').every((i) => i.endsWith(':CURRENT'))).toBe(true);
  });

  test('parameter removed: the stack set is updated without it', async () => {
    const w = world();
    const t = template('a', { parameters: ['A', 'B'] });
    const r = resource('baseline', {
      parameters: [
        { key: 'A', value: '1' },
        { key: 'B', value: '2' },
      ],
    });
    await w.apply(manifest([r]), [desired(r, t, ACCOUNTS)]);
    const r2 = resource('baseline', { parameters: [{ key: 'A', value: '1' }] });
    const { plan } = await w.apply(manifest([r2]), [desired(r2, t, ACCOUNTS)]);
    expect(plan.resources[0].summary.parameterChanges).toEqual([{ key: 'B', change: 'removed', from: '2' }]);
    expect(w.cfn.parametersOf('CustomControlTower-baseline')).toEqual({ A: '1' });
    const again = await w.plan(manifest([r2]), [desired(r2, t, ACCOUNTS)]);
    expect(again.resources[0].steps).toEqual([]);
  });

  test('account suspended: its instances are left out of every operation, closed accounts are removed with RetainStacks', async () => {
    const w = world();
    const r = resource('baseline');
    await w.apply(manifest([r]), [desired(r, template('a'), ACCOUNTS)]);
    w.setAccounts([ACCOUNTS[0]], 'SUSPENDED');
    w.setAccounts([ACCOUNTS[1]], 'CLOSED');
    const before = w.cfn.operations().length;
    // Organization target resolution drops non-ACTIVE accounts from the targets.
    const { plan, report } = await w.apply(manifest([r]), [desired(r, template('b'), [ACCOUNTS[2]])]);
    expect(report.failed).toEqual([]);
    // Deletions come last, so a failed deletion never holds back the update.
    expect(plan.resources[0].steps).toMatchObject([
      { kind: 'stackset.update', targets: { accounts: [ACCOUNTS[2]] } },
      { kind: 'stackset.delete-instances', retainStacks: true, targets: { accounts: [ACCOUNTS[1]] } },
    ]);
    expect(plan.resources[0].findings.map((f) => f.ruleId)).toContain('CFCT-K033');
    expect(w.operationsSince(before).map((o) => `${o.action}:${o.pairs}`)).toEqual(['UPDATE:1', 'DELETE:1']);
    expect(w.fake.inputsOf(DeleteStackInstancesCommand)[0]).toMatchObject({ RetainStacks: true });
    expect(w.cfn.instancesOf('CustomControlTower-baseline')).toEqual([
      `${ACCOUNTS[0]}/${HOME}:OUTDATED`,
      `${ACCOUNTS[2]}/${HOME}:CURRENT`,
    ]);
  });

  test('a change when the only instances are in a suspended account: new instances are created first, then updated; none touches the suspended one', async () => {
    const w = world();
    const r = resource('baseline');
    await w.apply(manifest([r]), [desired(r, template('a'), [ACCOUNTS[0]])]);
    w.setAccounts([ACCOUNTS[0]], 'SUSPENDED');
    const before = w.cfn.operations().length;
    const { plan, report } = await w.apply(manifest([r]), [desired(r, template('b'), [ACCOUNTS[1]])]);
    expect(report.failed).toEqual([]);
    expect(plan.resources[0].steps).toMatchObject([
      { kind: 'stackset.create-instances', targets: { accounts: [ACCOUNTS[1]] } },
      { kind: 'stackset.update', targets: { accounts: [ACCOUNTS[1]] } },
    ]);
    expect(w.operationsSince(before).map((o) => `${o.action}:${o.pairs}`)).toEqual(['CREATE:1', 'UPDATE:1']);
    expect(w.cfn.instancesOf('CustomControlTower-baseline')).toEqual([
      `${ACCOUNTS[0]}/${HOME}:OUTDATED`,
      `${ACCOUNTS[1]}/${HOME}:CURRENT`,
    ]);
  });

  test('a change when the only instances are in a suspended account and nothing else is targeted: it waits, with a finding', async () => {
    const w = world();
    const r = resource('baseline');
    await w.apply(manifest([r]), [desired(r, template('a'), [ACCOUNTS[0]])]);
    w.setAccounts([ACCOUNTS[0]], 'SUSPENDED');
    const before = w.cfn.operations().length;
    const { plan, report } = await w.apply(manifest([r]), [desired(r, template('b'), [])]);
    expect(report.failed).toEqual([]);
    expect(plan.resources[0].steps).toEqual([]);
    expect(plan.resources[0].findings).toEqual(
      expect.arrayContaining([expect.objectContaining({ ruleId: 'CFCT-K035', severity: 'warning' })]),
    );
    expect(w.operationsSince(before)).toEqual([]);
  });

  test('resource removed without deletion enabled: kept, with a finding', async () => {
    const w = world();
    const [a, b] = [resource('a'), resource('b')];
    await w.apply(manifest([a, b]), [desired(a, template('a'), ACCOUNTS), desired(b, template('b'), ACCOUNTS)]);
    const before = w.cfn.operations().length;
    const { plan } = await w.apply(manifest([a]), [desired(a, template('a'), ACCOUNTS)]);
    expect(plan.removals.map((p) => p.steps)).toEqual([[]]);
    expect(plan.findings.map((f) => f.ruleId)).toEqual(['CFCT-K041']);
    expect(w.operationsSince(before)).toEqual([]);
    expect(w.cfn.stackSets.get('CustomControlTower-b')!.status).toBe('ACTIVE');
  });

  test('resource removed with deletion enabled: instances then the stack set are deleted first, most recent first; foreign ones are left', async () => {
    const w = world();
    const [a, b, c3] = [resource('a'), resource('b'), resource('c')];
    await w.apply(manifest([a]), [desired(a, template('a'), ACCOUNTS)]);
    w.fake.clock.advance(60_000);
    await w.apply(manifest([a, b]), [desired(a, template('a'), ACCOUNTS), desired(b, template('b'), ACCOUNTS)]);
    w.fake.clock.advance(60_000);
    await w.apply(manifest([a, b, c3]), [
      desired(a, template('a'), ACCOUNTS),
      desired(b, template('b'), ACCOUNTS),
      desired(c3, template('c'), ACCOUNTS),
    ]);
    w.cfn.seedStackSet({
      name: 'CustomControlTower-other',
      templateBody: template('o'),
      tags: { [INSTALLATION_TAG_KEY]: 'second' },
    });
    const d = resource('d');
    const { plan, report } = await w.apply(manifest([d], { enableStackSetDeletion: true }), [
      desired(d, template('d'), ACCOUNTS),
    ]);
    expect(plan.removals.map((p) => [p.summary.resource, p.steps.map((s) => s.kind)])).toEqual([
      ['CustomControlTower-c', ['stackset.delete-instances', 'stackset.delete']],
      ['CustomControlTower-b', ['stackset.delete-instances', 'stackset.delete']],
      ['CustomControlTower-a', ['stackset.delete-instances', 'stackset.delete']],
      ['CustomControlTower-other', []],
    ]);
    expect(plan.findings.find((f) => f.resource === 'CustomControlTower-other')?.ruleId).toBe('CFCT-K040');
    expect(report.failed).toEqual([]);
    expect(['a', 'b', 'c'].map((n) => w.cfn.stackSets.get(`CustomControlTower-${n}`)!.status)).toEqual([
      'DELETED',
      'DELETED',
      'DELETED',
    ]);
    expect(w.cfn.stackSets.get('CustomControlTower-other')!.status).toBe('ACTIVE');
    const deletes = w.fake.inputsOf(DeleteStackSetCommand).map((input) => input.StackSetName);
    expect(deletes).toEqual(['CustomControlTower-c', 'CustomControlTower-b', 'CustomControlTower-a']);
    const firstCreate = w.fake
      .callsOf(CreateStackSetCommand)
      .find((c) => c.input.StackSetName === 'CustomControlTower-d')!;
    const lastDelete = w.fake
      .callsOf(DeleteStackSetCommand)
      .find((c) => c.input.StackSetName === 'CustomControlTower-a')!;
    expect(w.fake.calls.indexOf(firstCreate)).toBeGreaterThan(w.fake.calls.indexOf(lastDelete));
  });

  test('dependency chain with a failure in the middle: only its dependants are blocked, every failure is reported', async () => {
    const w = world();
    const a = resource('a', {
      parameters: [{ key: 'Name', value: 'bucket-a' }],
      exportOutputs: [{ name: '/cfct/a/bucket', value: '$[output_Name]' }],
    });
    const b = resource('b', { parameters: [{ key: 'Upstream', value: '$[alfred_ssm_/cfct/a/bucket]' }] });
    const c = resource('c', { dependsOn: [{ value: 'b' }] });
    const d = resource('d', { dependsOn: [{ value: 'a' }] });
    const e = resource('e');
    w.cfn.failingTargets.add(`CustomControlTower-b:${ACCOUNTS[1]}/${HOME}`);
    const m = manifest([a, b, c, d, e], { stackSetOrder: 'dependencies' });
    const wanted = [
      desired(a, template('a', { parameters: ['Name'], outputs: { Name: 'Name' } }), ACCOUNTS),
      desired(b, template('b', { parameters: ['Upstream'] }), ACCOUNTS),
      desired(c, template('c'), ACCOUNTS),
      desired(d, template('d'), ACCOUNTS),
      desired(e, template('e'), ACCOUNTS),
    ];
    const { plan, report } = await w.apply(m, wanted);
    expect(plan.graph.waves).toEqual([['a', 'e'], ['b', 'd'], ['c']]);
    // Tolerance 10% of 3 instances rounds down to 0: one failed instance fails b's operation.
    expect(report.failed).toEqual([
      {
        resource: 'b',
        message: expect.stringContaining(
          `1 instance(s) failed (${ACCOUNTS[1]}/${HOME} FAILED: Account ${ACCOUNTS[1]} should have 'AWSControlTowerExecution' role`,
        ),
        failures: [
          {
            account: ACCOUNTS[1],
            region: HOME,
            status: 'FAILED',
            reason: expect.stringContaining('AWSControlTowerExecution'),
          },
        ],
      },
    ]);
    expect(report.blocked).toEqual([{ resource: 'c', blockedBy: 'b', reason: 'it depends on b, which failed' }]);
    expect(report.succeeded.sort()).toEqual(['a', 'd', 'e']);
    expect(w.cfn.stackSets.has('CustomControlTower-c')).toBe(false);
  });

  test('outputs feeding a later stack set: known after apply in the plan, the real value at apply', async () => {
    const w = world();
    const net = resource('network', {
      parameters: [{ key: 'VpcName', value: 'core' }],
      exportOutputs: [
        { name: '/cfct/network/vpc', value: '$[output_VpcId]' },
        { name: '/cfct/network/{account_id}/{region}/vpc', value: '$[output_VpcId]' },
      ],
    });
    const app = resource('app', { parameters: [{ key: 'Vpc', value: '$[alfred_ssm_/cfct/network/vpc]' }] });
    const m = manifest([net, app]);
    const wanted = [
      desired(net, template('n', { parameters: ['VpcName'], outputs: { VpcId: 'VpcName' } }), ACCOUNTS),
      desired(app, template('app', { parameters: ['Vpc'] }), ACCOUNTS),
    ];
    const plan = await w.plan(m, wanted);
    expect(plan.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(plan.resources[1].summary.knownAfterApply).toEqual([
      'Vpc: SSM parameter /cfct/network/vpc, exported by network',
    ]);
    expect(plan.resources[1].summary.parameterChanges).toEqual([
      { key: 'Vpc', change: 'added', to: '(known after apply: SSM parameter /cfct/network/vpc, exported by network)' },
    ]);
    const { report } = await w.apply(m, wanted);
    expect(report.failed).toEqual([]);
    expect(w.ssm.get({ accountId: MANAGEMENT, region: HOME }, '/cfct/network/vpc')?.value).toBe('core');
    expect(report.exports.filter((e) => e.name.includes('/cfct/network/2')).map((e) => e.name)).toEqual(
      ACCOUNTS.map((a) => `/cfct/network/${a}/${HOME}/vpc`),
    );
    expect(w.cfn.parametersOf('CustomControlTower-app')).toEqual({ Vpc: 'core' });
    const again = await w.plan(m, wanted);
    expect(again.resources.map((r) => r.steps.length)).toEqual([0, 0]);
  });
});

describe('stack set scenarios: ownership, executor and limits', () => {
  test('adopts an upstream stack set (prefix + AWS_Solutions tag, no installation tag) with an ownership record, no stack set operation, and says so', async () => {
    const w = world();
    const t = template('a');
    w.cfn.seedStackSet({
      name: 'CustomControlTower-baseline',
      templateBody: t,
      tags: { [UPSTREAM_TAG_KEY]: UPSTREAM_TAG_VALUE },
      instances: ACCOUNTS.map((account) => ({ account, region: HOME })),
    });
    w.cfn.stackSets.get('CustomControlTower-baseline')!.administrationRoleArn = w.settings.administrationRoleArn;
    w.cfn.stackSets.get('CustomControlTower-baseline')!.executionRoleName = w.settings.executionRoleName;
    w.cfn.stackSets.get('CustomControlTower-baseline')!.capabilities = [...w.settings.capabilities];
    const r = resource('baseline');
    const { plan } = await w.apply(manifest([r]), [desired(r, t, ACCOUNTS)]);
    expect(plan.resources[0].summary).toMatchObject({
      action: 'none',
      adopt: true,
      templateChanged: false,
      instancesToCreate: 0,
      tagChanges: [],
    });
    expect(plan.resources[0].steps.map((s) => s.kind)).toEqual(['stackset.adopt']);
    expect(w.cfn.operations()).toEqual([]);
    expect(w.fake.callCount('cloudformation', 'UpdateStackSet')).toBe(0);
    expect(
      JSON.parse(
        w.ssm.get({ accountId: MANAGEMENT, region: HOME }, '/cfct/stacksets/CustomControlTower-baseline')!.value,
      ),
    ).toEqual({ owner: 'default' });
    expect(w.cfn.stackSets.get('CustomControlTower-baseline')!.tags).toEqual([
      { Key: UPSTREAM_TAG_KEY, Value: UPSTREAM_TAG_VALUE },
    ]);
    expect((await w.plan(manifest([r]), [desired(r, t, ACCOUNTS)])).resources[0]).toMatchObject({
      steps: [],
      summary: { adopt: false },
    });
  });

  test('fails when a stack set of the same name belongs to another installation', async () => {
    const w = world();
    w.cfn.seedStackSet({
      name: 'CustomControlTower-baseline',
      templateBody: template('a'),
      tags: { [INSTALLATION_TAG_KEY]: 'other' },
    });
    const r = resource('baseline');
    const { plan, report } = await w.apply(manifest([r]), [desired(r, template('a'), ACCOUNTS)]);
    expect(plan.resources[0].steps).toEqual([]);
    expect(plan.findings).toContainEqual(expect.objectContaining({ ruleId: 'CFCT-K021', severity: 'error' }));
    expect(report.failed.map((f) => f.resource)).toEqual(['baseline']);
  });

  test('a retried start resumes the same operation (OperationIdAlreadyExists) instead of starting another', async () => {
    const w = world();
    const r = resource('baseline');
    await w.apply(manifest([r]), [desired(r, template('a'), ACCOUNTS.slice(0, 1))]);
    const plan = await w.plan(manifest([r]), [desired(r, template('a'), ACCOUNTS)]);
    const step = plan.resources[0].steps[0];
    const executor = createStackSetExecutor({
      clients: w.clients,
      settings: w.settings,
      homeRegion: HOME,
      runId: 'run-x',
      clock: w.fake.clock,
    });
    const first = await executor.start(step);
    const again = await executor.start(step);
    expect(first).toMatchObject({ status: 'started' });
    expect(again).toEqual(first);
    expect(w.fake.callsOf(CreateStackInstancesCommand).map((c) => c.error)).toEqual([
      undefined,
      undefined,
      'OperationIdAlreadyExistsException',
    ]);
  });

  test("survives a stack set busy with an earlier run's operation: blocked for up to 60 minutes of polls, then a failure naming the blocking operation", async () => {
    const w = world();
    const r = resource('baseline');
    await w.apply(manifest([r]), [desired(r, template('a'), ACCOUNTS.slice(0, 1))]);
    const plan = await w.plan(manifest([r]), [desired(r, template('a'), ACCOUNTS)]);
    const context = { clients: w.clients, settings: w.settings, homeRegion: HOME, runId: 'run-y', clock: w.fake.clock };
    const executor = createStackSetExecutor(context);
    const blocker = await createStackSetExecutor({ ...context, runId: 'someone-else' }).start(
      plan.resources[0].steps[0],
    );
    expect(blocker.status).toBe('started');
    const blocked = await executor.start(plan.resources[0].steps[0]);
    expect(blocked).toMatchObject({
      status: 'blocked',
      attempt: 1,
      message: expect.stringContaining((blocker as any).operationId),
    });
    // 10-second polls: still waiting after 59 minutes 50 seconds (not failed after 3 minutes)...
    expect(await executor.start(plan.resources[0].steps[0], 19)).toMatchObject({ status: 'blocked', attempt: 19 });
    expect(await executor.start(plan.resources[0].steps[0], 360)).toMatchObject({
      status: 'blocked',
      attempt: 360,
    });
    // ...and failed once the wait reaches 60 minutes.
    const failed = await executor.start(plan.resources[0].steps[0], 361);
    expect(failed).toMatchObject({
      status: 'failed',
      errorName: 'OperationInProgressException',
      message: expect.stringMatching(
        /busy with operation cfct-[0-9a-f]+; gave up after waiting 60 minute\(s\) \(361 attempts\)/,
      ),
    });
    // The limit is configurable (handlers: busyTimeoutSeconds, pollIntervalSeconds).
    const shortWait = createStackSetExecutor({ ...context, pollIntervalMs: 30_000, busyTimeoutMs: 60_000 });
    expect(await shortWait.start(plan.resources[0].steps[0], 3)).toMatchObject({ status: 'failed' });
    expect(await shortWait.start(plan.resources[0].steps[0], 2)).toMatchObject({ status: 'blocked' });
  });

  test('fails when the operation was stopped: STOPPED is a failure, not a success', async () => {
    const w = world();
    const r = resource('baseline');
    await w.apply(manifest([r]), [desired(r, template('a'), ACCOUNTS.slice(0, 1))]);
    const plan = await w.plan(manifest([r]), [desired(r, template('a'), ACCOUNTS)]);
    const step = plan.resources[0].steps[0];
    const executor = createStackSetExecutor({
      clients: w.clients,
      settings: w.settings,
      homeRegion: HOME,
      runId: 'run-stop',
      clock: w.fake.clock,
    });
    const started = await executor.start(step);
    if (started.status !== 'started') throw new Error(`expected a started operation, got ${started.status}`);
    await w.clients.cloudFormation(HOME).send(
      new StopStackSetOperationCommand({
        StackSetName: step.stackSetName,
        OperationId: started.operationId,
      }),
    );
    const checked = await executor.check(step, started.operationId);
    expect(checked).toEqual({
      status: 'FAILED',
      message: expect.stringMatching(/create-instances\) on CustomControlTower-baseline was stopped: 2 cancelled/),
      failures: ACCOUNTS.slice(1).map((account) => ({
        account,
        region: HOME,
        status: 'CANCELLED',
        reason: 'Cancelled since operation was stopped',
      })),
    });
  });

  test('templates over 51,200 bytes are staged in S3 and passed by URL', async () => {
    const w = new StackSetWorld({ settings: { stagingBucket: 'cfct-staging' } });
    w.setAccounts(ACCOUNTS);
    const big = template('big', { padTo: 60_000 });
    expect(Buffer.byteLength(big)).toBeGreaterThan(51_200);
    const r = resource('big');
    const { plan, report } = await w.apply(manifest([r]), [desired(r, big, ACCOUNTS)]);
    expect(report.failed).toEqual([]);
    expect(plan.resources[0].steps[0]).toMatchObject({
      kind: 'stackset.create',
      definition: { template: { bytes: Buffer.byteLength(big) } },
    });
    expect((plan.resources[0].steps[0] as any).definition.template.body).toBeUndefined();
    const create = w.fake.inputsOf(CreateStackSetCommand)[0];
    expect(create.TemplateBody).toBeUndefined();
    expect(create.TemplateURL).toMatch(
      /^https:\/\/cfct-staging\.s3\.us-east-1\.amazonaws\.com\/stacksets\/CustomControlTower-big\/[0-9a-f]{64}\.template$/,
    );
    expect((await w.plan(manifest([r]), [desired(r, big, ACCOUNTS)])).resources[0].steps).toEqual([]);
  });

  test('fails clearly when a large template has no staging bucket', async () => {
    const w = world();
    const r = resource('big');
    const { report } = await w.apply(manifest([r]), [desired(r, template('big', { padTo: 60_000 }), ACCOUNTS)]);
    expect(report.failed[0].message).toMatch(/over the inline limit and was not staged in S3/);
  });

  test('ListStackInstances is read in pages of 100, one listing per stack set', async () => {
    const w = world();
    const many = accountIds(130, 100);
    w.setAccounts(many);
    const r = resource('wide');
    await w.apply(manifest([r]), [desired(r, template('a'), many)]);
    const listingsBefore = w.fake.inputsOf(ListStackInstancesCommand).length;
    await w.plan(manifest([r]), [desired(r, template('a'), many)]);
    const listings = w.fake.inputsOf(ListStackInstancesCommand).slice(listingsBefore);
    expect(listings.map((input) => input.NextToken)).toEqual([undefined, '100']);
  });

  test('instances not wanted any more are deleted; an unknown target entry refuses the deletion', async () => {
    const w = world();
    const r = resource('baseline');
    await w.apply(manifest([r]), [desired(r, template('a'), ACCOUNTS)]);
    const typo = {
      ...desired(r, template('a'), ACCOUNTS.slice(1)),
      targets: { accounts: ACCOUNTS.slice(1), unresolved: [{ value: 'Secuirty' }], findings: [] },
    };
    const refused = await w.plan(manifest([r]), [typo]);
    expect(refused.resources[0].steps).toEqual([]);
    expect(refused.findings).toContainEqual(expect.objectContaining({ ruleId: 'CFCT-K031', severity: 'error' }));
    const { plan } = await w.apply(manifest([r]), [desired(r, template('a'), ACCOUNTS.slice(1))]);
    expect(plan.resources[0].steps).toMatchObject([
      { kind: 'stackset.delete-instances', retainStacks: false, targets: { accounts: [ACCOUNTS[0]] } },
    ]);
    expect(w.cfn.instancesOf('CustomControlTower-baseline')).toHaveLength(2);
  });
});
