/**
 * The installation lock against the fake S3 (real SDK client): concurrent acquirers, every
 * interleaving of two racing callers (the fake holds each call at its request and commit points
 * and a scheduler releases them in every possible order), renewal, release, throttling.
 */
import * as s3Sdk from '@aws-sdk/client-s3';
import { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import {
  acquireLock,
  LockKeeper,
  lockLocation,
  LockLostError,
  readLock,
  releaseLock,
  renewLock,
  type HeldLock,
  type LockHolder,
  type LockLoss,
} from '../../src/engine/lock';
import { FakeAws } from '../fake/core';
import { FakeS3 } from '../fake/s3';

const WHERE = lockLocation('cfct-artifacts', 'default');
const MINUTE = 60_000;

function world() {
  const fake = new FakeAws({ seed: 7 });
  const s3 = new FakeS3(fake);
  const clock = fake.clock;
  /** An S3 client per caller: the caller is told apart by its context's account id. */
  const client = (caller = '111111111111') =>
    fake.client(S3Client, s3Sdk, 's3', { accountId: caller, region: 'us-east-1' });
  const acquire = (owner: string, ttlMs = 15 * MINUTE, c = client()) => acquireLock(c, WHERE, { owner, ttlMs, clock });
  const held = async (owner: string, ttlMs = 15 * MINUTE): Promise<HeldLock> => {
    const result = await acquire(owner, ttlMs);
    if (!result.acquired) throw new Error(`${owner} did not get the lock`);
    return result.lock;
  };
  const record = () => JSON.parse(s3.objects.get(`${WHERE.bucket}/${WHERE.key}`)?.toString() ?? 'null');
  return { fake, s3, clock, client, acquire, held, record };
}

type World = ReturnType<typeof world>;

describe('lock basics', () => {
  test('lockLocation: one object per installation under cfct/locks/', () => {
    expect(lockLocation('bucket', 'prod')).toEqual({ bucket: 'bucket', key: 'cfct/locks/prod.json' });
  });

  test('acquires a free lock and records owner, expiry, acquiredAt and purpose', async () => {
    const w = world();
    const result = await acquireLock(w.client(), WHERE, {
      owner: 'alice@laptop 1',
      ttlMs: 15 * MINUTE,
      clock: w.clock,
      purpose: 'cfct apply',
    });
    expect(result.acquired).toBe(true);
    const now = w.clock.now();
    expect(w.record()).toEqual({
      owner: 'alice@laptop 1',
      expires: now + 15 * MINUTE,
      acquiredAt: now,
      purpose: 'cfct apply',
    });
    if (result.acquired) {
      expect(result.lock).toMatchObject({
        ...WHERE,
        owner: 'alice@laptop 1',
        expires: now + 15 * MINUTE,
        token: w.s3.etagOf(WHERE.bucket, WHERE.key),
      });
    }
  });

  test('fails to acquire a lock someone else holds: names the holder and its expiry, writes nothing', async () => {
    const w = world();
    const first = await w.held('alice');
    const before = w.s3.etagOf(WHERE.bucket, WHERE.key);
    const second = await w.acquire('bob');
    expect(second).toEqual({
      acquired: false,
      heldBy: expect.objectContaining({ owner: 'alice', expires: first.expires }),
    });
    expect(w.s3.etagOf(WHERE.bucket, WHERE.key)).toBe(before);
  });

  test('an expired lock is taken over', async () => {
    const w = world();
    await w.held('alice', 10 * MINUTE);
    w.clock.advance(10 * MINUTE);
    const taken = await w.acquire('bob');
    expect(taken.acquired).toBe(true);
    expect(w.record().owner).toBe('bob');
  });

  test('a lock already recorded for the same owner is taken again (a retried acquire whose answer was lost)', async () => {
    const w = world();
    await w.held('pipeline-execution-1');
    const again = await w.acquire('pipeline-execution-1');
    expect(again.acquired).toBe(true);
    if (again.acquired) expect(again.lock.token).toBe(w.s3.etagOf(WHERE.bucket, WHERE.key));
  });

  test('a lock record that is not JSON counts as expired and is taken over', async () => {
    const w = world();
    w.s3.objects.set(`${WHERE.bucket}/${WHERE.key}`, Buffer.from('garbage'));
    expect(await readLock(w.client(), WHERE, w.clock)).toEqual({ owner: 'an unreadable lock record', expires: 0 });
    expect((await w.acquire('bob')).acquired).toBe(true);
  });

  test('renewal keeps a lock past its time to live', async () => {
    const w = world();
    let lock = await w.held('alice', 10 * MINUTE);
    for (let i = 0; i < 5; i++) {
      w.clock.advance(4 * MINUTE);
      const renewed = await renewLock(w.client(), lock, { ttlMs: 10 * MINUTE, clock: w.clock });
      expect(renewed.renewed).toBe(true);
      if (renewed.renewed) lock = renewed.lock;
    }
    // 20 minutes after it was taken with a 10-minute time to live: still alice's.
    const other = await w.acquire('bob');
    expect(other).toMatchObject({ acquired: false, heldBy: { owner: 'alice', expires: w.clock.now() + 10 * MINUTE } });
    expect(w.record().acquiredAt).toBe(w.clock.now() - 20 * MINUTE);
  });

  test('renewal fails when someone else took the lock over, naming them; and when the lock is gone', async () => {
    const w = world();
    const alice = await w.held('alice', MINUTE);
    w.clock.advance(2 * MINUTE);
    const bob = await w.held('bob');
    expect(await renewLock(w.client(), alice, { ttlMs: MINUTE, clock: w.clock })).toEqual({
      renewed: false,
      heldBy: expect.objectContaining({ owner: 'bob', expires: bob.expires }),
    });
    expect(w.record().owner).toBe('bob');
    await releaseLock(w.client(), bob, w.clock);
    expect(await renewLock(w.client(), bob, { ttlMs: MINUTE, clock: w.clock })).toEqual({ renewed: false });
    expect(w.s3.objects.has(`${WHERE.bucket}/${WHERE.key}`)).toBe(false);
  });

  test('release deletes our lock, and the next acquirer creates it afresh', async () => {
    const w = world();
    const lock = await w.held('alice');
    expect(await releaseLock(w.client(), lock, w.clock)).toEqual({ released: true });
    expect(w.s3.objects.has(`${WHERE.bucket}/${WHERE.key}`)).toBe(false);
    expect((await w.acquire('bob')).acquired).toBe(true);
  });

  test('release by a non-holder does nothing', async () => {
    const w = world();
    const alice = await w.held('alice', MINUTE);
    w.clock.advance(2 * MINUTE);
    const bob = await w.held('bob');
    // Alice's lock expired and was taken over: her release must not delete bob's.
    expect(await releaseLock(w.client(), alice, w.clock)).toEqual({ released: false });
    // Nor may someone who only knows the key and bob's name.
    expect(await releaseLock(w.client(), { ...bob, token: '"forged"', owner: 'mallory' }, w.clock)).toEqual({
      released: false,
    });
    expect(w.record().owner).toBe('bob');
    expect(w.fake.callCount('s3', 'DeleteObject')).toBe(2);
    // Releasing twice: the second finds nothing to release.
    expect(await releaseLock(w.client(), bob, w.clock)).toEqual({ released: true });
    expect(await releaseLock(w.client(), bob, w.clock)).toEqual({ released: false });
  });

  test('survives throttling on every lock call (SlowDown is retried with backoff)', async () => {
    const w = world();
    w.fake.injectFault({
      service: 's3',
      rate: 0.6,
      limit: 12,
      error: () =>
        new S3ServiceException({
          name: 'SlowDown',
          $fault: 'server',
          message: 'Please reduce your request rate.',
          $metadata: { httpStatusCode: 503 },
        }),
    });
    let lock = await w.held('alice', 10 * MINUTE);
    expect((await w.acquire('bob')).acquired).toBe(false);
    const renewed = await renewLock(w.client(), lock, { ttlMs: 10 * MINUTE, clock: w.clock });
    expect(renewed.renewed).toBe(true);
    if (renewed.renewed) lock = renewed.lock;
    expect(await releaseLock(w.client(), lock, w.clock)).toEqual({ released: true });
    expect(w.fake.calls.filter((c) => c.error === 'SlowDown').length).toBe(12);
    expect(w.clock.sleeps.length).toBe(12);
  });

  test('fails with the AWS error when S3 refuses the lock object (AccessDenied is not retried)', async () => {
    const w = world();
    w.fake.injectFault({
      service: 's3',
      operation: 'GetObject',
      rate: 1,
      error: () =>
        new S3ServiceException({
          name: 'AccessDenied',
          $fault: 'client',
          message: 'Access Denied',
          $metadata: { httpStatusCode: 403 },
        }),
    });
    await expect(w.acquire('alice')).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(w.fake.callCount('s3', 'GetObject')).toBe(1);
    expect(w.s3.objects.size).toBe(0);
  });
});

describe('concurrent acquirers', () => {
  test.each([2, 5, 12])('%i acquirers of a free lock at once: exactly one wins, the others see it', async (n) => {
    const w = world();
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) => w.acquire(`owner-${i}`, 15 * MINUTE, w.client(String(100000000000 + i)))),
    );
    const winners = results.filter((r) => r.acquired);
    expect(winners).toHaveLength(1);
    const winner = winners[0].acquired ? winners[0].lock.owner : '';
    expect(w.record().owner).toBe(winner);
    for (const r of results) if (!r.acquired) expect(r.heldBy.owner).toBe(winner);
  });

  test.each([2, 5, 12])('%i takeovers of one expired lock at once: exactly one wins', async (n) => {
    const w = world();
    await w.held('crashed', MINUTE);
    w.clock.advance(MINUTE + 1);
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) => w.acquire(`owner-${i}`, 15 * MINUTE, w.client(String(100000000000 + i)))),
    );
    const winners = results.filter((r) => r.acquired);
    expect(winners).toHaveLength(1);
    const winner = winners[0].acquired ? winners[0].lock.owner : '';
    expect(w.record().owner).toBe(winner);
    for (const r of results) if (!r.acquired) expect(r.heldBy.owner).toBe(winner);
  });
});

