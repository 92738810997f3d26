/**
 * The installation lock: keeps two applies of one installation (the CLI, a pipeline run) from
 * interleaving. One S3 object per installation, changed only by compare-and-swap through S3's
 * conditional requests, so no two callers can both believe they hold it:
 *
 * - acquire: create the object with `If-None-Match: *`; take over an expired lock with
 *   `If-Match: <the ETag read>` (of two takeovers of one expired lock, one wins).
 * - renew: rewrite it with `If-Match: <our token>`; lost when someone else wrote it since.
 * - release: delete it with `If-Match: <our token>`; a lock someone else holds is left alone.
 *
 * The token is the object's ETag after our write. Every function takes and returns plain data,
 * so a held lock can travel between Lambda invocations. A 409 ConditionalRequestConflict (a
 * concurrent request won) is answered by reading again; throttling is retried with backoff.
 */
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { errorName, systemClock, type Clock } from './retry';
import { retryThrottled } from './retry';

/** The lock of an installation: an object in S3. */
export interface LockLocation {
  readonly bucket: string;
  readonly key: string;
}

/** Who holds a lock, and until when (epoch milliseconds). */
export interface LockHolder {
  readonly owner: string;
  readonly expires: number;
  /** When the holder took it (epoch milliseconds), if the record says. */
  readonly acquiredAt?: number;
  /** What the holder is doing, e.g. `cfct apply` or a pipeline execution id, if the record says. */
  readonly purpose?: string;
}

/** A lock we hold. `token` is the object's ETag after our last write. */
export interface HeldLock extends LockLocation {
  readonly owner: string;
  readonly token: string;
  readonly expires: number;
  /** Kept through renewals. @default - not recorded */
  readonly acquiredAt?: number;
  /** Kept through renewals. @default - not recorded */
  readonly purpose?: string;
}

/** How long a lock lasts without renewal when nothing else is said: 15 minutes. */
export const DEFAULT_LOCK_TTL_MS = 15 * 60_000;

/** How often a holder renews: a third of the time to live, so two renewals may fail before it expires. */
export function renewalIntervalMs(ttlMs: number): number {
  return Math.max(1, Math.floor(ttlMs / 3));
}

/** Where the lock of `installationId` lives in `bucket`: `cfct/locks/<installationId>.json`. */
export function lockLocation(bucket: string, installationId: string): LockLocation {
  return { bucket, key: `cfct/locks/${installationId}.json` };
}

/** The SSM parameter (home region) naming the lock bucket of an installation; the pipeline construct creates it. */
export function lockBucketParameterName(installationId: string): string {
  return `/cfct/${installationId}/lock-bucket`;
}

/** Options of {@link acquireLock}. */
export interface AcquireLockOptions {
  /** Who takes it; unique per run (two runs must never share an owner). */
  readonly owner: string;
  readonly ttlMs: number;
  readonly clock: Clock;
  /** Recorded for whoever finds the lock held. @default - none */
  readonly purpose?: string;
}

/** Options of {@link renewLock}. */
export interface RenewLockOptions {
  readonly ttlMs: number;
  readonly clock: Clock;
}

/** Conditional writes lost to concurrent ones before giving up (only under pathological contention). */
const MAX_RACES = 8;

interface Current {
  readonly holder: LockHolder;
  readonly etag: string;
}

/** Thrown when the lock object cannot be used (unreadable bucket, too many lost races). */
export class LockError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LockError';
  }
}

/**
 * Takes the lock for `ttlMs`, or says who holds it. A lock that has expired (its holder crashed
 * or stopped renewing) is taken over; a lock already recorded for `owner` (a retried call whose
 * first answer was lost) is taken again.
 */
export async function acquireLock(
  s3: S3Client,
  where: LockLocation,
  o: AcquireLockOptions,
): Promise<{ acquired: true; lock: HeldLock } | { acquired: false; heldBy: LockHolder }> {
  for (let race = 0; race < MAX_RACES; race++) {
    const now = o.clock.now();
    const record: LockHolder = {
      owner: o.owner,
      expires: now + o.ttlMs,
      acquiredAt: now,
      ...(o.purpose ? { purpose: o.purpose } : {}),
    };
    const current = await read(s3, where, o.clock);
    if (current && current.holder.owner !== o.owner && current.holder.expires > now) {
      return { acquired: false, heldBy: current.holder };
    }
    const token = await write(s3, where, record, current ? { IfMatch: current.etag } : { IfNoneMatch: '*' }, o.clock);
    if (token) return { acquired: true, lock: { ...where, ...record, token } };
  }
  const current = await read(s3, where, o.clock);
  if (current && current.holder.owner !== o.owner) return { acquired: false, heldBy: current.holder };
  throw new LockError(
    `s3://${where.bucket}/${where.key}: lost ${MAX_RACES} conditional writes in a row to concurrent ones`,
  );
}

