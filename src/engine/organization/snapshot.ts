/**
 * The organization snapshot: what the engine knows about the organization when it plans.
 * Plain JSON-compatible data (see docs/organization-snapshot.md), so plans can also be made
 * offline from an exported snapshot.
 */

import type { StackSetSnapshot, StackSetSnapshotRequest } from '../stacksets/snapshot';

/** The policy types this library manages. */
export type PolicyType = 'SERVICE_CONTROL_POLICY' | 'RESOURCE_CONTROL_POLICY';

export const POLICY_TYPES: readonly PolicyType[] = ['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY'];

/** Account state: the API's `State` where it returns it, else its deprecated `Status`. */
export type AccountState = 'ACTIVE' | 'PENDING_ACTIVATION' | 'SUSPENDED' | 'PENDING_CLOSURE' | 'CLOSED';

export interface SnapshotRoot {
  readonly id: string;
  readonly name: string;
  /** Policy types whose status on the root is ENABLED. */
  readonly enabledPolicyTypes: readonly PolicyType[];
}

export interface SnapshotOrganizationalUnit {
  readonly id: string;
  readonly name: string;
  /** A root id or an OU id. */
  readonly parentId: string;
}

export interface SnapshotAccount {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly parentId: string;
  readonly state: AccountState;
}

export interface SnapshotPolicy {
  readonly id: string;
  readonly name: string;
  readonly type: PolicyType;
  readonly description: string;
  readonly awsManaged: boolean;
  /** The policy document as stored; absent for AWS-managed policies (not read). */
  readonly content?: string;
  /** Tags (AWS-managed policies have none). */
  readonly tags: Readonly<Record<string, string>>;
  /** Roots, OUs and accounts the policy is attached to. */
  readonly targetIds: readonly string[];
}

/**
 * What a snapshot was read for, beyond the organization tree (always read whole), so a plan can
 * tell whether the snapshot holds everything it needs and plan exactly as the live organization.
 */
export interface SnapshotCoverage {
  /** Policy types whose policies are all in `policies`. */
  readonly policyTypes: readonly PolicyType[];
  /** Other types, checked to hold no policy tagged as this installation's (so nothing to read). */
  readonly unownedPolicyTypes?: {
    readonly installationId: string;
    readonly policyTypes: readonly PolicyType[];
  };
  /**
   * The request the `stackSets` section was read for (absent: there is no such section): every
   * stack set with the prefix, those named, and the SSM parameters named (the ones absent from
   * `stackSets.ssm` do not exist).
   */
  readonly stackSets?: StackSetSnapshotRequest;
}

export interface OrganizationSnapshot {
  readonly organizationId: string;
  readonly managementAccountId: string;
  /** ISO 8601 time the snapshot was taken. */
  readonly takenAt: string;
  readonly roots: readonly SnapshotRoot[];
  /** Every OU of every depth, parents before children. */
  readonly organizationalUnits: readonly SnapshotOrganizationalUnit[];
  readonly accounts: readonly SnapshotAccount[];
  /** Policies of the types that were read. */
  readonly policies: readonly SnapshotPolicy[];
  /** Stack sets, their instances and the SSM values the manifest reads (home region), when read. */
  readonly stackSets?: StackSetSnapshot;
  /** What was read; absent in snapshots written before it existed (then: every policy type). */
  readonly coverage?: SnapshotCoverage;
}
