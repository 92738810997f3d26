/**
 * A run survives every failure (issue #9, stack set points 1, 2 and 6): scenarios through the
 * real SDK clients against the fake.
 */
import {
  CreateStackInstancesCommand,
  DeleteStackInstancesCommand,
  DeleteStackSetCommand,
  InvalidOperationException,
  LimitExceededException,
  StopStackSetOperationCommand,
} from '@aws-sdk/client-cloudformation';
import { SSMServiceException } from '@aws-sdk/client-ssm';
import { accountIds, desired, HOME, manifest, resource, StackSetWorld, template } from './env';
import {
  applyStackSets,
  createStackSetExecutor,
  operationIdFor,
  type StackSetStep,
} from '../../../src/engine/stacksets';

const ACCOUNTS = accountIds(3);

function world(settings: ConstructorParameters<typeof StackSetWorld>[0] = {}): StackSetWorld {
  const w = new StackSetWorld(settings);
  w.setAccounts(accountIds(10));
  return w;
}

function context(w: StackSetWorld, runId: string) {
  return { clients: w.clients, settings: w.settings, homeRegion: HOME, runId, clock: w.fake.clock };
}

function executor(w: StackSetWorld, runId: string) {
  return createStackSetExecutor(context(w, runId));
}

/** Every operation the fake holds has ended: nothing was abandoned mid-poll. */
function noneRunning(w: StackSetWorld): void {
  expect(w.cfn.operations().filter((o) => o.status === 'RUNNING')).toEqual([]);
}

