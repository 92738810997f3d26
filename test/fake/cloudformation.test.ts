/**
 * The CloudFormation fake is as unkind as StackSets: per-Region failure tolerance with CANCELLED
 * instances, StackInstanceNotFoundException from UpdateStackSet, template body and capability
 * checks, tag rules. Through the real SDK client.
 */
import {
  CreateStackInstancesCommand,
  CreateStackSetCommand,
  DescribeStackSetCommand,
  DescribeStackSetOperationCommand,
  InsufficientCapabilitiesException,
  ListStackSetOperationResultsCommand,
  OperationIdAlreadyExistsException,
  OperationInProgressException,
  ListStackSetOperationsCommand,
  paginateListStackInstances,
  paginateListStackSetOperations,
  StackInstanceNotFoundException,
  UpdateStackSetCommand,
} from '@aws-sdk/client-cloudformation';
import { fakeAwsClients } from './clients';
import { FakeCloudFormation } from './cloudformation';
import { FakeAws } from './core';
import { FakeSts } from './sts';
import { accountIds, HOME, StackSetWorld, template } from '../engine/stacksets/env';

const ACCOUNTS = accountIds(4);
const CAPS = ['CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'] as const;

async function createdSet(w: StackSetWorld, name = 'S') {
  const cfn = w.clients.cloudFormation(HOME);
  await cfn.send(
    new CreateStackSetCommand({ StackSetName: name, TemplateBody: template('a'), Capabilities: [...CAPS] }),
  );
  return cfn;
}

async function finish(w: StackSetWorld, name: string, operationId: string) {
  const cfn = w.clients.cloudFormation(HOME);
  for (;;) {
    const op = await cfn.send(new DescribeStackSetOperationCommand({ StackSetName: name, OperationId: operationId }));
    if (op.StackSetOperation!.Status !== 'RUNNING') {
      const results = await cfn.send(
        new ListStackSetOperationResultsCommand({ StackSetName: name, OperationId: operationId }),
      );
      return {
        status: op.StackSetOperation!.Status,
        reason: op.StackSetOperation!.StatusReason,
        results: (results.Summaries ?? []).map((r) => `${r.Account}/${r.Region}:${r.Status}`).sort(),
      };
    }
  }
}

