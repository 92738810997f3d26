/** Fake S3: objects by bucket and key (what template staging and remote templates need). */
import { NoSuchKey } from '@aws-sdk/client-s3';
import type { FakeAws, FakeService } from './core';

/** The fake's state and its service module. */
export class FakeS3 {
  readonly objects = new Map<string, Buffer>();

  constructor(fake: FakeAws) {
    fake.register(this.service);
  }

  get service(): FakeService {
    return {
      name: 's3',
      operations: {
        PutObject: (input) => {
          this.objects.set(`${input.Bucket}/${input.Key}`, Buffer.from(input.Body));
          return { ETag: `"${this.objects.size}"` };
        },
        GetObject: (input) => {
          const body = this.objects.get(`${input.Bucket}/${input.Key}`);
          if (!body) throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } });
          return {
            ContentLength: body.length,
            Body: {
              transformToString: async (encoding?: BufferEncoding) => body.toString(encoding ?? 'utf8'),
              transformToByteArray: async () => new Uint8Array(body),
            },
          };
        },
      },
    };
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
}
