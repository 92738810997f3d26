import { createLimiter, mapLimit, settleAll } from '../../src/engine/concurrency';

describe('mapLimit', () => {
  test('keeps the order of the items, with never more than `limit` calls in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const results = await mapLimit([5, 1, 4, 2, 3, 0], 3, async (n) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, n));
      inFlight--;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 0]);
    expect(most).toBe(3);
  });

  test('fails with the first error, and starts no further item after it', async () => {
    const started: number[] = [];
    await expect(
      mapLimit([1, 2, 3, 4, 5], 1, async (n) => {
        started.push(n);
        if (n === 2) throw new Error('boom 2');
        return n;
      }),
    ).rejects.toThrow('boom 2');
    expect(started).toEqual([1, 2]);
  });

  test('an empty list gives an empty result without calling fn', async () => {
    const fn = jest.fn(async (n: number) => n);
    expect(await mapLimit([], 4, fn)).toEqual([]);
    expect(fn).not.toHaveBeenCalled();
  });
});

describe('createLimiter', () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  test('two readers sharing one limit never have more than `limit` functions running together', async () => {
    const limit = createLimiter(3);
    let inFlight = 0;
    let most = 0;
    const task = (ms: number, value: string) =>
      limit(async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        await sleep(ms);
        inFlight--;
        return value;
      });
    const [a, b] = await Promise.all([
      Promise.all([5, 1, 4, 2].map((ms, i) => task(ms, `a${i}`))),
      Promise.all([3, 0, 2, 1, 2].map((ms, i) => task(ms, `b${i}`))),
    ]);
    expect(a).toEqual(['a0', 'a1', 'a2', 'a3']);
    expect(b).toEqual(['b0', 'b1', 'b2', 'b3', 'b4']);
    expect(most).toBe(3);
  });

  test('a slot freed while callers wait goes to the first waiting one, not to a caller arriving later', async () => {
    const limit = createLimiter(1);
    const order: string[] = [];
    let finishFirst!: () => void;
    const first = limit(() => new Promise<void>((resolve) => (finishFirst = resolve)).then(() => order.push('first')));
    const waiting = limit(async () => order.push('waiting'));
    await Promise.resolve();
    finishFirst();
    await first;
    const late = limit(async () => order.push('late'));
    await Promise.all([waiting, late]);
    expect(order).toEqual(['first', 'waiting', 'late']);
  });

  test("fails with the function's error and frees its slot for the next one", async () => {
    const limit = createLimiter(1);
    await expect(limit(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limit(async () => 'next')).toBe('next');
  });
});

describe('settleAll', () => {
  test('gives the results in order, as Promise.all does', async () => {
    const limit = createLimiter(2);
    const results = await settleAll(limit, [limit(async () => 1), Promise.resolve('two'), limit(async () => [3])]);
    expect(results).toEqual([1, 'two', [3]]);
  });

  test('fails with the first failure only once every task has settled, and closes the limiter', async () => {
    const limit = createLimiter(1);
    const events: string[] = [];
    let finishSlow!: () => void;
    const slow = new Promise<string>((resolve) => (finishSlow = () => resolve('slow')));
    const outcome = settleAll(limit, [
      slow.then((v) => {
        events.push('slow settled');
        return v;
      }),
      Promise.reject(new Error('first failure')),
    ]).catch((error: Error) => {
      events.push(`thrown: ${error.message}`);
    });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(events).toEqual([]);
    finishSlow();
    await outcome;
    expect(events).toEqual(['slow settled', 'thrown: first failure']);
    await expect(limit(async () => 'later')).rejects.toThrow('first failure');
  });

  test('a closed limiter fails the functions still waiting for a slot, and the running one finishes', async () => {
    const limit = createLimiter(1);
    let finish!: () => void;
    const running = limit(() => new Promise<string>((resolve) => (finish = () => resolve('ran'))));
    const waiting = limit(async () => 'never');
    await Promise.resolve();
    limit.close(new Error('stopped'));
    await expect(waiting).rejects.toThrow('stopped');
    finish();
    expect(await running).toBe('ran');
  });
});
