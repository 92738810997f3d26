/**
 * Fake CloudFormation: StackSets in the management account (asynchronous operations, one at a
 * time per stack set, NoEcho masking, pages of 100, injected instance failures) and the stacks
 * those operations create in member accounts (DescribeStacks with outputs).
 *
 * The constructor registers the service with the `FakeAws`; create clients with
 * `fake.client(CloudFormationClient, cfn, 'cloudformation', { accountId, region })`.
 * Behaviour spec: cloudformation.md.
 */
import {
  CloudFormationServiceException,
  InsufficientCapabilitiesException,
  NameAlreadyExistsException,
  OperationIdAlreadyExistsException,
  OperationInProgressException,
  OperationNotFoundException,
  StackInstanceNotFoundException,
  StackSetNotEmptyException,
  StackSetNotFoundException,
} from '@aws-sdk/client-cloudformation';
import { parse } from 'yaml';
import type { CallContext, FakeAws, FakeService } from './core';
import { parseTemplate as parseCfnTemplate } from '../../src/manifest/template';

type InstanceStatus = 'CURRENT' | 'OUTDATED' | 'INOPERABLE';

interface FakeInstance {
  account: string;
  region: string;
  status: InstanceStatus;
  detailedStatus: string;
  statusReason?: string;
  stackId?: string;
}

interface FakeOperation {
  id: string;
  action: 'CREATE' | 'UPDATE' | 'DELETE';
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'STOPPED';
  checksLeft: number;
  /** With a timing model: when the operation ends on the fake's clock (set at the first check). */
  readyAt?: number;
  pairs: { account: string; region: string }[];
  retainStacks: boolean;
  preferences: any;
  parameterOverrides?: { ParameterKey: string; ParameterValue: string }[];
  results: { Account: string; Region: string; Status: 'SUCCEEDED' | 'FAILED' | 'CANCELLED'; StatusReason?: string }[];
  statusReason?: string;
  created: Date;
  ended?: Date;
}

interface FakeStackSet {
  name: string;
  id: string;
  description?: string;
  templateBody: string;
  parameters: { ParameterKey: string; ParameterValue: string }[];
  tags: { Key: string; Value: string }[];
  capabilities: string[];
  administrationRoleArn?: string;
  executionRoleName?: string;
  permissionModel: string;
  status: 'ACTIVE' | 'DELETED';
  instances: Map<string, FakeInstance>;
  operations: Map<string, FakeOperation>;
}

/** A stack a stack set operation deployed in a member account. */
interface FakeStack {
  stackId: string;
  stackName: string;
  outputs: { OutputKey: string; OutputValue: string }[];
}

/** Options of {@link FakeCloudFormation}. */
export interface FakeCloudFormationOptions {
  /** DescribeStackSetOperation calls a RUNNING operation needs before it finishes. @default 3 */
  readonly checksToFinish?: number;
  /** Fetches a TemplateURL's text (the fake S3). */
  readonly readTemplateUrl?: (url: string) => string;
  /**
   * Operations take time on the fake's clock instead of a number of checks: an operation ends
   * `operationStartMs` plus, per Region, one `instanceDeploymentMs` per batch of accounts after
   * it started (batches of the concurrency of {@link FakeCloudFormation} `finish`; Regions add
   * up when RegionConcurrencyType is SEQUENTIAL, else the slowest Region counts).
   * @default - operations end after `checksToFinish` checks
   */
  readonly timing?: OperationTiming;
}

/** Durations of stack set operations on the fake's clock. */
export interface OperationTiming {
  /** Overhead of any operation before its first instance starts. */
  readonly operationStartMs: number;
  /** One stack instance deployment (create, update or delete). */
  readonly instanceDeploymentMs: number;
}

const PAGE = 100;

function error<T extends CloudFormationServiceException>(ctor: new (args: any) => T, message: string): T {
  return new ctor({ message, $metadata: { httpStatusCode: 400 } });
}

/** A CloudFormation error without a modelled class (`ValidationError`, `Throttling`). */
export function cloudFormationError(name: string, message: string): CloudFormationServiceException {
  return new CloudFormationServiceException({ name, $fault: 'client', message, $metadata: { httpStatusCode: 400 } });
}

function page<T>(items: T[], input: { NextToken?: string; MaxResults?: number }): { items: T[]; next?: string } {
  const size = Math.min(input.MaxResults ?? PAGE, PAGE);
  const start = input.NextToken ? Number(input.NextToken) : 0;
  const next = start + size < items.length ? String(start + size) : undefined;
  return { items: items.slice(start, start + size), next };
}

function pairKey(account: string, region: string): string {
  return `${account}/${region}`;
}