describe('failure containment', () => {
  test('survives a ValidationError on a bad template: that stack set fails, its dependant is skipped with a reason, independent ones complete', async () => {
    const w = world();
    const [bad, good, child, grandchild] = [
      resource('bad'),
      resource('good'),
      resource('child', { dependsOn: [{ value: 'bad' }] }),
      resource('grandchild', { dependsOn: [{ value: 'child' }] }),
    ];
    const m = manifest([bad, good, child, grandchild], { stackSetOrder: 'dependencies' });
    const broken = {
      ...desired(bad, template('x'), ACCOUNTS),
      template: { ...desired(bad, template('x'), ACCOUNTS).template, text: '{"Resources": ' },
    };
    const { report } = await w.apply(m, [
      broken,
      desired(good, template('g'), ACCOUNTS),
      desired(child, template('c'), ACCOUNTS),
      desired(grandchild, template('gc'), ACCOUNTS),
    ]);
    expect(report.failed).toEqual([
      {
        resource: 'bad',
        errorName: 'ValidationError',
        message: expect.stringMatching(
          /^create stack set CustomControlTower-bad: ValidationError: Template format error/,
        ),
        failures: [],
      },
    ]);
    expect(report.blocked).toEqual([
      { resource: 'child', blockedBy: 'bad', reason: 'it depends on bad, which failed' },
      { resource: 'grandchild', blockedBy: 'bad', reason: 'it depends on child, which was skipped because bad failed' },
    ]);
    expect(report.succeeded).toEqual(['good']);
    expect(w.cfn.instancesOf('CustomControlTower-good')).toHaveLength(3);
    expect(w.cfn.stackSets.has('CustomControlTower-child')).toBe(false);
  });

  test('fails when a template needs capabilities the settings do not grant: InsufficientCapabilitiesException, for that stack set only', async () => {
    const w = world({ settings: { capabilities: ['CAPABILITY_IAM'] } });
    const [iam, plain] = [resource('iam'), resource('plain')];
    const named = JSON.stringify({
      Resources: { R: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'Audit', AssumeRolePolicyDocument: {} } } },
    });
    const { report } = await w.apply(manifest([iam, plain], { stackSetOrder: 'dependencies' }), [
      desired(iam, named, ACCOUNTS),
      desired(plain, template('p'), ACCOUNTS),
    ]);
    expect(report.failed).toEqual([
      {
        resource: 'iam',
        errorName: 'InsufficientCapabilitiesException',
        message: expect.stringContaining('Requires capabilities : [CAPABILITY_NAMED_IAM]'),
        failures: [],
      },
    ]);
    expect(report.succeeded).toEqual(['plain']);
  });

  test.each([
    [
      'LimitExceededException',
      () => new LimitExceededException({ message: 'Maximum number of stack instances reached', $metadata: {} }),
    ],
    [
      'InvalidOperationException',
      () => new InvalidOperationException({ message: 'The stack set is being deleted', $metadata: {} }),
    ],
    [
      'AccessDenied',
      () =>
        Object.assign(new Error('User is not authorized to perform cloudformation:CreateStackInstances'), {
          name: 'AccessDenied',
        }),
    ],
  ])(
    'survives %s from CreateStackInstances: the stack set fails with the error name, sequential followers are skipped, a re-run converges',
    async (name, error) => {
      const w = world();
      const [a, b, c] = [resource('a'), resource('b'), resource('c')];
      const m = manifest([a, b, c]);
      const wanted = [
        desired(a, template('a'), ACCOUNTS),
        desired(b, template('b'), ACCOUNTS),
        desired(c, template('c'), ACCOUNTS),
      ];
      w.fake.injectFault({ service: 'cloudformation', operation: 'CreateStackInstances', rate: 1, limit: 1, error });
      const { report } = await w.apply(m, wanted);
      expect(report.failed).toEqual([
        { resource: 'a', errorName: name, message: expect.stringContaining(`${name}: `), failures: [] },
      ]);
      expect(report.blocked.map((s) => [s.resource, s.blockedBy])).toEqual([
        ['b', 'a'],
        ['c', 'a'],
      ]);
      const again = await w.apply(m, wanted);
      expect(again.report.failed).toEqual([]);
      expect(again.report.succeeded).toEqual(['a', 'b', 'c']);
    },
  );

  test("survives a failure while another stack set's operation runs: that operation is followed to its end", async () => {
    const w = world({ checksToFinish: 6 });
    const [slow, bad] = [resource('slow'), resource('bad')];
    // Both start together; 'bad' fails at once (its template is refused) while 'slow' polls its operation.
    const broken = {
      ...desired(bad, template('b'), ACCOUNTS),
      template: { ...desired(bad, template('b'), ACCOUNTS).template, text: 'Resources: [' },
    };
    const { report } = await w.apply(manifest([bad, slow], { stackSetOrder: 'dependencies' }), [
      broken,
      desired(slow, template('s'), ACCOUNTS),
    ]);
    expect(report.failed.map((f) => f.resource)).toEqual(['bad']);
    expect(report.succeeded).toEqual(['slow']);
    noneRunning(w);
    expect(w.cfn.instancesOf('CustomControlTower-slow').every((i) => i.endsWith(':CURRENT'))).toBe(true);
  });

  test('survives an AWS error while preparing: a CFCT-K061 finding, that stack set fails, the others run', async () => {
    const w = world();
    const reader = resource('reader', { parameters: [{ key: 'P', value: '$[alfred_ssm_/org/value]' }] });
    const other = resource('other');
    w.ssm.seed({ accountId: '111111111111', region: HOME }, '/org/value', 'v', 'String');
    const m = manifest([reader, other], { stackSetOrder: 'dependencies' });
    const wanted = [
      desired(reader, template('r', { parameters: ['P'] }), ACCOUNTS),
      desired(other, template('o'), ACCOUNTS),
    ];
    const plan = await w.plan(m, wanted);
    w.fake.injectFault({
      service: 'ssm',
      operation: 'GetParameters',
      rate: 1,
      // Only the read of the value `reader` needs: every stack set's prepare reads SSM (its record).
      when: (input) => (input.Names ?? []).includes('/org/value'),
      error: () =>
        new SSMServiceException({
          name: 'AccessDeniedException',
          $fault: 'client',
          message: 'not authorized to perform ssm:GetParameters',
          $metadata: {},
        }),
    });
    const report = await applyStackSets(
      m,
      wanted,
      plan,
      { ...context(w, 'run-prep'), accountState: (id) => w.accountStates.get(id) },
      { wait: (ms) => w.fake.clock.sleep(ms) },
    );
    expect(report.failed).toEqual([
      {
        resource: 'reader',
        message: expect.stringMatching(/CFCT-K061.*AccessDeniedException: not authorized/),
        failures: [],
      },
    ]);
    expect(report.findings).toContainEqual(
      expect.objectContaining({ ruleId: 'CFCT-K061', severity: 'error', resource: 'reader' }),
    );
    expect(report.succeeded).toEqual(['other']);
  });

  test("fails when tags break CloudFormation's rules: a CFCT-K062 plan error, nothing is sent", async () => {
    const w = world();
    const r = resource('tagged', { tags: { 'aws:owner': 'me', empty: '' } });
    const plan = await w.plan(manifest([r]), [desired(r, template('t'), ACCOUNTS)]);
    expect(plan.resources[0].steps).toEqual([]);
    expect(plan.findings).toContainEqual(
      expect.objectContaining({
        ruleId: 'CFCT-K062',
        severity: 'error',
        message: expect.stringMatching(
          /key 'aws:owner' starts with the reserved prefix aws:.*the value of 'empty' is 0 characters/,
        ),
      }),
    );
  });
});

