import { writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { RunPlan } from '../../engine/run';
import { hasErrors } from '../../manifest/findings';
import type { PlanFlags } from '../inputs';
import { ExitCode, type CliIo } from '../io';
import { buildReport } from '../report/build';
import { renderHtml } from '../report/html';
import { renderMarkdown } from '../report/markdown';
import { renderText } from '../report/text';

type Format = 'text' | 'markdown' | 'html' | 'json';

interface PlanOptions extends PlanFlags {
  readonly format: Format;
  readonly out?: string;
  readonly detailedExitcode?: boolean;
}

/** The plan in a format: the report for people, or the plan document itself (`json`, for `apply --plan`). */
export function renderPlan(plan: RunPlan, format: Format, title: string): string {
  if (format === 'json') return `${JSON.stringify(plan, null, 2)}\n`;
  const report = buildReport(plan, title);
  return format === 'html' ? renderHtml(report) : format === 'markdown' ? renderMarkdown(report) : renderText(report);
}

/** Options `plan` and `apply` share. */
export function addPlanFlags(command: Command): Command {
  return command
    .option('--organization <file>', 'plan against an exported organization snapshot (cfct org export)')
    .option('--live', 'read the organization through the AWS APIs (standard credential chain)')
    .option('--accounts <ids>', 'limit stack set work to these accounts (12-digit ids, comma-separated)')
    .option('--stack-set-prefix <prefix>', 'stack set name prefix (default CustomControlTower-)')
    .option('--installation-id <id>', 'value of the cfct:installation ownership tag (default: default)')
    .option('--staging-bucket <bucket>', 'S3 bucket where templates over 51,200 bytes are staged');
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
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'markdown', 'html', 'json']).default('text'))
    .option('--out <file>', 'write the plan to a file instead of standard output')
    .option('--detailed-exitcode', 'exit 0 when there are no changes, 2 when changes are pending, 1 on errors')
    .action(async (source: string, options: PlanOptions) => {
      // The engine and the AWS SDK load only when a command needs them, so `cfct --help`,
      // `validate` and `init` start fast.
      const { planRun } = require('../../engine/run') as typeof import('../../engine/run');
      const { readPlanInputs } = require('../inputs') as typeof import('../inputs');
      const inputs = await readPlanInputs(io, 'plan', source, options);
      if (typeof inputs === 'number') {
        result.exitCode = inputs;
        return;
      }
      const { plan } = await planRun(inputs.run);
      const text = renderPlan(plan, options.format, `cfct plan: ${source}`);
      if (options.out) {
        writeFileSync(options.out, text);
        io.stderr(`wrote ${options.out}\n`);
      } else {
        io.stdout(text);
      }
      if (hasErrors(plan.findings)) result.exitCode = ExitCode.FINDINGS;
      else if (options.detailedExitcode && plan.steps.length > 0) result.exitCode = 2;
      else result.exitCode = ExitCode.OK;
    });
}
