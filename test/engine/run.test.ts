/**
 * One engine run over a package: remote policy documents, the account limit, and the plan's
 * shape. (The CLI tests drive apply end to end.)
 */
import { DescribePolicyCommand, ListTargetsForPolicyCommand } from '@aws-sdk/client-organizations';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { PolicyStep } from '../../src/engine/policies';
import { systemClock } from '../../src/engine/retry';
import { applyRun, limitToAccounts, loadRunSnapshot, planRun, policyTypesOf } from '../../src/engine/run';
import { identify, templateReader, type StackSetStep } from '../../src/engine/stacksets';
import { packageFromFiles } from '../../src/manifest';
import { LiveWorld } from '../cli/live-world';
import { fakeAwsClients } from '../fake/clients';

const POLICY =
  '{ "Version": "2012-10-17", "Statement": [{ "Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*" }] }';
const MANIFEST = `region: us-east-1
version: 2021-03-15
resources:
  - name: remote-guardrail
    resource_file: s3://org-policies/guardrail.json
    deploy_method: scp
    deployment_targets:
      organizational_units: [Workloads]
`;

describe('planRun', () => {
  test('reads a policy document from S3 when live, and says why it cannot offline', async () => {
    const world = new LiveWorld();
    const clients = fakeAwsClients(world.fake, '111111111111');
    await clients
      .s3('us-east-1')
      .send(new PutObjectCommand({ Bucket: 'org-policies', Key: 'guardrail.json', Body: POLICY }));
    const pkg = packageFromFiles({ 'manifest.yaml': MANIFEST });
    expect(pkg.findings.filter((f) => f.severity === 'error')).toEqual([]);
    const { snapshot } = await loadRunSnapshot(clients, pkg.manifest!, { clock: world.fake.clock });

    const live = await planRun({
      manifest: pkg.manifest!,
      files: pkg.files,
      snapshot,
      readTemplate: templateReader(pkg.files, clients, 'us-east-1', systemClock),
    });
    const create = live.plan.steps.find((s) => s.kind === 'policy.create') as Extract<
      PolicyStep,
      { kind: 'policy.create' }
    >;
    expect(create.content).toBe(JSON.stringify(JSON.parse(POLICY)));

    const offline = await planRun({
      manifest: pkg.manifest!,
      files: pkg.files,
      snapshot,
      readTemplate: async () => undefined,
    });
    expect(offline.plan.steps).toEqual([]);
    expect(offline.plan.findings).toEqual([
      expect.objectContaining({
        ruleId: 'CFCT-C004',
        severity: 'error',
        message:
          'policy file s3://org-policies/guardrail.json cannot be read: it does not exist; the policy is left as it is',
      }),
    ]);
    expect(offline.plan.inputHash).not.toBe(live.plan.inputHash);
  });
});

const DOC = (sid: string) =>
  `{ "Version": "2012-10-17", "Statement": [{ "Sid": "${sid}", "Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*" }] }`;

/** A package of policies: `name: type`, each attached to Workloads. */
function policyPackage(policies: Record<string, 'scp' | 'rcp'>, extra = '') {
  const resources = Object.entries(policies).map(
    ([name, type]) => `  - name: ${name}
    resource_file: policies/${name}.json
    deploy_method: ${type}
    deployment_targets:
      organizational_units: [Workloads]
`,
  );
  const files = Object.fromEntries(
    Object.keys(policies).map((name) => [`policies/${name}.json`, DOC(name.replace(/-/g, ''))]),
  );
  const pkg = packageFromFiles({
    'manifest.yaml': `region: us-east-1\nversion: 2021-03-15\n${extra}resources:\n${resources.join('')}`,
    ...files,
  });
  expect(pkg.findings.filter((f) => f.severity === 'error')).toEqual([]);
  return pkg;
}

