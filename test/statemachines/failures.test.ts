/**
 * End to end, failure paths: the synthesized state machines executed locally with the real
 * handlers against the AWS fake, with failures injected into the fake.
 */
import { OperationInProgressException } from '@aws-sdk/client-cloudformation';
import { ACCOUNT, execute, realHandlers, REGION, synthesize } from './harness';
import { PipelineWorld, samplePackage } from './world';
import { acquireLock } from '../../src/engine/lock';
import { cloudFormationError } from '../fake/cloudformation';
import { throttling } from '../fake/organizations';

const synthesized = synthesize();

async function build(world: PipelineWorld, runId: string) {
  return world.build(samplePackage(), runId);
}

describe('the stack set state machine contains failures', () => {
  test('fails when a stack set in the middle fails: independent ones deploy, dependants are skipped, the summary lists every failure and skip', async () => {
    const world = new PipelineWorld();
    const run = await build(world, 'exec-fail');
    const handlers = realHandlers(world.deps);
    expect((await execute(synthesized.policyMachine, run.policyStateMachineInput, handlers)).status).toBe('SUCCEEDED');
    world.cfn.failingTargets.add(`CustomControlTower-network:${world.accounts[1]}`);

    const result = await execute(synthesized.stackSetMachine, run.stackSetStateMachineInput, handlers);
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('StackSetsFailed');
    expect(result.cause).toMatch(/^1 stack set\(s\) succeeded, 1 failed, 2 skipped\. /);
    expect(result.cause).toContain('FAILED network: ');
    expect(result.cause).toContain(world.accounts[1]);
    expect(result.cause).toContain('SKIPPED app: not run: it depends on network, which failed');
    expect(result.cause).toContain('SKIPPED app-config: not run: it depends on app, which was not run');
    // The independent stack set deployed; the dependants were never created.
    expect(world.cfn.instancesOf('CustomControlTower-logging')).toHaveLength(world.accounts.length * 2);
    expect(world.cfn.stackSets.has('CustomControlTower-app')).toBe(false);
    expect(world.cfn.stackSets.has('CustomControlTower-app-config')).toBe(false);
    // The lock was released on the way out.
    expect(
      world.s3.objects.has(`${run.stackSetStateMachineInput.lock.bucket}/${run.stackSetStateMachineInput.lock.key}`),
    ).toBe(false);
  });

  test('survives a redrive after a failure: a new execution of the same run resumes without repeating finished work', async () => {
    const world = new PipelineWorld();
    const run = await build(world, 'exec-redrive');
    const handlers = realHandlers(world.deps);
    await execute(synthesized.policyMachine, run.policyStateMachineInput, handlers);
    world.cfn.failingTargets.add(`CustomControlTower-network:${world.accounts[0]}`);
    expect((await execute(synthesized.stackSetMachine, run.stackSetStateMachineInput, handlers)).status).toBe('FAILED');
    const operationsBefore = world.cfn.operations();
    expect(operationsBefore.filter((o) => o.stackSet === 'CustomControlTower-logging')).toHaveLength(1);

    world.cfn.failingTargets.clear();
    const again = await execute(synthesized.stackSetMachine, run.stackSetStateMachineInput, handlers, {
      executionName: 'execution-2',
    });
    expect(again).toMatchObject({ status: 'SUCCEEDED' });
    const operationsAfter = world.cfn.operations();
    const started = operationsAfter.slice(operationsBefore.length);
    // logging (done) is not touched again; network's failed instances are retried; app and app-config run.
    expect(started.map((o) => o.stackSet)).not.toContain('CustomControlTower-logging');
    expect(started.filter((o) => o.stackSet === 'CustomControlTower-network').length).toBeGreaterThan(0);
    for (const name of ['network', 'app', 'app-config', 'logging']) {
      expect(world.cfn.instancesOf(`CustomControlTower-${name}`)).toHaveLength(world.accounts.length * 2);
    }
  });

  test('survives OperationInProgress: a busy stack set is waited for (Wait state) and started again with the attempt counter', async () => {
    const world = new PipelineWorld();
    const run = await build(world, 'exec-busy');
    const handlers = realHandlers(world.deps);
    await execute(synthesized.policyMachine, run.policyStateMachineInput, handlers);
    world.fake.injectFault({
      service: 'cloudformation',
      operation: 'CreateStackInstances',
      rate: 1,
      limit: 2,
      error: () =>
        new OperationInProgressException({ message: 'Another Operation on StackSet is in progress', $metadata: {} }),
    });
    const attempts: number[] = [];
    const result = await execute(synthesized.stackSetMachine, run.stackSetStateMachineInput, handlers, {
      intercept: (state, _kind, event) => {
        if (state === 'StartStep') attempts.push(event.attempt);
      },
    });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.statesEntered.filter((s) => s === 'WaitWhileBusy')).toHaveLength(2);
    // Two starts met the busy stack set; each was started again with attempt 2 after its Wait.
    expect(attempts.filter((a) => a === 2)).toHaveLength(2);
    for (const name of ['network', 'app', 'app-config', 'logging']) {
      expect(world.cfn.instancesOf(`CustomControlTower-${name}`)).toHaveLength(world.accounts.length * 2);
    }
  });

  test("survives throttling beyond the handlers' own retries: the Task Retry runs the task again", async () => {
    const world = new PipelineWorld();
    const run = await build(world, 'exec-throttled');
    const handlers = realHandlers(world.deps);
    // 12 throttled calls in a row: more than a handler's 10 attempts, so one task throws ThrottlingException.
    world.fake.injectFault({
      service: 'organizations',
      operation: 'AttachPolicy',
      rate: 1,
      limit: 12,
      error: () => throttling(),
    });
    const policies = await execute(synthesized.policyMachine, run.policyStateMachineInput, handlers);
    expect(policies.status).toBe('SUCCEEDED');
    expect(policies.retries.ApplyPolicySteps).toBeGreaterThanOrEqual(1);
    // Checks of two stack sets run at once: 25 throttled calls exhaust at least one check's 10 attempts.
    world.fake.injectFault({
      service: 'cloudformation',
      operation: 'DescribeStackSetOperation',
      rate: 1,
      limit: 25,
      error: () => cloudFormationError('Throttling', 'Rate exceeded'),
    });
    const stackSets = await execute(synthesized.stackSetMachine, run.stackSetStateMachineInput, handlers);
    expect(stackSets.status).toBe('SUCCEEDED');
    expect(stackSets.retries.CheckStep).toBeGreaterThanOrEqual(1);
    expect(world.organizations.attachedTo(world.ous.get('Workloads')!).length).toBe(5);
  });
});

