/**
 * Desired parameter values (with helpers resolved as far as planning allows), their comparison
 * with what DescribeStackSet reports (both ways), and the NoEcho fingerprint.
 *
 * Secrets never travel as values: a SecureString is a `secureSsm` reference that the executor
 * decrypts just before the CloudFormation call, and a NoEcho value written in the package is a
 * `packageToken` reference that the executor reads from the package. Comparisons use digests of
 * each comma-separated element: SHA-256 for plain values, HMAC-SHA256 with the installation's
 * fingerprint key (fingerprint.ts) for secret ones, so no unkeyed derivative of a secret exists.
 */
import type { Fingerprinter } from './fingerprint';
import { knownAfterApply } from './known-after-apply';
import { HelperToken, parseParameterValue, STORAGE_MARKERS } from './parameter-helpers';
import type { Finding } from '../../manifest/findings';
import type { ParameterEntry } from '../../manifest/model';
import { sha256 } from '../canonical';
import { engineFinding } from '../rules';

/** One comma-separated element of a parameter value. */
export type ValuePart =
  | { readonly literal: string }
  /** The decrypted value of a SecureString parameter of the management account (home region). */
  | { readonly secureSsm: string }
  /** Exists only once earlier work of the same apply has run. */
  | { readonly afterApply: string }
  /** Element `packageToken` of the parameter's value in the package: a NoEcho literal, kept out of plans. */
  | { readonly packageToken: number };

/** A parameter as it will be passed: its parts, joined with commas. */
export interface ResolvedParameter {
  readonly key: string;
  readonly parts: readonly ValuePart[];
}

/** An SSM parameter as recorded in a snapshot: SecureString values only as digests. */
export interface SsmValue {
  readonly name: string;
  readonly type: 'String' | 'StringList' | 'SecureString';
  /** Plain value; absent for SecureString. */
  readonly value?: string;
  /**
   * Digest of each comma-separated element of the value: SHA-256 for plain values; for
   * SecureString values HMAC-SHA256 with the fingerprint key (empty when no key exists yet).
   */
  readonly elementHashes: readonly string[];
  readonly version: number;
}

/** What planning knows about SSM: recorded values, and names that earlier steps of this run may write. */
export interface SsmView {
  get(name: string): SsmValue | undefined;
  /** The resource that exports `name` and runs earlier in this apply with changes, if any. */
  pendingExport(name: string): string | undefined;
}

/** SHA-256 digests of every comma-separated element of a plain (not secret) value. */
export function elementHashes(value: string): string[] {
  return value.split(',').map(sha256);
}

/** Keyed digests of every element of a secret value; none without a fingerprinter. */
export function secretElementHashes(value: string, fingerprinter: Fingerprinter | undefined): string[] {
  return fingerprinter ? value.split(',').map((e) => fingerprinter.mac(e)) : [];
}

/** The SSM name of the sibling `ssm_parameters` entry holding `marker`, if any. */
export function storageName(entry: ParameterEntry, marker: string): string | undefined {
  return entry.ssmParameters.find((s) => s.value.trim() === marker)?.name;
}

/**
 * Resolves a parameter as far as planning can, reading only `ssm`. Unresolvable references
 * become findings; values that will exist after earlier steps are `afterApply` parts.
 */
export function resolveParameter(
  entry: ParameterEntry,
  ssm: SsmView,
  resource: string,
): { parameter: ResolvedParameter; findings: Finding[] } {
  const findings: Finding[] = [];
  const parts = parseParameterValue(entry.value).flatMap((token) =>
    resolveToken(token, entry, ssm, resource, findings),
  );
  return { parameter: { key: entry.key, parts }, findings };
}

/**
 * The parameter as a plan step carries it: for a NoEcho parameter, every literal element of the
 * package value becomes a `packageToken` reference (apply reads it from the package), so the value
 * is in no plan artifact; other parameters are returned unchanged.
 */
export function stepParameter(
  entry: ParameterEntry,
  resolved: ResolvedParameter,
  noEcho: boolean,
  ssm: SsmView,
  resource: string,
): ResolvedParameter {
  if (!noEcho) return resolved;
  const parts = parseParameterValue(entry.value).flatMap((token, index): ValuePart[] =>
    token.kind === 'literal' ? [{ packageToken: index }] : resolveToken(token, entry, ssm, resource, []),
  );
  return { key: entry.key, parts };
}

/** The text of element `index` of a package parameter value, if it is literal text. */
export function packageLiteral(entry: ParameterEntry, index: number): string | undefined {
  const token = parseParameterValue(entry.value)[index];
  return token?.kind === 'literal' ? token.text : undefined;
}

function resolveToken(
  token: HelperToken,
  entry: ParameterEntry,
  ssm: SsmView,
  resource: string,
  findings: Finding[],
): ValuePart[] {
  switch (token.kind) {
    case 'literal':
      return [{ literal: token.text }];
    case 'ssm': {
      const pending = ssm.pendingExport(token.name);
      if (pending) return [{ afterApply: `SSM parameter ${token.name}, exported by ${pending}` }];
      const stored = ssm.get(token.name);
      if (stored) return storedParts(stored);
      findings.push(
        engineFinding('CFCT-K010', {
          message: `parameter ${entry.key} reads SSM parameter ${token.name}, which does not exist in the home region and no resource exports it`,
          location: entry.location,
          hint: `create ${token.name} in the management account's home region, or export it from an earlier resource with export_outputs`,
          resource,
        }),
      );
      return [{ afterApply: `SSM parameter ${token.name} (missing)` }];
    }
    case 'genpass':
      return generatedParts(
        entry,
        STORAGE_MARKERS.password,
        ssm,
        resource,
        findings,
        `generated password of ${token.length} characters`,
      );
    case 'genkeypair':
      return generatedParts(entry, STORAGE_MARKERS.keyName, ssm, resource, findings, 'generated EC2 key pair name');
    case 'genaz':
      return generatedParts(entry, STORAGE_MARKERS.az, ssm, resource, findings, `${token.count} availability zones`);
  }
}