/** The fake's state and its service module. */
export class FakeCloudFormation {
  readonly stackSets = new Map<string, FakeStackSet>();
  readonly stacks = new Map<string, FakeStack>();
  /** Where instance operations fail: `account`, `account/region`, or either prefixed by `<stack set name>:`. */
  readonly failingTargets = new Set<string>();
  /** Share (0..1) of instance operations that fail at random. */
  instanceFailureRate = 0;
  /** Share (0..1) of RetainStacks=false instance deletions that fail at random (the stack cannot be deleted): they leave INOPERABLE instances. */
  deletionFailureRate = 0;
  private readonly checksToFinish: number;
  private counter = 0;
  private operationSequence = 0;
  private readonly outputCache = new Map<string, [string, any][]>();

  constructor(
    private readonly fake: FakeAws,
    private readonly options: FakeCloudFormationOptions = {},
  ) {
    this.checksToFinish = options.checksToFinish ?? 3;
    fake.register(this.service);
  }

  /** The service module for `FakeAws.register`. */
  get service(): FakeService {
    const op = (fn: (input: any, context: CallContext) => unknown) => fn.bind(this);
    return {
      name: 'cloudformation',
      operations: {
        CreateStackSet: op(this.createStackSet),
        ValidateTemplate: op(this.validateTemplate),
        UpdateStackSet: op(this.updateStackSet),
        DeleteStackSet: op(this.deleteStackSet),
        DescribeStackSet: op(this.describeStackSet),
        ListStackSets: op(this.listStackSets),
        CreateStackInstances: op((i) => this.startInstances(i, 'CREATE')),
        UpdateStackInstances: op((i) => this.startInstances(i, 'UPDATE')),
        DeleteStackInstances: op((i) => this.startInstances(i, 'DELETE')),
        ListStackInstances: op(this.listStackInstances),
        DescribeStackInstance: op(this.describeStackInstance),
        DescribeStackSetOperation: op(this.describeOperation),
        ListStackSetOperationResults: op(this.listOperationResults),
        ListStackSetOperations: op(this.listOperations),
        StopStackSetOperation: op(this.stopOperation),
        DescribeStacks: op(this.describeStacks),
      },
    };
  }

