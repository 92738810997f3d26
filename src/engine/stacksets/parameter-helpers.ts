/**
 * Parameter value helpers (`$[...]`, reference behaviour §7), parsed into tokens. A value that
 * contains commas is a list, as upstream reads it: split on commas, each element trimmed and
 * parsed on its own, the results joined with commas again (`"a, b"` is deployed as `a,b`).
 */
import { Helper, parseHelper } from '../../manifest/helpers';

export { STORAGE_MARKERS } from '../../manifest/helpers';

/** One element of a parameter value: a helper, or literal text. */
export type HelperToken = Helper;

/**
 * Splits a parameter value into its comma-separated elements, trimmed, and parses each. A value
 * without commas is one element and keeps its text as written.
 */
export function parseParameterValue(value: string): HelperToken[] {
  if (!value.includes(',')) return [parseElement(value)];
  return value.split(',').map((element) => parseElement(element.trim()));
}

/**
 * Parses one list element. Plain text, and text that only looks like a helper (the manifest
 * rules report those), stay literal; `$[x]` naming no helper becomes `x`, as upstream.
 */
function parseElement(element: string): HelperToken {
  const helper = parseHelper(element.trim());
  return helper === undefined || 'error' in helper ? { kind: 'literal', text: element } : helper;
}

/** The `$[output_<Key>]` output key of an export_outputs value, if it is one. */
export function outputKeyOf(value: string): string | undefined {
  const match = /^\$\[output_(.+)\]$/.exec(value.trim());
  return match ? match[1] : undefined;
}

/** Every SSM name that `$[alfred_ssm_...]` reads in a value. */
export function ssmNamesRead(value: string): string[] {
  return parseParameterValue(value).flatMap((t) => (t.kind === 'ssm' ? [t.name] : []));
}