/**
 * Extends a held lock to `ttlMs` from now. Not renewed when someone else holds it now (`heldBy`)
 * or when it is gone (released or deleted by hand: no `heldBy`).
 */
export async function renewLock(
  s3: S3Client,
  lock: HeldLock,
  o: RenewLockOptions,
): Promise<{ renewed: true; lock: HeldLock } | { renewed: false; heldBy?: LockHolder }> {
  let token = lock.token;
  for (let race = 0; race < MAX_RACES; race++) {
    const record: LockHolder = { ...holderOf(lock), expires: o.clock.now() + o.ttlMs };
    const written = await write(s3, lock, record, { IfMatch: token }, o.clock);
    if (written) return { renewed: true, lock: { ...lock, expires: record.expires, token: written } };
    const current = await read(s3, lock, o.clock);
    if (!current) return { renewed: false };
    // Still ours under another ETag: an earlier renewal whose answer never arrived.
    if (current.holder.owner !== lock.owner) return { renewed: false, heldBy: current.holder };
    token = current.etag;
  }
  throw new LockError(
    `s3://${lock.bucket}/${lock.key}: lost ${MAX_RACES} conditional writes in a row to concurrent ones`,
  );
}

/** Deletes the lock if we still hold it. A lock someone else holds now, or a missing one, is left alone. */
export async function releaseLock(
  s3: S3Client,
  lock: HeldLock,
  clock: Clock = systemClock,
): Promise<{ released: boolean }> {
  let token = lock.token;
  for (let race = 0; race < MAX_RACES; race++) {
    try {
      await retryThrottled(
        () => s3.send(new DeleteObjectCommand({ Bucket: lock.bucket, Key: lock.key, IfMatch: token })),
        clock,
      );
      return { released: true };
    } catch (error) {
      const name = errorName(error);
      if (name === 'NoSuchKey') return { released: false };
      if (name !== 'PreconditionFailed' && name !== 'ConditionalRequestConflict') throw error;
    }
    const current = await read(s3, lock, clock);
    if (!current || current.holder.owner !== lock.owner) return { released: false };
    token = current.etag;
  }
  throw new LockError(
    `s3://${lock.bucket}/${lock.key}: lost ${MAX_RACES} conditional deletes in a row to concurrent requests`,
  );
}

/** Why a holder no longer holds its lock. */
export interface LockLoss {
  /** Who holds it now; absent when nobody does (it was deleted, or it expired unrenewed). */
  readonly heldBy?: LockHolder;
  readonly message: string;
}

/** Thrown by {@link LockKeeper.ensureHeld} once the lock is lost. */
export class LockLostError extends Error {
  constructor(readonly loss: LockLoss) {
    super(loss.message);
    this.name = 'LockLostError';
  }
}

/** Options of {@link LockKeeper}. */
export interface LockKeeperOptions {
  readonly ttlMs: number;
  readonly clock: Clock;
  /** Told once, when the lock is lost. @default - nothing */
  readonly onLost?: (loss: LockLoss) => void;
  /**
   * Calls `tick` every `ms` until the returned function is called.
   * @default - an unref'd `setInterval` (it never keeps the process alive)
   */
  readonly every?: (ms: number, tick: () => void) => () => void;
}