describe('fake CloudFormation: failure tolerance per Region', () => {
  test("fails when a Region's failures exceed its tolerance: the rest of that Region and every later Region are CANCELLED (SEQUENTIAL)", async () => {
    const w = new StackSetWorld();
    const cfn = await createdSet(w);
    w.cfn.failingTargets.add(`${ACCOUNTS[0]}/${HOME}`);
    const { OperationId } = await cfn.send(
      new CreateStackInstancesCommand({
        StackSetName: 'S',
        Accounts: ACCOUNTS,
        Regions: [HOME, 'eu-west-1'],
        OperationPreferences: {
          FailureToleranceCount: 0,
          MaxConcurrentCount: 1,
          RegionConcurrencyType: 'SEQUENTIAL',
          RegionOrder: [HOME, 'eu-west-1'],
        },
      }),
    );
    const done = await finish(w, 'S', OperationId!);
    expect(done.status).toBe('FAILED');
    expect(done.reason).toMatch(/failure tolerance/);
    expect(done.results).toEqual(
      [
        `${ACCOUNTS[0]}/${HOME}:FAILED`,
        ...ACCOUNTS.slice(1).map((a) => `${a}/${HOME}:CANCELLED`),
        ...ACCOUNTS.map((a) => `${a}/eu-west-1:CANCELLED`),
      ].sort(),
    );
    // Cancelled instances exist, OUTDATED, as StackSets leaves them.
    expect(w.cfn.instancesOf('S').filter((i) => i.endsWith(':OUTDATED'))).toHaveLength(8);
  });

  test('PARALLEL Regions: a Region over its tolerance does not cancel another; a tolerance of 1 absorbs one failure', async () => {
    const w = new StackSetWorld();
    const cfn = await createdSet(w);
    w.cfn.failingTargets.add(`${ACCOUNTS[0]}/${HOME}`);
    const strict = await cfn.send(
      new CreateStackInstancesCommand({
        StackSetName: 'S',
        Accounts: ACCOUNTS,
        Regions: [HOME, 'eu-west-1'],
        OperationPreferences: { FailureToleranceCount: 0, MaxConcurrentCount: 1, RegionConcurrencyType: 'PARALLEL' },
      }),
    );
    const first = await finish(w, 'S', strict.OperationId!);
    expect(first.status).toBe('FAILED');
    expect(first.results.filter((r) => r.includes('/eu-west-1:'))).toEqual(
      ACCOUNTS.map((a) => `${a}/eu-west-1:SUCCEEDED`),
    );
    expect(first.results.filter((r) => r.includes(`/${HOME}:`))).toEqual([
      `${ACCOUNTS[0]}/${HOME}:FAILED`,
      ...ACCOUNTS.slice(1).map((a) => `${a}/${HOME}:CANCELLED`),
    ]);

    const tolerant = await cfn.send(
      new CreateStackInstancesCommand({
        StackSetName: 'S',
        Accounts: ACCOUNTS,
        Regions: [HOME],
        OperationPreferences: { FailureToleranceCount: 1, MaxConcurrentCount: 1 },
      }),
    );
    const second = await finish(w, 'S', tolerant.OperationId!);
    expect(second.status).toBe('SUCCEEDED');
    expect(second.results.filter((r) => r.endsWith(':FAILED'))).toEqual([`${ACCOUNTS[0]}/${HOME}:FAILED`]);
  });

  test('percentages are per Region and round down (10% of 4 accounts tolerates none)', async () => {
    const w = new StackSetWorld();
    const cfn = await createdSet(w);
    w.cfn.failingTargets.add(`${ACCOUNTS[3]}/eu-west-1`);
    const started = await cfn.send(
      new CreateStackInstancesCommand({
        StackSetName: 'S',
        Accounts: ACCOUNTS,
        Regions: [HOME, 'eu-west-1'],
        OperationPreferences: {
          FailureTolerancePercentage: 10,
          MaxConcurrentPercentage: 100,
          RegionConcurrencyType: 'PARALLEL',
          ConcurrencyMode: 'SOFT_FAILURE_TOLERANCE',
        },
      }),
    );
    const done = await finish(w, 'S', started.OperationId!);
    expect(done.status).toBe('FAILED');
    expect(done.results.filter((r) => !r.endsWith(':SUCCEEDED'))).toEqual([`${ACCOUNTS[3]}/eu-west-1:FAILED`]);
  });
});

