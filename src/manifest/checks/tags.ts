/**
 * Tags of a resource, checked against what CloudFormation (stack sets) and Organizations
 * (policies) accept, so a bad tag is a finding at validation instead of a rejected call at apply.
 */
import type { Finding } from '../findings';
import { finding } from '../rules';
import { asText, isObject } from '../values';
import type { DocPath, PositionIndex } from '../yaml';

/** Most tags a stack set or a policy may carry (CloudFormation and Organizations alike). */
export const MAX_TAGS = 50;
/**
 * Tags the engine adds itself (ownership, upstream's tag, NoEcho fingerprint, creation time),
 * so the manifest may give at most {@link MAX_TAGS} minus these.
 */
export const ENGINE_TAG_COUNT = 4;
export const MAX_TAG_KEY_LENGTH = 128;
export const MAX_TAG_VALUE_LENGTH = 256;
/** Characters Organizations and CloudFormation accept in tag keys and values. */
const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** Length in characters as AWS counts them (code points). */
function length(text: string): number {
  return [...text].length;
}

/** Problems of one tag: what is wrong, or nothing. */
function tagProblems(key: string, value: string, stackSet: boolean): string[] {
  const problems: string[] = [];
  if (length(key) === 0 || length(key) > MAX_TAG_KEY_LENGTH) {
    problems.push(`key "${key}" must have 1 to ${MAX_TAG_KEY_LENGTH} characters, it has ${length(key)}`);
  }
  if (/^aws:/i.test(key)) problems.push(`key "${key}" starts with "aws:", which AWS reserves for its own tags`);
  if (/^cfct:/.test(key) || key === 'AWS_Solutions') problems.push(`key "${key}" is a tag this library manages itself`);
  if (!TAG_CHARACTERS.test(key)) problems.push(`key "${key}" has characters tags may not hold`);
  const min = stackSet ? 1 : 0;
  if (length(value) < min || length(value) > MAX_TAG_VALUE_LENGTH) {
    problems.push(`value of "${key}" must have ${min} to ${MAX_TAG_VALUE_LENGTH} characters, it has ${length(value)}`);
  }
  if (!TAG_CHARACTERS.test(value)) problems.push(`value of "${key}" has characters tags may not hold`);
  return problems;
}

function checkResourceTags(
  tags: Record<string, unknown>,
  path: DocPath,
  positions: PositionIndex,
  resource: string,
  stackSet: boolean,
): Finding[] {
  const findings: Finding[] = [];
  const max = MAX_TAGS - ENGINE_TAG_COUNT;
  const keys = Object.keys(tags);
  if (keys.length > max) {
    findings.push(
      finding('CFCT-M053', {
        message: `resource "${resource}" has ${keys.length} tags; at most ${max} are allowed (AWS accepts ${MAX_TAGS}, and this library adds up to ${ENGINE_TAG_COUNT} of its own)`,
        location: positions.keyAt([...path, keys[max]]),
        hint: 'remove tags, or combine them',
        resource,
      }),
    );
  }
  for (const key of keys) {
    const raw = tags[key];
    const value = raw === null || raw === undefined ? '' : asText(raw);
    for (const problem of tagProblems(key, value, stackSet)) {
      findings.push(
        finding('CFCT-M053', {
          message: `tag ${problem}`,
          location: problem.startsWith('value') ? positions.at([...path, key]) : positions.keyAt([...path, key]),
          hint: 'tag keys have 1-128 and values up to 256 characters: letters, digits, spaces and _ . : / = + - @; keys may not start with aws:',
          resource,
        }),
      );
    }
  }
  return findings;
}

/**
 * Checks the `tags` of every 2021-03-15 resource (legacy manifests have none). Resources for
 * which `skip` returns true (they failed the schema) are not checked.
 */
export function checkTags(
  value: Record<string, unknown>,
  positions: PositionIndex,
  skip: (path: DocPath) => boolean,
): Finding[] {
  const list = value.resources;
  if (!Array.isArray(list)) return [];
  return list.flatMap((raw, i) => {
    const path = ['resources', i];
    if (!isObject(raw) || skip(path) || !isObject(raw.tags)) return [];
    return checkResourceTags(
      raw.tags,
      [...path, 'tags'],
      positions,
      asText(raw.name),
      raw.deploy_method === 'stack_set',
    );
  });
}
