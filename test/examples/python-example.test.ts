/**
 * examples/python/app.py is written against the generated Python API. This test reads it with
 * Python's `ast` and checks every class, static method, keyword argument and enum member it uses:
 * names from `cdk_control_tower_customizations` against the module jsii-pacmak generates from
 * this assembly (parsed with `ast` too), names from `aws_cdk` and `constructs` against their jsii
 * assemblies, the same source jsii-pacmak generates their Python modules from.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

const root = join(__dirname, '..', '..');
const example = join(root, 'examples', 'python', 'app.py');

/** One use of an imported name: `Name(...)`, `Name.member(...)` or `Name.MEMBER`. */
interface Use {
  module: string;
  name: string;
  member?: string;
  keywords: string[];
  called: boolean;
  line: number;
}
interface PyClass {
  init: string[] | null;
  members: Record<string, string[]>;
  attrs: string[];
}

const USES = `
import ast, json, sys
tree = ast.parse(open(sys.argv[1]).read())
names, modules = {}, {}
for node in ast.walk(tree):
    if isinstance(node, ast.ImportFrom):
        for a in node.names:
            full = node.module + '.' + a.name
            if node.module in ('aws_cdk',) and a.name.startswith('aws_'):
                modules[a.asname or a.name] = full
            else:
                names[a.asname or a.name] = (node.module, a.name)
def target(expr):
    if isinstance(expr, ast.Name) and expr.id in names:
        return names[expr.id] + (None,)
    if isinstance(expr, ast.Attribute):
        if isinstance(expr.value, ast.Name) and expr.value.id in modules:
            return (modules[expr.value.id], expr.attr, None)
        inner = target(expr.value)
        if inner and inner[2] is None:
            return (inner[0], inner[1], expr.attr)
    return None
uses, seen = [], set()
for node in ast.walk(tree):
    if isinstance(node, ast.Call):
        t = target(node.func)
        if t:
            uses.append({'module': t[0], 'name': t[1], 'member': t[2], 'keywords': [k.arg for k in node.keywords if k.arg], 'called': True, 'line': node.lineno})
            seen.add(id(node.func))
for node in ast.walk(tree):
    if isinstance(node, (ast.Attribute, ast.Name)) and id(node) not in seen:
        t = target(node)
        if t and t[2] is not None:
            uses.append({'module': t[0], 'name': t[1], 'member': t[2], 'keywords': [], 'called': False, 'line': node.lineno})
        elif t and isinstance(node, ast.Name):
            uses.append({'module': t[0], 'name': t[1], 'member': None, 'keywords': [], 'called': False, 'line': node.lineno})
print(json.dumps(uses))
`;

const GENERATED = `
import ast, json, sys
tree = ast.parse(open(sys.argv[1]).read())
out = {}
def args(f):
    return [a.arg for a in f.args.args[1:]] + [a.arg for a in f.args.kwonlyargs]
for node in tree.body:
    if isinstance(node, ast.ClassDef):
        c = {'init': None, 'members': {}, 'attrs': []}
        for item in node.body:
            if isinstance(item, ast.FunctionDef):
                if item.name == '__init__':
                    c['init'] = args(item)
                else:
                    static = any(isinstance(d, ast.Name) and d.id in ('staticmethod', 'classmethod') for d in item.decorator_list)
                    c['members'][item.name] = [a.arg for a in item.args.args[(0 if static else 1):]] + [a.arg for a in item.args.kwonlyargs]
            if isinstance(item, ast.Assign):
                c['attrs'] += [t.id for t in item.targets if isinstance(t, ast.Name)]
        out[node.name] = c
print(json.dumps(out))
`;

interface JsiiParam {
  name: string;
  type: { fqn?: string };
}
interface JsiiType {
  kind: string;
  name: string;
  fqn: string;
  namespace?: string;
  datatype?: boolean;
  properties?: Array<{ name: string }>;
  initializer?: { parameters?: JsiiParam[] };
  methods?: Array<{ name: string; static?: boolean; parameters?: JsiiParam[] }>;
  members?: Array<{ name: string }>;
  base?: string;
  interfaces?: string[];
}
interface Assembly {
  name: string;
  types: Record<string, JsiiType>;
  submodules?: Record<string, { targets?: { python?: { module: string } } }>;
  targets: { python: { module: string } };
}

