import { TagResourceCommand } from '@aws-sdk/client-organizations';
import { loadOrganizationSnapshot } from '../../../src/engine/organization/load';
import type { Plan } from '../../../src/engine/plan';
import { createPolicyPlan } from '../../../src/engine/policies';
import { packageFromFiles } from '../../../src/manifest/load';
import type { Manifest, PackageFiles } from '../../../src/manifest/model';
import { policyDocument } from '../../fake/builders';
import { fakeOrganization, manifestOf, memoryFiles, policyResource } from '../helpers';

const OWNED = { 'cfct:installation': 'default' };
const doc = (seed: string) => policyDocument(seed);
const pretty = (seed: string) => JSON.stringify(JSON.parse(doc(seed)), null, 4);

function setup(options: Parameters<typeof fakeOrganization>[0] = {}) {
  const org = fakeOrganization(options);
  const { organizations } = org;
  const sec = organizations.addOu(organizations.rootId, 'Security');
  const wl = organizations.addOu(organizations.rootId, 'Workloads');
  const prod = organizations.addOu(wl, 'Prod');
  const shop = organizations.addAccount({ name: 'Shop', parentId: prod });
  const plan = async (manifest: Manifest, files: PackageFiles, installationId = 'default'): Promise<Plan> => {
    const { snapshot } = await loadOrganizationSnapshot(org.clients);
    return createPolicyPlan({ manifest, files, snapshot, installationId });
  };
  return { ...org, sec, wl, prod, shop, plan };
}

const kinds = (plan: Plan) => plan.steps.map((s) => s.kind);
const ruleIds = (plan: Plan) => plan.findings.map((f) => `${f.ruleId}:${f.severity}`);

