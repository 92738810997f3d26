/**
 * Applies one stack set step at a time, through an executor made per run
 * (`createStackSetExecutor`, as the policy engine's `createPolicyExecutor`). Its `start` starts
 * (or resumes) the step's operation and returns at once; its `check` reports how it went.
 * Nothing here waits for an operation: the caller (a Step Functions Wait loop, or the CLI) polls.
 *
 * Failure containment: every AWS answer a step meets, synchronous or not, becomes a result
 * (`failed` / `FAILED` with the error name), never an exception, so one bad stack set fails
 * only itself. Only throttling that the internal retries could not absorb is thrown (its name
 * kept), so the caller's own retry (Step Functions Retry) handles it.
 *
 * Operation ids are derived from the run id, the step and a generation: a start retried after a
 * crash meets OperationIdAlreadyExistsException and resumes the operation it had started while
 * that operation runs or succeeded cleanly; when it ended FAILED or STOPPED (or with failed or
 * cancelled instances), the next generation's id starts a new operation, since StackSets retries
 * OUTDATED instances only under a new operation id.
 */
import {
  CloudFormationClient,
  CreateStackInstancesCommand,
  CreateStackSetCommand,
  DeleteStackInstancesCommand,
  DeleteStackSetCommand,
  DescribeStackSetCommand,
  DescribeStackSetOperationCommand,
  paginateListStackSetOperationResults,
  paginateListStackSetOperations,
  NameAlreadyExistsException,
  OperationIdAlreadyExistsException,
  OperationInProgressException,
  Parameter,
  StackSetNotEmptyException,
  StackSetNotFoundException,
  UpdateStackInstancesCommand,
  UpdateStackSetCommand,
} from '@aws-sdk/client-cloudformation';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import type { ParameterEntry } from '../../manifest/model';
import { describeError, errorName, isThrottling, retrying, retryThrottled, type Clock } from '../retry';
import type { StackSetClients } from './clients';
import { writeStackSetRecord } from './fingerprint';
import { isKnownAfterApply } from './known-after-apply';
import { packageLiteral, type ResolvedParameter } from './parameters';
import { CREATED_TAG_KEY, INSTALLATION_TAG_KEY, StackSetSettings } from './settings';
import { isOperationStep, StackSetDefinition, StackSetStep } from './steps';
import { canonicalJson, sha256 } from '../canonical';
import { listFirst } from '../plural';

/** How long the caller waits between checks and between starts of a busy stack set, by default. */
export const DEFAULT_POLL_INTERVAL_MS = 10_000;

/** New operation ids tried for one step in one run before the start gives up. */
const MAX_GENERATIONS = 50;

/**
 * What an executor needs. `prepareStackSet` and `exportOutputs` run with the same options (their
 * calls at a stack set's turn share one object with the executor's).
 */
export interface StackSetExecutorOptions {
  readonly clients: StackSetClients;
  readonly settings: StackSetSettings;
  readonly homeRegion: string;
  /** Identifies this apply (e.g. the pipeline execution); part of every operation id. */
  readonly runId: string;
  readonly clock: Clock;
  /**
   * How long the caller waits between two starts of a busy stack set (the busy wait is counted
   * from it). @default DEFAULT_POLL_INTERVAL_MS
   */
  readonly pollIntervalMs?: number;
  /** How long a busy stack set is waited for before the step fails. @default settings.busyTimeoutMinutes */
  readonly busyTimeoutMs?: number;
  /**
   * A resource's parameter entries as written in the package: NoEcho values are read from here
   * (steps reference them, so no plan holds them).
   * @default - a step that references a package value fails
   */
  readonly packageParameters?: (resource: string) => readonly ParameterEntry[] | undefined;
}

/** One stack instance of an operation that did not succeed: FAILED, or CANCELLED (not attempted). */
export interface InstanceFailure {
  readonly account: string;
  readonly region: string;
  readonly status: 'FAILED' | 'CANCELLED';
  readonly reason: string;
}

/** Outcome of `StackSetExecutor.start`. */
export type StartResult =
  /** A synchronous step finished. */
  | { readonly status: 'done' }
  /** An operation runs; poll it with `StackSetExecutor.check`. */
  | { readonly status: 'started'; readonly operationId: string }
  /** Another operation runs on the stack set; wait a poll interval, then call `start` again with `attempt + 1`. */
  | { readonly status: 'blocked'; readonly attempt: number; readonly message: string }
  /** The step failed: any AWS error it met (its name), or a step that cannot be sent as it is. */
  | { readonly status: 'failed'; readonly errorName: string; readonly message: string };

