/**
 * Scale benchmark (`npx projen bench`): whole pipeline runs - the build stage (plan from the live
 * fake, run files to S3), then the synthesized PolicyStateMachine and StackSetStateMachine
 * executed locally (aws-local-stepfunctions) with the real handlers - against the stateful AWS
 * fake, on a simulated clock. Time is modelled by benchmarks/latency-model.ts:
 *
 * - Every Lambda task takes its invocation overhead (cold on a function's first call of a run),
 *   one state transition, and the API latency of the calls it made. Calls that run concurrently
 *   overlap: a call starts at the modelled end of the last call that had finished when it was
 *   sent, so `Promise.all` of 10 reads costs one call, a loop of 10 costs ten.
 * - Wait states take their synthesized duration (they run as tasks that sleep on the clock).
 * - Stack set operations take their time in the CloudFormation fake (its timing model: start
 *   overhead + one instance deployment per batch of the Region's concurrency).
 * - Map iterations run concurrently in simulated time: the clock moves to the next due task only
 *   when every branch waits (a discrete-event scheduler over the real local execution).
 *
 *   npx projen bench                  S, M and L, every mode and scenario
 *   npx projen bench -- S M           only these sizes
 *   options: --modes=dependencies,upstream  --scenarios=first-rollout,no-change  --no-sensitivity
 *            --out=NAME (benchmarks/out/NAME.md, .svg, .json; default scale)
 *            --calls (per run: time and API calls by operation of the build stage and of each
 *            state machine, and the machines' task invocations: where the time goes)
 */
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { Duration } from 'aws-cdk-lib';
import { describeModel, LATENCY, ms, OUR_POLL_SECONDS, PRICES } from './latency-model';
import type { RunOptions } from '../src/engine/run';
import { FakeCloudFormation } from '../test/fake/cloudformation';
import type { FakeAws, FakeClock } from '../test/fake/core';
import {
  ACCOUNT,
  execute,
  realHandlers,
  REGION,
  synthesize,
  type ExecutionReport,
  type SynthesizedMachine,
} from '../test/statemachines/harness';
import { PipelineWorld, templateOf } from '../test/statemachines/world';

// ---- the benchmark's shape (edit here; printed with the results) --------------------------
const SIZES = { S: 50, M: 1_000, L: 5_000 } as const;
type Size = keyof typeof SIZES;
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2', 'eu-central-1'];
const POLICIES = 10;
/** Stack sets per dependency layer: 50 stack sets, a graph of depth 4. */
const LAYERS = [20, 15, 10, 5];
/** Nested OUs under Workloads: teams x environments, accounts spread evenly over the leaves. */
const TEAMS = 5;
const ENVIRONMENTS = 4;
/** Map concurrency of our stack set machine (the construct's maximum; the widest wave is 20). */
const OUR_MAP_CONCURRENCY = 40;

type Mode = 'dependencies' | 'sequential' | 'upstream';
const MODES: readonly Mode[] = ['dependencies', 'sequential', 'upstream'];
const SCENARIOS = [
  'first rollout',
  'no change',
  'one new account',
  'one template changed',
  'one stack set removed',
] as const;
type Scenario = (typeof SCENARIOS)[number];

const STACK_SETS = LAYERS.reduce((a, b) => a + b, 0);
const NEW_ACCOUNT = '299999999999';
const CHANGED_STACK_SET = 'ss-00';
const REMOVED_STACK_SET = `ss-${String(STACK_SETS - 1).padStart(2, '0')}`;

// ---- the package --------------------------------------------------------------------------
function layerOf(index: number): number {
  let start = 0;
  for (let layer = 0; layer < LAYERS.length; layer++) {
    if (index < start + LAYERS[layer]) return layer;
    start += LAYERS[layer];
  }
  throw new Error(`no layer for ${index}`);
}

function stackSetName(index: number): string {
  return `ss-${String(index).padStart(2, '0')}`;
}

