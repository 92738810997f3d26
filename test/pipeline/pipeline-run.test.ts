/**
 * A pipeline run, end to end, here: the build stage's one command (`cfct pipeline-build`)
 * in-process against the stateful fake, then the synthesized state machines executed with
 * aws-local-stepfunctions and the real handlers against the same fake; the new-account trigger
 * feeding a scoped run; and a change made after approval refused.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { lifecycleEvent } from './events';
import { run } from '../../src/cli/program';
import { handleLifecycleBatch } from '../../src/handlers/lifecycle-trigger.lambda';
import { tempDir } from '../cli/support';
import { FakeCodePipeline } from '../fake/codepipeline';
import { execute, realHandlers, RUN_BUCKET, synthesize } from '../statemachines/harness';
import { PipelineWorld, samplePackage } from '../statemachines/world';

const synthesized = synthesize();

function writePackage(files: Record<string, string>): string {
  const dir = tempDir('cfct-pkg-');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** The build stage as CodeBuild runs it: one command, here in-process against the fake. */
async function buildStage(
  world: PipelineWorld,
  packageDir: string,
  executionId: string,
  accounts = 'all',
  flags: readonly string[] = [],
) {
  const out = join(tempDir(), 'out');
  let stdout = '';
  let stderr = '';
  const code = await run(
    [
      'node',
      'cfct',
      'pipeline-build',
      packageDir,
      '--bucket',
      RUN_BUCKET,
      '--execution-id',
      executionId,
      '--accounts',
      accounts,
      '--out',
      out,
      ...flags,
    ],
    {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      aws: () => world.clients,
      clock: world.fake.clock,
      interactive: false,
    },
  );
  if (code !== 0) throw new Error(`pipeline-build failed (${code}): ${stderr}`);
  const read = (name: string) => JSON.parse(readFileSync(join(out, name), 'utf8'));
  return {
    stdout,
    stderr,
    plan: read('plan.json'),
    policyInput: read('policy-input.json'),
    stackSetInput: read('stackset-input.json'),
  };
}

async function deployStages(world: PipelineWorld, build: Awaited<ReturnType<typeof buildStage>>) {
  const handlers = realHandlers(world.deps);
  const before = world.fake.calls.length;
  const policies = await execute(synthesized.policyMachine, build.policyInput, handlers, {
    executionName: `policies-${build.policyInput.runId}`,
  });
  const stackSets =
    policies.status === 'SUCCEEDED'
      ? await execute(synthesized.stackSetMachine, build.stackSetInput, handlers, {
          executionName: `stacksets-${build.stackSetInput.runId}`,
        })
      : undefined;
  const calls = world.fake.calls.slice(before);
  return { policies, stackSets, calls, writes: world.callsSince(before).writes };
}

