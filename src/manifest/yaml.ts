/**
 * YAML with source positions: parses a document with PyYAML's scalar resolution, turns it into
 * plain values, and keeps where each value (and each mapping key) was written.
 */
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Alias,
  type Document,
  type Node,
  type Pair,
  type Tags,
} from 'yaml';
import type { Finding, SourceLocation } from './findings';
import { finding, type RuleId } from './rules';
import { pyyamlTags, YamlTimestamp } from './yaml-schema';

/** A path inside a document: mapping keys and list indexes. */
export type DocPath = readonly (string | number)[];

/** `resources[3].deployment_targets.accounts[1]`. */
export function formatPath(path: DocPath): string {
  return path.reduce<string>(childPath, '');
}

/** The formatted path of `part` inside the formatted path `parent`. */
function childPath(parent: string, part: string | number): string {
  if (typeof part === 'number') return `${parent}[${part}]`;
  return parent ? `${parent}.${part}` : part;
}

/** Where a value was written, and for scalars the text as written. */
interface NodeInfo {
  readonly line: number;
  readonly column: number;
  /** Plain (unquoted) scalar text, when the value is a plain scalar. */
  readonly plainSource?: string;
}

/** Positions of the values (and keys) of one parsed document. */
export class PositionIndex {
  private readonly values = new Map<string, NodeInfo>();
  private readonly keys = new Map<string, NodeInfo>();

  constructor(readonly file: string) {}

  /** @internal Records where the value (or key) with formatted path `key` is written. */
  record(key: string, info: NodeInfo, isKey = false): void {
    (isKey ? this.keys : this.values).set(key, info);
  }

  /** The location of the value at `path`, or of its nearest recorded ancestor (at worst 1:1). */
  at(path: DocPath): SourceLocation {
    return this.locate(path, this.values);
  }

  /** The location of the mapping key that ends `path` (falls back to the value's location). */
  keyAt(path: DocPath): SourceLocation {
    return this.keys.has(formatPath(path)) ? this.locate(path, this.keys) : this.at(path);
  }

  /** The unquoted source text of the scalar at `path`, when it was a plain scalar. */
  plainSource(path: DocPath): string | undefined {
    return this.values.get(formatPath(path))?.plainSource;
  }

  private locate(path: DocPath, map: Map<string, NodeInfo>): SourceLocation {
    for (let n = path.length; n >= 0; n--) {
      const info = map.get(formatPath(path.slice(0, n)));
      if (info) return { file: this.file, line: info.line, column: info.column, path: formatPath(path) || undefined };
    }
    // Nothing recorded (an empty document): the start of the file.
    return { file: this.file, line: 1, column: 1, path: formatPath(path) || undefined };
  }
}

/** CloudFormation short-form tags and their long forms. */
const CFN_TAGS: Readonly<Record<string, string>> = {
  '!Ref': 'Ref',
  '!Condition': 'Condition',
  '!GetAtt': 'Fn::GetAtt',
  '!Sub': 'Fn::Sub',
  '!If': 'Fn::If',
  '!Join': 'Fn::Join',
  '!Select': 'Fn::Select',
  '!Split': 'Fn::Split',
  '!FindInMap': 'Fn::FindInMap',
  '!Base64': 'Fn::Base64',
  '!Cidr': 'Fn::Cidr',
  '!GetAZs': 'Fn::GetAZs',
  '!ImportValue': 'Fn::ImportValue',
  '!Equals': 'Fn::Equals',
  '!And': 'Fn::And',
  '!Or': 'Fn::Or',
  '!Not': 'Fn::Not',
  '!Transform': 'Fn::Transform',
  '!ToJsonString': 'Fn::ToJsonString',
  '!Length': 'Fn::Length',
};

/**
 * Tag definitions for the short forms, so the `yaml` package accepts them on scalars, lists
 * and mappings without a warning; the walker turns them into the long form.
 */
const CFN_TAG_DEFINITIONS: Tags = Object.keys(CFN_TAGS).flatMap((tag): Tags => [
  { tag, resolve: (text: string) => text },
  { tag, collection: 'seq', resolve: (seq) => seq },
  { tag, collection: 'map', resolve: (map) => map },
]);

/** Options of {@link parseYaml}. */
export interface ParseYamlOptions {
  /** Convert CloudFormation short-form tags (`!Ref X`) to their long form. */
  readonly cloudFormationTags?: boolean;
  /** Rule id for syntax errors. */
  readonly syntaxRule: RuleId;
  /** Read the text as JSON (the `yaml` package's JSON schema) instead of PyYAML's YAML 1.1. */
  readonly json?: boolean;
  /** Record the position of every value (default true); without, lookups give the file start. */
  readonly positions?: boolean;
}

