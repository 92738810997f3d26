/**
 * Helpers for manifest tests: a small valid package, and manifests with the expected finding
 * position marked by a caret character.
 */
import { packageFromFiles, type Finding, type LoadedPackage } from '../../src/manifest';

/** Marks where a finding is expected in a test file; removed before the file is read. */
export const MARK = '‸';

/** Files of a small valid package, besides its manifest. */
export const BASE_FILES: Readonly<Record<string, string>> = {
  'templates/topic.yaml': [
    'AWSTemplateFormatVersion: 2010-09-09',
    'Parameters:',
    '  Env:',
    '    Type: String',
    '  Owner:',
    '    Type: String',
    '    Default: platform',
    'Resources:',
    '  Topic:',
    '    Type: AWS::SNS::Topic',
    'Outputs:',
    '  TopicArn:',
    '    Value: !Ref Topic',
    '',
  ].join('\n'),
  'policies/deny.json':
    '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}',
  'parameters/topic.json': '[{"ParameterKey": "Env", "ParameterValue": "prod"}]',
};

/** The header of every generated manifest (three lines). */
export const HEADER = 'region: us-east-1\nversion: 2021-03-15\nresources:\n';

/** A valid stack set resource (list item, two-space indent). */
export const STACK_SET = [
  '  - name: topic',
  '    resource_file: templates/topic.yaml',
  '    deploy_method: stack_set',
  '    parameter_file: parameters/topic.json',
  '    deployment_targets:',
  '      accounts:',
  "        - '111122223333'",
  '      organizational_units:',
  '        - Workloads',
  '    regions:',
  '      - us-east-1',
  '    export_outputs:',
  '      - name: /org/topic/arn',
  '        value: $[output_TopicArn]',
  '',
].join('\n');

/** A valid SCP resource. */
export const POLICY = [
  '  - name: deny-delete',
  '    resource_file: policies/deny.json',
  '    deploy_method: scp',
  '    deployment_targets:',
  '      organizational_units:',
  '        - Root',
  '',
].join('\n');

/** A valid manifest: header, one policy, one stack set. */
export const VALID_MANIFEST = HEADER + POLICY + STACK_SET;

/** Where the mark was in `text` (1-based), and the text without it. */
export function unmark(text: string): { text: string; line?: number; column?: number } {
  const at = text.indexOf(MARK);
  if (at < 0) return { text };
  const before = text.slice(0, at).split('\n');
  return {
    text: text.slice(0, at) + text.slice(at + MARK.length),
    line: before.length,
    column: before[before.length - 1].length + 1,
  };
}

/** A broken package: files on top of the base package; one file may carry the mark. */
export interface BrokenCase {
  readonly name: string;
  readonly rule: string;
  /** The manifest (may carry the mark); default {@link VALID_MANIFEST}. */
  readonly manifest?: string;
  /** Other files (one may carry the mark); `null` removes a file. */
  readonly files?: Readonly<Record<string, string | Buffer | null>>;
  /** The file the finding is in; default: the file carrying the mark, else manifest.yaml. */
  readonly file?: string;
  /** The finding is about the whole file (a size, an encoding): it points at `file:1:1`. */
  readonly wholeFile?: boolean;
}

/** Builds the case's package, and where its finding must be. */
export function buildCase(c: BrokenCase): {
  files: Record<string, string | Buffer>;
  expected: { file: string; line?: number; column?: number };
} {
  const files: Record<string, string | Buffer> = { ...BASE_FILES };
  let expected: { file: string; line?: number; column?: number } | undefined;
  const add = (path: string, content: string | Buffer | null) => {
    if (content === null) {
      delete files[path];
      return;
    }
    if (Buffer.isBuffer(content)) {
      files[path] = content;
      return;
    }
    const u = unmark(content);
    files[path] = u.text;
    if (u.line !== undefined) expected = { file: path, line: u.line, column: u.column };
  };
  add('manifest.yaml', c.manifest ?? VALID_MANIFEST);
  for (const [path, content] of Object.entries(c.files ?? {})) add(path, content);
  return {
    files,
    expected: expected ?? { file: c.file ?? 'manifest.yaml', ...(c.wholeFile ? { line: 1, column: 1 } : {}) },
  };
}

/** Loads a case. */
export function loadCase(c: BrokenCase): {
  loaded: LoadedPackage;
  expected: { file: string; line?: number; column?: number };
} {
  const built = buildCase(c);
  return { loaded: packageFromFiles(built.files), expected: built.expected };
}

/** Findings reduced to what corpus cases assert. */
export function brief(
  findings: readonly Finding[],
): { ruleId: string; file?: string; line?: number; column?: number }[] {
  return findings.map((f) => ({
    ruleId: f.ruleId,
    file: f.location?.file,
    line: f.location?.line,
    column: f.location?.column,
  }));
}
