/**
 * The offline commands through the built bundle, as a real process: what a user (or the
 * pipeline's build stage) runs.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLE, EXAMPLE_ORGANIZATION } from './live-world';
import { cfctProcess, tempDir } from './support';

describe('cfct bundle, offline commands', () => {
  test('plan of the bundled example against its organization snapshot', () => {
    const result = cfctProcess('plan', EXAMPLE, '--organization', EXAMPLE_ORGANIZATION);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'Plan: 1 destructive change: 1 detachment\n' +
        '      enable RCPs on the root r-ex12; 2 policies to create, 1 to update (1 adopted), 3 attachments, 2 stack sets to create, 5 stack instances to create',
    );
    expect(result.stdout).toContain('  + create SCP deny-leaving-organization');
    expect(result.stdout).toContain('    detach from: Workloads:Dev (ou-ex12-dev00001)');
    expect(result.stdout).toContain('warning CFCT-O006 account Old Experiments (999999999999) is SUSPENDED');
  });

  test('plan --detailed-exitcode exits 2 when changes are pending', () => {
    expect(cfctProcess('plan', EXAMPLE, '--organization', EXAMPLE_ORGANIZATION, '--detailed-exitcode').code).toBe(2);
  });

  test('plan writes Markdown, HTML and JSON reports with --out', () => {
    const dir = tempDir();
    for (const format of ['markdown', 'html', 'json']) {
      const out = join(dir, `plan.${format}`);
      const result = cfctProcess(
        'plan',
        EXAMPLE,
        '--organization',
        EXAMPLE_ORGANIZATION,
        '--format',
        format,
        '--out',
        out,
      );
      expect(result.code).toBe(0);
      expect(result.stdout).toBe('');
      expect(existsSync(out)).toBe(true);
    }
    expect(readFileSync(join(dir, 'plan.markdown'), 'utf8')).toContain('```mermaid');
    expect(readFileSync(join(dir, 'plan.html'), 'utf8')).toContain('<svg');
    const plan = JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8'));
    expect(plan).toMatchObject({ formatVersion: 1, installationId: 'default', homeRegion: 'us-east-1' });
    expect(plan.steps.length).toBeGreaterThan(0);
  });

  test('fails with findings (exit 1) on a broken snapshot, naming the JSON path', () => {
    const org = join(tempDir(), 'org.json');
    const snapshot = JSON.parse(readFileSync(EXAMPLE_ORGANIZATION, 'utf8'));
    snapshot.accounts[1].parentId = 'ou-missing';
    writeFileSync(org, JSON.stringify(snapshot));
    const result = cfctProcess('plan', EXAMPLE, '--organization', org);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/CFCT-O\d{3}.*accounts\[1\]\.parentId/);
  });

  test('fails with usage (exit 2) for a missing snapshot, a missing package, or no organization source', () => {
    expect(cfctProcess('plan', EXAMPLE, '--organization', join(tempDir(), 'none.json')).code).toBe(2);
    expect(cfctProcess('plan', join(tempDir(), 'none'), '--organization', EXAMPLE_ORGANIZATION).code).toBe(2);
    const neither = cfctProcess('plan', EXAMPLE);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('give exactly one of --organization <file> and --live');
  });

  test('fails with findings (exit 1) when the package has errors', () => {
    const dir = join(tempDir(), 'pkg');
    expect(cfctProcess('init', dir).code).toBe(0);
    writeFileSync(
      join(dir, 'manifest.yaml'),
      readFileSync(join(dir, 'manifest.yaml'), 'utf8').replace('deploy_method: scp', 'deploy_method: spc'),
    );
    const result = cfctProcess('plan', dir, '--organization', EXAMPLE_ORGANIZATION);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/manifest\.yaml:\d+:\d+ error CFCT-/);
  });

  test('init writes a package that validates, packages, and plans', () => {
    const dir = join(tempDir(), 'pkg');
    expect(cfctProcess('init', dir).code).toBe(0);
    expect(cfctProcess('validate', dir).code).toBe(0);
    const zip = join(tempDir(), 'custom-control-tower-configuration.zip');
    expect(cfctProcess('package', dir, '--out', zip).code).toBe(0);
    expect(cfctProcess('validate', zip).code).toBe(0);
    const plan = cfctProcess('plan', zip, '--organization', EXAMPLE_ORGANIZATION);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('+ create stack set CustomControlTower-password-policy-check');
  });
});