/** The configuration package of a mode; `changed` gives ss-00 a new template, `removed` drops the last stack set. */
function packageFiles(mode: Mode, variant: { changed?: boolean; removed?: boolean } = {}): Record<string, string> {
  const files: Record<string, string> = {};
  const policyOus = [
    'Workloads',
    'Workloads',
    'Workloads',
    'Workloads',
    'Security',
    'Security',
    'Security',
    'Sandbox',
    'Sandbox',
    'Sandbox',
  ];
  const lines = [
    `region: ${REGION}`,
    'version: 2021-03-15',
    `stack_set_order: ${mode === 'dependencies' ? 'dependencies' : 'sequential'}`,
    'enable_stack_set_deletion: true',
    'resources:',
  ];
  for (let i = 0; i < POLICIES; i++) {
    files[`policies/scp-${i}.json`] = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: `service${i}:Delete*`, Resource: '*' }],
    });
    lines.push(
      `  - name: scp-${i}`,
      `    resource_file: policies/scp-${i}.json`,
      '    deploy_method: scp',
      '    deployment_targets:',
      `      organizational_units: [${policyOus[i % policyOus.length]}]`,
    );
  }
  const starts = LAYERS.map((_, l) => LAYERS.slice(0, l).reduce((a, b) => a + b, 0));
  for (let i = 0; i < STACK_SETS; i++) {
    const name = stackSetName(i);
    if (variant.removed && name === REMOVED_STACK_SET) continue;
    const layer = layerOf(i);
    files[`templates/${name}.json`] = templateOf(variant.changed && name === CHANGED_STACK_SET ? `${name}-v2` : name);
    lines.push(`  - name: ${name}`, `    resource_file: templates/${name}.json`, '    deploy_method: stack_set');
    // Each stack set depends on one of the layer before it: every path has LAYERS.length levels.
    if (layer > 0) {
      lines.push(`    depends_on: [${stackSetName(starts[layer - 1] + ((i - starts[layer]) % LAYERS[layer - 1]))}]`);
    }
    if (mode === 'upstream') {
      // Upstream's template defaults: 100% / 10% / PARALLEL, ConcurrencyMode unset (strict).
      lines.push(
        '    operation_preferences:',
        '      MaxConcurrentPercentage: 100',
        '      FailureTolerancePercentage: 10',
        '      RegionConcurrencyType: PARALLEL',
        '      ConcurrencyMode: STRICT_FAILURE_TOLERANCE',
      );
    }
    lines.push(
      '    deployment_targets:',
      '      organizational_units: [Workloads]',
      '      include_nested_ous: true',
      '    regions:',
      ...REGIONS.map((r) => `      - ${r}`),
    );
  }
  files['manifest.yaml'] = `${lines.join('\n')}\n`;
  return files;
}

// ---- the world ----------------------------------------------------------------------------
interface Bench {
  readonly world: PipelineWorld;
  readonly cfn: FakeCloudFormation;
  readonly leaves: string[];
  readonly api: ApiTimer;
}

/** Measures the modelled duration of API calls: overlapping calls share time (see the header). */
class ApiTimer {
  private cursor = 0;
  private callMs = 0;

  constructor(fake: FakeAws) {
    const original = fake.handle.bind(fake);
    fake.handle = async (...args: Parameters<FakeAws['handle']>) => {
      const start = this.cursor;
      try {
        return await original(...args);
      } finally {
        this.cursor = Math.max(this.cursor, start + this.callMs);
      }
    };
  }

  /** Runs `fn`, returning its result and the modelled milliseconds of its calls. */
  async time<T>(callMs: number, fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
    this.cursor = 0;
    this.callMs = callMs;
    const value = await fn();
    return { value, ms: this.cursor };
  }
}

function newBench(accounts: number, factor: number): Bench {
  const world = new PipelineWorld({ accounts: 0 });
  // A CloudFormation fake whose operations take time on the clock (replaces the world's untimed one).
  const cfn = new FakeCloudFormation(world.fake, {
    readTemplateUrl: (url) => world.s3.readUrl(url),
    timing: {
      operationStartMs: ms(LATENCY.operationStartMs, factor),
      instanceDeploymentMs: ms(LATENCY.instanceDeploymentMs, factor),
    },
  });
  const leaves: string[] = [];
  const workloads = world.ous.get('Workloads')!;
  for (let t = 0; t < TEAMS; t++) {
    const team = world.organizations.addOu(workloads, `Team${t}`);
    for (let e = 0; e < ENVIRONMENTS; e++) leaves.push(world.organizations.addOu(team, `Env${e}`));
  }
  for (let i = 0; i < accounts; i++) {
    const id = String(200000000000 + i);
    world.organizations.addAccount({
      id,
      name: `Workload ${i}`,
      email: `workload-${i}@example.com`,
      parentId: leaves[i % leaves.length],
    });
    world.accounts.push(id);
  }
  return { world, cfn, leaves, api: new ApiTimer(world.fake) };
}

// ---- simulated time over the local execution ----------------------------------------------
// aws-local-stepfunctions moves between states with promises only (no timers for zero waits and retry intervals).
const macrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Discrete-event scheduler: tasks sleep until a time on the fake clock; the clock moves to the
 * earliest due task once nothing runs (no handler body, no activity for three event-loop rounds).
 */
