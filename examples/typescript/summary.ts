/**
 * Synthesizes examples/typescript and prints what its pipeline stack contains: the pipeline's
 * stages and actions, the state machines, and the resources by type.
 *
 *   npx projen example     (also validates and plans examples/basic)
 */
import { Stack } from 'aws-cdk-lib';
import { buildApp } from './app';

/** What a synthesized stack holds, as lines of text. */
export function summarise(template: { Resources: Record<string, { Type: string; Properties?: any }> }): string[] {
  const lines: string[] = [];
  const resources = Object.entries(template.Resources);
  for (const [, r] of resources.filter(([, x]) => x.Type === 'AWS::CodePipeline::Pipeline')) {
    lines.push(`pipeline (${r.Properties.PipelineType}, ${r.Properties.ExecutionMode}):`);
    for (const stage of r.Properties.Stages) {
      const actions = stage.Actions.map(
        (a: any) => `${a.Name} [${a.ActionTypeId.Category}/${a.ActionTypeId.Provider}]`,
      );
      lines.push(`  ${stage.Name}: ${actions.join(', ')}`);
    }
  }
  const machines = resources.filter(([, x]) => x.Type === 'AWS::StepFunctions::StateMachine').map(([id]) => id);
  lines.push(`state machines: ${machines.join(', ')}`);
  const counts = new Map<string, number>();
  for (const [, r] of resources) counts.set(r.Type, (counts.get(r.Type) ?? 0) + 1);
  lines.push(`resources (${resources.length}):`);
  for (const [type, n] of [...counts].sort((a, b) => a[0].localeCompare(b[0])))
    lines.push(`  ${String(n).padStart(3)} ${type}`);
  return lines;
}

if (require.main === module) {
  const started = Date.now();
  const { app, stack } = buildApp();
  const template = app.synth().getStackByName((stack as Stack).stackName).template;
  process.stdout.write(`examples/typescript: stack ${stack.stackName} synthesized in ${Date.now() - started} ms\n`);
  process.stdout.write(`${summarise(template).join('\n')}\n`);
}
