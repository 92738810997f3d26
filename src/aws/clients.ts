/**
 * The one place AWS SDK clients are created. The engine receives an `AwsClients` and never
 * creates clients itself, so tests hand it clients backed by a fake and the CLI and the Lambda
 * handlers hand it real ones.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { EC2Client } from '@aws-sdk/client-ec2';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { ControlTowerClient } from './controltower';
import { partitionOf } from './partitions';

/** The AWS clients the engine uses. Clients for the management account unless stated otherwise. */
export interface AwsClients {
  /** AWS Organizations (a global service). */
  organizations(): OrganizationsClient;
  /** CloudFormation (StackSets) in `region`. */
  cloudFormation(region: string): CloudFormationClient;
  /** Systems Manager Parameter Store in `region`. */
  ssm(region: string): SSMClient;
  /** S3, with `region` as the client region. */
  s3(region: string): S3Client;
  /** STS in `region`. */
  sts(region: string): STSClient;
  /** AWS Control Tower in `region` (its enabled baselines: which OUs it governs). */
  controlTower(region: string): ControlTowerClient;
  /** CodePipeline in `region` (the new-account trigger starts the pipeline). */
  codePipeline(region: string): CodePipelineClient;
  /**
   * EC2 in a member account: credentials come from STS AssumeRole of
   * `arn:<partition>:iam::<accountId>:role/<roleName>`, refreshed before they expire.
   */
  ec2InAccount(accountId: string, region: string, roleName: string): Promise<EC2Client>;
  /** CloudFormation in a member account (to read a stack instance's outputs), the same way. */
  cloudFormationInAccount(accountId: string, region: string, roleName: string): Promise<CloudFormationClient>;
}

/** Options of `createAwsClients`; each falls back to the SDK's standard resolution. */
export interface AwsClientsOptions {
  /**
   * Default region (also used for Organizations, whose endpoint the SDK resolves to the
   * partition's global endpoint).
   * @default - `AWS_REGION` or the profile's region, as the SDK resolves it
   */
  readonly region?: string;
  /**
   * Named profile of the shared config files.
   * @default - `AWS_PROFILE`, else the default credential chain
   */
  readonly profile?: string;
  /**
   * Endpoint for every client (an emulator).
   * @default - `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_<SERVICE>` as the SDK resolves them
   */
  readonly endpoint?: string;
  /**
   * Product token appended to the SDK user agent, e.g. `cdk-control-tower-customizations/1.2.3`.
   * @default 'cdk-control-tower-customizations'
   */
  readonly userAgent?: string;
  /**
   * Attempts per request by the SDK itself. The engine retries throttling through its own clock
   * (`src/engine/retry.ts`), the one retry layer the tests exercise, so the SDK makes one attempt.
   * @default 1
   */
  readonly maxAttempts?: number;
  /**
   * AWS partition, for role ARNs.
   * @default - the partition of the region the client is for (`aws-us-gov` for us-gov-west-1, ...)
   */
  readonly partition?: string;
  /**
   * Session name of assumed-role sessions.
   * @default 'cfct'
   */
  readonly roleSessionName?: string;
}

/** Configuration shared by every client `createAwsClients` makes. */
interface CommonConfig {
  region?: string;
  profile?: string;
  endpoint?: string;
  maxAttempts: number;
  retryMode: 'standard' | 'adaptive';
  customUserAgent: string;
}

/**
 * Real clients: standard credential chain (honours `AWS_PROFILE`, `AWS_REGION` and
 * `AWS_ENDPOINT_URL`), `standard` retry mode and a custom user agent. Clients are created on
 * first use and reused (one per service and region; one per member account, region and role).
 */