/**
 * Runs `body` once for every schedule of the S3 calls of its actors. Each actor calls S3 as its
 * own account; the fake holds every call at its request point and, for writes, at its commit
 * point; at each step the scheduler lets one held actor go on. Depth-first over the choices,
 * so every order is run exactly once. Returns the number of schedules run.
 */
type Actors = Record<string, (client: S3Client) => Promise<unknown>>;

async function everySchedule(
  body: (w: World, run: (actors: Actors) => Promise<Record<string, unknown>>) => Promise<void>,
): Promise<{ schedules: number; longest: string[] }> {
  let prefix: number[] = [];
  let schedules = 0;
  let longest: string[] = [];
  for (;;) {
    const w = world();
    const choices: { taken: number; width: number }[] = [];
    const trace: string[] = [];
    const run = async (actors: Actors) => {
      const ids = Object.keys(actors);
      const accountOf = new Map(ids.map((id, i) => [String(200000000000 + i), id]));
      const held = new Map<string, { release: () => void; label: string }>();
      const done = new Set<string>();
      w.s3.pause = (e) =>
        new Promise<void>((resolve) =>
          held.set(accountOf.get(e.context.accountId)!, { release: resolve, label: `${e.operation}:${e.phase}` }),
        );
      const results: Record<string, unknown> = {};
      const running = ids.map((id, i) =>
        actors[id](w.client(String(200000000000 + i))).then((r) => {
          results[id] = r;
          done.add(id);
        }),
      );
      const settle = async () => {
        for (let spins = 0; ids.some((id) => !done.has(id) && !held.has(id)); spins++) {
          if (spins > 10_000) throw new Error('an actor neither finished nor called S3');
          await new Promise((r) => setImmediate(r));
        }
      };
      await settle();
      while (held.size > 0) {
        const options = [...held.keys()].sort();
        const depth = choices.length;
        const taken = depth < prefix.length ? prefix[depth] : 0;
        choices.push({ taken, width: options.length });
        const id = options[taken];
        const next = held.get(id)!;
        held.delete(id);
        trace.push(`${id} ${next.label}`);
        next.release();
        await settle();
      }
      await Promise.all(running);
      return results;
    };
    await body(w, run);
    schedules++;
    if (trace.length > longest.length) longest = trace;
    let i = choices.length - 1;
    while (i >= 0 && choices[i].taken + 1 >= choices[i].width) i--;
    if (i < 0) return { schedules, longest };
    prefix = [...choices.slice(0, i).map((c) => c.taken), choices[i].taken + 1];
  }
}

