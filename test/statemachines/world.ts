/**
 * A pipeline run against the stateful AWS fake: an organization (OUs, accounts, policy types),
 * StackSets, SSM, S3, EC2 and STS; the build stage (plan from the live fake, run files written to
 * S3 through contract C); and the state machine inputs it returns.
 */
import { ACCOUNT, REGION, RUN_BUCKET } from './harness';
import { DEFAULT_PIPELINE_RUN_PREFIX, writePipelineRun, type PipelineRunFiles } from '../../src/engine/pipeline-run';
import { planRun, loadRunSnapshot, type RunOptions } from '../../src/engine/run';
import { stackSetStateCacheKey, templateReader } from '../../src/engine/stacksets';
import type { TaskDeps } from '../../src/handlers/task';
import { hasErrors, packageFromZip } from '../../src/manifest';
import { fakeAwsClients } from '../fake/clients';
import { FakeCloudFormation } from '../fake/cloudformation';
import { FakeAws } from '../fake/core';
import { FakeEc2 } from '../fake/ec2';
import { FakeOrganizations } from '../fake/organizations';
import { FakeS3 } from '../fake/s3';
import { FakeSsm } from '../fake/ssm';
import { FakeSts } from '../fake/sts';
import { rawZip } from '../manifest/zip-writer';

export const DENY_LEAVE = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Deny', Action: 'organizations:LeaveOrganization', Resource: '*' }],
});
export const DENY_ROOT = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { StringLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:root' } },
    },
  ],
});
export const SECURE_TRANSPORT = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: '*',
      Condition: { BoolIfExists: { 'aws:SecureTransport': 'false' } },
    },
  ],
});

/** A CloudFormation template (JSON) with one bucket, optional parameters and outputs. */
export function templateOf(
  seed: string,
  options: { parameters?: string[]; outputs?: Record<string, string> } = {},
): string {
  return JSON.stringify(
    {
      AWSTemplateFormatVersion: '2010-09-09',
      ...(options.parameters
        ? { Parameters: Object.fromEntries(options.parameters.map((p) => [p, { Type: 'String' }])) }
        : {}),
      Resources: { Bucket: { Type: 'AWS::S3::Bucket', Properties: { Tags: [{ Key: 'seed', Value: seed }] } } },
      ...(options.outputs
        ? { Outputs: Object.fromEntries(Object.entries(options.outputs).map(([k, v]) => [k, { Value: v }])) }
        : {}),
    },
    null,
    2,
  );
}

/**
 * The package the end-to-end tests deploy: two SCPs, an RCP, and stack sets with dependencies
 * (`network` exports its output; `app` reads it, so it runs after; `logging` is independent;
 * `app-config` depends on `app`).
 */
export function samplePackage(options: { regions?: readonly string[]; ou?: string } = {}): Record<string, string> {
  const regions = (options.regions ?? [REGION, 'eu-west-1']).map((r) => `      - ${r}`).join('\n');
  const ou = options.ou ?? 'Workloads';
  return {
    'manifest.yaml': `region: ${REGION}
version: 2021-03-15
stack_set_order: dependencies
resources:
  - name: deny-leave
    resource_file: policies/deny-leave.json
    deploy_method: scp
    deployment_targets:
      organizational_units: [${ou}]
  - name: deny-root
    resource_file: policies/deny-root.json
    deploy_method: scp
    deployment_targets:
      organizational_units: [${ou}]
  - name: secure-transport
    resource_file: policies/secure-transport.json
    deploy_method: rcp
    deployment_targets:
      organizational_units: [${ou}]
  - name: network
    resource_file: templates/network.json
    deploy_method: stack_set
    deployment_targets:
      organizational_units: [${ou}]
    regions:
${regions}
    export_outputs:
      - name: /org/network/vpc-name
        value: $[output_VpcName]
  - name: app
    resource_file: templates/app.json
    deploy_method: stack_set
    parameters:
      - parameter_key: VpcName
        parameter_value: $[alfred_ssm_/org/network/vpc-name]
    deployment_targets:
      organizational_units: [${ou}]
    regions:
${regions}
  - name: app-config
    resource_file: templates/app-config.json
    deploy_method: stack_set
    depends_on: [app]
    deployment_targets:
      organizational_units: [${ou}]
    regions:
${regions}
  - name: logging
    resource_file: templates/logging.json
    deploy_method: stack_set
    deployment_targets:
      organizational_units: [${ou}]
    regions:
${regions}
`,
    'policies/deny-leave.json': DENY_LEAVE,
    'policies/deny-root.json': DENY_ROOT,
    'policies/secure-transport.json': SECURE_TRANSPORT,
    'templates/network.json': templateOf('network', { outputs: { VpcName: 'vpc-main' } }),
    'templates/app.json': templateOf('app', { parameters: ['VpcName'] }),
    'templates/app-config.json': templateOf('app-config'),
    'templates/logging.json': templateOf('logging'),
  };
}

