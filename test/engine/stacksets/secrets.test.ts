import { accountIds, desired, HOME, manifest, MANAGEMENT, resource, StackSetWorld, template } from './env';
import { sha256 } from '../../../src/engine/canonical';
import {
  createStackSetExecutor,
  planStackSets,
  readFingerprinter,
  readStackSetSnapshot,
  ssmNamesOf,
} from '../../../src/engine/stacksets';
import { FINGERPRINT_KEY_PARAMETER, recordName } from '../../../src/engine/stacksets/fingerprint';
import type { CreateStackSetStep } from '../../../src/engine/stacksets/steps';

const ACCOUNTS = accountIds(2);
const mgmt = { accountId: MANAGEMENT, region: HOME };
const LITERAL = 'Lit3ral-NoEcho-Value';
const TOKEN = 'tok-SECRET-4b2a';

function world(): StackSetWorld {
  const w = new StackSetWorld();
  w.setAccounts(ACCOUNTS);
  w.ssm.seed(mgmt, '/org/token', TOKEN, 'SecureString');
  return w;
}

/** Every unkeyed derivative of `secret` an offline search could test guesses against, and the secret itself. */
function derivatives(secret: string, stackSetName: string, key: string): string[] {
  const elements = secret.split(',');
  return [
    secret,
    Buffer.from(secret).toString('base64'),
    sha256(secret),
    ...elements.map(sha256),
    // The fingerprint as it was once published in the cfct:noecho-sha256 tag.
    sha256(`${stackSetName}\n${key}=${elements.map(sha256).join(',')}`),
  ];
}

