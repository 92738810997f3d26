/**
 * SCP and RCP documents: minified before upload and checked against the Organizations size limit.
 */
import type { Finding } from './findings';
import { parseJson } from './json';
import { finding } from './rules';
import { isObject } from './values';

/** Organizations' limit for an SCP or RCP document, in characters. */
export const POLICY_MAX_CHARS = 5120;

/**
 * The policy as uploaded: JSON without insignificant whitespace, keys in their original order.
 * Throws a `SyntaxError` when `text` is not JSON (callers check with {@link checkPolicy} first).
 */
export function minifyPolicy(text: string): string {
  return JSON.stringify(JSON.parse(text.replace(/^\uFEFF/, '')));
}

/** Checks a policy document: valid JSON, an object with statements, minified size within the limit. */
export function checkPolicy(text: string, file: string, resource?: string): Finding[] {
  const parsed = parseJson(text, file, 'CFCT-L001', 'policy', resource);
  if (parsed.value === undefined) return parsed.findings;
  const document = parsed.value;
  const minified = minifyPolicy(text);
  const findings: Finding[] = [];
  const statement = isObject(document) ? document.Statement : undefined;
  const empty = statement === undefined || (Array.isArray(statement) && statement.length === 0);
  if (!isObject(document) || empty) {
    findings.push(
      finding('CFCT-L003', {
        message: 'policy is not an object with a non-empty Statement',
        location: { file, line: 1, column: 1 },
        hint: 'a policy document looks like {"Version": "2012-10-17", "Statement": [ ... ]}',
        resource,
      }),
    );
  }
  if (minified.length > POLICY_MAX_CHARS) {
    findings.push(
      finding('CFCT-L002', {
        message: `policy is ${minified.length} characters after minification; the limit is ${POLICY_MAX_CHARS}`,
        location: { file, line: 1, column: 1 },
        hint: 'split the policy into several policies or combine statements (wildcards in actions shorten it)',
        resource,
      }),
    );
  }
  return findings;
}
