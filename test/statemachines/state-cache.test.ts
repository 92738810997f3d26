/**
 * End to end, the stack set state cache refresh of the stack set state machine: each stack set
 * whose steps ran is read in full once beside the next wave (or after the last one), and the wave
 * task merges those reads into the cache once every state is read. A failed read never fails the
 * run; that stack set is read in full by the next plan.
 */
import { execute, realHandlers, RUN_BUCKET, synthesize } from './harness';
import { PipelineWorld, samplePackage } from './world';
import { stackSetStateCacheKey } from '../../src/engine/stacksets';
import { cloudFormationError } from '../fake/cloudformation';

const synthesized = synthesize();
const CACHE_KEY = `${RUN_BUCKET}/${stackSetStateCacheKey('cfct/runs')}`;

function cachedNames(world: PipelineWorld): string[] {
  const cache = world.s3.objects.get(CACHE_KEY);
  return cache ? Object.keys(JSON.parse(cache.toString()).stackSets ?? {}).sort() : [];
}

function stateFile(world: PipelineWorld, runInputKey: string, name: string): Buffer | undefined {
  return world.s3.objects.get(`${RUN_BUCKET}/${runInputKey.replace(/\/[^/]*$/, '')}/states/${name}.json`);
}

describe('the stack set state machine refreshes the state cache beside the waves', () => {
  test("a wave's stack sets are read while the next wave runs, the last wave's after it, then merged once", async () => {
    const world = new PipelineWorld();
    const run = await world.build(samplePackage(), 'exec-reads');
    const handlers = realHandlers(world.deps);
    expect((await execute(synthesized.policyMachine, run.policyStateMachineInput, handlers)).status).toBe('SUCCEEDED');
    // Who reads a stack set's instances, per state: prepare re-plans, the state reads refresh the cache.
    const readers: { state: string; resource: string }[] = [];
    const result = await execute(synthesized.stackSetMachine, run.stackSetStateMachineInput, handlers, {
      intercept: (state, _kind, event) => readers.push({ state, resource: event.resource }),
    });
    expect(result.status).toBe('SUCCEEDED');
    // network and logging (wave 1) beside app (wave 2), app beside app-config (wave 3), app-config after it.
    const reads = readers.filter((r) => r.state === 'ReadState' || r.state === 'ReadLastState');
    expect(reads).toEqual(
      expect.arrayContaining([
        { state: 'ReadState', resource: 'network' },
        { state: 'ReadState', resource: 'logging' },
        { state: 'ReadState', resource: 'app' },
        { state: 'ReadLastState', resource: 'app-config' },
      ]),
    );
    expect(reads).toHaveLength(4);
    // ExportOutputs only where there are export_outputs (network); it reads no state.
    expect(readers.filter((r) => r.state === 'ExportOutputs').map((r) => r.resource)).toEqual(['network']);
    // The merge runs once, after the last state read, and is reported where it was before.
    const entered = result.statesEntered;
    expect(entered.filter((s) => s === 'MergeStates')).toHaveLength(1);
    expect(entered.lastIndexOf('ReadLastState')).toBeLessThan(entered.indexOf('MergeStates'));
    expect(entered.filter((s) => s === 'DeployWaveAndReadStates')).toHaveLength(3);
    expect(result.output.waves).toMatchObject({ done: true, failed: false, statesToRead: [] });
    expect(result.output.waves.stateCache).toMatchObject({ read: 4, saved: true });
    expect(cachedNames(world)).toEqual(
      ['app', 'app-config', 'logging', 'network'].map((n) => `CustomControlTower-${n}`).sort(),
    );
  });

  test('a state read that fails leaves the run SUCCEEDED, leaves no state file, and the next plan reads that stack set in full', async () => {
    const world = new PipelineWorld();
    const run = await world.build(samplePackage(), 'exec-read-fails');
    const handlers = realHandlers(world.deps);
    expect((await execute(synthesized.policyMachine, run.policyStateMachineInput, handlers)).status).toBe('SUCCEEDED');
    // Faults on ListStackInstances of the state reads only (each stack set's prepare has run by then):
    // logging's read meets an AWS error (the handler catches it), app-config's throttling that
    // outlasts every retry (the state's Catch takes it).
    const failing: Record<string, () => Error> = {
      'CustomControlTower-logging': () => cloudFormationError('AccessDeniedException', 'not today'),
      'CustomControlTower-app-config': () => cloudFormationError('Throttling', 'Rate exceeded'),
    };
    const result = await execute(synthesized.stackSetMachine, run.stackSetStateMachineInput, handlers, {
      intercept: (state, _kind, event) => {
        const name = `CustomControlTower-${event.resource}`;
        if ((state === 'ReadState' || state === 'ReadLastState') && failing[name]) {
          world.fake.injectFault({
            service: 'cloudformation',
            operation: 'ListStackInstances',
            rate: 1,
            when: (input) => input.StackSetName === name,
            error: failing[name],
          });
        }
      },
    });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output.waves).toMatchObject({ done: true, failed: false });
    expect(result.statesEntered).toContain('ReadLastStateNotRead');
    expect(result.retries.ReadLastState).toBeGreaterThan(0);
    for (const name of ['network', 'app', 'app-config', 'logging']) {
      expect(world.cfn.instancesOf(`CustomControlTower-${name}`)).toHaveLength(world.accounts.length * 2);
    }
    const key = run.stackSetStateMachineInput.runInput.key;
    expect(stateFile(world, key, 'CustomControlTower-logging')).toBeUndefined();
    expect(stateFile(world, key, 'CustomControlTower-app-config')).toBeUndefined();
    expect(stateFile(world, key, 'CustomControlTower-network')).toBeDefined();
    expect(stateFile(world, key, 'CustomControlTower-app')).toBeDefined();
    expect(result.output.waves.stateCache).toMatchObject({ read: 2, saved: true });
    expect(cachedNames(world)).toEqual(['CustomControlTower-app', 'CustomControlTower-network']);

    // The next plan: the two stack sets read after the run are confirmed with one call each; the
    // two whose read failed are read in full.
    world.fake.clearFaults();
    const before = world.fake.calls.length;
    const next = await world.build(samplePackage(), 'exec-after');
    expect(next.planSteps).toBe(0);
    const listed = world.fake.calls
      .slice(before)
      .filter((c) => c.operation === 'ListStackInstances')
      .map((c) => (c.input as { StackSetName: string }).StackSetName);
    expect([...new Set(listed)].sort()).toEqual(['CustomControlTower-app-config', 'CustomControlTower-logging']);
    for (const name of ['CustomControlTower-app', 'CustomControlTower-network']) {
      const mine = world.fake.calls
        .slice(before)
        .filter((c) => (c.input as { StackSetName?: string }).StackSetName === name);
      expect(mine.map((c) => c.operation)).toEqual(['ListStackSetOperations']);
    }
  });
});
