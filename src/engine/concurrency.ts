/**
 * Bounded concurrency for reads: `fn` runs on at most `limit` items at once, and the results keep
 * the order of `items`. The first rejection rejects the whole (the other workers stop taking items).
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < items.length && !failed) {
      const i = next++;
      try {
        results[i] = await fn(items[i]);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** Runs functions in a bounded number of slots; see {@link createLimiter}. */
export interface Limiter {
  /** Runs `fn` once one of the slots is free; the result is `fn`'s. */
  <T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Starts nothing more: the functions still waiting, and any given later, fail with `reason`
   * (the ones running finish).
   */
  close(reason: unknown): void;
}

/**
 * A limit that several readers share: at most `limit` of the functions given to it run at once,
 * started in the order they were given (e.g. one limit on Organizations requests in flight for
 * the OU tree and the policies read side by side).
 */
export function createLimiter(limit: number): Limiter {
  let running = 0;
  let closed: { reason: unknown } | undefined;
  const waiting: { start: () => void; fail: (reason: unknown) => void }[] = [];
  // A finished function hands its slot to the first waiting one, so a caller arriving in between
  // never finds a slot that is already promised.
  const release = () => {
    const next = waiting.shift();
    if (next) next.start();
    else running--;
  };
  const run = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (closed) throw closed.reason;
    if (running < Math.max(1, limit)) running++;
    else await new Promise<void>((start, fail) => waiting.push({ start, fail }));
    try {
      return await fn();
    } finally {
      release();
    }
  };
  return Object.assign(run, {
    close: (reason: unknown) => {
      closed = { reason };
      for (const waiter of waiting.splice(0)) waiter.fail(reason);
    },
  });
}

/**
 * Waits for every task and gives their results in order, as `Promise.all` does; but at the first
 * failure `limiter` is closed (nothing more starts in it), and that failure is thrown only once
 * every task has settled, so nothing is still running when the caller sees it.
 */
export async function settleAll<T extends readonly unknown[]>(
  limiter: Limiter,
  tasks: readonly [...{ [K in keyof T]: Promise<T[K]> }],
): Promise<T> {
  const watched = tasks.map((task) =>
    Promise.resolve(task).catch((error: unknown) => {
      limiter.close(error);
      throw error;
    }),
  );
  const settled = await Promise.allSettled(watched);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
