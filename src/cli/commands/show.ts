import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { RunPlan } from '../../engine/run';
import { formatFinding, hasErrors, type Finding } from '../../manifest/findings';
import { ExitCode, type CliIo } from '../io';
import { unusablePath } from '../paths';
import { failureDocument, usageError, usageFinding } from '../usage';
import { FORMATS, renderPlan, type Format } from './plan';

const EXPECTED = 'a plan written by `cfct plan --out plan.json` (or --format json)';

/** A saved plan document, or the findings-only document of a package that could not be planned. */
type Saved = { readonly plan: RunPlan } | { readonly unplanned: readonly Finding[] } | { readonly error: string };

function readSaved(file: string): Saved {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { error: unusablePath(file, EXPECTED, err) };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { error: `${file} is not JSON (${(err as Error).message}); expected ${EXPECTED}` };
  }
  const d = (doc ?? {}) as Record<string, unknown>;
  if (d.planned === false && Array.isArray(d.findings)) return { unplanned: d.findings as Finding[] };
  if (
    typeof d.inputHash !== 'string' ||
    !Array.isArray(d.steps) ||
    !Array.isArray(d.findings) ||
    typeof d.stackSets !== 'object' ||
    d.stackSets === null
  ) {
    return { error: `${file} is not a plan; expected ${EXPECTED}` };
  }
  return { plan: doc as RunPlan };
}

/** `cfct show <plan.json>`: renders a saved plan, as `terraform show` does. Exit 1 when the plan has errors. */
export function register(program: Command, io: CliIo, result: { exitCode: number }): void {
  program
    .command('show')
    .description('render a saved plan (cfct plan --out plan.json) as text, Markdown, HTML or JSON')
    .argument('<plan>', 'plan file written by cfct plan --out plan.json')
    .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('text'))
    .action((file: string, options: { format: Format }) => {
      const saved = readSaved(file);
      if ('error' in saved) {
        result.exitCode = usageError(io, 'show', options.format === 'json', usageFinding('CFCT-U004', saved.error));
        return;
      }
      if ('unplanned' in saved) {
        if (options.format === 'json') {
          io.stdout(
            failureDocument(
              'show',
              saved.unplanned,
              `${file}: nothing was planned; the package or the organization snapshot has errors`,
            ),
          );
        } else {
          io.stdout(`${file}: nothing was planned; the package or the organization snapshot has errors:\n`);
          for (const f of saved.unplanned) io.stdout(`  ${formatFinding(f)}\n`);
        }
        result.exitCode = ExitCode.FINDINGS;
        return;
      }
      io.stdout(renderPlan(saved.plan, options.format, `cfct show: ${file}`, { color: io.color === true }));
      result.exitCode = hasErrors(saved.plan.findings) ? ExitCode.FINDINGS : ExitCode.OK;
    });
}
