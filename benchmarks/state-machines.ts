/**
 * State machine counts: runs the synthesized policy and stack set state machines locally
 * (aws-local-stepfunctions, the real handlers, the stateful AWS fake) for the first rollout of
 * the end-to-end test package (two SCPs, an RCP, four stack sets with dependencies and
 * export_outputs) and for a second, no-change run of it. Prints, per run and machine, the state
 * transitions, the Lambda invocations (by task) and the AWS calls (by service).
 *
 *   npx ts-node --transpile-only --project benchmarks/tsconfig.json benchmarks/state-machines.ts [accounts] [regions]
 */
import { execute, realHandlers, synthesize, type ExecutionReport } from '../test/statemachines/harness';
import { PipelineWorld, samplePackage } from '../test/statemachines/world';

const [accountsArg, regionsArg] = process.argv.slice(2).map(Number);
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2', 'eu-central-1'].slice(0, regionsArg || 2);

function line(name: string, report: ExecutionReport, calls: Record<string, number>): string {
  const invocations = Object.values(report.invocations).reduce((a, b) => a + b, 0);
  const byTask = Object.entries(report.invocations)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const awsCalls = Object.values(calls).reduce((a, b) => a + b, 0);
  const byService = Object.entries(calls)
    .sort()
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return [
    `  ${name}: ${report.status}`,
    `    state transitions ${report.transitions}`,
    `    Lambda invocations ${invocations} (${byTask})`,
    `    AWS calls ${awsCalls} (${byService})`,
    `    largest state payload ${report.largestPayloadBytes} bytes`,
  ].join('\n');
}

async function main(): Promise<void> {
  const world = new PipelineWorld({ accounts: accountsArg || 3 });
  const { policyMachine, stackSetMachine } = synthesize();
  const handlers = realHandlers(world.deps);
  console.log(
    `State machine counts: ${world.accounts.length} accounts x ${REGIONS.length} regions, 3 policies, 4 stack sets`,
  );
  for (const [name, runId] of [
    ['first rollout', 'exec-1'],
    ['no-change run', 'exec-2'],
  ] as const) {
    const run = await world.build(samplePackage({ regions: REGIONS }), runId);
    console.log(`${name} (${run.planSteps} plan steps):`);
    let from = world.fake.calls.length;
    const policies = await execute(policyMachine, run.policyStateMachineInput, handlers);
    console.log(line('policy state machine', policies, world.callsSince(from).byService));
    from = world.fake.calls.length;
    const stackSets = await execute(stackSetMachine, run.stackSetStateMachineInput, handlers);
    console.log(line('stack set state machine', stackSets, world.callsSince(from).byService));
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