async function planAndApply(world: LiveWorld, pkg: ReturnType<typeof policyPackage>) {
  const clients = fakeAwsClients(world.fake, '111111111111');
  const { snapshot } = await loadRunSnapshot(clients, pkg.manifest!, { clock: world.fake.clock });
  const planned = await planRun({
    manifest: pkg.manifest!,
    files: pkg.files,
    snapshot,
    readTemplate: async () => undefined,
  });
  const report = await applyRun(planned, {
    clients,
    clock: world.fake.clock,
    wait: (ms) => world.fake.clock.sleep(ms),
    runId: 'r1',
  });
  return { plan: planned.plan, report };
}

describe('loadRunSnapshot', () => {
  test('reads a policy type the manifest does not use whole only where this installation owns a policy of it', async () => {
    const world = new LiveWorld();
    const clients = fakeAwsClients(world.fake, '111111111111');
    world.organizations.enableType('RESOURCE_CONTROL_POLICY');
    const foreign = world.organizations.addPolicy({
      name: 'theirs',
      type: 'RESOURCE_CONTROL_POLICY',
      content: DOC('t'),
      tags: { 'cfct:installation': 'other' },
    });
    const scpOnly = policyPackage({ 'deny-x': 'scp' }).manifest!;
    expect(policyTypesOf(scpOnly)).toEqual(['SERVICE_CONTROL_POLICY']);
    const rcpReads = () =>
      [...world.fake.inputsOf(ListTargetsForPolicyCommand), ...world.fake.inputsOf(DescribePolicyCommand)].filter(
        (input) => [foreign, 'p-RCPFullAWSAccess'].includes(input.PolicyId!),
      );

    const first = await loadRunSnapshot(clients, scpOnly, { clock: world.fake.clock });
    expect(first.snapshot.policies.map((p) => p.type)).not.toContain('RESOURCE_CONTROL_POLICY');
    expect(first.snapshot.coverage).toMatchObject({
      policyTypes: ['SERVICE_CONTROL_POLICY'],
      unownedPolicyTypes: { installationId: 'default', policyTypes: ['RESOURCE_CONTROL_POLICY'] },
    });
    // the check: one ListPolicies page and the tags of the one customer-managed RCP, no targets or documents
    expect(rcpReads()).toEqual([]);
    expect(first.apiCalls.ListTagsForResource).toBeGreaterThanOrEqual(1);

    // once the installation owns an RCP, the type is read whole
    world.organizations.addPolicy({
      name: 'mine',
      type: 'RESOURCE_CONTROL_POLICY',
      content: DOC('m'),
      tags: { 'cfct:installation': 'default' },
    });
    const second = await loadRunSnapshot(clients, scpOnly, { clock: world.fake.clock });
    expect(second.snapshot.coverage?.policyTypes).toEqual(['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY']);
    expect(
      second.snapshot.policies
        .filter((p) => p.type === 'RESOURCE_CONTROL_POLICY')
        .map((p) => p.name)
        .sort(),
    ).toEqual(['RCPFullAWSAccess', 'mine', 'theirs']);
    // another installation owns none
    const other = await loadRunSnapshot(clients, scpOnly, { clock: world.fake.clock, installationId: 'other2' });
    expect(other.snapshot.coverage?.unownedPolicyTypes).toEqual({
      installationId: 'other2',
      policyTypes: ['RESOURCE_CONTROL_POLICY'],
    });
  });
});

