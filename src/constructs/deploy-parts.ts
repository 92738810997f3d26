/**
 * What the two deploy state machines share: KMS-encrypted log groups, the handlers' Lambda
 * functions (own role, own log group, X-Ray), Lambda tasks with Retry and Catch, the lock
 * tasks, and the IAM statements of the run files. Internal: not exported from the package.
 */
import { Aws, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct, IConstruct } from 'constructs';
import { logsKeyStatement } from './key-statements';
import { DeployStateMachineProps } from './state-machine-props';
import { stackSetStateCacheKey } from '../engine/stacksets/state-cache-key';
import { PlanCheckFunction } from '../handlers/plan-check-function';
import { RunLockFunction } from '../handlers/run-lock-function';

/** Lambda errors Step Functions reports for the Lambda service itself (not the handler). */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.Unknown',
];

/** Throttling error names a handler rethrows when its own retries could not absorb them. */
export const THROTTLING_ERRORS = [
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
];

/** Adds a cdk-nag suppression to a resource's metadata (cdk-nag reads `cdk_nag`; no import needed). */
export function suppress(
  construct: IConstruct,
  rules: { id: string; reason: string; appliesTo?: (string | { regex: string })[] }[],
): void {
  type WithMetadata = { getMetadata?: (k: string) => any; addMetadata?: (k: string, v: unknown) => void };
  const resource = (construct.node.defaultChild ?? construct) as unknown as WithMetadata;
  if (!resource.addMetadata || !resource.getMetadata) return;
  const existing = resource.getMetadata('cdk_nag')?.rules_to_suppress ?? [];
  resource.addMetadata('cdk_nag', {
    rules_to_suppress: [
      ...existing,
      ...rules.map((r) => ({ id: r.id, reason: r.reason, ...(r.appliesTo ? { applies_to: r.appliesTo } : {}) })),
    ],
  });
}

/** Resolved common props. */
export interface DeployParts {
  readonly scope: Construct;
  readonly key: kms.IKey;
  readonly retention: logs.RetentionDays;
  readonly taskTimeout: Duration;
  readonly installationId: string;
  readonly runBucket: s3.IBucket;
  readonly runPrefix: string;
  readonly lockTtl: Duration;
  readonly stackSetPrefix: string;
}

/** Validates and resolves the shared props. */
export function deployParts(
  scope: Construct,
  props: DeployStateMachineProps,
  defaultTimeout: Duration,
): DeployParts & { timeout: Duration } {
  const installationId = props.installationId ?? 'default';
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/.test(installationId)) {
    throw new Error(
      `installationId must be 1-63 letters, digits, '_' or '-', starting with a letter or digit, got '${installationId}'`,
    );
  }
  const runPrefix = (props.runPrefix ?? 'cfct/runs').replace(/^\/+|\/+$/g, '');
  if (runPrefix === '' || runPrefix.includes('*')) {
    throw new Error(`runPrefix must be a non-empty key prefix without '*', got '${props.runPrefix}'`);
  }
  const timeout = props.timeout ?? defaultTimeout;
  const key = props.encryptionKey ?? newLogsKey(scope);
  return {
    scope,
    key,
    retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    taskTimeout: props.taskTimeout ?? Duration.minutes(5),
    installationId,
    runBucket: props.runBucket,
    runPrefix,
    lockTtl: props.lockTtl ?? timeout,
    stackSetPrefix: props.stackSetPrefix ?? 'CustomControlTower-',
    timeout,
  };
}

function newLogsKey(scope: Construct): kms.IKey {
  const key = new kms.Key(scope, 'LogsKey', {
    description: 'Encrypts the logs of a Customizations for AWS Control Tower state machine and its tasks',
    enableKeyRotation: true,
  });
  key.addToResourcePolicy(logsKeyStatement(Stack.of(scope)));
  return key;
}

/** A KMS-encrypted log group. */
export function newLogGroup(parts: DeployParts, id: string): logs.LogGroup {
  return new logs.LogGroup(parts.scope, id, { encryptionKey: parts.key, retention: parts.retention });
}

type HandlerClass<F extends lambda.Function> = new (scope: Construct, id: string, props: lambda.FunctionOptions) => F;