export function createAwsClients(options: AwsClientsOptions = {}): AwsClients {
  const common: CommonConfig = {
    maxAttempts: options.maxAttempts ?? 1,
    retryMode: 'standard',
    customUserAgent: options.userAgent ?? 'cdk-control-tower-customizations',
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  };
  const sessionName = options.roleSessionName ?? 'cfct';
  const cache = new Map<string, unknown>();
  const cached = <T>(key: string, make: () => T): T => {
    if (!cache.has(key)) cache.set(key, make());
    return cache.get(key) as T;
  };

  const clients: AwsClients = {
    // Organizations throttles at a few requests a second and a snapshot of a large organization
    // reads thousands of pages: adaptive mode paces the client (its rate limiter slows sending
    // after throttling); the retries themselves are the engine's.
    organizations: () => cached('organizations', () => new OrganizationsClient({ ...common, retryMode: 'adaptive' })),
    cloudFormation: (region) =>
      cached(`cloudformation:${region}`, () => new CloudFormationClient({ ...common, region })),
    ssm: (region) => cached(`ssm:${region}`, () => new SSMClient({ ...common, region })),
    s3: (region) => cached(`s3:${region}`, () => new S3Client({ ...common, region })),
    codePipeline: (region) => cached(`codepipeline:${region}`, () => new CodePipelineClient({ ...common, region })),
    // AssumeRole runs inside the SDK's credential provider, out of the engine's reach: there the
    // SDK retries (standard mode), the one layer of that path.
    sts: (region) =>
      cached(`sts:${region}`, () => new STSClient({ ...common, region, maxAttempts: options.maxAttempts ?? 3 })),
    controlTower: (region) =>
      cached(
        `controltower:${region}`,
        () =>
          new ControlTowerClient({
            region,
            userAgent: common.customUserAgent,
            ...(options.endpoint ? { endpoint: options.endpoint } : {}),
            ...(options.profile ? { profile: options.profile } : {}),
          }),
      ),
    ec2InAccount: (accountId, region, roleName) =>
      inAccount('ec2', accountId, region, roleName, (credentials) => new EC2Client({ ...common, region, credentials })),
    cloudFormationInAccount: (accountId, region, roleName) =>
      inAccount(
        'cloudformation',
        accountId,
        region,
        roleName,
        (credentials) => new CloudFormationClient({ ...common, region, credentials }),
      ),
  };

  /** A client in a member account, with assumed-role credentials; one per service, account, region and role. */
  async function inAccount<T>(
    service: string,
    accountId: string,
    region: string,
    roleName: string,
    make: (credentials: () => Promise<AssumedCredentials>) => T,
  ): Promise<T> {
    const key = `${service}:${accountId}:${region}:${roleName}`;
    const existing = cache.get(key) as T | undefined;
    if (existing) return existing;
    const roleArn = `arn:${options.partition ?? partitionOf(region)}:iam::${accountId}:role/${roleName}`;
    const credentials = assumeRoleCredentials(clients.sts(region), roleArn, sessionName);
    // Assume once now, so a missing role fails here rather than at the first call.
    await credentials();
    return cached(key, () => make(credentials));
  }
  return clients;
}

/** Temporary credentials of an assumed role, as the SDK's credential provider interface wants them. */
export interface AssumedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/**
 * A credential provider that calls STS AssumeRole. The SDK memoises provider results and calls
 * the provider again shortly before `expiration`.
 */
export function assumeRoleCredentials(
  sts: STSClient,
  roleArn: string,
  roleSessionName: string,
): () => Promise<AssumedCredentials> {
  return async () => {
    const response = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: roleSessionName }));
    const c = response.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) {
      throw new Error(`AssumeRole of ${roleArn} returned no credentials`);
    }
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
    };
  };
}

/**
 * Every client of `clients`, each request preceded by `before(operation)` (which may throw to
 * refuse it): for request counting, or for refusing calls once a lock is lost. A Proxy keeps each
 * client's class (SDK paginators check it); only the request methods are wrapped: `send` of the
 * SDK clients and the Control Tower client's `listEnabledBaselines`.
 */
export function interceptRequests(
  clients: AwsClients,
  before: (operation: string) => void | Promise<void>,
): AwsClients {
  const requests = new Set<PropertyKey>(['send', 'listEnabledBaselines']);
  const wrap = <C extends object>(client: C): C =>
    new Proxy(client, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (!requests.has(property) || typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          const command = args[0] as { constructor?: { name?: string } } | undefined;
          const operation =
            property === 'send'
              ? (command?.constructor?.name ?? 'Unknown').replace(/Command$/, '')
              : 'ListEnabledBaselines';
          await before(operation);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  return {
    organizations: () => wrap(clients.organizations()),
    cloudFormation: (region) => wrap(clients.cloudFormation(region)),
    ssm: (region) => wrap(clients.ssm(region)),
    s3: (region) => wrap(clients.s3(region)),
    sts: (region) => wrap(clients.sts(region)),
    controlTower: (region) => wrap(clients.controlTower(region)),
    codePipeline: (region) => wrap(clients.codePipeline(region)),
    ec2InAccount: async (...args) => wrap(await clients.ec2InAccount(...args)),
    cloudFormationInAccount: async (...args) => wrap(await clients.cloudFormationInAccount(...args)),
  };
}
