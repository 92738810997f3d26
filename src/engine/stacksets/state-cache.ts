/**
 * The stack set state cache: stack set states as a full read returned them, each with the stamp
 * it was read under, so that a stack set nothing has touched since is planned from the cached
 * state after one `ListStackSetOperations` call instead of a DescribeStackSet and a paginated
 * ListStackInstances (snapshot.ts decides; README "State cache").
 *
 * A stack set's state changes only through a stack set operation (instances created, updated or
 * deleted, UpdateStackSet, imports, drift detection) or by being deleted and created again (a new
 * StackSetId). Its stamp is therefore `{ stackSetId, operationId, secrets }`: the id from
 * ListStackSets, the newest operation (by CreationTimestamp; absent when there is none), and a
 * keyed digest of the secret elements the reader shapes parameter values with.
 *
 * The S3 implementation keeps one JSON object (`stackSetStateCacheKey`) in the run bucket. What it
 * holds is what a snapshot holds (parameter values holding a secret are keyed digests already);
 * the records (`/cfct/stacksets/<name>`) are never cached, they are read fresh from SSM. Loading
 * and saving never throw: a missing, unreadable, corrupt or foreign object is an empty cache, and
 * a failed save leaves the plan as it is; both are told in the outcome's note.
 */
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import Ajv from 'ajv';
import { describeError, errorName, retryThrottled, type Clock } from '../retry';
import type { Fingerprinter } from './fingerprint';
import type { S3ObjectRef } from '../s3-object';
export { parseS3ObjectUrl } from '../s3-object';
export { STACK_SET_STATE_CACHE_OBJECT, stackSetStateCacheKey } from './state-cache-key';
import { STACK_SET_SNAPSHOT_SCHEMA, type StackSetState } from './snapshot-model';
import type { AwsClients } from '../../aws/clients';

/** Version of the cache object's format; an object of another version is an empty cache. */
export const STACK_SET_STATE_CACHE_FORMAT = 1;

/** What a cached state was read under; when it still holds, the state has not changed. */
export interface StackSetStamp {
  /** From ListStackSets: a stack set deleted and created again under the same name has a new id. */
  readonly stackSetId: string;
  /** The newest operation (by CreationTimestamp); absent when the stack set has none. */
  readonly operationId?: string;
  /** Keyed digest of the secret elements parameter values were shaped with (`secretsDigest`). */
  readonly secrets: string;
}

/** A stack set state as cached: without its record (always read fresh from SSM). */
export type CachedStackSetState = Omit<StackSetState, 'record'>;

/** One cache entry. */
export interface StackSetStateEntry {
  readonly stamp: StackSetStamp;
  readonly state: CachedStackSetState;
}

/** Cache entries by stack set name. */
export type StackSetStateEntries = Readonly<Record<string, StackSetStateEntry>>;

/** What loading gave: the entries (none when the object is missing or unusable), and why not. */
export interface StateCacheLoad {
  readonly entries: StackSetStateEntries;
  /** Set when the object could not be used (missing, unreadable, corrupt, foreign). */
  readonly note?: string;
}

/** What saving did. */
export interface StateCacheSave {
  readonly saved: boolean;
  /** Why it was not saved. */
  readonly note?: string;
}

/** A store of stack set states. `load` and `save` never throw. */
export interface StackSetStateCache {
  /** Where it is, for notes (`s3://bucket/key`). */
  readonly location: string;
  load(): Promise<StateCacheLoad>;
  save(entries: StackSetStateEntries): Promise<StateCacheSave>;
}

/** How a snapshot read used the cache (the build prints it; nothing of it is in the snapshot). */
export interface StateCacheReport {
  readonly location: string;
  /** Stack sets planned from the cache after one ListStackSetOperations call. */
  readonly confirmed: number;
  /** Stack sets read in full (no entry, a stamp that changed, an operation still running). */
  readonly read: number;
  /** Whether the cache object was written (only when an entry was added, refreshed or dropped). */
  readonly saved: boolean;
  /** Why the cache could not be loaded or saved. */
  readonly notes: readonly string[];
}

/** One line for a log: `stack set state cache s3://b/k: 48 confirmed, 3 read in full, saved`. */
export function describeStateCacheReport(report: StateCacheReport): string {
  const parts = [
    `${report.confirmed} confirmed`,
    `${report.read} read in full`,
    report.saved ? 'saved' : 'not written',
  ];
  const notes = report.notes.length ? ` (${report.notes.join('; ')})` : '';
  return `stack set state cache ${report.location}: ${parts.join(', ')}${notes}`;
}

/**
 * The stamp's `secrets`: a keyed digest of the secret elements (SecureString values read for the
 * snapshot). A changed SecureString changes which parameter values are kept only as digests.
 */
export function secretsDigest(secrets: ReadonlySet<string>, fingerprinter: Fingerprinter): string {
  return fingerprinter.mac(JSON.stringify(['cfct:stack-set-state-secrets', ...[...secrets].sort()]));
}

/** Whether two stamps are the same. */
export function sameStamp(a: StackSetStamp, b: StackSetStamp): boolean {
  return a.stackSetId === b.stackSetId && a.operationId === b.operationId && a.secrets === b.secrets;
}

/** The cache object: what `S3StackSetStateCache` writes. */
interface CacheDocument {
  readonly formatVersion: number;
  readonly homeRegion: string;
  readonly installationId: string;
  readonly stackSets: StackSetStateEntries;
}