/** A handler's Lambda function: its own role (no managed policy), its own encrypted log group, X-Ray. */
export function newHandler<F extends lambda.Function>(
  parts: DeployParts,
  id: string,
  kind: HandlerClass<F>,
  options: { description: string; memorySize?: number },
): F {
  const logGroup = newLogGroup(parts, `${id}Logs`);
  const role = new iam.Role(parts.scope, `${id}Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: options.description,
  });
  const fn = new kind(parts.scope, id, {
    description: options.description,
    role,
    logGroup,
    tracing: lambda.Tracing.ACTIVE,
    timeout: parts.taskTimeout,
    memorySize: options.memorySize ?? 512,
  });
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }),
  );
  suppress(role.node.findChild('DefaultPolicy'), [
    {
      id: 'AwsSolutions-IAM5',
      reason: 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions',
      appliesTo: ['Resource::*'],
    },
  ]);
  return fn;
}

/** Grants what every task needs on the run files: read `<runPrefix>/*`, decrypt with the bucket's key. */
export function grantReadRunFiles(parts: DeployParts, fn: lambda.IFunction): void {
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [parts.runBucket.arnForObjects(`${parts.runPrefix}/*`)],
    }),
  );
  const key = parts.runBucket.encryptionKey;
  if (key) fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [key.keyArn] }));
  suppressRunPrefix(fn);
}

/** Grants writing objects under `<runPrefix>/<pattern>`. */
export function grantWriteRunFiles(parts: DeployParts, fn: lambda.IFunction, pattern: string): void {
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['s3:PutObject'],
      resources: [parts.runBucket.arnForObjects(`${parts.runPrefix}/${pattern}`)],
    }),
  );
  const key = parts.runBucket.encryptionKey;
  if (key) fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [key.keyArn] }));
}

function suppressRunPrefix(fn: lambda.IFunction): void {
  const policy = fn.role?.node.tryFindChild('DefaultPolicy');
  if (!policy) return;
  suppress(policy, [
    {
      id: 'AwsSolutions-IAM5',
      reason:
        'Run files are per pipeline execution (<runPrefix>/<pipelineExecutionId>/...): the execution id is known only at run time',
      appliesTo: [{ regex: '/^Resource::.*\\/\\*$/' }],
    },
  ]);
}

/**
 * Reading and writing the stack set state cache object (`<runPrefix>/stack-set-states.json`) of
 * the run bucket, and telling a missing one (NoSuchKey) from one it may not read.
 */
export function grantStateCache(grantee: iam.IGrantable, bucket: s3.IBucket, runPrefix: string): void {
  const key = stackSetStateCacheKey(runPrefix);
  const add = (statement: iam.PolicyStatement) => grantee.grantPrincipal.addToPrincipalPolicy(statement);
  add(new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [bucket.arnForObjects(key)] }));
  // Without ListBucket a missing object reads as AccessDenied instead of NoSuchKey.
  add(
    new iam.PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
      conditions: { StringEquals: { 's3:prefix': key } },
    }),
  );
  const bucketKey = bucket.encryptionKey;
  if (bucketKey) {
    add(new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [bucketKey.keyArn] }));
  }
}

/** The key of the installation's lock object (contract B). */
export function lockKey(installationId: string): string {
  return `cfct/locks/${installationId}.json`;
}

/** The lock task's function, with access to the lock object only. */
export function newLockFunction(parts: DeployParts): RunLockFunction {
  const fn = newHandler(parts, 'LockTask', RunLockFunction, {
    description: 'Takes, renews and releases the installation lock',
    memorySize: 256,
  });
  const key = lockKey(parts.installationId);
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      resources: [parts.runBucket.arnForObjects(key)],
    }),
  );
  // Without ListBucket a missing object reads as AccessDenied instead of NoSuchKey.
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [parts.runBucket.bucketArn],
      conditions: { StringEquals: { 's3:prefix': key } },
    }),
  );
  const bucketKey = parts.runBucket.encryptionKey;
  if (bucketKey) {
    fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [bucketKey.keyArn] }),
    );
  }
  return fn;
}

/** A Lambda task: payload from the state, result (the handler's return value) at `resultPath`, Retry on Lambda and throttling errors with backoff and jitter. */
export function lambdaTask(
  scope: Construct,
  id: string,
  fn: lambda.IFunction,
  payload: Record<string, unknown>,
  resultPath: string,
  comment?: string,
): tasks.LambdaInvoke {
  const task = new tasks.LambdaInvoke(scope, id, {
    lambdaFunction: fn,
    payload: sfn.TaskInput.fromObject(payload),
    payloadResponseOnly: true,
    retryOnServiceExceptions: false,
    resultPath,
    ...(comment ? { comment } : {}),
  });
  const jitterStrategy = sfn.JitterType.FULL;
  const backoffRate = 2;
  task.addRetry({
    errors: LAMBDA_SERVICE_ERRORS,
    interval: Duration.seconds(2),
    backoffRate,
    maxAttempts: 6,
    maxDelay: Duration.seconds(60),
    jitterStrategy,
  });
  task.addRetry({
    errors: THROTTLING_ERRORS,
    interval: Duration.seconds(5),
    backoffRate,
    maxAttempts: 8,
    maxDelay: Duration.seconds(120),
    jitterStrategy,
  });
  return task;
}

