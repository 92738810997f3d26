import { OperationInProgressException } from '@aws-sdk/client-cloudformation';
import { SSMServiceException } from '@aws-sdk/client-ssm';
import * as fc from 'fast-check';
import { accountIds, desired, HOME, manifest, resource, StackSetWorld, template } from './env';
import { crossPairs, pairKey } from '../../../src/engine/stacksets/pairs';
import { cloudFormationError } from '../../fake/cloudformation';

const ACCOUNTS = accountIds(6);
const REGIONS = [HOME, 'eu-west-1', 'ap-southeast-2'];

const stateArb = fc.array(
  fc.record({
    accounts: fc.subarray(ACCOUNTS, { minLength: 1 }),
    regions: fc.subarray(REGIONS, { minLength: 1 }),
    seed: fc.constantFrom('a', 'b'),
    param: fc.constantFrom('x', 'y'),
  }),
  { minLength: 1, maxLength: 3 },
);

type State = { accounts: string[]; regions: string[]; seed: string; param: string }[];

function wantedOf(state: State) {
  const resources = state.map((s, i) => resource(`r${i}`, { regions: s.regions, parameters: [{ key: 'P', value: s.param }] }));
  return { m: manifest(resources), wanted: resources.map((r, i) => desired(r, template(state[i].seed, { parameters: ['P'] }), state[i].accounts)) };
}

function injectFaults(w: StackSetWorld): void {
  w.fake.injectFault({ service: 'cloudformation', rate: 0.1, error: () => cloudFormationError('Throttling', 'Rate exceeded') });
  w.fake.injectFault({ service: 'ssm', rate: 0.1, error: () => new SSMServiceException({ name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded', $metadata: {} }) });
  w.fake.injectFault({ service: 'cloudformation', operation: /^(UpdateStackSet|(Create|Update|Delete)StackInstances)$/, rate: 0.1, error: () => new OperationInProgressException({ message: 'Another Operation on StackSet is in progress', $metadata: {} }) });
  w.cfn.instanceFailureRate = 0.05;
}

describe('convergence under faults', () => {
  const seen = { throttled: 0, inProgress: 0, failedOperations: 0 };
  afterAll(() => {
    // The faults did happen across the runs (the property is not vacuous).
    expect(seen.throttled).toBeGreaterThan(0);
    expect(seen.inProgress).toBeGreaterThan(0);
    expect(seen.failedOperations).toBeGreaterThan(0);
  });

  test('property: after throttling, OperationInProgress and failed instances are cleared, one more run converges, with no deletion not asked for', async () => {
    await fc.assert(
      fc.asyncProperty(stateArb, stateArb, fc.integer({ min: 1, max: 1_000_000 }), async (first, second, seed) => {
        const w = new StackSetWorld({ seed });
        w.setAccounts(ACCOUNTS);
        const one = wantedOf(first);
        const two = wantedOf(second);
        injectFaults(w);
        await w.apply(one.m, one.wanted);
        await w.apply(two.m, two.wanted);
        seen.throttled += w.fake.calls.filter((c) => c.error === 'Throttling' || c.error === 'ThrottlingException').length;
        seen.inProgress += w.fake.calls.filter((c) => c.error === 'OperationInProgressException').length;
        seen.failedOperations += w.cfn.operations().filter((o) => o.status === 'FAILED').length;
        w.fake.clearFaults();
        w.cfn.instanceFailureRate = 0;
        const final = await w.apply(two.m, two.wanted);
        expect(final.report.failed).toEqual([]);

        const again = await w.plan(two.m, two.wanted);
        expect(again.resources.flatMap((r) => r.steps)).toEqual([]);
        for (const d of two.wanted) {
          const expected = crossPairs(d.targets.accounts, d.resource.regions).map((p) => `${pairKey(p)}:CURRENT`).sort();
          expect(w.cfn.instancesOf(w.nameOf(d.resource))).toEqual(expected);
        }
        // Deletions: only pairs the second state does not want, and never a stack set.
        const wantedKeys = new Set(two.wanted.flatMap((d) => crossPairs(d.targets.accounts, d.resource.regions).map((p) => `${w.nameOf(d.resource)}|${pairKey(p)}`)));
        for (const call of w.fake.calls.filter((c) => c.operation === 'DeleteStackInstances' && !c.error)) {
          const input = call.input as { StackSetName: string; Accounts: string[]; Regions: string[] };
          for (const p of crossPairs(input.Accounts, input.Regions)) expect(wantedKeys.has(`${input.StackSetName}|${pairKey(p)}`)).toBe(false);
        }
        expect(w.fake.callCount('cloudformation', 'DeleteStackSet')).toBe(0);
      }),
      { numRuns: 15 },
    );
  });
});
