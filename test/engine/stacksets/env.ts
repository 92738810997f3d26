/**
 * Test bed for the stack set engine: the fake AWS with CloudFormation StackSets, SSM, S3, EC2
 * and STS; real SDK clients; manifest and desired-state builders; and a `run` that plans and
 * applies like the CLI does.
 */
import type { AwsClients } from '../../../src/aws/clients';
import type { AccountState } from '../../../src/engine/organization/snapshot';
import {
  applyStackSets,
  defaultStackSetSettings,
  planStackSets,
  readFingerprinter,
  readStackSetSnapshot,
  ssmNamesOf,
  StackSetApplyReport,
  stackSetNameFor,
  StackSetPlan,
  StackSetSettings,
  type DesiredStackSet,
  type StackSetClients,
} from '../../../src/engine/stacksets';
import { normaliseTemplate } from '../../../src/engine/stacksets/template';
import type { StackSetResource, Manifest, ParameterEntry } from '../../../src/manifest/model';
import { parseTemplate } from '../../../src/manifest/template';
import { fakeAwsClients } from '../../fake/clients';
import { FakeCloudFormation } from '../../fake/cloudformation';
import { FakeAws } from '../../fake/core';
import { FakeEc2 } from '../../fake/ec2';
import { FakeS3 } from '../../fake/s3';
import { FakeSsm } from '../../fake/ssm';
import { FakeSts } from '../../fake/sts';

export const MANAGEMENT = '111111111111';
export const HOME = 'us-east-1';

/** `n` member account ids: 200000000000, 200000000001, ... */
export function accountIds(n: number, first = 0): string[] {
  return Array.from({ length: n }, (_, i) => String(200000000000 + first + i));
}

/** A JSON template with one bucket per `seed`, optional parameters (NoEcho when named so) and outputs. */
export function template(
  seed: string,
  options: { parameters?: string[]; noEcho?: string[]; outputs?: Record<string, string>; padTo?: number } = {},
): string {
  const parameters = Object.fromEntries(
    [...(options.parameters ?? []), ...(options.noEcho ?? [])].map((p) => [
      p,
      { Type: 'String', ...(options.noEcho?.includes(p) ? { NoEcho: true } : {}) },
    ]),
  );
  const body: Record<string, unknown> = {
    AWSTemplateFormatVersion: '2010-09-09',
    ...(Object.keys(parameters).length ? { Parameters: parameters } : {}),
    Resources: { Bucket: { Type: 'AWS::S3::Bucket', Properties: { Tags: [{ Key: 'seed', Value: seed }] } } },
    ...(options.outputs
      ? { Outputs: Object.fromEntries(Object.entries(options.outputs).map(([k, ref]) => [k, { Value: { Ref: ref } }])) }
      : {}),
  };
  if (options.padTo) body.Metadata = { Padding: 'x'.repeat(Math.max(0, options.padTo - JSON.stringify(body).length)) };
  return JSON.stringify(body, null, 2);
}

/** A stack set resource with defaults. */
export function resource(
  name: string,
  overrides: Partial<Omit<StackSetResource, 'parameters'>> & {
    parameters?: (Partial<ParameterEntry> & { key: string; value: string })[];
  } = {},
): StackSetResource {
  return {
    name,
    deployMethod: 'stack_set',
    resourceFile: { raw: `templates/${name}.json`, kind: 'local', path: `templates/${name}.json` },
    deploymentTargets: { accounts: [], organizationalUnits: [], excludeAccounts: [], includeNestedOus: false },
    tags: {},
    lintSuppressions: [],
    index: 0,
    regions: [HOME],
    exportOutputs: [],
    dependsOn: [],
    permissionModel: 'self_managed',
    ...overrides,
    parameters: (overrides.parameters ?? []).map((p) => ({ ssmParameters: [], ...p })),
  };
}

/** A manifest of stack set resources (indexes set from the order). */
export function manifest(
  resources: StackSetResource[],
  options: Partial<Pick<Manifest, 'enableStackSetDeletion' | 'stackSetOrder'>> = {},
): Manifest {
  return {
    version: '2021-03-15',
    region: HOME,
    enableStackSetDeletion: options.enableStackSetDeletion ?? false,
    enablePolicyDeletion: false,
    ...(options.stackSetOrder ? { stackSetOrder: options.stackSetOrder } : {}),
    resources: resources.map((r, index) => ({ ...r, index })),
  };
}

