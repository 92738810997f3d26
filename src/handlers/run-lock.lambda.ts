/**
 * Lambda task of both state machines: takes, renews and releases the installation's lock (an S3
 * object written with compare-and-swap, src/engine/lock.ts). The held lock is plain data, so it
 * travels in the execution's state from the task that takes it to the one that releases it.
 *
 * Input: `{ "correlationId", "region", "lock": {bucket,key}, "action": "acquire" | "renew" |
 * "release", "owner"?: "<execution id>", "held"?: {HeldLock}, "ttlSeconds"?: 7200 }`.
 * Output of acquire: `{ "acquired": true, "lock": {...} }` or `{ "acquired": false, "message" }`.
 * Output of renew: `{ "renewed": true, "lock": {...} }`; a lock another run took over throws
 * `LockLostError`. Output of release: `{ "released": true|false }` (false: not ours any more).
 */
import { correlationIdOf, InvalidTaskEventError, lambdaDeps, runTask, type TaskDeps } from './task';
import { acquireLock, releaseLock, renewLock, type HeldLock, type LockLocation } from '../engine/lock';

/** The task input. */
export interface RunLockEvent {
  readonly correlationId: string;
  readonly region: string;
  readonly lock: LockLocation;
  readonly action: 'acquire' | 'renew' | 'release';
  /** Who takes the lock (the execution id). Acquire only. */
  readonly owner?: string;
  /** The lock as acquire (or the last renew) returned it. Renew and release. */
  readonly held?: HeldLock;
  /** @default 7200 */
  readonly ttlSeconds?: number;
}

/** The task output. */
export interface RunLockResult {
  readonly acquired?: boolean;
  readonly renewed?: boolean;
  readonly released?: boolean;
  readonly lock?: HeldLock;
  readonly message?: string;
}

/** Thrown for an event that is not this task's input. */
export class InvalidRunLockEventError extends InvalidTaskEventError {
  constructor(problem: string) {
    super(problem, 'InvalidRunLockEventError');
  }
}

/** Thrown when renewing finds the lock taken over by another run (it had expired). */
export class LockLostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LockLostError';
  }
}

function problemOf(event: Partial<RunLockEvent> | undefined): string | undefined {
  if (!event || typeof event !== 'object') return 'the event must be an object';
  if (typeof event.region !== 'string' || event.region === '') return 'region must be a non-empty string';
  if (!event.lock || typeof event.lock.bucket !== 'string' || typeof event.lock.key !== 'string') {
    return 'lock must be { bucket, key }';
  }
  if (event.action === 'acquire') {
    return typeof event.owner === 'string' && event.owner !== '' ? undefined : 'acquire needs an owner';
  }
  if (event.action === 'renew' || event.action === 'release') {
    const held = event.held;
    return held && typeof held.token === 'string' && typeof held.owner === 'string'
      ? undefined
      : `${event.action} needs the held lock`;
  }
  return 'action must be "acquire", "renew" or "release"';
}

const when = (ms: number) => new Date(ms).toISOString();

/** Builds the handler. */
export function createRunLockHandler(deps: TaskDeps): (event: RunLockEvent) => Promise<RunLockResult> {
  return (event) =>
    runTask(
      deps,
      {
        task: `run-lock-${event?.action}`,
        context: { correlationId: correlationIdOf(event), lock: event?.lock?.key },
        problem: problemOf(event),
        invalid: (p) => new InvalidRunLockEventError(p),
        describe: (r) => ({
          acquired: r.acquired,
          renewed: r.renewed,
          released: r.released,
          ...(r.message ? { message: r.message } : {}),
        }),
      },
      async (): Promise<RunLockResult> => {
        const s3 = deps.clients().s3(event.region);
        const ttlMs = (event.ttlSeconds ?? 7200) * 1000;
        if (event.action === 'acquire') {
          const taken = await acquireLock(
            s3,
            { bucket: event.lock.bucket, key: event.lock.key },
            { owner: event.owner!, ttlMs, clock: deps.clock },
          );
          if (taken.acquired) return { acquired: true, lock: taken.lock };
          return {
            acquired: false,
            message: `another run holds the lock s3://${event.lock.bucket}/${event.lock.key} (${taken.heldBy.owner}, until ${when(taken.heldBy.expires)}); nothing was applied. Run again once it has finished`,
          };
        }
        if (event.action === 'renew') {
          const renewed = await renewLock(s3, event.held!, { ttlMs, clock: deps.clock });
          if (renewed.renewed) return { renewed: true, lock: renewed.lock };
          const takenBy = renewed.heldBy ? ` by ${renewed.heldBy.owner}` : '';
          throw new LockLostError(
            `the lock s3://${event.lock.bucket}/${event.lock.key} expired and was taken over${takenBy}; this run stopped`,
          );
        }
        return releaseLock(s3, event.held!, deps.clock);
      },
    );
}

/** The Lambda entry point. */
export const handler = createRunLockHandler(lambdaDeps('cdk-control-tower-customizations/run-lock'));
