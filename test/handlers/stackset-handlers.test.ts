import { PutParameterCommand } from '@aws-sdk/client-ssm';
import type { StackSetRunInput } from '../../src/engine/stacksets';
import { createStackSetOutputsHandler } from '../../src/handlers/stackset-outputs.lambda';
import { createStackSetPrepareHandler } from '../../src/handlers/stackset-prepare.lambda';
import { createStackSetRunOutputsHandler } from '../../src/handlers/stackset-run-outputs.lambda';
import { createStackSetStepHandler } from '../../src/handlers/stackset-step.lambda';
import { InvalidStackSetEventError } from '../../src/handlers/stackset-task';
import type { TaskDeps } from '../../src/handlers/task';
import { accountIds, desired, HOME, MANAGEMENT, resource, StackSetWorld, template } from '../engine/stacksets/env';
import { cloudFormationError } from '../fake/cloudformation';

const ACCOUNTS = accountIds(2);

function setUp() {
  const w = new StackSetWorld();
  w.setAccounts(ACCOUNTS);
  w.ssm.seed({ accountId: MANAGEMENT, region: HOME }, '/org/secret', 'S3cr3t-Value-Do-Not-Log', 'SecureString');
  const r = resource('app', {
    parameters: [
      {
        key: 'Password',
        value: '$[alfred_genpass_20]',
        ssmParameters: [{ name: '/app/password', value: '$[password]' }],
      },
      { key: 'Secret', value: '$[alfred_ssm_/org/secret]' },
      { key: 'ApiKey', value: 'Package-NoEcho-Literal' },
    ],
    exportOutputs: [{ name: '/app/{account_id}/name', value: '$[output_AppName]' }],
    lintSuppressions: [{ ruleId: 'CFCT-M070', reason: 'the fixture passes a SecureString to a plain parameter' }],
  });
  const runInput: StackSetRunInput = {
    homeRegion: HOME,
    settings: w.settings,
    desired: [
      desired(
        r,
        template('app', {
          parameters: ['Secret'],
          noEcho: ['Password', 'ApiKey'],
          outputs: { AppName: 'AWS::AccountId' },
        }),
        ACCOUNTS,
      ),
    ],
    accountStates: Object.fromEntries(ACCOUNTS.map((a) => [a, 'ACTIVE'])),
  };
  w.s3.objects.set('cfct-runs/run-1/stacksets.json', Buffer.from(JSON.stringify(runInput)));
  const logs: Record<string, unknown>[] = [];
  const deps: TaskDeps = { clients: () => w.aws, clock: w.fake.clock, log: (entry) => logs.push(entry) };
  const base = {
    correlationId: 'exec-2026-01-01',
    runInput: { bucket: 'cfct-runs', key: 'run-1/stacksets.json' },
    region: HOME,
    resource: 'app',
  };
  return { w, deps, base, logs };
}

