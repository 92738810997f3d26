/**
 * The installation's stack set defaults on the command line: `--operation-preferences <json>` and
 * `--stack-set-order`, on plan, apply, print-tasks and pipeline-build.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLE, EXAMPLE_ORGANIZATION } from './live-world';
import { cfct, tempDir } from './support';

const PREFERENCES = '{"MaxConcurrentCount": 3, "FailureToleranceCount": 1, "RegionConcurrencyType": "SEQUENTIAL"}';

function stackSetSteps(stdout: string): { resource: string; preferences: Record<string, unknown> }[] {
  return JSON.parse(stdout).steps.filter((s: { preferences?: unknown }) => s.preferences !== undefined);
}

describe('cfct plan --operation-preferences / --stack-set-order', () => {
  test("the plan's stack set steps carry the default preferences; without the flag, the library defaults", async () => {
    const withDefaults = await cfct(
      'plan',
      EXAMPLE,
      '--organization',
      EXAMPLE_ORGANIZATION,
      '--format',
      'json',
      '--operation-preferences',
      PREFERENCES,
    );
    expect(withDefaults.code).toBe(0);
    const steps = stackSetSteps(withDefaults.stdout);
    expect(steps.length).toBeGreaterThan(0);
    for (const step of steps) {
      expect(step.preferences).toEqual({
        MaxConcurrentCount: 3,
        FailureToleranceCount: 1,
        RegionConcurrencyType: 'SEQUENTIAL',
        ConcurrencyMode: 'SOFT_FAILURE_TOLERANCE',
      });
    }
    const plain = await cfct('plan', EXAMPLE, '--organization', EXAMPLE_ORGANIZATION, '--format', 'json');
    for (const step of stackSetSteps(plain.stdout)) {
      expect(step.preferences).toEqual({
        MaxConcurrentPercentage: 100,
        FailureTolerancePercentage: 10,
        RegionConcurrencyType: 'PARALLEL',
        ConcurrencyMode: 'SOFT_FAILURE_TOLERANCE',
      });
    }
  });

  test("--stack-set-order applies to a manifest without stack_set_order; the manifest's own order wins", async () => {
    const waves = async (pkg: string, ...flags: string[]) =>
      JSON.parse((await cfct('plan', pkg, '--organization', EXAMPLE_ORGANIZATION, '--format', 'json', ...flags)).stdout)
        .stackSets.waves;
    expect(await waves(EXAMPLE)).toEqual([['audit-log-bucket'], ['security-audit-role']]);
    // security-audit-role reads what audit-log-bucket exports, so it still runs after it.
    const byDependencies = await waves(EXAMPLE, '--stack-set-order', 'dependencies');
    expect(byDependencies.flat()).toEqual(['audit-log-bucket', 'security-audit-role']);
    const pkg = join(tempDir('cfct-defaults-'), 'package');
    cpSync(EXAMPLE, pkg, { recursive: true });
    const manifest = join(pkg, 'manifest.yaml');
    writeFileSync(
      manifest,
      readFileSync(manifest, 'utf8').replace(/^region:/m, 'stack_set_order: sequential\nregion:'),
    );
    expect(await waves(pkg, '--stack-set-order', 'dependencies')).toEqual([
      ['audit-log-bucket'],
      ['security-audit-role'],
    ]);
  });

  test.each([
    ['plan', ['--organization', EXAMPLE_ORGANIZATION]],
    ['apply', ['--live', '--yes']],
    ['print-tasks', ['--organization', EXAMPLE_ORGANIZATION]],
    ['pipeline-build', ['--bucket', 'b', '--execution-id', 'e']],
  ])('fails with exit 2 and a finding (rule id, hint) when %s gets bad stack set defaults', async (command, flags) => {
    const cases: [string[], RegExp][] = [
      [
        ['--operation-preferences', '{"MaxConcurrentCount": 0}'],
        /--operation-preferences:1:24 error CFCT-S007 "MaxConcurrentCount" must be >= 1 .*hint: use a value >= 1/,
      ],
      [
        ['--operation-preferences', '{"MaxConcurrentCount": 2, "MaxConcurrentPercentage": 50}'],
        /error CFCT-M018 --operation-preferences set both MaxConcurrentPercentage and MaxConcurrentCount .*hint: keep/,
      ],
      [
        ['--operation-preferences', 'five'],
        /error CFCT-K100 --operation-preferences is not JSON: .*hint: give a JSON object/,
      ],
      [
        ['--stack-set-order', 'parallel'],
        /error CFCT-K101 --stack-set-order is "parallel"; allowed: sequential, dependencies .*hint: /,
      ],
    ];
    for (const [bad, expected] of cases) {
      const result = await cfct(command, EXAMPLE, ...flags, ...bad);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(expected);
      expect(result.stderr).toContain(`cfct ${command}: fix the stack set defaults given on the command line`);
      expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
  });
});
