/**
 * The Python package is generated from the jsii assembly. This test generates it (code only, no
 * PyPI needed) and checks that every exported type of the assembly is in the Python module, with
 * its props as snake_case keyword arguments. It grows with the API: nothing is listed by hand.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

interface JsiiProperty {
  name: string;
}
interface JsiiParameter {
  name: string;
  type: { fqn?: string };
  optional?: boolean;
}
interface JsiiType {
  kind: 'class' | 'interface' | 'enum';
  name: string;
  fqn: string;
  datatype?: boolean;
  properties?: JsiiProperty[];
  initializer?: { parameters?: JsiiParameter[] };
  members?: Array<{ name: string }>;
  interfaces?: string[];
}
interface Assembly {
  name: string;
  targets: { python: { module: string; distName: string } };
  types: Record<string, JsiiType>;
}

interface PythonClass {
  init: string[] | null;
  attrs: string[];
}

const snake = (name: string) =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();

let assembly: Assembly;
let pythonClasses: Record<string, PythonClass>;
let outdir: string;

beforeAll(() => {
  const assemblyFile = join(root, '.jsii');
  if (!existsSync(assemblyFile)) {
    execFileSync('npx', ['jsii', '--silence-warnings=reserved-word'], { cwd: root, stdio: 'ignore' });
  }
  assembly = JSON.parse(readFileSync(assemblyFile, 'utf8')) as Assembly;

  outdir = mkdtempSync(join(tmpdir(), 'cfct-python-'));
  execFileSync('npx', ['jsii-pacmak', '--targets', 'python', '--code-only', '--outdir', outdir], {
    cwd: root,
    stdio: 'ignore',
  });
  const moduleDir = join(outdir, 'python', 'src', ...assembly.targets.python.module.split('.'));
  const source = join(moduleDir, '__init__.py');
  // Read the generated module with Python's own parser (the jsii Python runtime is not needed).
  const script = `
import ast, json, sys
tree = ast.parse(open(sys.argv[1]).read())
out = {}
for node in tree.body:
    if isinstance(node, ast.ClassDef):
        init = None
        attrs = []
        for item in node.body:
            if isinstance(item, ast.FunctionDef) and item.name == '__init__':
                init = [a.arg for a in item.args.args[1:]] + [a.arg for a in item.args.kwonlyargs]
            if isinstance(item, ast.Assign):
                attrs += [t.id for t in item.targets if isinstance(t, ast.Name)]
        out[node.name] = {'init': init, 'attrs': attrs}
print(json.dumps(out))
`;
  pythonClasses = JSON.parse(execFileSync('python3', ['-c', script, source], { encoding: 'utf8' }));
}, 120_000);

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

/** A struct's properties, its own and those of the structs it extends (Python flattens both). */
function structProperties(struct: JsiiType, seen = new Set<string>()): string[] {
  if (seen.has(struct.fqn)) return [];
  seen.add(struct.fqn);
  const inherited = (struct.interfaces ?? []).map((fqn) => assembly.types[fqn]).filter((t) => t?.datatype);
  return [
    ...(struct.properties ?? []).map((p) => snake(p.name)),
    ...inherited.flatMap((t) => structProperties(t, seen)),
  ];
}

describe('generated Python package', () => {
  test('uses the published distribution and module names', () => {
    expect(assembly.targets.python).toEqual({
      distName: 'cdk-control-tower-customizations',
      module: 'cdk_control_tower_customizations',
    });
  });

  test('the assembly exports at least the configuration bucket', () => {
    expect(Object.values(assembly.types).map((t) => t.name)).toEqual(
      expect.arrayContaining(['ConfigurationBucket', 'ConfigurationBucketProps']),
    );
  });

  test('every exported type is in the Python module', () => {
    const missing = Object.values(assembly.types)
      .filter((t) => !t.fqn.slice(assembly.name.length + 1).includes('.')) // top-level types only
      .map((t) => t.name)
      .filter((name) => !(name in pythonClasses));
    expect(missing).toEqual([]);
  });

  test('structs take their properties as snake_case keyword arguments', () => {
    const structs = Object.values(assembly.types).filter((t) => t.kind === 'interface' && t.datatype);
    for (const struct of structs) {
      const expected = structProperties(struct).sort();
      expect({ type: struct.name, init: [...(pythonClasses[struct.name].init ?? [])].sort() }).toEqual({
        type: struct.name,
        init: expected,
      });
    }
  });

  test('construct initializers flatten their props struct into snake_case keyword arguments', () => {
    const classes = Object.values(assembly.types).filter((t) => t.kind === 'class' && t.initializer);
    for (const cls of classes) {
      const params = cls.initializer!.parameters ?? [];
      const last = params[params.length - 1];
      const struct = last?.type.fqn ? assembly.types[last.type.fqn] : undefined;
      const positional = params
        .slice(0, struct?.datatype ? -1 : undefined)
        .map((p) => (p.name === 'id' ? 'id' : snake(p.name)));
      // Python puts the struct's required keyword arguments before its optional ones: compare as sets.
      const keywords = struct?.datatype ? structProperties(struct).sort() : [];
      const init = pythonClasses[cls.name].init ?? [];
      expect({
        type: cls.name,
        positional: init.slice(0, positional.length),
        keywords: init.slice(positional.length).sort(),
      }).toEqual({
        type: cls.name,
        positional,
        keywords,
      });
    }
  });

  test('enums keep every member', () => {
    const enums = Object.values(assembly.types).filter((t) => t.kind === 'enum');
    for (const e of enums) {
      expect(pythonClasses[e.name].attrs).toEqual(expect.arrayContaining((e.members ?? []).map((m) => m.name)));
    }
  });
});