describe('stack set handlers', () => {
  test('prepare, start/check every step, then export: the state machine loop against the fake', async () => {
    const { w, deps, base, logs } = setUp();
    const prepare = createStackSetPrepareHandler(deps);
    const step = createStackSetStepHandler(deps);
    const outputs = createStackSetOutputsHandler(deps);

    const prepared = await prepare(base);
    expect(prepared).toMatchObject({
      resource: 'app',
      stackSetName: 'CustomControlTower-app',
      action: 'create',
      hasErrors: false,
    });
    expect(prepared.steps.map((s) => s.kind)).toEqual(['stackset.create', 'stackset.create-instances']);
    // The Step Functions payload goes through JSON, as it does between states.
    for (const s of JSON.parse(JSON.stringify(prepared.steps))) {
      let started = await step({ ...base, action: 'start', step: s });
      while (started.status === 'blocked') {
        started = await step({ ...base, action: 'start', step: s, attempt: (started as any).attempt + 1 });
      }
      if (started.status === 'done') continue;
      expect(started.status).toBe('started');
      let checked = await step({ ...base, action: 'check', step: s, operationId: (started as any).operationId });
      let checks = 1;
      while (checked.status === 'RUNNING') {
        checked = await step({ ...base, action: 'check', step: s, operationId: (started as any).operationId });
        checks++;
      }
      expect(checked).toEqual({ status: 'SUCCEEDED' });
      expect(checks).toBe(3);
    }
    const exported = await outputs(base);
    expect(exported.exports.map((e) => e.name)).toEqual(ACCOUNTS.map((a) => `/app/${a}/name`));
    expect(w.ssm.get({ accountId: MANAGEMENT, region: HOME }, `/app/${ACCOUNTS[1]}/name`)?.value).toBe(ACCOUNTS[1]);
    expect(w.cfn.instancesOf('CustomControlTower-app')).toHaveLength(2);

    // Logs: JSON lines with the correlation id; no secret in logs or payloads.
    expect(logs.length).toBeGreaterThan(4);
    expect(logs.every((l) => l.correlationId === 'exec-2026-01-01')).toBe(true);
    const password = w.ssm.get({ accountId: MANAGEMENT, region: HOME }, '/app/password')!.value;
    const everything = JSON.stringify({ logs, prepared, exported });
    expect(everything).not.toContain(password);
    expect(everything).not.toContain('S3cr3t-Value-Do-Not-Log');
    // A NoEcho value written in the package: the step payload references it, the step task reads it from the run input.
    expect(everything).not.toContain('Package-NoEcho-Literal');
    expect(JSON.stringify(prepared.steps[0])).toContain('"parts":[{"packageToken":0}]');
    expect(w.cfn.parametersOf('CustomControlTower-app')).toEqual({
      Password: password,
      Secret: 'S3cr3t-Value-Do-Not-Log',
      ApiKey: 'Package-NoEcho-Literal',
    });

    // saveState: the stack set's state cache entry beside the run files, with no secret in it.
    const exportCalls = w.fake.callsOf(PutParameterCommand).length;
    const saved = await outputs({ ...base, exports: false, saveState: true });
    expect(saved).toEqual({ resource: 'app', exports: [], stateSaved: true });
    expect(w.fake.callsOf(PutParameterCommand)).toHaveLength(exportCalls);
    const file = w.s3.objects.get('cfct-runs/run-1/states/CustomControlTower-app.json')!.toString();
    const state = JSON.parse(file);
    expect(state.stackSetName).toBe('CustomControlTower-app');
    expect(state.entry.state.instances).toHaveLength(2);
    expect(state.entry.stamp.operationId).toEqual(expect.any(String));
    expect(file).not.toContain(password);
    expect(file).not.toContain('S3cr3t-Value-Do-Not-Log');
    expect(file).not.toContain('Package-NoEcho-Literal');
  });

  test('fails with InvalidStackSetEventError (and an error log line) for a malformed event', async () => {
    const { deps, logs, base } = setUp();
    const step = createStackSetStepHandler(deps);
    await expect(createStackSetPrepareHandler(deps)({ ...base, runInput: undefined as any })).rejects.toThrow(
      InvalidStackSetEventError,
    );
    await expect(step({ ...base, action: 'check', step: { kind: 'policy.attach' } as any })).rejects.toThrow(
      'step must be a stack set plan step',
    );
    await expect(
      step({
        ...base,
        action: 'check',
        step: { kind: 'stackset.delete', id: 'x', summary: 'x', resource: 'app', stackSetName: 'x' },
      }),
    ).rejects.toThrow('action must be "start", or "check" with an operationId');
    expect(logs.filter((l) => l.level === 'error')).toHaveLength(3);
  });

  test('fails with a structured result naming the AWS error when the run input is missing (no throw)', async () => {
    const { deps, base, logs } = setUp();
    const missing = { ...base, runInput: { bucket: 'cfct-runs', key: 'nope' } };
    expect(await createStackSetOutputsHandler(deps)(missing)).toEqual({
      resource: 'app',
      exports: [],
      failed: { errorName: 'NoSuchKey', message: 'NoSuchKey: The specified key does not exist.' },
    });
    expect(logs.at(-1)).toMatchObject({ level: 'info', errorName: 'NoSuchKey', correlationId: 'exec-2026-01-01' });
    const prepared = await createStackSetPrepareHandler(deps)(missing);
    expect(prepared).toMatchObject({
      resource: 'app',
      steps: [],
      hasErrors: true,
      findings: [expect.objectContaining({ ruleId: 'CFCT-K061', message: expect.stringContaining('NoSuchKey') })],
    });
    const step = createStackSetStepHandler(deps);
    const s = { kind: 'stackset.delete', id: 'x', summary: 'x', resource: 'app', stackSetName: 'x' } as const;
    expect(await step({ ...missing, action: 'start', step: s })).toMatchObject({
      status: 'failed',
      errorName: 'NoSuchKey',
    });
    expect(await step({ ...missing, action: 'check', step: s, operationId: 'op' })).toMatchObject({
      status: 'FAILED',
      failures: [],
    });
  });
});

