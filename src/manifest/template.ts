/**
 * CloudFormation templates: JSON or YAML, short-form tags converted to the long form.
 */
import type { Finding } from './findings';
import { parseJson } from './json';
import { finding } from './rules';
import { isObject } from './values';
import { parseYaml } from './yaml';

/** CloudFormation's limit for a template passed through S3 (bytes). */
export const TEMPLATE_MAX_BYTES = 1_048_576;

/**
 * Parses a CloudFormation template (JSON when it starts with `{`, YAML otherwise). Short-form
 * tags become the long form: `!Ref X` -> `{ Ref: 'X' }`, `!GetAtt A.B` ->
 * `{ 'Fn::GetAtt': ['A', 'B'] }`, `!Sub s` -> `{ 'Fn::Sub': s }`, ... Problems are findings
 * (CFCT-T001), never exceptions; `value` is undefined when the text does not parse.
 */
export function parseTemplate(text: string, file: string): { value?: unknown; findings: Finding[] } {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trimStart().startsWith('{')) return parseJson(body, file, 'CFCT-T001', 'template');
  const parsed = parseYaml(body, file, { cloudFormationTags: true, syntaxRule: 'CFCT-T001', positions: false });
  const findings = parsed.findings;
  return findings.some((f) => f.severity === 'error') ? { findings } : { value: parsed.value, findings };
}

/**
 * Checks a template file: it parses, is within CloudFormation's size limit, and has a non-empty
 * `Resources` mapping. Returns the parsed template (undefined when it does not parse).
 */
export function checkTemplate(text: string, file: string, resource?: string): { value?: unknown; findings: Finding[] } {
  const findings: Finding[] = [];
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > TEMPLATE_MAX_BYTES) {
    findings.push(
      finding('CFCT-T003', {
        message: `template is ${bytes} bytes; CloudFormation accepts at most ${TEMPLATE_MAX_BYTES}`,
        location: { file, line: 1, column: 1 },
        hint: 'split the template into nested stacks or trim it',
        resource,
      }),
    );
  }
  const parsed = parseTemplate(text, file);
  findings.push(...parsed.findings.map((f) => (resource ? { ...f, resource } : f)));
  if (parsed.value === undefined) return { findings };
  const resources = isObject(parsed.value) ? parsed.value.Resources : undefined;
  if (!isObject(resources) || Object.keys(resources).length === 0) {
    findings.push(
      finding('CFCT-T002', {
        message: 'template has no Resources (or Resources is not a non-empty mapping)',
        location: { file, line: 1, column: 1 },
        hint: 'a CloudFormation template declares at least one resource under Resources',
        resource,
      }),
    );
  }
  return { value: parsed.value, findings };
}