describe('fake CloudFormation: synchronous refusals', () => {
  test.each([
    [
      'a count with its percentage (concurrency)',
      { MaxConcurrentCount: 2, MaxConcurrentPercentage: 50 },
      /MaxConcurrentCount or MaxConcurrentPercentage, but not both/,
    ],
    [
      'a count with its percentage (tolerance)',
      { FailureToleranceCount: 0, FailureTolerancePercentage: 10 },
      /FailureToleranceCount or FailureTolerancePercentage, but not both/,
    ],
    [
      'MaxConcurrentCount 0',
      { MaxConcurrentCount: 0 },
      /maxConcurrentCount' failed to satisfy constraint: Member must have value greater than or equal to 1/,
    ],
    [
      'MaxConcurrentPercentage 101',
      { MaxConcurrentPercentage: 101 },
      /maxConcurrentPercentage' failed to satisfy constraint: Member must have value between 1 and 100/,
    ],
    [
      'FailureTolerancePercentage -1',
      { FailureTolerancePercentage: -1 },
      /failureTolerancePercentage' failed to satisfy constraint: Member must have value between 0 and 100/,
    ],
    [
      'an unknown RegionConcurrencyType',
      { RegionConcurrencyType: 'ALL_AT_ONCE' },
      /regionConcurrencyType' failed to satisfy constraint: Member must satisfy enum value set/,
    ],
  ])(
    'fails when OperationPreferences hold %s: ValidationError, no operation starts',
    async (_label, preferences, message) => {
      const w = new StackSetWorld();
      const cfn = await createdSet(w);
      const create = cfn.send(
        new CreateStackInstancesCommand({
          StackSetName: 'S',
          Accounts: [ACCOUNTS[0]],
          Regions: [HOME],
          OperationPreferences: preferences as any,
        }),
      );
      await expect(create).rejects.toMatchObject({ name: 'ValidationError', message: expect.stringMatching(message) });
      const update = cfn.send(
        new UpdateStackSetCommand({
          StackSetName: 'S',
          TemplateBody: template('b'),
          Capabilities: [...CAPS],
          OperationPreferences: preferences as any,
        }),
      );
      await expect(update).rejects.toMatchObject({ name: 'ValidationError' });
      expect(w.cfn.stackSets.get('S')!.templateBody).toBe(template('a'));
      expect(w.cfn.operations()).toEqual([]);
    },
  );

  test('accepts RegionOrder with PARALLEL Regions and one of each pair (a count and a percentage)', async () => {
    const w = new StackSetWorld();
    const cfn = await createdSet(w);
    const started = await cfn.send(
      new CreateStackInstancesCommand({
        StackSetName: 'S',
        Accounts: [ACCOUNTS[0]],
        Regions: [HOME, 'eu-west-1'],
        OperationPreferences: {
          MaxConcurrentCount: 3,
          FailureTolerancePercentage: 10,
          RegionConcurrencyType: 'PARALLEL',
          RegionOrder: ['eu-west-1', HOME],
        },
      }),
    );
    expect((await finish(w, 'S', started.OperationId!)).status).toBe('SUCCEEDED');
  });

  test('fails when UpdateStackSet names accounts without instances: StackInstanceNotFoundException, nothing changes', async () => {
    const w = new StackSetWorld();
    const cfn = await createdSet(w);
    const created = await cfn.send(
      new CreateStackInstancesCommand({ StackSetName: 'S', Accounts: [ACCOUNTS[0]], Regions: [HOME] }),
    );
    await finish(w, 'S', created.OperationId!);
    const update = cfn.send(
      new UpdateStackSetCommand({
        StackSetName: 'S',
        TemplateBody: template('b'),
        Capabilities: [...CAPS],
        Accounts: [ACCOUNTS[0], ACCOUNTS[1]],
        Regions: [HOME],
      }),
    );
    await expect(update).rejects.toBeInstanceOf(StackInstanceNotFoundException);
    await expect(update).rejects.toThrow(`${ACCOUNTS[1]}/${HOME}`);
    expect(w.cfn.stackSets.get('S')!.templateBody).toBe(template('a'));
    expect(w.cfn.operations()).toHaveLength(1);
  });

  test('fails when the template body does not parse or has no Resources: ValidationError', async () => {
    const w = new StackSetWorld();
    const cfn = w.clients.cloudFormation(HOME);
    await expect(
      cfn.send(
        new CreateStackSetCommand({ StackSetName: 'S', TemplateBody: '{"Resources": ', Capabilities: [...CAPS] }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationError', message: expect.stringMatching(/^Template format error/) });
    await expect(
      cfn.send(
        new CreateStackSetCommand({ StackSetName: 'S', TemplateBody: 'Description: nothing', Capabilities: [...CAPS] }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationError', message: expect.stringContaining('Resources') });
    await createdSet(w, 'T');
    await expect(
      cfn.send(new UpdateStackSetCommand({ StackSetName: 'T', TemplateBody: 'Resources: [', Capabilities: [...CAPS] })),
    ).rejects.toMatchObject({ name: 'ValidationError' });
    expect(w.cfn.stackSets.has('S')).toBe(false);
    expect(w.cfn.operations()).toEqual([]);
  });

  test('fails when IAM resources lack CAPABILITY_IAM / CAPABILITY_NAMED_IAM, or a transform lacks CAPABILITY_AUTO_EXPAND', async () => {
    const w = new StackSetWorld();
    const cfn = w.clients.cloudFormation(HOME);
    const role = (named: boolean) =>
      JSON.stringify({
        Resources: {
          R: {
            Type: 'AWS::IAM::Role',
            Properties: { AssumeRolePolicyDocument: {}, ...(named ? { RoleName: 'Audit' } : {}) },
          },
        },
      });
    const create = (name: string, body: string, caps: string[]) =>
      cfn.send(new CreateStackSetCommand({ StackSetName: name, TemplateBody: body, Capabilities: caps as any }));
    await expect(create('a', role(false), [])).rejects.toBeInstanceOf(InsufficientCapabilitiesException);
    await expect(create('b', role(true), ['CAPABILITY_IAM'])).rejects.toThrow(
      'Requires capabilities : [CAPABILITY_NAMED_IAM]',
    );
    await expect(create('c', role(false), ['CAPABILITY_IAM'])).resolves.toBeDefined();
    await expect(create('d', role(true), ['CAPABILITY_NAMED_IAM'])).resolves.toBeDefined();
    const transformed =
      'Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n';
    await expect(create('e', transformed, ['CAPABILITY_NAMED_IAM'])).rejects.toThrow(
      'Requires capabilities : [CAPABILITY_AUTO_EXPAND]',
    );
    await expect(create('f', transformed, ['CAPABILITY_AUTO_EXPAND'])).resolves.toBeDefined();
    const macro = JSON.stringify({
      Resources: { B: { Type: 'AWS::S3::Bucket', Properties: { 'Fn::Transform': { Name: 'Upper' } } } },
    });
    await expect(create('g', macro, [])).rejects.toBeInstanceOf(InsufficientCapabilitiesException);
    // UpdateStackSet checks the new template against the capabilities it is given.
    await expect(
      cfn.send(
        new UpdateStackSetCommand({ StackSetName: 'c', TemplateBody: role(true), Capabilities: ['CAPABILITY_IAM'] }),
      ),
    ).rejects.toBeInstanceOf(InsufficientCapabilitiesException);
  });

  test("fails when tags break CloudFormation's rules: more than 50, an aws: key, an empty or too long key or value", async () => {
    const w = new StackSetWorld();
    const cfn = w.clients.cloudFormation(HOME);
    const create = (Tags: { Key: string; Value: string }[]) =>
      cfn.send(new CreateStackSetCommand({ StackSetName: 'S', TemplateBody: template('a'), Tags }));
    const many = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    for (const tags of [
      many,
      [{ Key: 'aws:owner', Value: 'x' }],
      [{ Key: '', Value: 'x' }],
      [{ Key: 'k'.repeat(129), Value: 'x' }],
      [{ Key: 'k', Value: '' }],
      [{ Key: 'k', Value: 'v'.repeat(257) }],
    ]) {
      await expect(create(tags)).rejects.toMatchObject({ name: 'ValidationError' });
    }
    await expect(create(many.slice(0, 50))).resolves.toBeDefined();
    await expect(
      cfn.send(
        new UpdateStackSetCommand({
          StackSetName: 'S',
          TemplateBody: template('a'),
          Tags: [{ Key: 'AWS:x', Value: 'y' }],
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationError' });
  });
});

describe('fake CloudFormation: operation time on the fake clock', () => {
  const timing = { operationStartMs: 20_000, instanceDeploymentMs: 60_000 };
  function timedWorld() {
    const fake = new FakeAws();
    const cfn = new FakeCloudFormation(fake, { timing });
    new FakeSts(fake);
    return { fake, cfn, client: fakeAwsClients(fake, '111111111111', HOME).cloudFormation(HOME) };
  }
  async function check(w: ReturnType<typeof timedWorld>, operationId: string) {
    const op = await w.client.send(
      new DescribeStackSetOperationCommand({ StackSetName: 'S', OperationId: operationId }),
    );
    return op.StackSetOperation!;
  }

  test.each([
    // [preferences, accounts, regions, expected duration]: batches of the concurrency per Region
    [
      'SOFT, 100%: every account at once, Regions in parallel',
      { MaxConcurrentPercentage: 100, FailureTolerancePercentage: 10, ConcurrencyMode: 'SOFT_FAILURE_TOLERANCE' },
      20,
      2,
      20_000 + 60_000,
    ],
    [
      'STRICT, 10% of 20 accounts: 3 at a time (tolerance 2 + 1), 7 batches',
      { MaxConcurrentPercentage: 100, FailureTolerancePercentage: 10, ConcurrencyMode: 'STRICT_FAILURE_TOLERANCE' },
      20,
      2,
      20_000 + 7 * 60_000,
    ],
    [
      'SEQUENTIAL Regions add up',
      {
        MaxConcurrentCount: 10,
        FailureToleranceCount: 0,
        ConcurrencyMode: 'SOFT_FAILURE_TOLERANCE',
        RegionConcurrencyType: 'SEQUENTIAL',
      },
      20,
      3,
      20_000 + 3 * 2 * 60_000,
    ],
    [
      'ConcurrencyMode unset is STRICT: tolerance 0 deploys one account at a time',
      { MaxConcurrentPercentage: 100, FailureToleranceCount: 0 },
      5,
      1,
      20_000 + 5 * 60_000,
    ],
  ])('%s', async (_name, preferences, accounts, regions, expected) => {
    const w = timedWorld();
    await w.client.send(
      new CreateStackSetCommand({ StackSetName: 'S', TemplateBody: template('a'), Capabilities: [...CAPS] }),
    );
    const { OperationId } = await w.client.send(
      new CreateStackInstancesCommand({
        StackSetName: 'S',
        Accounts: accountIds(accounts),
        Regions: [HOME, 'eu-west-1', 'ap-southeast-2'].slice(0, regions),
        OperationPreferences: preferences as any,
      }),
    );
    const startedAt = w.fake.clock.now();
    // One millisecond early it is still running, however often it is checked.
    for (let i = 0; i < 5; i++) expect((await check(w, OperationId!)).Status).toBe('RUNNING');
    w.fake.clock.advance(expected - 1);
    expect((await check(w, OperationId!)).Status).toBe('RUNNING');
    expect(w.cfn.instancesOf('S').filter((i) => i.endsWith(':CURRENT'))).toHaveLength(0);
    w.fake.clock.advance(1);
    const done = await check(w, OperationId!);
    expect(done.Status).toBe('SUCCEEDED');
    expect(done.CreationTimestamp!.getTime()).toBe(startedAt);
    expect(done.EndTimestamp!.getTime()).toBe(startedAt + expected);
    expect(w.cfn.instancesOf('S')).toHaveLength(accounts * regions);
  });

  test('fails when another operation is started before the timed one has ended (OperationInProgressException)', async () => {
    const w = timedWorld();
    await w.client.send(
      new CreateStackSetCommand({ StackSetName: 'S', TemplateBody: template('a'), Capabilities: [...CAPS] }),
    );
    const { OperationId } = await w.client.send(
      new CreateStackInstancesCommand({
        StackSetName: 'S',
        Accounts: accountIds(2),
        Regions: [HOME],
        OperationPreferences: { MaxConcurrentCount: 2, ConcurrencyMode: 'SOFT_FAILURE_TOLERANCE' },
      }),
    );
    w.fake.clock.advance(79_999);
    await check(w, OperationId!);
    await expect(
      w.client.send(
        new UpdateStackSetCommand({ StackSetName: 'S', TemplateBody: template('b'), Capabilities: [...CAPS] }),
      ),
    ).rejects.toThrow(/in progress/);
    w.fake.clock.advance(1);
    expect((await check(w, OperationId!)).Status).toBe('SUCCEEDED');
  });
});

describe('fake CloudFormation: operations, pages and masking', () => {
  test('fails when a second operation starts while one runs: OperationInProgressException; a reused OperationId is OperationIdAlreadyExistsException', async () => {
    const w = new StackSetWorld();
    const cfn = await createdSet(w);
    const first = await cfn.send(
      new CreateStackInstancesCommand({
        StackSetName: 'S',
        Accounts: [ACCOUNTS[0]],
        Regions: [HOME],
        OperationId: 'op-a',
      }),
    );
    await expect(
      cfn.send(new CreateStackInstancesCommand({ StackSetName: 'S', Accounts: [ACCOUNTS[1]], Regions: [HOME] })),
    ).rejects.toBeInstanceOf(OperationInProgressException);
    await finish(w, 'S', first.OperationId!);
    await expect(
      cfn.send(
        new CreateStackInstancesCommand({
          StackSetName: 'S',
          Accounts: [ACCOUNTS[1]],
          Regions: [HOME],
          OperationId: 'op-a',
        }),
      ),
    ).rejects.toBeInstanceOf(OperationIdAlreadyExistsException);
    expect(w.cfn.instancesOf('S')).toEqual([`${ACCOUNTS[0]}/${HOME}:CURRENT`]);
  });

  test('ListStackInstances answers in pages of at most 100, through the real paginator', async () => {
    const w = new StackSetWorld();
    const many = accountIds(130, 100);
    const cfn = await createdSet(w);
    const created = await cfn.send(
      new CreateStackInstancesCommand({ StackSetName: 'S', Accounts: many, Regions: [HOME] }),
    );
    await finish(w, 'S', created.OperationId!);
    const sizes: number[] = [];
    for await (const page of paginateListStackInstances({ client: cfn }, { StackSetName: 'S', MaxResults: 500 })) {
      sizes.push(page.Summaries!.length);
    }
    expect(sizes).toEqual([100, 30]);
  });

  test('ListStackSetOperations lists the oldest first (the API documents no order), in pages of MaxResults, with EndTimestamp once ended', async () => {
    const w = new StackSetWorld();
    const cfn = await createdSet(w);
    const ids: string[] = [];
    for (const accounts of [ACCOUNTS.slice(0, 1), ACCOUNTS.slice(1, 2), ACCOUNTS.slice(2, 3)]) {
      const { OperationId } = await cfn.send(
        new CreateStackInstancesCommand({ StackSetName: 'S', Accounts: accounts, Regions: [HOME] }),
      );
      ids.push(OperationId!);
      if (ids.length < 3) await finish(w, 'S', OperationId!);
    }
    const pages: { OperationId?: string; Status?: string; EndTimestamp?: Date; CreationTimestamp?: Date }[][] = [];
    for await (const page of paginateListStackSetOperations({ client: cfn, pageSize: 2 }, { StackSetName: 'S' })) {
      pages.push(page.Summaries ?? []);
    }
    expect(pages.map((p) => p.map((o) => o.OperationId))).toEqual([ids.slice(0, 2), ids.slice(2)]);
    const all = pages.flat();
    expect(all.map((o) => o.Status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'RUNNING']);
    expect(all.map((o) => o.EndTimestamp !== undefined)).toEqual([true, true, false]);
    expect(all[0].CreationTimestamp!.getTime()).toBeLessThan(all[2].CreationTimestamp!.getTime());
    for (const MaxResults of [0, 101]) {
      await expect(cfn.send(new ListStackSetOperationsCommand({ StackSetName: 'S', MaxResults }))).rejects.toThrow(
        /Member must have value between 1 and 100/,
      );
    }
  });

  test('DescribeStackSet masks NoEcho parameter values as ****', async () => {
    const w = new StackSetWorld();
    const cfn = w.clients.cloudFormation(HOME);
    const body = JSON.stringify({
      Parameters: { Secret: { Type: 'String', NoEcho: true }, Plain: { Type: 'String' } },
      Resources: { Topic: { Type: 'AWS::SNS::Topic' } },
    });
    await cfn.send(
      new CreateStackSetCommand({
        StackSetName: 'S',
        TemplateBody: body,
        Parameters: [
          { ParameterKey: 'Secret', ParameterValue: 'hunter2' },
          { ParameterKey: 'Plain', ParameterValue: 'visible' },
        ],
      }),
    );
    const described = await cfn.send(new DescribeStackSetCommand({ StackSetName: 'S' }));
    expect(described.StackSet!.Parameters).toEqual([
      { ParameterKey: 'Secret', ParameterValue: '****' },
      { ParameterKey: 'Plain', ParameterValue: 'visible' },
    ]);
  });
});
