/**
 * `cfct pipeline-build`, the whole build stage of the pipeline, in-process against the fake.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD_ARTIFACT_FILES } from '../../src/cli/commands/pipeline-build';
import { EXAMPLE, EXAMPLE_ORGANIZATION, LiveWorld } from '../cli/live-world';
import { tempDir } from '../cli/support';

const BUCKET = 'artifact-bucket';
const READ_ONLY = /^(Describe|List|Get|Validate)/;

async function build(world: LiveWorld, ...extra: string[]) {
  const out = join(tempDir(), 'out');
  const variables = join(tempDir(), 'vars.sh');
  const result = await world.cfct(
    'pipeline-build',
    EXAMPLE,
    '--bucket',
    BUCKET,
    '--execution-id',
    'exec-1',
    '--out',
    out,
    '--variables-file',
    variables,
    ...extra,
  );
  return { result, out, variables };
}

describe('cfct pipeline-build', () => {
  test('plans read-only, stores the run files and writes the artifact, the state machine inputs and the variables', async () => {
    const world = new LiveWorld();
    const { result, out, variables } = await build(world);
    expect(result.stderr).not.toContain('error');
    expect(result.code).toBe(0);

    // Only the run files are written: the organization is read.
    const writes = world.fake.calls
      .filter((c) => !READ_ONLY.test(c.operation))
      .map((c) => `${c.service}:${c.operation}`);
    expect(new Set(writes)).toEqual(new Set(['s3:PutObject']));
    expect([...world.s3.objects.keys()].sort()).toEqual(
      ['options.json', 'package.zip', 'plan.json', 'report.html', 'report.md', 'stacksets.json'].map(
        (f) => `${BUCKET}/cfct/runs/exec-1/${f}`,
      ),
    );

    const plan = JSON.parse(readFileSync(join(out, BUILD_ARTIFACT_FILES.plan), 'utf8'));
    expect(JSON.parse(world.s3.objects.get(`${BUCKET}/cfct/runs/exec-1/plan.json`)!.toString())).toEqual(plan);
    expect(plan.steps.length).toBeGreaterThan(0);
    expect(readFileSync(join(out, BUILD_ARTIFACT_FILES.html), 'utf8')).toContain('<html');
    expect(readFileSync(join(out, BUILD_ARTIFACT_FILES.markdown), 'utf8')).toContain('#');

    const policyInput = JSON.parse(readFileSync(join(out, BUILD_ARTIFACT_FILES.policyInput), 'utf8'));
    expect(policyInput).toEqual({
      runId: 'exec-1',
      installationId: 'default',
      region: 'us-east-1',
      plan: { bucket: BUCKET, key: 'cfct/runs/exec-1/plan.json' },
      package: { bucket: BUCKET, key: 'cfct/runs/exec-1/package.zip' },
      options: { bucket: BUCKET, key: 'cfct/runs/exec-1/options.json' },
      runInput: { bucket: BUCKET, key: 'cfct/runs/exec-1/stacksets.json' },
      lock: { bucket: BUCKET, key: 'cfct/locks/default.json' },
    });
    expect(JSON.parse(readFileSync(join(out, BUILD_ARTIFACT_FILES.stackSetInput), 'utf8'))).toEqual(policyInput);
    // The plan check reads stack set states through the build stage's cache object.
    expect(JSON.parse(world.s3.objects.get(`${BUCKET}/cfct/runs/exec-1/options.json`)!.toString()).stateCache).toEqual({
      bucket: BUCKET,
      key: 'cfct/runs/stack-set-states.json',
    });

    // The variables file is shell: source it and read the values back.
    const printed = execFileSync(
      'sh',
      ['-c', `. "${variables}" && printf '%s\\n%s\\n%s' "$CFCT_SUMMARY" "$CFCT_REPORT_URL" "$CFCT_PLAN_HASH"`],
      { encoding: 'utf8' },
    ).split('\n');
    expect(printed[0]).toMatch(/^\d+ to create, \d+ to update, \d+ to delete/);
    expect(printed[1]).toBe(
      `https://us-east-1.console.aws.amazon.com/s3/object/${BUCKET}?region=us-east-1&prefix=${encodeURIComponent('cfct/runs/exec-1/report.html')}`,
    );
    expect(printed[2]).toBe(plan.inputHash);
    expect(result.stdout).toContain(`plan: ${printed[0]}`);
  });

  test('a scoped run (--accounts) plans for those accounts only and records them in the run options', async () => {
    const world = new LiveWorld();
    const snapshot = JSON.parse(readFileSync(EXAMPLE_ORGANIZATION, 'utf8')) as {
      managementAccountId: string;
      accounts: { id: string; state: string }[];
    };
    const accountId = snapshot.accounts.find((a) => a.id !== snapshot.managementAccountId && a.state === 'ACTIVE')!.id;
    const { result, out } = await build(world, '--accounts', accountId);
    expect(result.code).toBe(0);
    const plan = JSON.parse(readFileSync(join(out, BUILD_ARTIFACT_FILES.plan), 'utf8'));
    expect(plan.accounts).toEqual([accountId]);
    expect(JSON.parse(world.s3.objects.get(`${BUCKET}/cfct/runs/exec-1/options.json`)!.toString()).accounts).toEqual([
      accountId,
    ]);
    const instanceAccounts = new Set<string>();
    for (const step of plan.steps) for (const a of (step.targets?.accounts ?? []) as string[]) instanceAccounts.add(a);
    expect([...instanceAccounts]).toEqual([accountId]);
  });

  test("'all' (the pipeline variable's default) means the whole organization", async () => {
    const world = new LiveWorld();
    const { result, out } = await build(world, '--accounts', 'all');
    expect(result.code).toBe(0);
    expect(JSON.parse(readFileSync(join(out, BUILD_ARTIFACT_FILES.plan), 'utf8')).accounts).toBeUndefined();
  });

  test('fails with exit code 1 and writes nothing when the package has errors', async () => {
    const world = new LiveWorld();
    const broken = tempDir();
    writeFileSync(join(broken, 'manifest.yaml'), 'region: us-east-1\nversion: 2021-03-15\nresources:\n  - name: x\n');
    const bad = await world.cfct(
      'pipeline-build',
      broken,
      '--bucket',
      BUCKET,
      '--execution-id',
      'exec-2',
      '--out',
      join(tempDir(), 'o'),
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      'manifest.yaml:4:5 error CFCT-S002 entry 1 is missing the required field "resource_file"',
    );
    expect([...world.s3.objects.keys()].filter((k) => k.includes('exec-2'))).toEqual([]);
  });

  test('fails with a usage error when --accounts is not a list of account ids', async () => {
    const world = new LiveWorld();
    const { result } = await build(world, '--accounts', '12345');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--accounts takes 12-digit account ids');
  });

  test('fails when the execution id is not one CodePipeline gives', async () => {
    const world = new LiveWorld();
    const result = await world.cfct(
      'pipeline-build',
      EXAMPLE,
      '--bucket',
      BUCKET,
      '--execution-id',
      'a/b',
      '--out',
      join(tempDir(), 'o'),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('pipelineExecutionId must be 1 to 128 letters');
  });
});
