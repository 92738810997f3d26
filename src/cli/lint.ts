/**
 * Template linting: cfn-lint (on by default in the pipeline), cfn_nag and cfn-guard (opt-in),
 * run as child processes on every stack set template of the package. Their findings become ours
 * (CFCT-L010 to CFCT-L017) with the linter's own rule id in the message and the template's
 * file:line:col, attached to the manifest resources that use the template, so `lint_suppressions`
 * apply to them (a warning rule such as CFCT-L011 can be suppressed per resource, with a reason).
 * A linter that was asked for but is not installed is one finding, not a crash.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { applySuppressions } from '../manifest/checks/suppressions';
import type { Finding } from '../manifest/findings';
import type { Manifest, PackageFiles } from '../manifest/model';
import { finding, type RuleId } from '../manifest/rules';

/** The linters `--lint` accepts. */
export const LINTERS = ['cfn-lint', 'cfn-nag', 'cfn-guard'] as const;
export type LinterName = (typeof LINTERS)[number];

/** What a child process gave back (spawnSync's shape). */
export interface ProcessResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Set when the program could not be started (ENOENT: not installed). */
  readonly error?: { readonly code?: string; readonly message: string };
}

/** Runs a program; tests replace it. */
export type RunProgram = (command: string, args: readonly string[]) => ProcessResult;