/** The execution's log destination: level ALL, execution data left out (it names plans and accounts, never secrets, but stays small). */
export function stateMachineLogs(parts: DeployParts, logGroup: logs.ILogGroup | undefined): sfn.LogOptions {
  return {
    destination: logGroup ?? newLogGroup(parts, 'ExecutionLogs'),
    level: sfn.LogLevel.ALL,
    includeExecutionData: false,
  };
}

/** Suppressions for what CDK itself grants a state machine's role (log delivery, X-Ray, function versions). */
export function suppressStateMachineRole(stateMachine: sfn.StateMachine): void {
  const policy = stateMachine.role.node.tryFindChild('DefaultPolicy');
  if (!policy) return;
  suppress(policy, [
    {
      id: 'AwsSolutions-IAM5',
      reason:
        'CloudWatch Logs delivery and X-Ray actions support no resource-level permissions; lambda:InvokeFunction is granted on the task functions and their versions (<arn>:*)',
      appliesTo: ['Resource::*', { regex: '/^Resource::<.*Task[A-Za-z0-9]*\\.Arn>:\\*$/' }],
    },
  ]);
}

/** `arn:<partition>:cloudformation:<region>:<account>:stackset/<prefix>*` and its other stack set ARN forms. */
export function stackSetArns(prefix: string): string[] {
  const stack = `arn:${Aws.PARTITION}:cloudformation:${Aws.REGION}:${Aws.ACCOUNT_ID}`;
  return [
    `${stack}:stackset/${prefix}*`,
    `${stack}:stackset-target/${prefix}*`,
    `arn:${Aws.PARTITION}:cloudformation:${Aws.REGION}::type/resource/*`,
  ];
}

/** The stack that holds `scope`. */
export function stackOf(scope: Construct): Stack {
  return Stack.of(scope);
}

/** Organizations reads of a whole-organization plan (the List and Describe calls support no resource-level permissions). */
const ORGANIZATIONS_READS = [
  'organizations:DescribeOrganization',
  'organizations:ListRoots',
  'organizations:ListOrganizationalUnitsForParent',
  'organizations:ListAccountsForParent',
  'organizations:ListPolicies',
  'organizations:ListTargetsForPolicy',
  'organizations:ListTagsForResource',
  'organizations:DescribePolicy',
];

/**
 * The plan check's function, which both deploy state machines run after taking the lock (a
 * re-plan from the live organization), with its reads: the run files, Organizations, the
 * installation's stack sets, SSM parameters the manifest reads.
 */
export function newPlanCheckFunction(parts: DeployParts): PlanCheckFunction {
  const fn = newHandler(parts, 'PlanCheckTask', PlanCheckFunction, {
    description: 'Checks that the approved plan still holds',
    memorySize: 1769,
  });
  grantReadRunFiles(parts, fn);
  grantStateCache(fn, parts.runBucket, parts.runPrefix);
  const stackSetPrefix = parts.stackSetPrefix;
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ORGANIZATIONS_READS, resources: ['*'] }));
  const stack = `arn:${Aws.PARTITION}:cloudformation:${Aws.REGION}:${Aws.ACCOUNT_ID}`;
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: [
        'cloudformation:DescribeStackSet',
        'cloudformation:ListStackInstances',
        'cloudformation:ListStackSetOperations',
      ],
      resources: [`${stack}:stackset/${stackSetPrefix}*`, `${stack}:stackset/AWSControlTowerBP-BASELINE-CONFIG:*`],
    }),
  );
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['cloudformation:ListStackSets'], resources: ['*'] }));
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['ssm:GetParameters'],
      resources: [`arn:${Aws.PARTITION}:ssm:${Aws.REGION}:${Aws.ACCOUNT_ID}:parameter/*`],
    }),
  );
  suppress(fn.role!.node.findChild('DefaultPolicy'), [
    {
      id: 'AwsSolutions-IAM5',
      reason:
        'Organizations List/Describe and ListStackSets support no resource-level permissions; the stack sets are those of the installation prefix; the manifest names the SSM parameters it reads ($[alfred_ssm_...])',
      appliesTo: ['Resource::*', { regex: '/^Resource::arn:<AWS::Partition>:(cloudformation|ssm):.*\\*$/' }],
    },
  ]);
  return fn;
}