describe("the state machine's outputs task: export_outputs after the steps, the state read beside the next wave", () => {
  /** Prepares the stack set and runs its steps to the end, as the state machine does. */
  async function deploy(deps: TaskDeps, base: ReturnType<typeof setUp>['base']) {
    const step = createStackSetStepHandler(deps);
    const prepared = await createStackSetPrepareHandler(deps)(base);
    for (const s of JSON.parse(JSON.stringify(prepared.steps))) {
      let started = await step({ ...base, action: 'start', step: s });
      while (started.status === 'blocked') {
        started = await step({ ...base, action: 'start', step: s, attempt: (started as any).attempt + 1 });
      }
      if (started.status === 'done') continue;
      let checked = await step({ ...base, action: 'check', step: s, operationId: (started as any).operationId });
      while (checked.status === 'RUNNING') {
        checked = await step({ ...base, action: 'check', step: s, operationId: (started as any).operationId });
      }
      expect(checked.status).toBe('SUCCEEDED');
    }
  }
  const STATE_FILE = 'cfct-runs/run-1/states/CustomControlTower-app.json';

  test("action 'exports' writes export_outputs, reads no state and says the state is to be read; action 'state' reads it once and leaves its entry", async () => {
    const { w, deps, base } = setUp();
    await deploy(deps, base);
    const outputs = createStackSetRunOutputsHandler(deps);

    const before = w.fake.calls.length;
    expect(await outputs({ ...base, action: 'exports' })).toEqual({
      resource: 'app',
      exported: 2,
      changed: 2,
      names: ACCOUNTS.map((a) => `/app/${a}/name`),
      readState: true,
    });
    // The default action is the export; neither reads the stack set's instances nor leaves a state.
    expect(await outputs(base)).toMatchObject({ resource: 'app', exported: 2, changed: 0, readState: true });
    const exportCalls = w.fake.calls.slice(before).map((c) => c.operation);
    expect(exportCalls).not.toContain('ListStackInstances');
    expect(exportCalls).not.toContain('ListStackSetOperations');
    expect(w.s3.objects.has(STATE_FILE)).toBe(false);

    const puts = w.fake.callsOf(PutParameterCommand).length;
    const readFrom = w.fake.calls.length;
    expect(await outputs({ ...base, action: 'state' })).toEqual({ resource: 'app', stateSaved: true });
    expect(w.fake.callsOf(PutParameterCommand)).toHaveLength(puts);
    // Stamp first, then the full read.
    const ops = w.fake.calls.slice(readFrom).map((c) => c.operation);
    expect(ops.indexOf('ListStackSetOperations')).toBeLessThan(ops.indexOf('ListStackInstances'));
    const state = JSON.parse(w.s3.objects.get(STATE_FILE)!.toString());
    expect(state.stackSetName).toBe('CustomControlTower-app');
    expect(state.entry.state.instances).toHaveLength(2);
  });

  test("action 'state' survives a failed read: no state file, stateSaved false, no throw", async () => {
    const { w, deps, base } = setUp();
    await deploy(deps, base);
    w.fake.injectFault({
      service: 'cloudformation',
      operation: 'ListStackInstances',
      rate: 1,
      error: () => cloudFormationError('AccessDeniedException', 'not allowed'),
    });
    const outputs = createStackSetRunOutputsHandler(deps);
    expect(await outputs({ ...base, action: 'state' })).toEqual({ resource: 'app', stateSaved: false });
    expect(w.s3.objects.has(STATE_FILE)).toBe(false);
    // A missing run input: the export fails (no state to read), the state read saves nothing.
    const missing = { ...base, runInput: { bucket: 'cfct-runs', key: 'nope' } };
    expect(await outputs({ ...missing, action: 'exports' })).toMatchObject({
      exported: 0,
      readState: false,
      failed: { errorName: 'NoSuchKey' },
    });
    expect(await outputs({ ...missing, action: 'state' })).toEqual({ resource: 'app', stateSaved: false });
  });

  test('fails with InvalidStackSetEventError for an unknown action', async () => {
    const { deps, base } = setUp();
    await expect(createStackSetRunOutputsHandler(deps)({ ...base, action: 'refresh' as any })).rejects.toThrow(
      InvalidStackSetEventError,
    );
  });
});

