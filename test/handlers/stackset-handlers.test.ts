import type { StackSetRunInput } from '../../src/engine/stacksets/run-input';
import { createStackSetOutputsHandler } from '../../src/handlers/stackset-outputs.lambda';
import { createStackSetPrepareHandler } from '../../src/handlers/stackset-prepare.lambda';
import { createStackSetStepHandler } from '../../src/handlers/stackset-step.lambda';
import { InvalidStackSetEventError } from '../../src/handlers/stackset-task';
import type { TaskDeps } from '../../src/handlers/task';
import { accountIds, desired, HOME, MANAGEMENT, resource, StackSetWorld, template } from '../engine/stacksets/env';

const ACCOUNTS = accountIds(2);

function setUp() {
  const w = new StackSetWorld();
  w.setAccounts(ACCOUNTS);
  w.ssm.seed({ accountId: MANAGEMENT, region: HOME }, '/org/secret', 'S3cr3t-Value-Do-Not-Log', 'SecureString');
  const r = resource('app', {
    parameters: [{ key: 'Password', value: '$[alfred_genpass_20]', ssmParameters: [{ name: '/app/password', value: '$[password]' }] }, { key: 'Secret', value: '$[alfred_ssm_/org/secret]' }, { key: 'ApiKey', value: 'Package-NoEcho-Literal' }],
    exportOutputs: [{ name: '/app/{account_id}/name', value: '$[output_AppName]' }],
    lintSuppressions: [{ ruleId: 'CFCT-M070', reason: 'the fixture passes a SecureString to a plain parameter' }],
  });
  const runInput: StackSetRunInput = {
    homeRegion: HOME,
    settings: w.settings,
    desired: [desired(r, template('app', { parameters: ['Secret'], noEcho: ['Password', 'ApiKey'], outputs: { AppName: 'AWS::AccountId' } }), ACCOUNTS)],
    accountStates: Object.fromEntries(ACCOUNTS.map((a) => [a, 'ACTIVE'])),
  };
  w.s3.objects.set('cfct-runs/run-1/stacksets.json', Buffer.from(JSON.stringify(runInput)));
  const logs: Record<string, unknown>[] = [];
  const deps: TaskDeps = { clients: () => w.aws, clock: w.fake.clock, log: (entry) => logs.push(entry) };
  const base = { correlationId: 'exec-2026-01-01', runInput: { bucket: 'cfct-runs', key: 'run-1/stacksets.json' }, region: HOME, resource: 'app' };
  return { w, deps, base, logs };
}

describe('stack set handlers', () => {
  test('prepare, start/check every step, then export: the state machine loop against the fake', async () => {
    const { w, deps, base, logs } = setUp();
    const prepare = createStackSetPrepareHandler(deps);
    const step = createStackSetStepHandler(deps);
    const outputs = createStackSetOutputsHandler(deps);

    const prepared = await prepare(base);
    expect(prepared).toMatchObject({ resource: 'app', stackSetName: 'CustomControlTower-app', action: 'create', hasErrors: false });
    expect(prepared.steps.map((s) => s.kind)).toEqual(['stackset.create', 'stackset.create-instances']);
    // The Step Functions payload goes through JSON, as it does between states.
    for (const s of JSON.parse(JSON.stringify(prepared.steps))) {
      let started = await step({ ...base, action: 'start', step: s });
      while (started.status === 'blocked') started = await step({ ...base, action: 'start', step: s, attempt: (started as any).attempt + 1 });
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
    expect(w.cfn.parametersOf('CustomControlTower-app')).toEqual({ Password: password, Secret: 'S3cr3t-Value-Do-Not-Log', ApiKey: 'Package-NoEcho-Literal' });
  });

  test('fails with InvalidStackSetEventError (and an error log line) for a malformed event', async () => {
    const { deps, logs, base } = setUp();
    const step = createStackSetStepHandler(deps);
    await expect(createStackSetPrepareHandler(deps)({ ...base, runInput: undefined as any })).rejects.toThrow(InvalidStackSetEventError);
    await expect(step({ ...base, action: 'check', step: { kind: 'policy.attach' } as any })).rejects.toThrow('step must be a stack set plan step');
    await expect(step({ ...base, action: 'check', step: { kind: 'stackset.delete', id: 'x', summary: 'x', resource: 'app', stackSetName: 'x' } })).rejects.toThrow('action must be "start", or "check" with an operationId');
    expect(logs.filter((l) => l.level === 'error')).toHaveLength(3);
  });

  test('fails with the AWS error when the run input is missing', async () => {
    const { deps, base, logs } = setUp();
    await expect(createStackSetOutputsHandler(deps)({ ...base, runInput: { bucket: 'cfct-runs', key: 'nope' } })).rejects.toThrow('The specified key does not exist.');
    expect(logs.at(-1)).toMatchObject({ level: 'error', errorName: 'NoSuchKey', correlationId: 'exec-2026-01-01' });
  });
});
