import {
  DeleteStackInstancesCommand,
  InvalidOperationException,
  LimitExceededException,
  OperationInProgressException,
} from '@aws-sdk/client-cloudformation';
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
  const resources = state.map((s, i) =>
    resource(`r${i}`, { regions: s.regions, parameters: [{ key: 'P', value: s.param }] }),
  );
  return {
    m: manifest(resources),
    wanted: resources.map((r, i) => desired(r, template(state[i].seed, { parameters: ['P'] }), state[i].accounts)),
  };
}

/** Errors StackSets answers synchronously: each fails its stack set only, for this run. */
const SYNC_ERRORS = ['LimitExceededException', 'InvalidOperationException', 'ValidationError'];

function injectFaults(w: StackSetWorld): void {
  w.fake.injectFault({
    service: 'cloudformation',
    rate: 0.1,
    error: () => cloudFormationError('Throttling', 'Rate exceeded'),
  });
  w.fake.injectFault({
    service: 'cloudformation',
    operation: /^(CreateStackSet|UpdateStackSet|(Create|Update|Delete)StackInstances)$/,
    rate: 0.06,
    error: (operation) =>
      [
        () => new LimitExceededException({ message: `${operation}: quota reached`, $metadata: {} }),
        () => new InvalidOperationException({ message: `${operation}: not valid now`, $metadata: {} }),
        () => cloudFormationError('ValidationError', `${operation}: refused`),
      ][Math.floor(w.fake.rng.next() * 3)](),
  });
  w.fake.injectFault({
    service: 'ssm',
    rate: 0.1,
    error: () =>
      new SSMServiceException({
        name: 'ThrottlingException',
        $fault: 'client',
        message: 'Rate exceeded',
        $metadata: {},
      }),
  });
  w.fake.injectFault({
    service: 'cloudformation',
    operation: /^(UpdateStackSet|(Create|Update|Delete)StackInstances)$/,
    rate: 0.1,
    error: () =>
      new OperationInProgressException({ message: 'Another Operation on StackSet is in progress', $metadata: {} }),
  });
  w.cfn.instanceFailureRate = 0.05;
  // Deletions that fail leave INOPERABLE instances.
  w.cfn.deletionFailureRate = 0.3;
}

type Applied = Awaited<ReturnType<StackSetWorld['apply']>>;

/** Applies, and checks that every failure of the run is in its report. */
async function applyReported(
  w: StackSetWorld,
  m: ReturnType<typeof wantedOf>['m'],
  wanted: ReturnType<typeof wantedOf>['wanted'],
): Promise<Applied> {
  const operationsBefore = w.cfn.operations().length;
  const callsBefore = w.fake.calls.length;
  const applied = await w.apply(m, wanted);
  const { report } = applied;
  const resourceOf = (stackSetName: string) => wanted.find((d) => w.nameOf(d.resource) === stackSetName)?.resource.name;
  const failed = new Set(report.failed.map((f) => f.resource));
  // Every operation of the run that did not succeed, and every synchronous error, is a failure of its stack set.
  for (const op of w.operationsSince(operationsBefore).filter((o) => o.status !== 'SUCCEEDED')) {
    expect(failed).toContain(resourceOf(op.stackSet));
  }
  for (const call of w.fake.calls.slice(callsBefore).filter((c) => c.error && SYNC_ERRORS.includes(c.error))) {
    expect(failed).toContain(resourceOf((call.input as { StackSetName: string }).StackSetName));
  }
  // Every resource is accounted for: succeeded, failed (with its error name when synchronous) or skipped with a reason.
  const accounted = [
    ...report.succeeded,
    ...report.failed.map((f) => f.resource),
    ...report.blocked.map((b) => b.resource),
  ].sort();
  expect(accounted).toEqual(wanted.map((d) => d.resource.name).sort());
  for (const skip of report.blocked) expect(skip.reason).toMatch(/failed/);
  for (const f of report.failed) expect(f.message).not.toBe('');
  return applied;
}

describe('convergence under faults', () => {
  const seen = { throttled: 0, inProgress: 0, failedOperations: 0, synchronous: 0, inoperable: 0, reportedFailures: 0 };
  afterAll(() => {
    // The faults did happen across the runs (the property is not vacuous).
    expect(seen.throttled).toBeGreaterThan(0);
    expect(seen.inProgress).toBeGreaterThan(0);
    expect(seen.failedOperations).toBeGreaterThan(0);
    expect(seen.synchronous).toBeGreaterThan(0);
    expect(seen.inoperable).toBeGreaterThan(0);
    expect(seen.reportedFailures).toBeGreaterThan(0);
  });

  test('property: after throttling, OperationInProgress, synchronous errors, failed instances and INOPERABLE instances are cleared, one more run converges, with no deletion not asked for and every failure reported', async () => {
    await fc.assert(
      fc.asyncProperty(stateArb, stateArb, fc.integer({ min: 1, max: 1_000_000 }), async (first, second, seed) => {
        const w = new StackSetWorld({ seed });
        w.setAccounts(ACCOUNTS);
        const one = wantedOf(first);
        const two = wantedOf(second);
        injectFaults(w);
        const runs = [await applyReported(w, one.m, one.wanted), await applyReported(w, two.m, two.wanted)];
        seen.reportedFailures += runs.reduce((n, r) => n + r.report.failed.length, 0);
        seen.synchronous += w.fake.calls.filter((c) => c.error && SYNC_ERRORS.includes(c.error)).length;
        seen.inoperable += [...w.cfn.stackSets.keys()]
          .flatMap((n) => w.cfn.instancesOf(n))
          .filter((i) => i.endsWith(':INOPERABLE')).length;
        seen.throttled += w.fake.calls.filter(
          (c) => c.error === 'Throttling' || c.error === 'ThrottlingException',
        ).length;
        seen.inProgress += w.fake.calls.filter((c) => c.error === 'OperationInProgressException').length;
        seen.failedOperations += w.cfn.operations().filter((o) => o.status === 'FAILED').length;
        w.fake.clearFaults();
        w.cfn.instanceFailureRate = 0;
        w.cfn.deletionFailureRate = 0;
        const final = await applyReported(w, two.m, two.wanted);
        expect(final.report.failed).toEqual([]);

        const again = await w.plan(two.m, two.wanted);
        expect(again.resources.flatMap((r) => r.steps)).toEqual([]);
        for (const d of two.wanted) {
          const expected = crossPairs(d.targets.accounts, d.resource.regions)
            .map((p) => `${pairKey(p)}:CURRENT`)
            .sort();
          expect(w.cfn.instancesOf(w.nameOf(d.resource))).toEqual(expected);
        }
        // Deletions: only pairs the second state does not want, and never a stack set.
        const wantedKeys = new Set(
          two.wanted.flatMap((d) =>
            crossPairs(d.targets.accounts, d.resource.regions).map((p) => `${w.nameOf(d.resource)}|${pairKey(p)}`),
          ),
        );
        for (const input of w.fake.inputsOf(DeleteStackInstancesCommand, { failed: false })) {
          for (const p of crossPairs(input.Accounts ?? [], input.Regions ?? [])) {
            expect(wantedKeys.has(`${input.StackSetName}|${pairKey(p)}`)).toBe(false);
          }
        }
        expect(w.fake.callCount('cloudformation', 'DeleteStackSet')).toBe(0);
      }),
      { numRuns: 15 },
    );
  });
});