describe('the apply loop', () => {
  test('runs independent stack sets concurrently, never more than `concurrency` at once, and a failure does not stop the pool', async () => {
    const w = world();
    const resources = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => resource(n));
    const m = manifest(resources, { stackSetOrder: 'dependencies' });
    const wanted = resources.map((r) => desired(r, r.name === 'b' ? 'Resources: [' : template(r.name), ACCOUNTS));
    const plan = await w.plan(m, wanted);
    const active = new Set<string>();
    let most = 0;
    const report = await applyStackSets(
      m,
      wanted,
      plan,
      { ...context(w, 'run-pool'), accountState: (id) => w.accountStates.get(id) },
      {
        wait: (ms) => w.fake.clock.sleep(ms),
        concurrency: 2,
        onProgress: (p) => {
          if (p.state === 'started') active.add(p.stackSetName);
          if (p.state === 'failed' || (p.state === 'succeeded' && p.instancesDone === p.instancesTotal)) {
            active.delete(p.stackSetName);
          }
          most = Math.max(most, active.size);
        },
      },
    );
    expect(most).toBe(2);
    expect(report.failed.map((f) => f.resource)).toEqual(['b']);
    expect(report.succeeded.sort()).toEqual(['a', 'c', 'd', 'e', 'f']);
    noneRunning(w);
  });
});

