/**
 * Keyed fingerprints of secret values, and the ownership record of each stack set, both kept in
 * the management account's Parameter Store (home region), never in a tag.
 *
 * - The fingerprint key: 32 random bytes, a SecureString (`FINGERPRINT_KEY_PARAMETER`, encrypted
 *   with the installation's secrets key when one is set). It is created at the first apply and
 *   never leaves the management account: plans, snapshots and logs hold only HMAC-SHA256 values
 *   made with it, which cannot be searched offline.
 * - The stack set record (`/cfct/stacksets/<stack set name>`, a String): which installation owns
 *   the stack set (so adopting upstream's stack sets needs no UpdateStackSet to tag them) and the
 *   keyed fingerprint of the NoEcho values applied last (DescribeStackSet masks them).
 */
import { createHmac, randomBytes } from 'node:crypto';
import {
  GetParameterCommand,
  GetParametersCommand,
  ParameterAlreadyExists,
  ParameterNotFound,
  PutParameterCommand,
} from '@aws-sdk/client-ssm';
import { retryThrottled, type Clock } from '../retry';
import type { StackSetClients } from './clients';

/** The SecureString holding the fingerprint key. */
export const FINGERPRINT_KEY_PARAMETER = '/cfct/fingerprint-key';
/** Parent path of the stack set records. */
export const STACK_SET_RECORD_PATH = '/cfct/stacksets/';

/** Makes keyed digests: HMAC-SHA256 (hex) with the installation's fingerprint key. */
export interface Fingerprinter {
  mac(text: string): string;
}

/** What the management account records about a stack set. */
export interface StackSetRecord {
  /** The installation that owns (created or adopted) the stack set. */
  readonly owner: string;
  /** Keyed fingerprint of the NoEcho values applied last; absent when it has none. */
  readonly noEcho?: string;
}

/** The SSM name of a stack set's record. */
export function recordName(stackSetName: string): string {
  return `${STACK_SET_RECORD_PATH}${stackSetName}`;
}

/** A fingerprinter over `key` (the decoded key bytes). */
export function fingerprinterFor(key: Buffer): Fingerprinter {
  return { mac: (text) => createHmac('sha256', key).update(text).digest('hex') };
}

type Clients = Pick<StackSetClients, 'ssm'>;

/** The installation's fingerprinter, or undefined when no key exists yet (nothing was applied). */
export async function readFingerprinter(
  clients: Clients,
  homeRegion: string,
  clock: Clock,
): Promise<Fingerprinter | undefined> {
  try {
    const get = new GetParameterCommand({ Name: FINGERPRINT_KEY_PARAMETER, WithDecryption: true });
    const read = await retryThrottled(() => clients.ssm(homeRegion).send(get), clock);
    const value = read.Parameter?.Value;
    return value ? fingerprinterFor(Buffer.from(value, 'base64')) : undefined;
  } catch (error) {
    if (error instanceof ParameterNotFound) return undefined;
    throw error;
  }
}

/** The installation's fingerprinter; the key is created on first use (a concurrent creator wins). */
export async function ensureFingerprinter(
  clients: Clients,
  homeRegion: string,
  kmsKeyId: string | undefined,
  clock: Clock,
): Promise<Fingerprinter> {
  const existing = await readFingerprinter(clients, homeRegion, clock);
  if (existing) return existing;
  try {
    await retryThrottled(
      () =>
        clients.ssm(homeRegion).send(
          new PutParameterCommand({
            Name: FINGERPRINT_KEY_PARAMETER,
            Value: randomBytes(32).toString('base64'),
            Type: 'SecureString',
            Overwrite: false,
            Description: 'cdk-control-tower-customizations: key of the fingerprints of secret parameter values',
            ...(kmsKeyId ? { KeyId: kmsKeyId } : {}),
          }),
        ),
      clock,
    );
  } catch (error) {
    if (!(error instanceof ParameterAlreadyExists)) throw error;
  }
  const created = await readFingerprinter(clients, homeRegion, clock);
  if (!created) {
    throw new Error(`the fingerprint key ${FINGERPRINT_KEY_PARAMETER} could not be read after it was created`);
  }
  return created;
}

/** The records of `stackSetNames` that exist (GetParameters in batches of 10). */
export async function readStackSetRecords(
  clients: Clients,
  homeRegion: string,
  stackSetNames: readonly string[],
  clock: Clock,
): Promise<Record<string, StackSetRecord>> {
  const records: Record<string, StackSetRecord> = {};
  for (let i = 0; i < stackSetNames.length; i += 10) {
    const batch = stackSetNames.slice(i, i + 10);
    const result = await retryThrottled(
      () => clients.ssm(homeRegion).send(new GetParametersCommand({ Names: batch.map(recordName) })),
      clock,
    );
    for (const p of result.Parameters ?? []) {
      const record = parseRecord(p.Value);
      if (record) records[p.Name!.slice(STACK_SET_RECORD_PATH.length)] = record;
    }
  }
  return records;
}

/** Writes (replaces) a stack set's record. */
export async function writeStackSetRecord(
  clients: Clients,
  homeRegion: string,
  stackSetName: string,
  record: StackSetRecord,
  clock: Clock,
): Promise<void> {
  await retryThrottled(
    () =>
      clients.ssm(homeRegion).send(
        new PutParameterCommand({
          Name: recordName(stackSetName),
          Value: JSON.stringify({ owner: record.owner, ...(record.noEcho ? { noEcho: record.noEcho } : {}) }),
          Type: 'String',
          Overwrite: true,
        }),
      ),
    clock,
  );
}

function parseRecord(value: string | undefined): StackSetRecord | undefined {
  try {
    const parsed = JSON.parse(value ?? '');
    if (typeof parsed?.owner !== 'string' || !parsed.owner) return undefined;
    return { owner: parsed.owner, ...(typeof parsed.noEcho === 'string' ? { noEcho: parsed.noEcho } : {}) };
  } catch {
    return undefined;
  }
}
