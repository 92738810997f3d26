/**
 * Fake AWS Organizations: one organization (root, OU tree, accounts with State/Status,
 * SERVICE_CONTROL_POLICY and RESOURCE_CONTROL_POLICY policies with content, description and
 * tags, attachments, policy types enabled on the root). Pages of at most 20 with NextToken,
 * AWS's quotas and AWS's error classes. Only the management account may call it.
 *
 * Setup methods (`addOu`, `addAccount`, `addPolicy`, ...) change the state directly, without
 * going through the API or its call log; the operations are what the code under test sees.
 */
import {
  AccessDeniedException,
  AccountNotFoundException,
  ConcurrentModificationException,
  ConstraintViolationException,
  DuplicateOrganizationalUnitException,
  DuplicatePolicyAttachmentException,
  DuplicatePolicyException,
  InvalidInputException,
  MalformedPolicyDocumentException,
  OrganizationalUnitNotFoundException,
  ParentNotFoundException,
  PolicyInUseException,
  PolicyNotAttachedException,
  PolicyNotFoundException,
  PolicyTypeAlreadyEnabledException,
  PolicyTypeNotEnabledException,
  RootNotFoundException,
  TargetNotFoundException,
  TooManyRequestsException,
} from '@aws-sdk/client-organizations';
import type { CallContext, FakeAws, FakeService } from './core';

export type FakePolicyType = 'SERVICE_CONTROL_POLICY' | 'RESOURCE_CONTROL_POLICY';
export type FakeAccountState = 'ACTIVE' | 'PENDING_ACTIVATION' | 'SUSPENDED' | 'PENDING_CLOSURE' | 'CLOSED';

/** Organizations' page size: list operations accept MaxResults 1..20. */
export const ORGANIZATIONS_PAGE_SIZE = 20;
/** Per-target limit of attached policies of one type (SCPs and RCPs alike). */
export const MAX_POLICIES_PER_TARGET = 5;
/** OUs nest at most this many levels below the root. */
export const MAX_OU_DEPTH = 5;
/** Maximum size of an SCP or RCP document, in characters. */
export const MAX_POLICY_CHARS = 5120;
/** Tags per resource (Organizations' quota); a request that would pass it fails as a whole. */
export const MAX_TAGS_PER_RESOURCE = 50;
/** Tag keys are 1 to 128 characters, values 0 to 256, both of letters, separators, digits and `_.:/=+-@` (API reference, Tag). */
export const TAG_KEY_MAX = 128;
export const TAG_VALUE_MAX = 256;
const TAG_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** The AWS-managed policy attached everywhere when a policy type is enabled. */
export const AWS_MANAGED_POLICIES: Readonly<Record<FakePolicyType, { id: string; name: string; description: string }>> =
  {
    SERVICE_CONTROL_POLICY: {
      id: 'p-FullAWSAccess',
      name: 'FullAWSAccess',
      description: 'Allows access to every operation',
    },
    RESOURCE_CONTROL_POLICY: {
      id: 'p-RCPFullAWSAccess',
      name: 'RCPFullAWSAccess',
      description: 'Allows access to every operation',
    },
  };

interface OuState {
  id: string;
  name: string;
  parentId: string;
}

interface AccountStateRecord {
  id: string;
  name: string;
  email: string;
  parentId: string;
  state: FakeAccountState;
}

interface PolicyState {
  id: string;
  name: string;
  type: FakePolicyType;
  description: string;
  content: string;
  awsManaged: boolean;
  tags: Map<string, string>;
}

/** A copy of a policy's state. */
export interface FakePolicyView {
  readonly id: string;
  readonly name: string;
  readonly type: FakePolicyType;
  readonly description: string;
  readonly content: string;
  readonly awsManaged: boolean;
  readonly tags: Readonly<Record<string, string>>;
}

