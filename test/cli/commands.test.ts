/**
 * The command line around the plan: show, JSON on stdout, --out formats, colour, progress, help,
 * messages for missing credentials and paths, parse-error hints, package contents, print-tasks.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ListStackSetsCommand } from '@aws-sdk/client-cloudformation';
import { ListPoliciesCommand, ListRootsCommand } from '@aws-sdk/client-organizations';
import { GetParametersCommand } from '@aws-sdk/client-ssm';
import { deletionsWorld } from './deletions-world';
import { EXAMPLE, EXAMPLE_ORGANIZATION, LiveWorld } from './live-world';
import { cfct, tempDir } from './support';
import { addExamples, EXAMPLES } from '../../src/cli/commands/help';
import { buildProgram, run } from '../../src/cli/program';
import { withProgress } from '../../src/cli/progress';
import { colorWanted } from '../../src/cli/report/color';
import { loadPackage } from '../../src/manifest';
import { fakeAwsClients } from '../fake/clients';

function copyExample(): string {
  const dir = join(tempDir('cfct-commands-'), 'package');
  cpSync(EXAMPLE, dir, { recursive: true });
  return dir;
}

describe('cfct show', () => {
  test('renders a saved plan as text, markdown, html and json, as terraform show does', async () => {
    const out = join(tempDir(), 'plan.json');
    expect((await cfct('plan', EXAMPLE, '--organization', EXAMPLE_ORGANIZATION, '--out', out)).code).toBe(0);
    const text = await cfct('show', out);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`cfct show: ${out}\n\nPlan: `);
    expect(text.stdout).toContain('+ create SCP deny-leaving-organization');
    expect((await cfct('show', out, '--format', 'markdown')).stdout).toContain('## Policies');
    expect((await cfct('show', out, '--format', 'html')).stdout).toMatch(/^<!doctype html>/);
    expect(JSON.parse((await cfct('show', out, '--format', 'json')).stdout)).toEqual(
      JSON.parse(readFileSync(out, 'utf8')),
    );
  });

  test('fails with exit 1 and lists the findings of a document where nothing could be planned', async () => {
    const pkg = copyExample();
    writeFileSync(
      join(pkg, 'manifest.yaml'),
      readFileSync(join(pkg, 'manifest.yaml'), 'utf8').replace('deploy_method: rcp', 'deploy_method: rpc'),
    );
    const out = join(tempDir(), 'plan.json');
    expect((await cfct('plan', pkg, '--organization', EXAMPLE_ORGANIZATION, '--out', out)).code).toBe(1);
    const shown = await cfct('show', out);
    expect(shown.code).toBe(1);
    expect(shown.stdout).toMatch(
      /nothing was planned; the package or the organization snapshot has errors:\n {2}manifest\.yaml:\d+:\d+ error CFCT-/,
    );
  });

  test('fails with exit 2 naming the path and what was expected when the file is missing or not a plan', async () => {
    const dir = tempDir();
    const missing = await cfct('show', join(dir, 'nope.json'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      `cfct show: ${join(dir, 'nope.json')} does not exist; expected a plan written by \`cfct plan --out plan.json\` (or --format json)\n`,
    );
    writeFileSync(join(dir, 'bad.json'), '{"a": 1,}');
    expect((await cfct('show', join(dir, 'bad.json'))).stderr).toMatch(
      /bad\.json is not JSON .*; expected a plan written by/,
    );
    writeFileSync(join(dir, 'other.json'), '{"a": 1}');
    expect((await cfct('show', join(dir, 'other.json'))).stderr).toContain(
      'other.json is not a plan; expected a plan written by',
    );
  });
});

describe('cfct plan --format json and --out', () => {
  test('fails with exit 1 and still writes one JSON document with the findings when the package has errors', async () => {
    const pkg = copyExample();
    writeFileSync(
      join(pkg, 'manifest.yaml'),
      readFileSync(join(pkg, 'manifest.yaml'), 'utf8').replace('deploy_method: rcp', 'deploy_method: rpc'),
    );
    const result = await cfct('plan', pkg, '--organization', EXAMPLE_ORGANIZATION, '--format', 'json');
    expect(result.code).toBe(1);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({ planned: false, steps: [] });
    expect(
      doc.findings.some((f: { severity: string; ruleId: string }) => f.severity === 'error' && /^CFCT-/.test(f.ruleId)),
    ).toBe(true);
    expect(result.stdout).not.toContain('hint:'); // the findings are JSON, not text lines
  });

  test('--out picks the format from the extension, and apply --plan accepts what plan --out wrote', async () => {
    const world = new LiveWorld();
    const dir = tempDir();
    for (const [file, start] of [
      ['plan.html', '<!doctype html>'],
      ['plan.md', '# cfct plan'],
      ['plan.txt', 'cfct plan'],
      ['plan.json', '{'],
    ]) {
      const result = await world.cfct('plan', EXAMPLE, '--live', '--out', join(dir, file));
      expect(result.code).toBe(0);
      expect(readFileSync(join(dir, file), 'utf8').startsWith(start)).toBe(true);
    }
    const applied = await world.cfct(
      'apply',
      EXAMPLE,
      '--live',
      '--plan',
      join(dir, 'plan.json'),
      '--yes',
      '--poll-seconds',
      '1',
    );
    expect(applied.stderr).toContain('Apply complete.');
    expect(applied.code).toBe(0);
  });

  test('fails with exit 1 when apply --plan is given the document of a package that could not be planned', async () => {
    const pkg = copyExample();
    writeFileSync(
      join(pkg, 'manifest.yaml'),
      readFileSync(join(pkg, 'manifest.yaml'), 'utf8').replace('deploy_method: rcp', 'deploy_method: rpc'),
    );
    const out = join(tempDir(), 'plan.json');
    await cfct('plan', pkg, '--organization', EXAMPLE_ORGANIZATION, '--out', out);
    const world = new LiveWorld();
    const applied = await world.cfct('apply', EXAMPLE, '--live', '--plan', out, '--yes');
    expect(applied.code).not.toBe(0);
    expect(applied.stderr).toContain('is not a plan');
  });
});

describe('colour', () => {
  test('on a terminal the plan is coloured; piped or with NO_COLOR it is not', async () => {
    let stdout = '';
    const io = { stdout: (t: string) => (stdout += t), stderr: () => undefined, color: true };
    const { world, pkg } = await deletionsWorld();
    const clients = fakeAwsClients(world.fake, world.organizations.managementAccountId, 'us-east-1');
    await run(['node', 'cfct', 'plan', pkg, '--live'], { ...io, aws: () => clients, clock: world.fake.clock });
    expect(stdout).toContain('\u001b[31m');
    expect((await world.cfct('plan', pkg, '--live')).stdout).not.toContain('\u001b[');
    expect(colorWanted(true, {})).toBe(true);
    expect(colorWanted(true, { NO_COLOR: '1' })).toBe(false);
    expect(colorWanted(false, {})).toBe(false);
  });
});

describe('progress', () => {
  test('plan --live reports what it read on stderr; stdout stays the plan', async () => {
    const world = new LiveWorld();
    const result = await world.cfct('plan', EXAMPLE, '--live', '--format', 'json');
    expect(result.stderr).toMatch(/^read the organization: 9 accounts, 5 OUs, 0 stack sets \(\d+ requests\)\n$/);
    expect(() => JSON.parse(result.stdout)).not.toThrow();
  });

  test('a long read writes a line at most every so often by the clock, counting requests by phase', async () => {
    const world = new LiveWorld();
    const lines: string[] = [];
    const clock = world.fake.clock;
    const progress = withProgress(
      fakeAwsClients(world.fake, world.organizations.managementAccountId, 'us-east-1'),
      (t) => lines.push(t),
      'reading',
      { clock, everyMs: 500 },
    );
    await progress.clients.organizations().send(new ListRootsCommand({}));
    clock.advance(100);
    await progress.clients.organizations().send(new ListRootsCommand({}));
    clock.advance(450);
    await progress.clients.organizations().send(new ListPoliciesCommand({ Filter: 'SERVICE_CONTROL_POLICY' }));
    clock.advance(499);
    await progress.clients.ssm('us-east-1').send(new GetParametersCommand({ Names: ['/x'] }));
    clock.advance(1);
    await progress.clients.cloudFormation('us-east-1').send(new ListStackSetsCommand({}));
    progress.done('read');
    expect(lines).toEqual([
      'reading: 1 request so far: organization tree 1 (ListRoots)\n',
      'reading: 3 requests so far: organization tree 2, policies 1 (ListPolicies)\n',
      'reading: 5 requests so far: organization tree 2, policies 1, stack sets 1, SSM 1 (ListStackSets)\n',
      'read (5 requests)\n',
    ]);
  });

  test('without show, only the closing line is written, with every request counted', async () => {
    const world = new LiveWorld();
    const lines: string[] = [];
    const progress = withProgress(
      fakeAwsClients(world.fake, world.organizations.managementAccountId, 'us-east-1'),
      (t) => lines.push(t),
      'reading',
      { show: false, clock: world.fake.clock },
    );
    for (let i = 0; i < 3; i++) {
      world.fake.clock.advance(1000);
      await progress.clients.organizations().send(new ListRootsCommand({}));
    }
    progress.done('read');
    expect(lines).toEqual(['read (3 requests)\n']);
  });

  test('plan --live --progress reports the read by phase on stderr, even on a small organization; stdout stays the plan', async () => {
    const world = new LiveWorld();
    // Each look at the clock is 100 ms later: a slow read.
    let ticks = 0;
    const clock = {
      now: () => world.fake.clock.now() + 100 * ticks++,
      sleep: (ms: number) => world.fake.clock.sleep(ms),
    };
    let stdout = '';
    let stderr = '';
    const clients = fakeAwsClients(world.fake, world.organizations.managementAccountId, 'us-east-1');
    const code = await run(['node', 'cfct', 'plan', EXAMPLE, '--live', '--format', 'json', '--progress'], {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      aws: () => clients,
      clock,
    });
    expect(code).toBe(0);
    expect(() => JSON.parse(stdout)).not.toThrow();
    const lines = stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^reading the organization: 1 request so far: organization tree 1 \(\w+\)$/);
    expect(lines.at(-1)).toMatch(/^read the organization: 9 accounts, 5 OUs, 0 stack sets \(\d+ requests\)$/);
    const progressLines = lines.slice(0, -1);
    expect(progressLines.length).toBeGreaterThan(2);
    expect(
      progressLines.every((l) => /^reading the organization: \d+ requests? so far: [a-zA-Z0-9 ,]+ \(\w+\)$/.test(l)),
    ).toBe(true);
    const last = progressLines.at(-1)!;
    expect(last).toContain('policies ');
    expect(last).toContain('stack sets ');
    // The counts only grow.
    const totals = progressLines.map((l) => Number(/: (\d+) requests? so far/.exec(l)![1]));
    expect([...totals].sort((a, b) => a - b)).toEqual(totals);
  });

  test("apply --progress reports its read of the organization (the lock's SSM parameter first) before the plan", async () => {
    const world = new LiveWorld();
    const result = await world.cfct('apply', EXAMPLE, '--live', '--yes', '--progress', '--poll-seconds', '1');
    expect(result.code).toBe(0);
    const lines = result.stderr.split('\n');
    expect(lines[0]).toBe('reading the organization: 1 request so far: SSM 1 (GetParameter)');
    expect(lines[1]).toMatch(/^read the organization: 9 accounts, 5 OUs, 0 stack sets \(\d+ requests\)$/);
    const quiet = await new LiveWorld().cfct('apply', EXAMPLE, '--live', '--yes', '--poll-seconds', '1');
    expect(quiet.stderr).not.toContain('so far');
  });

  test('a terminal on stderr shows progress without --progress; a pipe does not', async () => {
    const world = new LiveWorld();
    let ticks = 0;
    const clock = {
      now: () => world.fake.clock.now() + 1000 * ticks++,
      sleep: (ms: number) => world.fake.clock.sleep(ms),
    };
    const clients = fakeAwsClients(world.fake, world.organizations.managementAccountId, 'us-east-1');
    const stderrOf = async (progress: boolean) => {
      let stderr = '';
      await run(['node', 'cfct', 'plan', EXAMPLE, '--live'], {
        stdout: () => undefined,
        stderr: (t) => (stderr += t),
        aws: () => clients,
        clock,
        progress,
      });
      return stderr;
    };
    expect(await stderrOf(true)).toMatch(/^reading the organization: 1 request so far/);
    expect(await stderrOf(false)).toMatch(
      /^read the organization: 9 accounts, 5 OUs, 0 stack sets \(\d+ requests\)\n$/,
    );
  });
});

describe('help and messages', () => {
  test('--help of each command ends with examples', async () => {
    const names = ['validate', 'plan', 'show', 'apply', 'print-tasks', 'org export', 'package', 'init', 'migrate'];
    for (const name of names) {
      const result = await cfct(...name.split(' '), '--help');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Examples:\n  $ ${EXAMPLES[name][0]}`);
    }
    // Every registered command has examples.
    const program = buildProgram({ stdout: () => undefined, stderr: () => undefined }, { exitCode: 0 });
    const missing = program.commands.map((c) => c.name()).filter((n) => !EXAMPLES[n]);
    expect(missing).toEqual([]);
    expect(addExamples).toBeDefined();
  });

  test('fails with a hint on how to provide credentials when a live command finds none', async () => {
    const world = new LiveWorld();
    world.fake.injectFault({
      service: 'organizations',
      operation: 'DescribeOrganization',
      rate: 1,
      error: () =>
        Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
    });
    const result = await world.cfct('plan', EXAMPLE, '--live');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cfct: CredentialsProviderError: Could not load credentials from any providers\n');
    expect(result.stderr).toContain('AWS_PROFILE=<profile>');
    expect(result.stderr).toContain('plan with --organization <file>');
  });

  test('fails with exit 2 naming a missing path and what was expected there', async () => {
    const dir = tempDir();
    const plan = await cfct('plan', join(dir, 'nope'), '--organization', EXAMPLE_ORGANIZATION);
    expect(plan.code).toBe(2);
    expect(plan.stderr).toBe(
      `cfct plan: ${join(dir, 'nope')} does not exist; expected a configuration package: a folder holding manifest.yaml, or a .zip of one\n`,
    );
    const org = await cfct('plan', EXAMPLE, '--organization', join(dir, 'org.json'));
    expect(org.stderr).toBe(
      `cfct plan: ${join(dir, 'org.json')} does not exist; expected an organization snapshot written by cfct org export --out org.json\n`,
    );
    const pack = await cfct('package', join(dir, 'nope'));
    expect(pack.stderr).toBe(
      `cfct package: ${join(dir, 'nope')} does not exist; expected a configuration package folder holding manifest.yaml\n`,
    );
  });

  test("a YAML indentation error and a JSON trailing comma get a hint, not only the parser's words", async () => {
    const pkg = copyExample();
    writeFileSync(
      join(pkg, 'manifest.yaml'),
      readFileSync(join(pkg, 'manifest.yaml'), 'utf8').replace(
        '    resource_file: policies/deny-root-user.json',
        '     resource_file: policies/deny-root-user.json',
      ),
    );
    const yaml = await cfct('validate', pkg, '--format', 'json');
    const yamlFinding = JSON.parse(yaml.stdout).findings[0];
    expect(yamlFinding.hint).toMatch(/^check the indentation: keys of one mapping start in the same column/);
    const pkg2 = copyExample();
    writeFileSync(
      join(pkg2, 'parameters', 'audit-log-bucket.json'),
      '[\n  {"ParameterKey": "RetentionDays", "ParameterValue": "365"},\n]\n',
    );
    const json = await cfct('validate', pkg2, '--format', 'json');
    const jsonFinding = JSON.parse(json.stdout).findings.find((f: { message: string }) =>
      /not valid JSON/.test(f.message),
    );
    expect(jsonFinding.hint).toBe(
      'remove the trailing comma before the closing bracket: JSON allows no comma after the last entry',
    );
  });

  test('messages count entries from 1, as a person does', async () => {
    const pkg = copyExample();
    writeFileSync(join(pkg, 'manifest.yaml'), 'region: us-east-1\nversion: 2021-03-15\nresources:\n  - just-a-name\n');
    const result = await cfct('validate', pkg, '--format', 'json');
    const messages = JSON.parse(result.stdout).findings.map((f: { message: string }) => f.message);
    expect(messages).toContain('entry 1 must be a mapping, got a string');
  });

  test('hints name only what a user can change: no library limit names', () => {
    const sources = ['src/manifest/package-files.ts', 'src/manifest/load.ts'].map((f) =>
      readFileSync(join(__dirname, '..', '..', f), 'utf8'),
    );
    for (const source of sources) {
      for (const hint of source.match(/hint: '[^']*'/g) ?? []) expect(hint).not.toMatch(/max[A-Z]\w+/);
    }
  });
});

describe('cfct package contents', () => {
  test('never packs its own output, earlier zips, editor and OS litter, .git or node_modules', async () => {
    const pkg = copyExample();
    for (const [file, body] of [
      ['.DS_Store', 'x'],
      ['templates/.DS_Store', 'x'],
      ['templates/.audit-log-bucket.yaml.swp', 'x'],
      ['policies/deny-root-user.json~', 'x'],
      ['.git/config', 'x'],
      ['node_modules/x/index.js', 'x'],
      ['old.zip', 'PK'],
      ['Thumbs.db', 'x'],
    ]) {
      mkdirSync(join(pkg, file, '..'), { recursive: true });
      writeFileSync(join(pkg, file), body);
    }
    const out = join(pkg, 'custom-control-tower-configuration.zip');
    expect((await cfct('package', pkg, '--out', out)).code).toBe(0);
    expect((await cfct('package', pkg, '--out', out)).code).toBe(0); // again, with the first zip in the folder
    const files = [...(await loadPackage(out)).files.list()].sort();
    expect(files).toEqual([
      'manifest.yaml',
      'organization.json',
      'parameters/audit-log-bucket.json',
      'policies/deny-leave-organization.json',
      'policies/deny-root-user.json',
      'policies/enforce-secure-transport.json',
      'templates/audit-log-bucket.yaml',
      'templates/security-audit-role.yaml',
    ]);
  });
});

describe('cfct print-tasks', () => {
  test('prints each stack set with its resolved template, parameters (secrets as references) and target instances', async () => {
    const result = await cfct('print-tasks', EXAMPLE, '--organization', EXAMPLE_ORGANIZATION, '--format', 'json');
    const { stackSets } = JSON.parse(result.stdout);
    expect(stackSets.map((s: { stackSetName: string }) => s.stackSetName)).toEqual([
      'CustomControlTower-audit-log-bucket',
      'CustomControlTower-security-audit-role',
    ]);
    const role = stackSets[1];
    expect(role.parameters).toEqual({
      SecurityAccountId: '333333333333',
      LogBucketName: '(known after apply: SSM parameter /org/audit/log-bucket-name, exported by audit-log-bucket)',
    });
    expect(role.regions).toEqual(['us-east-1', 'eu-west-1']);
    expect(role.accounts).toContain('888888888888');
    expect(role.template).toContain('OrgSecurityAudit');
    const text = await cfct('print-tasks', EXAMPLE, '--organization', EXAMPLE_ORGANIZATION);
    expect(text.stdout).toContain(
      '# CustomControlTower-security-audit-role (resource security-audit-role)\nregions: us-east-1, eu-west-1\n',
    );
  });

  test("never prints a NoEcho parameter's value", async () => {
    const pkg = copyExample();
    const template = join(pkg, 'templates', 'security-audit-role.yaml');
    writeFileSync(
      template,
      readFileSync(template, 'utf8').replace(
        'Parameters:\n',
        'Parameters:\n  ApiToken:\n    Type: String\n    NoEcho: true\n',
      ),
    );
    const manifest = join(pkg, 'manifest.yaml');
    writeFileSync(
      manifest,
      readFileSync(manifest, 'utf8').replace(
        '      - parameter_key: SecurityAccountId\n',
        '      - parameter_key: ApiToken\n        parameter_value: s3cr3t-t0ken\n      - parameter_key: SecurityAccountId\n',
      ),
    );
    const result = await cfct('print-tasks', pkg, '--organization', EXAMPLE_ORGANIZATION);
    expect(result.stdout).toContain('  ApiToken: (secret)\n');
    expect(result.stdout + result.stderr).not.toContain('s3cr3t-t0ken');
  });
});
