/**
 * The stack set snapshot's data: what planning reads of existing stack sets, and its JSON Schema
 * (the `stackSets` field of an exported organization snapshot, and the states the state cache
 * keeps). Read by snapshot.ts; a module of its own so the state cache and the reader share it.
 */
import type { StackSetRecord } from './fingerprint';
import type { SsmValue } from './parameters';

/** One existing stack instance. */
export interface StackInstanceState {
  readonly account: string;
  readonly region: string;
  readonly status: 'CURRENT' | 'OUTDATED' | 'INOPERABLE';
  readonly detailedStatus?: string;
  readonly statusReason?: string;
}

/** One parameter of an existing stack set. */
export interface StackSetParameterState {
  readonly key: string;
  /** Absent when the value holds a secret. */
  readonly value?: string;
  /** Per element: SHA-256, or for an element that is a secret, its keyed digest (see parameters.ts). */
  readonly elementHashes: readonly string[];
}

/** One existing stack set, as planning needs it. */
export interface StackSetState {
  readonly name: string;
  readonly id: string;
  readonly description?: string;
  /** Hash of the normalised template (see template.ts); undefined when it could not be parsed. */
  readonly templateHash?: string;
  /** The template as DescribeStackSet returns it, for the plan's template diff. */
  readonly templateBody?: string;
  /**
   * As DescribeStackSet returns them (NoEcho values are `****`), with per-element digests. A
   * value holding an element of a SecureString read for the snapshot is kept only as digests.
   */
  readonly parameters: readonly StackSetParameterState[];
  readonly tags: Readonly<Record<string, string>>;
  readonly capabilities: readonly string[];
  readonly administrationRoleArn?: string;
  readonly executionRoleName?: string;
  readonly permissionModel?: string;
  readonly instances: readonly StackInstanceState[];
  /** The management account's record of the stack set (owner, NoEcho fingerprint), if any. */
  readonly record?: StackSetRecord;
}

/** Stack sets and SSM values of the management account (home region). */
export interface StackSetSnapshot {
  readonly homeRegion: string;
  /** Existing stack sets by name: the manifest's, and others with the prefix. */
  readonly stackSets: Readonly<Record<string, StackSetState>>;
  /** Accounts with an instance of Control Tower's baseline stack set; undefined when it does not exist. */
  readonly baselineAccounts?: readonly string[];
  /**
   * OUs with Control Tower's AWSControlTowerBaseline enabled (SUCCEEDED), from ListEnabledBaselines;
   * undefined when they could not be read or none is enabled.
   */
  readonly enrolledOus?: readonly string[];
  /** SSM parameters the manifest reads or stores helpers in (missing names are absent). */
  readonly ssm: Readonly<Record<string, SsmValue>>;
}

const STRINGS = { type: 'array', items: { type: 'string' } };

/** JSON Schema of a `StackSetSnapshot` (the `stackSets` field of an exported organization snapshot). */
export const STACK_SET_SNAPSHOT_SCHEMA = {
  type: 'object',
  required: ['homeRegion', 'stackSets', 'ssm'],
  additionalProperties: false,
  properties: {
    homeRegion: { type: 'string' },
    baselineAccounts: STRINGS,
    enrolledOus: STRINGS,
    stackSets: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['name', 'id', 'parameters', 'tags', 'capabilities', 'instances'],
        additionalProperties: false,
        properties: {
          name: { type: 'string' },
          id: { type: 'string' },
          description: { type: 'string' },
          templateHash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
          templateBody: { type: 'string' },
          parameters: {
            type: 'array',
            items: {
              type: 'object',
              required: ['key', 'elementHashes'],
              additionalProperties: false,
              properties: { key: { type: 'string' }, value: { type: 'string' }, elementHashes: STRINGS },
            },
          },
          tags: { type: 'object', additionalProperties: { type: 'string' } },
          capabilities: STRINGS,
          administrationRoleArn: { type: 'string' },
          executionRoleName: { type: 'string' },
          permissionModel: { type: 'string' },
          record: {
            type: 'object',
            required: ['owner'],
            additionalProperties: false,
            properties: { owner: { type: 'string' }, noEcho: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
          },
          instances: {
            type: 'array',
            items: {
              type: 'object',
              required: ['account', 'region', 'status'],
              additionalProperties: false,
              properties: {
                account: { type: 'string' },
                region: { type: 'string' },
                status: { enum: ['CURRENT', 'OUTDATED', 'INOPERABLE'] },
                detailedStatus: { type: 'string' },
                statusReason: { type: 'string' },
              },
            },
          },
        },
      },
    },
    ssm: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['name', 'type', 'elementHashes', 'version'],
        additionalProperties: false,
        properties: {
          name: { type: 'string' },
          type: { enum: ['String', 'StringList', 'SecureString'] },
          value: { type: 'string' },
          elementHashes: STRINGS,
          version: { type: 'integer' },
        },
      },
    },
  },
} as const;
