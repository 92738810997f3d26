/**
 * Diffs people review in a plan: unified diffs of policy documents and templates, laid out so
 * that formatting and key order do not show up as changes.
 */
import { createTwoFilesPatch } from 'diff';
import { canonicalText } from './canonical';
import { parseTemplate } from '../manifest/template';

/** A unified diff with `--- <name> (current)` / `+++ <name> (planned)` headers and 3 lines of context. */
export function unifiedDiff(name: string, before: string, after: string): string {
  const patch = createTwoFilesPatch(`${name} (current)`, `${name} (planned)`, before, after, undefined, undefined, {
    context: 3,
  });
  // Drop the `Index:` / `===` preamble; keep the headers and hunks.
  return patch
    .split('\n')
    .filter((line) => !line.startsWith('Index:') && !/^=+$/.test(line))
    .join('\n');
}

/**
 * A policy document laid out for review, keys in the author's order (the document is uploaded
 * as written, so a change of order is a change people should see).
 */
export function policyText(content: string): string {
  try {
    return `${JSON.stringify(JSON.parse(content), null, 2)}\n`;
  } catch {
    return `${content}\n`;
  }
}

/**
 * The diff between two templates (JSON or YAML, short-form tags allowed), both parsed and laid
 * out canonically; undefined when either does not parse.
 */
export function templateDiff(name: string, before: string, after: string): string | undefined {
  const a = parseTemplate(before, name).value;
  const b = parseTemplate(after, name).value;
  if (a === undefined || b === undefined) return undefined;
  return unifiedDiff(name, canonicalText(a), canonicalText(b));
}
