/**
 * The installation lock as `cfct apply` holds it: the bucket found (`--lock-bucket`, else the SSM
 * parameter the pipeline construct creates), the lock taken before the organization is read and
 * planned, kept (renewed) while the apply runs, and released at the end. The pipeline's tasks
 * take the same lock (src/engine/lock.ts), so a CLI apply and a pipeline run never interleave.
 */
import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { ExitCode, type CliIo } from './io';
import { interceptRequests, type AwsClients } from '../aws/clients';
import {
  acquireLock,
  describeHolder,
  lockBucketParameterName,
  LockKeeper,
  lockLocation,
  type LockLocation,
  type LockLoss,
} from '../engine/lock';
import { errorName, type Clock } from '../engine/retry';
import { retryThrottled } from '../engine/retry';

/** Where the lock is and how long it lasts. */
export interface CliLockOptions {
  /** `--lock-bucket`. @default - the SSM parameter `/cfct/<installationId>/lock-bucket` */
  readonly bucket?: string;
  readonly ttlMs: number;
  readonly clock: Clock;
  /** Recorded in the lock for whoever finds it held. */
  readonly purpose: string;
}

/**
 * The lock bucket: `flag`, else the SSM parameter `/cfct/<installationId>/lock-bucket` in the
 * home region. Prints a hint and returns undefined when neither names one.
 */
export async function findLockBucket(
  io: CliIo,
  command: string,
  clients: AwsClients,
  where: {
    readonly homeRegion: string;
    readonly installationId: string;
    readonly flag?: string;
    readonly clock: Clock;
  },
): Promise<string | undefined> {
  const { homeRegion, installationId, flag, clock } = where;
  if (flag) return flag;
  const name = lockBucketParameterName(installationId);
  try {
    const value = (
      await retryThrottled(() => clients.ssm(homeRegion).send(new GetParameterCommand({ Name: name })), clock)
    ).Parameter?.Value;
    if (value) return value;
  } catch (error) {
    if (errorName(error) !== 'ParameterNotFound') throw error;
  }
  io.stderr(
    `cfct ${command}: no lock bucket: pass --lock-bucket <bucket>, or create the SSM parameter ${name} in ${homeRegion} naming one ` +
      '(the pipeline construct creates it)\n',
  );
  return undefined;
}

/**
 * Every client of `clients`, with each `send` preceded by `check` (which renews the lock when
 * due and throws once it is lost): after a loss, no further AWS call is made with them.
 */
export function guardClients(clients: AwsClients, check: () => Promise<void>): AwsClients {
  return interceptRequests(clients, () => check());
}

/** One command's hold on the installation lock. */
export class CliLock {
  /** Unique per run: user, host and a random id. */
  readonly owner = `${safeUser()}@${hostname()} ${randomUUID()}`;
  private keeper?: LockKeeper;
  private where?: LockLocation;
  private stopped = false;

  constructor(
    private readonly io: CliIo,
    private readonly command: string,
    private readonly options: CliLockOptions,
  ) {}

  /** Why the lock was lost during the run, if it was. */
  get lost(): LockLoss | undefined {
    return this.keeper?.lost;
  }

  /**
   * Takes the lock of `installationId`. Returns the clients to run with (guarded by the lock),
   * or prints why not and returns the exit code: 2 without a lock bucket, 1 when it is held or
   * S3 refuses the lock object.
   */
  async take(clients: AwsClients, homeRegion: string, installationId: string): Promise<AwsClients | number> {
    const { clock } = this.options;
    const bucket = await findLockBucket(this.io, this.command, clients, {
      homeRegion,
      installationId,
      flag: this.options.bucket,
      clock,
    });
    if (!bucket) return ExitCode.USAGE;
    const where = lockLocation(bucket, installationId);
    const s3 = clients.s3(homeRegion);
    let taken: Awaited<ReturnType<typeof acquireLock>>;
    try {
      taken = await acquireLock(s3, where, {
        owner: this.owner,
        ttlMs: this.options.ttlMs,
        clock,
        purpose: this.options.purpose,
      });
    } catch (error) {
      this.io.stderr(
        `cfct ${this.command}: cannot take the lock s3://${where.bucket}/${where.key}: ${errorName(error)}: ${(error as Error).message}; nothing was applied\n`,
      );
      return ExitCode.FINDINGS;
    }
    if (!taken.acquired) {
      this.io.stderr(
        `cfct ${this.command}: the lock s3://${where.bucket}/${where.key} is held by ${describeHolder(taken.heldBy)}; nothing was applied\n`,
      );
      return ExitCode.FINDINGS;
    }
    this.where = where;
    this.keeper = new LockKeeper(s3, taken.lock, {
      ttlMs: this.options.ttlMs,
      clock,
      onLost: (loss) => this.io.stderr(`cfct ${this.command}: ${loss.message}; no further step is started\n`),
    });
    const keeper = this.keeper;
    return guardClients(clients, () => keeper.ensureHeld());
  }

  /** Renews the lock if due; throws `LockLostError` once it is lost. */
  async ensureHeld(): Promise<void> {
    await this.keeper?.ensureHeld();
  }

  /** Ends the renewals and releases the lock if it is still ours; a failed release is reported, not thrown. */
  async stop(): Promise<void> {
    const keeper = this.keeper;
    if (!keeper || !this.where || this.stopped) return;
    this.stopped = true;
    try {
      await keeper.stop();
    } catch (error) {
      this.io.stderr(
        `cfct ${this.command}: could not release the lock s3://${this.where.bucket}/${this.where.key} (${errorName(error)}: ${(error as Error).message}); ` +
          `it expires at ${new Date(keeper.lock.expires).toISOString()}\n`,
      );
    }
  }
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
