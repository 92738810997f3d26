/**
 * Fake S3: objects by bucket and key (template staging, remote templates, run files, the lock),
 * with S3's conditional writes and deletes:
 *
 * - `PutObject` with `IfNoneMatch: '*'`: 412 `PreconditionFailed` when the key exists.
 * - `PutObject` with `IfMatch: <etag>`: 412 `PreconditionFailed` when the ETag differs, 404
 *   `NoSuchKey` when the key does not exist.
 * - `DeleteObject` with `IfMatch: <etag>` (general purpose buckets support it since 2025-09):
 *   412 when the ETag differs, 404 `NoSuchKey` when the key does not exist; without `IfMatch`
 *   deleting a missing key succeeds (204).
 * - A conditional write or delete during which another write or delete of the same key
 *   completed fails with 409 `ConditionalRequestConflict` (S3: "a conflicting operation occurred
 *   during the upload"; retry it).
 *
 * Every write gives the object a new ETag (as with SSE-KMS, the lock bucket's encryption).
 * `pause` lets a test hold a call at its request and, for writes, again just before it commits,
 * to interleave callers deterministically.
 */
import { createHash } from 'node:crypto';
import { NoSuchKey, S3ServiceException } from '@aws-sdk/client-s3';
import type { CallContext, FakeAws, FakeService } from './core';

/** A point where a call can be held: on arrival, and (writes and deletes) just before committing. */
export interface S3CallEvent {
  readonly operation: 'GetObject' | 'PutObject' | 'DeleteObject';
  readonly phase: 'request' | 'commit';
  readonly bucket: string;
  readonly key: string;
  readonly context: CallContext;
}

/** The 412 S3 answers when a precondition (If-Match, If-None-Match) does not hold. */
export function preconditionFailed(): S3ServiceException {
  return new S3ServiceException({
    name: 'PreconditionFailed',
    $fault: 'client',
    message: 'At least one of the pre-conditions you specified did not hold',
    $metadata: { httpStatusCode: 412 },
  });
}

/** The 409 S3 answers when a conflicting operation completed during a conditional request. */
export function conditionalRequestConflict(): S3ServiceException {
  return new S3ServiceException({
    name: 'ConditionalRequestConflict',
    $fault: 'client',
    message: 'The conditional request cannot succeed due to a conflicting operation against this resource.',
    $metadata: { httpStatusCode: 409 },
  });
}

function noSuchKey(): NoSuchKey {
  return new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } });
}

/** The fake's state and its service module. */
export class FakeS3 {
  /** Object bodies by `bucket/key`. Tests may set objects directly (they get a content ETag). */
  readonly objects = new Map<string, Buffer>();
  /** Holds calls at their request and commit points (see `S3CallEvent`). @default no pause */
  pause?: (event: S3CallEvent) => Promise<void>;
  private readonly etags = new Map<string, { etag: string; body: Buffer }>();
  /** Completed writes and deletes per key, to detect conflicting concurrent requests. */
  private readonly writes = new Map<string, number>();
  private serial = 0;

  constructor(fake: FakeAws) {
    fake.register(this.service);
  }

  get service(): FakeService {
    return {
      name: 's3',
      operations: {
        PutObject: (input, context) => this.put(input, context),
        GetObject: (input, context) => this.get(input, context),
        DeleteObject: (input, context) => this.delete(input, context),
      },
    };
  }

  /** The current ETag of an object (quoted, as S3 returns it), or undefined. */
  etagOf(bucket: string, key: string): string | undefined {
    const id = `${bucket}/${key}`;
    const body = this.objects.get(id);
    if (!body) return undefined;
    const known = this.etags.get(id);
    if (known && known.body === body) return known.etag;
    // Set directly by a test: the content's MD5, as S3 gives a plain single-part upload.
    const etag = `"${createHash('md5').update(body).digest('hex')}"`;
    this.etags.set(id, { etag, body });
    return etag;
  }