describe('a pipeline run, end to end', () => {
  test('build stage → policies → stack sets: the organization ends as the package says; a second run makes no write', async () => {
    const world = new PipelineWorld();
    const dir = writePackage(samplePackage());

    const first = await buildStage(world, dir, 'exec-1');
    expect(first.stdout).toMatch(/^plan: \d+ to create/);
    const deployed = await deployStages(world, first);
    expect(deployed.policies.status).toBe('SUCCEEDED');
    expect(deployed.stackSets?.status).toBe('SUCCEEDED');

    const workloads = world.ous.get('Workloads')!;
    const attached = world.organizations
      .attachedTo(workloads)
      .map((id) => world.organizations.policy(id)!.name)
      .sort();
    expect(attached).toEqual(
      ['FullAWSAccess', 'RCPFullAWSAccess', 'deny-leave', 'deny-root', 'secure-transport'].sort(),
    );
    for (const name of ['network', 'app', 'app-config', 'logging']) {
      expect(world.cfn.instancesOf(`CustomControlTower-${name}`)).toEqual(
        world.accounts.flatMap((a) => [`${a}/eu-west-1:CURRENT`, `${a}/us-east-1:CURRENT`]).sort(),
      );
    }

    const second = await buildStage(world, dir, 'exec-2');
    expect(second.stdout).toContain('plan: 0 to create, 0 to update, 0 to delete');
    expect(second.plan.steps).toEqual([]);
    const again = await deployStages(world, second);
    expect(again.policies.status).toBe('SUCCEEDED');
    expect(again.stackSets?.status).toBe('SUCCEEDED');
    expect(again.writes).toEqual([]);
  });

  test('the build stage reads stack set states through the cache, which the stack set state machine refreshes at its end: no-change runs after a rollout make no ListStackInstances call, and plan the same', async () => {
    const world = new PipelineWorld();
    const dir = writePackage(samplePackage());
    const first = await buildStage(world, dir, 'exec-1');
    expect(first.stderr).not.toContain('stack set state cache'); // no fingerprint key yet: no cache use
    expect((await deployStages(world, first)).stackSets?.status).toBe('SUCCEEDED');

    // The stack set state machine left each stack set's state and merged them into the cache at
    // its end: the first no-change run after the rollout confirms every stack set with one call.
    const stackSets = ['network', 'app', 'app-config', 'logging'].map((n) => `CustomControlTower-${n}`);
    const afterRollout = world.fake.calls.length;
    const second = await buildStage(world, dir, 'exec-2');
    expect(second.plan.steps).toEqual([]);
    expect(second.stderr).toMatch(
      /stack set state cache s3:\/\/cfct-artifacts\/cfct\/runs\/stack-set-states\.json: 4 confirmed, /,
    );
    expect(world.fake.calls.slice(afterRollout).filter((c) => c.operation === 'ListStackInstances')).toEqual([]);
    const before = world.fake.calls.length;
    const third = await buildStage(world, dir, 'exec-3');
    const calls = world.fake.calls.slice(before);
    expect(third.plan).toEqual(second.plan);
    expect(calls.filter((c) => c.operation === 'ListStackInstances')).toEqual([]);
    for (const name of stackSets) {
      const mine = calls.filter((c) => (c.input as { StackSetName?: string }).StackSetName === name);
      expect(mine.map((c) => c.operation)).toEqual(['ListStackSetOperations']);
    }
    expect(third.stderr).toMatch(/: 4 confirmed, \d+ read in full, not written/);

    // A new account: the plan check re-plans through the cache too (one ListStackSetOperations per stack set).
    world.organizations.addAccount({ id: '123412341234', name: 'New', parentId: world.ous.get('Workloads')! });
    const fourth = await buildStage(world, dir, 'exec-4');
    expect(fourth.plan.steps.length).toBeGreaterThan(0);
    const deployed = await deployStages(world, fourth);
    expect(deployed.stackSets?.status).toBe('SUCCEEDED');
    const listed = deployed.calls.filter((c) => c.operation === 'ListStackSetOperations');
    for (const name of stackSets) {
      expect(listed.filter((c) => (c.input as { StackSetName: string }).StackSetName === name).length).toBeGreaterThan(
        0,
      );
    }
  });

  test('a lifecycle event for a new account gives a scoped run that touches only that account', async () => {
    const world = new PipelineWorld();
    const dir = writePackage(samplePackage());
    await deployStages(world, await buildStage(world, dir, 'exec-1'));

    // Control Tower enrolls a new account in Workloads: the trigger starts a run scoped to it.
    const newAccount = '299999999999';
    world.organizations.addAccount({
      id: newAccount,
      name: 'New',
      email: 'new@example.com',
      parentId: world.ous.get('Workloads')!,
    });
    const codePipeline = new FakeCodePipeline(world.fake);
    codePipeline.addPipeline('cfct', { ACCOUNTS: 'all' });
    await handleLifecycleBatch(
      {
        Records: [
          {
            messageId: 'm1',
            receiptHandle: 'r',
            body: JSON.stringify(lifecycleEvent(newAccount)),
            attributes: {} as never,
            messageAttributes: {},
            md5OfBody: '',
            eventSource: 'aws:sqs',
            eventSourceARN: 'q',
            awsRegion: 'us-east-1',
          },
        ],
      },
      {
        clients: () => world.clients,
        region: 'us-east-1',
        pipelineName: 'cfct',
        clock: world.fake.clock,
        log: () => undefined,
      },
    );
    const [execution] = codePipeline.executions;
    expect(execution.variables.ACCOUNTS).toBe(newAccount);

    // The build stage receives #{variables.ACCOUNTS} as --accounts.
    const scoped = await buildStage(world, dir, execution.pipelineExecutionId, execution.variables.ACCOUNTS);
    expect(scoped.plan.accounts).toEqual([newAccount]);
    const result = await deployStages(world, scoped);
    expect(result.stackSets?.status).toBe('SUCCEEDED');

    // Only the new account's instances were created; no other account was named by any write.
    const instanceWrites = result.calls.filter(
      (c) => /StackInstances$/.test(c.operation) && !/^(List|Describe)/.test(c.operation),
    );
    expect(instanceWrites.length).toBe(4);
    for (const call of instanceWrites) expect((call.input as { Accounts?: string[] }).Accounts).toEqual([newAccount]);
    expect(result.writes.filter((w) => !/StackInstances$/.test(w))).toEqual([]);
    for (const name of ['network', 'app', 'app-config', 'logging']) {
      expect(world.cfn.instancesOf(`CustomControlTower-${name}`)).toContain(`${newAccount}/us-east-1:CURRENT`);
    }
  });

  test('fails when the organization changed after the plan was approved: the deploy stage refuses and writes nothing', async () => {
    const world = new PipelineWorld();
    const dir = writePackage(samplePackage());
    const approved = await buildStage(world, dir, 'exec-1');
    expect(approved.plan.steps.length).toBeGreaterThan(0);

    // After approval, before the deploy stages run: an account moves into the targeted OU.
    world.organizations.addAccount({
      id: '288888888888',
      name: 'Late',
      email: 'late@example.com',
      parentId: world.ous.get('Workloads')!,
    });
    const result = await deployStages(world, approved);
    expect(result.policies.status).toBe('FAILED');
    expect(result.policies.error).toBe('PlanRefused');
    expect(result.stackSets).toBeUndefined();
    expect(result.writes).toEqual([]);
    expect(world.cfn.instancesOf('CustomControlTower-network')).toEqual([]);
  });
});

