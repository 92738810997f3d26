/**
 * Stack set scale benchmark: 1,000 accounts x 4 regions x 50 stack sets against the stateful
 * fake (real SDK clients). For three runs - first rollout, no change, one new account - prints
 * the API calls made while planning and while applying, and the StackSets operations planned
 * and started, plus a modelled duration from the constants below (estimates, see
 * docs latency-model; change them here).
 *
 *   npx ts-node --transpile-only benchmarks/stacksets.ts [accounts] [regions] [stackSets]
 */
import { accountIds, desired, HOME, manifest, resource, StackSetWorld, template } from '../test/engine/stacksets/env';

/** Latency model constants (estimates unless marked documented). */
const MODEL = {
  apiCallMs: 150, // estimate: one CloudFormation/SSM describe/list/write call
  operationStartMs: 20_000, // estimate: stack set operation start overhead
  instanceDeploymentMs: 60_000, // estimate: one stack instance deployment (small template)
  // documented: SOFT_FAILURE_TOLERANCE with MaxConcurrentPercentage 100 deploys every account of a region at once
};

const [accountsArg, regionsArg, stackSetsArg] = process.argv.slice(2).map(Number);
const ACCOUNTS = accountIds(accountsArg || 1000);
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2', 'eu-central-1'].slice(0, regionsArg || 4);
const STACK_SETS = stackSetsArg || 50;

interface Measured {
  readonly name: string;
  readonly planCalls: number;
  readonly planned: Record<string, number>;
  readonly applyCalls: number;
  readonly operationsStarted: number;
  readonly instancesTouched: number;
  readonly failed: number;
  /** Modelled minutes with the estimates halved, as given, and doubled. */
  readonly modelledMinutes: readonly [number, number, number];
  readonly wallSeconds: number;
}

async function measure(world: StackSetWorld, name: string, accounts: readonly string[]): Promise<Measured> {
  const resources = Array.from({ length: STACK_SETS }, (_, i) =>
    resource(`baseline-${String(i).padStart(2, '0')}`, { regions: REGIONS }),
  );
  const m = manifest(resources);
  const wanted = resources.map((r, i) => desired(r, template(`t${i}`), accounts));
  const started = Date.now();
  const callsBefore = world.fake.calls.length;
  const plan = await world.plan(m, wanted);
  const planCalls = world.fake.calls.length - callsBefore;
  const planned: Record<string, number> = {};
  for (const step of plan.resources.flatMap((r) => r.steps)) planned[step.kind] = (planned[step.kind] ?? 0) + 1;
  const opsBefore = world.cfn.operations().length;
  const applyBefore = world.fake.calls.length;
  const { report } = await world.apply(m, wanted);
  const operations = world.operationsSince(opsBefore);
  const applyCalls = world.fake.calls.length - applyBefore;
  // Sequential order (the default): operations run one after another; calls are made one at a time.
  const modelled = (factor: number) => {
    const ms =
      factor *
      (applyCalls * MODEL.apiCallMs + operations.length * (MODEL.operationStartMs + MODEL.instanceDeploymentMs));
    return Math.round(ms / 6_000) / 10;
  };
  return {
    name,
    planCalls,
    planned,
    applyCalls,
    operationsStarted: operations.length,
    instancesTouched: operations.reduce((n, o) => n + o.pairs, 0),
    failed: report.failed.length,
    modelledMinutes: [modelled(0.5), modelled(1), modelled(2)],
    wallSeconds: Math.round((Date.now() - started) / 100) / 10,
  };
}

async function main(): Promise<void> {
  const world = new StackSetWorld({ checksToFinish: 3 });
  const extra = accountIds(1, ACCOUNTS.length)[0];
  world.setAccounts([...ACCOUNTS, extra]);
  const results = [
    await measure(world, 'first rollout', ACCOUNTS),
    await measure(world, 'no change', ACCOUNTS),
    await measure(world, 'one new account', [...ACCOUNTS, extra]),
  ];
  console.log(
    `stack sets: ${ACCOUNTS.length} accounts x ${REGIONS.length} regions x ${STACK_SETS} stack sets (home region ${HOME}; fake operations finish after 3 checks)`,
  );
  console.log(`model (estimates): ${JSON.stringify(MODEL)}`);
  console.log(
    'run              | plan API calls | steps planned                                   | apply API calls | operations | instances | failed | modelled min (x0.5 / x1 / x2) | wall s',
  );
  for (const r of results) {
    const planned =
      Object.entries(r.planned)
        .map(([k, v]) => `${k.replace('stackset.', '')}=${v}`)
        .join(' ') || '(none)';
    console.log(
      `${r.name.padEnd(16)} | ${String(r.planCalls).padStart(14)} | ${planned.padEnd(47)} | ${String(r.applyCalls).padStart(15)} | ${String(r.operationsStarted).padStart(10)} | ${String(r.instancesTouched).padStart(9)} | ${String(r.failed).padStart(6)} | ${r.modelledMinutes.join(' / ').padStart(29)} | ${r.wallSeconds}`,
    );
  }
  world.fake.restore();
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
