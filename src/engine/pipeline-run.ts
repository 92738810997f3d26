/**
 * Pipeline run files: what the build stage stores for the deploy stages, and the small JSON
 * inputs of the two state machines.
 *
 * Under `s3://<bucket>/<prefix>/<pipelineExecutionId>/` the build stage writes
 * - `plan.json`: the approved plan (a `RunPlan`, exactly as the approval's report shows it),
 * - `package.zip`: the configuration package the plan was made from,
 * - `options.json`: the run options (installation id, stack set prefix and roles, `--accounts`),
 * - `stacksets.json`: the stack set run input (`StackSetRunInput`) the stack set tasks read.
 *
 * The state machine inputs hold references to these objects only, never plans, templates or
 * account lists: a Step Functions payload is limited to 256 KB, and an organization of 10,000
 * accounts gives plans of many megabytes.
 */
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { AwsClients } from '../aws/clients';
import type { AccountState, OrganizationSnapshot } from './organization/snapshot';
import type { Clock } from './retry';
import type { PlannedRun, RunOptions, RunPlan } from './run';
import { retryThrottled } from './stacksets/clients';
import type { S3ObjectRef, StackSetRunInput } from './stacksets/run-input';

/** Key prefix of the run files when none is given. */
export const DEFAULT_PIPELINE_RUN_PREFIX = 'cfct/runs';

/** Object names of a run's files under `<prefix>/<pipelineExecutionId>/`. */
export const PIPELINE_RUN_FILES = {
  plan: 'plan.json',
  package: 'package.zip',
  options: 'options.json',
  runInput: 'stacksets.json',
} as const;

/** Where the installation's lock object lives (contract B: `cfct/locks/<installationId>.json`). */
export interface LockRef {
  readonly bucket: string;
  readonly key: string;
}

/** The lock object of an installation in `bucket` (the key layout of `lockLocation` in ./lock). */
export function lockRefOf(bucket: string, installationId: string): LockRef {
  return { bucket, key: `cfct/locks/${installationId}.json` };
}

/**
 * What both state machines receive (the Step Functions execution input). References only;
 * a few hundred bytes whatever the size of the organization.
 */
export interface PipelineRunReferences {
  /**
   * The run's identity: the CodePipeline execution id. Every log line carries it as the
   * correlation id, and stack set operation ids derive from it, so a retried deploy stage (a new
   * execution with the same input) or a redriven execution resumes operations instead of
   * starting them twice.
   */
  readonly runId: string;
  readonly installationId: string;
  /** Region of the bucket: the manifest's home region. */
  readonly region: string;
  /** The approved plan (`RunPlan`). */
  readonly plan: S3ObjectRef;
  /** The configuration package (zip) the plan was made from. */
  readonly package: S3ObjectRef;
  /** The run options (`RunOptions`) the plan was made with. */
  readonly options: S3ObjectRef;
  /** The stack set run input (`StackSetRunInput`). */
  readonly runInput: S3ObjectRef;
  /** The installation's lock object (contract B). */
  readonly lock: LockRef;
}

/** Input of the policy state machine. */
export type PolicyStateMachineInput = PipelineRunReferences;

/** Input of the stack set state machine. */
export type StackSetStateMachineInput = PipelineRunReferences;

/** Inputs of {@link writePipelineRun}. */
export interface WritePipelineRunInput {
  readonly clients: Pick<AwsClients, 's3'>;
  readonly clock: Clock;
  /** The bucket the run files go to (the pipeline's artifact bucket). */
  readonly bucket: string;
  /** Key prefix; the files go under `<prefix>/<pipelineExecutionId>/`. @default 'cfct/runs' */
  readonly prefix?: string;
  /** The CodePipeline execution id (`#{codepipeline.PipelineExecutionId}`). */
  readonly pipelineExecutionId: string;
  /** The planned run (`planRun`), whose plan is the one approved. */
  readonly planned: PlannedRun;
  /** The organization snapshot the plan was made from (account states for the stack set tasks). */
  readonly snapshot: OrganizationSnapshot;
  /** The run options the plan was made with (`planRun`'s `options`). */
  readonly options: RunOptions;
  /** The configuration package as a zip (the source artifact, or `createPackageZip` of a folder). */
  readonly packageZip: Buffer;
  /** Bucket of the installation's lock. @default - `bucket` */
  readonly lockBucket?: string;
}

