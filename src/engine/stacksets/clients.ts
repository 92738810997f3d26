/**
 * What the stack set engine needs from AWS: management-account clients in the home region and
 * clients in member accounts reached through the execution role. Throttling is retried by the
 * engine's one retry layer (`../retry`).
 */
import type { AwsClients } from '../../aws/clients';

/** AWS clients for stack set work: management account (home region) and member accounts (outputs, helpers). */
export type StackSetClients = Pick<
  AwsClients,
  'cloudFormation' | 'ssm' | 's3' | 'ec2InAccount' | 'cloudFormationInAccount'
>;