class Scheduler {
  private readonly timers: { at: number; resolve: () => void }[] = [];
  private activity = 0;
  private busy = 0;
  private looping = false;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly clock: FakeClock) {}

  /** Runs `fn` alone (handler bodies one at a time, so their API calls are theirs alone). */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.queue;
    let release!: () => void;
    this.queue = new Promise((resolve) => (release = resolve));
    await previous;
    this.busy++;
    this.activity++;
    try {
      return await fn();
    } finally {
      this.busy--;
      this.activity++;
      release();
    }
  }

  sleepUntil(at: number): Promise<void> {
    this.activity++;
    return new Promise((resolve) => {
      this.timers.push({ at, resolve });
      if (!this.looping) void this.loop();
    });
  }

  private async loop(): Promise<void> {
    this.looping = true;
    while (this.timers.length > 0) {
      let quiet = 0;
      while (quiet < 3) {
        const seen = this.activity;
        await macrotask();
        quiet = seen === this.activity && this.busy === 0 ? quiet + 1 : 0;
      }
      this.timers.sort((a, b) => a.at - b.at);
      const at = this.timers[0].at;
      if (this.clock.now() < at) this.clock.advance(at - this.clock.now());
      const due = this.timers.filter((t) => t.at <= at);
      this.timers.splice(0, due.length);
      for (const t of due) t.resolve();
    }
    this.looping = false;
  }
}

interface TimedReport extends ExecutionReport {
  readonly lambdaInvocations: number;
  readonly lambdaSeconds: number;
  readonly wallMs: number;
}