describe('planPolicies', () => {
  test('creates a missing policy, tagged, then attaches it; SCPs before RCPs; enables a type that is off', async () => {
    const { plan, sec, prod, organizations } = setup();
    const p = await plan(
      manifestOf([
        policyResource('guard', { type: 'rcp', ous: ['Root'] }),
        policyResource('deny-leave', { ous: ['Security', 'Workloads:Prod'], tags: { team: 'sec' } }),
      ]),
      memoryFiles({ 'policies/deny-leave.json': pretty('a'), 'policies/guard.json': doc('g') }),
    );
    expect(p.steps.map((s) => s.id)).toEqual([
      'policy.create:scp:deny-leave',
      `policy.attach:scp:deny-leave:${sec}`,
      `policy.attach:scp:deny-leave:${prod}`,
      `policy.enable-type:rcp:${organizations.rootId}`,
      'policy.create:rcp:guard',
      `policy.attach:rcp:guard:${organizations.rootId}`,
    ]);
    expect(p.steps[0]).toMatchObject({
      content: doc('a'), // minified
      description: 'deny-leave policy',
      tags: { team: 'sec', 'cfct:installation': 'default' },
    });
    expect(ruleIds(p)).toEqual(['CFCT-C009:warning']);
    // plans are JSON documents
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
    expect(p.inputHash).toMatch(/^[0-9a-f]{64}$/);
  });

  test("fails when a policy's tags break Organizations' tag rules: CFCT-C030 at plan time, nothing planned for it", async () => {
    const { plan, organizations, sec, clients } = setup();
    const bad: Record<string, Record<string, string>> = {
      pattern: { team: 'sec (core)' },
      key: { ['k'.repeat(129)]: 'x' },
      value: { team: 'v'.repeat(257) },
      system: { 'AWS:owner': 'me' },
      many: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v'])),
    };
    const resources = Object.entries(bad).map(([name, tags]) => policyResource(name, { ous: ['Security'], tags }));
    const files = memoryFiles(
      Object.fromEntries([...Object.keys(bad), 'fine'].map((n) => [`policies/${n}.json`, doc(n)])),
    );
    const p = await plan(
      manifestOf([...resources, policyResource('fine', { ous: ['Security'], tags: { 'Équipe büro': 'a/b=c+d-e@f' } })]),
      files,
    );
    expect(p.findings.filter((f) => f.ruleId === 'CFCT-C030').map((f) => [f.resource, f.severity, f.message])).toEqual([
      ['pattern', 'error', 'scp "pattern": tag "team" holds characters Organizations does not accept in tags'],
      ['key', 'error', `scp "key": tag key "${'k'.repeat(40)}…" must be 1 to 128 characters`],
      ['value', 'error', 'scp "value": the value of tag "team" is longer than 256 characters'],
      ['system', 'error', 'scp "system": tag key "AWS:owner" starts with aws:, which is reserved for AWS'],
      ['many', 'error', 'scp "many": would carry 51 tags, and Organizations allows 50 on a policy'],
    ]);
    expect(p.findings.find((f) => f.ruleId === 'CFCT-C030')).toMatchObject({
      location: { file: 'manifest.yaml', line: 3 },
      hint: expect.any(String),
    });
    expect(p.steps.map((s) => s.id)).toEqual(['policy.create:scp:fine', `policy.attach:scp:fine:${sec}`]);

    // an existing policy's own tags count toward the 50: tagging it for this installation would pass the quota
    const crowded = organizations.addPolicy({
      name: 'crowded',
      type: 'SERVICE_CONTROL_POLICY',
      content: doc('c'),
      tags: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`t${i}`, 'v'])),
    });
    const adopt = await plan(
      manifestOf([policyResource('crowded', { ous: ['Security'] })]),
      memoryFiles({ 'policies/crowded.json': doc('c') }),
    );
    expect(adopt.findings.map((f) => f.ruleId)).toEqual(['CFCT-C030']);
    expect(adopt.steps).toEqual([]);
    // the fake, as AWS, would have refused the TagResource the plan would otherwise make
    await expect(
      clients
        .organizations()
        .send(new TagResourceCommand({ ResourceId: crowded, Tags: [{ Key: 'cfct:installation', Value: 'default' }] })),
    ).rejects.toMatchObject({
      name: 'ConstraintViolationException',
      Reason: 'MAX_TAG_LIMIT_EXCEEDED',
    });
  });

  test('updates only when the minified content or the description differ', async () => {
    const { plan, organizations, sec } = setup();
    organizations.addPolicy({
      name: 'same',
      type: 'SERVICE_CONTROL_POLICY',
      content: pretty('s'),
      description: 'same policy',
      tags: OWNED,
      targets: [sec],
    });
    organizations.addPolicy({
      name: 'content',
      type: 'SERVICE_CONTROL_POLICY',
      content: doc('old'),
      description: 'content policy',
      tags: OWNED,
      targets: [sec],
    });
    organizations.addPolicy({
      name: 'text',
      type: 'SERVICE_CONTROL_POLICY',
      content: doc('t'),
      description: 'old words',
      tags: OWNED,
      targets: [sec],
    });
    const p = await plan(
      manifestOf(['same', 'content', 'text'].map((n) => policyResource(n, { ous: ['Security'] }))),
      memoryFiles({
        'policies/same.json': doc('s'),
        'policies/content.json': doc('new'),
        'policies/text.json': doc('t'),
      }),
    );
    expect(p.steps.map((s) => s.summary)).toEqual([
      'update scp "content" (content)',
      'update scp "text" (description)',
    ]);
    expect(p.steps[0]).toMatchObject({ content: doc('new'), before: { content: doc('old') } });
  });

  test("adopts an untagged same-named policy (upstream's) by tagging it, and says so", async () => {
    const { plan, organizations, sec, prod } = setup();
    const id = organizations.addPolicy({
      name: 'legacy',
      type: 'SERVICE_CONTROL_POLICY',
      content: doc('l'),
      description: 'legacy policy',
      targets: [sec, prod],
    });
    const p = await plan(
      manifestOf([policyResource('legacy', { ous: ['Security'] })]),
      memoryFiles({ 'policies/legacy.json': doc('l') }),
    );
    expect(p.steps).toEqual([
      expect.objectContaining({
        kind: 'policy.tag',
        adopt: true,
        policy: { name: 'legacy', type: 'SERVICE_CONTROL_POLICY', id },
        tags: OWNED,
      }),
      // adopted means owned: the target no longer listed is detached, as the plan shows
      expect.objectContaining({ kind: 'policy.detach', targetId: prod }),
    ]);
    expect(ruleIds(p)).toEqual(['CFCT-C005:info']);
  });

  test('fails when the name is taken by a policy another installation owns, or untagged for a non-default installation', async () => {
    const { plan, organizations, sec } = setup();
    organizations.addPolicy({
      name: 'theirs',
      type: 'SERVICE_CONTROL_POLICY',
      content: doc('x'),
      tags: { 'cfct:installation': 'other' },
      targets: [sec],
    });
    organizations.addPolicy({ name: 'untagged', type: 'SERVICE_CONTROL_POLICY', content: doc('y'), targets: [sec] });
    const manifest = manifestOf([
      policyResource('theirs', { ous: ['Workloads'] }),
      policyResource('untagged', { ous: ['Workloads'] }),
    ]);
    const files = memoryFiles({ 'policies/theirs.json': doc('1'), 'policies/untagged.json': doc('2') });
    const p = await plan(manifest, files, 'blue');
    expect(p.steps).toEqual([]);
    expect(ruleIds(p)).toEqual(['CFCT-C006:error', 'CFCT-C006:error']);
    expect(p.findings[0].message).toMatch(/owned by installation "other"/);
  });

  test('fails when the name is an AWS-managed policy', async () => {
    const { plan } = setup();
    const p = await plan(
      manifestOf([policyResource('FullAWSAccess', { ous: ['Security'] })]),
      memoryFiles({ 'policies/FullAWSAccess.json': doc('f') }),
    );
    expect(p.steps).toEqual([]);
    expect(p.findings[0]).toMatchObject({ ruleId: 'CFCT-C006', message: expect.stringMatching(/AWS-managed/) });
  });

  test('detaches an owned policy from targets no longer listed; never touches policies it does not own', async () => {
    const { plan, organizations, sec, prod } = setup();
    organizations.addPolicy({
      name: 'mine',
      type: 'SERVICE_CONTROL_POLICY',
      content: doc('m'),
      description: 'mine policy',
      tags: OWNED,
      targets: [sec, prod],
    });
    organizations.addPolicy({
      name: 'ct-guardrail',
      type: 'SERVICE_CONTROL_POLICY',
      content: doc('c'),
      targets: [sec, prod],
    });
    organizations.addPolicy({
      name: 'theirs',
      type: 'SERVICE_CONTROL_POLICY',
      content: doc('t'),
      tags: { 'cfct:installation': 'other' },
      targets: [sec],
    });
    const p = await plan(
      manifestOf([policyResource('mine', { ous: ['Security'] })]),
      memoryFiles({ 'policies/mine.json': doc('m') }),
    );
    expect(p.steps.map((s) => s.id)).toEqual([`policy.detach:scp:mine:${prod}`]);
    expect(p.findings).toEqual([]);
  });

  test('an owned policy that left the manifest is detached and kept, or deleted with enable_policy_deletion', async () => {
    const { plan, organizations, sec, prod } = setup();
    const id = organizations.addPolicy({
      name: 'gone',
      type: 'SERVICE_CONTROL_POLICY',
      content: doc('g'),
      tags: OWNED,
      targets: [sec, prod],
    });
    const kept = await plan(manifestOf([]), memoryFiles({}));
    expect(kinds(kept)).toEqual(['policy.detach', 'policy.detach']);
    expect(ruleIds(kept)).toEqual(['CFCT-C007:info']);
    const deleted = await plan(manifestOf([], { enablePolicyDeletion: true }), memoryFiles({}));
    expect(kinds(deleted)).toEqual(['policy.detach', 'policy.detach', 'policy.delete']);
    expect(deleted.steps[2]).toMatchObject({ policy: { id, name: 'gone' } });
  });

  test('fails when a target would carry more than 5 SCPs, counting policies it does not own', async () => {
    const { plan, organizations, sec } = setup();
    for (const n of ['ct-1', 'ct-2', 'ct-3']) {
      organizations.addPolicy({ name: n, type: 'SERVICE_CONTROL_POLICY', content: doc(n), targets: [sec] });
    }
    const p = await plan(
      manifestOf([policyResource('a', { ous: ['Security'] }), policyResource('b', { ous: ['Security'] })]),
      memoryFiles({ 'policies/a.json': doc('a'), 'policies/b.json': doc('b') }),
    );
    const quota = p.findings.find((f) => f.ruleId === 'CFCT-C003');
    expect(quota).toMatchObject({ severity: 'error' });
    expect(quota?.message).toBe(
      `Security (${sec}) would have 6 SCPs attached (limit 5): FullAWSAccess, ct-1, ct-2, ct-3, a, b`,
    );
  });

  test('fails when a target would carry thousands of SCPs, and the finding folds their names after 10', async () => {
    const { plan, sec } = setup();
    const names = Array.from({ length: 3003 }, (_, i) => `p${i + 1}`);
    const p = await plan(
      manifestOf(names.map((n) => policyResource(n, { ous: ['Security'] }))),
      memoryFiles(Object.fromEntries(names.map((n) => [`policies/${n}.json`, doc(n)]))),
    );
    const quota = p.findings.find((f) => f.ruleId === 'CFCT-C003');
    expect(quota?.message).toBe(
      `Security (${sec}) would have 3004 SCPs attached (limit 5): FullAWSAccess, p1, p2, p3, p4, p5, p6, p7, p8, p9, and 2994 more`,
    );
  });

  test('detaches first where attaching first would pass the quota on the way', async () => {
    const { plan, organizations, sec } = setup();
    for (const n of ['ct-1', 'ct-2', 'ct-3']) {
      organizations.addPolicy({ name: n, type: 'SERVICE_CONTROL_POLICY', content: doc(n), targets: [sec] });
    }
    organizations.addPolicy({
      name: 'old',
      type: 'SERVICE_CONTROL_POLICY',
      content: doc('o'),
      tags: OWNED,
      targets: [sec],
    });
    const p = await plan(
      manifestOf([policyResource('new', { ous: ['Security'] })]),
      memoryFiles({ 'policies/new.json': doc('n') }),
    );
    expect(kinds(p)).toEqual(['policy.create', 'policy.detach', 'policy.attach']);
    expect(p.findings.map((f) => f.ruleId)).toEqual(['CFCT-C007']);
  });

  test('warns when a policy targets the management account', async () => {
    const { plan, organizations } = setup();
    const p = await plan(
      manifestOf([policyResource('m', { accounts: [organizations.managementAccountId], attachToAccounts: true })]),
      memoryFiles({ 'policies/m.json': doc('m') }),
    );
    expect(ruleIds(p)).toEqual(['CFCT-C002:warning']);
    expect(kinds(p)).toEqual(['policy.create', 'policy.attach']);
  });

  test('an unknown OU is a warning while nothing would be detached, and an error that blocks detaching otherwise', async () => {
    const { plan, organizations, sec, prod } = setup();
    const files = memoryFiles({ 'policies/p.json': doc('p') });
    const fresh = await plan(manifestOf([policyResource('p', { ous: ['Security', 'Secuirty'] })]), files);
    expect(ruleIds(fresh)).toEqual(['CFCT-O002:warning']);
    expect(kinds(fresh)).toEqual(['policy.create', 'policy.attach']);

    organizations.addPolicy({
      name: 'p',
      type: 'SERVICE_CONTROL_POLICY',
      content: doc('p'),
      description: 'p policy',
      tags: OWNED,
      targets: [sec, prod],
    });
    // the typo would otherwise detach p from Prod: nothing is detached, and the plan has an error
    const typo = await plan(manifestOf([policyResource('p', { ous: ['Security', 'Workloads:Prd'] })]), files);
    expect(ruleIds(typo)).toEqual(['CFCT-O002:error']);
    expect(typo.steps).toEqual([]);
  });

  test('fails when the policy file is missing, not JSON, too large or remote; an owned policy is then left as it is', async () => {
    const { plan, organizations, sec } = setup();
    organizations.addPolicy({
      name: 'broken',
      type: 'SERVICE_CONTROL_POLICY',
      content: doc('b'),
      tags: OWNED,
      targets: [sec],
    });
    const big = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: 'x:'.padEnd(5200, 'y'), Resource: '*' }],
    });
    const remote = policyResource('remote', { ous: ['Security'] });
    const p = await plan(
      manifestOf([
        policyResource('broken', { ous: ['Workloads'] }),
        policyResource('missing', { ous: ['Security'] }),
        policyResource('big', { ous: ['Security'] }),
        { ...remote, resourceFile: { raw: 's3://bucket/p.json', kind: 's3', bucket: 'bucket', key: 'p.json' } },
      ]),
      memoryFiles({ 'policies/broken.json': '{"Version": ', 'policies/big.json': big }),
    );
    expect(p.steps).toEqual([]);
    expect(p.findings.map((f) => f.ruleId)).toEqual(['CFCT-C004', 'CFCT-C004', 'CFCT-C004', 'CFCT-C004']);
    expect(p.findings[0]).toMatchObject({
      severity: 'error',
      resource: 'broken',
      location: { file: 'manifest.yaml', line: 5, column: 20 },
    });
    expect(p.findings[2].message).toMatch(/5\d{3} characters minified; the limit is 5120/);
  });

  test('fails when a detach would leave a target without any SCP', async () => {
    const { plan, organizations, sec, fake } = setup();
    const id = organizations.addPolicy({
      name: 'only',
      type: 'SERVICE_CONTROL_POLICY',
      content: doc('o'),
      tags: OWNED,
      targets: [sec],
    });
    // replace FullAWSAccess by our policy on Security (an allow-list organization)
    await fake.handle(
      'organizations',
      'DetachPolicy',
      { PolicyId: 'p-FullAWSAccess', TargetId: sec },
      { accountId: organizations.managementAccountId, region: 'us-east-1' },
    );
    const p = await plan(manifestOf([], { enablePolicyDeletion: true }), memoryFiles({}));
    // no detach, and so no delete
    expect(p.steps).toEqual([]);
    expect(p.findings.map((f) => f.ruleId)).toEqual(['CFCT-C008']);
    expect(organizations.attachedTo(sec)).toEqual([id]);
  });

  test('leaves attachments on suspended accounts alone', async () => {
    const { plan, organizations, shop } = setup();
    organizations.setAccountState(shop, 'SUSPENDED');
    organizations.addPolicy({
      name: 'acct',
      type: 'SERVICE_CONTROL_POLICY',
      content: doc('a'),
      description: 'acct policy',
      tags: OWNED,
      targets: [shop],
    });
    const p = await plan(
      manifestOf([policyResource('acct', { accounts: ['Shop'], attachToAccounts: true })]),
      memoryFiles({ 'policies/acct.json': doc('a') }),
    );
    expect(p.steps).toEqual([]);
    expect(ruleIds(p)).toEqual(['CFCT-O006:warning']);
    const removed = await plan(manifestOf([], { enablePolicyDeletion: true }), memoryFiles({}));
    // neither detached nor deleted (the delete would fail while it is attached)
    expect(removed.steps).toEqual([]);
    expect(removed.findings.map((f) => f.ruleId)).toEqual(['CFCT-C007']);
  });

  test('a name repeated in an unvalidated manifest is planned once (the first), so step ids stay unique', async () => {
    const { plan, sec } = setup();
    const p = await plan(
      manifestOf([
        policyResource('p', { ous: ['Security'] }),
        policyResource('p', { ous: ['Workloads'] }),
        policyResource('p', { type: 'rcp', ous: ['Security'] }),
      ]),
      memoryFiles({ 'policies/p.json': doc('p') }),
    );
    expect(p.steps.map((s) => s.id)).toEqual([
      'policy.create:scp:p',
      `policy.attach:scp:p:${sec}`,
      expect.stringMatching(/^policy\.enable-type:rcp:/),
      'policy.create:rcp:p',
      `policy.attach:rcp:p:${sec}`,
    ]);
  });

  test('the same inputs give the same plan and hash; a changed document changes the hash', async () => {
    const { plan } = setup();
    const manifest = manifestOf([policyResource('p', { ous: ['Security'] })]);
    const a = await plan(manifest, memoryFiles({ 'policies/p.json': doc('p') }));
    const b = await plan(manifest, memoryFiles({ 'policies/p.json': doc('p') }));
    const c = await plan(manifest, memoryFiles({ 'policies/p.json': doc('q') }));
    expect(b).toEqual(a);
    expect(c.inputHash).not.toBe(a.inputHash);
  });
});

describe('planPolicies from a configuration package', () => {
  test('plans a package read by the manifest loader, with findings pointing at manifest lines', async () => {
    const { plan, sec } = setup();
    const loaded = packageFromFiles({
      'manifest.yaml': [
        'region: us-east-1',
        'version: 2021-03-15',
        'resources:',
        '  - name: deny-leave',
        '    resource_file: policies/deny-leave.json',
        '    deploy_method: scp',
        '    deployment_targets:',
        '      organizational_units:',
        '        - Security',
        '        - Sandbox',
        '',
      ].join('\n'),
      'policies/deny-leave.json': pretty('d'),
    });
    expect(loaded.findings.filter((f) => f.severity === 'error')).toEqual([]);
    const p = await plan(loaded.manifest!, loaded.files);
    expect(p.steps.map((s) => s.id)).toEqual(['policy.create:scp:deny-leave', `policy.attach:scp:deny-leave:${sec}`]);
    expect(p.steps[0]).toMatchObject({ content: doc('d') });
    expect(p.findings).toEqual([
      expect.objectContaining({
        ruleId: 'CFCT-O002',
        severity: 'warning',
        location: expect.objectContaining({ file: 'manifest.yaml', line: 10 }),
      }),
    ]);
  });
});