/** Options of `FakeOrganizations`. */
export interface FakeOrganizationsOptions {
  /** @default '111111111111' */
  readonly managementAccountId?: string;
  /** @default ['SERVICE_CONTROL_POLICY'] (as Control Tower leaves an organization) */
  readonly enabledPolicyTypes?: readonly FakePolicyType[];
  /**
   * Answer without the `State` field of accounts (only the deprecated `Status`), as older
   * API versions did.
   * @default false
   */
  readonly omitAccountState?: boolean;
  /**
   * EnablePolicyType is asynchronous: the type reports PENDING_ENABLE (and attaching policies
   * of it fails) for this many ListRoots reads after the call, then ENABLED.
   * @default 2
   */
  readonly pendingEnableReads?: number;
}

/** The Organizations module of the fake. */
export class FakeOrganizations implements FakeService {
  readonly name = 'organizations';
  readonly organizationId: string;
  readonly rootId: string;
  readonly managementAccountId: string;
  readonly operations: FakeService['operations'];
  private readonly ous = new Map<string, OuState>();
  private readonly accounts = new Map<string, AccountStateRecord>();
  private readonly policies = new Map<string, PolicyState>();
  private readonly attachments = new Map<string, Set<string>>();
  private readonly enabledTypes = new Set<FakePolicyType>();
  /** Types enabled through the API whose enablement is still in progress: ListRoots reads left. */
  private readonly pendingTypes = new Map<FakePolicyType, number>();
  private readonly pendingEnableReads: number;
  private readonly omitAccountState: boolean;
  /** Tags of roots, OUs and accounts. */
  private readonly otherTags = new Map<string, Map<string, string>>();

  constructor(
    private readonly fake: FakeAws,
    options: FakeOrganizationsOptions = {},
  ) {
    this.managementAccountId = options.managementAccountId ?? '111111111111';
    this.omitAccountState = options.omitAccountState ?? false;
    this.pendingEnableReads = options.pendingEnableReads ?? 2;
    this.organizationId = `o-${fake.rng.chars(10)}`;
    this.rootId = `r-${fake.rng.chars(4)}`;
    this.attachments.set(this.rootId, new Set());
    this.accounts.set(this.managementAccountId, {
      id: this.managementAccountId,
      name: 'Management',
      email: 'management@example.com',
      parentId: this.rootId,
      state: 'ACTIVE',
    });
    this.attachments.set(this.managementAccountId, new Set());
    for (const type of options.enabledPolicyTypes ?? ['SERVICE_CONTROL_POLICY']) this.enableType(type);
    this.operations = this.buildOperations();
    fake.register(this);
  }

  // ---- setup and inspection (no API call, no call log) ----

  /** Adds an OU under `parentId` and returns its id (AWS's limits: unique sibling names, 5 levels). */
  addOu(parentId: string, name: string): string {
    this.requireParent(parentId);
    if ([...this.ous.values()].some((ou) => ou.parentId === parentId && ou.name === name)) {
      throw new DuplicateOrganizationalUnitException({
        message: 'An OU with the same name already exists.',
        $metadata: {},
      });
    }
    let depth = 1;
    for (let id = parentId; this.ous.has(id); id = this.ous.get(id)!.parentId) depth++;
    if (depth > MAX_OU_DEPTH) {
      throw constraint('OU_DEPTH_LIMIT_EXCEEDED', 'You attempted to create an OU tree that is too many levels deep.');
    }
    const id = `ou-${this.rootId.slice(2)}-${this.fake.rng.chars(8)}`;
    this.ous.set(id, { id, name, parentId });
    this.attachDefaults(id);
    return id;
  }

  /** Adds an account and returns its id. */
  addAccount(account: {
    name: string;
    parentId?: string;
    id?: string;
    email?: string;
    state?: FakeAccountState;
  }): string {
    const id = account.id ?? this.fake.rng.chars(12, '0123456789');
    const parentId = account.parentId ?? this.rootId;
    this.requireParent(parentId);
    this.accounts.set(id, {
      id,
      name: account.name,
      email: account.email ?? `${account.name.toLowerCase().replace(/[^a-z0-9]+/g, '.')}@example.com`,
      parentId,
      state: account.state ?? 'ACTIVE',
    });
    this.attachDefaults(id);
    return id;
  }