/** The machine with each Wait state replaced by a task that sleeps its Seconds on the clock. */
function timedMachine(machine: SynthesizedMachine): { machine: SynthesizedMachine; waits: Record<string, number> } {
  const definition = JSON.parse(JSON.stringify(machine.definition));
  const waits: Record<string, number> = {};
  const taskKinds: Record<string, any> = { ...machine.taskKinds };
  const walk = (states: Record<string, any>) => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Wait') {
        if (typeof state.Seconds !== 'number') throw new Error(`Wait state ${name} has no fixed Seconds`);
        waits[name] = state.Seconds;
        const { Seconds: _s, Type: _t, ...rest } = state;
        states[name] = {
          ...rest,
          Type: 'Task',
          Resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:SimulatedWait`,
        };
        taskKinds[name] = `wait:${name}`;
      }
      const inner = state.ItemProcessor?.States ?? state.Iterator?.States;
      if (inner) walk(inner);
      for (const branch of state.Branches ?? []) walk(branch.States);
    }
  };
  walk(definition.States);
  return { machine: { ...machine, definition, taskKinds, waitStates: [] }, waits };
}

async function executeTimed(
  bench: Bench,
  machine: SynthesizedMachine,
  input: unknown,
  factor: number,
): Promise<TimedReport> {
  const { world, api } = bench;
  const clock = world.fake.clock;
  const scheduler = new Scheduler(clock);
  const timed = timedMachine(machine);
  const real = realHandlers(world.deps) as Record<string, (event: any) => Promise<unknown>>;
  const warm = new Set<string>();
  let lambdaMs = 0;
  const handlers: Record<string, (event: any) => Promise<unknown>> = {};
  for (const [kind, handler] of Object.entries(real)) {
    handlers[kind] = async (event) => {
      const startedAt = clock.now();
      const { value, error, apiMs } = await scheduler.exclusive(async () => {
        try {
          const r = await api.time(ms(LATENCY.apiCallMs, factor), () => handler(event));
          return { value: r.value, error: undefined, apiMs: r.ms };
        } catch (e) {
          return { value: undefined, error: e, apiMs: 0 };
        }
      });
      const overhead = ms(warm.has(kind) ? LATENCY.lambdaWarmMs : LATENCY.lambdaColdMs, factor);
      warm.add(kind);
      lambdaMs += overhead + apiMs;
      await scheduler.sleepUntil(startedAt + overhead + apiMs + ms(LATENCY.transitionMs, factor));
      if (error) throw error;
      return value;
    };
  }
  for (const [state, seconds] of Object.entries(timed.waits)) {
    handlers[`wait:${state}`] = async (event) => {
      await scheduler.sleepUntil(clock.now() + seconds * 1000 + ms(LATENCY.transitionMs, factor));
      return event;
    };
  }
  const started = clock.now();
  const report = await execute(timed.machine, input, handlers as any);
  const lambdaInvocations = Object.entries(report.invocations)
    .filter(([k]) => !k.startsWith('wait:'))
    .reduce((a, [, n]) => a + n, 0);
  return { ...report, lambdaInvocations, lambdaSeconds: lambdaMs / 1000, wallMs: clock.now() - started };
}

// ---- one pipeline run ---------------------------------------------------------------------
interface RunFigures {
  readonly size: Size;
  readonly accounts: number;
  readonly scenario: Scenario;
  readonly mode: Mode | 'lower bound';
  readonly wallMs: number;
  readonly buildMs: number;
  readonly callsByService: Record<string, number>;
  readonly apiCalls: number;
  readonly paginationCalls: number;
  readonly operations: number;
  readonly operationPairs: number;
  /** Operations that touched an account other than the new one (the scoped run). */
  readonly otherAccountPairs: number;
  readonly lambdaInvocations: number;
  readonly transitions: number;
  readonly costUsd: number;
  readonly status: string;
  readonly notes: string[];
}

const synthesized = {
  ours: synthesize({ stackSets: { maxConcurrency: OUR_MAP_CONCURRENCY } }),
  upstream: synthesize({
    stackSets: { maxConcurrency: 1, pollInterval: Duration.millis(LATENCY.upstreamPollMs.value) },
  }),
};

function operationsSince(
  cfn: FakeCloudFormation,
  since: number,
): { pairs: { account: string; stackSet: string }[]; count: number } {
  const pairs: { account: string; stackSet: string }[] = [];
  let count = 0;
  for (const set of cfn.stackSets.values()) {
    for (const op of (set as any).operations.values() as Iterable<{ created: Date; pairs: { account: string }[] }>) {
      if (op.created.getTime() < since) continue;
      count++;
      for (const p of op.pairs) pairs.push({ account: p.account, stackSet: set.name });
    }
  }
  return { pairs, count };
}

async function pipelineRun(
  bench: Bench,
  size: Size,
  mode: Mode,
  scenario: Scenario,
  files: Record<string, string>,
  options: RunOptions,
  factor: number,
): Promise<RunFigures> {
  const { world, cfn, api } = bench;
  const clock = world.fake.clock;
  const upstream = mode === 'upstream';
  const notes: string[] = [];
  if (upstream && scenario !== 'first rollout') {
    // Upstream updates every policy on every run: drift each one so the plan updates it.
    for (const policy of world.organizations.allPolicies()) {
      if (!policy.name.startsWith('scp-')) continue;
      const content = JSON.parse(policy.content);
      content.Statement[0].Sid = `Run${clock.now()}`;
      const asManagement = { accountId: ACCOUNT, region: REGION };
      await world.organizations.operations.UpdatePolicy(
        { PolicyId: policy.id, Content: JSON.stringify(content) },
        asManagement,
      );
    }
  }
  const callsFrom = world.fake.calls.length;
  const startedAt = clock.now();
  const sleepsFrom = clock.sleeps.length;
  const runId = `${mode}-${scenario.replace(/ /g, '-')}-${clock.now()}`;

  // Build stage (CodeBuild): start, (upstream: install), plan against the live state, write the run files.
  const built = await api.time(ms(LATENCY.apiCallMs, factor), () => world.build(files, runId, options));
  const codeBuildStart = ms(LATENCY.codeBuildStartMs, factor) + (upstream ? ms(LATENCY.upstreamInstallMs, factor) : 0);
  const buildMs = codeBuildStart + built.ms;
  clock.advance(buildMs + ms(LATENCY.pipelineTransitionMs, factor));
  let codeBuildMs = buildMs;
  const stageMarks: { stage: string; calls: number; at: number }[] = [
    { stage: 'build', calls: world.fake.calls.length, at: clock.now() },
  ];

  const machines = upstream ? synthesized.upstream : synthesized.ours;
  const stage = async (machine: SynthesizedMachine, input: unknown, extraMs: number) => {
    const before = clock.now();
    const report = await executeTimed(bench, machine, input, factor);
    clock.advance(extraMs);
    if (upstream) {
      // Upstream: a CodeBuild stage per deploy stage polls the state machine every 15 s.
      const poll = LATENCY.upstreamPollMs.value;
      const elapsed = clock.now() - before;
      clock.advance(Math.ceil(elapsed / poll) * poll - elapsed + codeBuildStart);
      codeBuildMs += clock.now() - before;
    }
    clock.advance(ms(LATENCY.pipelineTransitionMs, factor));
    return report;
  };
  const policyPlanned = world.organizations.allPolicies().filter((p) => p.name.startsWith('scp-')).length || POLICIES;
  const policyStartsMs = upstream ? policyPlanned * LATENCY.upstreamPolicyStartMs.value : 0;
  const policies = await stage(machines.policyMachine, built.value.policyStateMachineInput, policyStartsMs);
  if (upstream) {
    notes.push(
      `upstream policy stage: ${policyPlanned} policy executions started ${LATENCY.upstreamPolicyStartMs.value / 1000} s apart (added time)`,
    );
  }
  stageMarks.push({ stage: 'policies', calls: world.fake.calls.length, at: clock.now() });
  const stackSets =
    policies.status === 'SUCCEEDED'
      ? await stage(machines.stackSetMachine, built.value.stackSetStateMachineInput, 0)
      : undefined;
  const wallMs = clock.now() - startedAt;
  stageMarks.push({ stage: 'stack sets', calls: world.fake.calls.length, at: clock.now() });
  if (process.argv.includes('--calls')) {
    // Where the calls and the time go, stage by stage (build, policy machine, stack set machine).
    let from = callsFrom;
    let since = startedAt;
    for (const mark of stageMarks) {
      const byOperation: Record<string, number> = {};
      for (const call of world.fake.calls.slice(from, mark.calls)) {
        byOperation[`${call.service}:${call.operation}`] = (byOperation[`${call.service}:${call.operation}`] ?? 0) + 1;
      }
      const list = Object.entries(byOperation)
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${k} ${n}`)
        .join(', ');
      process.stderr.write(
        `    ${size} ${mode} ${scenario} ${mark.stage}: ${fmtDuration(mark.at - since)}, ${mark.calls - from} calls: ${list}\n`,
      );
      from = mark.calls;
      since = mark.at;
    }
    for (const [name, report] of [
      ['policies', policies],
      ['stack sets', stackSets],
    ] as const) {
      if (report) {
        process.stderr.write(
          `    ${name} invocations: ${Object.entries(report.invocations)
            .map(([k, n]) => `${k} ${n}`)
            .join(', ')}\n`,
        );
      }
    }
  }

  const calls = world.fake.calls.slice(callsFrom);
  const callsByService: Record<string, number> = {};
  let paginationCalls = 0;
  for (const call of calls) {
    callsByService[call.service] = (callsByService[call.service] ?? 0) + 1;
    if ((call.input as { NextToken?: string } | undefined)?.NextToken) paginationCalls++;
  }
  const ops = operationsSince(cfn, startedAt);
  const otherAccountPairs = options.accounts
    ? ops.pairs.filter((p) => !options.accounts!.includes(p.account)).length
    : 0;
  const transitions = policies.transitions + (stackSets?.transitions ?? 0);
  const lambdaInvocations = policies.lambdaInvocations + (stackSets?.lambdaInvocations ?? 0);
  const lambdaSeconds = policies.lambdaSeconds + (stackSets?.lambdaSeconds ?? 0);
  const costUsd =
    transitions * PRICES.stepFunctionsPerTransition.value +
    lambdaSeconds * PRICES.lambdaMemoryGb.value * PRICES.lambdaPerGbSecond.value +
    lambdaInvocations * PRICES.lambdaPerRequest.value +
    Math.ceil(codeBuildMs / 60_000) * PRICES.codeBuildPerMinute.value;
  if (clock.sleeps.length > sleepsFrom) {
    notes.push(`handlers slept ${clock.sleeps.length - sleepsFrom} times on the shared clock`);
  }
  const status = `${policies.status}/${stackSets?.status ?? 'not run'}${stackSets?.status === 'FAILED' ? `: ${stackSets.error} ${stackSets.cause?.slice(0, 300)}` : ''}${policies.status === 'FAILED' ? `: ${policies.error} ${policies.cause?.slice(0, 300)}` : ''}`;
  return {
    size,
    accounts: SIZES[size],
    scenario,
    mode,
    wallMs,
    buildMs,
    callsByService,
    apiCalls: calls.length,
    paginationCalls,
    operations: ops.count,
    operationPairs: ops.pairs.length,
    otherAccountPairs,
    lambdaInvocations,
    transitions,
    costUsd,
    status,
    notes,
  };
}

