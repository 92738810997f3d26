/**
 * Reading a configuration package from a folder, a zip, or memory, safely: paths never escape
 * the package root, symbolic links are refused, entry count and total size are capped. Every
 * refusal is a finding; nothing is ever written to disk.
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as yauzl from 'yauzl';
import type { Finding } from './findings';
import type { PackageFiles } from './model';
import { finding } from './rules';

/** Limits applied while reading a package. */
export interface ReadLimits {
  /** Most entries (files and folders) a package may have. */
  readonly maxEntries: number;
  /** Most bytes all files together may hold, uncompressed. */
  readonly maxTotalBytes: number;
}

/** Files read from a source, with what was refused. */
export interface ReadResult {
  readonly files: Map<string, Buffer>;
  readonly findings: Finding[];
  /** True when reading stopped (a limit was exceeded or the archive is corrupt): nothing was read. */
  readonly aborted?: boolean;
}

/** The folder a zip may hold its manifest in, instead of the root. */
export const CONFIGURATION_FOLDER = 'custom-control-tower-configuration';

/** The manifest's file name. */
export const MANIFEST_FILE = 'manifest.yaml';

/** Entries tools add to archives that are never part of a package. */
function isArchiveNoise(path: string): boolean {
  return path.startsWith('__MACOSX/') || path === '.DS_Store' || path.endsWith('/.DS_Store');
}

/**
 * Normalises an entry path to forward slashes without `.` segments; undefined when the path
 * is absolute or climbs out of the root with `..`.
 */
export function safeRelativePath(raw: string): string | undefined {
  const slashed = raw.replace(/\\/g, '/');
  if (slashed.startsWith('/') || /^[A-Za-z]:/.test(slashed)) return undefined;
  const parts: string[] = [];
  for (const part of slashed.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') return undefined;
    parts.push(part);
  }
  return parts.join('/');
}

/** An in-memory {@link PackageFiles}. */
export function packageFiles(files: ReadonlyMap<string, Buffer>): PackageFiles {
  const sorted = [...files.keys()].sort();
  return {
    list: () => sorted,
    read: (path) => files.get(path),
  };
}

/**
 * Places the package root: the manifest is at the root or in a single
 * `custom-control-tower-configuration/` folder. Returns the files relative to that root.
 */
export function rootPackage(read: ReadResult, source: string): ReadResult {
  const findings = [...read.findings];
  if (read.aborted) return read;
  const paths = [...read.files.keys()].filter((path) => !isArchiveNoise(path));
  if (paths.includes(MANIFEST_FILE)) return { files: read.files, findings };
  const prefix = `${CONFIGURATION_FOLDER}/`;
  const topLevel = new Set(paths.map((path) => path.split('/')[0]));
  if (topLevel.size === 1 && topLevel.has(CONFIGURATION_FOLDER) && paths.includes(prefix + MANIFEST_FILE)) {
    const files = new Map<string, Buffer>();
    for (const path of paths) files.set(path.slice(prefix.length), read.files.get(path)!);
    return { files, findings };
  }
  const elsewhere = paths.find((path) => path === MANIFEST_FILE || path.endsWith(`/${MANIFEST_FILE}`));
  const hint = elsewhere
    ? `found ${elsewhere}: put manifest.yaml at the package root, or everything in one ${CONFIGURATION_FOLDER}/ folder`
    : `add ${MANIFEST_FILE} at the package root`;
  findings.push(
    finding('CFCT-P001', {
      message: elsewhere
        ? `${MANIFEST_FILE} is not at the root of ${source} nor in a single ${prefix} folder`
        : `${source} has no ${MANIFEST_FILE}`,
      location: { file: elsewhere ?? MANIFEST_FILE },
      hint,
    }),
  );
  return { files: read.files, findings };
}

/**
 * Reads an in-memory package (paths are normalised; unsafe ones are findings). The limits
 * apply as for a zip.
 */
export function readRecord(record: Readonly<Record<string, string | Buffer>>, limits: ReadLimits): ReadResult {
  const files = new Map<string, Buffer>();
  const findings: Finding[] = [];
  const entries = Object.entries(record);
  if (entries.length > limits.maxEntries) return { files, findings: [tooMany(entries.length, limits)], aborted: true };
  let bytes = 0;
  for (const [raw, content] of entries) {
    const path = safeRelativePath(raw);
    if (path === undefined || path === '') {
      findings.push(unsafePath(raw));
      continue;
    }
    const buffer = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    bytes += buffer.length;
    if (bytes > limits.maxTotalBytes) return { files: new Map(), findings: [tooBig(bytes, limits)], aborted: true };
    files.set(path, buffer);
  }
  return { files, findings };
}

function unsafePath(raw: string): Finding {
  return finding('CFCT-P002', {
    message: `entry "${raw}" is an absolute path or leaves the package with ".."`,
    location: { file: raw },
    hint: 'rebuild the archive from inside the package folder',
  });
}

function tooMany(count: number, limits: ReadLimits): Finding {
  return finding('CFCT-P004', {
    message: `the package has ${count} entries; at most ${limits.maxEntries} are read`,
    hint: 'remove files the package does not need (cfct package leaves out editor and OS files, .git and node_modules)',
  });
}

