/**
 * The snapshot as a JSON document (format documented in docs/organization-snapshot.md), so a
 * plan can be made offline from `cfct org export` output. Parsing never throws: a bad document
 * ends in findings.
 */
import Ajv from 'ajv';
import type { Finding } from '../../manifest/findings';
import { engineFinding } from '../rules';
import { OrganizationSnapshot, POLICY_TYPES } from './snapshot';
import { STACK_SET_SNAPSHOT_SCHEMA } from '../stacksets/snapshot';

/** Version of the snapshot JSON format; bumped on any incompatible change. */
export const SNAPSHOT_FORMAT_VERSION = 1;

/** Serialises a snapshot: `{ "formatVersion": 1, ...snapshot }`, two-space indented. */
export function serialiseSnapshot(snapshot: OrganizationSnapshot): string {
  return `${JSON.stringify({ formatVersion: SNAPSHOT_FORMAT_VERSION, ...snapshot }, null, 2)}\n`;
}

const ID = { type: 'string', minLength: 1 };
const STATE = { enum: ['ACTIVE', 'PENDING_ACTIVATION', 'SUSPENDED', 'PENDING_CLOSURE', 'CLOSED'] };
const TYPE = { enum: POLICY_TYPES };

/** JSON Schema of the snapshot document. */
export const SNAPSHOT_SCHEMA = {
  type: 'object',
  required: [
    'formatVersion',
    'organizationId',
    'managementAccountId',
    'takenAt',
    'roots',
    'organizationalUnits',
    'accounts',
    'policies',
  ],
  additionalProperties: false,
  properties: {
    formatVersion: { const: SNAPSHOT_FORMAT_VERSION },
    organizationId: { type: 'string' },
    managementAccountId: { type: 'string', pattern: '^\\d{12}$' },
    takenAt: { type: 'string' },
    stackSets: STACK_SET_SNAPSHOT_SCHEMA,
    coverage: {
      type: 'object',
      required: ['policyTypes'],
      additionalProperties: false,
      properties: {
        policyTypes: { type: 'array', items: TYPE },
        unownedPolicyTypes: {
          type: 'object',
          required: ['installationId', 'policyTypes'],
          additionalProperties: false,
          properties: { installationId: { type: 'string', minLength: 1 }, policyTypes: { type: 'array', items: TYPE } },
        },
        stackSets: {
          type: 'object',
          required: ['homeRegion', 'prefix', 'names', 'ssmNames'],
          additionalProperties: false,
          properties: {
            homeRegion: { type: 'string' },
            prefix: { type: 'string' },
            names: { type: 'array', items: { type: 'string' } },
            ssmNames: { type: 'array', items: { type: 'string' } },
          },
        },
      },
    },
    roots: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name', 'enabledPolicyTypes'],
        additionalProperties: false,
        properties: { id: ID, name: { type: 'string' }, enabledPolicyTypes: { type: 'array', items: TYPE } },
      },
    },
    organizationalUnits: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name', 'parentId'],
        additionalProperties: false,
        properties: { id: ID, name: { type: 'string' }, parentId: ID },
      },
    },
    accounts: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name', 'email', 'parentId', 'state'],
        additionalProperties: false,
        properties: {
          id: { type: 'string', pattern: '^\\d{12}$' },
          name: { type: 'string' },
          email: { type: 'string' },
          parentId: ID,
          state: STATE,
        },
      },
    },
    policies: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name', 'type', 'description', 'awsManaged', 'tags', 'targetIds'],
        additionalProperties: false,
        properties: {
          id: ID,
          name: { type: 'string' },
          type: TYPE,
          description: { type: 'string' },
          awsManaged: { type: 'boolean' },
          content: { type: 'string' },
          tags: { type: 'object', additionalProperties: { type: 'string' } },
          targetIds: { type: 'array', items: ID },
        },
      },
    },
  },
} as const;

const validate = new Ajv({ allErrors: true }).compile(SNAPSHOT_SCHEMA);

/** The result of parsing: a snapshot when the document is usable, and findings either way. */
export interface ParsedSnapshot {
  readonly snapshot?: OrganizationSnapshot;
  readonly findings: readonly Finding[];
}

/** Parses a snapshot document; `file` names it in findings. */
export function parseSnapshot(text: string, file = 'organization.json'): ParsedSnapshot {
  const problem = (message: string, path?: string, hint?: string): Finding =>
    engineFinding('CFCT-O001', { message, location: { file, ...(path ? { path } : {}) }, hint });
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    return { findings: [problem(`snapshot is not valid JSON: ${(err as Error).message}`)] };
  }
  const version = (document as { formatVersion?: unknown } | null)?.formatVersion;
  if (typeof document === 'object' && document !== null && version !== SNAPSHOT_FORMAT_VERSION) {
    return {
      findings: [
        problem(
          `snapshot format version ${JSON.stringify(version)} is not supported (expected ${SNAPSHOT_FORMAT_VERSION})`,
          'formatVersion',
          'export the snapshot again with this version of cfct',
        ),
      ],
    };
  }
  if (!validate(document)) {
    return {
      findings: (validate.errors ?? []).map((e) =>
        problem(`snapshot ${e.instancePath || 'document'} ${e.message ?? 'is invalid'}`, jsonPath(e.instancePath)),
      ),
    };
  }
  const { formatVersion: _version, ...snapshot } = document as unknown as OrganizationSnapshot & {
    formatVersion: number;
  };
  const findings = referenceProblems(snapshot).map((m) => problem(m.message, m.path));
  return findings.length ? { findings } : { snapshot, findings };
}

/** Parents, and policy targets, that are not in the snapshot. */
function referenceProblems(snapshot: OrganizationSnapshot): { message: string; path: string }[] {
  const containers = new Set([...snapshot.roots.map((r) => r.id), ...snapshot.organizationalUnits.map((o) => o.id)]);
  const targets = new Set([...containers, ...snapshot.accounts.map((a) => a.id)]);
  const problems: { message: string; path: string }[] = [];
  snapshot.organizationalUnits.forEach((ou, i) => {
    if (!containers.has(ou.parentId)) {
      problems.push({
        message: `OU ${ou.id} has unknown parent ${ou.parentId}`,
        path: `organizationalUnits[${i}].parentId`,
      });
    }
  });
  snapshot.accounts.forEach((a, i) => {
    if (!containers.has(a.parentId)) {
      problems.push({ message: `account ${a.id} has unknown parent ${a.parentId}`, path: `accounts[${i}].parentId` });
    }
  });
  snapshot.policies.forEach((p, i) =>
    p.targetIds.forEach((t, j) => {
      if (!targets.has(t)) {
        problems.push({
          message: `policy ${p.id} is attached to unknown target ${t}`,
          path: `policies[${i}].targetIds[${j}]`,
        });
      }
    }),
  );
  return problems;
}

/** `/accounts/3/id` -> `accounts[3].id`. */
function jsonPath(pointer: string): string | undefined {
  if (!pointer) return undefined;
  return pointer
    .split('/')
    .slice(1)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('')
    .replace(/^\./, '');
}
