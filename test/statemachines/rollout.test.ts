/**
 * End to end: the synthesized ASL of both state machines, executed locally with the real
 * handlers against the stateful AWS fake, for a package with SCPs, an RCP and stack sets with
 * dependencies and export_outputs.
 */
import { execute, realHandlers, synthesize } from './harness';
import { PipelineWorld, samplePackage } from './world';

const synthesized = synthesize();

async function deploy(world: PipelineWorld, runId: string, files = samplePackage()) {
  const run = await world.build(files, runId);
  const handlers = realHandlers(world.deps);
  const before = world.fake.calls.length;
  const policies = await execute(synthesized.policyMachine, run.policyStateMachineInput, handlers);
  const stackSets =
    policies.status === 'SUCCEEDED'
      ? await execute(synthesized.stackSetMachine, run.stackSetStateMachineInput, handlers)
      : undefined;
  return { run, policies, stackSets, calls: world.callsSince(before) };
}

function policyNamesOn(world: PipelineWorld, targetId: string): string[] {
  return world.organizations
    .attachedTo(targetId)
    .map((id) => world.organizations.policy(id)!.name)
    .sort();
}

describe('a pipeline run through both state machines', () => {
  test('first rollout: policies attached, stack sets deployed in dependency order, outputs exported, lock released', async () => {
    const world = new PipelineWorld();
    const { policies, stackSets, run } = await deploy(world, 'exec-first');
    expect(policies).toMatchObject({ status: 'SUCCEEDED' });
    expect(stackSets).toMatchObject({ status: 'SUCCEEDED' });

    const workloads = world.ous.get('Workloads')!;
    expect(policyNamesOn(world, workloads)).toEqual(
      ['FullAWSAccess', 'RCPFullAWSAccess', 'deny-leave', 'deny-root', 'secure-transport'].sort(),
    );
    for (const name of ['network', 'app', 'app-config', 'logging']) {
      expect(world.cfn.instancesOf(`CustomControlTower-${name}`)).toEqual(
        world.accounts.flatMap((a) => [`${a}/eu-west-1:CURRENT`, `${a}/us-east-1:CURRENT`]).sort(),
      );
    }
    // app read network's export: its parameter holds the output of network's first instance.
    expect(world.ssm.get({ accountId: '111111111111', region: 'us-east-1' }, '/org/network/vpc-name')?.value).toBe(
      'vpc-main',
    );
    expect(world.cfn.parametersOf('CustomControlTower-app')).toEqual({ VpcName: 'vpc-main' });
    // Dependency order: network before app, app before app-config.
    const order = world.cfn
      .operations()
      .filter((o) => o.action === 'CREATE')
      .map((o) => o.stackSet);
    expect(order.indexOf('CustomControlTower-network')).toBeLessThan(order.indexOf('CustomControlTower-app'));
    expect(order.indexOf('CustomControlTower-app')).toBeLessThan(order.indexOf('CustomControlTower-app-config'));
    // Both machines released the lock.
    expect(
      world.s3.objects.has(`${run.policyStateMachineInput.lock.bucket}/${run.policyStateMachineInput.lock.key}`),
    ).toBe(false);
    // Every log line carries the run id as correlation id.
    expect(world.logs.every((l) => l.correlationId === 'exec-first')).toBe(true);
  });

  test('a second run of the same package makes zero writes and both machines succeed', async () => {
    const world = new PipelineWorld();
    await deploy(world, 'exec-first');
    const second = await deploy(world, 'exec-second');
    expect(second.run.planSteps).toBe(0);
    expect(second.policies.status).toBe('SUCCEEDED');
    expect(second.stackSets?.status).toBe('SUCCEEDED');
    expect(second.calls.writes).toEqual([]);
    expect(second.stackSets?.invocations.step ?? 0).toBe(0);
    // Nothing to apply: neither machine reads the organization or the stack sets again, no stack set is prepared.
    expect(second.calls.byService.organizations ?? 0).toBe(0);
    expect(second.calls.byService.cloudformation ?? 0).toBe(0);
    expect(second.stackSets?.invocations.prepare ?? 0).toBe(0);
    expect(second.policies.invocations.policySteps ?? 0).toBe(0);
    expect(second.policies.output).toMatchObject({
      check: { approved: true, stepsInScope: 0, findings: [expect.objectContaining({ ruleId: 'CFCT-C070' })] },
    });
    expect(second.stackSets?.output).toMatchObject({ check: { approved: true, stepsInScope: 0 } });
  });

  test('a run that changes one policy applies it and prepares no stack set', async () => {
    const world = new PipelineWorld();
    await deploy(world, 'exec-first');
    const files = samplePackage();
    const changed = JSON.parse(files['policies/deny-root.json']);
    changed.Statement[0].Sid = 'Changed';
    const second = await deploy(world, 'exec-second', { ...files, 'policies/deny-root.json': JSON.stringify(changed) });
    expect(second.policies.status).toBe('SUCCEEDED');
    expect(second.calls.writes).toEqual(['organizations:UpdatePolicy']);
    expect(second.stackSets?.status).toBe('SUCCEEDED');
    expect(second.stackSets?.invocations.prepare ?? 0).toBe(0);
    expect(second.stackSets?.invocations.wave ?? 0).toBe(0);
  });
});