/** What {@link writePipelineRun} stored, and the inputs of the two state machines. */
export interface PipelineRunFiles {
  /** `s3://<bucket>/<prefix>/<pipelineExecutionId>/` */
  readonly location: string;
  readonly policyStateMachineInput: PolicyStateMachineInput;
  readonly stackSetStateMachineInput: StackSetStateMachineInput;
}

/** The stack set run input of a planned run: settings, desired stack sets, account states. */
export function stackSetRunInputOf(planned: PlannedRun, snapshot: OrganizationSnapshot): StackSetRunInput {
  const accountStates: Record<string, AccountState> = {};
  for (const account of snapshot.accounts) accountStates[account.id] = account.state;
  return { homeRegion: planned.plan.homeRegion, settings: planned.settings, desired: planned.desired, accountStates };
}

/**
 * Stores the approved plan, the package, the run options and the stack set run input of one
 * pipeline execution, and returns the state machine inputs (references only). Writing the same
 * run twice overwrites it with the same content.
 */
export async function writePipelineRun(input: WritePipelineRunInput): Promise<PipelineRunFiles> {
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(input.pipelineExecutionId)) {
    throw new Error(`pipelineExecutionId must be 1 to 128 letters, digits, '.', '_' or '-', got '${input.pipelineExecutionId}'`);
  }
  const { plan } = input.planned;
  const prefix = (input.prefix ?? DEFAULT_PIPELINE_RUN_PREFIX).replace(/^\/+|\/+$/g, '');
  const base = `${prefix ? `${prefix}/` : ''}${input.pipelineExecutionId}`;
  const ref = (name: string): S3ObjectRef => ({ bucket: input.bucket, key: `${base}/${name}` });
  const s3 = input.clients.s3(plan.homeRegion);
  const put = (where: S3ObjectRef, body: string | Buffer, contentType: string) =>
    retryThrottled(() => s3.send(new PutObjectCommand({ Bucket: where.bucket, Key: where.key, Body: body, ContentType: contentType })), input.clock);

  const refs: PipelineRunReferences = {
    runId: input.pipelineExecutionId,
    installationId: plan.installationId,
    region: plan.homeRegion,
    plan: ref(PIPELINE_RUN_FILES.plan),
    package: ref(PIPELINE_RUN_FILES.package),
    options: ref(PIPELINE_RUN_FILES.options),
    runInput: ref(PIPELINE_RUN_FILES.runInput),
    lock: lockRefOf(input.lockBucket ?? input.bucket, plan.installationId),
  };
  await put(refs.package, input.packageZip, 'application/zip');
  await put(refs.options, JSON.stringify(input.options), 'application/json');
  await put(refs.runInput, JSON.stringify(stackSetRunInputOf(input.planned, input.snapshot)), 'application/json');
  // The plan last: a run whose plan exists has all its files.
  await put(refs.plan, JSON.stringify(plan), 'application/json');
  return { location: `s3://${input.bucket}/${base}/`, policyStateMachineInput: refs, stackSetStateMachineInput: refs };
}

/** Reads one run file. */
export async function readRunObject(clients: Pick<AwsClients, 's3'>, ref: S3ObjectRef, region: string, clock: Clock): Promise<Buffer> {
  const object = await retryThrottled(() => clients.s3(region).send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key })), clock);
  const bytes = await object.Body?.transformToByteArray();
  if (!bytes || bytes.length === 0) throw new Error(`the run file s3://${ref.bucket}/${ref.key} is empty`);
  return Buffer.from(bytes);
}

/** Reads the approved plan and the run options of a run. */
export async function readApprovedRun(
  clients: Pick<AwsClients, 's3'>,
  refs: Pick<PipelineRunReferences, 'plan' | 'options' | 'region'>,
  clock: Clock,
): Promise<{ plan: RunPlan; options: RunOptions }> {
  const plan = JSON.parse((await readRunObject(clients, refs.plan, refs.region, clock)).toString('utf8')) as RunPlan;
  const options = JSON.parse((await readRunObject(clients, refs.options, refs.region, clock)).toString('utf8')) as RunOptions;
  return { plan, options };
}
