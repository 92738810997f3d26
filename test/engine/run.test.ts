/**
 * One engine run over a package: remote policy documents, the account limit, and the plan's
 * shape. (The CLI tests drive apply end to end.)
 */
import { ListPoliciesCommand } from '@aws-sdk/client-organizations';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { PolicyStep } from '../../src/engine/policies/steps';
import { systemClock } from '../../src/engine/retry';
import { limitToAccounts, loadRunSnapshot, planRun, policyTypesOf } from '../../src/engine/run';
import { templateReader } from '../../src/engine/stacksets/desired';
import { identify, type StackSetStep } from '../../src/engine/stacksets/steps';
import { packageFromFiles } from '../../src/manifest';
import { LiveWorld } from '../cli/live-world';
import { fakeAwsClients } from '../fake/clients';

const POLICY = '{ "Version": "2012-10-17", "Statement": [{ "Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*" }] }';
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
    await clients.s3('us-east-1').send(new PutObjectCommand({ Bucket: 'org-policies', Key: 'guardrail.json', Body: POLICY }));
    const pkg = packageFromFiles({ 'manifest.yaml': MANIFEST });
    expect(pkg.findings.filter((f) => f.severity === 'error')).toEqual([]);
    const { snapshot } = await loadRunSnapshot(clients, pkg.manifest!, { clock: world.fake.clock });

    const live = await planRun({ manifest: pkg.manifest!, files: pkg.files, snapshot, readTemplate: templateReader(pkg.files, clients, 'us-east-1', systemClock) });
    const create = live.plan.steps.find((s) => s.kind === 'policy.create') as Extract<PolicyStep, { kind: 'policy.create' }>;
    expect(create.content).toBe(JSON.stringify(JSON.parse(POLICY)));

    const offline = await planRun({ manifest: pkg.manifest!, files: pkg.files, snapshot, readTemplate: async () => undefined });
    expect(offline.plan.steps).toEqual([]);
    expect(offline.plan.findings).toEqual([
      expect.objectContaining({ ruleId: 'CFCT-C004', severity: 'error', message: 'policy file s3://org-policies/guardrail.json could not be read' }),
    ]);
    expect(offline.plan.inputHash).not.toBe(live.plan.inputHash);
  });
});

describe('loadRunSnapshot', () => {
  test('reads only the policy types the manifest uses, unless removed policies may be deleted', async () => {
    const world = new LiveWorld();
    const clients = fakeAwsClients(world.fake, '111111111111');
    const filters = () => world.fake.inputsOf(ListPoliciesCommand).map((input) => input.Filter);
    const scpOnly = packageFromFiles({ 'manifest.yaml': MANIFEST }).manifest!;
    expect(policyTypesOf(scpOnly)).toEqual(['SERVICE_CONTROL_POLICY']);
    await loadRunSnapshot(clients, scpOnly, { clock: world.fake.clock });
    expect(new Set(filters())).toEqual(new Set(['SERVICE_CONTROL_POLICY']));

    const withDeletion = packageFromFiles({ 'manifest.yaml': `enable_policy_deletion: true\n${MANIFEST}` }).manifest!;
    expect(policyTypesOf(withDeletion)).toEqual(['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY']);
    world.fake.calls.length = 0;
    await loadRunSnapshot(clients, withDeletion, { clock: world.fake.clock });
    expect(new Set(filters())).toEqual(new Set(['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY']));
  });
});

describe('limitToAccounts', () => {
  const groups = { accounts: ['111111111111', '222222222222'], regions: ['us-east-1', 'eu-west-1'] };
  const base = { resource: 'r', stackSetName: 'CustomControlTower-r', preferences: {} };
  const steps = [
    identify<StackSetStep>({ ...base, kind: 'stackset.create-instances', targets: groups } as never),
    identify<StackSetStep>({ ...base, kind: 'stackset.delete-instances', targets: { accounts: ['333333333333'], regions: ['us-east-1'] } } as never),
    identify<StackSetStep>({ ...base, kind: 'stackset.update', reasons: ['template'], definition: {} } as never),
  ];

  test('keeps only the accounts\' instances, with new ids, and reports what it leaves out', () => {
    const limited = limitToAccounts(steps, ['222222222222']);
    expect(limited.steps).toHaveLength(1);
    expect(limited.steps[0]).toMatchObject({ kind: 'stackset.create-instances', targets: { accounts: ['222222222222'], regions: groups.regions } });
    expect(limited.steps[0].id).not.toBe(steps[0].id);
    expect(limited.findings).toEqual([expect.objectContaining({ ruleId: 'CFCT-C020', severity: 'info', message: expect.stringContaining('update stack set CustomControlTower-r') })]);
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
    const limited = limitToAccounts([attach('222222222222', 'p-1'), attach('ou-ab12-11111111', 'p-1'), attach('222222222222')], ['222222222222']);
    expect(limited.steps.map((s) => s.id)).toEqual(['policy.attach:scp:p:222222222222']);
    expect(limited.findings[0].message).toContain('2 change(s)');
  });
});
