import {
  ConcurrentModificationException,
  EnablePolicyTypeCommand,
  PolicyChangesInProgressException,
  TooManyRequestsException,
} from '@aws-sdk/client-organizations';
import { loadOrganizationSnapshot } from '../../../src/engine/organization/load';
import type { Plan } from '../../../src/engine/plan';
import { checkSavedPlan } from '../../../src/engine/plan';
import { applyPolicyPlan, createPolicyExecutor, createPolicyPlan, type PolicyStep } from '../../../src/engine/policies';
import type { Manifest, PackageFiles } from '../../../src/manifest/model';
import { policyDocument } from '../../fake/builders';
import { concurrentModification, ORGANIZATIONS_WRITES, throttling } from '../../fake/organizations';
import { fakeOrganization, manifestOf, memoryFiles, policyResource } from '../helpers';

const OWNED = { 'cfct:installation': 'default' };

function setup() {
  const org = fakeOrganization();
  const { organizations, fake, clients } = org;
  const sec = organizations.addOu(organizations.rootId, 'Security');
  const prod = organizations.addOu(organizations.rootId, 'Prod');
  const options = { clients, clock: fake.clock, random: () => fake.rng.next() };
  const plan = async (manifest: Manifest, files: PackageFiles): Promise<Plan> => {
    const { snapshot } = await loadOrganizationSnapshot(clients);
    return createPolicyPlan({ manifest, files, snapshot, installationId: 'default' });
  };
  return { ...org, sec, prod, options, plan };
}

const manifest = manifestOf([
  policyResource('deny-leave', { ous: ['Security', 'Prod'] }),
  policyResource('guard', { type: 'rcp', ous: ['Root'] }),
]);
const files = memoryFiles({
  'policies/deny-leave.json': policyDocument('d'),
  'policies/guard.json': policyDocument('g'),
});

