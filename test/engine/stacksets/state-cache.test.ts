import {
  CreateStackInstancesCommand,
  DeleteStackInstancesCommand,
  DescribeStackSetCommand,
  DescribeStackSetOperationCommand,
  ListStackSetOperationsCommand,
  UpdateStackSetCommand,
} from '@aws-sdk/client-cloudformation';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { accountIds, desired, HOME, manifest, MANAGEMENT, resource, StackSetWorld, template } from './env';
import {
  applyStackSets,
  readFingerprinter,
  readStackSetSnapshot,
  s3StackSetStateCache,
  ssmNamesOf,
  stackSetStateCacheKey,
  type DesiredStackSet,
  type StackSetSnapshot,
  type StateCacheReport,
} from '../../../src/engine/stacksets';
import { CONTROL_TOWER_BASELINE_STACK_SET } from '../../../src/engine/stacksets/settings';
import { parseS3ObjectUrl, type StackSetStateCache } from '../../../src/engine/stacksets/state-cache';
import type { Manifest, StackSetResource } from '../../../src/manifest/model';

const BUCKET = 'cfct-artifacts';
const KEY = stackSetStateCacheKey('cfct/runs');
const ACCOUNTS = accountIds(3);

function cacheOf(w: StackSetWorld, installationId = 'default'): StackSetStateCache {
  return s3StackSetStateCache({
    clients: w.aws,
    ref: { bucket: BUCKET, key: KEY },
    homeRegion: HOME,
    installationId,
    clock: w.fake.clock,
  });
}

/** A world with two applied stack sets (one reads a SecureString) and Control Tower's baseline stack set. */
async function world() {
  const w = new StackSetWorld();
  w.setAccounts(ACCOUNTS);
  w.ssm.seed({ accountId: MANAGEMENT, region: HOME }, '/org/secret', 'secret-1', 'SecureString');
  w.cfn.seedStackSet({
    name: CONTROL_TOWER_BASELINE_STACK_SET,
    templateBody: template('ct'),
    instances: ACCOUNTS.map((account) => ({ account, region: HOME })),
  });
  const a = resource('a');
  const b = resource('b', {
    parameters: [{ key: 'S', value: '$[alfred_ssm_/org/secret]' }],
    lintSuppressions: [{ ruleId: 'CFCT-M070', reason: 'a test of secrets in plain parameters' }],
  });
  const resources = [a, b];
  const m = manifest(resources);
  const wanted = [desired(a, template('a'), ACCOUNTS), desired(b, template('b', { parameters: ['S'] }), ACCOUNTS)];
  await w.apply(m, wanted);
  return { w, m, wanted, resources };
}

/**
 * Reads the snapshot with the cache and without it: they must be equal. Returns the cache's report
 * and the calls the cached read made, per stack set name.
 */
async function readBoth(
  w: StackSetWorld,
  resources: readonly StackSetResource[],
  cache: StackSetStateCache = cacheOf(w),
): Promise<{ snapshot: StackSetSnapshot; report: StateCacheReport; calls: (name: string) => Record<string, number> }> {
  const request = {
    homeRegion: HOME,
    names: resources.map((r) => w.nameOf(r)),
    prefix: w.settings.prefix,
    ssmNames: ssmNamesOf(resources),
  };
  const fingerprinter = await readFingerprinter(w.clients, HOME, w.fake.clock);
  const from = w.fake.calls.length;
  let report: StateCacheReport | undefined;
  const cached = await readStackSetSnapshot(w.clients, request, w.fake.clock, fingerprinter, {
    cache,
    onCacheReport: (r) => (report = r),
  });
  const made = w.fake.calls.slice(from);
  const full = await readStackSetSnapshot(w.clients, request, w.fake.clock, fingerprinter);
  expect(cached).toEqual(full);
  const calls = (name: string) => {
    const counts: Record<string, number> = {};
    for (const c of made) {
      if ((c.input as { StackSetName?: string })?.StackSetName !== name) continue;
      counts[c.operation] = (counts[c.operation] ?? 0) + 1;
    }
    return counts;
  };
  return { snapshot: cached, report: report!, calls };
}

