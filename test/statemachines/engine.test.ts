/**
 * The engine side of the state machines without Step Functions: the approved-plan comparison,
 * the waves, and the tasks' answers to bad events.
 */
import { realHandlers } from './harness';
import { PipelineWorld } from './world';
import { compareWithApproved, nextWave } from '../../src/engine/pipeline-run';
import type { RunPlan } from '../../src/engine/run';
import { InvalidPlanCheckEventError } from '../../src/handlers/plan-check.lambda';
import { InvalidPolicyStepsEventError } from '../../src/handlers/policy-steps.lambda';
import { InvalidRunLockEventError } from '../../src/handlers/run-lock.lambda';
import { InvalidStackSetWaveEventError } from '../../src/handlers/stackset-wave.lambda';

function plan(overrides: Partial<RunPlan> = {}): RunPlan {
  return {
    formatVersion: 1,
    installationId: 'default',
    inputHash: 'h1',
    findings: [],
    steps: [],
    homeRegion: 'us-east-1',
    managementAccountId: '111111111111',
    stackSets: {
      summaries: [],
      dependsOn: { b: ['a'], c: ['b'], d: [] },
      templateDiffs: {},
      waves: [['a', 'd'], ['b'], ['c']],
    },
    ...overrides,
  };
}

const step = (id: string, extra: Record<string, unknown> = {}) =>
  ({
    id,
    kind: 'stackset.create-instances',
    summary: `step ${id}`,
    resource: 'a',
    stackSetName: 'S-a',
    preferences: {},
    targets: { accounts: ['200000000000'], regions: ['us-east-1'] },
    ...extra,
  }) as any;

describe('nextWave', () => {
  const withSteps = (...resources: string[]) =>
    resources.map((r, i) => step(`s${i}`, { resource: r, stackSetName: `S-${r}` }));

  test('skips dependants of a failure, transitively, with reasons, and sums up every failure and skip', () => {
    const p = plan({ steps: withSteps('a', 'b', 'c', 'd') });
    const first = nextWave(p, undefined);
    expect(first).toMatchObject({ run: ['a', 'd'], done: false });
    const second = nextWave(p, first.progress, [
      { resource: 'a', status: 'failed', message: 'x'.repeat(5000) },
      { resource: 'd', status: 'succeeded' },
    ]);
    expect(second).toMatchObject({ run: [], done: true, failed: true });
    expect(second.progress.failed[0].message).toHaveLength(1000);
    expect(second.progress.skipped).toEqual([
      { resource: 'b', reason: 'not run: it depends on a, which failed' },
      { resource: 'c', reason: 'not run: it depends on b, which was not run' },
    ]);
    expect(second.summary).toMatch(
      /^1 stack set\(s\) succeeded, 1 failed, 2 skipped\. FAILED a: x+\nSKIPPED b: .*\nSKIPPED c: /s,
    );
  });

  test('does not run a stack set without a step in the approved plan, and runs its dependants', () => {
    const p = plan({ steps: withSteps('b', 'd') });
    const first = nextWave(p, undefined);
    expect(first).toMatchObject({ run: ['d'], done: false });
    expect(first.progress.unchanged).toEqual(['a']);
    const second = nextWave(p, first.progress, [{ resource: 'd', status: 'succeeded' }]);
    expect(second).toMatchObject({ run: ['b'], done: false });
    const third = nextWave(p, second.progress, [{ resource: 'b', status: 'succeeded' }]);
    expect(third).toMatchObject({ run: [], done: true, failed: false });
    expect(third.progress.unchanged).toEqual(['a', 'c']);
    expect(third.summary).toBe(
      '2 stack set(s) succeeded, 0 failed, 0 skipped, 2 unchanged (no step in the approved plan)',
    );
  });

  test('ends at once when the approved plan has no stack set step', () => {
    const result = nextWave(plan(), undefined);
    expect(result).toMatchObject({ run: [], done: true, failed: false });
    expect(result.progress.unchanged).toEqual(['a', 'd', 'b', 'c']);
  });

  test('survives the progress of an execution started before unchanged stack sets were counted (redrive)', () => {
    const p = plan({ steps: withSteps('a', 'b', 'c', 'd') });
    const result = nextWave(p, { wave: 1, succeeded: ['a', 'd'], failed: [], skipped: [] }, []);
    expect(result).toMatchObject({ run: ['b'], done: false });
    expect(result.progress.unchanged).toEqual([]);
  });

  test('puts stack sets that left the manifest first, one per wave', () => {
    const p = plan({
      steps: [step('r1', { resource: 'CustomControlTower-gone', kind: 'stackset.delete' })],
      stackSets: { ...plan().stackSets, summaries: [{ resource: 'CustomControlTower-gone' } as any] },
    });
    expect(nextWave(p, undefined).run).toEqual(['CustomControlTower-gone']);
  });
});