describe('a pipeline run with installation stack set defaults', () => {
  const defaults = {
    MaxConcurrentCount: 2,
    FailureToleranceCount: 1,
    RegionConcurrencyType: 'SEQUENTIAL',
    RegionOrder: ['eu-west-1', 'us-east-1'],
  };
  const flags = ['--operation-preferences', JSON.stringify(defaults), '--stack-set-order', 'dependencies'];
  /** The sample package without its own stack_set_order; `logging` sets its own concurrency. */
  function packageWithoutOrder(): string {
    const files = samplePackage();
    const manifest = files['manifest.yaml']
      .replace('stack_set_order: dependencies\n', '')
      .replace(
        '    resource_file: templates/logging.json\n',
        '    resource_file: templates/logging.json\n    operation_preferences:\n      MaxConcurrentPercentage: 50\n',
      );
    return writePackage({ ...files, 'manifest.yaml': manifest });
  }

  test('the build stage plans with the defaults and the state machines apply them, without refusing the approved plan', async () => {
    const world = new PipelineWorld();
    const build = await buildStage(world, packageWithoutOrder(), 'exec-defaults', 'all', flags);
    // The default order: independent stack sets share a wave (sequential would give one each).
    expect(build.plan.stackSets.waves).toEqual([['network', 'logging'], ['app'], ['app-config']]);
    const planned = build.plan.steps.filter((s: { preferences?: unknown }) => s.preferences);
    expect(new Set(planned.map((s: { resource: string }) => s.resource))).toEqual(
      new Set(['network', 'app', 'app-config', 'logging']),
    );
    const merged = { ...defaults, ConcurrencyMode: 'SOFT_FAILURE_TOLERANCE' };
    const { MaxConcurrentCount: _count, ...withoutCount } = merged;
    const expected = (resource: string) =>
      resource === 'logging' ? { ...withoutCount, MaxConcurrentPercentage: 50 } : merged;
    for (const step of planned) expect(step.preferences).toEqual(expected(step.resource));

    // What the state machines re-plan from: the stored run options and the run input carry both defaults.
    const stored = (name: string) =>
      JSON.parse(world.s3.objects.get(`${RUN_BUCKET}/cfct/runs/exec-defaults/${name}`)!.toString('utf8'));
    const carried = {
      defaultOperationPreferences: {
        maxConcurrentCount: 2,
        failureToleranceCount: 1,
        regionConcurrencyType: 'SEQUENTIAL',
        regionOrder: ['eu-west-1', 'us-east-1'],
      },
      defaultStackSetOrder: 'dependencies',
    };
    expect(stored('options.json').stackSets).toMatchObject(carried);
    expect(stored('stacksets.json').settings).toMatchObject(carried);

    const deployed = await deployStages(world, build);
    expect(deployed.policies.status).toBe('SUCCEEDED');
    expect(deployed.stackSets?.status).toBe('SUCCEEDED');
    const operations = world.cfn.operationPreferences();
    expect(operations.length).toBeGreaterThanOrEqual(4);
    for (const op of operations) {
      expect(op.preferences).toEqual(expected(op.stackSet.replace('CustomControlTower-', '')));
    }

    // The next run with the same defaults has nothing to do; without them, the order changes back.
    const again = await buildStage(world, packageWithoutOrder(), 'exec-defaults-2', 'all', flags);
    expect(again.plan.steps).toEqual([]);
    const plain = await buildStage(world, packageWithoutOrder(), 'exec-defaults-3');
    expect(plain.plan.stackSets.waves).toEqual([['network'], ['app'], ['app-config'], ['logging']]);
  });
});