  /** The text of an object addressed by a virtual-hosted-style or path-style S3 URL. */
  readUrl(url: string): string {
    const parsed = new URL(url);
    const hosted = /^([^.]+)\.s3[.-]/.exec(parsed.hostname);
    const [bucket, key] = hosted ? [hosted[1], parsed.pathname.slice(1)] : parsed.pathname.slice(1).split(/\/(.*)/s);
    const body = this.objects.get(`${bucket}/${decodeURIComponent(key)}`);
    if (!body) throw new Error(`S3 error: Access Denied (no object at ${url})`);
    return body.toString('utf8');
  }

  private async hold(
    operation: S3CallEvent['operation'],
    phase: S3CallEvent['phase'],
    input: any,
    context: CallContext,
  ): Promise<void> {
    if (this.pause) await this.pause({ operation, phase, bucket: input.Bucket, key: input.Key, context });
  }

  private async get(input: any, context: CallContext) {
    await this.hold('GetObject', 'request', input, context);
    const body = this.objects.get(`${input.Bucket}/${input.Key}`);
    if (!body) throw noSuchKey();
    const etag = this.etagOf(input.Bucket, input.Key)!;
    if (input.IfMatch !== undefined && input.IfMatch !== '*' && input.IfMatch !== etag) throw preconditionFailed();
    return {
      ETag: etag,
      ContentLength: body.length,
      Body: {
        transformToString: async (encoding?: BufferEncoding) => body.toString(encoding ?? 'utf8'),
        transformToByteArray: async () => new Uint8Array(body),
      },
    };
  }

  private async put(input: any, context: CallContext) {
    if (input.IfNoneMatch !== undefined && input.IfNoneMatch !== '*') {
      throw new Error(`the fake (like S3) accepts only IfNoneMatch: '*', got ${input.IfNoneMatch}`);
    }
    if (input.IfNoneMatch !== undefined && input.IfMatch !== undefined) {
      throw new Error('the fake does not combine IfMatch and IfNoneMatch');
    }
    const conditional = input.IfNoneMatch !== undefined || input.IfMatch !== undefined;
    const id = `${input.Bucket}/${input.Key}`;
    await this.hold('PutObject', 'request', input, context);
    const before = this.writes.get(id) ?? 0;
    await this.hold('PutObject', 'commit', input, context);
    if (conditional && (this.writes.get(id) ?? 0) !== before) throw conditionalRequestConflict();
    const current = this.etagOf(input.Bucket, input.Key);
    if (input.IfNoneMatch === '*' && current !== undefined) throw preconditionFailed();
    if (input.IfMatch !== undefined) {
      if (current === undefined) throw noSuchKey();
      if (input.IfMatch !== '*' && input.IfMatch !== current) throw preconditionFailed();
    }
    const body = Buffer.from(input.Body);
    const etag = `"${createHash('md5').update(`${++this.serial}:`).update(body).digest('hex')}"`;
    this.objects.set(id, body);
    this.etags.set(id, { etag, body });
    this.writes.set(id, (this.writes.get(id) ?? 0) + 1);
    return { ETag: etag };
  }

  private async delete(input: any, context: CallContext) {
    const id = `${input.Bucket}/${input.Key}`;
    await this.hold('DeleteObject', 'request', input, context);
    const before = this.writes.get(id) ?? 0;
    await this.hold('DeleteObject', 'commit', input, context);
    if (input.IfMatch !== undefined) {
      if ((this.writes.get(id) ?? 0) !== before) throw conditionalRequestConflict();
      const current = this.etagOf(input.Bucket, input.Key);
      if (current === undefined) throw noSuchKey();
      if (input.IfMatch !== '*' && input.IfMatch !== current) throw preconditionFailed();
    }
    if (this.objects.delete(id)) {
      this.etags.delete(id);
      this.writes.set(id, (this.writes.get(id) ?? 0) + 1);
    }
    return {};
  }
}
