/**
 * The Python wheel as the build leaves it (`npx projen compile`, then `npx projen package:python`
 * writes dist/python/*.whl): its METADATA states the version, author, project URLs, development
 * status and dependency floors the package means (.projenrc.ts), not jsii-pacmak's defaults.
 * When no wheel was built yet, this test builds it with the project's own task.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const wheelDir = join(root, 'dist', 'python');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

let metadata: Map<string, string[]>;
let assembly: { version: string; docs?: { stability?: string } };

function field(name: string): string[] {
  return metadata.get(name) ?? [];
}

beforeAll(() => {
  if (!existsSync(join(root, '.jsii'))) {
    execFileSync('npx', ['jsii', '--silence-warnings=reserved-word'], { cwd: root, stdio: 'ignore' });
  }
  assembly = JSON.parse(readFileSync(join(root, '.jsii'), 'utf8'));
  const wheels = () => (existsSync(wheelDir) ? readdirSync(wheelDir).filter((f) => f.endsWith('.whl')) : []);
  if (wheels().length === 0) {
    execFileSync('npx', ['projen', 'package:python'], { cwd: root, stdio: 'ignore' });
  }
  const [wheel] = wheels();
  expect(wheel).toBeDefined();
  const script = `
import json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    name = next(n for n in z.namelist() if n.endswith('.dist-info/METADATA'))
    text = z.read(name).decode('utf8')
headers = text.split('\\n\\n', 1)[0]
out = []
for line in headers.split('\\n'):
    if ': ' in line and not line.startswith(' '):
        k, v = line.split(': ', 1)
        out.append([k, v])
out.append(['Description', text.split('\\n\\n', 1)[1] if '\\n\\n' in text else ''])
print(json.dumps(out))
`;
  const pairs = JSON.parse(
    execFileSync('python3', ['-c', script, join(wheelDir, wheel)], { encoding: 'utf8' }),
  ) as string[][];
  metadata = new Map();
  for (const [k, v] of pairs) metadata.set(k, [...(metadata.get(k) ?? []), v]);
}, 300_000);

describe('the built wheel', () => {
  test('carries the version of the package it was built from', () => {
    expect(field('Name')).toEqual(['cdk-control-tower-customizations']);
    expect(field('Version')).toEqual([assembly.version]);
    expect(assembly.version).toEqual(pkg.version);
  });

  test('names a real author and the project URLs of the repository', () => {
    const repository = pkg.repository.url.replace(/\.git$/, '');
    expect(repository).toMatch(/^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/);
    const author = [...field('Author'), ...field('Author-email')].join(' ');
    expect(author).toContain(pkg.author.name);
    expect(author).toContain(pkg.author.email);
    expect(author).not.toMatch(/example\.(com|org)|placeholder|TODO|contributors$/i);
    const urls = Object.fromEntries(field('Project-URL').map((u) => u.split(', ') as [string, string]));
    expect(urls).toEqual({
      Homepage: `${repository}#readme`,
      Documentation: `${repository}/blob/main/API.md`,
      Issues: `${repository}/issues`,
      Source: pkg.repository.url,
    });
    expect(field('Home-page')).toEqual([`${repository}#readme`]);
  });

  test('states Pre-Alpha, as the experimental stability banner does', () => {
    expect(assembly.docs?.stability).toBe('experimental');
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toMatch(/\*\*Status: experimental\.\*\*/);
    expect(field('Classifier').filter((c) => c.startsWith('Development Status'))).toEqual([
      'Development Status :: 2 - Pre-Alpha',
    ]);
  });

  test('shows the README examples translated to Python (jsii-rosetta), not as TypeScript', () => {
    const readme = field('Description').join('');
    expect(readme).toContain('> **Status: experimental.**');
    expect(readme).not.toMatch(/^```(ts|typescript)$/m);
    expect(readme).toMatch(/^cfct = CustomControlTowerPipeline\(self, "Customizations",$/m);
  });

  test('has the dependency floors chosen in .projenrc.ts', () => {
    const requires = field('Requires-Dist').map((r) => r.replace(/[\s()]+/g, ''));
    const floor = (name: string) => requires.find((r) => r.startsWith(`${name}<`) || r.startsWith(`${name}>`));
    expect(floor('jsii')).toBe('jsii<2.0.0,>=1.140.0');
    expect(floor('aws-cdk-lib')).toBe(`aws-cdk-lib<3.0.0,>=${pkg.peerDependencies['aws-cdk-lib'].replace(/^\^/, '')}`);
    expect(floor('constructs')).toBe(`constructs<11.0.0,>=${pkg.peerDependencies.constructs.replace(/^\^/, '')}`);
  });

  test('fails when jsii-pacmak moves to another minor version without the jsii floor being reviewed', () => {
    const pacmak = JSON.parse(readFileSync(require.resolve('jsii-pacmak/package.json'), 'utf8')).version as string;
    const projenrc = readFileSync(join(root, '.projenrc.ts'), 'utf8');
    const declared = /const JSII_RUNTIME_FLOOR = '([\d.]+)'/.exec(projenrc)?.[1];
    expect(declared).toBe('1.140.0');
    expect(pacmak.split('.').slice(0, 2)).toEqual(declared!.split('.').slice(0, 2));
  });
});

describe('release versions', () => {
  test('the first release is 0.1.0 and later releases follow the latest tag, never 0.0.0', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfct-bump-'));
    try {
      const clone = join(dir, 'repo');
      execFileSync('git', ['clone', '-q', '--no-tags', root, clone]);
      symlinkSync(join(root, 'node_modules'), join(clone, 'node_modules'));
      const git = (...args: string[]) =>
        execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: clone });
      const bump = () => {
        execFileSync('npx', ['projen', 'bump'], { cwd: clone, stdio: 'ignore' });
        const version = readFileSync(join(clone, 'dist', 'version.txt'), 'utf8').trim();
        execFileSync('npx', ['projen', 'unbump'], { cwd: clone, stdio: 'ignore' });
        return version;
      };
      expect(bump()).toBe('0.1.0');
      git('tag', 'v0.3.2');
      git('commit', '-q', '--allow-empty', '-m', 'fix: a releasable change');
      expect(bump()).toBe('0.3.3');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
