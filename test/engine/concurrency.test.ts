import { mapLimit } from '../../src/engine/concurrency';

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
