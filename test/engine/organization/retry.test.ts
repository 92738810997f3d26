/**
 * Organizations reads retry throttling in the engine's one retry layer (src/engine/retry.ts):
 * every call and every page of the SDK's paginators, through the injectable clock. The SDK client
 * itself makes one attempt, so this is the retry production runs.
 */
import { ListAccountsForParentCommand } from '@aws-sdk/client-organizations';
import { createAwsClients } from '../../../src/aws/clients';
import { loadOrganizationSnapshot } from '../../../src/engine/organization/load';
import { THROTTLED_ATTEMPTS } from '../../../src/engine/retry';
import { throttling } from '../../fake/organizations';
import { fakeOrganization } from '../helpers';

function sample(seed: number) {
  const world = fakeOrganization({ seed });
  const workloads = world.organizations.addOu(world.organizations.rootId, 'Workloads');
  for (let i = 0; i < 45; i++) world.organizations.addAccount({ name: `Acct${i}`, parentId: workloads });
  return world;
}

describe('Organizations reads under throttling', () => {
  test('survives throttling on every operation and page: the same snapshot, one clock sleep per throttled call', async () => {
    const calm = sample(5);
    const expected = (await loadOrganizationSnapshot(calm.clients, { clock: calm.fake.clock })).snapshot;

    const { fake, clients } = sample(5);
    fake.injectFault({ service: 'organizations', rate: 0.3, error: throttling });
    // and one later page (NextToken given) for certain, whatever order the readers' calls take
    fake.injectFault({
      service: 'organizations',
      operation: 'ListAccountsForParent',
      rate: 1,
      limit: 1,
      when: (input) => input.NextToken !== undefined,
      error: throttling,
    });
    const { snapshot } = await loadOrganizationSnapshot(clients, { clock: fake.clock });
    expect(snapshot.accounts).toEqual(expected.accounts);
    expect(snapshot.organizationalUnits).toEqual(expected.organizationalUnits);
    const throttled = fake.calls.filter((c) => c.error === 'TooManyRequestsException');
    expect(throttled.length).toBeGreaterThan(0);
    expect(fake.clock.sleeps).toHaveLength(throttled.length);
    // a later page (NextToken given) was throttled and retried on its own
    const pages = fake.callsOf(ListAccountsForParentCommand);
    expect(pages.some((c) => c.error && c.input.NextToken)).toBe(true);
  });

  test(`fails when throttling outlasts ${THROTTLED_ATTEMPTS} attempts: the error is thrown, after that many calls of each request, and nothing more starts`, async () => {
    const { fake, clients } = sample(6);
    fake.injectFault({ service: 'organizations', rate: 1, error: throttling });
    await expect(loadOrganizationSnapshot(clients, { clock: fake.clock, concurrency: 4 })).rejects.toMatchObject({
      name: 'TooManyRequestsException',
    });
    // The readers run side by side: the requests in flight when throttling began (the
    // organization, the roots, the first policy page) are each tried exactly that many times;
    // nothing queued behind them starts once the first one gives up.
    const requests = new Map<string, number>();
    for (const call of fake.calls) {
      const key = `${call.operation} ${JSON.stringify(call.input)}`;
      requests.set(key, (requests.get(key) ?? 0) + 1);
    }
    expect([...requests.keys()].map((k) => k.split(' ')[0]).sort()).toEqual([
      'DescribeOrganization',
      'ListPolicies',
      'ListRoots',
    ]);
    expect([...requests.values()]).toEqual([THROTTLED_ATTEMPTS, THROTTLED_ATTEMPTS, THROTTLED_ATTEMPTS]);
    expect(fake.clock.sleeps).toHaveLength(3 * (THROTTLED_ATTEMPTS - 1));
  });

  test('the SDK client makes one attempt, so the engine retry is the only one (adaptive mode still paces Organizations)', async () => {
    const clients = createAwsClients({ region: 'eu-west-1' });
    expect(await clients.organizations().config.maxAttempts()).toBe(1);
    expect(await clients.cloudFormation('eu-west-1').config.maxAttempts()).toBe(1);
  });
});