describe('nothing derived from a secret leaks', () => {
  test('nothing derived from a secret appears in a tag, a plan, a snapshot or a log', async () => {
    const w = world();
    const logs: string[] = [];
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
      jest.spyOn(console, level).mockImplementation((...args: unknown[]) => void logs.push(args.map(String).join(' '))),
    );
    const r = resource('db', {
      parameters: [
        {
          key: 'Password',
          value: '$[alfred_genpass_8]',
          ssmParameters: [{ name: '/db/password', value: '$[password]' }],
        },
        { key: 'Literal', value: LITERAL },
        { key: 'Token', value: '$[alfred_ssm_/org/token]' },
      ],
    });
    const text = template('db', { noEcho: ['Password', 'Literal', 'Token'] });
    const wanted = [desired(r, text, ACCOUNTS)];
    const first = await w.apply(manifest([r]), wanted);
    expect(first.report.failed).toEqual([]);
    const second = await w.apply(manifest([r]), wanted);
    expect(second.plan.resources[0].steps).toEqual([]);
    spies.forEach((s) => s.mockRestore());

    const password = w.ssm.get(mgmt, '/db/password')!.value;
    expect(w.cfn.parametersOf('CustomControlTower-db')).toEqual({ Password: password, Literal: LITERAL, Token: TOKEN });
    const fingerprinter = await readFingerprinter(w.clients, HOME, w.fake.clock);
    const request = {
      homeRegion: HOME,
      names: ['CustomControlTower-db'],
      prefix: w.settings.prefix,
      ssmNames: ssmNamesOf([r]),
    };
    const artifacts = {
      tags: [...w.cfn.stackSets.values()].map((s) => s.tags),
      tagInputs: w.fake.calls
        .filter((c) => c.service === 'cloudformation')
        .map((c) => (c.input as { Tags?: unknown }).Tags ?? null),
      plans: [first.plan, second.plan],
      reports: [first.report, second.report],
      snapshot: await readStackSetSnapshot(w.clients, request, w.fake.clock, fingerprinter),
      offlineSnapshot: await readStackSetSnapshot(w.clients, request, w.fake.clock),
      record: w.ssm.get(mgmt, recordName('CustomControlTower-db'))!.value,
      logs,
    };
    const scanned = JSON.stringify(artifacts);
    for (const [key, secret] of [
      ['Password', password],
      ['Literal', LITERAL],
      ['Token', TOKEN],
    ]) {
      for (const derivative of derivatives(secret, 'CustomControlTower-db', key)) {
        expect(scanned).not.toContain(derivative);
      }
    }
    // What is recorded is keyed, and the key itself is nowhere but in its SecureString.
    expect(JSON.parse(artifacts.record).noEcho).toMatch(/^[0-9a-f]{64}$/);
    expect(scanned).not.toContain(w.ssm.get(mgmt, FINGERPRINT_KEY_PARAMETER)!.value);
    expect(w.ssm.get(mgmt, FINGERPRINT_KEY_PARAMETER)!.type).toBe('SecureString');
  });

  test('a NoEcho value written in the package is in no plan artifact: steps reference the package and apply deploys the value', async () => {
    const w = world();
    const r = resource('app', {
      parameters: [
        { key: 'ApiKey', value: `${LITERAL},second` },
        { key: 'Env', value: 'prod' },
      ],
    });
    const wanted = [desired(r, template('app', { parameters: ['Env'], noEcho: ['ApiKey'] }), ACCOUNTS)];
    const plan = await w.plan(manifest([r]), wanted);
    const create = plan.resources[0].steps[0] as CreateStackSetStep;
    expect(create.definition.parameters).toEqual([
      { key: 'ApiKey', parts: [{ packageToken: 0 }, { packageToken: 1 }] },
      { key: 'Env', parts: [{ literal: 'prod' }] },
    ]);
    expect(plan.resources[0].summary.parameterChanges).toContainEqual({
      key: 'ApiKey',
      change: 'added',
      to: '(secret)',
    });
    const json = JSON.stringify(plan);
    expect(json).not.toContain(LITERAL);
    expect(json).not.toContain('second');
    const { report } = await w.apply(manifest([r]), wanted);
    expect(report.failed).toEqual([]);
    expect(w.cfn.parametersOf('CustomControlTower-app')).toEqual({ ApiKey: `${LITERAL},second`, Env: 'prod' });
    // Changing the literal in the package is seen through the keyed fingerprint.
    const changed = resource('app', {
      parameters: [
        { key: 'ApiKey', value: 'rotated' },
        { key: 'Env', value: 'prod' },
      ],
    });
    const again = await w.apply(manifest([changed]), [
      desired(changed, template('app', { parameters: ['Env'], noEcho: ['ApiKey'] }), ACCOUNTS),
    ]);
    expect(again.plan.resources[0].steps.map((s) => s.kind)).toEqual(['stackset.update']);
    expect(w.cfn.parametersOf('CustomControlTower-app').ApiKey).toBe('rotated');
  });

  test('a plan without the fingerprint key (offline) cannot compare NoEcho values: CFCT-K091 and an update, which apply checks again', async () => {
    const w = world();
    const r = resource('app', { parameters: [{ key: 'ApiKey', value: LITERAL }] });
    const wanted = [desired(r, template('app', { noEcho: ['ApiKey'] }), ACCOUNTS)];
    expect((await w.apply(manifest([r]), wanted)).report.failed).toEqual([]);
    const request = {
      homeRegion: HOME,
      names: ['CustomControlTower-app'],
      prefix: w.settings.prefix,
      ssmNames: ssmNamesOf([r]),
    };
    const unkeyed = await readStackSetSnapshot(w.clients, request, w.fake.clock);
    const offline = planStackSets(manifest([r]), wanted, unkeyed, {
      settings: w.settings,
      accountState: () => 'ACTIVE',
    });
    expect(offline.findings).toContainEqual(
      expect.objectContaining({
        ruleId: 'CFCT-K091',
        severity: 'info',
        message: expect.stringContaining('cannot be compared without the fingerprint key'),
        resource: 'app',
      }),
    );
    expect(offline.resources[0].steps.map((s) => s.kind)).toEqual(['stackset.update']);
    // With the key (as apply reads it) the same stack set is unchanged.
    expect((await w.plan(manifest([r]), wanted)).resources[0].steps).toEqual([]);
  });

  test('fails when a step referencing a package value runs without the package', async () => {
    const w = world();
    const r = resource('app', { parameters: [{ key: 'ApiKey', value: LITERAL }] });
    const plan = await w.plan(manifest([r]), [desired(r, template('app', { noEcho: ['ApiKey'] }), ACCOUNTS)]);
    const executor = createStackSetExecutor({
      clients: w.clients,
      settings: w.settings,
      homeRegion: HOME,
      runId: 'r',
      clock: w.fake.clock,
    });
    const result = await executor.start(plan.resources[0].steps[0]);
    expect(result).toEqual({
      status: 'failed',
      errorName: 'ParameterResolutionError',
      message: expect.stringContaining('parameter ApiKey: its NoEcho value is not in the package'),
    });
    expect(w.cfn.stackSets.has('CustomControlTower-app')).toBe(false);
  });

  test('fails when a SecureString read by $[alfred_ssm_] feeds a parameter that is not NoEcho; suppressible with a reason', async () => {
    const w = world();
    const text = template('app', { parameters: ['Token'] });
    const r = resource('app', { parameters: [{ key: 'Token', value: '$[alfred_ssm_/org/token]' }] });
    const plan = await w.plan(manifest([r]), [desired(r, text, ACCOUNTS)]);
    const found = plan.findings.filter((f) => f.ruleId === 'CFCT-M070');
    expect(found).toEqual([
      expect.objectContaining({
        severity: 'error',
        resource: 'app',
        message: expect.stringContaining('the SecureString /org/token'),
      }),
    ]);
    expect(found[0].hint).toContain('NoEcho: true');
    const { report } = await w.apply(manifest([r]), [desired(r, text, ACCOUNTS)]);
    expect(report.failed.map((f) => f.resource)).toEqual(['app']);
    expect(w.cfn.stackSets.has('CustomControlTower-app')).toBe(false);

    const accepted = resource('app', {
      parameters: [...r.parameters],
      lintSuppressions: [{ ruleId: 'CFCT-M070', reason: 'the consumer reads it back from the stack' }],
    });
    const ok = await w.apply(manifest([accepted]), [desired(accepted, text, ACCOUNTS)]);
    expect(ok.plan.findings.filter((f) => f.ruleId === 'CFCT-M070')).toEqual([
      expect.objectContaining({
        severity: 'info',
        message: expect.stringContaining('suppressed: the consumer reads it back'),
      }),
    ]);
    expect(ok.report.failed).toEqual([]);
  });
});