/** Outcome of `StackSetExecutor.check`. */
export type CheckResult =
  | { readonly status: 'RUNNING' }
  | { readonly status: 'SUCCEEDED' }
  | { readonly status: 'FAILED'; readonly message: string; readonly failures: readonly InstanceFailure[] };

/** How `StackSetExecutor.check` judges an operation. */
export interface CheckOptions {
  /**
   * Whether an operation that SUCCEEDED with failed instances (within the failure tolerance) is
   * FAILED. @default true
   */
  readonly failOnFailedInstances?: boolean;
}

/**
 * Applies stack set steps against CloudFormation. Made per run: its options carry the run id every
 * operation id derives from; it holds no other state, so each Lambda task of a run makes its own.
 */
export interface StackSetExecutor {
  /**
   * Starts a step. OperationInProgressException gives `blocked` while the busy wait, counted as
   * `(attempt - 1)` poll intervals, is under the busy timeout (default 60 minutes), then `failed`
   * naming the blocking operation. Every other AWS error is `failed` with its name; throttling the
   * retries could not absorb is thrown.
   */
  start(step: StackSetStep, attempt?: number): Promise<StartResult>;
  /**
   * Checks a started step's operation; on failure lists the failed and cancelled instances. An
   * AWS error (e.g. OperationNotFoundException) is a FAILED result naming it; throttling the
   * retries could not absorb is thrown.
   */
  check(step: StackSetStep, operationId: string, options?: CheckOptions): Promise<CheckResult>;
}

/** Creates an executor. */
export function createStackSetExecutor(options: StackSetExecutorOptions): StackSetExecutor {
  return {
    start: (step, attempt = 1) => start(step, options, attempt),
    check: (step, operationId, checkOptions = {}) =>
      check(step, operationId, options, checkOptions.failOnFailedInstances ?? true),
  };
}

/** The operation id of a step in a run: `cfct-` and 40 hex digits; generation 0 is the first attempt. */
export function operationIdFor(step: StackSetStep, runId: string, generation = 0): string {
  const seed = `${runId}\n${canonicalJson(step)}${generation > 0 ? `\n${generation}` : ''}`;
  return `cfct-${sha256(seed).slice(0, 40)}`;
}

/** `StackSetExecutor.start`. */
async function start(step: StackSetStep, context: StackSetExecutorOptions, attempt: number): Promise<StartResult> {
  const cfn = context.clients.cloudFormation(context.homeRegion);
  try {
    switch (step.kind) {
      case 'stackset.create': {
        const created = await createStackSet(cfn, step, context);
        if (created.status === 'done') await record(step.stackSetName, step.definition, context);
        return created;
      }
      case 'stackset.adopt':
        await record(step.stackSetName, undefined, context);
        return { status: 'done' };
      case 'stackset.delete':
        await retryThrottled(
          () => cfn.send(new DeleteStackSetCommand({ StackSetName: step.stackSetName })),
          context.clock,
        );
        return { status: 'done' };
      default:
        return await startOperation(cfn, step, context);
    }
  } catch (error) {
    if (isThrottling(error)) throw error;
    if (error instanceof StackSetNotFoundException && step.kind === 'stackset.delete') return { status: 'done' };
    if (error instanceof OperationInProgressException) return busy(cfn, step, context, attempt);
    if (error instanceof StackSetNotEmptyException) {
      return failed(
        error,
        `stack set ${step.stackSetName} still has stack instances, so it cannot be deleted: ${error.message}`,
      );
    }
    if (error instanceof ParameterResolutionError) return failed(error, error.message);
    return failed(error, `${step.summary}: ${describeError(error).name}: ${describeError(error).message}`);
  }
}

