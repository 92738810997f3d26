/**
 * What the stack set engine needs from AWS: management-account clients in the home region and
 * clients in member accounts reached through the execution role; throttling retried through the
 * engine's injectable clock.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { AwsClients } from '../../aws/clients';
import { Clock, errorName, withRetry } from '../retry';

/** AWS clients for stack set work. */
export interface StackSetClients extends Pick<AwsClients, 'cloudFormation' | 'ssm' | 's3' | 'ec2InAccount'> {
  /** CloudFormation in a member account (to read a stack instance's outputs), via STS AssumeRole of `roleName`. */
  cloudFormationInAccount(accountId: string, region: string, roleName: string): Promise<CloudFormationClient>;
}

const THROTTLING = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded', 'SlowDown']);

/** True for the throttling errors of CloudFormation, SSM, S3, EC2 and STS. */
export function isThrottling(error: unknown): boolean {
  return THROTTLING.has(errorName(error) ?? '');
}

/** Runs `call`, retrying throttling errors with backoff through `clock`; other errors are thrown at once. */
export function retryThrottled<T>(call: () => Promise<T>, clock: Clock): Promise<T> {
  return withRetry(call, { clock, retryable: isThrottling, maxAttempts: 10 });
}
