/**
 * File references in a manifest: a path inside the package, `s3://bucket/key`, or an
 * `https://` Amazon S3 URL.
 */
import type { Finding, SourceLocation } from './findings';
import type { FileReference } from './model';
import { safeRelativePath } from './package-files';
import { finding } from './rules';

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** Virtual-hosted style: bucket.s3.amazonaws.com, bucket.s3.region.amazonaws.com, bucket.s3-region.amazonaws.com. */
const VIRTUAL_HOST = /^(.+)\.s3(?:[.-]([a-z0-9-]+))?\.amazonaws\.com(?:\.cn)?$/;
/** Path style: s3.amazonaws.com, s3.region.amazonaws.com, s3-region.amazonaws.com. */
const PATH_HOST = /^s3(?:[.-]([a-z0-9-]+))?\.amazonaws\.com(?:\.cn)?$/;

function malformed(raw: string, why: string, location?: SourceLocation, resource?: string): Finding {
  return finding('CFCT-M005', {
    message: `"${raw}" is not a valid remote file reference: ${why}`,
    location,
    hint: 'use s3://bucket/key or https://bucket.s3.region.amazonaws.com/key',
    resource,
  });
}

function s3Reference(
  raw: string,
  location: SourceLocation | undefined,
  resource?: string,
): { ref?: FileReference; findings: Finding[] } {
  const rest = raw.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const key = slash < 0 ? '' : rest.slice(slash + 1);
  if (!BUCKET.test(bucket)) {
    return { findings: [malformed(raw, `"${bucket}" is not a bucket name`, location, resource)] };
  }
  if (!key) return { findings: [malformed(raw, 'no object key', location, resource)] };
  return { ref: { raw, kind: 's3', bucket, key, location }, findings: [] };
}

function httpsReference(
  raw: string,
  location: SourceLocation | undefined,
  resource?: string,
): { ref?: FileReference; findings: Finding[] } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { findings: [malformed(raw, 'not a URL', location, resource)] };
  }
  const host = url.hostname.toLowerCase();
  const path = decodeURIComponent(url.pathname.replace(/^\//, ''));
  let bucket: string | undefined;
  let key: string;
  const virtual = VIRTUAL_HOST.exec(host);
  if (PATH_HOST.test(host)) {
    const slash = path.indexOf('/');
    bucket = slash < 0 ? path : path.slice(0, slash);
    key = slash < 0 ? '' : path.slice(slash + 1);
  } else if (virtual) {
    bucket = virtual[1];
    key = path;
  } else {
    return { findings: [malformed(raw, `"${host}" is not an Amazon S3 host`, location, resource)] };
  }
  if (!bucket || !BUCKET.test(bucket)) {
    return { findings: [malformed(raw, 'no valid bucket name', location, resource)] };
  }
  if (!key) return { findings: [malformed(raw, 'no object key', location, resource)] };
  return { ref: { raw, kind: 'https', bucket, key, url: raw, location }, findings: [] };
}

/**
 * Parses a file reference as written in the manifest. Local paths are normalised relative to
 * the package root; absolute paths and paths climbing out with `..` are findings (CFCT-M004),
 * malformed remote references too (CFCT-M005).
 */
export function parseFileReference(
  raw: string,
  location?: SourceLocation,
  resource?: string,
): { ref?: FileReference; findings: Finding[] } {
  if (raw.startsWith('s3://')) return s3Reference(raw, location, resource);
  if (raw.startsWith('https://')) return httpsReference(raw, location, resource);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    return { findings: [malformed(raw, 'only s3:// and https:// are supported', location, resource)] };
  }
  const path = safeRelativePath(raw);
  if (path === undefined || path === '') {
    return {
      findings: [
        finding('CFCT-M004', {
          message: `"${raw}" is not a path inside the package`,
          location,
          hint: 'write the path relative to the package root, e.g. templates/vpc.template',
          resource,
        }),
      ],
    };
  }
  return { ref: { raw, kind: 'local', path, location }, findings: [] };
}
