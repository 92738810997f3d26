/**
 * JSON files of a package (policies, parameter files, JSON templates): parsed with JSON.parse,
 * and on failure a finding that says where the text stops being JSON.
 */
import { LineCounter, parseDocument } from 'yaml';
import type { Finding, SourceLocation } from './findings';
import { finding, type RuleId } from './rules';

/** Where JSON.parse's error points: its position, else the `yaml` parser's first error, else the end. */
function errorOffset(text: string, message: string): number {
  const stated = /at position (\d+)/.exec(message);
  if (stated) return Number(stated[1]);
  if (/end of JSON input/.test(message)) return text.length;
  const errors = parseDocument(text, { schema: 'json', prettyErrors: false }).errors;
  const yamlOffset = errors[0]?.pos[0];
  return yamlOffset ?? 0;
}

function locate(text: string, file: string, offset: number): SourceLocation {
  const lines = new LineCounter();
  parseDocument(text, { lineCounter: lines, schema: 'json' });
  const pos = lines.linePos(Math.min(offset, text.length));
  return { file, line: pos.line, column: pos.col };
}

/** A hint for the mistakes JSON.parse words least helpfully: a trailing comma, comments, single quotes. */
function jsonHint(text: string, offset: number): string | undefined {
  const before = text.slice(0, offset).replace(/\s+$/, '');
  const at = text.slice(offset).replace(/^\s+/, '');
  if ((before.endsWith(',') && /^[}\]]/.test(at)) || /,\s*[}\]]/.test(text)) return 'remove the trailing comma before the closing bracket: JSON allows no comma after the last entry';
  if (/^\/[/*]/.test(at)) return 'JSON has no comments: remove them';
  if (at.startsWith("'")) return 'JSON strings and keys use double quotes';
  return undefined;
}

/**
 * Parses `text` as JSON (a leading byte order mark is ignored). On failure, `value` is
 * undefined and the finding (`rule`) says what is wrong and where.
 */
export function parseJson(text: string, file: string, rule: RuleId, what: string, resource?: string): { value?: unknown; findings: Finding[] } {
  const body = text.replace(/^\uFEFF/, '');
  try {
    return { value: JSON.parse(body), findings: [] };
  } catch (err) {
    const message = (err as Error).message;
    const offset = errorOffset(body, message);
    return {
      findings: [finding(rule, { message: `${what} is not valid JSON: ${message}`, location: locate(body, file, offset), resource, hint: jsonHint(body, offset) })],
    };
  }
}