describe('compareWithApproved', () => {
  test('approves a plan whose steps are already done, with CFCT-C060', () => {
    const approved = plan({ steps: [step('s1')] });
    const check = compareWithApproved(approved, plan({ inputHash: 'h2' }), 'stacksets');
    expect(check).toMatchObject({
      approved: true,
      alreadyDone: 1,
      findings: [expect.objectContaining({ ruleId: 'CFCT-C060', severity: 'info' })],
    });
  });

  test('approves completing approved instances with an update, refuses instances the approval did not cover (CFCT-C010)', () => {
    const approved = plan({ steps: [step('s1')] });
    expect(
      compareWithApproved(
        approved,
        plan({ inputHash: 'h2', steps: [step('s2', { kind: 'stackset.update-instances' })] }),
        'stacksets',
      ).approved,
    ).toBe(true);
    const wider = compareWithApproved(
      approved,
      plan({
        inputHash: 'h2',
        steps: [step('s3', { targets: { accounts: ['200000000000', '299999999999'], regions: ['us-east-1'] } })],
      }),
      'stacksets',
    );
    expect(wider).toMatchObject({
      approved: false,
      findings: [expect.objectContaining({ ruleId: 'CFCT-C010', severity: 'error' })],
    });
    expect(wider.message).toContain('1 change(s) were not approved (step s3)');
  });

  test('fails when the approved plan has errors', () => {
    const approved = plan({ findings: [{ ruleId: 'CFCT-K001', severity: 'error', message: 'bad' }] });
    expect(compareWithApproved(approved, approved, 'policies')).toMatchObject({
      approved: false,
      message: expect.stringContaining('refused: the approved plan has errors'),
    });
  });
});

describe('the tasks refuse bad events with their own error names', () => {
  const handlers = realHandlers(new PipelineWorld({ accounts: 1 }).deps);
  test.each([
    [
      'planCheck',
      {
        region: 'us-east-1',
        plan: { bucket: 'b', key: 'k' },
        package: { bucket: 'b', key: 'k' },
        options: { bucket: 'b', key: 'k' },
        scope: 'everything',
      },
      InvalidPlanCheckEventError,
      'scope must be "policies" or "stacksets"',
    ],
    [
      'policySteps',
      { installationId: 'default', region: 'us-east-1', plan: { bucket: 'b', key: 'k' }, index: -1 },
      InvalidPolicyStepsEventError,
      'index must be a non-negative integer',
    ],
    [
      'lock',
      { region: 'us-east-1', lock: { bucket: 'b', key: 'k' }, action: 'release' },
      InvalidRunLockEventError,
      'release needs the held lock',
    ],
    [
      'wave',
      { region: 'us-east-1', plan: { bucket: 'b' } },
      InvalidStackSetWaveEventError,
      'plan must be { bucket, key }',
    ],
  ] as const)('fails when the %s event is malformed', async (kind, event, errorClass, message) => {
    await expect(handlers[kind]({ correlationId: 'run-1', ...event })).rejects.toThrow(errorClass);
    await expect(handlers[kind]({ correlationId: 'run-1', ...event })).rejects.toThrow(message);
  });
});