  /** Adds a stack set directly (state that existed before the test), e.g. upstream's. */
  seedStackSet(input: {
    name: string;
    templateBody: string;
    parameters?: { ParameterKey: string; ParameterValue: string }[];
    tags?: Record<string, string>;
    instances?: { account: string; region: string; status?: InstanceStatus }[];
  }): void {
    const set = this.newStackSet({
      StackSetName: input.name,
      TemplateBody: input.templateBody,
      Parameters: input.parameters ?? [],
      Tags: Object.entries(input.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
    });
    for (const i of input.instances ?? []) {
      set.instances.set(pairKey(i.account, i.region), {
        account: i.account,
        region: i.region,
        status: i.status ?? 'CURRENT',
        detailedStatus: 'SUCCEEDED',
        stackId: this.deployStack(set, i.account, i.region),
      });
    }
  }

  /** Every instance as `account/region:STATUS`, sorted. */
  instancesOf(name: string): string[] {
    const set = this.stackSets.get(name);
    return set ? [...set.instances.values()].map((i) => `${i.account}/${i.region}:${i.status}`).sort() : [];
  }

  /** The stack set's parameters as CloudFormation holds them (unmasked). */
  parametersOf(name: string): Record<string, string> {
    return Object.fromEntries(
      (this.stackSets.get(name)?.parameters ?? []).map((p) => [p.ParameterKey, p.ParameterValue]),
    );
  }

  /** Every operation ever started, in order. */
  /** The OperationPreferences each operation was started with (undefined: none given), in start order. */
  operationPreferences(): { stackSet: string; action: string; preferences: any }[] {
    return [...this.stackSets.values()]
      .flatMap((s) =>
        [...s.operations.values()].map((o) => ({
          stackSet: s.name,
          action: o.action,
          preferences: o.preferences,
          created: o.created,
        })),
      )
      .sort((a, b) => a.created.getTime() - b.created.getTime())
      .map(({ created: _c, ...rest }) => rest);
  }

  operations(): { stackSet: string; action: string; status: string; pairs: number }[] {
    return [...this.stackSets.values()]
      .flatMap((s) =>
        [...s.operations.values()].map((o) => ({
          stackSet: s.name,
          action: o.action,
          status: o.status,
          pairs: o.pairs.length,
          created: o.created,
        })),
      )
      .sort((a, b) => a.created.getTime() - b.created.getTime())
      .map(({ created: _c, ...rest }) => rest);
  }

  private newStackSet(input: any): FakeStackSet {
    const set: FakeStackSet = {
      name: input.StackSetName,
      id: `${input.StackSetName}:${String(++this.counter).padStart(8, '0')}-fake`,
      description: input.Description,
      templateBody: this.templateOf(input),
      parameters: [...(input.Parameters ?? [])],
      tags: [...(input.Tags ?? [])],
      capabilities: [...(input.Capabilities ?? [])],
      administrationRoleArn: input.AdministrationRoleARN,
      executionRoleName: input.ExecutionRoleName,
      permissionModel: input.PermissionModel ?? 'SELF_MANAGED',
      status: 'ACTIVE',
      instances: new Map(),
      operations: new Map(),
    };
    this.stackSets.set(set.name, set);
    return set;
  }

  private templateOf(input: { TemplateBody?: string; TemplateURL?: string }): string {
    if (input.TemplateBody !== undefined) {
      if (Buffer.byteLength(input.TemplateBody) > 51_200) {
        throw cloudFormationError(
          'ValidationError',
          'Templates with a size greater than 51,200 bytes must be deployed via an S3 Bucket',
        );
      }
      return input.TemplateBody;
    }
    if (input.TemplateURL !== undefined) {
      if (!this.options.readTemplateUrl) {
        throw cloudFormationError('ValidationError', 'TemplateURL must be a supported URL');
      }
      return this.options.readTemplateUrl(input.TemplateURL);
    }
    throw cloudFormationError('ValidationError', 'Either Template URL or Template Body must be specified.');
  }

  /**
   * ValidateTemplate: the template's format only (as CloudFormation checks it before any stack
   * exists): well-formed, at least one resource, a Type on each; its parameters are returned.
   */
  private validateTemplate(input: any) {
    const body = this.templateOf(input);
    checkTemplate(body, ['CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND']);
    const value = parseCfnTemplate(body, 'template').value as {
      Resources: Record<string, any>;
      Parameters?: Record<string, any>;
      Description?: string;
    };
    for (const [id, definition] of Object.entries(value.Resources)) {
      if (typeof definition?.Type !== 'string') {
        throw cloudFormationError(
          'ValidationError',
          `Template format error: [/Resources/${id}] Every Resources object must contain a Type member.`,
        );
      }
    }
    return {
      ...(value.Description ? { Description: value.Description } : {}),
      Parameters: Object.entries(value.Parameters ?? {}).map(([key, p]) => ({
        ParameterKey: key,
        NoEcho: String(p?.NoEcho) === 'true',
        ...(p?.Default !== undefined ? { DefaultValue: String(p.Default) } : {}),
        ...(p?.Description ? { Description: p.Description } : {}),
      })),
    };
  }

  private active(name: string): FakeStackSet {
    const set = this.stackSets.get(name);
    if (!set || set.status !== 'ACTIVE') throw error(StackSetNotFoundException, `StackSet ${name} not found`);
    return set;
  }

  private createStackSet(input: any) {
    if (this.stackSets.get(input.StackSetName)?.status === 'ACTIVE') {
      throw error(NameAlreadyExistsException, `StackSet ${input.StackSetName} already exists`);
    }
    checkTemplate(this.templateOf(input), input.Capabilities ?? []);
    checkTags(input.Tags ?? []);
    return { StackSetId: this.newStackSet(input).id };
  }

  private beginOperation(
    set: FakeStackSet,
    operationId: string | undefined,
    action: FakeOperation['action'],
    pairs: { account: string; region: string }[],
    input: any,
  ): { OperationId: string } {
    const running = [...set.operations.values()].find((o) => o.status === 'RUNNING');
    if (operationId && set.operations.has(operationId)) {
      throw error(OperationIdAlreadyExistsException, `The operation id ${operationId} already exists`);
    }
    if (running) {
      throw error(
        OperationInProgressException,
        `Another Operation on StackSet ${set.id} is in progress: ${running.id}`,
      );
    }
    checkOperationPreferences(input.OperationPreferences);
    const id = operationId ?? `op-${String(++this.counter).padStart(8, '0')}`;
    set.operations.set(id, {
      id,
      action,
      status: 'RUNNING',
      checksLeft: this.checksToFinish,
      pairs,
      retainStacks: Boolean(input.RetainStacks),
      preferences: input.OperationPreferences,
      parameterOverrides: input.ParameterOverrides,
      results: [],
      created: this.options.timing
        ? new Date(this.fake.clock.now())
        : new Date(Date.UTC(2026, 0, 1) + ++this.operationSequence * 1000),
    });
    return { OperationId: id };
  }

  private updateStackSet(input: any) {
    const set = this.active(input.StackSetName);
    const accounts: string[] | undefined = input.Accounts;
    const regions: string[] | undefined = input.Regions;
    if ((accounts === undefined) !== (regions === undefined)) {
      throw cloudFormationError('ValidationError', 'Accounts and Regions must be specified together');
    }
    const newTemplate = input.UsePreviousTemplate === true ? undefined : this.templateOf(input);
    checkTemplate(newTemplate ?? set.templateBody, input.Capabilities ?? set.capabilities);
    if (input.Tags !== undefined) checkTags(input.Tags);
    if (accounts && regions) {
      // Self-managed: every named account must have an instance in every named Region.
      const missing = accounts.flatMap((a) =>
        regions.filter((r) => !set.instances.has(pairKey(a, r))).map((r) => pairKey(a, r)),
      );
      if (missing.length > 0) {
        throw error(
          StackInstanceNotFoundException,
          `StackSet ${set.id} has no stack instances in ${missing.join(', ')}`,
        );
      }
    }
    const result = this.beginOperation(set, input.OperationId, 'UPDATE', [], input);
    // The definition changes when the update is accepted; instances follow when it finishes.
    const templateChanged = newTemplate !== undefined || input.Parameters !== undefined;
    if (newTemplate !== undefined) set.templateBody = newTemplate;
    if (input.Parameters !== undefined) set.parameters = [...input.Parameters];
    if (input.Tags !== undefined) set.tags = [...input.Tags];
    if (input.Description !== undefined) set.description = input.Description;
    if (input.Capabilities !== undefined) set.capabilities = [...input.Capabilities];
    if (input.AdministrationRoleARN !== undefined) set.administrationRoleArn = input.AdministrationRoleARN;
    if (input.ExecutionRoleName !== undefined) set.executionRoleName = input.ExecutionRoleName;
    const operation = set.operations.get(result.OperationId)!;
    // INOPERABLE instances are excluded from UpdateStackSet operations.
    const targeted = (
      accounts && regions
        ? accounts.flatMap((a) =>
            regions.map((r) => set.instances.get(pairKey(a, r))).filter((i): i is FakeInstance => i !== undefined),
          )
        : [...set.instances.values()]
    ).filter((i) => i.status !== 'INOPERABLE');
    if (templateChanged) {
      for (const instance of set.instances.values()) if (instance.status !== 'INOPERABLE') instance.status = 'OUTDATED';
    }
    operation.pairs = targeted.map((i) => ({ account: i.account, region: i.region }));
    return result;
  }

  private deleteStackSet(input: any) {
    const set = this.active(input.StackSetName);
    if ([...set.operations.values()].some((o) => o.status === 'RUNNING')) {
      throw error(OperationInProgressException, `Another Operation on StackSet ${set.id} is in progress`);
    }
    if (set.instances.size > 0) throw error(StackSetNotEmptyException, `StackSet ${set.name} is not empty`);
    set.status = 'DELETED';
    return {};
  }

  private describeStackSet(input: any) {
    const set = this.active(input.StackSetName);
    const noEcho = noEchoKeys(set.templateBody);
    return {
      StackSet: {
        StackSetName: set.name,
        StackSetId: set.id,
        Description: set.description,
        Status: set.status,
        TemplateBody: set.templateBody,
        Parameters: set.parameters.map((p) => ({
          ...p,
          ParameterValue: noEcho.has(p.ParameterKey) ? '****' : p.ParameterValue,
        })),
        Capabilities: [...set.capabilities],
        Tags: set.tags.map((t) => ({ ...t })),
        AdministrationRoleARN: set.administrationRoleArn,
        ExecutionRoleName: set.executionRoleName,
        PermissionModel: set.permissionModel,
      },
    };
  }

  private listStackSets(input: any) {
    const all = [...this.stackSets.values()].filter((s) => !input.Status || s.status === input.Status);
    const { items, next } = page(all, input);
    return {
      Summaries: items.map((s) => ({
        StackSetName: s.name,
        StackSetId: s.id,
        Status: s.status,
        PermissionModel: s.permissionModel,
      })),
      NextToken: next,
    };
  }

  private startInstances(input: any, action: FakeOperation['action']) {
    const set = this.active(input.StackSetName);
    const accounts: string[] = input.Accounts ?? [];
    const regions: string[] = input.Regions ?? [];
    if (accounts.length === 0 || regions.length === 0) {
      throw cloudFormationError('ValidationError', 'Accounts and Regions must not be empty');
    }
    if (action === 'DELETE' && input.RetainStacks === undefined) {
      throw cloudFormationError('ValidationError', 'RetainStacks is required');
    }
    const pairs = accounts.flatMap((account) => regions.map((region) => ({ account, region })));
    if (action === 'UPDATE') {
      const missing = pairs.find((p) => !set.instances.has(pairKey(p.account, p.region)));
      if (missing) {
        throw error(StackInstanceNotFoundException, `Stack instance ${missing.account}/${missing.region} not found`);
      }
    }
    return this.beginOperation(set, input.OperationId, action, pairs, input);
  }

  private listStackInstances(input: any) {
    const set = this.active(input.StackSetName);
    const { items, next } = page([...set.instances.values()], input);
    return {
      Summaries: items.map((i) => ({
        StackSetId: set.id,
        Account: i.account,
        Region: i.region,
        Status: i.status,
        StatusReason: i.statusReason,
        StackInstanceStatus: { DetailedStatus: i.detailedStatus },
        StackId: i.stackId,
      })),
      NextToken: next,
    };
  }

  private describeStackInstance(input: any) {
    const set = this.active(input.StackSetName);
    const instance = set.instances.get(pairKey(input.StackInstanceAccount, input.StackInstanceRegion));
    if (!instance) throw error(StackInstanceNotFoundException, 'Stack instance not found');
    return {
      StackInstance: {
        StackSetId: set.id,
        Account: instance.account,
        Region: instance.region,
        Status: instance.status,
        StackId: instance.stackId,
        StackInstanceStatus: { DetailedStatus: instance.detailedStatus },
      },
    };
  }

  private operation(input: any): { set: FakeStackSet; operation: FakeOperation } {
    const set = this.active(input.StackSetName);
    const operation = set.operations.get(input.OperationId);
    if (!operation) throw error(OperationNotFoundException, `Operation ${input.OperationId} not found`);
    return { set, operation };
  }

  private describeOperation(input: any) {
    const { set, operation } = this.operation(input);
    if (operation.status === 'RUNNING') {
      const timing = this.options.timing;
      if (timing) {
        operation.readyAt ??= operation.created.getTime() + operationDuration(operation, timing);
        if (this.fake.clock.now() >= operation.readyAt) this.finish(set, operation);
      } else if (--operation.checksLeft <= 0) {
        this.finish(set, operation);
      }
    }
    return {
      StackSetOperation: {
        OperationId: operation.id,
        StackSetId: set.id,
        Action: operation.action,
        Status: operation.status,
        RetainStacks: operation.retainStacks,
        OperationPreferences: operation.preferences,
        CreationTimestamp: operation.created,
        EndTimestamp: operation.ended,
        ...(operation.statusReason ? { StatusReason: operation.statusReason } : {}),
      },
    };
  }

  private listOperationResults(input: any) {
    const { operation } = this.operation(input);
    const filter = (input.Filters ?? []).find((f: any) => f.Name === 'OPERATION_RESULT_STATUS');
    const { items, next } = page(
      operation.results.filter((r) => !filter || r.Status === filter.Values),
      input,
    );
    return { Summaries: items, NextToken: next };
  }

  /** Stops a running operation: instances not yet done are CANCELLED and the operation ends STOPPED. */
  private stopOperation(input: any) {
    const { operation } = this.operation(input);
    if (operation.status !== 'RUNNING') {
      throw cloudFormationError('InvalidOperationException', `Operation ${operation.id} is not running`);
    }
    operation.results = operation.pairs.map((p) => ({
      Account: p.account,
      Region: p.region,
      Status: 'CANCELLED' as const,
      StatusReason: 'Cancelled since operation was stopped',
    }));
    operation.status = 'STOPPED';
    operation.ended = new Date(operation.created.getTime() + 1_000);
    return {};
  }

  /**
   * ListStackSetOperations: pages of `MaxResults` (1-100, else a ValidationError). The API
   * reference documents no order; the fake lists the oldest first, so no caller can rely on the
   * newest coming first.
   */
  private listOperations(input: any) {
    const set = this.active(input.StackSetName);
    if (
      input.MaxResults !== undefined &&
      (!Number.isInteger(input.MaxResults) || input.MaxResults < 1 || input.MaxResults > 100)
    ) {
      throw cloudFormationError(
        'ValidationError',
        `1 validation error detected: Value '${input.MaxResults}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100`,
      );
    }
    const all = [...set.operations.values()].sort((a, b) => a.created.getTime() - b.created.getTime());
    const { items, next } = page(all, input);
    return {
      Summaries: items.map((o) => ({
        OperationId: o.id,
        Action: o.action,
        Status: o.status,
        CreationTimestamp: o.created,
        ...(o.ended ? { EndTimestamp: o.ended } : {}),
        ...(o.statusReason ? { StatusReason: o.statusReason } : {}),
      })),
      NextToken: next,
    };
  }

  private describeStacks(input: any, context: CallContext) {
    const stack = this.stacks.get(`${context.accountId}/${context.region}/${input.StackName}`);
    if (!stack) throw cloudFormationError('ValidationError', `Stack with id ${input.StackName} does not exist`);
    return {
      Stacks: [
        { StackId: stack.stackId, StackName: stack.stackName, StackStatus: 'CREATE_COMPLETE', Outputs: stack.outputs },
      ],
    };
  }

  /**
   * Whether the operation fails on this instance. `failingTargets` stand for faults in the
   * account (a lost execution role, a bucket that is not empty): a RetainStacks=true deletion
   * leaves the stack alone, so they do not make it fail; the random rate applies to everything.
   */
  private fails(set: FakeStackSet, account: string, region: string, operation?: FakeOperation): boolean {
    const keys = [account, pairKey(account, region)];
    const retaining = operation?.action === 'DELETE' && operation.retainStacks;
    if (!retaining && keys.some((k) => this.failingTargets.has(k) || this.failingTargets.has(`${set.name}:${k}`))) {
      return true;
    }
    if (
      operation?.action === 'DELETE' &&
      !retaining &&
      this.deletionFailureRate > 0 &&
      this.fake.rng.next() < this.deletionFailureRate
    ) {
      return true;
    }
    return this.instanceFailureRate > 0 && this.fake.rng.next() < this.instanceFailureRate;
  }

  /**
   * Ends an operation as StackSets does: Region by Region (RegionOrder first; one at a time when
   * SEQUENTIAL), accounts in batches of the concurrency (MaxConcurrent, capped at tolerance + 1
   * under STRICT_FAILURE_TOLERANCE). Once a Region's failures exceed its tolerance
   * (FailureToleranceCount, or FailureTolerancePercentage of that Region's accounts, rounded
   * down), its accounts not yet started are CANCELLED, later Regions are not attempted
   * (CANCELLED), and the operation ends FAILED.
   */
  private finish(set: FakeStackSet, operation: FakeOperation): void {
    const preferences = operation.preferences ?? {};
    const regions = [...new Set(operation.pairs.map((p) => p.region))];
    const regionOrder: string[] = preferences.RegionOrder ?? [];
    const order = [
      ...regionOrder.filter((r) => regions.includes(r)),
      ...regions.filter((r) => !regionOrder.includes(r)),
    ];
    const sequential = preferences.RegionConcurrencyType === 'SEQUENTIAL';
    let stopped = false;
    let exceeded = false;
    for (const region of order) {
      const accounts = operation.pairs.filter((p) => p.region === region).map((p) => p.account);
      if (stopped) {
        for (const account of accounts) {
          this.cancel(set, operation, account, region, 'Cancelled since failure tolerance has exceeded');
        }
        continue;
      }
      const { tolerance, concurrency } = regionConcurrency(preferences, accounts.length);
      let failures = 0;
      let regionStopped = false;
      for (let i = 0; i < accounts.length; i += concurrency) {
        const batch = accounts.slice(i, i + concurrency);
        if (regionStopped) {
          for (const account of batch) {
            this.cancel(set, operation, account, region, 'Cancelled since failure tolerance has exceeded');
          }
          continue;
        }
        for (const account of batch) if (!this.run(set, operation, account, region)) failures++;
        if (failures > tolerance) regionStopped = true;
      }
      if (regionStopped) {
        exceeded = true;
        if (sequential) stopped = true;
      }
    }
    operation.status = exceeded ? 'FAILED' : 'SUCCEEDED';
    if (exceeded) operation.statusReason = 'The Operation failed because failure tolerance was exceeded';
    operation.ended = new Date(operation.readyAt ?? operation.created.getTime() + 60_000);
  }

  /** Runs the operation on one instance; false when it failed. */
  private run(set: FakeStackSet, operation: FakeOperation, account: string, region: string): boolean {
    const key = pairKey(account, region);
    const failed = this.fails(set, account, region, operation);
    const reason = failed
      ? `Account ${account} should have 'AWSControlTowerExecution' role with trust relationship to Role 'AWSControlTowerStackSetRole'.`
      : undefined;
    operation.results.push({
      Account: account,
      Region: region,
      Status: failed ? 'FAILED' : 'SUCCEEDED',
      ...(reason ? { StatusReason: reason } : {}),
    });
    if (operation.action === 'DELETE') {
      if (!failed) {
        set.instances.delete(key);
        if (!operation.retainStacks) this.stacks.delete(`${account}/${region}/${stackNameOf(set)}`);
      } else {
        set.instances.set(key, {
          ...(set.instances.get(key) ?? { account, region }),
          status: 'INOPERABLE',
          detailedStatus: 'FAILED',
          statusReason: reason,
        } as FakeInstance);
      }
      return !failed;
    }
    if (failed) {
      set.instances.set(key, {
        account,
        region,
        status: 'OUTDATED',
        detailedStatus: 'FAILED',
        statusReason: reason,
        stackId: set.instances.get(key)?.stackId,
      });
    } else {
      set.instances.set(key, {
        account,
        region,
        status: 'CURRENT',
        detailedStatus: 'SUCCEEDED',
        stackId: this.deployStack(set, account, region, operation.parameterOverrides),
      });
    }
    return !failed;
  }

  /** An instance the operation did not attempt: a new one exists OUTDATED, others keep their status. */
  private cancel(set: FakeStackSet, operation: FakeOperation, account: string, region: string, reason: string): void {
    operation.results.push({ Account: account, Region: region, Status: 'CANCELLED', StatusReason: reason });
    const key = pairKey(account, region);
    const existing = set.instances.get(key);
    if (operation.action === 'DELETE') {
      if (existing) existing.detailedStatus = 'CANCELLED';
      return;
    }
    set.instances.set(key, {
      account,
      region,
      status:
        existing?.status === 'CURRENT' && operation.action === 'UPDATE' ? 'OUTDATED' : (existing?.status ?? 'OUTDATED'),
      detailedStatus: 'CANCELLED',
      statusReason: reason,
      stackId: existing?.stackId,
    });
  }

  /** The template's Outputs, parsed once per template body (deployments of 1M instances stay cheap). */
  private outputDefinitions(body: string): [string, any][] {
    let outputs = this.outputCache.get(body);
    if (!outputs) {
      outputs = Object.entries((parseTemplate(body).Outputs ?? {}) as Record<string, any>);
      this.outputCache.set(body, outputs);
    }
    return outputs;
  }

  /** Deploys the stack set's template in the member account; outputs resolve `Ref` to parameters. */
  private deployStack(
    set: FakeStackSet,
    account: string,
    region: string,
    overrides?: { ParameterKey: string; ParameterValue: string }[],
  ): string {
    const name = stackNameOf(set);
    const stackId = `arn:aws:cloudformation:${region}:${account}:stack/${name}/fake`;
    const parameters = Object.fromEntries(
      [...set.parameters, ...(overrides ?? [])].map((p) => [p.ParameterKey, p.ParameterValue]),
    );
    const outputs = this.outputDefinitions(set.templateBody).map(([key, definition]) => ({
      OutputKey: key,
      OutputValue: outputValue(definition?.Value, parameters, account, region),
    }));
    this.stacks.set(`${account}/${region}/${name}`, { stackId, stackName: name, outputs });
    this.stacks.set(`${account}/${region}/${stackId}`, { stackId, stackName: name, outputs });
    return stackId;
  }
}

/**
 * StackSetOperationPreferences as the API validates them (CloudFormation API reference): one of
 * MaxConcurrentCount (>= 1) and MaxConcurrentPercentage (1-100), one of FailureToleranceCount
 * (>= 0) and FailureTolerancePercentage (0-100), never both of a pair; the enums as documented.
 * RegionOrder is accepted with either RegionConcurrencyType (the reference sets no condition).
 */
function checkOperationPreferences(preferences: any): void {
  if (preferences === undefined) return;
  const invalid = (message: string) => cloudFormationError('ValidationError', message);
  for (const [count, percentage] of [
    ['MaxConcurrentCount', 'MaxConcurrentPercentage'],
    ['FailureToleranceCount', 'FailureTolerancePercentage'],
  ]) {
    if (preferences[count] !== undefined && preferences[percentage] !== undefined) {
      throw invalid(`You can specify either ${count} or ${percentage}, but not both`);
    }
  }
  const ranges: [string, number, number][] = [
    ['MaxConcurrentCount', 1, Number.MAX_SAFE_INTEGER],
    ['MaxConcurrentPercentage', 1, 100],
    ['FailureToleranceCount', 0, Number.MAX_SAFE_INTEGER],
    ['FailureTolerancePercentage', 0, 100],
  ];
  for (const [key, min, max] of ranges) {
    const value = preferences[key];
    if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) {
      throw invalid(
        `1 validation error detected: Value '${value}' at 'operationPreferences.${key[0].toLowerCase()}${key.slice(1)}' failed to satisfy constraint: Member must have value ${max === Number.MAX_SAFE_INTEGER ? `greater than or equal to ${min}` : `between ${min} and ${max}`}`,
      );
    }
  }
  const enums: [string, string[]][] = [
    ['RegionConcurrencyType', ['SEQUENTIAL', 'PARALLEL']],
    ['ConcurrencyMode', ['STRICT_FAILURE_TOLERANCE', 'SOFT_FAILURE_TOLERANCE']],
  ];
  for (const [key, values] of enums) {
    if (preferences[key] !== undefined && !values.includes(preferences[key])) {
      throw invalid(
        `1 validation error detected: Value '${preferences[key]}' at 'operationPreferences.${key[0].toLowerCase()}${key.slice(1)}' failed to satisfy constraint: Member must satisfy enum value set: [${values.join(', ')}]`,
      );
    }
  }
}