describe('executor results', () => {
  async function deployed(w: StackSetWorld, accounts = ACCOUNTS.slice(0, 1)) {
    const r = resource('baseline');
    await w.apply(manifest([r]), [desired(r, template('a'), accounts)]);
    return r;
  }

  test('survives StackInstanceNotFoundException from UpdateStackSet naming an account without instances: failed, with the error name', async () => {
    const w = world();
    const r = await deployed(w);
    const plan = await w.plan(manifest([r]), [desired(r, template('b'), ACCOUNTS.slice(0, 1))]);
    const update = plan.resources[0].steps[0] as Extract<StackSetStep, { kind: 'stackset.update' }>;
    const stale = { ...update, targets: { accounts: ACCOUNTS, regions: [HOME] } };
    const result = await executor(w, 'run-nf').start(stale);
    expect(result).toEqual({
      status: 'failed',
      errorName: 'StackInstanceNotFoundException',
      message: expect.stringContaining(`${ACCOUNTS[1]}/${HOME}`),
    });
  });

  test('survives OperationNotFoundException on check: FAILED naming the error', async () => {
    const w = world();
    const r = await deployed(w);
    const plan = await w.plan(manifest([r]), [desired(r, template('a'), ACCOUNTS)]);
    const checked = await executor(w, 'run-x').check(
      plan.resources[0].steps[0],
      'cfct-0000000000000000000000000000000000000000',
    );
    expect(checked).toEqual({
      status: 'FAILED',
      message: expect.stringContaining('OperationNotFoundException'),
      failures: [],
    });
  });

  test('fails a check of an operation that succeeded with failed instances, unless the check is told failOnFailedInstances: false', async () => {
    const w = world();
    const r = resource('tolerant', { operationPreferences: { failureToleranceCount: 1, maxConcurrentCount: 1 } });
    await w.apply(manifest([r]), [desired(r, template('a'), ACCOUNTS.slice(0, 1))]);
    const plan = await w.plan(manifest([r]), [desired(r, template('a'), ACCOUNTS)]);
    const step = plan.resources[0].steps[0];
    expect(step.kind).toBe('stackset.create-instances');
    w.cfn.failingTargets.add(ACCOUNTS[1]);
    const run = executor(w, 'run-tolerant');
    const started = await run.start(step);
    if (started.status !== 'started') throw new Error(`expected a started operation, got ${started.status}`);
    let lenient = await run.check(step, started.operationId, { failOnFailedInstances: false });
    while (lenient.status === 'RUNNING') {
      lenient = await run.check(step, started.operationId, { failOnFailedInstances: false });
    }
    expect(lenient).toEqual({ status: 'SUCCEEDED' });
    expect(await run.check(step, started.operationId)).toEqual({
      status: 'FAILED',
      message: expect.stringMatching(
        /succeeded with failed instances: 1 instance\(s\) failed \(\d+\/us-east-1 FAILED: /,
      ),
      failures: [expect.objectContaining({ account: ACCOUNTS[1], status: 'FAILED' })],
    });
  });

  test('fails when throttling outlives the retries: start throws, with the error name kept, so Step Functions Retry can act', async () => {
    const w = world();
    const r = await deployed(w);
    const plan = await w.plan(manifest([r]), [desired(r, template('a'), ACCOUNTS)]);
    w.fake.injectFault({
      service: 'cloudformation',
      operation: 'CreateStackInstances',
      rate: 1,
      error: () => Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }),
    });
    await expect(executor(w, 'run-t').start(plan.resources[0].steps[0])).rejects.toMatchObject({
      name: 'Throttling',
    });
  });

  test('reports CANCELLED instances when the failure tolerance is exceeded, not only the failed one', async () => {
    const w = world();
    const r = resource('wide', {
      regions: [HOME, 'eu-west-1'],
      operationPreferences: {
        failureToleranceCount: 0,
        maxConcurrentCount: 1,
        regionConcurrencyType: 'SEQUENTIAL',
        regionOrder: [HOME, 'eu-west-1'],
      },
    });
    w.cfn.failingTargets.add(`${ACCOUNTS[0]}/${HOME}`);
    const { report } = await w.apply(manifest([r]), [desired(r, template('w'), ACCOUNTS)]);
    expect(report.failed).toHaveLength(1);
    const { failures, message } = report.failed[0];
    expect(failures.filter((f) => f.status === 'FAILED').map((f) => `${f.account}/${f.region}`)).toEqual([
      `${ACCOUNTS[0]}/${HOME}`,
    ]);
    expect(failures.filter((f) => f.status === 'CANCELLED')).toHaveLength(5);
    expect(message).toMatch(/1 instance\(s\) failed, 5 cancelled/);
    // Cleared, a re-run finishes the cancelled instances.
    w.cfn.failingTargets.clear();
    expect((await w.apply(manifest([r]), [desired(r, template('w'), ACCOUNTS)])).report.failed).toEqual([]);
    expect(w.cfn.instancesOf('CustomControlTower-wide').every((i) => i.endsWith(':CURRENT'))).toBe(true);
    expect(w.cfn.instancesOf('CustomControlTower-wide')).toHaveLength(6);
  });
});