const runProgram: RunProgram = (command, args) => {
  const r = spawnSync(command, [...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return {
    status: r.status,
    stdout: r.stdout ?? '',
    stderr: r.stderr ?? '',
    ...(r.error ? { error: r.error as { code?: string; message: string } } : {}),
  };
};

/** Options of {@link lintTemplates}. */
export interface LintOptions {
  readonly linters: readonly LinterName[];
  /** cfn-guard's rules file (or folder); cfn-guard needs one. */
  readonly guardRules?: string;
  readonly run?: RunProgram;
}

/** Stack set templates in the package: path -> the resources that use it. */
function localTemplates(manifest: Manifest): Map<string, string[]> {
  const templates = new Map<string, string[]>();
  for (const r of manifest.resources) {
    if (r.deployMethod !== 'stack_set' || r.resourceFile.kind !== 'local' || !r.resourceFile.path) continue;
    templates.set(r.resourceFile.path, [...(templates.get(r.resourceFile.path) ?? []), r.name]);
  }
  return templates;
}

/** One linter finding, once per resource that uses the template. */
function perResource(
  rule: RuleId,
  resources: readonly string[],
  message: string,
  location: { file: string; line?: number; column?: number },
  hint?: string,
): Finding[] {
  return resources.map((resource) => finding(rule, { message, location, resource, ...(hint ? { hint } : {}) }));
}

function notInstalled(linter: LinterName, install: string): Finding {
  return finding('CFCT-L017', {
    message: `${linter} was requested but is not installed, so templates were not checked with it`,
    location: { file: 'manifest.yaml' },
    hint: `install it (${install}) or leave it out of --lint`,
  });
}

function crashed(linter: LinterName, result: ProcessResult): Finding {
  return finding('CFCT-L016', {
    message: `${linter} did not run to completion (exit ${result.status}): ${(result.stderr || result.stdout).trim().split('\n')[0]?.slice(0, 300) ?? ''}`,
    location: { file: 'manifest.yaml' },
    hint: `run ${linter} on the template by hand to see why`,
  });
}

interface CfnLintMatch {
  readonly Filename: string;
  readonly Level: string;
  readonly Message: string;
  readonly Rule: { readonly Id: string };
  readonly Location?: { readonly Start?: { readonly LineNumber?: number; readonly ColumnNumber?: number } };
}

function cfnLint(dir: string, paths: Map<string, string[]>, regions: readonly string[], run: RunProgram): Finding[] {
  const files = [...paths.keys()].map((p) => join(dir, ...p.split('/')));
  // Informational checks (I...) are off by default in cfn-lint; they become notes (CFCT-L012).
  const result = run('cfn-lint', ['-f', 'json', '--include-checks', 'I', '--regions', ...regions, '--', ...files]);
  if (result.error?.code === 'ENOENT') return [notInstalled('cfn-lint', 'pip install cfn-lint')];
  // Exit codes are a bit field of the levels found (2 error, 4 warning, 8 info); 1 is a crash.
  let matches: CfnLintMatch[];
  try {
    matches = JSON.parse(result.stdout || '[]') as CfnLintMatch[];
  } catch {
    return [crashed('cfn-lint', result)];
  }
  if (result.status === 1 || result.status === null) return [crashed('cfn-lint', result)];
  const out: Finding[] = [];
  for (const m of matches) {
    const file = relative(dir, m.Filename).split(sep).join('/');
    const rule: RuleId = m.Level === 'Error' ? 'CFCT-L010' : m.Level === 'Warning' ? 'CFCT-L011' : 'CFCT-L012';
    const start = m.Location?.Start;
    out.push(
      ...perResource(rule, paths.get(file) ?? [], `cfn-lint ${m.Rule.Id}: ${m.Message}`, {
        file,
        ...(start?.LineNumber ? { line: start.LineNumber } : {}),
        ...(start?.ColumnNumber ? { column: start.ColumnNumber } : {}),
      }),
    );
  }
  return out;
}

interface CfnNagViolation {
  readonly id: string;
  readonly type: string;
  readonly message: string;
  readonly logical_resource_ids?: string[];
  readonly line_numbers?: number[];
}

interface CfnNagResult {
  readonly filename: string;
  readonly file_results?: { readonly violations?: readonly CfnNagViolation[] };
}

function cfnNag(dir: string, paths: Map<string, string[]>, run: RunProgram): Finding[] {
  const result = run('cfn_nag_scan', ['--input-path', dir, '--output-format', 'json']);
  if (result.error?.code === 'ENOENT') return [notInstalled('cfn-nag', 'gem install cfn-nag')];
  let reports: CfnNagResult[];
  try {
    reports = JSON.parse(result.stdout) as CfnNagResult[];
  } catch {
    return [crashed('cfn-nag', result)];
  }
  const out: Finding[] = [];
  for (const report of reports) {
    const file = relative(dir, report.filename).split(sep).join('/');
    for (const v of report.file_results?.violations ?? []) {
      const line = v.line_numbers?.find((n) => n > 0);
      const where = v.logical_resource_ids?.length ? ` (${v.logical_resource_ids.join(', ')})` : '';
      out.push(
        ...perResource(
          v.type === 'FAIL' ? 'CFCT-L013' : 'CFCT-L014',
          paths.get(file) ?? [],
          `cfn_nag ${v.id}: ${v.message}${where}`,
          { file, ...(line ? { line } : {}) },
        ),
      );
    }
  }
  return out;
}

function cfnGuard(dir: string, paths: Map<string, string[]>, rules: string | undefined, run: RunProgram): Finding[] {
  if (!rules) {
    return [
      finding('CFCT-L017', {
        message: 'cfn-guard was requested without a rules file, so templates were not checked with it',
        location: { file: 'manifest.yaml' },
        hint: 'pass --guard-rules <file or folder>',
      }),
    ];
  }
  const out: Finding[] = [];
  for (const [path, resources] of paths) {
    const data = join(dir, ...path.split('/'));
    const result = run('cfn-guard', [
      'validate',
      '--data',
      data,
      '--rules',
      rules,
      '--show-summary',
      'none',
      '--output-format',
      'single-line-summary',
    ]);
    if (result.error?.code === 'ENOENT') return [notInstalled('cfn-guard', 'cargo install cfn-guard')];
    if (result.status === 0) continue;
    if (result.status !== 19) {
      out.push(crashed('cfn-guard', result));
      continue;
    }
    // Exit 19: rules failed. One finding per rule that failed, as cfn-guard names them.
    const failed = [...new Set([...result.stdout.matchAll(/Rule \[([^\]]+)\]/g)].map((m) => m[1]))];
    for (const rule of failed.length ? failed : ['(unnamed rule)']) {
      out.push(
        ...perResource(
          'CFCT-L015',
          resources,
          `cfn-guard rule ${rule} failed`,
          { file: path },
          'run cfn-guard validate on the template for the details',
        ),
      );
    }
  }
  return out;
}

/**
 * Lints the package's local stack set templates with the linters asked for and returns their
 * findings, `lint_suppressions` applied.
 */
export function lintTemplates(manifest: Manifest, files: PackageFiles, options: LintOptions): Finding[] {
  const paths = localTemplates(manifest);
  if (paths.size === 0 || options.linters.length === 0) return [];
  const run = options.run ?? runProgram;
  const dir = mkdtempSync(join(tmpdir(), 'cfct-lint-'));
  try {
    for (const path of paths.keys()) {
      const target = join(dir, ...path.split('/'));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, files.read(path) ?? '');
    }
    const regions = [...new Set(manifest.resources.flatMap((r) => (r.deployMethod === 'stack_set' ? r.regions : [])))];
    const findings: Finding[] = [];
    for (const linter of new Set(options.linters)) {
      if (linter === 'cfn-lint') {
        findings.push(...cfnLint(dir, paths, regions.length ? regions : [manifest.region], run));
      }
      if (linter === 'cfn-nag') findings.push(...cfnNag(dir, paths, run));
      if (linter === 'cfn-guard') findings.push(...cfnGuard(dir, paths, options.guardRules, run));
    }
    return applySuppressions(findings, manifest);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `--lint cfn-lint,cfn-nag`: the list, or the name that is not a linter. */
export function parseLinters(value: string): { linters: LinterName[] } | { unknown: string } {
  const names = value
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const unknown = names.find((n) => !(LINTERS as readonly string[]).includes(n));
  return unknown !== undefined ? { unknown } : { linters: names as LinterName[] };
}