describe('removing policies does not depend on what else is in the manifest', () => {
  for (const deletion of [false, true]) {
    test(`survives removing the last RCP: detached${deletion ? ' and deleted' : ''} exactly as when one of two leaves`, async () => {
      const extra = deletion ? 'enable_policy_deletion: true\n' : '';
      const outcome = async (before: Record<string, 'scp' | 'rcp'>, after: Record<string, 'scp' | 'rcp'>) => {
        const world = new LiveWorld();
        expect((await planAndApply(world, policyPackage(before, extra))).report.succeeded).toBe(true);
        const { plan, report } = await planAndApply(world, policyPackage(after, extra));
        expect(report.succeeded).toBe(true);
        const guard = world.organizations.allPolicies().find((p) => p.name === 'guard');
        return {
          steps: plan.steps
            .filter(
              (s) => s.kind.startsWith('policy.') && (s as { policy?: { name: string } }).policy?.name === 'guard',
            )
            .map((s) => s.kind),
          attached: guard ? world.organizations.targetsOf(guard.id) : 'deleted',
        };
      };
      const oneOfTwo = await outcome({ 'deny-x': 'scp', guard: 'rcp', keep: 'rcp' }, { 'deny-x': 'scp', keep: 'rcp' });
      const last = await outcome({ 'deny-x': 'scp', guard: 'rcp' }, { 'deny-x': 'scp' });
      expect(oneOfTwo).toEqual({
        steps: deletion ? ['policy.detach', 'policy.delete'] : ['policy.detach'],
        attached: deletion ? 'deleted' : [],
      });
      expect(last).toEqual(oneOfTwo);
    });
  }

  test('survives a manifest with no policy left: the owned SCP and RCP are detached, nothing else is', async () => {
    const world = new LiveWorld();
    expect((await planAndApply(world, policyPackage({ 'deny-x': 'scp', guard: 'rcp' }))).report.succeeded).toBe(true);
    const before = world.organizations
      .allPolicies()
      .filter((p) => !['deny-x', 'guard'].includes(p.name))
      .map((p) => ({ ...p, targets: world.organizations.targetsOf(p.id).sort() }));
    const pkg = packageFromFiles({ 'manifest.yaml': 'region: us-east-1\nversion: 2021-03-15\nresources: []\n' });
    const { plan, report } = await planAndApply(world, pkg);
    expect(report.succeeded).toBe(true);
    expect(plan.steps.map((s) => s.kind)).toEqual(['policy.detach', 'policy.detach']);
    for (const name of ['deny-x', 'guard']) {
      expect(world.organizations.targetsOf(world.organizations.allPolicies().find((p) => p.name === name)!.id)).toEqual(
        [],
      );
    }
    expect(
      world.organizations
        .allPolicies()
        .filter((p) => !['deny-x', 'guard'].includes(p.name))
        .map((p) => ({ ...p, targets: world.organizations.targetsOf(p.id).sort() })),
    ).toEqual(before);
  });
});

describe('limitToAccounts', () => {
  const groups = { accounts: ['111111111111', '222222222222'], regions: ['us-east-1', 'eu-west-1'] };
  const base = { resource: 'r', stackSetName: 'CustomControlTower-r', preferences: {} };
  const steps = [
    identify<StackSetStep>({ ...base, kind: 'stackset.create-instances', targets: groups } as never),
    identify<StackSetStep>({
      ...base,
      kind: 'stackset.delete-instances',
      targets: { accounts: ['333333333333'], regions: ['us-east-1'] },
    } as never),
    identify<StackSetStep>({ ...base, kind: 'stackset.update', reasons: ['template'], definition: {} } as never),
  ];

  test("keeps only the accounts' instances, with new ids, and reports what it leaves out", () => {
    const limited = limitToAccounts(steps, ['222222222222']);
    expect(limited.steps).toHaveLength(1);
    expect(limited.steps[0]).toMatchObject({
      kind: 'stackset.create-instances',
      targets: { accounts: ['222222222222'], regions: groups.regions },
    });
    expect(limited.steps[0].id).not.toBe(steps[0].id);
    expect(limited.findings).toEqual([
      expect.objectContaining({
        ruleId: 'CFCT-C020',
        severity: 'info',
        message: expect.stringContaining('update stack set CustomControlTower-r'),
      }),
    ]);
  });

  test('keeps attachments to the accounts themselves, never OU-level policy changes', () => {
    const policy = { name: 'p', type: 'SERVICE_CONTROL_POLICY' as const, id: 'p-1' };
    const attach = (targetId: string, id?: string): PolicyStep => ({
      id: `policy.attach:scp:p:${targetId}`,
      summary: `attach to ${targetId}`,
      kind: 'policy.attach',
      policy: id ? policy : { name: 'p', type: 'SERVICE_CONTROL_POLICY' },
      targetId,
      targetName: targetId,
    });
    const limited = limitToAccounts(
      [attach('222222222222', 'p-1'), attach('ou-ab12-11111111', 'p-1'), attach('222222222222')],
      ['222222222222'],
    );
    expect(limited.steps.map((s) => s.id)).toEqual(['policy.attach:scp:p:222222222222']);
    expect(limited.findings[0].message).toContain('2 change(s)');
  });
});

