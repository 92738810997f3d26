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

let validators: { v1: ValidateFunction; v2: ValidateFunction } | undefined;

function compiled(): { v1: ValidateFunction; v2: ValidateFunction } {
  if (!validators) {
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
    validators = { v1: ajv.compile(v1Schema), v2: ajv.compile(v2Schema) };
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

function describe(path: DocPath): string {
  if (path.length === 0) return 'the manifest';
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

function toFinding(error: ErrorObject, positions: PositionIndex): Finding | undefined {
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
        hint: typeof error.data === 'string' || error.data === null ? undefined : 'quote the value if it is meant as text',
      });
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      return finding(path.length === 1 && path[0] === 'version' ? 'CFCT-S001' : 'CFCT-S005', {
        message: `${describe(path)} is "${asText(error.data)}"; allowed: ${allowed.join(', ')}`,
        location: positions.at(path),
        hint: didYouMean(asText(error.data), allowed),
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
      });
    default:
      return finding('CFCT-S004', {
        message: `${describe(path)} ${error.message ?? 'is invalid'}`,
        location: positions.at(path),
      });
  }
}

/**
 * Validates a parsed manifest against the schema of `version`. Returns one finding per schema
 * violation, located at the offending value (or, for unknown keys, at the key).
 */
export function validateSchema(value: unknown, version: (typeof MANIFEST_VERSIONS)[number], positions: PositionIndex): Finding[] {
  const validate = version === '2020-01-01' ? compiled().v1 : compiled().v2;
  if (validate(value)) return [];
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const error of validate.errors ?? []) {
    const f = toFinding(error, positions);
    if (!f) continue;
    const key = `${f.ruleId}|${f.location?.path}|${f.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    findings.push(f);
  }
  return findings;
}