/** A parsed YAML document. */
export interface ParsedYaml {
  /** Plain values (strings, numbers, booleans, null, arrays, objects); undefined on syntax errors. */
  readonly value?: unknown;
  readonly positions: PositionIndex;
  readonly findings: Finding[];
}

/** Defines `key` on `target` as an own enumerable property (safe for keys like `__proto__`). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/** Most nodes that aliases may add to a document (against "billion laughs" alias bombs). */
export const MAX_ALIASED_NODES = 100_000;

/**
 * Turns the document's nodes into plain values, recording positions by formatted path
 * (`resources[0].name`).
 */
class Walker {
  readonly findings: Finding[] = [];
  private readonly active = new Set<Node>();
  /** Anchors seen so far, in document order (an alias refers to the last one before it). */
  private readonly anchors = new Map<string, Node>();
  /** How deep inside alias expansions the walk is, and how many nodes aliases added. */
  private aliasDepth = 0;
  private aliasedNodes = 0;
  /** Whether positions are recorded (templates skip them: only their syntax errors are located). */
  private readonly recording: boolean;

  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    readonly positions: PositionIndex,
    private readonly options: ParseYamlOptions,
  ) {
    this.recording = options.positions !== false;
  }

  /** Where `node` starts, as a finding location with the formatted path `key`. */
  private location(node: Node | null | undefined, key: string): SourceLocation {
    const offset = node?.range?.[0];
    const pos = offset === undefined ? { line: 1, col: 1 } : this.lines.linePos(offset);
    return { file: this.positions.file, line: pos.line, column: pos.col, path: key || undefined };
  }

  private problem(node: Node | null | undefined, key: string, message: string, hint?: string): void {
    this.findings.push(finding(this.options.syntaxRule, { message, location: this.location(node, key), hint }));
  }

  /** The formatted path of a child, when positions are recorded. */
  private child(key: string, part: string | number): string {
    return this.recording ? childPath(key, part) : '';
  }

  walk(node: Node | null | undefined, key: string): unknown {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) return this.alias(node, key);
    if (this.aliasDepth > 0 && ++this.aliasedNodes > MAX_ALIASED_NODES) {
      if (this.aliasedNodes === MAX_ALIASED_NODES + 1) {
        this.problem(
          node,
          key,
          `aliases expand to more than ${MAX_ALIASED_NODES} values; the document is not read further`,
          'use fewer nested aliases',
        );
      }
      return null;
    }
    if (node.anchor) this.anchors.set(node.anchor, node);
    const offset = node.range?.[0];
    if (offset !== undefined && this.recording) {
      const pos = this.lines.linePos(offset);
      const plainSource =
        isScalar(node) && node.type === 'PLAIN' && node.source !== undefined ? String(node.source) : undefined;
      this.positions.record(key, { line: pos.line, column: pos.col, plainSource });
    }
    if (isScalar(node)) {
      const raw = node.value;
      return this.tagged(node, raw instanceof YamlTimestamp ? raw.text : raw);
    }
    this.active.add(node);
    try {
      if (isSeq(node)) {
        return this.tagged(
          node,
          node.items.map((item, index) => this.walk(item as Node, this.child(key, index))),
        );
      }
      if (isMap(node)) return this.tagged(node, this.mapping(node.items as Pair[], key));
    } finally {
      this.active.delete(node);
    }
    return null;
  }

  private alias(node: Alias, key: string): unknown {
    const target = this.anchors.get(node.source) ?? node.resolve(this.doc);
    if (!target || this.active.has(target)) {
      this.problem(node, key, `alias *${node.source} refers to no anchor or to itself`);
      return null;
    }
    this.aliasDepth++;
    try {
      return this.walk(target, key);
    } finally {
      this.aliasDepth--;
    }
  }

  private mapping(pairs: readonly Pair[], key: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const merged: Record<string, unknown>[] = [];
    for (const pair of pairs) {
      const keyNode = pair.key as Node | null;
      if (isScalar(keyNode) && keyNode.source === '<<' && keyNode.type === 'PLAIN') {
        merged.push(...this.mergeSources(pair.value as Node | null, key));
        continue;
      }
      if (keyNode !== null && !isScalar(keyNode)) {
        this.problem(keyNode, key, 'a mapping key is a list or a mapping; only plain keys are supported');
        continue;
      }
      const rawKey = keyNode === null ? null : keyNode.value;
      const name = rawKey === null ? 'null' : String(rawKey);
      const nameKey = this.child(key, name);
      const keyOffset = keyNode?.range?.[0];
      const keyPos = keyOffset === undefined || !this.recording ? undefined : this.lines.linePos(keyOffset);
      if (keyPos) this.positions.record(nameKey, { line: keyPos.line, column: keyPos.col }, true);
      if (Object.prototype.hasOwnProperty.call(out, name)) {
        this.findings.push(
          finding('CFCT-Y003', {
            message: `key "${name}" appears more than once in this mapping; the last one is used`,
            location: this.location(keyNode, nameKey),
            hint: 'remove or rename one of the duplicate keys',
          }),
        );
      }
      const valueNode = pair.value as Node | null;
      if (valueNode === null && keyPos) this.positions.record(nameKey, { line: keyPos.line, column: keyPos.col });
      setOwn(out, name, this.walk(valueNode, nameKey));
    }
    for (const source of merged) {
      for (const [name, value] of Object.entries(source)) {
        if (!Object.prototype.hasOwnProperty.call(out, name)) setOwn(out, name, value);
      }
    }
    return out;
  }

  private mergeSources(node: Node | null, key: string): Record<string, unknown>[] {
    const value = this.walk(node, key);
    const sources = Array.isArray(value) ? value : [value];
    const maps = sources.filter(
      (item): item is Record<string, unknown> => typeof item === 'object' && item !== null && !Array.isArray(item),
    );
    if (maps.length !== sources.length) {
      this.problem(node, key, 'a merge key (<<) must refer to a mapping or a list of mappings');
    }
    return maps;
  }

  private tagged(node: Node, value: unknown): unknown {
    const tag = node.tag;
    if (!tag || !tag.startsWith('!') || tag.startsWith('!!')) return value;
    // Unknown tags were reported from the parser's warnings; their value is kept as written.
    const longForm = this.options.cloudFormationTags ? CFN_TAGS[tag] : undefined;
    if (!longForm) return value;
    if (tag === '!GetAtt' && typeof value === 'string') {
      const dot = value.indexOf('.');
      return { [longForm]: dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
    }
    return { [longForm]: value };
  }
}

