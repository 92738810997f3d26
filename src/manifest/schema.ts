/**
 * Structural validation of manifests with JSON Schema (ajv): the 2021-03-15 schema with our
 * extensions (published as schema/manifest-v2.schema.json) and the legacy 2020-01-01 schema.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { Finding } from './findings';
import v1Schema from './manifest-v1.schema.json';
import v2Schema from './manifest-v2.schema.json';
import { finding } from './rules';
import { didYouMean } from './suggest';
import { asText } from './values';
import { formatPath, type DocPath, type PositionIndex } from './yaml';

/** The manifest versions this library reads. */
export const MANIFEST_VERSIONS = ['2021-03-15', '2020-01-01'] as const;

/** The JSON Schema of version 2021-03-15 plus extensions (the content of schema/manifest-v2.schema.json). */
export const MANIFEST_V2_SCHEMA: object = v2Schema;

let validators: { v1: ValidateFunction; v2: ValidateFunction; operationPreferences: ValidateFunction } | undefined;

function compiled(): { v1: ValidateFunction; v2: ValidateFunction; operationPreferences: ValidateFunction } {
  if (!validators) {
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
    const v2 = ajv.compile(v2Schema);
    validators = {
      v1: ajv.compile(v1Schema),
      v2,
      operationPreferences: ajv.compile({ $ref: `${v2Schema.$id}#/definitions/operationPreferences` }),
    };
  }
  return validators;
}

/** `/resources/0/name` -> `['resources', 0, 'name']`. */
function pointerToPath(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^(0|[1-9][0-9]*)$/.test(part) ? Number(part) : part));
}

function describePath(path: DocPath, root = 'the manifest'): string {
  if (path.length === 0) return root;
  const last = path[path.length - 1];
  return typeof last === 'number' ? `entry ${last + 1}` : `"${last}"`;
}

function typeName(value: unknown): string {
  if (value === null) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  return `a ${typeof value}`;
}

function expectedName(type: unknown): string {
  const names: Record<string, string> = {
    object: 'a mapping',
    array: 'a list',
    string: 'a string',
    integer: 'an integer',
    number: 'a number',
    boolean: 'a boolean (true/false)',
  };
  const types = Array.isArray(type) ? type : [type];
  return types.map((t) => names[String(t)] ?? String(t)).join(' or ');
}

function toFinding(error: ErrorObject, positions: PositionIndex, root?: string): Finding | undefined {
  const describe = (p: DocPath) => describePath(p, root);
  const path = pointerToPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required': {
      const missing = String(params.missingProperty);
      return finding('CFCT-S002', {
        message: `${describe(path)} is missing the required field "${missing}"`,
        location: { ...positions.at(path), path: formatPath([...path, missing]) },
        hint: `add "${missing}"`,
      });
    }
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys((error.parentSchema as { properties?: object }).properties ?? {});
      const keyPath = [...path, key];
      return finding('CFCT-S003', {
        message: `unknown key "${key}" in ${describe(path)}`,
        location: positions.keyAt(keyPath),
        hint: didYouMean(key, allowed) ?? `allowed keys: ${allowed.join(', ')}`,
      });
    }
    case 'type':
      return finding('CFCT-S004', {
        message: `${describe(path)} must be ${expectedName(params.type)}, got ${typeName(error.data)}`,
        location: positions.at(path),
        hint:
          typeof error.data === 'string' || error.data === null ? undefined : 'quote the value if it is meant as text',
      });
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      return finding(path.length === 1 && path[0] === 'version' ? 'CFCT-S001' : 'CFCT-S005', {
        message: `${describe(path)} is "${asText(error.data)}"; allowed: ${allowed.join(', ')}`,
        location: positions.at(path),
        hint: didYouMean(asText(error.data), allowed) ?? `use one of: ${allowed.join(', ')}`,
      });
    }
    case 'uniqueItems': {
      const [first, repeated] = [Number(params.i), Number(params.j)].sort((a, b) => a - b);
      return finding('CFCT-S005', {
        message: `${describe(path)} lists the same value twice (entries ${first + 1} and ${repeated + 1})`,
        location: positions.at([...path, repeated]),
        hint: 'remove the repeated entry',
      });
    }
    case 'minLength':
    case 'minItems':
    case 'minimum':
    case 'maximum':
      return finding('CFCT-S007', {
        message: `${describe(path)} ${error.message ?? 'is out of range'}`,
        location: positions.at(path),
        ...(error.keyword === 'minimum' || error.keyword === 'maximum'
          ? { hint: `use a value ${String(params.comparison)} ${String(params.limit)}` }
          : {}),
      });
    default:
      return finding('CFCT-S004', {
        message: `${describe(path)} ${error.message ?? 'is invalid'}`,
        location: positions.at(path),
      });
  }
}