describe('policy executor', () => {
  test('applies a plan; planning again gives an empty plan; re-applying the old plan changes nothing', async () => {
    const { plan, options, organizations, sec, prod, fake } = setup();
    const first = await plan(manifest, files);
    const result = await applyPolicyPlan(first, options);
    expect(result.failed).toBeUndefined();
    expect(result.outcomes.map((o) => o.outcome)).toEqual(first.steps.map(() => 'applied'));
    const created = organizations.allPolicies().find((p) => p.name === 'deny-leave')!;
    expect(created).toMatchObject({ content: policyDocument('d'), tags: OWNED, description: 'deny-leave policy' });
    expect(organizations.targetsOf(created.id).sort()).toEqual([sec, prod].sort());
    expect(organizations.isTypeEnabled('RESOURCE_CONTROL_POLICY')).toBe(true);

    expect((await plan(manifest, files)).steps).toEqual([]);

    // a crash after the last step: the whole plan runs again and converges
    const writesBefore = fake.calls.filter((c) => ORGANIZATIONS_WRITES.test(c.operation) && !c.error).length;
    const again = await applyPolicyPlan(first, options);
    expect(again.failed).toBeUndefined();
    expect(again.outcomes.map((o) => o.outcome)).toEqual(first.steps.map(() => 'already-done'));
    // only the re-run create's UpdatePolicy succeeded as a write; nothing new was created
    const writesAfter = fake.calls.filter((c) => ORGANIZATIONS_WRITES.test(c.operation) && !c.error).length;
    expect(writesAfter - writesBefore).toBe(2);
    expect(organizations.allPolicies().filter((p) => p.name === 'deny-leave')).toHaveLength(1);
  });

  test('retries throttling and conflicts with backoff and jitter through the clock', async () => {
    const { plan, options, fake, organizations } = setup();
    const p = await plan(manifest, files);
    fake.injectFault({ service: 'organizations', operation: ORGANIZATIONS_WRITES, rate: 0.5, error: throttling });
    fake.injectFault({
      service: 'organizations',
      operation: ORGANIZATIONS_WRITES,
      rate: 0.3,
      error: concurrentModification,
    });
    fake.injectFault({
      service: 'organizations',
      operation: 'AttachPolicy',
      rate: 1,
      limit: 2,
      error: () =>
        new PolicyChangesInProgressException({
          message: 'Changes to the effective policy are in progress. Try again later.',
          $metadata: {},
        }),
    });
    const started = Date.now();
    const before = fake.calls.length;
    const result = await applyPolicyPlan(p, options);
    expect(result.failed).toBeUndefined();
    expect(fake.calls.filter((c) => c.error === 'TooManyRequestsException').length).toBeGreaterThan(0);
    expect(fake.calls.filter((c) => c.error === 'ConcurrentModificationException').length).toBeGreaterThan(0);
    expect(fake.calls.filter((c) => c.error === 'PolicyChangesInProgressException').length).toBe(2);
    // one sleep per failed call, and one per ListRoots read that still saw PENDING_ENABLE
    const polls = fake.calls.slice(before).filter((c) => c.operation === 'ListRoots' && !c.error).length;
    expect(polls).toBe(3);
    expect(fake.clock.sleeps.length).toBe(fake.calls.filter((c) => c.error).length + polls - 1);
    // backoff ceilings double from 250 ms; jitter keeps each sleep below its ceiling
    expect(Math.max(...fake.clock.sleeps)).toBeLessThan(20000);
    expect(Date.now() - started).toBeLessThan(5000);
    fake.clearFaults();
    expect((await plan(manifest, files)).steps).toEqual([]);
    expect(organizations.allPolicies().filter((x) => !x.awsManaged)).toHaveLength(2);
  });

  test('survives PENDING_ENABLE: waits for ENABLED through the clock before creating and attaching', async () => {
    const { plan, options, fake, organizations } = setup();
    const p = await plan(manifest, files);
    expect(p.steps.map((s) => s.kind)).toContain('policy.enable-type');
    const result = await applyPolicyPlan(p, options);
    expect(result.failed).toBeUndefined();
    const order = fake.calls
      .filter((c) => ['EnablePolicyType', 'ListRoots', 'AttachPolicy'].includes(c.operation))
      .map((c) => c.operation);
    const enable = order.indexOf('EnablePolicyType');
    expect(order.slice(enable, enable + 4)).toEqual(['EnablePolicyType', 'ListRoots', 'ListRoots', 'ListRoots']);
    expect(fake.clock.sleeps).toEqual([1000, 2000]);
    expect(organizations.isTypeEnabled('RESOURCE_CONTROL_POLICY')).toBe(true);
    expect(fake.calls.filter((c) => c.error)).toEqual([]);
  });

  test('survives a re-run while the type is still PENDING_ENABLE (already enabled is not ENABLED yet)', async () => {
    const { options, organizations, fake, clients } = setup();
    await clients
      .organizations()
      .send(new EnablePolicyTypeCommand({ RootId: organizations.rootId, PolicyType: 'RESOURCE_CONTROL_POLICY' }));
    const executor = createPolicyExecutor({ ...options, installationId: 'default' });
    const outcome = await executor.apply({
      kind: 'policy.enable-type',
      id: 'e',
      summary: '',
      rootId: organizations.rootId,
      policyType: 'RESOURCE_CONTROL_POLICY',
    });
    expect(outcome.outcome).toBe('already-done');
    expect(organizations.isTypeEnabled('RESOURCE_CONTROL_POLICY')).toBe(true);
    expect(fake.callCount('organizations', 'ListRoots')).toBe(3);
  });

  test('fails when the type stays PENDING_ENABLE past the timeout, before any create or attach', async () => {
    const org = fakeOrganization({ pendingEnableReads: 1000 });
    org.organizations.addOu(org.organizations.rootId, 'Security');
    org.organizations.addOu(org.organizations.rootId, 'Prod');
    const { snapshot } = await loadOrganizationSnapshot(org.clients);
    const p = createPolicyPlan({ manifest, files, snapshot, installationId: 'default' });
    const result = await applyPolicyPlan(p, {
      clients: org.clients,
      clock: org.fake.clock,
      random: () => 0,
      enableTimeoutMs: 30_000,
    });
    expect(result.failed).toEqual({
      stepId: `policy.enable-type:rcp:${org.organizations.rootId}`,
      error: `PolicyTypeNotEnabledError: RESOURCE_CONTROL_POLICY is still PENDING_ENABLE on the root ${org.organizations.rootId} after 30 s; run again once ListRoots reports it ENABLED`,
    });
    expect(org.fake.clock.sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(30_000);
    const failedAt = org.fake.calls.findIndex((c) => c.operation === 'EnablePolicyType');
    expect(
      org.fake.calls
        .slice(failedAt)
        .filter((c) => c.operation === 'AttachPolicy' && c.input && JSON.stringify(c.input).includes('guard')),
    ).toEqual([]);
    expect(org.organizations.allPolicies().map((x) => x.name)).not.toContain('guard');
  });

  test('fails when throttling outlasts the attempts, naming the step', async () => {
    const { plan, options, fake } = setup();
    const p = await plan(manifest, files);
    fake.injectFault({ service: 'organizations', operation: 'CreatePolicy', rate: 1, error: throttling });
    const result = await applyPolicyPlan(p, { ...options, maxAttempts: 3 });
    expect(result.failed).toEqual({
      stepId: 'policy.create:scp:deny-leave',
      error: expect.stringMatching(/^TooManyRequestsException/),
    });
    expect(result.outcomes).toEqual([]);
    expect(fake.callCount('organizations', 'CreatePolicy')).toBe(3);
  });

  test('raises the real SDK error classes', async () => {
    const { options, fake } = setup();
    fake.injectFault({ service: 'organizations', operation: 'EnablePolicyType', rate: 1, error: throttling });
    const executor = createPolicyExecutor({ ...options, installationId: 'default', maxAttempts: 1 });
    const step: PolicyStep = {
      kind: 'policy.enable-type',
      id: 'x',
      summary: 'x',
      rootId: 'r-none',
      policyType: 'RESOURCE_CONTROL_POLICY',
    };
    await expect(executor.apply(step)).rejects.toBeInstanceOf(TooManyRequestsException);
    fake.clearFaults();
    fake.injectFault({
      service: 'organizations',
      operation: 'EnablePolicyType',
      rate: 1,
      error: concurrentModification,
    });
    await expect(executor.apply(step)).rejects.toBeInstanceOf(ConcurrentModificationException);
  });

  test('tolerates already attached, not attached, already enabled and already deleted', async () => {
    const { options, organizations, sec, prod } = setup();
    const id = organizations.addPolicy({
      name: 'p',
      type: 'SERVICE_CONTROL_POLICY',
      content: policyDocument('p'),
      tags: OWNED,
      targets: [sec],
    });
    const executor = createPolicyExecutor({ ...options, installationId: 'default' });
    const policy = { name: 'p', type: 'SERVICE_CONTROL_POLICY' as const };
    const outcomes = [];
    for (const step of [
      { kind: 'policy.attach', id: 'a', summary: '', policy, targetId: sec, targetName: 'Security' },
      { kind: 'policy.detach', id: 'd', summary: '', policy, targetId: prod, targetName: 'Prod' },
      {
        kind: 'policy.enable-type',
        id: 'e',
        summary: '',
        rootId: organizations.rootId,
        policyType: 'SERVICE_CONTROL_POLICY',
      },
      {
        kind: 'policy.detach',
        id: 'd2',
        summary: '',
        policy: { ...policy, id },
        targetId: sec,
        targetName: 'Security',
      },
      { kind: 'policy.delete', id: 'x', summary: '', policy: { ...policy, id } },
      { kind: 'policy.delete', id: 'x2', summary: '', policy: { ...policy, id } },
    ] as PolicyStep[]) {
      outcomes.push((await executor.apply(step)).outcome);
    }
    expect(outcomes).toEqual(['already-done', 'already-done', 'already-done', 'applied', 'applied', 'already-done']);
  });

  test('fails when attaching a policy whose create step never ran', async () => {
    const { options, sec } = setup();
    const executor = createPolicyExecutor({ ...options, installationId: 'default' });
    const step: PolicyStep = {
      kind: 'policy.attach',
      id: 'a',
      summary: '',
      policy: { name: 'nope', type: 'SERVICE_CONTROL_POLICY' },
      targetId: sec,
      targetName: 'Security',
    };
    await expect(executor.apply(step)).rejects.toThrow(
      'SERVICE_CONTROL_POLICY "nope" does not exist; its create step has not been applied',
    );
  });

  test('fails when a create meets a same-named policy it does not own', async () => {
    const { options, organizations } = setup();
    organizations.addPolicy({ name: 'taken', type: 'SERVICE_CONTROL_POLICY', content: policyDocument('t') });
    const executor = createPolicyExecutor({ ...options, installationId: 'default' });
    const step: PolicyStep = {
      kind: 'policy.create',
      id: 'c',
      summary: '',
      policy: { name: 'taken', type: 'SERVICE_CONTROL_POLICY' },
      description: '',
      content: policyDocument('mine'),
      tags: OWNED,
    };
    await expect(executor.apply(step)).rejects.toThrow(/already exists and is not owned by installation "default"/);
    expect(organizations.allPolicies().find((p) => p.name === 'taken')?.content).toBe(policyDocument('t'));
  });

  test('fails when AWS refuses a sixth SCP on a target (ConstraintViolationException)', async () => {
    const { options, organizations, sec } = setup();
    const executor = createPolicyExecutor({ ...options, installationId: 'default' });
    for (const n of ['a', 'b', 'c', 'd']) {
      organizations.addPolicy({ name: n, type: 'SERVICE_CONTROL_POLICY', content: policyDocument(n), targets: [sec] });
    }
    organizations.addPolicy({ name: 'sixth', type: 'SERVICE_CONTROL_POLICY', content: policyDocument('6') });
    const step: PolicyStep = {
      kind: 'policy.attach',
      id: 'a',
      summary: '',
      policy: { name: 'sixth', type: 'SERVICE_CONTROL_POLICY' },
      targetId: sec,
      targetName: 'S',
    };
    await expect(executor.apply(step)).rejects.toMatchObject({
      name: 'ConstraintViolationException',
      Reason: 'MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED',
    });
  });

  test('serialises Organizations writes from concurrent steps', async () => {
    const { options, organizations, fake } = setup();
    const ous = Array.from({ length: 4 }, (_, i) => organizations.addOu(organizations.rootId, `T${i}`));
    const id = organizations.addPolicy({
      name: 'p',
      type: 'SERVICE_CONTROL_POLICY',
      content: policyDocument('p'),
      tags: OWNED,
    });
    // a write that starts while another is in flight fails, as Organizations does under parallel writes
    let inFlight = 0;
    const original = fake.handle.bind(fake);
    fake.handle = async (service, operation, input, context) => {
      if (!ORGANIZATIONS_WRITES.test(operation)) return original(service, operation, input, context);
      if (inFlight > 0) throw concurrentModification();
      inFlight++;
      try {
        await new Promise((resolve) => setImmediate(resolve));
        return await original(service, operation, input, context);
      } finally {
        inFlight--;
      }
    };
    const executor = createPolicyExecutor({ ...options, installationId: 'default', maxAttempts: 1 });
    await Promise.all(
      ous.map((targetId) =>
        executor.apply({
          kind: 'policy.attach',
          id: targetId,
          summary: '',
          policy: { name: 'p', type: 'SERVICE_CONTROL_POLICY', id },
          targetId,
          targetName: targetId,
        }),
      ),
    );
    expect(organizations.targetsOf(id).sort()).toEqual([...ous].sort());
  });

  test('a saved plan is current until the organization or the package changes, then says which steps differ', async () => {
    const { plan, options, clients, organizations } = setup();
    const saved = await plan(manifest, files);
    const request = async (f = files) => ({
      manifest,
      files: f,
      snapshot: (await loadOrganizationSnapshot(clients)).snapshot,
      installationId: 'default',
    });
    expect(checkSavedPlan(saved, createPolicyPlan(await request()))).toEqual([]);
    // someone adds an OU meanwhile: the snapshot differs, the steps do not
    organizations.addOu(organizations.rootId, 'Elsewhere');
    expect(checkSavedPlan(saved, createPolicyPlan(await request()))).toEqual([
      expect.objectContaining({
        ruleId: 'CFCT-C010',
        severity: 'error',
        message: expect.stringMatching(/\(the steps are the same\)$/),
      }),
    ]);
    // the policies were applied by another run, then the SCP's document changed
    await applyPolicyPlan(await plan(manifest, files), options);
    const [stale] = checkSavedPlan(
      saved,
      createPolicyPlan(await request(memoryFiles({ 'policies/deny-leave.json': policyDocument('d2') }))),
    );
    expect(stale.message).toMatch(/no longer needed: .*policy\.create:scp:deny-leave/);
    expect(stale.message).toMatch(/now needed: policy\.update:scp:deny-leave/);
  });

  test('refuses a plan with errors and applies nothing', async () => {
    const { plan, options, fake } = setup();
    const p = await plan(manifestOf([policyResource('broken', { ous: ['Security'] })]), memoryFiles({}));
    const result = await applyPolicyPlan(p, options);
    expect(result.refused?.map((f) => f.ruleId)).toEqual(['CFCT-C004']);
    expect(fake.calls.filter((c) => ORGANIZATIONS_WRITES.test(c.operation))).toEqual([]);
  });
});