/** The JSON Schema of the cache object. */
function documentSchema() {
  // The stack set item of the snapshot schema, without the record (never cached).
  const item = STACK_SET_SNAPSHOT_SCHEMA.properties.stackSets.additionalProperties;
  const { record: _record, ...properties } = item.properties;
  return {
    type: 'object',
    required: ['formatVersion', 'homeRegion', 'installationId', 'stackSets'],
    additionalProperties: false,
    properties: {
      formatVersion: { type: 'integer' },
      homeRegion: { type: 'string' },
      installationId: { type: 'string' },
      stackSets: {
        type: 'object',
        additionalProperties: {
          type: 'object',
          required: ['stamp', 'state'],
          additionalProperties: false,
          properties: {
            stamp: {
              type: 'object',
              required: ['stackSetId', 'secrets'],
              additionalProperties: false,
              properties: {
                stackSetId: { type: 'string', minLength: 1 },
                operationId: { type: 'string', minLength: 1 },
                secrets: { type: 'string', pattern: '^[0-9a-f]{64}$' },
              },
            },
            state: { ...item, properties },
          },
        },
      },
    },
  };
}

let validateDocument: ReturnType<Ajv['compile']> | undefined;
let validateEntry: ReturnType<Ajv['compile']> | undefined;

/** A cache entry from untrusted JSON (a state file), or undefined when it is not one. */
export function parseStackSetStateEntry(value: unknown, stackSetName: string): StackSetStateEntry | undefined {
  validateEntry ??= new Ajv({ allErrors: false }).compile(documentSchema().properties.stackSets.additionalProperties);
  if (!validateEntry(value)) return undefined;
  const entry = value as StackSetStateEntry;
  return entry.state.name === stackSetName ? entry : undefined;
}

/**
 * Puts entries into the cache (`null`: the stack set has no usable entry, it is dropped) with
 * one load and one save. Never throws.
 */
export async function mergeStackSetStates(
  cache: StackSetStateCache,
  updates: Readonly<Record<string, StackSetStateEntry | null>>,
): Promise<StateCacheReport> {
  const loaded = await cache.load();
  const notes = loaded.note ? [loaded.note] : [];
  const entries: Record<string, StackSetStateEntry> = { ...loaded.entries };
  for (const [name, entry] of Object.entries(updates)) {
    if (entry) entries[name] = entry;
    else delete entries[name];
  }
  const sorted = Object.fromEntries(
    Object.keys(entries)
      .sort()
      .map((name) => [name, entries[name]]),
  );
  const saved = await cache.save(sorted);
  if (saved.note) notes.push(saved.note);
  const read = Object.values(updates).filter(Boolean).length;
  return { location: cache.location, confirmed: 0, read, saved: saved.saved, notes };
}

/** Where the outputs task of a pipeline run leaves one stack set's entry: `<run files>/states/<name>.json`. */
export function stackSetStateFileKey(runFilesBase: string, stackSetName: string): string {
  return `${runFilesBase.replace(/\/+$/, '')}/states/${stackSetName}.json`;
}

/** Options of {@link s3StackSetStateCache}. */
export interface S3StackSetStateCacheOptions {
  readonly clients: Pick<AwsClients, 's3'>;
  /** The object (`stackSetStateCacheKey(runPrefix)` in the run bucket). */
  readonly ref: S3ObjectRef;
  /** The installation's home region (the bucket's region, and part of the object's identity). */
  readonly homeRegion: string;
  /** The installation the states belong to; an object of another installation is not used. */
  readonly installationId: string;
  readonly clock: Clock;
}

/** The stack set state cache as one JSON object in S3 (in the run bucket, KMS-encrypted). */
export function s3StackSetStateCache(options: S3StackSetStateCacheOptions): StackSetStateCache {
  const { ref, homeRegion, installationId, clock } = options;
  const location = `s3://${ref.bucket}/${ref.key}`;
  const s3 = () => options.clients.s3(homeRegion);
  return {
    location,
    async load() {
      let text: string;
      try {
        const object = await retryThrottled(
          () => s3().send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key })),
          clock,
        );
        text = (await object.Body?.transformToString('utf8')) ?? '';
      } catch (error) {
        if (errorName(error) === 'NoSuchKey') return { entries: {}, note: 'no cache object yet' };
        const { name, message } = describeError(error);
        return { entries: {}, note: `the cache object could not be read (${name}: ${message})` };
      }
      let document: unknown;
      try {
        document = JSON.parse(text);
      } catch {
        return { entries: {}, note: 'the cache object is not JSON; it is ignored' };
      }
      validateDocument ??= new Ajv({ allErrors: false }).compile(documentSchema());
      if (!validateDocument(document)) {
        return { entries: {}, note: 'the cache object does not have the expected shape; it is ignored' };
      }
      const valid = document as CacheDocument;
      if (
        valid.formatVersion !== STACK_SET_STATE_CACHE_FORMAT ||
        valid.homeRegion !== homeRegion ||
        valid.installationId !== installationId
      ) {
        return {
          entries: {},
          note: `the cache object is of format ${valid.formatVersion}, region ${valid.homeRegion}, installation ${valid.installationId}; it is ignored`,
        };
      }
      const entries: Record<string, StackSetStateEntry> = {};
      for (const [name, entry] of Object.entries(valid.stackSets)) {
        if (entry.state.name === name) entries[name] = entry;
      }
      return { entries };
    },
    async save(entries) {
      const document: CacheDocument = {
        formatVersion: STACK_SET_STATE_CACHE_FORMAT,
        homeRegion,
        installationId,
        stackSets: entries,
      };
      try {
        await retryThrottled(
          () =>
            s3().send(
              new PutObjectCommand({
                Bucket: ref.bucket,
                Key: ref.key,
                Body: JSON.stringify(document),
                ContentType: 'application/json',
              }),
            ),
          clock,
        );
        return { saved: true };
      } catch (error) {
        const { name, message } = describeError(error);
        return { saved: false, note: `the cache object could not be written (${name}: ${message})` };
      }
    },
  };
}