/**
 * A Region's failure tolerance and concurrency (CloudFormation API reference, StackSetOperationPreferences):
 * percentages round down; under STRICT_FAILURE_TOLERANCE (the default) the concurrency is at
 * most the tolerance + 1; under SOFT_FAILURE_TOLERANCE it is the maximum concurrent count.
 */
function regionConcurrency(preferences: any, accounts: number): { tolerance: number; concurrency: number } {
  const tolerance =
    preferences.FailureToleranceCount ?? Math.floor(((preferences.FailureTolerancePercentage ?? 0) * accounts) / 100);
  const maxConcurrent =
    preferences.MaxConcurrentCount ??
    Math.max(1, Math.floor(((preferences.MaxConcurrentPercentage ?? 100) * accounts) / 100));
  const concurrency = Math.max(
    1,
    preferences.ConcurrencyMode === 'SOFT_FAILURE_TOLERANCE' ? maxConcurrent : Math.min(maxConcurrent, tolerance + 1),
  );
  return { tolerance, concurrency };
}

/** How long an operation takes under a timing model, if no Region exceeds its failure tolerance. */
function operationDuration(operation: FakeOperation, timing: OperationTiming): number {
  const preferences = operation.preferences ?? {};
  const perRegion = new Map<string, number>();
  for (const p of operation.pairs) perRegion.set(p.region, (perRegion.get(p.region) ?? 0) + 1);
  const regionMs = [...perRegion.values()].map((accounts) => {
    const batches = Math.ceil(accounts / regionConcurrency(preferences, accounts).concurrency);
    return batches * timing.instanceDeploymentMs;
  });
  const deployMs =
    preferences.RegionConcurrencyType === 'SEQUENTIAL' ? regionMs.reduce((a, b) => a + b, 0) : Math.max(0, ...regionMs);
  return timing.operationStartMs + deployMs;
}