/** The lower bound of a scenario: critical path x (operation start + one instance deployment) + its reads. */
function lowerBound(size: Size, scenario: Scenario, factor: number): RunFigures {
  const api = ms(LATENCY.apiCallMs, factor);
  const operation = ms(LATENCY.operationStartMs, factor) + ms(LATENCY.instanceDeploymentMs, factor);
  const resources = POLICIES + STACK_SETS;
  const depth = {
    'first rollout': LAYERS.length,
    'no change': 0,
    'one new account': LAYERS.length,
    'one template changed': 1,
    'one stack set removed': 1,
  }[scenario];
  // A rollout: per level one start and one completion read; no change: each resource read once.
  const wallMs = depth * (operation + 2 * api) + (scenario === 'no change' ? resources * api : 0);
  return {
    size,
    accounts: SIZES[size],
    scenario,
    mode: 'lower bound',
    wallMs,
    buildMs: 0,
    callsByService: {},
    apiCalls: 0,
    paginationCalls: 0,
    operations: 0,
    operationPairs: 0,
    otherAccountPairs: 0,
    lambdaInvocations: 0,
    transitions: 0,
    costUsd: 0,
    status: '',
    notes: [],
  };
}

async function runMode(
  size: Size,
  mode: Mode,
  factor: number,
  scenarios: readonly Scenario[] = SCENARIOS,
): Promise<RunFigures[]> {
  const bench = newBench(SIZES[size], factor);
  const results: RunFigures[] = [];
  for (const scenario of scenarios) {
    const started = Date.now();
    let files = packageFiles(mode);
    let options: RunOptions = {};
    if (scenario === 'one new account') {
      bench.world.organizations.addAccount({
        id: NEW_ACCOUNT,
        name: 'New account',
        email: 'new@example.com',
        parentId: bench.leaves[0],
      });
      options = { accounts: [NEW_ACCOUNT] };
    }
    if (scenario === 'one template changed') files = packageFiles(mode, { changed: true });
    if (scenario === 'one stack set removed') files = packageFiles(mode, { changed: true, removed: true });
    const figures = await pipelineRun(bench, size, mode, scenario, files, options, factor);
    results.push(figures);
    process.stderr.write(
      `  ${size} ${mode.padEnd(12)} ${scenario.padEnd(22)} ${fmtDuration(figures.wallMs).padStart(9)} modelled, ${((Date.now() - started) / 1000).toFixed(1)} s real, ${figures.status}\n`,
    );
  }
  return results;
}