function unrefInterval(ms: number, tick: () => void): () => void {
  const timer = setInterval(tick, ms);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Keeps a held lock while a long run goes on: renews it every third of its time to live, on a
 * timer and whenever `renewIfDue`/`ensureHeld` is called (callers check before each AWS call, so
 * renewal follows their clock too). A renewal that finds someone else holding the lock, or no
 * lock, loses it; a failed renewal (an AWS error) is tried again until the lock expires, then
 * it is lost too. `stop` ends the renewals and releases the lock if it is still ours.
 */
export class LockKeeper {
  private held: HeldLock;
  private loss?: LockLoss;
  private renewing?: Promise<void>;
  private readonly cancel: () => void;
  private readonly interval: number;

  constructor(
    private readonly s3: S3Client,
    lock: HeldLock,
    private readonly options: LockKeeperOptions,
  ) {
    this.held = lock;
    this.interval = renewalIntervalMs(options.ttlMs);
    this.cancel = (options.every ?? unrefInterval)(this.interval, () => void this.renewIfDue());
  }

  /** The lock as last written (its token and expiry change with each renewal). */
  get lock(): HeldLock {
    return this.held;
  }

  /** Why the lock was lost, once it is. */
  get lost(): LockLoss | undefined {
    return this.loss;
  }

  /** Renews the lock when a third of its time to live has passed since it was last written. */
  async renewIfDue(): Promise<void> {
    if (this.renewing) return this.renewing;
    if (this.loss || this.options.clock.now() < this.held.expires - this.options.ttlMs + this.interval) return;
    this.renewing = this.renew().finally(() => (this.renewing = undefined));
    return this.renewing;
  }

  /** Renews the lock if due; throws {@link LockLostError} when it is no longer ours. */
  async ensureHeld(): Promise<void> {
    await this.renewIfDue();
    if (this.loss) throw new LockLostError(this.loss);
  }

  /** Ends the renewals; releases the lock unless it was lost. */
  async stop(): Promise<{ released: boolean }> {
    this.cancel();
    await this.renewing;
    if (this.loss) return { released: false };
    return releaseLock(this.s3, this.held, this.options.clock);
  }

  private async renew(): Promise<void> {
    const where = `s3://${this.held.bucket}/${this.held.key}`;
    try {
      const result = await renewLock(this.s3, this.held, { ttlMs: this.options.ttlMs, clock: this.options.clock });
      if (result.renewed) {
        this.held = result.lock;
        return;
      }
      this.lose(
        result.heldBy
          ? { heldBy: result.heldBy, message: `the lock ${where} was taken over by ${describeHolder(result.heldBy)}` }
          : { message: `the lock ${where} was deleted by someone else` },
      );
    } catch (error) {
      if (this.options.clock.now() >= this.held.expires) {
        this.lose({
          message: `the lock ${where} expired: renewing it failed (${errorName(error)}: ${(error as Error).message})`,
        });
      }
    }
  }

  private lose(loss: LockLoss): void {
    this.loss = loss;
    this.cancel();
    this.options.onLost?.(loss);
  }
}

/** "owner (purpose) until <ISO time>", for messages. */
export function describeHolder(holder: LockHolder): string {
  const who = holder.purpose ? `${holder.owner} (${holder.purpose})` : holder.owner;
  return `${who} until ${new Date(holder.expires).toISOString()}`;
}

/** Reads who holds a lock now, or undefined when nobody does. */
export async function readLock(
  s3: S3Client,
  where: LockLocation,
  clock: Clock = systemClock,
): Promise<LockHolder | undefined> {
  return (await read(s3, where, clock))?.holder;
}

function holderOf(lock: HeldLock): LockHolder {
  return {
    owner: lock.owner,
    expires: lock.expires,
    ...(lock.acquiredAt !== undefined ? { acquiredAt: lock.acquiredAt } : {}),
    ...(lock.purpose !== undefined ? { purpose: lock.purpose } : {}),
  };
}

async function read(s3: S3Client, where: LockLocation, clock: Clock): Promise<Current | undefined> {
  let output;
  try {
    output = await retryThrottled(() => s3.send(new GetObjectCommand({ Bucket: where.bucket, Key: where.key })), clock);
  } catch (error) {
    if (errorName(error) === 'NoSuchKey') return undefined;
    throw error;
  }
  const text = (await output.Body?.transformToString('utf8')) ?? '';
  if (!output.ETag) throw new LockError(`s3://${where.bucket}/${where.key}: S3 returned no ETag`);
  return { holder: parseRecord(text), etag: output.ETag };
}

/**
 * The holder a lock record names. A record that cannot be read names no valid expiry, so it
 * counts as expired: no renewal of ours ever writes one, and leaving it would block every run.
 */
function parseRecord(text: string): LockHolder {
  let parsed: Record<string, unknown> = {};
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null) parsed = value as Record<string, unknown>;
  } catch {
    // Not JSON: handled below as a record without owner or expiry.
  }
  const number = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const acquiredAt = number(parsed.acquiredAt);
  return {
    owner: typeof parsed.owner === 'string' && parsed.owner ? parsed.owner : 'an unreadable lock record',
    expires: number(parsed.expires) ?? 0,
    ...(acquiredAt !== undefined ? { acquiredAt } : {}),
    ...(typeof parsed.purpose === 'string' ? { purpose: parsed.purpose } : {}),
  };
}

/** A conditional write of the record: its ETag, or undefined when the precondition lost to someone else. */
async function write(
  s3: S3Client,
  where: LockLocation,
  record: LockHolder,
  condition: { IfMatch: string } | { IfNoneMatch: '*' },
  clock: Clock,
): Promise<string | undefined> {
  try {
    const output = await retryThrottled(
      () =>
        s3.send(
          new PutObjectCommand({
            Bucket: where.bucket,
            Key: where.key,
            Body: JSON.stringify(record),
            ContentType: 'application/json',
            ...condition,
          }),
        ),
      clock,
    );
    if (!output.ETag) throw new LockError(`s3://${where.bucket}/${where.key}: S3 returned no ETag`);
    return output.ETag;
  } catch (error) {
    const name = errorName(error);
    // 412: the object exists (If-None-Match) or changed (If-Match); 404: it was deleted
    // (If-Match); 409: a concurrent request on it completed first. Read again and decide.
    if (name === 'PreconditionFailed' || name === 'NoSuchKey' || name === 'ConditionalRequestConflict') {
      return undefined;
    }
    throw error;
  }
}