/** Desired state from a resource, its template text and its (ACTIVE) target accounts. */
export function desired(r: StackSetResource, text: string, accounts: readonly string[]): DesiredStackSet {
  return {
    resource: r,
    template: { text, normalised: normaliseTemplate(parseTemplate(text, 'template.json').value) },
    targets: { accounts: [...accounts].sort(), unresolved: [], findings: [] },
  };
}

/** The fake AWS with every service the stack set engine uses. */
export class StackSetWorld {
  readonly fake: FakeAws;
  readonly cfn: FakeCloudFormation;
  readonly ssm: FakeSsm;
  readonly s3: FakeS3;
  readonly ec2: FakeEc2;
  readonly sts: FakeSts;
  readonly clients: StackSetClients;
  /** The same clients as `AwsClients` (Organizations included). */
  readonly aws: AwsClients;
  readonly accountStates = new Map<string, AccountState>();
  settings: StackSetSettings;
  private runs = 0;

  constructor(options: { seed?: number; checksToFinish?: number; settings?: Partial<StackSetSettings> } = {}) {
    this.fake = new FakeAws({ seed: options.seed ?? 1 });
    this.s3 = new FakeS3(this.fake);
    this.cfn = new FakeCloudFormation(this.fake, {
      checksToFinish: options.checksToFinish,
      readTemplateUrl: (url) => this.s3.readUrl(url),
    });
    this.ssm = new FakeSsm(this.fake);
    this.ec2 = new FakeEc2(this.fake);
    this.sts = new FakeSts(this.fake);
    const aws = fakeAwsClients(this.fake, MANAGEMENT, HOME);
    this.aws = aws;
    this.clients = aws;
    this.settings = defaultStackSetSettings(MANAGEMENT, { ...options.settings });
  }

  /** Marks accounts ACTIVE (or another state). */
  setAccounts(ids: readonly string[], state: AccountState = 'ACTIVE'): void {
    for (const id of ids) this.accountStates.set(id, state);
  }

  /** The stack set name of a resource under the world's settings. */
  nameOf(r: StackSetResource): string {
    return stackSetNameFor(r, this.settings);
  }

  /** Reads the snapshot and plans, as `cfct plan` does. */
  async plan(m: Manifest, wanted: readonly DesiredStackSet[]): Promise<StackSetPlan> {
    const resources = wanted.map((d) => d.resource);
    const fingerprinter = await readFingerprinter(this.clients, HOME, this.fake.clock);
    const snapshot = await readStackSetSnapshot(
      this.clients,
      {
        homeRegion: HOME,
        names: resources.map((r) => this.nameOf(r)),
        prefix: this.settings.prefix,
        ssmNames: ssmNamesOf(resources),
      },
      this.fake.clock,
      fingerprinter,
    );
    const accountState = (id: string) => this.accountStates.get(id);
    return planStackSets(m, wanted, snapshot, {
      settings: this.settings,
      accountState,
      ...(fingerprinter ? { fingerprinter } : {}),
    });
  }

  /** Plans and applies, as `cfct apply` does; returns the plan and the report. */
  async apply(
    m: Manifest,
    wanted: readonly DesiredStackSet[],
  ): Promise<{ plan: StackSetPlan; report: StackSetApplyReport }> {
    const plan = await this.plan(m, wanted);
    const report = await applyStackSets(
      m,
      wanted,
      plan,
      {
        clients: this.clients,
        settings: this.settings,
        homeRegion: HOME,
        runId: `run-${++this.runs}`,
        clock: this.fake.clock,
        accountState: (id) => this.accountStates.get(id),
      },
      { wait: (ms) => this.fake.clock.sleep(ms), pollIntervalMs: 10_000 },
    );
    return { plan, report };
  }

  /** Operations started since `from` (an index into `cfn.operations()`). */
  operationsSince(from: number): { stackSet: string; action: string; status: string; pairs: number }[] {
    return this.cfn.operations().slice(from);
  }
}