// ---- output -------------------------------------------------------------------------------
function fmtDuration(msValue: number): string {
  const s = msValue / 1000;
  if (s < 120) return `${s.toFixed(1)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(2)} h`;
}

const SERVICES = ['organizations', 'cloudformation', 'ssm', 's3', 'sts', 'ec2'];

function tableRows(all: RunFigures[]): string[][] {
  const rows: string[][] = [];
  for (const size of Object.keys(SIZES) as Size[]) {
    for (const scenario of SCENARIOS) {
      const group = all.filter((r) => r.size === size && r.scenario === scenario);
      if (group.length === 0) continue;
      const bound = group.find((r) => r.mode === 'lower bound')!;
      const ours = group.find((r) => r.mode === 'dependencies');
      const up = group.find((r) => r.mode === 'upstream');
      for (const r of group) {
        const lb = r.mode === 'lower bound';
        rows.push([
          `${size} (${r.accounts.toLocaleString('en-US')})`,
          scenario,
          r.mode,
          fmtDuration(r.wallMs),
          lb || bound.wallMs === 0 ? '' : `${(r.wallMs / bound.wallMs).toFixed(2)}×`,
          r.mode === 'upstream' && ours
            ? `${(r.wallMs / ours.wallMs).toFixed(1)}×`
            : r.mode === 'dependencies' && up
              ? '1×'
              : '',
          lb ? '' : SERVICES.map((s) => String(r.callsByService[s] ?? 0)).join(' / '),
          lb ? '' : `${r.apiCalls} (${r.paginationCalls} pages)`,
          lb ? '' : `${r.operations} (${r.operationPairs} inst.)`,
          lb ? '' : String(r.lambdaInvocations),
          lb ? '' : String(r.transitions),
          lb ? '' : `$${r.costUsd.toFixed(3)}`,
        ]);
      }
    }
  }
  return rows;
}

const HEADER = [
  'Size (accounts)',
  'Scenario',
  'Mode',
  'Modelled wall',
  '÷ lower bound',
  'upstream ÷ ours',
  'API calls org / cfn / ssm / s3 / sts / ec2',
  'API calls (pagination)',
  'Stack set ops (instances)',
  'Lambda',
  'Transitions',
  'Cost of a run',
];

function textTable(rows: string[][]): string {
  const widths = HEADER.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join(' | ');
  return [line(HEADER), widths.map((w) => '-'.repeat(w)).join('-+-'), ...rows.map(line)].join('\n');
}