/** A hint for the YAML parser's error codes people meet most: indentation and tabs. */
function yamlHint(code: string): string | undefined {
  switch (code) {
    case 'TAB_AS_INDENT':
      return 'YAML indents with spaces only: replace the tab with spaces';
    case 'BAD_INDENT':
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY':
    case 'MISSING_CHAR':
    case 'UNEXPECTED_TOKEN':
      return 'check the indentation: keys of one mapping start in the same column, list items start with "- " under their key, and a line indented deeper continues the entry above it';
    default:
      return undefined;
  }
}

/**
 * Parses one YAML document. Syntax errors become findings (`options.syntaxRule`) with their
 * position; the value is then undefined.
 */
export function parseYaml(text: string, file: string, options: ParseYamlOptions): ParsedYaml {
  const lines = new LineCounter();
  const positions = new PositionIndex(file);
  const doc = parseDocument(text, {
    lineCounter: lines,
    ...(options.json
      ? { schema: 'json' }
      : {
          schema: 'yaml-1.1',
          customTags: (tags: Tags) =>
            options.cloudFormationTags ? [...pyyamlTags(tags), ...CFN_TAG_DEFINITIONS] : pyyamlTags(tags),
        }),
    merge: false,
    uniqueKeys: false,
    prettyErrors: false,
    strict: false,
  });
  const findings: Finding[] = [];
  for (const error of doc.errors) {
    const pos = lines.linePos(Math.min(error.pos[0], text.length));
    findings.push(
      finding(options.syntaxRule, {
        message: `YAML syntax error: ${error.message.split('\n')[0]}`,
        location: { file, line: pos.line, column: pos.col },
        hint: yamlHint(error.code),
      }),
    );
  }
  if (findings.length > 0) return { positions, findings };
  for (const warning of doc.warnings) {
    if (warning.code !== 'TAG_RESOLVE_FAILED' && warning.code !== 'BAD_COLLECTION_TYPE') continue;
    const pos = lines.linePos(warning.pos[0]);
    findings.push(
      finding(options.syntaxRule, {
        message: `unknown tag: ${warning.message.replace(/^Unresolved tag: /, '')}`,
        location: { file, line: pos.line, column: pos.col },
        hint: options.cloudFormationTags
          ? 'use a CloudFormation short-form tag such as !Ref or !Sub, or the long form'
          : 'remove the tag',
      }),
    );
  }
  const walker = new Walker(doc, lines, positions, options);
  let value: unknown;
  try {
    value = walker.walk(doc.contents as Node | null, '');
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    // The `yaml` parser reports nesting too deep for it; this covers what it just managed.
    findings.push(
      finding(options.syntaxRule, {
        message: 'the document is nested too deeply to read',
        location: { file, line: 1, column: 1 },
      }),
    );
    return { positions, findings };
  }
  findings.push(...walker.findings);
  return { value, positions, findings };
}