/** Starts the operation of an operation step, resuming or replacing an operation of the same id. */
async function startOperation(
  cfn: CloudFormationClient,
  step: StackSetStep,
  context: StackSetExecutorOptions,
): Promise<StartResult> {
  if (!isOperationStep(step)) throw new Error(`${step.kind} is not an operation step`);
  for (let generation = 0; generation < MAX_GENERATIONS; generation++) {
    const operationId = operationIdFor(step, context.runId, generation);
    try {
      await sendOperation(cfn, step, operationId, context);
      // The stack set holds the new definition once UpdateStackSet is accepted.
      if (step.kind === 'stackset.update') await record(step.stackSetName, step.definition, context);
      return { status: 'started', operationId };
    } catch (error) {
      if (!(error instanceof OperationIdAlreadyExistsException)) throw error;
      if (await resumable(cfn, step.stackSetName, operationId, context)) {
        if (step.kind === 'stackset.update') await record(step.stackSetName, step.definition, context);
        return { status: 'started', operationId };
      }
    }
  }
  return {
    status: 'failed',
    errorName: 'OperationIdAlreadyExistsException',
    message: `${step.summary}: ${MAX_GENERATIONS} operations of this step already ended unsuccessfully in run ${context.runId}; start a new run`,
  };
}

/** Whether an operation of ours with this id is worth following: running, or succeeded with every instance. */
async function resumable(
  cfn: CloudFormationClient,
  stackSetName: string,
  operationId: string,
  context: StackSetExecutorOptions,
): Promise<boolean> {
  const described = await retryThrottled(
    () => cfn.send(new DescribeStackSetOperationCommand({ StackSetName: stackSetName, OperationId: operationId })),
    context.clock,
  );
  const status = described.StackSetOperation?.Status ?? 'RUNNING';
  if (status === 'RUNNING' || status === 'QUEUED' || status === 'STOPPING') return true;
  if (status !== 'SUCCEEDED') return false;
  return (await unsuccessfulInstances(cfn, stackSetName, operationId, context, false)).length === 0;
}

async function sendOperation(
  cfn: CloudFormationClient,
  step: StackSetStep,
  operationId: string,
  context: StackSetExecutorOptions,
): Promise<void> {
  if (step.kind === 'stackset.update') {
    const input = {
      StackSetName: step.stackSetName,
      ...definitionInput(step.definition, context),
      Parameters: await parametersFor(step.resource, step.definition.parameters, context),
      ...(step.targets ? { Accounts: step.targets.accounts, Regions: step.targets.regions } : {}),
      OperationPreferences: step.preferences,
      OperationId: operationId,
    };
    await retryThrottled(() => cfn.send(new UpdateStackSetCommand(input)), context.clock);
    return;
  }
  if (
    step.kind !== 'stackset.create-instances' &&
    step.kind !== 'stackset.update-instances' &&
    step.kind !== 'stackset.delete-instances'
  ) {
    return;
  }
  const input = {
    StackSetName: step.stackSetName,
    Accounts: step.targets.accounts,
    Regions: step.targets.regions,
    OperationPreferences: step.preferences,
    OperationId: operationId,
  };
  if (step.kind === 'stackset.create-instances') {
    await retryThrottled(() => cfn.send(new CreateStackInstancesCommand(input)), context.clock);
  } else if (step.kind === 'stackset.update-instances') {
    await retryThrottled(() => cfn.send(new UpdateStackInstancesCommand(input)), context.clock);
  } else {
    await retryThrottled(
      () => cfn.send(new DeleteStackInstancesCommand({ ...input, RetainStacks: step.retainStacks ?? false })),
      context.clock,
    );
  }
}

/** The stack set is busy with another operation: `blocked` while the busy wait is under the timeout. */
async function busy(
  cfn: CloudFormationClient,
  step: StackSetStep,
  context: StackSetExecutorOptions,
  attempt: number,
): Promise<StartResult> {
  const blocking = await runningOperation(cfn, step.stackSetName, context).catch((error) => {
    if (isThrottling(error)) throw error;
    return undefined;
  });
  const message = `stack set ${step.stackSetName} is busy with operation ${blocking ?? '(unknown)'}`;
  const interval = context.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const timeout = context.busyTimeoutMs ?? (context.settings.busyTimeoutMinutes ?? 60) * 60_000;
  const waited = Math.max(0, attempt - 1) * interval;
  if (waited >= timeout) {
    const minutes = Math.round(waited / 60_000);
    return {
      status: 'failed',
      errorName: 'OperationInProgressException',
      message: `${message}; gave up after waiting ${minutes} minute(s) (${attempt} attempts). Wait for that operation to finish (or stop it), then run again`,
    };
  }
  return { status: 'blocked', attempt, message };
}

function failed(error: unknown, message: string): StartResult {
  return { status: 'failed', errorName: errorName(error) ?? 'Error', message };
}