const CONFIRMED = { ListStackSetOperations: 1 };
const FULL = { ListStackSetOperations: 1, DescribeStackSet: 1, ListStackInstances: 1 };

/** Lets an operation run to its end (the fake ends it after a few checks). */
async function finish(w: StackSetWorld, stackSetName: string, operationId: string): Promise<void> {
  const cfn = w.clients.cloudFormation(HOME);
  for (let i = 0; i < 5; i++) {
    const { StackSetOperation } = await cfn.send(
      new DescribeStackSetOperationCommand({ StackSetName: stackSetName, OperationId: operationId }),
    );
    if (StackSetOperation?.Status !== 'RUNNING') return;
  }
  throw new Error(`operation ${operationId} did not finish`);
}

describe('stack set state cache', () => {
  test('an unchanged stack set costs exactly one ListStackSetOperations call and no DescribeStackSet or ListStackInstances call', async () => {
    const { w, resources } = await world();
    const first = await readBoth(w, resources);
    expect(first.report).toMatchObject({ confirmed: 0, read: 3, saved: true, notes: ['no cache object yet'] });

    const second = await readBoth(w, resources);
    expect(second.report).toMatchObject({ confirmed: 3, read: 0, saved: false, notes: [] });
    for (const name of [...resources.map((r) => w.nameOf(r)), CONTROL_TOWER_BASELINE_STACK_SET]) {
      expect(second.calls(name)).toEqual(CONFIRMED);
    }
    expect(second.snapshot.stackSets[w.nameOf(resources[0])].record).toEqual({ owner: 'default' });
    expect(second.snapshot.baselineAccounts).toEqual(ACCOUNTS);
  });

  test('after a rollout, only the stack set it changed is read in full; the plan reads the same', async () => {
    const { w, m, wanted, resources } = await world();
    await readBoth(w, resources);
    await w.apply(m, [desired(resources[0], template('a2'), ACCOUNTS), wanted[1]]);
    const after = await readBoth(w, resources);
    expect(after.calls(w.nameOf(resources[0]))).toEqual(FULL);
    expect(after.calls(w.nameOf(resources[1]))).toEqual(CONFIRMED);
    expect(after.report).toMatchObject({ confirmed: 2, read: 1, saved: true });
    expect((await readBoth(w, resources)).report).toMatchObject({ confirmed: 3, read: 0 });
  });

  test('an out-of-band UpdateStackSet: read in full while it runs (not cached), and once more after it ended', async () => {
    const { w, resources } = await world();
    const name = w.nameOf(resources[0]);
    await readBoth(w, resources);
    const { OperationId } = await w.clients
      .cloudFormation(HOME)
      .send(
        new UpdateStackSetCommand({ StackSetName: name, TemplateBody: template('by-hand'), Description: 'by hand' }),
      );
    const running = await readBoth(w, resources);
    expect(running.calls(name)).toEqual(FULL);
    expect(running.snapshot.stackSets[name].description).toBe('by hand');
    expect((await readBoth(w, resources)).calls(name)).toEqual(FULL);
    await finish(w, name, OperationId!);
    const ended = await readBoth(w, resources);
    expect(ended.calls(name)).toEqual(FULL);
    expect(ended.snapshot.stackSets[name].instances.map((i) => i.status)).toEqual(['CURRENT', 'CURRENT', 'CURRENT']);
    expect((await readBoth(w, resources)).calls(name)).toEqual(CONFIRMED);
  });

  test('DeleteStackInstances out of band: the stack set is read in full and its instances are gone', async () => {
    const { w, resources } = await world();
    const name = w.nameOf(resources[1]);
    await readBoth(w, resources);
    const { OperationId } = await w.clients.cloudFormation(HOME).send(
      new DeleteStackInstancesCommand({
        StackSetName: name,
        Accounts: [ACCOUNTS[0]],
        Regions: [HOME],
        RetainStacks: true,
      }),
    );
    await finish(w, name, OperationId!);
    const after = await readBoth(w, resources);
    expect(after.calls(name)).toEqual(FULL);
    expect(after.calls(w.nameOf(resources[0]))).toEqual(CONFIRMED);
    expect(after.snapshot.stackSets[name].instances.map((i) => i.account)).toEqual(ACCOUNTS.slice(1));
  });

  test('a stack set deleted and created again under the same name (same operation count): read in full', async () => {
    const { w, resources } = await world();
    const name = `${w.settings.prefix}by-hand`;
    w.cfn.seedStackSet({ name, templateBody: template('one'), instances: [{ account: ACCOUNTS[0], region: HOME }] });
    await readBoth(w, resources);
    expect((await readBoth(w, resources)).calls(name)).toEqual(CONFIRMED);
    // Gone, and back with another template: neither has an operation, only the StackSetId differs.
    w.cfn.stackSets.get(name)!.status = 'DELETED';
    w.cfn.seedStackSet({ name, templateBody: template('two'), instances: [{ account: ACCOUNTS[1], region: HOME }] });
    const again = await readBoth(w, resources);
    expect(again.calls(name)).toEqual(FULL);
    expect(again.snapshot.stackSets[name].instances.map((i) => i.account)).toEqual([ACCOUNTS[1]]);
  });

  test('an operation still RUNNING: read in full on every read until it ended, never cached', async () => {
    const { w, resources } = await world();
    const name = w.nameOf(resources[0]);
    await readBoth(w, resources);
    const { OperationId } = await w.clients
      .cloudFormation(HOME)
      .send(new CreateStackInstancesCommand({ StackSetName: name, Accounts: ['200000000099'], Regions: [HOME] }));
    const one = await readBoth(w, resources);
    expect(one.calls(name)).toEqual(FULL);
    expect(one.report.saved).toBe(true); // its entry is dropped
    const two = await readBoth(w, resources);
    expect(two.calls(name)).toEqual(FULL);
    expect(two.report.saved).toBe(false);
    await finish(w, name, OperationId!);
    const ended = await readBoth(w, resources);
    expect(ended.calls(name)).toEqual(FULL);
    expect(ended.snapshot.stackSets[name].instances.map((i) => i.account)).toContain('200000000099');
    expect((await readBoth(w, resources)).calls(name)).toEqual(CONFIRMED);
  });

  test('a changed SecureString that a parameter reads: read in full (its parameter no longer holds the secret)', async () => {
    const { w, resources } = await world();
    const name = w.nameOf(resources[1]);
    const before = await readBoth(w, resources);
    expect(before.snapshot.stackSets[name].parameters[0]).not.toHaveProperty('value');
    w.ssm.seed({ accountId: MANAGEMENT, region: HOME }, '/org/secret', 'secret-2', 'SecureString');
    const after = await readBoth(w, resources);
    expect(after.calls(name)).toEqual(FULL);
    expect(after.snapshot.stackSets[name].parameters[0]).toMatchObject({ key: 'S', value: 'secret-1' });
    expect(JSON.stringify(w.s3.objects.get(`${BUCKET}/${KEY}`)?.toString())).not.toContain('secret-2');
  });

  test('stack sets no longer read are dropped from the cache object', async () => {
    const { w, resources } = await world();
    await readBoth(w, resources);
    const stored = () => Object.keys(JSON.parse(w.s3.objects.get(`${BUCKET}/${KEY}`)!.toString()).stackSets).sort();
    expect(stored()).toEqual([CONTROL_TOWER_BASELINE_STACK_SET, w.nameOf(resources[0]), w.nameOf(resources[1])].sort());
    w.cfn.stackSets.get(w.nameOf(resources[1]))!.status = 'DELETED';
    const after = await readBoth(w, [resources[0]]);
    expect(after.report.saved).toBe(true);
    expect(stored()).toEqual([CONTROL_TOWER_BASELINE_STACK_SET, w.nameOf(resources[0])].sort());
  });

  test('without a fingerprint key (nothing applied yet) the cache is not used at all', async () => {
    const w = new StackSetWorld();
    w.cfn.seedStackSet({ name: `${w.settings.prefix}x`, templateBody: template('x') });
    let told = false;
    const request = { homeRegion: HOME, names: [], prefix: w.settings.prefix, ssmNames: [] };
    await readStackSetSnapshot(w.clients, request, w.fake.clock, undefined, {
      cache: cacheOf(w),
      onCacheReport: () => (told = true),
    });
    expect(told).toBe(false);
    expect(w.fake.callsOf(ListStackSetOperationsCommand)).toEqual([]);
    expect(w.s3.objects.size).toBe(0);
  });

  describe('a cache object that cannot be used is an empty cache, never an error', () => {
    test('corrupt: not JSON, or not the expected shape', async () => {
      const { w, resources } = await world();
      w.s3.objects.set(`${BUCKET}/${KEY}`, Buffer.from('{not json'));
      expect((await readBoth(w, resources)).report).toMatchObject({ confirmed: 0, read: 3, saved: true });
      const document = JSON.parse(w.s3.objects.get(`${BUCKET}/${KEY}`)!.toString());
      document.stackSets[w.nameOf(resources[0])].state.instances = 'all of them';
      w.s3.objects.set(`${BUCKET}/${KEY}`, Buffer.from(JSON.stringify(document)));
      const shaped = await readBoth(w, resources);
      expect(shaped.report).toMatchObject({ confirmed: 0, read: 3 });
      expect(shaped.report.notes[0]).toMatch(/expected shape/);
    });

    test('foreign: another installation, another region or another format', async () => {
      const { w, resources } = await world();
      await readBoth(w, resources, cacheOf(w, 'other'));
      const foreign = await readBoth(w, resources);
      expect(foreign.report).toMatchObject({ confirmed: 0, read: 3, saved: true });
      expect(foreign.report.notes[0]).toMatch(/installation other/);
      const document = JSON.parse(w.s3.objects.get(`${BUCKET}/${KEY}`)!.toString());
      for (const changed of [{ homeRegion: 'eu-west-1' }, { formatVersion: 2 }]) {
        w.s3.objects.set(`${BUCKET}/${KEY}`, Buffer.from(JSON.stringify({ ...document, ...changed })));
        expect((await readBoth(w, resources)).report).toMatchObject({ confirmed: 0, read: 3 });
      }
    });

    test('unreadable: AccessDenied', async () => {
      const { w, resources } = await world();
      await readBoth(w, resources);
      w.fake.injectFault({
        service: 's3',
        operation: 'GetObject',
        rate: 1,
        error: () =>
          new S3ServiceException({ name: 'AccessDenied', $fault: 'client', message: 'Access Denied', $metadata: {} }),
      });
      const denied = await readBoth(w, resources);
      expect(denied.report).toMatchObject({ confirmed: 0, read: 3, saved: true });
      expect(denied.report.notes[0]).toMatch(/AccessDenied: Access Denied/);
    });

    test('a failing save leaves the snapshot as it is, and says so', async () => {
      const { w, resources } = await world();
      w.fake.injectFault({
        service: 's3',
        operation: 'PutObject',
        rate: 1,
        error: () =>
          new S3ServiceException({ name: 'AccessDenied', $fault: 'client', message: 'Access Denied', $metadata: {} }),
      });
      const failed = await readBoth(w, resources);
      expect(failed.report).toMatchObject({ confirmed: 0, read: 3, saved: false });
      expect(failed.report.notes).toEqual([
        'no cache object yet',
        'the cache object could not be written (AccessDenied: Access Denied)',
      ]);
      expect((await readBoth(w, resources)).report).toMatchObject({ confirmed: 0, read: 3, saved: false });
    });
  });

  test('ListStackSetOperations is paged through and the newest operation is found by its CreationTimestamp', async () => {
    const { w, resources } = await world();
    const name = w.nameOf(resources[0]);
    const cfn = w.clients.cloudFormation(HOME);
    // 150 operations: more than one page; the fake lists the oldest first.
    for (let i = 0; i < 150; i++) {
      const { OperationId } = await cfn.send(
        new UpdateStackSetCommand({ StackSetName: name, UsePreviousTemplate: true, Description: `v${i}` }),
      );
      await finish(w, name, OperationId!);
    }
    await readBoth(w, resources);
    const listed = w.fake.inputsOf(ListStackSetOperationsCommand).filter((i) => i.StackSetName === name);
    expect(listed.slice(-2).map((i) => i.MaxResults)).toEqual([100, 100]);
    const confirmed = await readBoth(w, resources);
    expect(confirmed.calls(name)).toEqual({ ListStackSetOperations: 2 });
    const { OperationId } = await cfn.send(
      new UpdateStackSetCommand({ StackSetName: name, UsePreviousTemplate: true, Description: 'last' }),
    );
    await finish(w, name, OperationId!);
    const after = await readBoth(w, resources);
    expect(after.calls(name)).toEqual({ ListStackSetOperations: 2, DescribeStackSet: 1, ListStackInstances: 1 });
    expect(after.snapshot.stackSets[name].description).toBe('last');
    expect(w.fake.callsOf(DescribeStackSetCommand).length).toBeGreaterThan(0);
  });

  describe('refresh after apply', () => {
    /** Plans and applies as `cfct apply --state-cache` does: the apply loop refreshes the cache at the end. */
    async function applyWithCache(w: StackSetWorld, m: Manifest, wanted: readonly DesiredStackSet[]) {
      const plan = await w.plan(m, wanted);
      return applyStackSets(
        m,
        wanted,
        plan,
        {
          clients: w.clients,
          settings: w.settings,
          homeRegion: HOME,
          runId: `cached-${w.fake.clock.now()}`,
          clock: w.fake.clock,
          accountState: (id) => w.accountStates.get(id),
        },
        { wait: (ms) => w.fake.clock.sleep(ms), pollIntervalMs: 10_000, stateCache: cacheOf(w) },
      );
    }

    test('the stack sets an apply changed are read once at its end and cached: the next plan confirms every stack set', async () => {
      const { w, m, wanted, resources } = await world();
      await readBoth(w, resources);
      const changed = [desired(resources[0], template('a2'), ACCOUNTS), wanted[1]];
      const report = await applyWithCache(w, m, changed);
      expect(report.failed).toEqual([]);
      expect(report.stateCache).toMatchObject({ confirmed: 0, read: 1, saved: true, notes: [] });
      const next = await readBoth(w, resources);
      expect(next.report).toMatchObject({ confirmed: 3, read: 0, saved: false });
      expect(next.snapshot.stackSets[w.nameOf(resources[0])].templateBody).toBe(template('a2'));
    });

    test('the first apply (no cache object yet) leaves the cache with every stack set it created', async () => {
      const w = new StackSetWorld();
      w.setAccounts(ACCOUNTS);
      const a = resource('a');
      const m = manifest([a]);
      const report = await applyWithCache(w, m, [desired(a, template('a'), ACCOUNTS)]);
      expect(report.stateCache).toMatchObject({ read: 1, saved: true, notes: ['no cache object yet'] });
      const next = await readBoth(w, [a]);
      expect(next.calls(w.nameOf(a))).toEqual(CONFIRMED);
    });

    test('a failing refresh save is a note in the report; the apply succeeds', async () => {
      const { w, m, wanted, resources } = await world();
      w.fake.injectFault({
        service: 's3',
        operation: 'PutObject',
        rate: 1,
        error: () =>
          new S3ServiceException({ name: 'AccessDenied', $fault: 'client', message: 'Access Denied', $metadata: {} }),
      });
      const report = await applyWithCache(w, m, [desired(resources[0], template('a3'), ACCOUNTS), wanted[1]]);
      expect(report.failed).toEqual([]);
      expect(report.stateCache).toMatchObject({ saved: false });
      expect(report.stateCache!.notes).toContain('the cache object could not be written (AccessDenied: Access Denied)');
    });
  });

  test('parseS3ObjectUrl takes s3://bucket/key only', () => {
    expect(parseS3ObjectUrl('s3://my-bucket/cfct/runs/stack-set-states.json')).toEqual({
      bucket: 'my-bucket',
      key: 'cfct/runs/stack-set-states.json',
    });
    for (const bad of ['my-bucket/key', 's3://my-bucket', 's3://my-bucket/', 's3://My_Bucket/key', 'https://x/y']) {
      expect(parseS3ObjectUrl(bad)).toBeUndefined();
    }
    expect(stackSetStateCacheKey('/cfct/runs/')).toBe('cfct/runs/stack-set-states.json');
  });
});
