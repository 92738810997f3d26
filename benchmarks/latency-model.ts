/**
 * The latency model of the scale benchmark (benchmarks/scale.ts): every constant that turns
 * counted work into modelled time or money, in one place. `documented` figures come from
 * upstream CfCT's code or the AWS documentation; `estimate` figures are guesses the benchmark
 * reports with their ×0.5 / ×2 sensitivity. See /docs latency-model (shared) for the sources.
 * Change a value here and run `npx projen bench` again.
 */

export type Basis = 'documented' | 'estimate' | 'list price';

export interface ModelConstant {
  readonly value: number;
  readonly unit: string;
  readonly basis: Basis;
  readonly what: string;
}

function c(value: number, unit: string, basis: Basis, what: string): ModelConstant {
  return { value, unit, basis, what };
}

/** Time constants. */
export const LATENCY = {
  apiCallMs: c(150, 'ms', 'estimate', 'one AWS API call (Organizations, CloudFormation, SSM, S3, STS)'),
  lambdaWarmMs: c(50, 'ms', 'estimate', 'Lambda invocation overhead, warm'),
  lambdaColdMs: c(600, 'ms', 'estimate', 'Lambda invocation overhead, cold (first call of each function in a run)'),
  transitionMs: c(25, 'ms', 'estimate', 'one Step Functions state transition'),
  instanceDeploymentMs: c(60_000, 'ms', 'estimate', 'one stack instance deployment (small baseline template)'),
  operationStartMs: c(20_000, 'ms', 'estimate', 'stack set operation start overhead'),
  codeBuildStartMs: c(75_000, 'ms', 'estimate', 'CodeBuild stage start (provisioning, source download; 60-90 s)'),
  upstreamInstallMs: c(60_000, 'ms', 'estimate', 'upstream CodeBuild install phase (pip, gem, yq)'),
  pipelineTransitionMs: c(5_000, 'ms', 'estimate', 'CodePipeline stage transition'),
  upstreamPollMs: c(
    15_000,
    'ms',
    'documented',
    'upstream: poll of a running state machine by its CodeBuild stage; our poll interval in that mode',
  ),
  upstreamPolicyStartMs: c(
    15_000,
    'ms',
    'documented',
    'upstream: delay between starting parallel policy executions, per policy',
  ),
  upstreamOperationCheckMs: c(10_000, 'ms', 'documented', 'upstream: wait between stack set operation checks'),
} as const;

/** List prices (us-east-1, on-demand) for the cost of one run. */
export const PRICES = {
  stepFunctionsPerTransition: c(
    0.000025,
    'USD',
    'list price',
    'Step Functions Standard, per state transition ($0.025 per 1,000)',
  ),
  lambdaPerGbSecond: c(0.0000166667, 'USD', 'list price', 'Lambda x86, per GB-second'),
  lambdaPerRequest: c(0.0000002, 'USD', 'list price', 'Lambda, per request ($0.20 per 1M)'),
  codeBuildPerMinute: c(0.005, 'USD', 'list price', 'CodeBuild general1.small Linux, per build minute'),
  lambdaMemoryGb: c(
    1,
    'GB',
    'estimate',
    'memory of the deploy functions (the constructs use 512-1,769 MB; 1 GB average)',
  ),
} as const;

/** The Step Functions poll interval of our state machines in the benchmark (the construct's default). */
export const OUR_POLL_SECONDS = 30;

/** Milliseconds of a time constant, scaled when it is an estimate under sensitivity analysis. */
export function ms(constant: ModelConstant, estimateFactor = 1): number {
  return constant.basis === 'estimate' ? constant.value * estimateFactor : constant.value;
}

/** The model as printable lines. */
export function describeModel(): string[] {
  const line = (name: string, k: ModelConstant) =>
    `  ${name.padEnd(28)} ${String(k.value).padStart(10)} ${k.unit.padEnd(4)} ${k.basis.padEnd(10)} ${k.what}`;
  return [
    'Latency model (benchmarks/latency-model.ts):',
    ...Object.entries(LATENCY).map(([n, k]) => line(n, k)),
    ...Object.entries(PRICES).map(([n, k]) => line(n, k)),
  ];
}