const snake = (name: string) =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
const upperSnake = (name: string) => snake(name).toUpperCase();

function readAssembly(dir: string): Assembly {
  const plain = join(dir, '.jsii');
  const text = readFileSync(plain, 'utf8');
  const parsed = JSON.parse(text);
  if (parsed.schema === 'jsii/file-redirect') {
    return JSON.parse(gunzipSync(readFileSync(join(dir, parsed.filename))).toString('utf8'));
  }
  return parsed;
}

/** The Python view of a jsii assembly: `module` -> class name -> keyword arguments, methods, enum members. */
function pythonView(assembly: Assembly): Map<string, Record<string, PyClass>> {
  const view = new Map<string, Record<string, PyClass>>();
  const moduleOf = (t: JsiiType) => {
    const prefix = t.fqn.slice(0, t.fqn.length - t.name.length - 1);
    if (prefix === assembly.name) return assembly.targets.python.module;
    return assembly.submodules?.[prefix]?.targets?.python?.module;
  };
  const structProps = (fqn: string, seen = new Set<string>()): string[] => {
    const t = assembly.types[fqn];
    if (!t || seen.has(fqn)) return [];
    seen.add(fqn);
    return [
      ...(t.properties ?? []).map((p) => snake(p.name)),
      ...(t.interfaces ?? []).flatMap((i) => structProps(i, seen)),
    ];
  };
  const paramsOf = (params: JsiiParam[] = []) => {
    const last = params[params.length - 1];
    const struct = last?.type.fqn ? assembly.types[last.type.fqn] : undefined;
    const positional = params.slice(0, struct?.datatype ? -1 : undefined).map((p) => snake(p.name));
    return struct?.datatype ? [...positional, ...structProps(struct.fqn)] : positional;
  };
  for (const t of Object.values(assembly.types)) {
    const mod = moduleOf(t);
    if (!mod) continue;
    const classes = view.get(mod) ?? {};
    view.set(mod, classes);
    classes[t.name] = {
      init: t.datatype ? structProps(t.fqn) : t.initializer ? paramsOf(t.initializer.parameters) : null,
      members: Object.fromEntries(
        (t.methods ?? []).filter((m) => m.static).map((m) => [snake(m.name), paramsOf(m.parameters)]),
      ),
      attrs: (t.members ?? []).map((m) => upperSnake(m.name)),
    };
  }
  return view;
}

/** Problems with the uses, as lines `app.py:<line>: ...` (empty when the example matches the API). */
function check(uses: Use[], modules: Map<string, Record<string, PyClass>>): string[] {
  const problems: string[] = [];
  for (const use of uses) {
    const where = `app.py:${use.line}: ${use.module}.${use.name}${use.member ? `.${use.member}` : ''}`;
    const cls = modules.get(use.module)?.[use.name];
    if (!modules.has(use.module)) {
      problems.push(`${where}: no module ${use.module}`);
      continue;
    }
    if (!cls) {
      problems.push(`${where}: no such class`);
      continue;
    }
    let accepted: string[] | null = cls.init;
    if (use.member) {
      if (use.called) {
        accepted = cls.members[use.member];
        if (!accepted) {
          problems.push(`${where}: no such static method`);
          continue;
        }
      } else {
        if (!cls.attrs.includes(use.member)) problems.push(`${where}: no such enum member`);
        continue;
      }
    }
    if (use.called && accepted === null && use.keywords.length) {
      problems.push(`${where}: takes no arguments`);
      continue;
    }
    for (const k of use.keywords) {
      if (!accepted!.includes(k)) problems.push(`${where}: no keyword argument ${k} (accepts ${accepted!.join(', ')})`);
    }
  }
  return problems;
}

let uses: Use[];
let modules: Map<string, Record<string, PyClass>>;
let outdir: string;