function stackNameOf(set: FakeStackSet): string {
  return `StackSet-${set.name}-${set.id.split(':')[1]}`;
}

/** Parsed template bodies: every instance of a stack set deploys the same body, parsed once. */
const parsedTemplates = new Map<string, Readonly<Record<string, any>>>();

function parseTemplate(body: string): Readonly<Record<string, any>> {
  let template = parsedTemplates.get(body);
  if (!template) {
    const value = parse(body, { logLevel: 'silent' });
    template = value && typeof value === 'object' ? value : {};
    if (parsedTemplates.size >= 256) parsedTemplates.clear();
    parsedTemplates.set(body, template!);
  }
  return template!;
}

/** IAM resource types that need CAPABILITY_IAM or CAPABILITY_NAMED_IAM, with their custom-name property. */
const IAM_TYPES: Record<string, string | undefined> = {
  'AWS::IAM::AccessKey': undefined,
  'AWS::IAM::Group': 'GroupName',
  'AWS::IAM::InstanceProfile': 'InstanceProfileName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::IAM::Policy': undefined,
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::User': 'UserName',
  'AWS::IAM::UserToGroupAddition': undefined,
};

/**
 * CreateStackSet/UpdateStackSet template checks: a body that does not parse, or without
 * Resources, is a ValidationError; IAM resources need CAPABILITY_IAM (CAPABILITY_NAMED_IAM when
 * named), a Transform or Fn::Transform needs CAPABILITY_AUTO_EXPAND (InsufficientCapabilities).
 */
