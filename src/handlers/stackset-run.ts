/**
 * Shared by the stack set state machine's tasks: where a stack set's prepared steps are stored
 * (beside the run input), so steps and account lists never travel in the execution's payload.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { AwsClients } from '../aws/clients';
import { readRunObject } from '../engine/pipeline-run';
import type { Clock } from '../engine/retry';
import { retryThrottled } from '../engine/retry';
import type { S3ObjectRef, StackSetStep } from '../engine/stacksets';

/** The object holding a resource's prepared steps: `<run folder>/prepared/<resource>.json`. */
export function preparedStepsRef(runInput: S3ObjectRef, resource: string): S3ObjectRef {
  const folder = runInput.key.includes('/') ? runInput.key.slice(0, runInput.key.lastIndexOf('/') + 1) : '';
  return { bucket: runInput.bucket, key: `${folder}prepared/${encodeURIComponent(resource)}.json` };
}

/** Stores the prepared steps of a resource. */
export async function storePreparedSteps(
  clients: Pick<AwsClients, 's3'>,
  ref: S3ObjectRef,
  region: string,
  steps: readonly StackSetStep[],
  clock: Clock,
): Promise<void> {
  await retryThrottled(
    () =>
      clients.s3(region).send(
        new PutObjectCommand({
          Bucket: ref.bucket,
          Key: ref.key,
          Body: JSON.stringify(steps),
          ContentType: 'application/json',
        }),
      ),
    clock,
  );
}

/** Reads the prepared steps of a resource. */
export async function readPreparedSteps(
  clients: Pick<AwsClients, 's3'>,
  ref: S3ObjectRef,
  region: string,
  clock: Clock,
): Promise<StackSetStep[]> {
  return JSON.parse((await readRunObject(clients, ref, region, clock)).toString('utf8')) as StackSetStep[];
}

/** Cuts a message to `limit` characters. */
export function cut(message: string, limit = 1000): string {
  return message.length <= limit ? message : `${message.slice(0, limit - 3)}...`;
}
