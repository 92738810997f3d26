/**
 * What the stack set engine needs from AWS: management-account clients in the home region and
 * clients in member accounts reached through the execution role; throttling retried through the
 * engine's injectable clock.
 */
import type { AwsClients } from '../../aws/clients';
import { Clock, errorName, withRetry } from '../retry';

/** AWS clients for stack set work: management account (home region) and member accounts (outputs, helpers). */
export type StackSetClients = Pick<AwsClients, 'cloudFormation' | 'ssm' | 's3' | 'ec2InAccount' | 'cloudFormationInAccount'>;

const THROTTLING = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded', 'SlowDown']);

/** True for the throttling errors of CloudFormation, SSM, S3, EC2 and STS. */
export function isThrottling(error: unknown): boolean {
  return THROTTLING.has(errorName(error) ?? '');
}

/** Runs `call`, retrying throttling errors with backoff through `clock`; other errors are thrown at once. */
export function retryThrottled<T>(call: () => Promise<T>, clock: Clock): Promise<T> {
  return withRetry(call, { clock, retryable: isThrottling, maxAttempts: 10 });
}