describe('lint_suppressions of planning rules', () => {
  const manifest = (suppressions: string) => `region: us-east-1
version: 2021-03-15
resources:
  - name: guard
    resource_file: policies/guard.json
    deploy_method: scp
    deployment_targets:
      organizational_units: [Nowhere]
${suppressions}`;

  async function planWith(suppressions: string) {
    const world = new LiveWorld();
    const clients = fakeAwsClients(world.fake, '111111111111');
    const pkg = packageFromFiles({ 'manifest.yaml': manifest(suppressions), 'policies/guard.json': DOC('g') });
    const { snapshot } = await loadRunSnapshot(clients, pkg.manifest!, { clock: world.fake.clock });
    const planned = await planRun({
      manifest: pkg.manifest!,
      files: pkg.files,
      snapshot,
      readTemplate: async () => undefined,
    });
    return { validation: pkg.findings, findings: planned.plan.findings };
  }

  test('an engine warning (CFCT-O002) is suppressed like a manifest one: validation accepts it, the plan keeps it as info with the reason', async () => {
    const unsuppressed = await planWith('');
    expect(unsuppressed.findings.filter((f) => f.ruleId === 'CFCT-O002').map((f) => f.severity)).toEqual(['warning']);

    const { validation, findings } = await planWith(
      '    lint_suppressions:\n      - rule_id: CFCT-O002\n        reason: the OU is created next week\n',
    );
    expect(validation.filter((f) => f.ruleId === 'CFCT-M016')).toEqual([]);
    const o002 = findings.filter((f) => f.ruleId === 'CFCT-O002');
    expect(o002).toHaveLength(1);
    expect(o002[0]).toMatchObject({ severity: 'info', resource: 'guard' });
    expect(o002[0].message).toContain('(suppressed: the OU is created next week)');
    expect(findings.filter((f) => f.ruleId === 'CFCT-M016')).toEqual([]);
  });

  test('fails when a suppression names no planning rule: CFCT-M016 at plan, with a hint among the planning rules', async () => {
    const { validation, findings } = await planWith(
      '    lint_suppressions:\n      - rule_id: CFCT-O092\n        reason: typo\n',
    );
    expect(validation.filter((f) => f.ruleId === 'CFCT-M016')).toEqual([]);
    const m016 = findings.filter((f) => f.ruleId === 'CFCT-M016');
    expect(m016).toHaveLength(1);
    expect(m016[0]).toMatchObject({ severity: 'error', resource: 'guard' });
    expect(m016[0].message).toContain('names no rule ("CFCT-O092")');
    expect(m016[0].hint).toMatch(/^did you mean "CFCT-[OCK]\d{3}"\?$/);
  });

  test('fails when a suppression names a planning error rule (CFCT-C003): only warnings can be suppressed', async () => {
    const { findings } = await planWith(
      '    lint_suppressions:\n      - rule_id: CFCT-C003\n        reason: we know\n',
    );
    expect(findings.filter((f) => f.ruleId === 'CFCT-M016').map((f) => f.message)).toEqual([
      'lint suppression of "guard" names CFCT-C003, which is an error; only warnings can be suppressed',
    ]);
  });

  test('validation still checks the suppressions of its own rules', () => {
    const pkg = packageFromFiles({
      'manifest.yaml': manifest('    lint_suppressions:\n      - rule_id: CFCT-M999\n        reason: typo\n'),
      'policies/guard.json': DOC('g'),
    });
    expect(pkg.findings.filter((f) => f.ruleId === 'CFCT-M016').map((f) => f.hint)).toEqual([
      expect.stringMatching(/^did you mean "CFCT-M\d{3}"\?$/),
    ]);
  });
});