describe('operation ids that retry', () => {
  test('survives a redrive of a step whose operation FAILED: the same run starts a new operation (new id), which retries the OUTDATED instances', async () => {
    const w = world();
    const r = resource('baseline');
    await w.apply(manifest([r]), [desired(r, template('a'), ACCOUNTS.slice(0, 1))]);
    const plan = await w.plan(manifest([r]), [desired(r, template('a'), ACCOUNTS)]);
    const step = plan.resources[0].steps[0];
    const run = executor(w, 'exec-redrive');
    w.cfn.failingTargets.add(ACCOUNTS[1]);
    const first = await run.start(step);
    expect(first).toEqual({ status: 'started', operationId: operationIdFor(step, 'exec-redrive') });
    let checked = await run.check(step, (first as { operationId: string }).operationId);
    while (checked.status === 'RUNNING') {
      checked = await run.check(step, (first as { operationId: string }).operationId);
    }
    expect(checked.status).toBe('FAILED');

    w.cfn.failingTargets.clear();
    const second = await run.start(step);
    expect(second).toEqual({ status: 'started', operationId: operationIdFor(step, 'exec-redrive', 1) });
    let again = await run.check(step, (second as { operationId: string }).operationId);
    while (again.status === 'RUNNING') {
      again = await run.check(step, (second as { operationId: string }).operationId);
    }
    expect(again).toEqual({ status: 'SUCCEEDED' });
    expect(w.cfn.instancesOf('CustomControlTower-baseline').every((i) => i.endsWith(':CURRENT'))).toBe(true);

    // Once it succeeded, another start of the same step resumes that operation: no third one.
    expect(await run.start(step)).toEqual(second);
    expect(w.fake.callsOf(CreateStackInstancesCommand, { failed: false })).toHaveLength(3);
  });

  test('survives a redrive of a STOPPED operation: a new operation id', async () => {
    const w = world();
    const r = resource('baseline');
    await w.apply(manifest([r]), [desired(r, template('a'), ACCOUNTS.slice(0, 1))]);
    const plan = await w.plan(manifest([r]), [desired(r, template('b'), ACCOUNTS.slice(0, 1))]);
    const step = plan.resources[0].steps[0];
    const run = executor(w, 'exec-stop');
    const first = (await run.start(step)) as { operationId: string };
    await w.clients
      .cloudFormation(HOME)
      .send(new StopStackSetOperationCommand({ StackSetName: step.stackSetName, OperationId: first.operationId }));
    const second = await run.start(step);
    expect(second).toEqual({ status: 'started', operationId: operationIdFor(step, 'exec-stop', 1) });
    expect(second).not.toEqual(first);
  });
});

describe('busy stack sets', () => {
  async function busyWorld() {
    const w = world();
    const r = resource('baseline');
    await w.apply(manifest([r]), [desired(r, template('a'), ACCOUNTS.slice(0, 1))]);
    const m = manifest([r]);
    const wanted = [desired(r, template('a'), ACCOUNTS)];
    const plan = await w.plan(m, wanted);
    // An earlier, interrupted run left an operation running on the stack set.
    const blocker = await executor(w, 'interrupted-run').start(plan.resources[0].steps[0]);
    expect(blocker.status).toBe('started');
    return { w, m, wanted, plan, blocker: blocker as { operationId: string } };
  }

  test("survives a stack set busy with an interrupted run's operation: the apply loop waits 60 minutes by default, not 3, then fails naming it", async () => {
    const { w, m, wanted, plan, blocker } = await busyWorld();
    const started = w.fake.clock.now();
    const report = await applyStackSets(
      m,
      wanted,
      plan,
      { ...context(w, 'run-busy'), accountState: (id) => w.accountStates.get(id) },
      { wait: (ms) => w.fake.clock.sleep(ms) },
    );
    expect(report.failed).toEqual([
      {
        resource: 'baseline',
        errorName: 'OperationInProgressException',
        message: expect.stringContaining(
          `busy with operation ${blocker.operationId}; gave up after waiting 60 minute(s)`,
        ),
        failures: [],
      },
    ]);
    expect(w.fake.clock.now() - started).toBeGreaterThanOrEqual(60 * 60_000);
  });

  test('the busy wait is configurable (ApplyOptions.busyTimeoutMs, cfct apply --busy-minutes)', async () => {
    const { w, m, wanted, plan } = await busyWorld();
    const started = w.fake.clock.now();
    const report = await applyStackSets(
      m,
      wanted,
      plan,
      { ...context(w, 'run-busy'), accountState: (id) => w.accountStates.get(id) },
      {
        wait: (ms) => w.fake.clock.sleep(ms),
        pollIntervalMs: 10_000,
        busyTimeoutMs: 60_000,
      },
    );
    expect(report.failed.map((f) => f.errorName)).toEqual(['OperationInProgressException']);
    expect(w.fake.clock.now() - started).toBeLessThan(5 * 60_000);
  });
});

