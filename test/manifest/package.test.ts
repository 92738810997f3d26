import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ZipFile } from 'yazl';
import { brief, BASE_FILES, VALID_MANIFEST } from './support';
import { rawZip, type RawEntry } from './zip-writer';
import { loadPackage, packageFromFiles, PackageSourceError, type LoadOptions } from '../../src/manifest';

const FILES: Record<string, string> = { ...BASE_FILES, 'manifest.yaml': VALID_MANIFEST };

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'cfct-package-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A zip made with yazl (deflated, as real tools make them). */
function yazlZip(files: Record<string, string | Buffer>): Promise<Buffer> {
  const zip = new ZipFile();
  for (const [name, content] of Object.entries(files)) {
    zip.addBuffer(Buffer.isBuffer(content) ? content : Buffer.from(content), name);
  }
  zip.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

let counter = 0;
async function loadZip(zip: Buffer, options?: LoadOptions) {
  const path = join(work, `p${counter++}.zip`);
  writeFileSync(path, zip);
  return loadPackage(path, options);
}

function listTree(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? listTree(full) : [relative(work, full)];
  });
}

describe('reading packages', () => {
  test('a zip with the manifest at the root loads like the same files in memory', async () => {
    const loaded = await loadZip(await yazlZip(FILES));
    expect(loaded.findings).toEqual([]);
    expect(loaded.files.list()).toEqual(Object.keys(FILES).sort());
    expect(loaded.manifest).toEqual(packageFromFiles(FILES).manifest);
  });

  test('a zip with everything in custom-control-tower-configuration/ is read from that folder', async () => {
    const nested = Object.fromEntries(
      Object.entries(FILES).map(([k, v]) => [`custom-control-tower-configuration/${k}`, v]),
    );
    const loaded = await loadZip(await yazlZip(nested));
    expect(loaded.findings).toEqual([]);
    expect(loaded.files.read('manifest.yaml')?.toString()).toBe(VALID_MANIFEST);
    expect(loaded.manifest?.resources).toHaveLength(2);
  });

  test('fails when the manifest is in a folder with another name', async () => {
    const nested = Object.fromEntries(Object.entries(FILES).map(([k, v]) => [`config/${k}`, v]));
    const loaded = await loadZip(await yazlZip(nested));
    expect(brief(loaded.findings)).toEqual([
      { ruleId: 'CFCT-P001', file: 'config/manifest.yaml', line: undefined, column: undefined },
    ]);
    expect(loaded.manifest).toBeUndefined();
  });

  test('fails when custom-control-tower-configuration/ has a sibling at the root', async () => {
    const nested = Object.fromEntries(
      Object.entries(FILES).map(([k, v]) => [`custom-control-tower-configuration/${k}`, v]),
    );
    const loaded = await loadZip(await yazlZip({ ...nested, 'README.md': 'x' }));
    expect(loaded.findings.map((f) => f.ruleId)).toEqual(['CFCT-P001']);
  });

  test.each([
    ['../evil.txt', 'a parent path'],
    ['templates/../../evil.txt', 'a parent path inside a folder'],
    ['/etc/evil.txt', 'an absolute path'],
    ['C:/evil.txt', 'a drive letter'],
    ['..\\evil.txt', 'a backslash parent path'],
  ])('fails on a zip entry with %s (%s), and writes nothing', async (name) => {
    const entries: RawEntry[] = [
      ...Object.entries(FILES).map(([n, data]) => ({ name: n, data })),
      { name, data: 'pwned' },
    ];
    const before = listTree(work);
    const loaded = await loadZip(rawZip(entries));
    expect(brief(loaded.findings)).toContainEqual({
      ruleId: 'CFCT-P002',
      file: name,
      line: undefined,
      column: undefined,
    });
    expect(loaded.files.list()).not.toContain('evil.txt');
    expect(loaded.manifest).toBeUndefined();
    expect(listTree(work).length).toBe(before.length + 1);
  });

  test('fails on a symbolic link entry and does not follow it', async () => {
    const entries: RawEntry[] = [
      ...Object.entries(FILES).map(([name, data]) => ({ name, data })),
      { name: 'templates/link.yaml', data: '/etc/passwd', mode: 0o120777 },
    ];
    const loaded = await loadZip(rawZip(entries));
    expect(brief(loaded.findings)).toContainEqual({
      ruleId: 'CFCT-P003',
      file: 'templates/link.yaml',
      line: undefined,
      column: undefined,
    });
    expect(loaded.files.read('templates/link.yaml')).toBeUndefined();
  });

  test('fails when the zip has more entries than allowed, reading none of them', async () => {
    const loaded = await loadZip(await yazlZip(FILES), { maxEntries: 3 });
    expect(loaded.findings.map((f) => f.ruleId)).toContain('CFCT-P004');
    expect(loaded.files.list()).toEqual([]);
    expect(loaded.manifest).toBeUndefined();
  });

  test('the default entry cap is 1,000', async () => {
    const many: Record<string, string> = { ...FILES };
    for (let i = 0; i < 1000; i++) many[`extra/${i}.txt`] = 'x';
    const loaded = await loadZip(await yazlZip(many));
    expect(loaded.findings.map((f) => f.ruleId)).toEqual(['CFCT-P004']);
  });

  test('fails on a zip bomb: 20 MB of zeros compressed, with a 1 MiB cap', async () => {
    const zip = await yazlZip({ ...FILES, 'bomb.bin': Buffer.alloc(20 * 1024 * 1024) });
    expect(zip.length).toBeLessThan(100 * 1024);
    const loaded = await loadZip(zip, { maxTotalBytes: 1024 * 1024 });
    expect(loaded.findings.map((f) => f.ruleId)).toEqual(['CFCT-P005']);
    expect(loaded.manifest).toBeUndefined();
  });

  test.each([
    ['random bytes', Buffer.from('this is not a zip file at all, not even close')],
    ['an empty file', Buffer.alloc(0)],
  ])('fails on a corrupt zip (%s)', async (_what, bytes) => {
    const loaded = await loadZip(bytes);
    expect(loaded.findings.map((f) => f.ruleId)).toEqual(['CFCT-P006']);
  });

  test('fails on a truncated zip', async () => {
    const zip = await yazlZip(FILES);
    const loaded = await loadZip(zip.subarray(0, zip.length - 30));
    expect(loaded.findings.map((f) => f.ruleId)).toContain('CFCT-P006');
  });

  test('fails on a zip with two entries of the same name, keeping the first', async () => {
    const entries: RawEntry[] = [
      ...Object.entries(FILES).map(([name, data]) => ({ name, data })),
      { name: 'manifest.yaml', data: 'region: evil' },
    ];
    const loaded = await loadZip(rawZip(entries));
    expect(loaded.findings.map((f) => f.ruleId)).toEqual(['CFCT-P006']);
    expect(loaded.files.read('manifest.yaml')?.toString()).toBe(VALID_MANIFEST);
  });

  test('fails on a zip whose entry lies about its size', async () => {
    const zip = rawZip(Object.entries(FILES).map(([name, data]) => ({ name, data })));
    // Declare the manifest (first entry) one byte bigger in the central directory.
    const central = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    zip.writeUInt32LE(zip.readUInt32LE(central + 24) + 1, central + 24);
    const loaded = await loadZip(zip);
    expect(loaded.findings.map((f) => f.ruleId)).toContain('CFCT-P006');
  });

  test('a folder package is read recursively, skipping .git', async () => {
    const dir = join(work, 'folder');
    for (const [name, content] of Object.entries({ ...FILES, '.git/HEAD': 'ref: x' })) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), content);
    }
    const loaded = await loadPackage(dir);
    expect(loaded.findings).toEqual([]);
    expect(loaded.files.list()).toEqual(Object.keys(FILES).sort());
  });

  test('fails on a symbolic link in a folder package', async () => {
    const dir = join(work, 'linked');
    for (const [name, content] of Object.entries(FILES)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), content);
    }
    symlinkSync('/etc/hostname', join(dir, 'templates', 'host.yaml'));
    const loaded = await loadPackage(dir);
    expect(brief(loaded.findings)).toEqual([
      { ruleId: 'CFCT-P003', file: 'templates/host.yaml', line: undefined, column: undefined },
    ]);
  });

  test('rejects a path that does not exist with PackageSourceError', async () => {
    await expect(loadPackage(join(work, 'nope'))).rejects.toBeInstanceOf(PackageSourceError);
  });

  test('in-memory packages normalise paths and refuse escaping ones', () => {
    const loaded = packageFromFiles({
      ...FILES,
      './templates//x.yaml': 'a',
      'templates\\y.yaml': 'b',
      '../up.txt': 'c',
      'a/../b.txt': 'd',
    });
    expect(loaded.files.list()).toEqual(expect.arrayContaining(['templates/x.yaml', 'templates/y.yaml']));
    expect(brief(loaded.findings)).toEqual([
      { ruleId: 'CFCT-P002', file: '../up.txt', line: undefined, column: undefined },
      { ruleId: 'CFCT-P002', file: 'a/../b.txt', line: undefined, column: undefined },
    ]);
  });

  test('in-memory packages have the same limits', () => {
    expect(packageFromFiles(FILES, { maxEntries: 2 }).findings.map((f) => f.ruleId)).toEqual(['CFCT-P004']);
    expect(packageFromFiles(FILES, { maxTotalBytes: 100 }).findings.map((f) => f.ruleId)).toEqual(['CFCT-P005']);
  });

  test('read files are byte-identical to the originals', async () => {
    const loaded = await loadZip(await yazlZip(FILES));
    for (const [name, content] of Object.entries(FILES)) {
      expect(loaded.files.read(name)?.toString('utf8')).toBe(content);
    }
  });
});
