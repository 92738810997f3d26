/**
 * `cfct pipeline-build <package> --bucket <b> --execution-id <id>`: the whole build stage of the
 * pipeline, as one command (the buildspec only calls it, so it is tested here in-process).
 *
 * 1. validates the package and plans it read-only against the live organization (`--accounts`
 *    for a run scoped by the new-account trigger; `all` or nothing for the whole organization);
 * 2. stores the approved plan, the package, the run options and the stack set run input under
 *    `s3://<bucket>/<prefix>/<execution-id>/` (writePipelineRun), with the HTML and Markdown
 *    reports beside them;
 * 3. writes the stage's output artifact into `--out`: plan.json, report.html, report.md,
 *    policy-input.json and stackset-input.json (the inputs of the two state machines);
 * 4. writes the pipeline variables (summary, report link, plan hash) as shell assignments to
 *    `--variables-file`, which the buildspec sources and exports.
 *
 * Exit 1 when the package or the plan has errors: the reports are still written, so the failed
 * build shows why.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { RunPlan } from '../../engine/run';
import { formatFinding, hasErrors } from '../../manifest/findings';
import { addStackSetSettingsFlags } from '../flags';
import type { PlanFlags } from '../inputs';
import { ExitCode, type CliIo } from '../io';
import { buildReport } from '../report/build';
import type { ReportModel } from '../report/model';

interface PipelineBuildOptions extends Omit<PlanFlags, 'organization' | 'live'> {
  readonly bucket: string;
  readonly executionId: string;
  readonly prefix?: string;
  readonly out: string;
  readonly variablesFile?: string;
  readonly lockBucket?: string;
  readonly region?: string;
  readonly lint: string;
  readonly guardRules?: string;
}

/** The names of the pipeline variables the build stage exports. */
export const BUILD_VARIABLES = {
  summary: 'CFCT_SUMMARY',
  reportUrl: 'CFCT_REPORT_URL',
  planHash: 'CFCT_PLAN_HASH',
} as const;

/** The files of the build stage's output artifact. */
export const BUILD_ARTIFACT_FILES = {
  plan: 'plan.json',
  html: 'report.html',
  markdown: 'report.md',
  policyInput: 'policy-input.json',
  stackSetInput: 'stackset-input.json',
} as const;

/** "3 to create, 1 to update, 0 to delete": policies, stack sets and stack instances together. */
export function planSummary(report: ReportModel): string {
  const { policies, stackSets, instances, findings } = report.summary;
  const create = policies.create + stackSets.create + instances.create;
  const update = policies.update + policies.attach + stackSets.update + instances.update;
  const remove = policies.delete + policies.detach + stackSets.delete + instances.delete;
  const problems = [
    findings.error ? `${findings.error} error(s)` : '',
    findings.warning ? `${findings.warning} warning(s)` : '',
  ].filter(Boolean);
  const changes = `${create} to create, ${update} to update, ${remove} to delete`;
  return problems.length ? `${changes}; ${problems.join(', ')}` : changes;
}

/** The S3 console link of an object (the approver opens the report there, signed in). */
export function consoleObjectUrl(region: string, bucket: string, key: string): string {
  return `https://${region}.console.aws.amazon.com/s3/object/${bucket}?region=${region}&prefix=${encodeURIComponent(key)}`;
}

/** One POSIX shell assignment (`export NAME='value'`), safe for any value. */
function shellAssignment(name: string, value: string): string {
  return `export ${name}='${value.replace(/'/g, "'\\''")}'\n`;
}

