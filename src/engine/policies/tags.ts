/**
 * Organizations' tag rules (API reference, Tag and TagResource), checked while planning so a
 * policy whose tags AWS would refuse ends in a finding, not in a failed CreatePolicy or
 * TagResource halfway through an apply: keys 1 to 128 and values 0 to 256 characters of Unicode
 * letters, separators, digits and `_ . : / = + - @`; no `aws:` key (system tags, any case); at
 * most 50 tags on a resource, counting the ones it already has (a request past it fails whole).
 */
import type { Finding, SourceLocation } from '../../manifest/findings';
import { engineFinding } from '../rules';

export const MAX_TAGS_PER_POLICY = 50;
const KEY_MAX = 128;
const VALUE_MAX = 256;
const PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

const isSystemTag = (key: string) => key.toLowerCase().startsWith('aws:');

/**
 * Findings for tags Organizations would refuse on a policy that has `existing` tags already
 * (none for a new policy); `label` names the policy (`scp "deny-leave"`).
 */
export function policyTagFindings(
  wanted: Readonly<Record<string, string>>,
  existing: Readonly<Record<string, string>>,
  where: { readonly label: string; readonly resource: string; readonly location?: SourceLocation },
): Finding[] {
  const findings: Finding[] = [];
  const problem = (message: string, hint: string) =>
    findings.push(
      engineFinding('CFCT-C030', {
        message: `${where.label}: ${message}`,
        hint,
        resource: where.resource,
        ...(where.location ? { location: where.location } : {}),
      }),
    );
  for (const [key, value] of Object.entries(wanted)) {
    const shown = JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key);
    if (key.length === 0 || [...key].length > KEY_MAX) {
      problem(`tag key ${shown} must be 1 to ${KEY_MAX} characters`, 'shorten the tag key');
    }
    if ([...value].length > VALUE_MAX) {
      problem(`the value of tag ${shown} is longer than ${VALUE_MAX} characters`, 'shorten the tag value');
    }
    if (!PATTERN.test(key) || !PATTERN.test(value)) {
      problem(
        `tag ${shown} holds characters Organizations does not accept in tags`,
        'use letters, digits, spaces and _ . : / = + - @ only',
      );
    }
    if (isSystemTag(key)) {
      problem(`tag key ${shown} starts with aws:, which is reserved for AWS`, 'choose a key without the aws: prefix');
    }
  }
  const keys = new Set([...Object.keys(existing), ...Object.keys(wanted)].filter((k) => !isSystemTag(k)));
  if (keys.size > MAX_TAGS_PER_POLICY) {
    problem(
      `would carry ${keys.size} tags, and Organizations allows ${MAX_TAGS_PER_POLICY} on a policy`,
      'remove tags from the manifest resource (or from the policy)',
    );
  }
  return findings;
}
