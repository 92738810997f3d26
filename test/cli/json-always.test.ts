/**
 * `--format json` writes one JSON document on stdout for every outcome of every command that has
 * it (validate, plan, show, print-tasks): usage errors included, with exit code 2 and the error as
 * a finding (CFCT-U…).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLE, EXAMPLE_ORGANIZATION } from './live-world';
import { cfct, tempDir, type CliRun } from './support';
import { run } from '../../src/cli/program';
import { jsonCommandOf } from '../../src/cli/usage';

interface Doc {
  readonly findings: { ruleId: string; severity: string; message: string; hint?: string }[];
  readonly reason?: string;
  readonly [key: string]: unknown;
}

/** The one JSON document on stdout (JSON.parse fails on anything else, such as two documents). */
function doc(result: CliRun): Doc {
  return JSON.parse(result.stdout) as Doc;
}

const MISSING = '/nonexistent/cfct-package';

describe('usage errors with --format json', () => {
  const cases: [string, string[], string, RegExp][] = [
    [
      'validate: an unknown option',
      ['validate', EXAMPLE, '--format', 'json', '--bogus'],
      'CFCT-U001',
      /unknown option '--bogus'/,
    ],
    [
      'validate: a missing package path',
      ['validate', '--format', 'json'],
      'CFCT-U002',
      /missing required argument 'package'/,
    ],
    [
      'validate: a stack set prefix it does not take',
      ['validate', EXAMPLE, '--format=json', '--stack-set-prefix', '9bad'],
      'CFCT-U003',
      /--stack-set-prefix/,
    ],
    [
      'validate: an unknown linter',
      ['validate', EXAMPLE, '--format', 'json', '--lint', 'cfn-bogus'],
      'CFCT-U003',
      /--lint takes cfn-lint, cfn-nag and cfn-guard, got 'cfn-bogus'/,
    ],
    [
      'validate: a package path that does not exist',
      ['validate', MISSING, '--format', 'json'],
      'CFCT-U004',
      /^\/nonexistent\/cfct-package does not exist; expected a configuration package/,
    ],
    [
      'plan: neither --organization nor --live',
      ['plan', EXAMPLE, '--format', 'json'],
      'CFCT-U005',
      /^give exactly one of --organization <file> and --live$/,
    ],
    [
      'plan: both --organization and --live',
      ['plan', EXAMPLE, '--format', 'json', '--live', '--organization', EXAMPLE_ORGANIZATION],
      'CFCT-U005',
      /exactly one/,
    ],
    [
      'plan: --accounts that are not account ids',
      ['plan', EXAMPLE, '--format', 'json', '--organization', EXAMPLE_ORGANIZATION, '--accounts', '12,abc'],
      'CFCT-U003',
      /--accounts takes 12-digit account ids/,
    ],
    [
      'plan: a package path that does not exist',
      ['plan', MISSING, '--format', 'json', '--organization', EXAMPLE_ORGANIZATION],
      'CFCT-U004',
      /does not exist; expected a configuration package/,
    ],
    [
      'plan: an organization snapshot that does not exist',
      ['plan', EXAMPLE, '--format', 'json', '--organization', '/nonexistent/org.json'],
      'CFCT-U004',
      /^\/nonexistent\/org\.json does not exist; expected an organization snapshot/,
    ],
    [
      'plan: a missing --organization value',
      ['plan', EXAMPLE, '--format', 'json', '--organization'],
      'CFCT-U002',
      /option '--organization <file>' argument missing/,
    ],
    [
      'show: a plan file that does not exist',
      ['show', '/nonexistent/plan.json', '--format', 'json'],
      'CFCT-U004',
      /^\/nonexistent\/plan\.json does not exist; expected a plan/,
    ],
    [
      'show: an unknown option',
      ['show', '--format', 'json', '/nonexistent/plan.json', '--colour'],
      'CFCT-U001',
      /unknown option '--colour'/,
    ],
    [
      'print-tasks: neither --organization nor --live',
      ['print-tasks', EXAMPLE, '--format', 'json'],
      'CFCT-U005',
      /exactly one/,
    ],
    [
      'print-tasks: a package path that does not exist',
      ['print-tasks', MISSING, '--format', 'json', '--live'],
      'CFCT-U004',
      /does not exist/,
    ],
  ];

  test.each(cases)(
    'fails with exit 2 and one JSON document naming the error: %s',
    async (_name, args, ruleId, message) => {
      const result = await cfct(...args);
      expect(result.code).toBe(2);
      const d = doc(result);
      expect(d.findings).toHaveLength(1);
      expect(d.findings[0]).toMatchObject({ ruleId, severity: 'error' });
      expect(d.findings[0].message).toMatch(message);
      expect(d.reason).toMatch(/^usage error; nothing was (done|planned)$/);
      // The text is still on stderr for a person.
      expect(result.stderr).not.toBe('');
    },
  );

  test('each command keeps the shape of its own document', async () => {
    expect(doc(await cfct('validate', MISSING, '--format', 'json'))).toMatchObject({ valid: false });
    expect(doc(await cfct('plan', EXAMPLE, '--format', 'json'))).toMatchObject({ planned: false, steps: [] });
    expect(doc(await cfct('show', '/nonexistent/plan.json', '--format', 'json'))).toMatchObject({
      planned: false,
      steps: [],
    });
    expect(doc(await cfct('print-tasks', EXAMPLE, '--format', 'json'))).toMatchObject({ stackSets: [] });
  });

  test('without --format json a usage error writes nothing on stdout', async () => {
    for (const args of [
      ['validate', MISSING],
      ['plan', EXAMPLE],
      ['validate', EXAMPLE, '--bogus'],
      ['show', '/nonexistent/plan.json'],
    ]) {
      const result = await cfct(...args);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).not.toBe('');
    }
  });

  test('plan --out plan.json puts the usage error document in the file', async () => {
    const out = join(tempDir(), 'plan.json');
    const result = await cfct('plan', EXAMPLE, '--out', out, '--organization', '/nonexistent/org.json');
    expect(result.code).toBe(2);
    const saved = await cfct('show', out, '--format', 'json');
    expect(saved.code).toBe(1);
    expect(doc(saved).findings.map((f) => f.ruleId)).toEqual(['CFCT-U004']);
  });
});