function storedParts(stored: SsmValue): ValuePart[] {
  if (stored.type === 'SecureString') return [{ secureSsm: stored.name }];
  return (stored.value ?? '').split(',').map((literal) => ({ literal }));
}

function generatedParts(
  entry: ParameterEntry,
  marker: string,
  ssm: SsmView,
  resource: string,
  findings: Finding[],
  what: string,
): ValuePart[] {
  const name = storageName(entry, marker);
  if (!name) {
    findings.push(
      engineFinding('CFCT-K011', {
        message: `parameter ${entry.key} uses a generating helper but has no ssm_parameters entry with value ${marker} to store it`,
        location: entry.location,
        hint: `add "ssm_parameters": [{"name": "/my/name", "value": "${marker}"}] to this parameter file entry`,
        resource,
      }),
    );
    return [{ afterApply: what }];
  }
  const stored = ssm.get(name);
  return stored ? storedParts(stored) : [{ afterApply: `${what}, stored in ${name}` }];
}

/** Per-element digests of a resolved parameter, or undefined while any part is known only after apply. */
export function parameterDigests(parameter: ResolvedParameter, ssm: Pick<SsmView, 'get'>): string[] | undefined {
  const digests: string[] = [];
  for (const part of parameter.parts) {
    if ('afterApply' in part || 'packageToken' in part) return undefined;
    if ('literal' in part) {
      digests.push(sha256(part.literal));
    } else {
      const stored = ssm.get(part.secureSsm);
      // A SecureString read without the fingerprint key has no digests: it cannot be compared.
      if (!stored || stored.elementHashes.length === 0) return undefined;
      digests.push(...stored.elementHashes);
    }
  }
  return digests;
}

/** How a parameter is shown in a plan: values, SecureStrings as references, NoEcho values and unknowns as such. */
export function displayValue(parameter: ResolvedParameter, noEcho: boolean): string {
  if (parameter.parts.some((p) => 'afterApply' in p)) {
    return knownAfterApply(parameter.parts.flatMap((p) => ('afterApply' in p ? [p.afterApply] : [])).join('; '));
  }
  if (noEcho) return '(secret)';
  return parameter.parts
    .map((p) => ('literal' in p ? p.literal : 'secureSsm' in p ? `(secret from ${p.secureSsm})` : '(secret)'))
    .join(',');
}

/** One parameter difference, safe to show. */
export interface ParameterChange {
  readonly key: string;
  readonly change: 'added' | 'removed' | 'changed';
  readonly from?: string;
  readonly to?: string;
}

/**
 * Compares desired parameters with DescribeStackSet's, both ways. NoEcho parameters (masked as
 * `****` by the API) are left to {@link noEchoFingerprint}.
 */
export function diffParameters(
  desired: readonly ResolvedParameter[],
  actual: readonly { readonly key: string; readonly value?: string; readonly elementHashes: readonly string[] }[],
  noEcho: ReadonlySet<string>,
  ssm: Pick<SsmView, 'get'>,
): ParameterChange[] {
  const changes: ParameterChange[] = [];
  const actualByKey = new Map(actual.map((p) => [p.key, p]));
  const secretKeys = new Set(desired.filter((p) => p.parts.some((part) => 'secureSsm' in part)).map((p) => p.key));
  for (const parameter of desired) {
    const secret = noEcho.has(parameter.key) || secretKeys.has(parameter.key);
    const to = displayValue(parameter, noEcho.has(parameter.key));
    const current = actualByKey.get(parameter.key);
    if (current === undefined) {
      changes.push({ key: parameter.key, change: 'added', to });
      continue;
    }
    if (noEcho.has(parameter.key)) continue;
    const digests = parameterDigests(parameter, ssm);
    if (!digests || digests.join(',') !== current.elementHashes.join(',')) {
      changes.push({
        key: parameter.key,
        change: 'changed',
        from: secret || current.value === undefined ? '(secret)' : current.value,
        to,
      });
    }
  }
  const desiredKeys = new Set(desired.map((p) => p.key));
  for (const { key, value } of actual) {
    if (!desiredKeys.has(key)) {
      changes.push({ key, change: 'removed', from: noEcho.has(key) || value === undefined ? '(secret)' : value });
    }
  }
  return changes.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * A keyed digest of the NoEcho parameters' values: HMAC-SHA256 (fingerprint key) over the stack
 * set name and, for each NoEcho key in order, the digests of its elements. Recorded in the stack
 * set's record in the management account (fingerprint.ts) at every create/update, never in a tag.
 * Undefined when there are no NoEcho parameters; 'unknown' while a value is known only after
 * apply, or without the fingerprint key (an offline plan, or before the first apply).
 */
export function noEchoFingerprint(
  stackSetName: string,
  desired: readonly ResolvedParameter[],
  noEcho: ReadonlySet<string>,
  ssm: Pick<SsmView, 'get'>,
  fingerprinter: Fingerprinter | undefined,
): string | undefined | 'unknown' {
  const lines: string[] = [];
  for (const parameter of [...desired].filter((p) => noEcho.has(p.key)).sort((a, b) => (a.key < b.key ? -1 : 1))) {
    const digests = parameterDigests(parameter, ssm);
    if (!digests) return 'unknown';
    lines.push(`${parameter.key}=${digests.join(',')}`);
  }
  if (lines.length === 0) return undefined;
  return fingerprinter ? fingerprinter.mac(`${stackSetName}\n${lines.join('\n')}`) : 'unknown';
}
