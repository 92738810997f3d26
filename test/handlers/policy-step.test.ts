import * as organizationsSdk from '@aws-sdk/client-organizations';
import type { PolicyStep } from '../../src/engine/policies';
import { createPolicyStepHandler, handler, InvalidPolicyStepEventError } from '../../src/handlers/policy-step.lambda';
import { policyDocument } from '../fake/builders';
import { fakeAwsClients } from '../fake/clients';
import { FakeAws } from '../fake/core';
import { FakeOrganizations, throttling } from '../fake/organizations';

const SECRET_LOOKING = 'sensitive-looking-statement-id';

function setup() {
  const fake = new FakeAws({ seed: 11 });
  const organizations = new FakeOrganizations(fake);
  const ou = organizations.addOu(organizations.rootId, 'Security');
  return { fake, organizations, ou };
}

describe('policy-step handler', () => {
  let logs: string[];
  let fake: FakeAws | undefined;
  beforeEach(() => {
    logs = [];
    jest.spyOn(console, 'log').mockImplementation((line: string) => void logs.push(line));
    process.env.AWS_REGION = 'us-east-1';
  });
  afterEach(() => {
    fake?.restore();
    jest.restoreAllMocks();
  });

  test('applies create and attach steps from Step Functions events, with JSON logs carrying the correlation id', async () => {
    const env = setup();
    fake = env.fake;
    // the handler creates its own real clients: route every OrganizationsClient to the fake
    env.fake.mockAllInstances(organizationsSdk.OrganizationsClient, organizationsSdk, 'organizations', {
      accountId: env.organizations.managementAccountId,
      region: 'us-east-1',
    });
    const content = policyDocument(SECRET_LOOKING);
    const create: PolicyStep = {
      kind: 'policy.create',
      id: 'policy.create:scp:deny-leave',
      summary: 'create scp "deny-leave"',
      policy: { name: 'deny-leave', type: 'SERVICE_CONTROL_POLICY' },
      description: 'no leaving',
      content,
      tags: { 'cfct:installation': 'default' },
    };
    const attach: PolicyStep = {
      kind: 'policy.attach',
      id: `policy.attach:scp:deny-leave:${env.ou}`,
      summary: 'attach',
      policy: { name: 'deny-leave', type: 'SERVICE_CONTROL_POLICY' },
      targetId: env.ou,
      targetName: 'Security',
    };
    const created = await handler({ correlationId: 'exec-1', installationId: 'default', step: create });
    expect(created).toEqual({
      stepId: create.id,
      kind: 'policy.create',
      outcome: 'applied',
      policyId: expect.stringMatching(/^p-/),
    });
    const attached = await handler({ correlationId: 'exec-1', installationId: 'default', step: attach });
    expect(attached).toEqual({
      stepId: attach.id,
      kind: 'policy.attach',
      outcome: 'applied',
      policyId: created.policyId,
    });
    expect(env.organizations.targetsOf(created.policyId!)).toEqual([env.ou]);
    // a retried task (Step Functions at-least-once) is harmless
    expect((await handler({ correlationId: 'exec-1', installationId: 'default', step: attach })).outcome).toBe(
      'already-done',
    );

    const entries = logs.map((l) => JSON.parse(l));
    expect(entries.every((e) => e.correlationId === 'exec-1')).toBe(true);
    expect(entries).toContainEqual(expect.objectContaining({ level: 'info', stepId: create.id, outcome: 'applied' }));
    expect(logs.join('\n')).not.toContain(SECRET_LOOKING);
  });

  test('fails when the event is not a policy step, before any AWS call', async () => {
    const env = setup();
    const run = createPolicyStepHandler({
      clients: () => fakeAwsClients(env.fake, env.organizations.managementAccountId),
      clock: env.fake.clock,
      log: () => undefined,
    });
    await expect(
      run({
        correlationId: 'x',
        installationId: 'default',
        step: { kind: 'stackset.create', id: 'y' } as unknown as PolicyStep,
      }),
    ).rejects.toThrow(new InvalidPolicyStepEventError('step kind stackset.create is not a policy step'));
    await expect(run({ correlationId: 'x', installationId: '', step: {} as PolicyStep })).rejects.toThrow(
      'installationId must be a non-empty string',
    );
    await expect(run(undefined as never)).rejects.toThrow('the event must be an object');
    expect(env.fake.calls).toEqual([]);
  });

  test('fails with the AWS error name when throttling outlasts the retries, and logs it', async () => {
    const env = setup();
    const entries: Record<string, unknown>[] = [];
    const run = createPolicyStepHandler({
      clients: () => fakeAwsClients(env.fake, env.organizations.managementAccountId),
      clock: env.fake.clock,
      log: (e) => entries.push(e),
    });
    env.fake.injectFault({ service: 'organizations', operation: 'EnablePolicyType', rate: 1, error: throttling });
    const step: PolicyStep = {
      kind: 'policy.enable-type',
      id: 'e',
      summary: 'enable',
      rootId: env.organizations.rootId,
      policyType: 'RESOURCE_CONTROL_POLICY',
    };
    await expect(run({ correlationId: 'exec-2', installationId: 'default', step })).rejects.toMatchObject({
      name: 'TooManyRequestsException',
    });
    expect(env.fake.callCount('organizations', 'EnablePolicyType')).toBe(8);
    expect(entries[entries.length - 1]).toMatchObject({
      level: 'error',
      correlationId: 'exec-2',
      errorName: 'TooManyRequestsException',
      stepId: 'e',
    });
  });
});