function checkTemplate(body: string, capabilities: readonly string[]): void {
  const { value, findings } = parseCfnTemplate(body, 'template');
  if (value === undefined) {
    throw cloudFormationError('ValidationError', `Template format error: ${findings[0]?.message ?? 'unreadable'}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw cloudFormationError('ValidationError', 'Template format error: JSON not well-formed.');
  }
  const resources = (value as Record<string, unknown>).Resources;
  if (!resources || typeof resources !== 'object') {
    throw cloudFormationError(
      'ValidationError',
      'Template format error: At least one Resources member must be defined.',
    );
  }
  const required = new Set<string>();
  for (const definition of Object.values(resources as Record<string, any>)) {
    const type = String(definition?.Type ?? '');
    if (!(type in IAM_TYPES)) continue;
    const nameProperty = IAM_TYPES[type];
    required.add(
      nameProperty && definition?.Properties?.[nameProperty] !== undefined ? 'CAPABILITY_NAMED_IAM' : 'CAPABILITY_IAM',
    );
  }
  if ((value as Record<string, unknown>).Transform !== undefined || body.includes('Fn::Transform')) {
    required.add('CAPABILITY_AUTO_EXPAND');
  }
  const has = new Set(capabilities);
  const missing = [...required].filter(
    (c) => !(has.has(c) || (c === 'CAPABILITY_IAM' && has.has('CAPABILITY_NAMED_IAM'))),
  );
  if (missing.length > 0) {
    throw error(InsufficientCapabilitiesException, `Requires capabilities : [${missing.join(', ')}]`);
  }
}

/** CloudFormation's tag rules: at most 50; keys 1-128 characters, not `aws:`; values 1-256. */
function checkTags(tags: readonly { Key?: string; Value?: string }[]): void {
  if (tags.length > 50) {
    throw cloudFormationError(
      'ValidationError',
      "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50",
    );
  }
  for (const { Key: key = '', Value: value = '' } of tags) {
    if (key.length < 1 || key.length > 128) {
      throw cloudFormationError(
        'ValidationError',
        `1 validation error detected: Value '${key}' at 'tags.member.key' failed to satisfy constraint: Member must have length between 1 and 128`,
      );
    }
    if (key.toLowerCase().startsWith('aws:')) {
      throw cloudFormationError('ValidationError', `Tag keys cannot start with 'aws:': ${key}`);
    }
    if (value.length < 1 || value.length > 256) {
      throw cloudFormationError(
        'ValidationError',
        `1 validation error detected: Value at 'tags.member.value' of tag ${key} failed to satisfy constraint: Member must have length between 1 and 256`,
      );
    }
  }
}

function noEchoKeys(body: string): Set<string> {
  const parameters = (parseTemplate(body).Parameters ?? {}) as Record<string, any>;
  return new Set(Object.keys(parameters).filter((k) => String(parameters[k]?.NoEcho).toLowerCase() === 'true'));
}

function outputValue(value: unknown, parameters: Record<string, string>, account: string, region: string): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'Ref' in value) {
    const ref = String((value as { Ref: unknown }).Ref);
    if (ref === 'AWS::AccountId') return account;
    if (ref === 'AWS::Region') return region;
    return parameters[ref] ?? `${ref}-${account}-${region}`;
  }
  return `value-${account}-${region}`;
}
