/**
 * Builds the zip the S3 source of the pipeline expects: `custom-control-tower-configuration.zip`
 * with `manifest.yaml` at its root. The archive is deterministic (sorted entries, fixed times and
 * modes), so packaging the same folder twice gives the same bytes and the same S3 ETag.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { ZipFile } from 'yazl';

/** The object key (and file name) upstream CfCT's S3 source watches. */
export const PACKAGE_ZIP_NAME = 'custom-control-tower-configuration.zip';

/** A fixed timestamp for every entry (zip times are local DOS times; 1980-01-01 is the earliest). */
const ZIP_EPOCH = new Date(1980, 0, 1, 0, 0, 0);

/** Folder names never packed: version control and dependencies. */
const SKIPPED_FOLDERS = new Set(['node_modules', '__MACOSX']);

/** File names never packed: OS litter, editor swap and backup files, archives (earlier packages). */
const SKIPPED_FILE = /^(\.DS_Store|Thumbs\.db|desktop\.ini)$|\.(sw[a-p]|bak|tmp|zip)$|~$/i;

/**
 * Whether a file (path relative to the package root, forward slashes) belongs in the package:
 * not hidden (`.git`, `.DS_Store`, `.idea`), not under `node_modules`, not editor or OS litter,
 * not a zip (the command's own output, earlier packages).
 */
export function isPackable(path: string): boolean {
  const parts = path.split('/');
  const name = parts[parts.length - 1];
  if (parts.some((p) => p.startsWith('.') || SKIPPED_FOLDERS.has(p))) return false;
  return !SKIPPED_FILE.test(name);
}

/** Files of `root` that belong in the package (see `isPackable`). */
export function packageFileList(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      const path = relative(root, full).split(sep).join('/');
      if (entry.isDirectory() && isPackable(`${path}/x`)) walk(full);
      else if (entry.isFile() && isPackable(path)) out.push(path);
    }
  };
  walk(root);
  return out.sort();
}

/** Zips `files` (paths relative to `root`) deterministically. */
export function createPackageZip(root: string, files: readonly string[] = packageFileList(root)): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const zip = new ZipFile();
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on('error', reject);
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    for (const file of [...files].sort()) {
      const full = join(root, ...file.split('/'));
      if (!statSync(full).isFile()) continue;
      zip.addBuffer(readFileSync(full), file, { mtime: ZIP_EPOCH, mode: 0o100644, compress: true });
    }
    zip.end();
  });
}