  setAccountState(accountId: string, state: FakeAccountState): void {
    this.requireAccount(accountId).state = state;
  }

  /** Adds a customer-managed policy (quotas apply) and returns its id. */
  addPolicy(policy: {
    name: string;
    type: FakePolicyType;
    content: string;
    description?: string;
    tags?: Record<string, string>;
    targets?: readonly string[];
  }): string {
    const id = this.createPolicy(policy.name, policy.type, policy.content, policy.description ?? '', policy.tags ?? {});
    for (const target of policy.targets ?? []) this.attach(id, target);
    return id;
  }

  /** Attaches a policy to a target, with the API's checks and quotas. */
  addPolicyTarget(policyId: string, targetId: string): void {
    this.attach(policyId, targetId);
  }

  /** Enables a policy type on the root (attaching the AWS-managed policy everywhere). */
  enableType(type: FakePolicyType): void {
    if (this.enabledTypes.has(type)) return;
    this.enabledTypes.add(type);
    const managed = AWS_MANAGED_POLICIES[type];
    if (!this.policies.has(managed.id)) {
      this.policies.set(managed.id, {
        id: managed.id,
        name: managed.name,
        type,
        description: managed.description,
        content: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
        awsManaged: true,
        tags: new Map(),
      });
    }
    for (const target of this.attachments.keys()) this.attachments.get(target)!.add(managed.id);
  }

  /** Whether the type is ENABLED on the root (not while PENDING_ENABLE). */
  isTypeEnabled(type: FakePolicyType): boolean {
    return this.enabledTypes.has(type);
  }

  /** Whether an EnablePolicyType of the type is still in progress (PENDING_ENABLE). */
  isTypePending(type: FakePolicyType): boolean {
    return this.pendingTypes.has(type);
  }

  /** A policy by id (a copy), or undefined. */
  policy(id: string): FakePolicyView | undefined {
    const p = this.policies.get(id);
    return p && { ...p, tags: Object.fromEntries(p.tags) };
  }

  /** Every policy (copies). */
  allPolicies() {
    return [...this.policies.keys()].map((id) => this.policy(id)!);
  }

  /** Ids of the policies attached to a target. */
  attachedTo(targetId: string): string[] {
    return [...(this.attachments.get(targetId) ?? [])];
  }

  /** Ids of the targets a policy is attached to. */
  targetsOf(policyId: string): string[] {
    return [...this.attachments.entries()].filter(([, set]) => set.has(policyId)).map(([target]) => target);
  }

  /** Ids of every OU. */
  ouIds(): string[] {
    return [...this.ous.keys()];
  }

  /** Ids of every account. */
  accountIds(): string[] {
    return [...this.accounts.keys()];
  }

  // ---- the API ----