describe('stack set handlers: failures are results the state machine branches on', () => {
  async function runToEnd(
    step: ReturnType<typeof createStackSetStepHandler>,
    event: Parameters<ReturnType<typeof createStackSetStepHandler>>[0],
  ) {
    let checked = await step(event);
    while (checked.status === 'RUNNING') checked = await step(event);
    return checked;
  }

  test('survives InsufficientCapabilitiesException: start returns failed with the error name', async () => {
    const { w, deps, base } = setUp();
    const runInput: StackSetRunInput = {
      homeRegion: HOME,
      settings: { ...w.settings, capabilities: [] },
      desired: [
        desired(
          resource('iam'),
          JSON.stringify({
            Resources: { R: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } } },
          }),
          ACCOUNTS,
        ),
      ],
      accountStates: Object.fromEntries(ACCOUNTS.map((a) => [a, 'ACTIVE'])),
    };
    w.s3.objects.set('cfct-runs/run-2/stacksets.json', Buffer.from(JSON.stringify(runInput)));
    const event = { ...base, resource: 'iam', runInput: { bucket: 'cfct-runs', key: 'run-2/stacksets.json' } };
    const prepared = await createStackSetPrepareHandler(deps)(event);
    const result = await createStackSetStepHandler(deps)({ ...event, action: 'start', step: prepared.steps[0] });
    expect(result).toEqual({
      status: 'failed',
      errorName: 'InsufficientCapabilitiesException',
      message: expect.stringContaining('Requires capabilities : [CAPABILITY_IAM]'),
    });
  });

  test('survives a redrive after a FAILED operation: the same execution starts a new operation id; the failed instances are listed', async () => {
    const { w, deps, base } = setUp();
    const step = createStackSetStepHandler(deps);
    const prepared = await createStackSetPrepareHandler(deps)(base);
    const [create, instances] = JSON.parse(JSON.stringify(prepared.steps));
    expect(await step({ ...base, action: 'start', step: create })).toEqual({ status: 'done' });
    w.cfn.failingTargets.add(ACCOUNTS[0]);
    const first = (await step({ ...base, action: 'start', step: instances })) as { operationId: string };
    const failed = await runToEnd(step, { ...base, action: 'check', step: instances, operationId: first.operationId });
    expect(failed).toMatchObject({
      status: 'FAILED',
      failures: [{ account: ACCOUNTS[0], region: HOME, status: 'FAILED', reason: expect.any(String) }],
    });

    w.cfn.failingTargets.clear();
    const redriven = (await step({ ...base, action: 'start', step: instances })) as {
      status: string;
      operationId: string;
    };
    expect(redriven.status).toBe('started');
    expect(redriven.operationId).not.toBe(first.operationId);
    expect(
      await runToEnd(step, { ...base, action: 'check', step: instances, operationId: redriven.operationId }),
    ).toEqual({ status: 'SUCCEEDED' });
  });

  test('survives a busy stack set: blocked until busyTimeoutSeconds of pollIntervalSeconds waits, then failed', async () => {
    const { deps, base } = setUp();
    const step = createStackSetStepHandler(deps);
    const prepared = JSON.parse(JSON.stringify((await createStackSetPrepareHandler(deps)(base)).steps));
    await step({ ...base, action: 'start', step: prepared[0] });
    // Another execution's operation holds the stack set.
    const other = await step({ ...base, correlationId: 'exec-earlier', action: 'start', step: prepared[1] });
    expect(other.status).toBe('started');
    const timing = { pollIntervalSeconds: 30, busyTimeoutSeconds: 90 };
    expect(await step({ ...base, ...timing, action: 'start', step: prepared[1], attempt: 3 })).toMatchObject({
      status: 'blocked',
      attempt: 3,
    });
    expect(await step({ ...base, ...timing, action: 'start', step: prepared[1], attempt: 4 })).toMatchObject({
      status: 'failed',
      errorName: 'OperationInProgressException',
      message: expect.stringContaining((other as { operationId: string }).operationId),
    });
    await expect(step({ ...base, pollIntervalSeconds: -1, action: 'start', step: prepared[1] } as any)).rejects.toThrow(
      InvalidStackSetEventError,
    );
  });

  test('fails when throttling outlives the retries: the handler throws with the AWS error name, for Step Functions Retry', async () => {
    const { w, deps, base, logs } = setUp();
    const step = createStackSetStepHandler(deps);
    const prepared = JSON.parse(JSON.stringify((await createStackSetPrepareHandler(deps)(base)).steps));
    w.fake.injectFault({
      service: 'cloudformation',
      operation: 'CreateStackSet',
      rate: 1,
      error: () => Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }),
    });
    await expect(step({ ...base, action: 'start', step: prepared[0] })).rejects.toMatchObject({ name: 'Throttling' });
    expect(logs.at(-1)).toMatchObject({ level: 'error', errorName: 'Throttling' });
  });

  test('survives an AWS error while preparing: hasErrors with a CFCT-K061 finding, not a throw', async () => {
    const { w, deps, base } = setUp();
    w.fake.injectFault({
      service: 'cloudformation',
      operation: 'DescribeStackSet',
      rate: 1,
      error: () =>
        Object.assign(new Error('User is not authorized to perform cloudformation:DescribeStackSet'), {
          name: 'AccessDenied',
        }),
    });
    const prepared = await createStackSetPrepareHandler(deps)(base);
    expect(prepared).toMatchObject({
      resource: 'app',
      stackSetName: 'CustomControlTower-app',
      action: 'blocked',
      steps: [],
      hasErrors: true,
    });
    expect(prepared.findings).toContainEqual(
      expect.objectContaining({
        ruleId: 'CFCT-K061',
        severity: 'error',
        message: expect.stringContaining('AccessDenied: User is not authorized'),
      }),
    );
  });
});
