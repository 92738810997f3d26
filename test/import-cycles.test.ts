/**
 * Module structure: no import cycles in src/ (type-only imports and lazy `require`s count too).
 * A cycle makes load order matter, and a value imported from a module still loading is undefined.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = resolve(__dirname, '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

/** Relative imports of a file, resolved to files. */
function importsOf(file: string, text: string): string[] {
  const specifiers = [
    ...text.matchAll(/(?:import|export)\s[^;]*?from\s+'(\.[^']*)'|require\('(\.[^']*)'\)|import\('(\.[^']*)'\)/g),
  ].map((m) => m[1] ?? m[2] ?? m[3]);
  return specifiers.flatMap((specifier) => {
    const base = resolve(dirname(file), specifier);
    const found = [`${base}.ts`, join(base, 'index.ts')].find((candidate) => existsSync(candidate));
    return found ? [found] : [];
  });
}

/** Strongly connected components of more than one module (or a module importing itself). */
function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

describe('module structure', () => {
  const graph = new Map(sourceFiles(SRC).map((file) => [file, importsOf(file, readFileSync(file, 'utf8'))] as const));

  test('src has no import cycles (the CLI commands and the program, the plan and stack set settings included)', () => {
    expect(graph.size).toBeGreaterThan(50);
    expect(importCycles(graph).map((cycle) => cycle.map((file) => relative(SRC, file)))).toEqual([]);
  });

  test('the cycle finder finds a cycle of three and a module importing itself', () => {
    const cycles = importCycles(
      new Map([
        ['a', ['b']],
        ['b', ['c']],
        ['c', ['a']],
        ['d', ['d']],
        ['e', ['a']],
      ]),
    );
    expect(cycles).toEqual([['a', 'b', 'c'], ['d']]);
  });

  test('CLI commands take ExitCode and CliIo from cli/io, not from the program', () => {
    const commands = [...graph.keys()].filter((file) => file.includes(`${join('cli', 'commands')}`));
    expect(commands.length).toBeGreaterThan(5);
    for (const command of commands) expect(graph.get(command)).not.toContain(join(SRC, 'cli', 'program.ts'));
  });
});
