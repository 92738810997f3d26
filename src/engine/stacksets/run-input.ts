/**
 * The stack set run input: what the pipeline's plan stage stores in S3 for the stack set state
 * machine's tasks, which receive only a reference to it (Step Functions payloads are limited to
 * 256 KB; templates and account lists are not).
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { AccountState } from '../organization/snapshot';
import type { Clock } from '../retry';
import type { StackSetClients } from './clients';
import { retryThrottled } from '../retry';
import type { S3ObjectRef } from '../s3-object';
import type { DesiredStackSet } from './desired';
import type { StackSetSettings } from './settings';

/** Everything the stack set tasks of one run share. */
export interface StackSetRunInput {
  readonly homeRegion: string;
  readonly settings: StackSetSettings;
  /** One entry per stack set resource that could be planned. */
  readonly desired: readonly DesiredStackSet[];
  /** Account states at plan time, by account id (accounts absent here are gone from the organization). */
  readonly accountStates: Readonly<Record<string, AccountState>>;
}

export type { S3ObjectRef };

/** Reads a run input from S3. */
export async function readRunInput(
  clients: Pick<StackSetClients, 's3'>,
  ref: S3ObjectRef,
  region: string,
  clock: Clock,
): Promise<StackSetRunInput> {
  const object = await retryThrottled(
    () => clients.s3(region).send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key })),
    clock,
  );
  const text = await object.Body?.transformToString('utf8');
  if (!text) throw new Error(`the stack set run input s3://${ref.bucket}/${ref.key} is empty`);
  return JSON.parse(text) as StackSetRunInput;
}

/** The desired state of one resource from a run input; throws when the run input has none. */
export function desiredOf(input: StackSetRunInput, resource: string): DesiredStackSet {
  const found = input.desired.find((d) => d.resource.name === resource);
  if (!found) throw new Error(`the run input has no stack set resource named ${resource}`);
  return found;
}
