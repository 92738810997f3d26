/**
 * The new-account trigger: Control Tower lifecycle events (CreateManagedAccount and
 * UpdateManagedAccount, state SUCCEEDED) arrive through EventBridge and an SQS FIFO queue; this
 * function starts the pipeline once per batch, scoped to the accounts the events name (the V2
 * pipeline variable `ACCOUNTS`), so a new account costs operations for that account only.
 *
 * A batch without such an event is acknowledged (nothing to start), not an error. A failed start
 * fails the whole batch, so SQS delivers it again (and dead-letters it after the queue's receive
 * limit).
 */
import { StartPipelineExecutionCommand } from '@aws-sdk/client-codepipeline';
import type { SQSEvent } from 'aws-lambda';
import { lambdaDeps, type TaskDeps } from './task';
import { retryThrottled } from '../engine/retry';

/** The pipeline variable that carries the accounts of a scoped run. */
export const ACCOUNTS_VARIABLE = 'ACCOUNTS';
/** A pipeline variable value holds at most 1,000 characters: 76 account ids with their commas. */
export const MAX_ACCOUNTS_PER_RUN = 76;

/** What the trigger depends on; tests pass a fake's client. */
export interface LifecycleTriggerDeps extends TaskDeps {
  readonly pipelineName: string;
  /** The pipeline's region (the function's own). */
  readonly region: string;
}

/** One lifecycle event the trigger acts on. */
export interface LifecycleAccount {
  readonly accountId: string;
  readonly eventName: string;
  readonly messageId: string;
}

/** The result: the executions started, and the messages that named no account to act on. */
export interface LifecycleTriggerResult {
  readonly accounts: readonly string[];
  readonly executionIds: readonly string[];
  readonly ignored: readonly { readonly messageId: string; readonly reason: string }[];
}

const STATUS_FIELDS: Record<string, string> = {
  CreateManagedAccount: 'createManagedAccountStatus',
  UpdateManagedAccount: 'updateManagedAccountStatus',
};

/** The account a Control Tower lifecycle event names, or why the event is not one the trigger acts on. */
export function accountOfEvent(body: unknown): { accountId: string; eventName: string } | { reason: string } {
  const event = body as
    { source?: unknown; detail?: { eventName?: unknown; serviceEventDetails?: Record<string, unknown> } } | undefined;
  if (event?.source !== 'aws.controltower') return { reason: 'not a Control Tower event' };
  const eventName = event.detail?.eventName;
  const field = typeof eventName === 'string' ? STATUS_FIELDS[eventName] : undefined;
  if (!field) return { reason: `event ${String(eventName)} is not a managed account lifecycle event` };
  const status = event.detail?.serviceEventDetails?.[field] as
    { state?: unknown; account?: { accountId?: unknown } } | undefined;
  if (status?.state !== 'SUCCEEDED') {
    return { reason: `${String(eventName)} state is ${String(status?.state)}, not SUCCEEDED` };
  }
  const accountId = status.account?.accountId;
  if (typeof accountId !== 'string' || !/^\d{12}$/.test(accountId)) {
    return { reason: `${String(eventName)} names no 12-digit account id` };
  }
  return { accountId, eventName: eventName as string };
}

/** Starts the pipeline for the lifecycle events of one SQS batch. */
export async function handleLifecycleBatch(
  event: SQSEvent,
  deps: LifecycleTriggerDeps,
): Promise<LifecycleTriggerResult> {
  const accounts: string[] = [];
  const ignored: { messageId: string; reason: string }[] = [];
  for (const record of event.Records ?? []) {
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch {
      ignored.push({ messageId: record.messageId, reason: 'the message body is not JSON' });
      continue;
    }
    const found = accountOfEvent(body);
    if ('reason' in found) {
      ignored.push({ messageId: record.messageId, reason: found.reason });
      continue;
    }
    if (!accounts.includes(found.accountId)) accounts.push(found.accountId);
  }
  for (const i of ignored) {
    deps.log({ level: 'info', task: 'lifecycle-trigger', messageId: i.messageId, message: `ignored: ${i.reason}` });
  }
  if (accounts.length === 0) {
    deps.log({ level: 'info', task: 'lifecycle-trigger', message: 'no account to act on; batch acknowledged' });
    return { accounts, executionIds: [], ignored };
  }

  const executionIds: string[] = [];
  for (let i = 0; i < accounts.length; i += MAX_ACCOUNTS_PER_RUN) {
    const chunk = accounts.slice(i, i + MAX_ACCOUNTS_PER_RUN);
    const answer = await retryThrottled(
      () =>
        deps
          .clients()
          .codePipeline(deps.region)
          .send(
            new StartPipelineExecutionCommand({
              name: deps.pipelineName,
              variables: [{ name: ACCOUNTS_VARIABLE, value: chunk.join(',') }],
            }),
          ),
      deps.clock,
    );
    executionIds.push(answer.pipelineExecutionId ?? '');
    deps.log({
      level: 'info',
      task: 'lifecycle-trigger',
      pipeline: deps.pipelineName,
      accounts: chunk,
      pipelineExecutionId: answer.pipelineExecutionId,
      message: 'pipeline started',
    });
  }
  return { accounts, executionIds, ignored };
}

/** The Lambda entry point: the pipeline name comes from `PIPELINE_NAME`. */
export async function handler(event: SQSEvent): Promise<LifecycleTriggerResult> {
  const pipelineName = process.env.PIPELINE_NAME;
  if (!pipelineName) throw new Error('PIPELINE_NAME is not set');
  const region = process.env.AWS_REGION;
  if (!region) throw new Error('AWS_REGION is not set');
  return handleLifecycleBatch(event, {
    ...lambdaDeps('cdk-control-tower-customizations/lifecycle-trigger'),
    pipelineName,
    region,
  });
}