/** The fake AWS of a management account with a Workloads OU of member accounts. */
export class PipelineWorld {
  readonly fake: FakeAws;
  readonly organizations: FakeOrganizations;
  readonly cfn: FakeCloudFormation;
  readonly ssm: FakeSsm;
  readonly s3: FakeS3;
  readonly clients;
  readonly logs: Record<string, unknown>[] = [];
  readonly deps: TaskDeps;
  readonly ous = new Map<string, string>();
  readonly accounts: string[] = [];

  constructor(options: { accounts?: number; seed?: number } = {}) {
    this.fake = new FakeAws({ seed: options.seed ?? 5 });
    this.organizations = new FakeOrganizations(this.fake, {
      managementAccountId: ACCOUNT,
      enabledPolicyTypes: ['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY'],
    });
    this.s3 = new FakeS3(this.fake);
    this.cfn = new FakeCloudFormation(this.fake, { readTemplateUrl: (url) => this.s3.readUrl(url) });
    this.ssm = new FakeSsm(this.fake);
    new FakeEc2(this.fake);
    new FakeSts(this.fake);
    for (const name of ['Security', 'Workloads', 'Sandbox']) {
      this.ous.set(name, this.organizations.addOu(this.organizations.rootId, name));
    }
    const count = options.accounts ?? 3;
    for (let i = 0; i < count; i++) {
      const id = String(200000000000 + i);
      this.organizations.addAccount({
        id,
        name: `Workload ${i}`,
        email: `workload-${i}@example.com`,
        parentId: this.ous.get('Workloads')!,
      });
      this.accounts.push(id);
    }
    this.clients = fakeAwsClients(this.fake, ACCOUNT, REGION);
    this.deps = { clients: () => this.clients, clock: this.fake.clock, log: (entry) => this.logs.push(entry) };
  }

  /** The build stage: validates and plans the package against the fake, writes the run files, returns the state machine inputs. */
  async build(
    files: Record<string, string>,
    runId: string,
    options: RunOptions = {},
  ): Promise<PipelineRunFiles & { planSteps: number }> {
    const zip = rawZip(Object.entries(files).map(([name, data]) => ({ name, data })));
    const loaded = await packageFromZip(zip);
    if (!loaded.manifest || hasErrors(loaded.findings)) {
      throw new Error(`the test package has errors: ${JSON.stringify(loaded.findings)}`);
    }
    // As `cfct pipeline-build`: stack set states through the cache object of the run prefix, whose
    // location the run options carry to the plan check.
    options = {
      ...options,
      stateCache: options.stateCache ?? {
        bucket: RUN_BUCKET,
        key: stackSetStateCacheKey(DEFAULT_PIPELINE_RUN_PREFIX),
      },
    };
    const { snapshot } = await loadRunSnapshot(this.clients, loaded.manifest, {
      stackSets: options.stackSets,
      ...(options.installationId ? { installationId: options.installationId } : {}),
      stateCache: options.stateCache,
      clock: this.fake.clock,
    });
    const planned = await planRun({
      manifest: loaded.manifest,
      files: loaded.files,
      snapshot,
      readTemplate: templateReader(loaded.files, this.clients, REGION, this.fake.clock),
      options,
    });
    if (hasErrors(planned.plan.findings)) {
      throw new Error(`the test plan has errors: ${JSON.stringify(planned.plan.findings)}`);
    }
    const written = await writePipelineRun({
      clients: this.clients,
      clock: this.fake.clock,
      bucket: RUN_BUCKET,
      pipelineExecutionId: runId,
      planned,
      snapshot,
      options,
      packageZip: zip,
    });
    return { ...written, planSteps: planned.plan.steps.length };
  }

  /** AWS calls made since `from` (an index into the call log), by service, writes apart. */
  callsSince(from: number): { byService: Record<string, number>; writes: string[] } {
    const byService: Record<string, number> = {};
    const writes: string[] = [];
    for (const call of this.fake.calls.slice(from)) {
      byService[call.service] = (byService[call.service] ?? 0) + 1;
      if (
        /^(Create|Update|Delete|Attach|Detach|Enable|Tag|Untag|Put)/.test(call.operation) &&
        !(call.service === 's3')
      ) {
        writes.push(`${call.service}:${call.operation}`);
      }
    }
    return { byService, writes };
  }
}
