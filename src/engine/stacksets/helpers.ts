/**
 * Parameter value helpers (`$[...]`, reference behaviour §7), parsed into tokens. A value that
 * contains commas is a list: each element is parsed on its own and the results are joined with
 * commas again.
 */

/** One element of a parameter value. */
export type HelperToken =
  | { readonly kind: 'literal'; readonly text: string }
  /** `$[alfred_ssm_<name>]`: an SSM parameter of the management account, home region. */
  | { readonly kind: 'ssm'; readonly name: string }
  /** `$[alfred_genpass_<N>]`: a generated password of N characters (default 8). */
  | { readonly kind: 'genpass'; readonly length: number }
  /** `$[alfred_genkeypair]`: an EC2 key pair in the first target account and region. */
  | { readonly kind: 'genkeypair' }
  /** `$[alfred_genaz_<N>]`: N availability zones of the first target account and region (default 2). */
  | { readonly kind: 'genaz'; readonly count: number };

const HELPER = /^\$\[(.*)\]$/s;

/** Splits a parameter value into its comma-separated elements and parses each. */
export function parseParameterValue(value: string): HelperToken[] {
  return value.split(',').map(parseElement);
}

/** Parses one list element; `$[x]` that names no helper becomes the literal `x`, as upstream. */
export function parseElement(element: string): HelperToken {
  const match = HELPER.exec(element.trim());
  if (!match) return { kind: 'literal', text: element };
  const inner = match[1];
  if (inner.startsWith('alfred_ssm_')) return { kind: 'ssm', name: inner.slice('alfred_ssm_'.length) };
  if (inner === 'alfred_genkeypair') return { kind: 'genkeypair' };
  const genpass = /^alfred_genpass(?:_(\d+))?$/.exec(inner);
  if (genpass) return { kind: 'genpass', length: genpass[1] ? Number(genpass[1]) : 8 };
  const genaz = /^alfred_genaz(?:_(\d+))?$/.exec(inner);
  if (genaz) return { kind: 'genaz', count: genaz[1] ? Number(genaz[1]) : 2 };
  return { kind: 'literal', text: inner };
}

/** Sibling `ssm_parameters` value markers that say where a generated value is stored. */
export const STORAGE_MARKERS = {
  password: '$[password]',
  keyMaterial: '$[keymaterial]',
  keyFingerprint: '$[keyfingerprint]',
  keyName: '$[keyname]',
  az: '$[az]',
} as const;

/** The `$[output_<Key>]` output key of an export_outputs value, if it is one. */
export function outputKeyOf(value: string): string | undefined {
  const match = /^\$\[output_(.+)\]$/.exec(value.trim());
  return match ? match[1] : undefined;
}

/** Every SSM name that `$[alfred_ssm_...]` reads in a value. */
export function ssmNamesRead(value: string): string[] {
  return parseParameterValue(value).flatMap((t) => (t.kind === 'ssm' ? [t.name] : []));
}