describe('no wedged stack sets', () => {
  test('survives a failed instance deletion: the template update of the other instances still runs, then the INOPERABLE instance is removed with RetainStacks=true and a warning', async () => {
    const w = world();
    const r = resource('baseline');
    await w.apply(manifest([r]), [desired(r, template('a'), ACCOUNTS)]);
    // The stack in ACCOUNTS[0] cannot be deleted (say, a bucket that is not empty).
    w.cfn.failingTargets.add(ACCOUNTS[0]);
    const kept = ACCOUNTS.slice(1);
    const first = await w.apply(manifest([r]), [desired(r, template('b'), kept)]);
    expect(first.plan.resources[0].steps.map((s) => s.kind)).toEqual(['stackset.update', 'stackset.delete-instances']);
    expect(first.report.failed).toEqual([
      {
        resource: 'baseline',
        message: expect.stringContaining('(stackset.delete-instances)'),
        failures: [expect.objectContaining({ account: ACCOUNTS[0], status: 'FAILED' })],
      },
    ]);
    expect(w.cfn.instancesOf('CustomControlTower-baseline')).toEqual([
      `${ACCOUNTS[0]}/${HOME}:INOPERABLE`,
      ...kept.map((a) => `${a}/${HOME}:CURRENT`),
    ]);

    // The next run does not delete it again with RetainStacks=false: it removes it from the stack set.
    const second = await w.apply(manifest([r]), [desired(r, template('b'), kept)]);
    expect(second.plan.resources[0].steps).toMatchObject([
      { kind: 'stackset.delete-instances', retainStacks: true, targets: { accounts: [ACCOUNTS[0]], regions: [HOME] } },
    ]);
    expect(second.plan.findings).toContainEqual(
      expect.objectContaining({
        ruleId: 'CFCT-K060',
        severity: 'warning',
        message: expect.stringContaining(`${ACCOUNTS[0]}/${HOME}`),
      }),
    );
    expect(second.report.failed).toEqual([]);
    expect(w.cfn.instancesOf('CustomControlTower-baseline')).toEqual(kept.map((a) => `${a}/${HOME}:CURRENT`));
    // The stack stays in the account.
    expect([...w.cfn.stacks.keys()].some((k) => k.startsWith(`${ACCOUNTS[0]}/${HOME}/`))).toBe(true);
    const deletions = w.fake.inputsOf(DeleteStackInstancesCommand).map((input) => input.RetainStacks);
    expect(deletions).toEqual([false, true]);
    expect((await w.plan(manifest([r]), [desired(r, template('b'), kept)])).resources[0].steps).toEqual([]);
  });

  test('survives an INOPERABLE instance of a removed stack set: RetainStacks=true for it, then the stack set is deleted', async () => {
    const w = world();
    const [gone, stays] = [resource('gone'), resource('stays')];
    await w.apply(manifest([gone, stays]), [
      desired(gone, template('g'), ACCOUNTS),
      desired(stays, template('s'), ACCOUNTS),
    ]);
    w.cfn.failingTargets.add(`CustomControlTower-gone:${ACCOUNTS[2]}`);
    const m = manifest([stays], { enableStackSetDeletion: true });
    const first = await w.apply(m, [desired(stays, template('s'), ACCOUNTS)]);
    expect(first.report.failed.map((f) => f.resource)).toEqual(['CustomControlTower-gone']);
    expect(w.fake.callsOf(DeleteStackSetCommand)).toEqual([]);
    const second = await w.apply(m, [desired(stays, template('s'), ACCOUNTS)]);
    expect(second.plan.removals[0].steps).toMatchObject([
      { kind: 'stackset.delete-instances', retainStacks: true, targets: { accounts: [ACCOUNTS[2]] } },
      { kind: 'stackset.delete' },
    ]);
    expect(second.plan.findings).toContainEqual(
      expect.objectContaining({ ruleId: 'CFCT-K060', resource: 'CustomControlTower-gone' }),
    );
    expect(second.report.failed).toEqual([]);
    expect(w.cfn.stackSets.get('CustomControlTower-gone')!.status).toBe('DELETED');
  });
});