type Acquired = Awaited<ReturnType<typeof acquireLock>>;

describe('every interleaving of two racing callers', () => {
  test('two takeovers of one expired lock: exactly one wins in every order, the other names it', async () => {
    const { schedules, longest } = await everySchedule(async (w, run) => {
      await w.held('crashed', MINUTE);
      w.clock.advance(2 * MINUTE);
      const results = (await run({
        A: (c) => acquireLock(c, WHERE, { owner: 'A', ttlMs: MINUTE, clock: w.clock }),
        B: (c) => acquireLock(c, WHERE, { owner: 'B', ttlMs: MINUTE, clock: w.clock }),
      })) as Record<string, Acquired>;
      const winners = Object.values(results).filter((r) => r.acquired);
      expect(winners).toHaveLength(1);
      const winner = (winners[0] as { lock: HeldLock }).lock;
      expect(w.record().owner).toBe(winner.owner);
      expect(w.s3.etagOf(WHERE.bucket, WHERE.key)).toBe(winner.token);
      const loser = Object.values(results).find((r) => !r.acquired) as { heldBy: LockHolder };
      expect(loser.heldBy.owner).toBe(winner.owner);
    });
    // Each takeover reads (1 point) and writes (2 points); the loser reads again: 20+ orders.
    expect(schedules).toBeGreaterThanOrEqual(20);
    expect(longest.length).toBeGreaterThanOrEqual(7);
  });

  test('two acquirers of a free lock: exactly one wins in every order', async () => {
    const { schedules } = await everySchedule(async (w, run) => {
      const results = (await run({
        A: (c) => acquireLock(c, WHERE, { owner: 'A', ttlMs: MINUTE, clock: w.clock }),
        B: (c) => acquireLock(c, WHERE, { owner: 'B', ttlMs: MINUTE, clock: w.clock }),
      })) as Record<string, Acquired>;
      expect(Object.values(results).filter((r) => r.acquired)).toHaveLength(1);
      expect(['A', 'B']).toContain(w.record().owner);
    });
    expect(schedules).toBeGreaterThanOrEqual(20);
  });

  test('the old holder renewing while another takes its expired lock over: exactly one ends up holding it', async () => {
    const { schedules } = await everySchedule(async (w, run) => {
      const old = await w.held('old', MINUTE);
      w.clock.advance(2 * MINUTE);
      const results = await run({
        A: (c) => renewLock(c, old, { ttlMs: MINUTE, clock: w.clock }),
        B: (c) => acquireLock(c, WHERE, { owner: 'B', ttlMs: MINUTE, clock: w.clock }),
      });
      const renewed = (results.A as { renewed: boolean }).renewed;
      const acquired = (results.B as Acquired).acquired;
      expect(renewed !== acquired).toBe(true);
      expect(w.record().owner).toBe(renewed ? 'old' : 'B');
    });
    expect(schedules).toBeGreaterThanOrEqual(10);
  });

  test('the old holder releasing while another takes its expired lock over: a lock taken over is never deleted', async () => {
    const { schedules } = await everySchedule(async (w, run) => {
      const old = await w.held('old', MINUTE);
      w.clock.advance(2 * MINUTE);
      const results = await run({
        A: (c) => releaseLock(c, old, w.clock),
        B: (c) => acquireLock(c, WHERE, { owner: 'B', ttlMs: MINUTE, clock: w.clock }),
      });
      const acquired = results.B as Acquired;
      expect(acquired.acquired).toBe(true); // expired or released, B gets it
      expect(w.record()?.owner).toBe('B');
      expect(w.s3.etagOf(WHERE.bucket, WHERE.key)).toBe((acquired as { lock: HeldLock }).lock.token);
    });
    expect(schedules).toBeGreaterThanOrEqual(10);
  });
});