function markdownTable(rows: string[][]): string {
  return [
    `| ${HEADER.join(' | ')} |`,
    `|${HEADER.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

/** A grouped bar chart of the first rollout's wall time per size and mode (log scale). */
function chart(all: RunFigures[]): string {
  const first = all.filter((r) => r.scenario === 'first rollout');
  const sizes = [...new Set(first.map((r) => r.size))];
  const modes = ['lower bound', 'dependencies', 'sequential', 'upstream'] as const;
  const colours: Record<string, string> = {
    'lower bound': '#999999',
    dependencies: '#1b7837',
    sequential: '#5aae61',
    upstream: '#c2185b',
  };
  const maxMs = Math.max(...first.map((r) => r.wallMs));
  const minS = 60;
  const maxS = Math.pow(10, Math.ceil(Math.log10(maxMs / 1000)));
  const width = 760;
  const left = 150;
  const plot = width - left - 30;
  const x = (msValue: number) =>
    left + (plot * Math.log10(Math.max(msValue / 1000, minS) / minS)) / Math.log10(maxS / minS);
  const bar = 16;
  const groupHeight = modes.length * (bar + 4) + 20;
  const height = 60 + sizes.length * groupHeight + 40;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14">First rollout: modelled wall time (log scale), ${STACK_SETS} stack sets x ${REGIONS.length} regions, ${POLICIES} SCPs</text>`,
  ];
  for (let t = minS; t <= maxS; t *= 10) {
    parts.push(
      `<line x1="${x(t * 1000)}" y1="35" x2="${x(t * 1000)}" y2="${height - 30}" stroke="#ddd"/>`,
      `<text x="${x(t * 1000)}" y="${height - 15}" text-anchor="middle">${fmtDuration(t * 1000)}</text>`,
    );
  }
  sizes.forEach((size, g) => {
    const top = 45 + g * groupHeight;
    parts.push(
      `<text x="10" y="${top + groupHeight / 2 - 6}" font-weight="bold">${size}: ${SIZES[size].toLocaleString('en-US')} accounts</text>`,
    );
    modes.forEach((mode, i) => {
      const r = first.find((f) => f.size === size && f.mode === mode);
      if (!r) return;
      const y = top + i * (bar + 4);
      parts.push(
        `<rect x="${left}" y="${y}" width="${Math.max(1, x(r.wallMs) - left)}" height="${bar}" fill="${colours[mode]}"/>`,
        `<text x="${Math.min(x(r.wallMs) + 4, width - 120)}" y="${y + 12}">${mode}: ${fmtDuration(r.wallMs)}</text>`,
      );
    });
  });
  parts.push('</svg>');
  return parts.join('\n');
}

interface Goal {
  readonly size: Size;
  readonly goal: string;
  readonly met: boolean;
  readonly figure: string;
}

