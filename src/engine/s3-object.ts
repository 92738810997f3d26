/**
 * An S3 object as the engine names it (run files, the lock, the stack set state cache), and the
 * `s3://bucket/key` form the command line takes, read with the manifest's S3 reference rules.
 */
import { parseFileReference } from '../manifest/file-reference';

/** An S3 object: bucket and key. */
export interface S3ObjectRef {
  readonly bucket: string;
  readonly key: string;
}

/**
 * `s3://bucket/key` as an object reference; undefined when it is not one (no bucket, no key, a
 * key ending in `/`, a bucket name S3 does not allow).
 */
export function parseS3ObjectUrl(url: string): S3ObjectRef | undefined {
  const { ref } = parseFileReference(url.trim());
  if (ref?.kind !== 's3' || !ref.bucket || !ref.key || ref.key.endsWith('/')) return undefined;
  return { bucket: ref.bucket, key: ref.key };
}
