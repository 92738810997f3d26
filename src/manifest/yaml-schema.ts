/**
 * Scalar resolution as PyYAML's YAML 1.1 resolver does it (the parser upstream CfCT reads
 * manifests with), on top of the `yaml` package's YAML 1.1 schema. The regular expressions
 * are PyYAML's `resolver.py` ones; they differ from the `yaml` package's own YAML 1.1 tags for
 * leading-zero integers (`035935210323` stays a string), `y`/`n` (strings, not booleans),
 * exponents (`1e3` is a string; a float needs a dot and a signed exponent), `.` and `-.5`
 * (strings), one-digit months and days without a time (`2021-3-5` is a string) and
 * sexagesimal numbers starting with 0 (`0:30` is a string).
 */
import type { ScalarTag, Tags } from 'yaml';

const BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const TRUE = /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/;

const INT =
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;

const FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

const TIMESTAMP =
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/;

/** A YAML 1.1 timestamp, kept as written (PyYAML's `str()` of a date is the same text). */
export class YamlTimestamp {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

function sign(text: string): { negative: boolean; digits: string } {
  const negative = text.startsWith('-');
  const digits = text.replace(/^[-+]/, '').replace(/_/g, '');
  return { negative, digits };
}

function sexagesimal(digits: string): number {
  return digits.split(':').reduce((total, part) => total * 60 + Number(part), 0);
}

/** PyYAML's `construct_yaml_int`. */
function resolveInt(text: string): number {
  const { negative, digits } = sign(text);
  let value: number;
  if (digits === '0') value = 0;
  else if (digits.startsWith('0b')) value = parseInt(digits.slice(2), 2);
  else if (digits.startsWith('0x')) value = parseInt(digits.slice(2), 16);
  else if (digits.startsWith('0')) value = parseInt(digits, 8);
  else if (digits.includes(':')) value = sexagesimal(digits);
  else value = parseInt(digits, 10);
  return negative ? -value : value;
}

/** PyYAML's `construct_yaml_float`. */
function resolveFloat(text: string): number {
  const { negative, digits } = sign(text.toLowerCase());
  let value: number;
  if (digits === '.inf') value = Infinity;
  else if (digits === '.nan') return NaN;
  else if (digits.includes(':')) value = sexagesimal(digits);
  else value = parseFloat(digits);
  return negative ? -value : value;
}

const pyBool: ScalarTag = {
  identify: (value) => typeof value === 'boolean',
  default: true,
  tag: 'tag:yaml.org,2002:bool',
  test: BOOL,
  resolve: (text) => TRUE.test(text),
};

const pyInt: ScalarTag = {
  identify: (value) => typeof value === 'number' && Number.isInteger(value),
  default: true,
  tag: 'tag:yaml.org,2002:int',
  test: INT,
  resolve: (text) => resolveInt(text),
};

const pyFloat: ScalarTag = {
  identify: (value) => typeof value === 'number',
  default: true,
  tag: 'tag:yaml.org,2002:float',
  test: FLOAT,
  resolve: (text) => resolveFloat(text),
};

const pyTimestamp: ScalarTag = {
  identify: (value) => value instanceof YamlTimestamp,
  default: true,
  tag: 'tag:yaml.org,2002:timestamp',
  test: TIMESTAMP,
  resolve: (text) => new YamlTimestamp(text),
};

const REPLACED = new Set([
  'tag:yaml.org,2002:bool',
  'tag:yaml.org,2002:int',
  'tag:yaml.org,2002:float',
  'tag:yaml.org,2002:timestamp',
]);

/**
 * `customTags` for the `yaml` package: its YAML 1.1 schema with the bool, int, float and
 * timestamp resolvers replaced by PyYAML's.
 */
export function pyyamlTags(tags: Tags): Tags {
  const kept = tags.filter((tag) => !(typeof tag === 'object' && REPLACED.has(tag.tag)));
  return [...kept, pyBool, pyInt, pyFloat, pyTimestamp];
}