/** A JSON Schema node, as far as {@link emptyNullLists} reads it. */
interface SchemaNode {
  readonly type?: unknown;
  readonly $ref?: string;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly items?: SchemaNode;
  readonly required?: readonly string[];
}

/** List keys whose absence has a meaning of its own, so null means "not given" rather than `[]`. */
const NULL_MEANS_ABSENT = new Set(['regions']);

function resolveRef(node: SchemaNode, root: SchemaNode & { definitions?: Record<string, SchemaNode> }): SchemaNode {
  if (!node.$ref) return node;
  const name = node.$ref.replace('#/definitions/', '');
  return root.definitions?.[name] ?? node;
}

type Walk = { readonly root: SchemaNode; readonly positions: PositionIndex; readonly findings: Finding[] };

function walkNullLists(value: unknown, node: SchemaNode, path: (string | number)[], walk: Walk): void {
  const { root, positions, findings } = walk;
  const schema = resolveRef(node, root);
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((item, i) => walkNullLists(item, schema.items!, [...path, i], walk));
    return;
  }
  if (value === null || typeof value !== 'object' || !schema.properties) return;
  const object = value as Record<string, unknown>;
  for (const [key, property] of Object.entries(schema.properties)) {
    if (!Object.prototype.hasOwnProperty.call(object, key)) continue;
    const child = resolveRef(property, root);
    if (object[key] === null && child.type === 'array' && !(schema.required ?? []).includes(key)) {
      const absent = NULL_MEANS_ABSENT.has(key);
      const readAs = absent ? 'not given (the home region)' : 'an empty list';
      findings.push(
        finding('CFCT-M051', {
          message: `"${key}" holds no items (only comments, or nothing), so it is read as ${readAs}, as upstream reads it`,
          location: positions.keyAt([...path, key]),
          hint: `write ${key}: [] to say so explicitly, or remove the key`,
        }),
      );
      if (absent) delete object[key];
      else object[key] = [];
      continue;
    }
    walkNullLists(object[key], property, [...path, key], walk);
  }
}

/**
 * Upstream compatibility: a list key that holds only comments (`deploy_to_account:` followed by
 * commented-out items) is YAML null. Upstream's validator accepts null for a list that is not
 * required and its model reads it as `[]`, so such keys become empty lists here (in place),
 * each with a note (CFCT-M051). `regions` left empty is treated as not given (the home region).
 */
export function emptyNullLists(
  value: Record<string, unknown>,
  version: (typeof MANIFEST_VERSIONS)[number],
  positions: PositionIndex,
): Finding[] {
  const root = (version === '2020-01-01' ? v1Schema : v2Schema) as SchemaNode;
  const findings: Finding[] = [];
  walkNullLists(value, root, [], { root, positions, findings });
  return findings;
}

/**
 * Validates a parsed manifest against the schema of `version`. Returns one finding per schema
 * violation, located at the offending value (or, for unknown keys, at the key).
 */
export function validateSchema(
  value: unknown,
  version: (typeof MANIFEST_VERSIONS)[number],
  positions: PositionIndex,
): Finding[] {
  return schemaFindings(version === '2020-01-01' ? compiled().v1 : compiled().v2, value, positions);
}

/**
 * Validates operation preferences given outside a manifest (a command line flag) against the
 * manifest's `operation_preferences` schema; paths in the findings are relative to the object.
 */
export function validateOperationPreferencesSchema(value: unknown, positions: PositionIndex, name: string): Finding[] {
  return schemaFindings(compiled().operationPreferences, value, positions, name);
}

function schemaFindings(
  validate: ValidateFunction,
  value: unknown,
  positions: PositionIndex,
  root?: string,
): Finding[] {
  if (validate(value)) return [];
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const error of validate.errors ?? []) {
    const f = toFinding(error, positions, root);
    if (!f) continue;
    const key = `${f.ruleId}|${f.location?.path}|${f.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    findings.push(f);
  }
  return findings;
}
