/**
 * Time and retries. Short waits (throttling, conflicts) sleep through an injectable `Clock`, so
 * tests replace it and property tests with faults run in seconds.
 */

/** Time as the engine sees it. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** How `withRetry` retries. */
export interface RetryOptions {
  readonly clock: Clock;
  /** A float in [0, 1); jitter source. @default Math.random */
  readonly random?: () => number;
  /** @default 8 */
  readonly maxAttempts?: number;
  /** First backoff ceiling in ms; doubles each attempt. @default 250 */
  readonly baseDelayMs?: number;
  /** @default 20000 */
  readonly maxDelayMs?: number;
  /** Whether an error is worth another attempt. */
  readonly retryable: (error: unknown) => boolean;
}

/**
 * Calls `operation` until it succeeds, a non-retryable error is thrown, or `maxAttempts` is
 * reached (then the last error is thrown). Waits "full jitter": random(0, min(max, base * 2^n)).
 */
export async function withRetry<T>(operation: () => Promise<T>, options: RetryOptions): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 8;
  const base = options.baseDelayMs ?? 250;
  const cap = options.maxDelayMs ?? 20000;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= maxAttempts || !options.retryable(error)) throw error;
      const ceiling = Math.min(cap, base * 2 ** (attempt - 1));
      await options.clock.sleep(Math.floor(random() * ceiling));
    }
  }
}

/** The error's `name` (SDK v3 service exceptions carry the AWS error code there). */
export function errorName(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'name' in error ? String((error as { name: unknown }).name) : undefined;
}

/** An error's name (`Error` when it has none) and message, for results and findings that report it. */
export function describeError(error: unknown): { readonly name: string; readonly message: string } {
  return { name: errorName(error) ?? 'Error', message: (error as Error | undefined)?.message ?? String(error) };
}