/** `StackSetExecutor.check`. */
async function check(
  step: StackSetStep,
  operationId: string,
  context: StackSetExecutorOptions,
  failOnFailedInstances: boolean,
): Promise<CheckResult> {
  const cfn = context.clients.cloudFormation(context.homeRegion);
  try {
    const described = await retryThrottled(
      () =>
        cfn.send(new DescribeStackSetOperationCommand({ StackSetName: step.stackSetName, OperationId: operationId })),
      context.clock,
    );
    const status = described.StackSetOperation?.Status ?? 'RUNNING';
    if (status === 'RUNNING' || status === 'QUEUED' || status === 'STOPPING') return { status: 'RUNNING' };
    const failures = await unsuccessfulInstances(cfn, step.stackSetName, operationId, context, status !== 'SUCCEEDED');
    if (status === 'SUCCEEDED' && (failures.length === 0 || !failOnFailedInstances)) return { status: 'SUCCEEDED' };
    const what =
      status === 'SUCCEEDED' ? 'succeeded with failed instances' : status === 'STOPPED' ? 'was stopped' : 'failed';
    const failedCount = failures.filter((f) => f.status === 'FAILED').length;
    const cancelledCount = failures.length - failedCount;
    const counts = [
      ...(failedCount > 0 ? [`${failedCount} instance(s) failed`] : []),
      ...(cancelledCount > 0 ? [`${cancelledCount} cancelled`] : []),
    ].join(', ');
    const list = listFirst(
      failures.map((f) => `${f.account}/${f.region} ${f.status}: ${f.reason}`),
      5,
      '; ',
    );
    const instances = counts ? `: ${counts} (${list})` : '';
    const statusReason = described.StackSetOperation?.StatusReason;
    const reason = statusReason ? `; ${statusReason}` : '';
    return {
      status: 'FAILED',
      message: `operation ${operationId} (${step.kind}) on ${step.stackSetName} ${what}${instances}${reason}`,
      failures,
    };
  } catch (error) {
    if (isThrottling(error)) throw error;
    const { name, message: reason } = describeError(error);
    return {
      status: 'FAILED',
      message: `checking operation ${operationId} (${step.kind}) on ${step.stackSetName}: ${name}: ${reason}`,
      failures: [],
    };
  }
}

/** A parameter reference that cannot be turned into a value (re-plan, or a missing SSM parameter). */
class ParameterResolutionError extends Error {
  override readonly name = 'ParameterResolutionError';
}

/**
 * Records in the management account that this installation owns the stack set, with the keyed
 * fingerprint of the NoEcho values it now holds (`definition` absent: adoption, which keeps the
 * recorded fingerprint unknown).
 */
async function record(
  stackSetName: string,
  definition: StackSetDefinition | undefined,
  context: StackSetExecutorOptions,
): Promise<void> {
  await writeStackSetRecord(
    context.clients,
    context.homeRegion,
    stackSetName,
    {
      owner: context.settings.installationId,
      ...(definition?.noEchoFingerprint ? { noEcho: definition.noEchoFingerprint } : {}),
    },
    context.clock,
  );
}

async function createStackSet(
  cfn: CloudFormationClient,
  step: { stackSetName: string; resource: string; definition: StackSetDefinition },
  context: StackSetExecutorOptions,
): Promise<StartResult> {
  const { stackSetName: name, definition } = step;
  const input = {
    StackSetName: name,
    ...definitionInput(definition, context),
    Parameters: await parametersFor(step.resource, definition.parameters, context),
    PermissionModel: 'SELF_MANAGED' as const,
  };
  try {
    await retryThrottled(() => cfn.send(new CreateStackSetCommand(input)), context.clock);
    return { status: 'done' };
  } catch (error) {
    if (!(error instanceof NameAlreadyExistsException)) throw error;
    // A create retried after it succeeded: fine when the stack set is ours.
    const existing = await retryThrottled(
      () => cfn.send(new DescribeStackSetCommand({ StackSetName: name })),
      context.clock,
    );
    const owner = existing.StackSet?.Tags?.find((t) => t.Key === INSTALLATION_TAG_KEY)?.Value;
    if (owner === context.settings.installationId) return { status: 'done' };
    return {
      status: 'failed',
      errorName: 'NameAlreadyExistsException',
      message: `stack set ${name} already exists and is not owned by installation '${context.settings.installationId}'`,
    };
  }
}

