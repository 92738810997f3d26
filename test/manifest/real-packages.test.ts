/**
 * Real-package shapes (test/manifest/fixtures/real-packages, written for these tests): what
 * upstream v2.8.4 accepts is accepted and means what it meant upstream; what upstream silently
 * gets wrong is an error that says how to fix it.
 */
import { join } from 'node:path';
import { systemClock } from '../../src/engine/retry';
import { loadRunSnapshot, planRun } from '../../src/engine/run';
import { templateReader } from '../../src/engine/stacksets';
import { hasErrors, isStackSet, loadPackage, type Finding } from '../../src/manifest';
import { LiveWorld } from '../cli/live-world';
import { fakeAwsClients } from '../fake/clients';

const FIXTURES = join(__dirname, 'fixtures', 'real-packages');
const load = (name: string) => loadPackage(join(FIXTURES, name));
const brief = (findings: readonly Finding[]) =>
  findings.map((f) => [f.ruleId, f.severity, `${f.location?.file}:${f.location?.line}:${f.location?.column}`]);

describe('real-package shapes', () => {
  test('a legacy package whose deploy_to_account and deploy_to_ou hold only comments validates, the lists read as empty', async () => {
    const pkg = await load('legacy-commented-targets');
    expect(hasErrors(pkg.findings)).toBe(false);
    expect(brief(pkg.findings)).toEqual([
      ['CFCT-S006', 'warning', 'manifest.yaml:3:10'],
      ['CFCT-M051', 'info', 'manifest.yaml:19:5'],
      ['CFCT-M051', 'info', 'manifest.yaml:37:5'],
    ]);
    const [passwords, logs] = pkg.manifest!.resources.filter(isStackSet);
    expect(passwords.deploymentTargets.accounts).toEqual([]);
    expect(passwords.deploymentTargets.organizationalUnits.map((e) => e.value)).toEqual(['Security', 'Workloads']);
    expect(logs.deploymentTargets.organizationalUnits).toEqual([]);
  });

  test('the legacy package plans as upstream deploys it: named accounts outside top-level OUs left out with a warning each, list values trimmed', async () => {
    const pkg = await load('legacy-commented-targets');
    const world = new LiveWorld();
    const clients = fakeAwsClients(world.fake, '111111111111', 'us-east-1');
    const { snapshot } = await loadRunSnapshot(clients, pkg.manifest!, { clock: world.fake.clock });
    const { plan } = await planRun({
      manifest: pkg.manifest!,
      files: pkg.files,
      snapshot,
      readTemplate: templateReader(pkg.files, clients, 'us-east-1', systemClock),
    });
    const instances = (resource: string) =>
      plan.steps
        .filter((s) => s.kind === 'stackset.create-instances' && (s as any).resource === resource)
        .flatMap((s) => (s as any).targets.accounts as string[])
        .sort();
    expect(instances('log-bucket')).toEqual(['222222222222', '333333333333']);
    expect(
      plan.findings
        .filter((f) => f.ruleId === 'CFCT-K080')
        .map((f) => [f.severity, f.resource, f.message.replace(/\).*/, ')')]),
    ).toEqual([
      ['warning', 'log-bucket', 'account Management (111111111111)'],
      ['warning', 'log-bucket', 'account Web Prod (666666666666)'],
    ]);
    const create = plan.steps.find(
      (s) => s.kind === 'stackset.create' && (s as any).resource === 'password-policy',
    ) as any;
    // Parts are joined with "," when the value is sent: "!, @, #" is deployed as "!,@,#".
    expect(create.definition.parameters).toContainEqual({
      key: 'AllowedSymbols',
      parts: [{ literal: '!' }, { literal: '@' }, { literal: '#' }],
    });
  });

  test('a current package whose accounts, regions and export_outputs hold only comments validates; regions means the home region', async () => {
    const pkg = await load('current-commented-lists');
    expect(brief(pkg.findings)).toEqual([
      ['CFCT-M051', 'info', 'manifest.yaml:12:7'],
      ['CFCT-M051', 'info', 'manifest.yaml:16:5'],
      ['CFCT-M051', 'info', 'manifest.yaml:18:5'],
    ]);
    const [rules] = pkg.manifest!.resources.filter(isStackSet);
    expect(rules.deploymentTargets.accounts).toEqual([]);
    expect(rules.regions).toEqual(['us-east-1']);
    expect(rules.exportOutputs).toEqual([]);
  });

  test('fails on an unquoted account id that YAML 1.1 reads as octal, with the hint to quote it; ids with an 8 or a 9 and without a leading zero are read as written', async () => {
    const pkg = await load('current-octal-account');
    expect(pkg.findings).toEqual([
      expect.objectContaining({
        ruleId: 'CFCT-M052',
        severity: 'error',
        location: expect.objectContaining({ file: 'manifest.yaml', line: 10, column: 11 }),
        hint: "quote it: '012345670123'",
        message: expect.stringContaining('it means 1402433619, not 012345670123'),
      }),
    ]);
  });
});
