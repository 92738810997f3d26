/**
 * Parameter helpers (`$[alfred_...]`) and SSM parameter names.
 */
import { closest } from './suggest';

/** A parsed `$[...]` parameter value. */
export type Helper =
  | { readonly kind: 'ssm'; readonly name: string }
  | { readonly kind: 'genpass'; readonly length: number }
  | { readonly kind: 'genkeypair' }
  | { readonly kind: 'genaz'; readonly count: number }
  /** Any other `$[x]`: the value becomes `x`. */
  | { readonly kind: 'literal'; readonly text: string };

/** Sibling `ssm_parameters` value markers that say where a generated value is stored. */
export const STORAGE_MARKERS = {
  password: '$[password]',
  keyMaterial: '$[keymaterial]',
  keyFingerprint: '$[keyfingerprint]',
  keyName: '$[keyname]',
  az: '$[az]',
} as const;

/** Placeholders allowed as values of `ssm_parameters` entries: the storage markers. */
export const STORAGE_PLACEHOLDERS: readonly string[] = Object.values(STORAGE_MARKERS);

const HELPER_NAMES = ['alfred_ssm_', 'alfred_genpass', 'alfred_genkeypair', 'alfred_genaz'];

/**
 * Parses a parameter value. Returns undefined for a plain value, a helper, or an error message
 * when the value looks like a helper but is malformed.
 */
export function parseHelper(value: string): Helper | { readonly error: string; readonly near?: string } | undefined {
  if (!value.startsWith('$[')) return undefined;
  if (!value.endsWith(']')) return { error: 'starts with "$[" but does not end with "]"' };
  const body = value.slice(2, -1);
  if (!body.startsWith('alfred_')) return { kind: 'literal', text: body };
  if (body.startsWith('alfred_ssm_')) {
    const name = body.slice('alfred_ssm_'.length);
    return name ? { kind: 'ssm', name } : { error: 'alfred_ssm_ needs a parameter name, e.g. $[alfred_ssm_/org/id]' };
  }
  if (body === 'alfred_genkeypair') return { kind: 'genkeypair' };
  const counted = /^alfred_(genpass|genaz)(?:_(.*))?$/.exec(body);
  if (counted) {
    const [, kind, digits] = counted;
    if (digits === undefined) return kind === 'genpass' ? { kind, length: 8 } : { kind: 'genaz', count: 2 };
    const n = /^[1-9][0-9]{0,3}$/.test(digits) ? Number(digits) : NaN;
    if (Number.isNaN(n)) return { error: `alfred_${kind}_ takes a positive whole number, got "${digits}"` };
    return kind === 'genpass' ? { kind, length: n } : { kind: 'genaz', count: n };
  }
  return { error: `"${body}" is not a known helper`, near: closest(body.replace(/_\d+$/, ''), HELPER_NAMES) };
}

const SSM_CHARS = /^[a-zA-Z0-9_.\-/]+$/;
const SSM_NAME_MAX = 1011;
const SSM_LEVELS_MAX = 15;

/**
 * Why `name` is not a valid SSM parameter name, or undefined when it is one. With
 * `placeholders`, `{account_id}` and `{region}` are allowed (export name templates).
 */
export function ssmNameProblem(name: string, placeholders = false): string | undefined {
  const plain = placeholders
    ? name.replace(/\{account_id\}/g, '000000000000').replace(/\{region\}/g, 'us-east-1')
    : name;
  if (plain.length === 0) return 'is empty';
  if (plain.length > SSM_NAME_MAX) return `is longer than ${SSM_NAME_MAX} characters`;
  if (!SSM_CHARS.test(plain)) return 'may contain only letters, digits and _ . - /';
  if (plain.includes('/') && !plain.startsWith('/')) return 'is a path, so it must start with "/"';
  if (plain.includes('//')) return 'has an empty path level ("//")';
  if (plain.split('/').length - 1 > SSM_LEVELS_MAX) return `has more than ${SSM_LEVELS_MAX} levels`;
  if (/^\/?(aws|ssm)/i.test(plain)) return 'may not start with "aws" or "ssm"';
  return undefined;
}
