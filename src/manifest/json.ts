/**
 * JSON files of a package (policies, parameter files, JSON templates): parsed with JSON.parse,
 * and on failure a finding that says where the text stops being JSON. A key repeated in one
 * object is an error at the second key: JSON.parse (and minification) keeps only the last, so
 * what is uploaded would differ from the file that was reviewed.
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

/** Offsets of keys that repeat an earlier key of the same object, in a text JSON.parse accepted. */
export function duplicateKeyOffsets(text: string): { key: string; offset: number }[] {
  const out: { key: string; offset: number }[] = [];
  // One entry per open container: the keys seen so far (objects) or undefined (arrays).
  const stack: (Set<string> | undefined)[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      const keys = stack[stack.length - 1];
      if (expectKey && keys) {
        const key = JSON.parse(text.slice(start, i + 1)) as string;
        if (keys.has(key)) out.push({ key, offset: start });
        keys.add(key);
      }
      expectKey = false;
    } else if (c === '{') {
      stack.push(new Set());
      expectKey = true;
    } else if (c === '[') {
      stack.push(undefined);
      expectKey = false;
    } else if (c === '}' || c === ']') {
      stack.pop();
      expectKey = false;
    } else if (c === ',') {
      expectKey = stack[stack.length - 1] !== undefined;
    }
  }
  return out;
}

/** One finding per repeated key (CFCT-M050), at the second key's position. */
function duplicateKeyFindings(text: string, file: string, what: string, resource?: string): Finding[] {
  const duplicates = duplicateKeyOffsets(text);
  if (duplicates.length === 0) return [];
  const lines = new LineCounter();
  parseDocument(text, { lineCounter: lines, schema: 'json' });
  return duplicates.map(({ key, offset }) => {
    const pos = lines.linePos(offset);
    return finding('CFCT-M050', {
      message: `${what} repeats the key "${key}" in one object; only the last one would be kept, so what is deployed would differ from the file`,
      location: { file, line: pos.line, column: pos.col },
      hint: 'merge the two entries into one (e.g. one condition operator holding both conditions) or remove one',
      resource,
    });
  });
}

/** A hint for the mistakes JSON.parse words least helpfully: a trailing comma, comments, single quotes. */
function jsonHint(text: string, offset: number): string | undefined {
  const before = text.slice(0, offset).replace(/\s+$/, '');
  const at = text.slice(offset).replace(/^\s+/, '');
  if ((before.endsWith(',') && /^[}\]]/.test(at)) || /,\s*[}\]]/.test(text)) {
    return 'remove the trailing comma before the closing bracket: JSON allows no comma after the last entry';
  }
  if (/^\/[/*]/.test(at)) return 'JSON has no comments: remove them';
  if (at.startsWith("'")) return 'JSON strings and keys use double quotes';
  return undefined;
}

/**
 * Parses `text` as JSON (a leading byte order mark is ignored). On failure (not JSON, or a key
 * repeated in one object), `value` is undefined and the findings say what is wrong and where.
 */
export function parseJson(
  text: string,
  file: string,
  rule: RuleId,
  what: string,
  resource?: string,
): { value?: unknown; findings: Finding[] } {
  const body = text.replace(/^\uFEFF/, '');
  try {
    const value: unknown = JSON.parse(body);
    const findings = duplicateKeyFindings(body, file, what, resource);
    return findings.length > 0 ? { findings } : { value, findings };
  } catch (err) {
    const message = (err as Error).message;
    const offset = errorOffset(body, message);
    return {
      findings: [
        finding(rule, {
          message: `${what} is not valid JSON: ${message}`,
          location: locate(body, file, offset),
          resource,
          hint: jsonHint(body, offset),
        }),
      ],
    };
  }
}