  private buildOperations(): FakeService['operations'] {
    const guard = (handler: (input: any) => unknown) => (input: any, context: CallContext) => {
      if (context.accountId !== this.managementAccountId) {
        throw new AccessDeniedException({
          message: "You don't have permissions to access this resource.",
          $metadata: { httpStatusCode: 400 },
        });
      }
      return handler(input);
    };
    const ops: Record<string, (input: any) => unknown> = {
      DescribeOrganization: () => ({
        Organization: {
          Id: this.organizationId,
          Arn: `arn:aws:organizations::${this.managementAccountId}:organization/${this.organizationId}`,
          FeatureSet: 'ALL',
          MasterAccountId: this.managementAccountId,
          MasterAccountArn: `arn:aws:organizations::${this.managementAccountId}:account/${this.organizationId}/${this.managementAccountId}`,
          MasterAccountEmail: this.accounts.get(this.managementAccountId)!.email,
        },
      }),
      ListRoots: (input) => {
        const output = this.page('ListRoots', [this.rootOutput()], input, (items, token) => ({
          Roots: items,
          NextToken: token,
        }));
        this.advancePending();
        return output;
      },
      ListOrganizationalUnitsForParent: (input) => {
        this.requireParent(input.ParentId);
        const ous = [...this.ous.values()]
          .filter((ou) => ou.parentId === input.ParentId)
          .map((ou) => this.ouOutput(ou));
        return this.page('ListOrganizationalUnitsForParent', ous, input, (items, token) => ({
          OrganizationalUnits: items,
          NextToken: token,
        }));
      },
      ListAccountsForParent: (input) => {
        this.requireParent(input.ParentId);
        const accounts = [...this.accounts.values()].filter((a) => a.parentId === input.ParentId);
        return this.page('ListAccountsForParent', accounts, input, (items, token) => ({
          Accounts: items.map((a) => this.accountOutput(a)),
          NextToken: token,
        }));
      },
      ListAccounts: (input) =>
        this.page('ListAccounts', [...this.accounts.values()], input, (items, token) => ({
          Accounts: items.map((a) => this.accountOutput(a)),
          NextToken: token,
        })),
      DescribeAccount: (input) => {
        const account = this.accounts.get(input.AccountId);
        if (!account) {
          throw new AccountNotFoundException({
            message: "You specified an account that doesn't exist.",
            $metadata: {},
          });
        }
        return { Account: this.accountOutput(account) };
      },
      DescribeOrganizationalUnit: (input) => {
        const ou = this.ous.get(input.OrganizationalUnitId);
        if (!ou) {
          throw new OrganizationalUnitNotFoundException({
            message: "We can't find an OU with the OrganizationalUnitId that you specified.",
            $metadata: {},
          });
        }
        return { OrganizationalUnit: this.ouOutput(ou) };
      },
      ListPolicies: (input) => {
        const type = this.requireType(input.Filter);
        const policies = [...this.policies.values()].filter((p) => p.type === type).map((p) => this.policySummary(p));
        return this.page('ListPolicies', policies, input, (items, token) => ({ Policies: items, NextToken: token }));
      },
      DescribePolicy: (input) => {
        const policy = this.requirePolicy(input.PolicyId);
        return { Policy: { PolicySummary: this.policySummary(policy), Content: policy.content } };
      },
      ListTargetsForPolicy: (input) => {
        const policy = this.requirePolicy(input.PolicyId);
        return this.page('ListTargetsForPolicy', this.targetsOf(policy.id), input, (items, token) => ({
          Targets: items.map((id) => this.targetSummary(id)),
          NextToken: token,
        }));
      },
      ListPoliciesForTarget: (input) => {
        const type = this.requireType(input.Filter);
        this.requireTarget(input.TargetId);
        const policies = this.attachedTo(input.TargetId)
          .map((id) => this.policies.get(id)!)
          .filter((p) => p.type === type)
          .map((p) => this.policySummary(p));
        return this.page('ListPoliciesForTarget', policies, input, (items, token) => ({
          Policies: items,
          NextToken: token,
        }));
      },
      ListTagsForResource: (input) => {
        const tags = this.taggable(input.ResourceId);
        return this.page(
          'ListTagsForResource',
          [...tags].map(([Key, Value]) => ({ Key, Value })),
          input,
          (items, token) => ({
            Tags: items,
            NextToken: token,
          }),
        );
      },
      TagResource: (input) => {
        const tags = this.taggable(input.ResourceId);
        const added = validateTags(input.Tags ?? []);
        const after = new Map([...tags, ...added]);
        if ([...after.keys()].filter((k) => !isSystemTag(k)).length > MAX_TAGS_PER_RESOURCE) throw tagLimit();
        for (const [key, value] of added) tags.set(key, value);
        return {};
      },
      UntagResource: (input) => {
        const tags = this.taggable(input.ResourceId);
        for (const key of input.TagKeys ?? []) tags.delete(key);
        return {};
      },
      CreatePolicy: (input) => {
        const tags = Object.fromEntries(validateTags(input.Tags ?? []));
        if (Object.keys(tags).length > MAX_TAGS_PER_RESOURCE) throw tagLimit();
        const type = this.requireType(input.Type);
        const id = this.createPolicy(input.Name, type, input.Content, input.Description ?? '', tags);
        return { Policy: { PolicySummary: this.policySummary(this.policies.get(id)!), Content: input.Content } };
      },
      UpdatePolicy: (input) => {
        const policy = this.requirePolicy(input.PolicyId);
        if (policy.awsManaged) throw accessDenied("You can't modify an AWS managed policy.");
        if (input.Content !== undefined) {
          validateContent(input.Content);
          policy.content = input.Content;
        }
        if (input.Description !== undefined) policy.description = input.Description;
        if (input.Name !== undefined && input.Name !== policy.name) {
          this.requireUniqueName(input.Name, policy.type);
          policy.name = input.Name;
        }
        return { Policy: { PolicySummary: this.policySummary(policy), Content: policy.content } };
      },
      DeletePolicy: (input) => {
        const policy = this.requirePolicy(input.PolicyId);
        if (policy.awsManaged) throw accessDenied("You can't delete an AWS managed policy.");
        if (this.targetsOf(policy.id).length > 0) {
          throw new PolicyInUseException({
            message:
              'The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation.',
            $metadata: {},
          });
        }
        this.policies.delete(policy.id);
        return {};
      },
      AttachPolicy: (input) => {
        this.attach(input.PolicyId, input.TargetId);
        return {};
      },
      DetachPolicy: (input) => {
        this.detach(input.PolicyId, input.TargetId);
        return {};
      },
      EnablePolicyType: (input) => {
        if (input.RootId !== this.rootId) {
          throw new RootNotFoundException({
            message: "We can't find a root with the RootId that you specified.",
            $metadata: {},
          });
        }
        const type = this.requireType(input.PolicyType);
        if (this.enabledTypes.has(type) || this.pendingTypes.has(type)) {
          throw new PolicyTypeAlreadyEnabledException({
            message: 'The specified policy type is already enabled.',
            $metadata: {},
          });
        }
        // Asynchronous, as in AWS: the root reports PENDING_ENABLE until the change is done.
        if (this.pendingEnableReads > 0) this.pendingTypes.set(type, this.pendingEnableReads);
        else this.enableType(type);
        return { Root: this.rootOutput() };
      },
    };
    return Object.fromEntries(Object.entries(ops).map(([name, handler]) => [name, guard(handler)]));
  }