function tooBig(bytes: number, limits: ReadLimits): Finding {
  return finding('CFCT-P005', {
    message: `the package holds more than ${limits.maxTotalBytes} bytes uncompressed (at least ${bytes})`,
    hint: 'remove large files the package does not need; templates over 51,200 bytes can live in S3 (resource_file: s3://bucket/key)',
  });
}

/**
 * Reads a folder recursively (skipping `.git` and `node_modules`). Symbolic links are refused; the limits apply as
 * for a zip.
 */
export function readFolder(root: string, limits: ReadLimits): ReadResult {
  const files = new Map<string, Buffer>();
  const findings: Finding[] = [];
  let entries = 0;
  let bytes = 0;
  const visit = (dir: string, prefix: string): boolean => {
    for (const name of readdirSync(dir).sort()) {
      if (name === '.git' || name === 'node_modules') continue;
      const full = join(dir, name);
      const rel = prefix + name;
      const stat = lstatSync(full);
      if (++entries > limits.maxEntries) {
        findings.push(tooMany(entries, limits));
        return false;
      }
      if (stat.isSymbolicLink()) {
        findings.push(symlink(rel));
      } else if (stat.isDirectory()) {
        if (!visit(full, `${rel}/`)) return false;
      } else if (stat.isFile()) {
        bytes += stat.size;
        if (bytes > limits.maxTotalBytes) {
          findings.push(tooBig(bytes, limits));
          return false;
        }
        files.set(rel, readFileSync(full));
      }
    }
    return true;
  };
  const complete = visit(root, '');
  return complete ? { files, findings } : { files: new Map(), findings, aborted: true };
}

function symlink(path: string): Finding {
  return finding('CFCT-P003', {
    message: `"${path}" is a symbolic link; links are not followed`,
    location: { file: path },
    hint: 'replace the link with the file it points to',
  });
}

function corrupt(detail: string): Finding {
  return finding('CFCT-P006', {
    message: `the zip cannot be read: ${detail}`,
    hint: 'rebuild the archive (for example with `cfct package` or `zip -r`)',
  });
}

/** The file type bits of a Unix mode (`S_IFMT`) for a symbolic link (`S_IFLNK` = 0o120000), as a multiple of 0o10000. */
const SYMLINK_TYPE = 0o12;

/** True for an entry made on Unix whose mode (high 16 bits of the external attributes) is a link. */
function isSymlinkEntry(entry: yauzl.Entry): boolean {
  const madeOnUnix = Math.floor(entry.versionMadeBy / 256) === 3;
  const mode = Math.floor(entry.externalFileAttributes / 65536);
  return madeOnUnix && Math.floor(mode / 0o10000) === SYMLINK_TYPE;
}

function entryName(entry: yauzl.Entry): string {
  const raw = entry.fileName as unknown as Buffer;
  const utf8 = Math.floor(entry.generalPurposeBitFlag / 0x800) % 2 === 1; // bit 11: UTF-8 names
  return raw.toString(utf8 ? 'utf8' : 'latin1');
}

/**
 * Reads a zip held in memory. Resolves (never rejects) with the files and a finding for each
 * refused entry, for a corrupt archive, or for exceeding the limits.
 */
export function readZip(buffer: Buffer, limits: ReadLimits): Promise<ReadResult> {
  const files = new Map<string, Buffer>();
  const findings: Finding[] = [];
  return new Promise((resolve) => {
    let settled = false;
    const done = (extra?: Finding, zip?: yauzl.ZipFile): void => {
      if (settled) return;
      settled = true;
      if (extra) findings.push(extra);
      zip?.close();
      resolve(extra ? { files: new Map(), findings, aborted: true } : { files, findings });
    };
    yauzl.fromBuffer(
      buffer,
      { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, strictFileNames: false },
      (openError, zip) => {
        if (openError || !zip) return done(corrupt(openError?.message ?? 'unknown error'));
        if (zip.entryCount > limits.maxEntries) return done(tooMany(zip.entryCount, limits), zip);
        let bytes = 0;
        zip.on('error', (err: Error) => done(corrupt(err.message), zip));
        zip.on('end', () => done(undefined, zip));
        zip.on('entry', (entry: yauzl.Entry) => {
          const raw = entryName(entry);
          const path = safeRelativePath(raw);
          if (path === undefined) {
            findings.push(unsafePath(raw));
            return zip.readEntry();
          }
          if (isSymlinkEntry(entry)) {
            findings.push(symlink(path));
            return zip.readEntry();
          }
          if (raw.endsWith('/') || path === '') return zip.readEntry();
          if (files.has(path)) {
            findings.push(corrupt(`the entry ${path} appears more than once; which one is meant is ambiguous`));
            return zip.readEntry();
          }
          bytes += entry.uncompressedSize;
          if (bytes > limits.maxTotalBytes) return done(tooBig(bytes, limits), zip);
          zip.openReadStream(entry, (streamError, stream) => {
            if (streamError || !stream) return done(corrupt(streamError?.message ?? 'unreadable entry'), zip);
            const chunks: Buffer[] = [];
            stream.on('data', (chunk: Buffer) => chunks.push(chunk));
            stream.on('error', (err: Error) => done(corrupt(`${path}: ${err.message}`), zip));
            stream.on('end', () => {
              files.set(path, Buffer.concat(chunks));
              zip.readEntry();
            });
          });
        });
        zip.readEntry();
      },
    );
  });
}
