import { Option, type Command } from 'commander';
import { addOrganizationFlags, addStackSetSettingsFlags } from '../flags';
import type { PlanFlags } from '../inputs';
import { ExitCode, type CliIo } from '../io';
import { failureDocument } from '../usage';
import { unplannedReason } from './plan';

interface PrintTasksOptions extends PlanFlags {
  readonly format: 'text' | 'json';
}

/** One stack set as it will be deployed: what `cfct print-tasks` shows. Holds no secret. */
export interface StackSetTask {
  readonly resource: string;
  readonly stackSetName: string;
  /** Parameters as passed, helpers resolved; SecureString and NoEcho values as references. */
  readonly parameters: Readonly<Record<string, string>>;
  readonly regions: readonly string[];
  /** ACTIVE target accounts, sorted. */
  readonly accounts: readonly string[];
  /** The template as it will be sent. */
  readonly template: string;
}

/**
 * `cfct print-tasks <package>`: per stack set, the resolved template, the parameters with helpers
 * resolved (secrets as references) and the target instances, as org-formation's print-tasks.
 * Read-only. Exit 1 when the package or planning has errors.
 */
export function register(program: Command, io: CliIo, result: { exitCode: number }): void {
  addStackSetSettingsFlags(
    addOrganizationFlags(
      program
        .command('print-tasks')
        .description(
          'print each stack set as it would be deployed: resolved template, parameters and target instances (read-only)',
        )
        .argument('<package>', 'configuration package folder or .zip'),
    ),
  )
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (source: string, options: PrintTasksOptions) => {
      const { planInputs, readPlanInputs } = require('../inputs') as typeof import('../inputs');
      const { displayValue, resolveParameter } =
        require('../../engine/stacksets/parameters') as typeof import('../../engine/stacksets/parameters');
      const { ssmView } =
        require('../../engine/stacksets/plan-manifest') as typeof import('../../engine/stacksets/plan-manifest');
      const { stackSetNameFor } =
        require('../../engine/stacksets/settings') as typeof import('../../engine/stacksets/settings');
      const { formatFinding, hasErrors } =
        require('../../manifest/findings') as typeof import('../../manifest/findings');
      // JSON readers always get one document, also when nothing could be planned.
      const json = options.format === 'json';
      const unplanned: import('../../manifest/findings').Finding[] = [];
      const inputs = await readPlanInputs(
        io,
        'print-tasks',
        source,
        options,
        json
          ? {
              print: (findings) => unplanned.push(...findings),
              usage: (error) => unplanned.push(error),
            }
          : {},
      );
      if (typeof inputs === 'number') {
        if (json) io.stdout(failureDocument('print-tasks', unplanned, unplannedReason(inputs)));
        result.exitCode = inputs;
        return;
      }
      const planned = await planInputs(inputs);
      // As the planner sees SSM: values exported by stack sets that change in this run are pending.
      const changing = new Set(
        planned.stackSetPlan.resources.filter((r) => r.steps.length > 0).map((r) => r.summary.resource),
      );
      const producers = planned.desired
        .map((d) => d.resource)
        .filter((r) => changing.has(r.name) && r.exportOutputs.length > 0);
      const ssm = ssmView(inputs.run.snapshot.stackSets?.ssm ?? {}, producers);
      const tasks: StackSetTask[] = planned.desired.map((d) => {
        const noEcho = new Set(d.template.normalised.noEchoParameters);
        const parameters: Record<string, string> = {};
        for (const entry of d.resource.parameters) {
          const { parameter } = resolveParameter(entry, ssm, d.resource.name);
          parameters[parameter.key] = displayValue(parameter, noEcho.has(parameter.key));
        }
        return {
          resource: d.resource.name,
          stackSetName: stackSetNameFor(d.resource, planned.settings),
          parameters,
          regions: [...d.resource.regions],
          accounts: [...d.targets.accounts],
          template: d.template.text,
        };
      });
      const findings = planned.plan.findings;
      if (options.format === 'json') {
        io.stdout(`${JSON.stringify({ stackSets: tasks, findings }, null, 2)}\n`);
      } else {
        for (const t of tasks) {
          io.stdout(`# ${t.stackSetName} (resource ${t.resource})\n`);
          io.stdout(`regions: ${t.regions.join(', ')}\n`);
          io.stdout(`accounts: ${t.accounts.length > 0 ? t.accounts.join(', ') : '(none)'}\n`);
          io.stdout(`instances: ${t.accounts.length * t.regions.length}\n`);
          const keys = Object.keys(t.parameters);
          io.stdout(
            keys.length > 0
              ? `parameters:\n${keys.map((k) => `  ${k}: ${t.parameters[k]}\n`).join('')}`
              : 'parameters: (none)\n',
          );
          io.stdout(
            `template:\n${t.template
              .replace(/\n$/, '')
              .split('\n')
              .map((l) => `  ${l}`)
              .join('\n')}\n\n`,
          );
        }
        for (const f of findings) io.stderr(`${formatFinding(f)}\n`);
      }
      result.exitCode = hasErrors(findings) ? ExitCode.FINDINGS : ExitCode.OK;
    });
}