  /** One ListRoots read more: pending enablements count down, and finish at zero. */
  private advancePending(): void {
    for (const [type, left] of [...this.pendingTypes]) {
      if (left <= 1) {
        this.pendingTypes.delete(type);
        this.enableType(type);
      } else {
        this.pendingTypes.set(type, left - 1);
      }
    }
  }

  private createPolicy(
    name: string,
    type: FakePolicyType,
    content: string,
    description: string,
    tags: Record<string, string>,
  ): string {
    validateContent(content);
    this.requireUniqueName(name, type);
    const id = `p-${this.fake.rng.chars(8)}`;
    this.policies.set(id, {
      id,
      name,
      type,
      description,
      content,
      awsManaged: false,
      tags: new Map(Object.entries(tags)),
    });
    return id;
  }

  private attach(policyId: string, targetId: string): void {
    const policy = this.requirePolicy(policyId);
    const attached = this.requireTarget(targetId);
    if (!this.enabledTypes.has(policy.type)) {
      throw new PolicyTypeNotEnabledException({
        message: 'This operation can be performed only for enabled policy types.',
        $metadata: {},
      });
    }
    if (attached.has(policyId)) {
      throw new DuplicatePolicyAttachmentException({
        message: 'The selected policy is already attached to the specified target.',
        $metadata: {},
      });
    }
    const sameType = [...attached].filter((id) => this.policies.get(id)?.type === policy.type).length;
    if (sameType >= MAX_POLICIES_PER_TARGET) {
      throw constraint(
        'MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED',
        'You attempted to exceed the number of policies of a certain type that can be attached to an entity at one time.',
      );
    }
    attached.add(policyId);
  }