describe('other outcomes with --format json', () => {
  test("print-tasks writes the package's errors as a document when nothing could be planned", async () => {
    const pkg = tempDir();
    writeFileSync(
      join(pkg, 'manifest.yaml'),
      'region: us-east-1\nversion: 2021-03-15\nresources:\n  - name: x\n    deploy_method: scp\n',
    );
    const result = await cfct('print-tasks', pkg, '--organization', EXAMPLE_ORGANIZATION, '--format', 'json');
    expect(result.code).toBe(1);
    const d = doc(result);
    expect(d.stackSets).toEqual([]);
    expect(d.findings.length).toBeGreaterThan(0);
    expect(d.findings.every((f) => /^CFCT-[A-Z]\d{3}$/.test(f.ruleId))).toBe(true);
    expect(d.findings.some((f) => f.severity === 'error')).toBe(true);
  });

  test('fails with exit 1 and a CFCT-U006 document when a live read has no credentials', async () => {
    let stdout = '';
    let stderr = '';
    const noCredentials = () => {
      const error = new Error('Could not load credentials from any providers');
      error.name = 'CredentialsProviderError';
      throw error;
    };
    const code = await run(['node', 'cfct', 'plan', EXAMPLE, '--live', '--format', 'json'], {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      aws: noCredentials,
    });
    expect(code).toBe(1);
    const d = JSON.parse(stdout) as Doc;
    expect(d).toMatchObject({ planned: false, steps: [] });
    expect(d.findings).toEqual([
      expect.objectContaining({
        ruleId: 'CFCT-U006',
        message: 'CredentialsProviderError: Could not load credentials from any providers',
      }),
    ]);
    expect(d.findings[0].hint).toContain('AWS_PROFILE');
    expect(stderr).toContain('hint: live commands use the AWS SDK');
  });

  test('the command and the JSON request are read from the raw arguments', () => {
    expect(jsonCommandOf(['plan', '.', '--format', 'json'])).toBe('plan');
    expect(jsonCommandOf(['validate', '--format=json'])).toBe('validate');
    expect(jsonCommandOf(['plan', '.', '--format', 'text'])).toBeUndefined();
    expect(jsonCommandOf(['apply', '.', '--format', 'json'])).toBeUndefined();
    expect(jsonCommandOf(['--format', 'json'])).toBeUndefined();
  });
});
