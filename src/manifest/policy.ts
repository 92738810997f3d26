/**
 * SCP and RCP documents: minified before upload and checked against the Organizations size limit.
 */
import type { Finding } from './findings';
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
  let minified: string;
  try {
    minified = minifyPolicy(text);
  } catch (err) {
    return [
      finding('CFCT-L001', {
        message: `policy is not valid JSON: ${(err as Error).message}`,
        location: { file },
        resource,
      }),
    ];
  }
  const findings: Finding[] = [];
  const document: unknown = JSON.parse(minified);
  const statement = isObject(document) ? document.Statement : undefined;
  const empty = statement === undefined || (Array.isArray(statement) && statement.length === 0);
  if (!isObject(document) || empty) {
    findings.push(
      finding('CFCT-L003', {
        message: 'policy is not an object with a non-empty Statement',
        location: { file },
        hint: 'a policy document looks like {"Version": "2012-10-17", "Statement": [ ... ]}',
        resource,
      }),
    );
  }
  if (minified.length > POLICY_MAX_CHARS) {
    findings.push(
      finding('CFCT-L002', {
        message: `policy is ${minified.length} characters after minification; the limit is ${POLICY_MAX_CHARS}`,
        location: { file },
        hint: 'split the policy into several policies or combine statements (wildcards in actions shorten it)',
        resource,
      }),
    );
  }
  return findings;
}