describe('LockKeeper: renewal while a run goes on', () => {
  /** A timer the test fires by hand. */
  function manualTimer() {
    const timer = { interval: 0, tick: () => undefined as void, cancelled: false };
    const every = (ms: number, tick: () => void) => {
      timer.interval = ms;
      timer.tick = tick;
      return () => (timer.cancelled = true);
    };
    return { timer, every };
  }

  test('renews every third of the time to live, on its timer or when asked, and releases on stop', async () => {
    const w = world();
    const { timer, every } = manualTimer();
    const keeper = new LockKeeper(w.client(), await w.held('alice', 9 * MINUTE), {
      ttlMs: 9 * MINUTE,
      clock: w.clock,
      every,
    });
    expect(timer.interval).toBe(3 * MINUTE);
    const token = keeper.lock.token;
    await keeper.renewIfDue(); // not due yet: nothing written
    expect(keeper.lock.token).toBe(token);
    w.clock.advance(3 * MINUTE);
    timer.tick();
    await keeper.renewIfDue(); // joins the renewal the tick started: one write, not two
    expect(keeper.lock.token).not.toBe(token);
    expect(keeper.lock.expires).toBe(w.clock.now() + 9 * MINUTE);
    expect(w.fake.calls.filter((c) => c.operation === 'PutObject')).toHaveLength(2);
    for (let i = 0; i < 6; i++) {
      w.clock.advance(3 * MINUTE);
      await keeper.ensureHeld();
    }
    expect((await w.acquire('bob')).acquired).toBe(false); // 21 minutes on, a 9-minute lock is still alice's
    expect(await keeper.stop()).toEqual({ released: true });
    expect(timer.cancelled).toBe(true);
    expect(w.s3.objects.size).toBe(0);
  });

  test("fails when the lock was taken over: tells once, stops renewing, and leaves the new holder's lock", async () => {
    const w = world();
    const { timer, every } = manualTimer();
    const losses: LockLoss[] = [];
    const keeper = new LockKeeper(w.client(), await w.held('alice', 3 * MINUTE), {
      ttlMs: 3 * MINUTE,
      clock: w.clock,
      every,
      onLost: (l) => losses.push(l),
    });
    w.clock.advance(3 * MINUTE); // alice stalled past her expiry
    await w.held('bob');
    await expect(keeper.ensureHeld()).rejects.toBeInstanceOf(LockLostError);
    await expect(keeper.ensureHeld()).rejects.toThrow(
      /^the lock s3:\/\/cfct-artifacts\/cfct\/locks\/default.json was taken over by bob until /,
    );
    expect(losses).toHaveLength(1);
    expect(losses[0].heldBy?.owner).toBe('bob');
    expect(timer.cancelled).toBe(true);
    expect(await keeper.stop()).toEqual({ released: false });
    expect(w.record().owner).toBe('bob');
  });

  test('survives failing renewals until the lock expires, then fails', async () => {
    const w = world();
    const { every } = manualTimer();
    const keeper = new LockKeeper(w.client(), await w.held('alice', 3 * MINUTE), {
      ttlMs: 3 * MINUTE,
      clock: w.clock,
      every,
    });
    w.fake.injectFault({
      service: 's3',
      operation: 'PutObject',
      rate: 1,
      error: () =>
        new S3ServiceException({
          name: 'InternalError',
          $fault: 'server',
          message: 'We encountered an internal error.',
          $metadata: { httpStatusCode: 500 },
        }),
    });
    w.clock.advance(MINUTE);
    await keeper.ensureHeld(); // failed renewal, but the lock has two minutes left
    w.clock.advance(MINUTE);
    await keeper.ensureHeld();
    w.clock.advance(MINUTE);
    await expect(keeper.ensureHeld()).rejects.toThrow(
      /expired: renewing it failed \(InternalError: We encountered an internal error.\)/,
    );
    expect(keeper.lost?.heldBy).toBeUndefined();
  });

  test('its default timer does not keep the process alive', async () => {
    const w = world();
    const unref = jest.fn();
    const spy = jest.spyOn(global, 'setInterval').mockImplementation(() => ({ unref }) as unknown as NodeJS.Timeout);
    const clear = jest.spyOn(global, 'clearInterval').mockImplementation(() => undefined);
    try {
      const keeper = new LockKeeper(w.client(), await w.held('alice'), { ttlMs: 15 * MINUTE, clock: w.clock });
      expect(spy).toHaveBeenCalledWith(expect.any(Function), 5 * MINUTE);
      expect(unref).toHaveBeenCalled();
      await keeper.stop();
      expect(clear).toHaveBeenCalled();
    } finally {
      spy.mockRestore();
      clear.mockRestore();
    }
  });
});