function definitionInput(definition: StackSetDefinition, context: StackSetExecutorOptions) {
  const { template } = definition;
  if (template.body === undefined && template.url === undefined) {
    throw new ParameterResolutionError(
      `the template (${template.bytes} bytes) is over the inline limit and was not staged in S3; re-plan the stack set with a staging bucket configured`,
    );
  }
  const tags = {
    ...definition.tags,
    [CREATED_TAG_KEY]: definition.createdTag ?? new Date(context.clock.now()).toISOString(),
  };
  if (Object.values(tags).some(isKnownAfterApply)) {
    throw new ParameterResolutionError(
      'the step holds values known only after apply; re-plan the stack set before applying it',
    );
  }
  return {
    ...(definition.description !== undefined ? { Description: definition.description } : {}),
    ...(template.body !== undefined ? { TemplateBody: template.body } : { TemplateURL: template.url }),
    Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    Capabilities: [...definition.capabilities] as any[],
    AdministrationRoleARN: definition.administrationRoleArn,
    ExecutionRoleName: definition.executionRoleName,
  };
}

/** Parameter values for the API; SecureString and package references are resolved here, at the last moment. */
async function parametersFor(
  resource: string,
  parameters: readonly ResolvedParameter[],
  context: StackSetExecutorOptions,
): Promise<Parameter[]> {
  const ssm = context.clients.ssm(context.homeRegion);
  const result: Parameter[] = [];
  for (const parameter of parameters) {
    const values: string[] = [];
    for (const part of parameter.parts) {
      if ('literal' in part) {
        values.push(part.literal);
      } else if ('packageToken' in part) {
        const entry = context.packageParameters?.(resource)?.find((e) => e.key === parameter.key);
        const text = entry ? packageLiteral(entry, part.packageToken) : undefined;
        if (text === undefined) {
          throw new ParameterResolutionError(
            `parameter ${parameter.key}: its NoEcho value is not in the package this apply runs with; re-plan the stack set`,
          );
        }
        values.push(text);
      } else if ('secureSsm' in part) {
        try {
          const read = await retryThrottled(
            () => ssm.send(new GetParameterCommand({ Name: part.secureSsm, WithDecryption: true })),
            context.clock,
          );
          values.push(read.Parameter?.Value ?? '');
        } catch (error) {
          throw new ParameterResolutionError(
            `parameter ${parameter.key}: cannot read SSM parameter ${part.secureSsm}: ${(error as Error).name}`,
          );
        }
      } else {
        throw new ParameterResolutionError(
          `parameter ${parameter.key} is known only after apply (${part.afterApply}); re-plan the stack set before applying it`,
        );
      }
    }
    result.push({ ParameterKey: parameter.key, ParameterValue: values.join(',') });
  }
  return result;
}

/** The operation's FAILED instances, and its CANCELLED ones when `withCancelled` (they occur only once it failed or stopped). */
async function unsuccessfulInstances(
  cfn: CloudFormationClient,
  stackSetName: string,
  operationId: string,
  context: StackSetExecutorOptions,
  withCancelled: boolean,
): Promise<InstanceFailure[]> {
  const failures: InstanceFailure[] = [];
  for (const wanted of withCancelled ? (['FAILED', 'CANCELLED'] as const) : (['FAILED'] as const)) {
    const pages = paginateListStackSetOperationResults(
      { client: retrying(cfn, context.clock), pageSize: 100 },
      {
        StackSetName: stackSetName,
        OperationId: operationId,
        Filters: [{ Name: 'OPERATION_RESULT_STATUS', Values: wanted }],
      },
    );
    for await (const page of pages) {
      for (const s of page.Summaries ?? []) {
        if (s.Status !== wanted) continue;
        failures.push({
          account: s.Account ?? '?',
          region: s.Region ?? '?',
          status: wanted,
          reason: s.StatusReason ?? 'no reason given',
        });
      }
    }
  }
  return failures;
}

async function runningOperation(
  cfn: CloudFormationClient,
  stackSetName: string,
  context: StackSetExecutorOptions,
): Promise<string | undefined> {
  // Every page: the API reference documents no order, so the running one may be on any of them.
  for await (const page of paginateListStackSetOperations(
    { client: retrying(cfn, context.clock), pageSize: 100 },
    { StackSetName: stackSetName },
  )) {
    const running = page.Summaries?.find(
      (s) => s.Status === 'RUNNING' || s.Status === 'QUEUED' || s.Status === 'STOPPING',
    );
    if (running) return running.OperationId;
  }
  return undefined;
}
