/**
 * What the stack set engine needs from AWS: management-account clients in the home region and
 * clients in member accounts reached through the execution role, plus a clock for short retries.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { AwsClients } from '../../aws/clients';

/** AWS clients for stack set work. */
export interface StackSetClients extends Pick<AwsClients, 'cloudFormation' | 'ssm' | 's3' | 'ec2InAccount'> {
  /** CloudFormation in a member account (to read a stack instance's outputs), via STS AssumeRole of `roleName`. */
  cloudFormationInAccount(accountId: string, region: string, roleName: string): Promise<CloudFormationClient>;
}

/** Time for short retries; tests pass a clock whose sleeps return at once. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

const THROTTLING = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded', 'SlowDown']);

/** True for the throttling errors of CloudFormation, SSM, S3, EC2 and STS. */
export function isThrottling(error: unknown): boolean {
  return error instanceof Error && THROTTLING.has(error.name);
}

/**
 * Runs `call`, retrying throttling errors with exponential backoff (200 ms doubling, at most
 * `attempts` tries) through `clock`. Other errors are thrown at once.
 */
export async function retryThrottled<T>(call: () => Promise<T>, clock: Clock, attempts = 8): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isThrottling(error) || attempt >= attempts) throw error;
      await clock.sleep(200 * 2 ** (attempt - 1));
    }
  }
}
