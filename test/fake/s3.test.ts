/**
 * The fake S3's conditional requests, through the real SDK client: the semantics the lock
 * relies on (AWS S3 user guide, "conditional writes" and "conditional deletes"; PutObject and
 * DeleteObject API references).
 */
import { createHash } from 'node:crypto';
import * as s3Sdk from '@aws-sdk/client-s3';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { FakeAws } from './core';
import { FakeS3 } from './s3';

function setup() {
  const fake = new FakeAws({ seed: 3 });
  const s3 = new FakeS3(fake);
  const client = fake.client(S3Client, s3Sdk, 's3', { accountId: '111111111111', region: 'us-east-1' });
  const put = (input: Partial<s3Sdk.PutObjectCommandInput> = {}) =>
    client.send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: 'x', ...input }));
  return { fake, s3, client, put };
}

describe('fake S3 conditional requests', () => {
  test('every write gives a new ETag, which GetObject returns too', async () => {
    const { client, put } = setup();
    const first = (await put()).ETag!;
    const second = (await put()).ETag!;
    expect(first).toMatch(/^"[0-9a-f]{32}"$/);
    expect(second).not.toBe(first);
    expect((await client.send(new GetObjectCommand({ Bucket: 'b', Key: 'k' }))).ETag).toBe(second);
  });

  test('IfNoneMatch: * creates, then fails with 412 PreconditionFailed while the key exists', async () => {
    const { s3, put } = setup();
    await put({ IfNoneMatch: '*', Body: 'first' });
    await expect(put({ IfNoneMatch: '*', Body: 'second' })).rejects.toMatchObject({
      name: 'PreconditionFailed',
      $metadata: { httpStatusCode: 412 },
    });
    expect(s3.objects.get('b/k')!.toString()).toBe('first');
  });

  test('IfMatch writes only over the ETag given: 412 when it differs, 404 NoSuchKey when the key is absent', async () => {
    const { s3, put } = setup();
    await expect(put({ IfMatch: '"0"' })).rejects.toMatchObject({
      name: 'NoSuchKey',
      $metadata: { httpStatusCode: 404 },
    });
    const etag = (await put({ Body: 'one' })).ETag!;
    const next = (await put({ IfMatch: etag, Body: 'two' })).ETag!;
    await expect(put({ IfMatch: etag, Body: 'three' })).rejects.toMatchObject({ name: 'PreconditionFailed' });
    expect(s3.objects.get('b/k')!.toString()).toBe('two');
    expect(s3.etagOf('b', 'k')).toBe(next);
  });

  test('DeleteObject with IfMatch deletes only that version: 412 when it differs, 404 when absent', async () => {
    const { client, s3, put } = setup();
    const del = (IfMatch?: string) => client.send(new DeleteObjectCommand({ Bucket: 'b', Key: 'k', IfMatch }));
    await expect(del('"0"')).rejects.toMatchObject({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
    await expect(del()).resolves.toBeDefined(); // unconditional delete of a missing key: 204
    const old = (await put()).ETag!;
    const current = (await put()).ETag!;
    await expect(del(old)).rejects.toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    expect(s3.objects.has('b/k')).toBe(true);
    await del(current);
    expect(s3.objects.has('b/k')).toBe(false);
  });

  test('a conditional write during which another write completed fails with 409 ConditionalRequestConflict', async () => {
    const { s3, put } = setup();
    const etag = (await put()).ETag!;
    let release: () => void = () => undefined;
    let held = false;
    s3.pause = async (e) => {
      if (e.phase !== 'commit' || held) return;
      held = true;
      await new Promise<void>((resolve) => (release = resolve));
    };
    const slow = put({ IfMatch: etag, Body: 'slow' });
    while (!held) await new Promise((r) => setImmediate(r));
    await put({ Body: 'fast' }); // completes while the conditional write is held before its commit
    release();
    await expect(slow).rejects.toMatchObject({
      name: 'ConditionalRequestConflict',
      $metadata: { httpStatusCode: 409 },
    });
    expect(s3.objects.get('b/k')!.toString()).toBe('fast');
  });

  test('concurrent creates with IfNoneMatch: exactly one succeeds, the others get 409 or 412', async () => {
    const { s3, put } = setup();
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => put({ IfNoneMatch: '*', Body: `w${i}` })),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') {
        expect(['ConditionalRequestConflict', 'PreconditionFailed']).toContain(r.reason.name);
      }
    }
    expect(s3.etagOf('b', 'k')).toBe((won[0] as PromiseFulfilledResult<s3Sdk.PutObjectCommandOutput>).value.ETag);
  });

  test('an object a test sets directly has its content MD5 as ETag and can be replaced with IfMatch', async () => {
    const { s3, put } = setup();
    s3.objects.set('b/k', Buffer.from('seeded'));
    expect(s3.etagOf('b', 'k')).toBe(`"${createHash('md5').update('seeded').digest('hex')}"`);
    await put({ IfMatch: s3.etagOf('b', 'k'), Body: 'replaced' });
    expect(s3.objects.get('b/k')!.toString()).toBe('replaced');
  });
});