/** The states both deploy state machines open with: take the lock, check the approved plan. */
export interface LockedRunStates {
  /** Takes the lock; an error ends the execution (`LockFailed`). */
  readonly acquire: tasks.LambdaInvoke;
  /** Checks the approved plan against the package and the live organization (`$.check`). */
  readonly check: tasks.LambdaInvoke;
  /** Ends the execution when another run holds the lock. */
  readonly lockHeld: sfn.Fail;
  /** Ends the execution when the approved plan no longer holds (CFCT-C010). */
  readonly refused: sfn.Fail;
  /** Releases the lock after an error caught in a task, then fails with that error. */
  readonly releaseAfterError: tasks.LambdaInvoke;
  /** The lock task's input for `acquire`, `renew` or `release`. */
  readonly lockPayload: (action: 'acquire' | 'renew' | 'release') => Record<string, unknown>;
  /** A task that releases the lock, then goes on to `then`. */
  readonly release: (id: string, then: sfn.IChainable) => sfn.Chain;
  /**
   * The whole definition: take the lock (or end at `lockHeld`), check the approved plan (or
   * release and end at `refused`), release and succeed when the plan has no step in this
   * machine's scope, else go on to `apply`.
   */
  readonly definition: (apply: sfn.IChainable, nothingToApply: NothingToApply) => sfn.IChainable;
}

/** The states a deploy state machine ends in when its approved plan has nothing for it. */
export interface NothingToApply {
  /** Id of the Choice on the number of steps in scope. */
  readonly choiceId: string;
  /** Id of the Succeed state after the lock is released. */
  readonly succeedId: string;
  /** Comment of that Succeed state. */
  readonly comment: string;
}

/**
 * The lock and plan-check states of a deploy state machine: `scope` is the plan check's part of
 * the plan, `failed` the state an error ends in once the lock is released.
 */
export function lockedRunStates(
  machine: Construct,
  functions: { readonly lock: lambda.IFunction; readonly planCheck: lambda.IFunction },
  lockTtl: Duration,
  scope: 'policies' | 'stacksets',
  failed: sfn.Fail,
): LockedRunStates {
  const lockPayload = (action: 'acquire' | 'renew' | 'release') => ({
    correlationId: sfn.JsonPath.stringAt('$.runId'),
    region: sfn.JsonPath.stringAt('$.region'),
    lock: sfn.JsonPath.objectAt('$.lock'),
    action,
    ttlSeconds: lockTtl.toSeconds(),
    ...(action === 'acquire'
      ? { owner: sfn.JsonPath.stringAt('$$.Execution.Id') }
      : { held: sfn.JsonPath.objectAt('$.lockResult.lock') }),
  });
  const failedBeforeLock = new sfn.Fail(machine, 'LockFailed', { error: 'LockFailed', causePath: '$.error.Cause' });
  const lockHeld = new sfn.Fail(machine, 'LockHeld', { error: 'LockHeld', causePath: '$.lockResult.message' });
  const refused = new sfn.Fail(machine, 'PlanRefused', { error: 'PlanRefused', causePath: '$.check.message' });

  const releaseAfterError = lambdaTask(
    machine,
    'ReleaseLockAfterError',
    functions.lock,
    lockPayload('release'),
    '$.released',
  );
  releaseAfterError.addCatch(failed, { resultPath: '$.releaseError' });
  releaseAfterError.next(failed);
  const release = (id: string, then: sfn.IChainable) => {
    const task = lambdaTask(machine, id, functions.lock, lockPayload('release'), '$.released');
    task.addCatch(failed, { resultPath: '$.error' });
    return task.next(then);
  };
  const acquire = lambdaTask(machine, 'AcquireLock', functions.lock, lockPayload('acquire'), '$.lockResult');
  acquire.addCatch(failedBeforeLock, { resultPath: '$.error' });
  const check = lambdaTask(
    machine,
    'CheckApprovedPlan',
    functions.planCheck,
    {
      correlationId: sfn.JsonPath.stringAt('$.runId'),
      region: sfn.JsonPath.stringAt('$.region'),
      plan: sfn.JsonPath.objectAt('$.plan'),
      package: sfn.JsonPath.objectAt('$.package'),
      options: sfn.JsonPath.objectAt('$.options'),
      scope,
    },
    '$.check',
  );
  check.addCatch(releaseAfterError, { resultPath: '$.error' });
  const definition = (apply: sfn.IChainable, nothing: NothingToApply) => {
    const stepsToApply = new sfn.Choice(machine, nothing.choiceId)
      .when(
        sfn.Condition.and(
          sfn.Condition.isPresent('$.check.stepsInScope'),
          sfn.Condition.numberEquals('$.check.stepsInScope', 0),
        ),
        release('ReleaseLockNothingToApply', new sfn.Succeed(machine, nothing.succeedId, { comment: nothing.comment })),
      )
      .otherwise(apply);
    const approved = new sfn.Choice(machine, 'PlanApproved')
      .when(sfn.Condition.booleanEquals('$.check.approved', true), stepsToApply)
      .otherwise(release('ReleaseLockAfterRefusal', refused));
    return acquire.next(
      new sfn.Choice(machine, 'LockTaken')
        .when(sfn.Condition.booleanEquals('$.lockResult.acquired', true), check.next(approved))
        .otherwise(lockHeld),
    );
  };
  return { acquire, check, lockHeld, refused, releaseAfterError, lockPayload, release, definition };
}
