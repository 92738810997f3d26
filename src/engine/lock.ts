/**
 * An advisory lock that keeps two applies of one installation from interleaving: an SSM
 * parameter in the home region holding the owner and an expiry. Creating the parameter without
 * overwrite is the atomic step; an expired lock (a crashed apply) can be taken over.
 */
import { DeleteParameterCommand, GetParameterCommand, ParameterNotFound, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { errorName, type Clock } from './retry';

/** Who holds a lock, and until when (epoch milliseconds). */
export interface LockHolder {
  readonly owner: string;
  readonly expires: number;
}

/** The lock parameter of an installation. */
export function lockParameterName(installationId: string): string {
  return `/cfct/${installationId}/apply-lock`;
}

/** A held lock. */
export interface ApplyLock {
  readonly name: string;
  readonly holder: LockHolder;
  /** Deletes the lock parameter if this holder still holds it. */
  release(): Promise<void>;
}

/** Either the lock, or who holds it. */
export type LockResult = { readonly lock: ApplyLock } | { readonly heldBy: LockHolder };

async function read(ssm: SSMClient, name: string): Promise<LockHolder | undefined> {
  try {
    const value = (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
    const parsed = value ? (JSON.parse(value) as Partial<LockHolder>) : {};
    return { owner: String(parsed.owner ?? 'unknown'), expires: Number(parsed.expires ?? 0) };
  } catch (error) {
    if (error instanceof ParameterNotFound || errorName(error) === 'ParameterNotFound') return undefined;
    throw error;
  }
}

/**
 * Takes the lock for `ttlMs`. Returns the holder instead when someone else holds an unexpired
 * lock. An expired lock is taken over (and re-read, so of two simultaneous takeovers one wins).
 */
export async function acquireApplyLock(
  ssm: SSMClient,
  installationId: string,
  owner: string,
  ttlMs: number,
  clock: Clock,
): Promise<LockResult> {
  const name = lockParameterName(installationId);
  const holder: LockHolder = { owner, expires: clock.now() + ttlMs };
  const put = (overwrite: boolean) =>
    ssm.send(
      new PutParameterCommand({
        Name: name,
        Value: JSON.stringify(holder),
        Type: 'String',
        Overwrite: overwrite,
        Description: 'cfct apply lock: owner and expiry (epoch ms); delete it only if that apply is gone',
      }),
    );
  try {
    await put(false);
  } catch (error) {
    if (errorName(error) !== 'ParameterAlreadyExists') throw error;
    const current = await read(ssm, name);
    if (current && current.expires > clock.now()) return { heldBy: current };
    await put(true);
    const after = await read(ssm, name);
    if (!after || after.owner !== owner) return { heldBy: after ?? { owner: 'unknown', expires: 0 } };
  }
  return {
    lock: {
      name,
      holder,
      release: async () => {
        const current = await read(ssm, name);
        if (current?.owner === owner) await ssm.send(new DeleteParameterCommand({ Name: name }));
      },
    },
  };
}
