/**
 * Parameter files: a JSON list of `{ParameterKey, ParameterValue[, ssm_parameters]}`.
 */
import type { Finding } from './findings';
import { parseJson } from './json';
import type { ParameterEntry } from './model';
import { finding } from './rules';
import { didYouMean } from './suggest';
import { isObject } from './values';
import { parseYaml, type DocPath, type PositionIndex } from './yaml';

const ENTRY_KEYS = ['ParameterKey', 'ParameterValue', 'ssm_parameters'];
const SSM_KEYS = ['name', 'value'];

/** A parameter value as CloudFormation receives it: a string; lists joined with commas. */
function parameterValueText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    const parts = value.map(parameterValueText);
    return parts.every((part) => part !== undefined) ? parts.join(',') : undefined;
  }
  return undefined;
}

function malformed(
  message: string,
  positions: PositionIndex,
  path: DocPath,
  hint?: string,
  resource?: string,
): Finding {
  return finding('CFCT-R002', { message, location: positions.at(path), hint, resource });
}

function unknownKeys(
  value: Record<string, unknown>,
  allowed: string[],
  positions: PositionIndex,
  path: DocPath,
  resource?: string,
): Finding[] {
  return Object.keys(value)
    .filter((key) => !allowed.includes(key))
    .map((key) =>
      finding('CFCT-R002', {
        message: `unknown key "${key}" in parameter entry`,
        location: positions.keyAt([...path, key]),
        hint: didYouMean(key, allowed) ?? `allowed keys: ${allowed.join(', ')}`,
        resource,
      }),
    );
}

function ssmParameters(
  value: unknown,
  positions: PositionIndex,
  path: DocPath,
  findings: Finding[],
  resource?: string,
): { name: string; value: string }[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    findings.push(malformed('ssm_parameters must be a list of {name, value}', positions, path, undefined, resource));
    return [];
  }
  const out: { name: string; value: string }[] = [];
  value.forEach((item, index) => {
    const itemPath = [...path, index];
    if (!isObject(item) || typeof item.name !== 'string' || typeof item.value !== 'string') {
      findings.push(
        malformed(
          'each ssm_parameters entry is {"name": string, "value": string}',
          positions,
          itemPath,
          undefined,
          resource,
        ),
      );
      return;
    }
    findings.push(...unknownKeys(item, SSM_KEYS, positions, itemPath, resource));
    out.push({ name: item.name, value: item.value });
  });
  return out;
}

/**
 * Reads a parameter file. Invalid JSON is CFCT-R001; a malformed structure or entry is
 * CFCT-R002 (located at the entry). Returns the well-formed entries.
 */
export function readParameterFile(
  text: string,
  file: string,
  resource?: string,
): { parameters: ParameterEntry[]; findings: Finding[] } {
  const body = text.replace(/^\uFEFF/, '');
  const json = parseJson(body, file, 'CFCT-R001', 'parameter file', resource);
  if (json.value === undefined) return { parameters: [], findings: json.findings };
  const parsed = parseYaml(body, file, { json: true, syntaxRule: 'CFCT-R001' });
  const findings: Finding[] = parsed.findings.map((f) => ({ ...f, resource }));
  const positions = parsed.positions;
  const value = parsed.value ?? json.value;
  if (!Array.isArray(value)) {
    findings.push(
      malformed(
        'a parameter file is a JSON list of {ParameterKey, ParameterValue}',
        positions,
        [],
        undefined,
        resource,
      ),
    );
    return { parameters: [], findings };
  }
  const parameters: ParameterEntry[] = [];
  value.forEach((item, index) => {
    const path = [index];
    if (!isObject(item)) {
      findings.push(
        malformed(
          `entry ${index + 1} is not an object`,
          positions,
          path,
          'write {"ParameterKey": "Name", "ParameterValue": "value"}',
          resource,
        ),
      );
      return;
    }
    findings.push(...unknownKeys(item, ENTRY_KEYS, positions, path, resource));
    const key = item.ParameterKey;
    const valueText = parameterValueText(item.ParameterValue);
    if (typeof key !== 'string' || key === '') {
      findings.push(malformed(`entry ${index + 1} has no ParameterKey string`, positions, path, undefined, resource));
      return;
    }
    if (valueText === undefined) {
      findings.push(
        malformed(
          `ParameterValue of "${key}" must be a string, a number, a boolean or a list of them`,
          positions,
          [...path, 'ParameterValue'],
          undefined,
          resource,
        ),
      );
      return;
    }
    const ssm = ssmParameters(item.ssm_parameters, positions, [...path, 'ssm_parameters'], findings, resource);
    parameters.push({ key, value: valueText, ssmParameters: ssm, location: positions.at(path) });
  });
  return { parameters, findings };
}
