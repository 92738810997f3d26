import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { Option, type Command } from 'commander';
import type { RunPlan } from '../../engine/run';
import { hasErrors, type Finding } from '../../manifest/findings';
import { addPlanFlags } from '../flags';
import type { PlanFlags } from '../inputs';
import { ExitCode, type CliIo } from '../io';
import { buildReport } from '../report/build';
import { ansi, plain } from '../report/color';
import { renderHtml } from '../report/html';
import { renderMarkdown } from '../report/markdown';
import { renderText } from '../report/text';
import { failureDocument } from '../usage';

/** Why nothing was planned, for the `reason` of the JSON document. */
export function unplannedReason(exitCode: number): string {
  return exitCode === ExitCode.USAGE
    ? 'usage error; nothing was planned'
    : 'the package or the organization snapshot has errors; nothing was planned';
}

export type Format = 'text' | 'markdown' | 'html' | 'json';
export const FORMATS: readonly Format[] = ['text', 'markdown', 'html', 'json'];

interface PlanOptions extends PlanFlags {
  readonly format?: Format;
  readonly out?: string;
  readonly detailedExitcode?: boolean;
}

const BY_EXTENSION: Readonly<Record<string, Format>> = {
  '.json': 'json',
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.html': 'html',
  '.htm': 'html',
  '.txt': 'text',
};

/** The format of `--out file`: from `--format` when given, else from the file's extension, else text. */
export function formatFor(explicit: Format | undefined, out: string | undefined): Format {
  return explicit ?? (out ? BY_EXTENSION[extname(out).toLowerCase()] : undefined) ?? 'text';
}

/**
 * The plan in a format: the report for people, or the plan document itself (`json`, for
 * `apply --plan`), with the report's `summary` counts added so that a script reads the same
 * numbers as the text, Markdown and HTML headlines.
 */
export function renderPlan(plan: RunPlan, format: Format, title: string, options: { color?: boolean } = {}): string {
  const report = buildReport(plan, title);
  if (format === 'json') return `${JSON.stringify({ ...plan, summary: report.summary }, null, 2)}\n`;
  if (format === 'html') return renderHtml(report);
  if (format === 'markdown') return renderMarkdown(report);
  return renderText(report, { paint: options.color ? ansi : plain });
}

/**
 * `cfct plan <package> (--organization org.json | --live)`: what applying the package would change.
 * Exit 0 (no errors; with --detailed-exitcode: no changes), 2 with --detailed-exitcode when changes
 * are pending, 1 on errors.
 */
export function register(program: Command, io: CliIo, result: { exitCode: number }): void {
  addPlanFlags(
    program
      .command('plan')
      .description('show what applying a configuration package would change in the organization (read-only)')
      .argument('<package>', 'configuration package folder or .zip'),
  )
    .addOption(
      new Option('--format <format>', 'output format (default: from the --out extension, else text)').choices(FORMATS),
    )
    .option(
      '--out <file>',
      'write the plan to a file instead of standard output (.json, .md, .html, .txt pick the format)',
    )
    .option('--detailed-exitcode', 'exit 0 when there are no changes, 2 when changes are pending, 1 on errors')
    .action(async (source: string, options: PlanOptions) => {
      // The engine and the AWS SDK load only when a command needs them, so `cfct --help`,
      // `validate` and `init` start fast.
      const { planInputs, readPlanInputs } = require('../inputs') as typeof import('../inputs');
      const format = formatFor(options.format, options.out);
      const write = (text: string) => {
        if (options.out) {
          writeFileSync(options.out, text);
          io.stderr(`wrote ${options.out}\n`);
        } else {
          io.stdout(text);
        }
      };
      // JSON readers always get one document, also when nothing could be planned.
      const unplanned: Finding[] = [];
      const collect = {
        print: (findings: readonly Finding[]) => unplanned.push(...findings),
        usage: (error: Finding) => unplanned.push(error),
      };
      const inputs = await readPlanInputs(io, 'plan', source, options, format === 'json' ? collect : {});
      if (typeof inputs === 'number') {
        if (format === 'json') write(failureDocument('plan', unplanned, unplannedReason(inputs)));
        result.exitCode = inputs;
        return;
      }
      const { plan } = await planInputs(inputs);
      write(renderPlan(plan, format, `cfct plan: ${source}`, { color: !options.out && io.color === true }));
      if (hasErrors(plan.findings)) result.exitCode = ExitCode.FINDINGS;
      else if (options.detailedExitcode && plan.steps.length > 0) result.exitCode = 2;
      else result.exitCode = ExitCode.OK;
    });
}