  private detach(policyId: string, targetId: string): void {
    const policy = this.requirePolicy(policyId);
    const attached = this.requireTarget(targetId);
    if (!attached.has(policyId)) {
      throw new PolicyNotAttachedException({
        message: "The policy isn't attached to the specified target in the specified root.",
        $metadata: {},
      });
    }
    if (policy.id === AWS_MANAGED_POLICIES.RESOURCE_CONTROL_POLICY.id) {
      throw new InvalidInputException({
        message: "You can't detach the RCPFullAWSAccess policy.",
        Reason: 'NON_DETACHABLE_POLICY',
        $metadata: {},
      });
    }
    const sameType = [...attached].filter((id) => this.policies.get(id)?.type === policy.type).length;
    if (policy.type === 'SERVICE_CONTROL_POLICY' && sameType <= 1) {
      throw constraint(
        'MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED',
        'You attempted to detach a policy from an entity that would cause the entity to have fewer than the minimum number of policies of a certain type required.',
      );
    }
    attached.delete(policyId);
  }

  private attachDefaults(targetId: string): void {
    const set = new Set<string>();
    for (const type of this.enabledTypes) set.add(AWS_MANAGED_POLICIES[type].id);
    this.attachments.set(targetId, set);
  }

  /**
   * One page of `items`. The token encodes the operation and offset; a token from another
   * operation, or an unparsable one, is an InvalidInputException (INVALID_NEXT_TOKEN) as in AWS.
   */
  /** One page of `items`, given to `shape` (which turns only that page into output, so large lists stay cheap). */
  private page<T>(
    operation: string,
    items: T[],
    input: { NextToken?: string; MaxResults?: number },
    shape: (items: T[], token?: string) => object,
  ): object {
    const max = input.MaxResults ?? ORGANIZATIONS_PAGE_SIZE;
    if (!Number.isInteger(max) || max < 1 || max > ORGANIZATIONS_PAGE_SIZE) {
      throw new InvalidInputException({
        message: `MaxResults must be between 1 and ${ORGANIZATIONS_PAGE_SIZE}.`,
        Reason: max < 1 ? 'MIN_VALUE_EXCEEDED' : 'MAX_VALUE_EXCEEDED',
        $metadata: {},
      });
    }
    let start = 0;
    if (input.NextToken !== undefined) {
      const [op, offset] = Buffer.from(input.NextToken, 'base64').toString('utf8').split(':');
      start = Number(offset);
      if (op !== operation || !Number.isInteger(start) || start < 0) {
        throw new InvalidInputException({
          message: 'The specified token is invalid.',
          Reason: 'INVALID_NEXT_TOKEN',
          $metadata: {},
        });
      }
    }
    const end = start + max;
    const token = end < items.length ? Buffer.from(`${operation}:${end}`).toString('base64') : undefined;
    return shape(items.slice(start, end), token);
  }

  private rootOutput() {
    return {
      Id: this.rootId,
      Arn: `arn:aws:organizations::${this.managementAccountId}:root/${this.organizationId}/${this.rootId}`,
      Name: 'Root',
      PolicyTypes: [
        ...[...this.enabledTypes].map((Type) => ({ Type, Status: 'ENABLED' })),
        ...[...this.pendingTypes.keys()].map((Type) => ({ Type, Status: 'PENDING_ENABLE' })),
      ],
    };
  }

  private ouOutput(ou: OuState) {
    return {
      Id: ou.id,
      Arn: `arn:aws:organizations::${this.managementAccountId}:ou/${this.organizationId}/${ou.id}`,
      Name: ou.name,
    };
  }