export function register(program: Command, io: CliIo, result: { exitCode: number }): void {
  addStackSetSettingsFlags(program.command('pipeline-build'))
    .description(
      'the pipeline build stage: validate, plan against the live organization, store the run files and write the state machine inputs',
    )
    .argument('<package>', 'configuration package folder or .zip (the source artifact)')
    .requiredOption('--bucket <bucket>', 'bucket of the run files (the pipeline artifact bucket)')
    .requiredOption('--execution-id <id>', 'the CodePipeline execution id (#{codepipeline.PipelineExecutionId})')
    .option('--prefix <prefix>', 'key prefix of the run files', 'cfct/runs')
    .option('--out <dir>', 'where to write the output artifact (plan, reports, state machine inputs)', 'cfct-out')
    .option('--variables-file <file>', 'write the pipeline variables as shell assignments to this file')
    .option('--lock-bucket <bucket>', 'bucket of the installation lock (default: --bucket)')
    .option(
      '--accounts <ids>',
      "limit the run to these accounts (comma-separated 12-digit ids); 'all' or empty for the whole organization",
    )
    .option(
      '--lint <linters>',
      "template linters: cfn-lint, cfn-nag, cfn-guard (comma-separated), or 'none'",
      'cfn-lint',
    )
    .option('--guard-rules <path>', 'cfn-guard rules file or folder (with --lint cfn-guard)')
    .action(async (source: string, options: PipelineBuildOptions) => {
      const { DEFAULT_PIPELINE_RUN_PREFIX, writePipelineRun } =
        require('../../engine/pipeline-run') as typeof import('../../engine/pipeline-run');
      const { parseS3ObjectUrl, stackSetStateCacheKey } =
        require('../../engine/stacksets') as typeof import('../../engine/stacksets');
      const { planInputs, readPlanInputs } = require('../inputs') as typeof import('../inputs');
      const { createPackageZip } = require('../package-zip') as typeof import('../package-zip');
      const { PutObjectCommand } = require('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3');
      const { retryThrottled } = require('../../engine/retry') as typeof import('../../engine/retry');
      const { renderHtml } = require('../report/html') as typeof import('../report/html');
      const { renderMarkdown } = require('../report/markdown') as typeof import('../report/markdown');

      const { lintTemplates, parseLinters } = require('../lint') as typeof import('../lint');
      const { validateTemplatesLive } = require('../validate-template') as typeof import('../validate-template');
      const linters = options.lint.trim() === 'none' ? { linters: [] } : parseLinters(options.lint);
      if ('unknown' in linters) {
        io.stderr(`cfct pipeline-build: --lint takes cfn-lint, cfn-nag, cfn-guard or none, got '${linters.unknown}'\n`);
        result.exitCode = ExitCode.USAGE;
        return;
      }
      const accounts =
        options.accounts === undefined || options.accounts.trim() === '' || options.accounts.trim() === 'all'
          ? undefined
          : options.accounts;
      // Stack set states are read through the installation's cache in the run bucket (and the
      // plan check reads them through it too: the location travels in the run options).
      const stateCache = `s3://${options.bucket}/${stackSetStateCacheKey(options.prefix ?? DEFAULT_PIPELINE_RUN_PREFIX)}`;
      const inputs = await readPlanInputs(io, 'pipeline-build', source, {
        ...options,
        accounts,
        live: true,
        // A bucket name S3 would refuse holds no cache: plan without one.
        ...(parseS3ObjectUrl(stateCache) ? { stateCache } : {}),
      });
      if (typeof inputs === 'number') {
        result.exitCode = inputs;
        return;
      }
      const clients = inputs.clients!;
      // The plan `cfct plan` shows: the package's warnings included.
      const planned0 = await planInputs(inputs);
      // Template checks join the plan's findings, so the report and the approval show them.
      const templateFindings = [
        ...(await validateTemplatesLive(inputs.run.manifest, inputs.run.readTemplate, clients, inputs.clock)),
        ...lintTemplates(inputs.run.manifest, inputs.run.files, {
          linters: linters.linters,
          ...(options.guardRules ? { guardRules: options.guardRules } : {}),
        }),
      ];
      const planned = {
        ...planned0,
        plan: { ...planned0.plan, findings: [...planned0.plan.findings, ...templateFindings] },
      };
      const plan: RunPlan = planned.plan;
      const report = buildReport(plan, `cfct plan: pipeline execution ${options.executionId}`);
      const summary = planSummary(report);
      const html = renderHtml(report);
      const markdown = renderMarkdown(report);

      const packageZip = statSync(source).isFile() ? readFileSync(source) : await createPackageZip(source);
      const files = await writePipelineRun({
        clients,
        clock: inputs.clock,
        bucket: options.bucket,
        prefix: options.prefix,
        pipelineExecutionId: options.executionId,
        planned,
        snapshot: inputs.run.snapshot,
        options: inputs.run.options ?? {},
        packageZip,
        ...(options.lockBucket ? { lockBucket: options.lockBucket } : {}),
      });
      const base = files.location.replace(`s3://${options.bucket}/`, '');
      const s3 = clients.s3(plan.homeRegion);
      for (const [name, body, type] of [
        [BUILD_ARTIFACT_FILES.html, html, 'text/html; charset=utf-8'],
        [BUILD_ARTIFACT_FILES.markdown, markdown, 'text/markdown; charset=utf-8'],
      ] as const) {
        await retryThrottled(
          () =>
            s3.send(
              new PutObjectCommand({ Bucket: options.bucket, Key: `${base}${name}`, Body: body, ContentType: type }),
            ),
          inputs.clock,
        );
      }
      const reportUrl = consoleObjectUrl(plan.homeRegion, options.bucket, `${base}${BUILD_ARTIFACT_FILES.html}`);

      if (!existsSync(options.out)) mkdirSync(options.out, { recursive: true });
      writeFileSync(join(options.out, BUILD_ARTIFACT_FILES.plan), `${JSON.stringify(plan, null, 2)}\n`);
      writeFileSync(join(options.out, BUILD_ARTIFACT_FILES.html), html);
      writeFileSync(join(options.out, BUILD_ARTIFACT_FILES.markdown), markdown);
      writeFileSync(
        join(options.out, BUILD_ARTIFACT_FILES.policyInput),
        `${JSON.stringify(files.policyStateMachineInput)}\n`,
      );
      writeFileSync(
        join(options.out, BUILD_ARTIFACT_FILES.stackSetInput),
        `${JSON.stringify(files.stackSetStateMachineInput)}\n`,
      );
      if (options.variablesFile) {
        writeFileSync(
          options.variablesFile,
          shellAssignment(BUILD_VARIABLES.summary, summary) +
            shellAssignment(BUILD_VARIABLES.reportUrl, reportUrl) +
            shellAssignment(BUILD_VARIABLES.planHash, plan.inputHash),
        );
      }

      for (const f of plan.findings) io.stderr(`${formatFinding(f)}\n`);
      io.stdout(`plan: ${summary}\nrun files: ${files.location}\nreport: ${reportUrl}\n`);
      result.exitCode = hasErrors(plan.findings) ? ExitCode.FINDINGS : ExitCode.OK;
    });
}