beforeAll(() => {
  if (!existsSync(join(root, '.jsii'))) {
    execFileSync('npx', ['jsii', '--silence-warnings=reserved-word'], { cwd: root, stdio: 'ignore' });
  }
  const own = readAssembly(root);
  outdir = mkdtempSync(join(tmpdir(), 'cfct-example-'));
  execFileSync('npx', ['jsii-pacmak', '--targets', 'python', '--code-only', '--outdir', outdir], {
    cwd: root,
    stdio: 'ignore',
  });
  const generated = join(outdir, 'python', 'src', ...own.targets.python.module.split('.'), '__init__.py');
  const ownClasses = JSON.parse(execFileSync('python3', ['-c', GENERATED, generated], { encoding: 'utf8' })) as Record<
    string,
    PyClass
  >;

  modules = new Map([
    ...pythonView(readAssembly(join(root, 'node_modules', 'aws-cdk-lib'))),
    ...pythonView(readAssembly(join(root, 'node_modules', 'constructs'))),
  ]);
  modules.set(own.targets.python.module, ownClasses);
  uses = JSON.parse(execFileSync('python3', ['-c', USES, example], { encoding: 'utf8' }));
}, 180_000);

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

describe('examples/python/app.py', () => {
  test('uses the pipeline with an S3 source, approval e-mails, stack set defaults and a stage after deploy', () => {
    const pipeline = uses.find((u) => u.name === 'CustomControlTowerPipeline' && u.called);
    expect(pipeline?.keywords).toEqual(
      expect.arrayContaining([
        'source',
        'require_approval',
        'approval_emails',
        'stack_set_prefix',
        'execution_role_name',
        'stages_after_deploy',
      ]),
    );
    expect(uses).toContainEqual(expect.objectContaining({ name: 'ConfigurationSource', member: 's3', called: true }));
    const source = readFileSync(example, 'utf8');
    expect(source).toMatch(/^class Customizations\(Construct\):/m);
  });

  test('every class, static method, keyword argument and enum member it uses exists in the generated API', () => {
    expect(uses.length).toBeGreaterThan(8);
    expect(check(uses, modules)).toEqual([]);
  });

  test('fails when the example names a keyword argument, a class or an enum member the API does not have', () => {
    const bad: Use[] = [
      {
        module: 'cdk_control_tower_customizations',
        name: 'CustomControlTowerPipeline',
        keywords: ['approval_email'],
        called: true,
        line: 1,
      },
      {
        module: 'cdk_control_tower_customizations',
        name: 'CustomControlTowerPipelines',
        keywords: [],
        called: true,
        line: 2,
      },
      {
        module: 'cdk_control_tower_customizations',
        name: 'ConfigurationSource',
        member: 'git_hub',
        keywords: [],
        called: true,
        line: 3,
      },
      {
        module: 'aws_cdk.aws_codebuild',
        name: 'ComputeType',
        member: 'GIGANTIC',
        keywords: [],
        called: false,
        line: 4,
      },
    ];
    expect(check(bad, modules)).toEqual([
      expect.stringMatching(/^app.py:1: .*no keyword argument approval_email \(accepts scope, id, .*approval_emails/),
      'app.py:2: cdk_control_tower_customizations.CustomControlTowerPipelines: no such class',
      'app.py:3: cdk_control_tower_customizations.ConfigurationSource.git_hub: no such static method',
      'app.py:4: aws_cdk.aws_codebuild.ComputeType.GIGANTIC: no such enum member',
    ]);
    // and a real enum member passes
    expect(
      check(
        [
          {
            module: 'aws_cdk.aws_codebuild',
            name: 'ComputeType',
            member: 'SMALL',
            keywords: [],
            called: false,
            line: 5,
          },
        ],
        modules,
      ),
    ).toEqual([]);
  });

  test('requirements.txt names the published packages at the floors the wheel declares', () => {
    const requirements = readFileSync(join(root, 'examples', 'python', 'requirements.txt'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'));
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(requirements).toEqual([
      expect.stringMatching(/^cdk-control-tower-customizations>=\d+\.\d+\.\d+/),
      `aws-cdk-lib>=${pkg.peerDependencies['aws-cdk-lib'].replace(/^\^/, '')},<3.0.0`,
      `constructs>=${pkg.peerDependencies.constructs.replace(/^\^/, '')},<11.0.0`,
    ]);
    expect(JSON.parse(readFileSync(join(root, 'examples', 'python', 'cdk.json'), 'utf8')).app).toBe('python3 app.py');
  });
});