function goals(all: RunFigures[]): Goal[] {
  const out: Goal[] = [];
  const find = (size: Size, scenario: Scenario, mode: RunFigures['mode']) =>
    all.find((r) => r.size === size && r.scenario === scenario && r.mode === mode);
  for (const size of [...new Set(all.map((r) => r.size))]) {
    const noChange = find(size, 'no change', 'dependencies');
    if (noChange) {
      const perResource = (noChange.apiCalls - noChange.paginationCalls) / (POLICIES + STACK_SETS);
      out.push({
        size,
        goal: 'no change: 0 stack set operations',
        met: noChange.operations === 0,
        figure: `${noChange.operations} operations`,
      });
      out.push({
        size,
        goal: 'no change: ≤ 3 API calls per resource, plus pagination',
        met: perResource <= 3,
        figure: `${perResource.toFixed(1)} calls per resource besides ${noChange.paginationCalls} pagination calls (${noChange.apiCalls} calls, ${POLICIES + STACK_SETS} resources)`,
      });
    }
    const added = find(size, 'one new account', 'dependencies');
    if (added) {
      out.push({
        size,
        goal: 'new account: only the stack sets that target it, only for it',
        met:
          added.otherAccountPairs === 0 &&
          added.operations <= STACK_SETS &&
          added.operationPairs === added.operations * REGIONS.length,
        figure: `${added.operations} operations, ${added.operationPairs} instances, ${added.otherAccountPairs} for other accounts`,
      });
    }
    const first = find(size, 'first rollout', 'dependencies');
    const bound = find(size, 'first rollout', 'lower bound');
    const up = find(size, 'first rollout', 'upstream');
    if (first && bound) {
      out.push({
        size,
        goal: 'first rollout within 1.2× of the lower bound',
        met: first.wallMs <= 1.2 * bound.wallMs,
        figure: `${(first.wallMs / bound.wallMs).toFixed(2)}× (${fmtDuration(first.wallMs)} vs ${fmtDuration(bound.wallMs)})`,
      });
    }
    if (first && up) {
      out.push({
        size,
        goal: 'first rollout ≥ 10× faster than upstream-equivalent',
        met: up.wallMs >= 10 * first.wallMs,
        figure: `${(up.wallMs / first.wallMs).toFixed(1)}×`,
      });
    }
  }
  return out;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const sizes = args.filter((a) => a in SIZES) as Size[];
  const chosen: Size[] = sizes.length > 0 ? sizes : ['S', 'M', 'L'];
  const listArg = (name: string) =>
    args
      .find((a) => a.startsWith(`--${name}=`))
      ?.split('=')[1]
      .split(',');
  const modes = (listArg('modes') ?? MODES) as Mode[];
  const scenarios = (listArg('scenarios')?.map((s) => s.replace(/-/g, ' ')) ?? SCENARIOS) as Scenario[];
  const withSensitivity = !args.includes('--no-sensitivity');
  const all: RunFigures[] = [];
  const sensitivity: string[] = [];
  const realStarted = Date.now();
  for (const size of chosen) {
    for (const scenario of SCENARIOS) all.push(lowerBound(size, scenario, 1));
    for (const mode of modes) all.push(...(await runMode(size, mode, 1, scenarios)));
    // ×0.5 / ×2 on every estimate: the headline ratios of the first rollout, re-simulated.
    for (const factor of withSensitivity ? [0.5, 2] : []) {
      const ours = (await runMode(size, 'dependencies', factor, ['first rollout']))[0];
      const up = (await runMode(size, 'upstream', factor, ['first rollout']))[0];
      const bound = lowerBound(size, 'first rollout', factor);
      sensitivity.push(
        `${size}: estimates ×${factor}: first rollout ours ${fmtDuration(ours.wallMs)} = ${(ours.wallMs / bound.wallMs).toFixed(2)}× the lower bound (${fmtDuration(bound.wallMs)}); upstream-equivalent ${fmtDuration(up.wallMs)} = ${(up.wallMs / ours.wallMs).toFixed(1)}× ours`,
      );
    }
  }
  const rows = tableRows(all);
  const goalLines = goals(all).map((g) => `${g.met ? 'met   ' : 'MISSED'} ${g.size}: ${g.goal}: ${g.figure}`);
  const notes = [...new Set(all.flatMap((r) => r.notes))];
  const failures = all
    .filter((r) => r.status && r.status !== 'SUCCEEDED/SUCCEEDED')
    .map((r) => `${r.size} ${r.mode} ${r.scenario}: ${r.status}`);
  const shape = `${Object.entries(SIZES)
    .filter(([s]) => chosen.includes(s as Size))
    .map(([s, n]) => `${s}: ${n} accounts`)
    .join(
      ', ',
    )} in ${TEAMS}×${ENVIRONMENTS} nested OUs under Workloads; ${POLICIES} SCPs; ${STACK_SETS} stack sets × ${REGIONS.length} regions, dependency layers ${LAYERS.join('/')} (depth ${LAYERS.length}); our Map concurrency ${OUR_MAP_CONCURRENCY}, poll ${OUR_POLL_SECONDS} s; upstream-equivalent: sequential, STRICT 10%, policies updated every run, ${LATENCY.upstreamPollMs.value / 1000} s polls, a CodeBuild start (+ install) per stage`;
  const text = [
    shape,
    '',
    textTable(rows),
    '',
    'Goals:',
    ...goalLines,
    '',
    'Sensitivity (every estimate halved / doubled, first rollout re-simulated):',
    ...sensitivity,
    ...(failures.length ? ['', 'Runs that did not succeed:', ...failures] : []),
    ...(notes.length ? ['', 'Notes:', ...notes] : []),
    '',
    ...describeModel(),
    '',
    `Real time of the benchmark: ${((Date.now() - realStarted) / 1000).toFixed(0)} s`,
  ].join('\n');
  console.log(text);
  const out = join(__dirname, 'out');
  mkdirSync(out, { recursive: true });
  const md = [
    '# Scale benchmark',
    '',
    shape,
    '',
    markdownTable(rows),
    '',
    '## Goals',
    '',
    ...goalLines.map((g) => `- ${g}`),
    '',
    '## Sensitivity',
    '',
    ...sensitivity.map((s) => `- ${s}`),
    '',
    ...(failures.length ? ['## Runs that did not succeed', '', ...failures.map((f) => `- ${f}`), ''] : []),
    '## Latency model',
    '',
    '```',
    ...describeModel(),
    '```',
    '',
    '![first rollout](scale.svg)',
    '',
  ].join('\n');
  const suffix = args.find((a) => a.startsWith('--out='))?.split('=')[1] ?? 'scale';
  writeFileSync(join(out, `${suffix}.md`), md.replace('(scale.svg)', `(${suffix}.svg)`));
  writeFileSync(join(out, `${suffix}.svg`), chart(all));
  writeFileSync(
    join(out, `${suffix}.json`),
    JSON.stringify({ shape, results: all, sensitivity, goals: goals(all) }, null, 2),
  );
  console.log(`\nWritten: benchmarks/out/${suffix}.md, ${suffix}.svg, ${suffix}.json`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