  private accountOutput(account: AccountStateRecord) {
    const status = {
      ACTIVE: 'ACTIVE',
      PENDING_ACTIVATION: 'ACTIVE',
      SUSPENDED: 'SUSPENDED',
      PENDING_CLOSURE: 'PENDING_CLOSURE',
      CLOSED: 'SUSPENDED',
    }[account.state];
    return {
      Id: account.id,
      Arn: `arn:aws:organizations::${this.managementAccountId}:account/${this.organizationId}/${account.id}`,
      Email: account.email,
      Name: account.name,
      Status: status,
      ...(this.omitAccountState ? {} : { State: account.state }),
      JoinedMethod: 'CREATED',
      JoinedTimestamp: new Date(Date.UTC(2024, 0, 1)),
    };
  }

  private policySummary(policy: PolicyState) {
    return {
      Id: policy.id,
      Arn: policy.awsManaged
        ? `arn:aws:organizations::aws:policy/${policy.type.toLowerCase()}/${policy.id}`
        : `arn:aws:organizations::${this.managementAccountId}:policy/${this.organizationId}/${policy.type.toLowerCase()}/${policy.id}`,
      Name: policy.name,
      Description: policy.description,
      Type: policy.type,
      AwsManaged: policy.awsManaged,
    };
  }

  private targetSummary(targetId: string) {
    if (targetId === this.rootId) return { TargetId: targetId, Arn: this.rootOutput().Arn, Name: 'Root', Type: 'ROOT' };
    const ou = this.ous.get(targetId);
    if (ou) return { TargetId: targetId, Arn: this.ouOutput(ou).Arn, Name: ou.name, Type: 'ORGANIZATIONAL_UNIT' };
    const account = this.accounts.get(targetId)!;
    return { TargetId: targetId, Arn: this.accountOutput(account).Arn, Name: account.name, Type: 'ACCOUNT' };
  }

  private requireParent(parentId: string): void {
    if (parentId !== this.rootId && !this.ous.has(parentId)) {
      throw new ParentNotFoundException({
        message: "We can't find a root or OU with the ParentId that you specified.",
        $metadata: {},
      });
    }
  }

  private requireAccount(accountId: string): AccountStateRecord {
    const account = this.accounts.get(accountId);
    if (!account) {
      throw new AccountNotFoundException({ message: "You specified an account that doesn't exist.", $metadata: {} });
    }
    return account;
  }

  private requireTarget(targetId: string): Set<string> {
    const attached = this.attachments.get(targetId);
    if (!attached) {
      throw new TargetNotFoundException({
        message: "We can't find a root, OU, account, or policy with the TargetId that you specified.",
        $metadata: {},
      });
    }
    return attached;
  }

  private requirePolicy(policyId: string): PolicyState {
    const policy = this.policies.get(policyId);
    if (!policy) {
      throw new PolicyNotFoundException({
        message: "We can't find a policy with the PolicyId that you specified.",
        $metadata: {},
      });
    }
    return policy;
  }

  private requireType(type: string): FakePolicyType {
    if (type !== 'SERVICE_CONTROL_POLICY' && type !== 'RESOURCE_CONTROL_POLICY') {
      throw new InvalidInputException({
        message: `The fake supports SCPs and RCPs only, got ${type}.`,
        Reason: 'INVALID_ENUM_POLICY_TYPE',
        $metadata: {},
      });
    }
    return type;
  }

  private requireUniqueName(name: string, type: FakePolicyType): void {
    for (const p of this.policies.values()) {
      if (p.type === type && p.name === name) {
        throw new DuplicatePolicyException({ message: 'A policy with the same name already exists.', $metadata: {} });
      }
    }
  }

  /** Tags of a taggable resource: a customer-managed policy, an OU, an account or the root. */
  private taggable(resourceId: string): Map<string, string> {
    const policy = this.policies.get(resourceId);
    if (policy) {
      if (policy.awsManaged) {
        throw new InvalidInputException({
          message: "You can't tag an AWS managed policy.",
          Reason: 'IMMUTABLE_POLICY',
          $metadata: {},
        });
      }
      return policy.tags;
    }
    if (this.attachments.has(resourceId)) {
      let tags = this.otherTags.get(resourceId);
      if (!tags) this.otherTags.set(resourceId, (tags = new Map()));
      return tags;
    }
    throw new TargetNotFoundException({
      message: "We can't find a root, OU, account, or policy with the TargetId that you specified.",
      $metadata: {},
    });
  }
}

