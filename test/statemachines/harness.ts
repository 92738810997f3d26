/**
 * Runs the state machines CDK synthesizes, locally: the ASL is taken from the template,
 * executed with aws-local-stepfunctions, every Lambda task routed (by state name) to the real
 * handler of its function, running against the stateful AWS fake. Wait states and retry
 * intervals are shortened through the library's options; the fake's operations advance per check.
 */
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  PolicyStateMachine,
  PolicyStateMachineProps,
  StackSetStateMachine,
  StackSetStateMachineProps,
} from '../../src';
import { createPlanCheckHandler } from '../../src/handlers/plan-check.lambda';
import { createPolicyStepsHandler } from '../../src/handlers/policy-steps.lambda';
import { createRunLockHandler } from '../../src/handlers/run-lock.lambda';
import { createStackSetRunOutputsHandler } from '../../src/handlers/stackset-run-outputs.lambda';
import { createStackSetRunPrepareHandler } from '../../src/handlers/stackset-run-prepare.lambda';
import { createStackSetRunStepHandler } from '../../src/handlers/stackset-run-step.lambda';
import { createStackSetWaveHandler } from '../../src/handlers/stackset-wave.lambda';
import type { TaskDeps } from '../../src/handlers/task';

// aws-local-stepfunctions wants Node.js 22 (Promise.withResolvers); the machine's Node.js is 20.
if (typeof (Promise as any).withResolvers !== 'function') {
  (Promise as any).withResolvers = function withResolvers<T>() {
    let resolve!: (value: T) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { StateMachine } = require('aws-local-stepfunctions') as typeof import('aws-local-stepfunctions', {
  with: { 'resolution-mode': 'import' },
});

export const ACCOUNT = '111111111111';
export const REGION = 'us-east-1';
export const RUN_BUCKET = 'cfct-artifacts';

/** The handler kinds, one per Lambda function of the constructs. */
export type HandlerKind = 'lock' | 'planCheck' | 'policySteps' | 'wave' | 'prepare' | 'step' | 'outputs';

/** A synthesized state machine: its definition and which handler each Task state runs. */
export interface SynthesizedMachine {
  readonly definition: any;
  readonly taskKinds: Readonly<Record<string, HandlerKind>>;
  readonly waitStates: readonly string[];
  readonly retryStates: readonly string[];
}

/** Replaces CloudFormation intrinsics in a definition string with fixed values. */
function resolveDefinition(value: unknown, lambdaArn: (logicalId: string) => string): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, any>;
  if (v['Fn::Join']) {
    return (v['Fn::Join'][1] as unknown[]).map((p) => resolveDefinition(p, lambdaArn)).join(v['Fn::Join'][0]);
  }
  if (v['Fn::GetAtt']) return lambdaArn(v['Fn::GetAtt'][0]);
  if (v.Ref === 'AWS::Partition') return 'aws';
  if (v.Ref === 'AWS::Region') return REGION;
  if (v.Ref === 'AWS::AccountId') return ACCOUNT;
  throw new Error(`unexpected intrinsic in a definition: ${JSON.stringify(value)}`);
}

function walkStates(states: Record<string, any>, visit: (name: string, state: any) => void): void {
  for (const [name, state] of Object.entries(states)) {
    visit(name, state);
    const inner = state.ItemProcessor?.States ?? state.Iterator?.States;
    if (inner) walkStates(inner, visit);
    for (const branch of state.Branches ?? []) walkStates(branch.States, visit);
  }
}

/** Synthesizes both constructs in one stack and returns their definitions and the stack. */
export function synthesize(
  options: { policy?: Partial<PolicyStateMachineProps>; stackSets?: Partial<StackSetStateMachineProps> } = {},
) {
  const app = new App();
  const stack = new Stack(app, 'Deploy', { env: { account: ACCOUNT, region: REGION } });
  const runBucket = s3.Bucket.fromBucketName(stack, 'RunBucket', RUN_BUCKET);
  const policies = new PolicyStateMachine(stack, 'Policies', { runBucket, ...options.policy });
  const stackSets = new StackSetStateMachine(stack, 'StackSets', { runBucket, ...options.stackSets });
  const kinds = new Map<string, HandlerKind>();
  const add = (fn: lambda.IFunction, kind: HandlerKind) =>
    kinds.set(stack.getLogicalId(fn.node.defaultChild as CfnElement), kind);
  add(policies.lockFunction, 'lock');
  add(policies.planCheckFunction, 'planCheck');
  add(policies.policyStepsFunction, 'policySteps');
  add(stackSets.lockFunction, 'lock');
  add(stackSets.planCheckFunction, 'planCheck');
  add(stackSets.waveFunction, 'wave');
  add(stackSets.prepareFunction, 'prepare');
  add(stackSets.stepFunction, 'step');
  add(stackSets.outputsFunction, 'outputs');
  const template = app.synth().getStackByName(stack.stackName).template;
  const machine = (construct: PolicyStateMachine | StackSetStateMachine): SynthesizedMachine => {
    const id = stack.getLogicalId(construct.stateMachine.node.defaultChild as CfnElement);
    const arnOf = (logicalId: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${logicalId}`;
    const definition = JSON.parse(resolveDefinition(template.Resources[id].Properties.DefinitionString, arnOf));
    const taskKinds: Record<string, HandlerKind> = {};
    const waitStates: string[] = [];
    const retryStates: string[] = [];
    walkStates(definition.States, (name, state) => {
      if (state.Type === 'Wait') waitStates.push(name);
      if (state.Retry) retryStates.push(name);
      if (state.Type !== 'Task') return;
      const logicalId = String(state.Resource).split(':function:')[1];
      const kind = kinds.get(logicalId);
      if (!kind) throw new Error(`task ${name} runs ${state.Resource}, which is no handler of the constructs`);
      taskKinds[name] = kind;
    });
    return { definition, taskKinds, waitStates, retryStates };
  };
  return {
    stack,
    template,
    policies,
    stackSets,
    policyMachine: machine(policies),
    stackSetMachine: machine(stackSets),
  };
}

/** The real handlers, built on the fake's dependencies. */
export function realHandlers(deps: TaskDeps): Record<HandlerKind, (event: any) => Promise<unknown>> {
  return {
    lock: createRunLockHandler(deps),
    planCheck: createPlanCheckHandler(deps),
    policySteps: createPolicyStepsHandler(deps),
    wave: createStackSetWaveHandler(deps),
    prepare: createStackSetRunPrepareHandler(deps),
    step: createStackSetRunStepHandler(deps),
    outputs: createStackSetRunOutputsHandler(deps),
  };
}

/** What one local execution did. */
export interface ExecutionReport {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output?: any;
  readonly error?: string;
  readonly cause?: string;
  /** States entered (Step Functions bills and counts state transitions). */
  readonly transitions: number;
  /** Lambda invocations by handler kind (retries included). */
  readonly invocations: Readonly<Record<string, number>>;
  /** Retries by state name. */
  readonly retries: Readonly<Record<string, number>>;
  /** The largest state input or output seen, in bytes of JSON (the 256 KB limit applies to these). */
  readonly largestPayloadBytes: number;
  readonly statesEntered: readonly string[];
}

/** Executes a synthesized state machine locally with the real handlers. */
export async function execute(
  machine: SynthesizedMachine,
  input: unknown,
  handlers: Record<HandlerKind, (event: any) => Promise<unknown>>,
  options: { executionName?: string; intercept?: (state: string, kind: HandlerKind, event: any) => void } = {},
): Promise<ExecutionReport> {
  const invocations: Record<string, number> = {};
  const taskResourceLocalHandlers: Record<string, (input: any) => Promise<any>> = {};
  for (const [state, kind] of Object.entries(machine.taskKinds)) {
    taskResourceLocalHandlers[state] = async (event) => {
      invocations[kind] = (invocations[kind] ?? 0) + 1;
      options.intercept?.(state, kind, event);
      // Through JSON, as between Lambda and Step Functions.
      return JSON.parse(JSON.stringify((await handlers[kind](JSON.parse(JSON.stringify(event)))) ?? null));
    };
  }
  const name = options.executionName ?? 'execution-1';
  const sm = new StateMachine(machine.definition, { validationOptions: { checkArn: false } });
  const run = sm.run(input as any, {
    overrides: {
      taskResourceLocalHandlers,
      waitTimeOverrides: Object.fromEntries(machine.waitStates.map((s) => [s, 0])),
      retryIntervalOverrides: Object.fromEntries(machine.retryStates.map((s) => [s, 0])),
    },
    context: { Execution: { Id: `arn:aws:states:${REGION}:${ACCOUNT}:execution:machine:${name}`, Name: name } },
  });
  let transitions = 0;
  let largest = 0;
  const retries: Record<string, number> = {};
  const statesEntered: string[] = [];
  let failure: { error?: string; cause?: string } | undefined;
  const size = (value: unknown) => Buffer.byteLength(JSON.stringify(value ?? null));
  const events = (async () => {
    for await (const event of run.eventLogs) {
      if (event.type === 'StateEntered') {
        transitions++;
        statesEntered.push(event.state.name);
        largest = Math.max(largest, size(event.state.input));
      } else if (event.type === 'StateExited') {
        largest = Math.max(largest, size(event.state.output));
      } else if (event.type === 'StateRetried') {
        retries[event.state.name] = (retries[event.state.name] ?? 0) + 1;
      } else if (event.type === 'ExecutionFailed') {
        failure = { error: event.Error, cause: String(event.Cause) };
      }
    }
  })();
  let output: unknown;
  let status: 'SUCCEEDED' | 'FAILED' = 'SUCCEEDED';
  try {
    output = await run.result;
  } catch (error) {
    status = 'FAILED';
    failure ??= { error: (error as Error).name, cause: (error as Error).message };
  }
  await events;
  return {
    status,
    output,
    ...(failure ?? {}),
    transitions,
    invocations,
    retries,
    largestPayloadBytes: largest,
    statesEntered,
  };
}