describe('the approved plan and the lock', () => {
  test('fails when the organization changed after approval: the policy machine refuses, applies nothing, releases the lock', async () => {
    const world = new PipelineWorld();
    const run = await build(world, 'exec-changed');
    // After approval, an account joins the Workloads OU: the plan would now deploy to it too.
    world.organizations.addAccount({
      id: '299999999999',
      name: 'Late',
      email: 'late@example.com',
      parentId: world.ous.get('Workloads')!,
    });
    const writesBefore = world.fake.calls.length;
    const handlers = realHandlers(world.deps);
    const policies = await execute(synthesized.policyMachine, run.policyStateMachineInput, handlers);
    expect(policies).toMatchObject({ status: 'FAILED', error: 'PlanRefused' });
    expect(policies.cause).toMatch(
      /^refused: the organization or the package changed since the plan was approved; \d+ change\(s\) were not approved/,
    );
    expect(policies.cause).toContain('create 8 instances (4 accounts x 2 regions) of CustomControlTower-network');
    expect(world.callsSince(writesBefore).writes).toEqual([]);
    const stackSets = await execute(synthesized.stackSetMachine, run.stackSetStateMachineInput, handlers);
    expect(stackSets).toMatchObject({ status: 'FAILED', error: 'PlanRefused' });
    expect(world.cfn.stackSets.size).toBe(0);
    expect(
      world.s3.objects.has(`${run.policyStateMachineInput.lock.bucket}/${run.policyStateMachineInput.lock.key}`),
    ).toBe(false);
  });

  test('fails when another run holds the lock, and changes nothing', async () => {
    const world = new PipelineWorld();
    const run = await build(world, 'exec-locked');
    const held = await acquireLock(world.clients.s3(REGION), run.policyStateMachineInput.lock, {
      owner: 'cfct apply on a laptop',
      ttlMs: 3_600_000,
      clock: world.fake.clock,
    });
    expect(held.acquired).toBe(true);
    const before = world.fake.calls.length;
    const result = await execute(synthesized.policyMachine, run.policyStateMachineInput, realHandlers(world.deps));
    expect(result).toMatchObject({ status: 'FAILED', error: 'LockHeld' });
    expect(result.cause).toContain('cfct apply on a laptop');
    expect(world.callsSince(before).writes).toEqual([]);
    expect(world.organizations.attachedTo(world.ous.get('Workloads')!).length).toBe(2);
    void ACCOUNT;
  });
});