/** A TooManyRequestsException, as Organizations throws when throttling. */
export function throttling(): Error {
  return new TooManyRequestsException({
    message:
      "AWS Organizations can't complete your request because another request is already in progress. Try again later.",
    Type: 'RequestLimitExceeded',
    $metadata: { httpStatusCode: 400 },
  } as any);
}

/** A ConcurrentModificationException, as Organizations throws under parallel writes. */
export function concurrentModification(): Error {
  return new ConcurrentModificationException({
    message: 'The target of the operation is currently being modified by a different request. Try again later.',
    $metadata: { httpStatusCode: 400 },
  });
}

/** Organizations write operations (for fault injection on writes only). */
export const ORGANIZATIONS_WRITES = /^(Create|Update|Delete|Attach|Detach|Enable|Disable|Tag|Untag)/;

function constraint(reason: string, message: string): Error {
  return new ConstraintViolationException({ message, Reason: reason as any, $metadata: {} });
}

function accessDenied(message: string): Error {
  return new AccessDeniedException({ message, $metadata: {} });
}

/** System tags (`aws:` prefix, any case) are AWS's: they cannot be set, and do not count toward the quota. */
function isSystemTag(key: string): boolean {
  return key.toLowerCase().startsWith('aws:');
}

/**
 * Checks a request's tags as Organizations does (the whole request fails on one bad tag) and
 * returns them as entries: key 1-128 and value 0-256 characters of the allowed pattern, a value
 * (possibly empty, never null), no key twice, no system key.
 */
function validateTags(tags: readonly { Key?: unknown; Value?: unknown }[]): [string, string][] {
  const invalid = (reason: string, message: string) =>
    new InvalidInputException({ message, Reason: reason as any, $metadata: {} });
  const seen = new Set<string>();
  return tags.map((tag) => {
    const { Key: key, Value: value } = tag;
    if (typeof key !== 'string' || typeof value !== 'string') {
      throw invalid('INPUT_REQUIRED', 'You must specify a value for all required fields.');
    }
    if (key.length < 1) {
      throw invalid('MIN_LENGTH_EXCEEDED', 'You provided a string parameter that is shorter than allowed.');
    }
    if ([...key].length > TAG_KEY_MAX || [...value].length > TAG_VALUE_MAX) {
      throw invalid('MAX_LENGTH_EXCEEDED', 'You provided a string parameter that is longer than allowed.');
    }
    if (!TAG_PATTERN.test(key) || !TAG_PATTERN.test(value)) {
      throw invalid('INVALID_PATTERN', 'You provided a value that does not match the required pattern.');
    }
    if (isSystemTag(key)) {
      throw invalid(
        'INVALID_SYSTEM_TAGS_PARAMETER',
        "You specified a tag key that is a system tag. You can't add, edit, or delete system tag keys because they're reserved for AWS use.",
      );
    }
    if (seen.has(key)) {
      throw invalid('DUPLICATE_TAG_KEY', 'Tag keys must be unique among the tags attached to the same entity.');
    }
    seen.add(key);
    return [key, value];
  });
}

function tagLimit(): Error {
  return constraint('MAX_TAG_LIMIT_EXCEEDED', 'You have exceeded the number of tags allowed on this resource.');
}

function validateContent(content: unknown): void {
  if (typeof content !== 'string') {
    throw new InvalidInputException({ message: 'Content is required.', Reason: 'INPUT_REQUIRED', $metadata: {} });
  }
  if (content.length > MAX_POLICY_CHARS) {
    throw constraint('POLICY_CONTENT_LIMIT_EXCEEDED', 'You attempted to create a policy larger than the maximum size.');
  }
  try {
    JSON.parse(content);
  } catch {
    throw new MalformedPolicyDocumentException({
      message: "The provided policy document doesn't meet the requirements of the specified policy type.",
      $metadata: {},
    });
  }
}
