import { accountIds, desired, HOME, manifest, resource, StackSetWorld, template } from './env';
import { readOperationPreferences, readStackSetOrder } from '../../../src/engine/stacksets';
import {
  checkOperationPreferences,
  resolveOperationPreferences,
  stackSetOrderOf,
} from '../../../src/engine/stacksets/settings';

const LIBRARY = {
  MaxConcurrentPercentage: 100,
  FailureTolerancePercentage: 10,
  RegionConcurrencyType: 'PARALLEL',
  ConcurrencyMode: 'SOFT_FAILURE_TOLERANCE',
};

describe('installation default operation preferences', () => {
  test('without a default, the library defaults stay 100% / 10% / PARALLEL / SOFT', () => {
    expect(resolveOperationPreferences(undefined, undefined)).toEqual(LIBRARY);
    expect(resolveOperationPreferences({}, {})).toEqual(LIBRARY);
  });

  test('the default fills every group the resource leaves out', () => {
    const installation = {
      maxConcurrentCount: 4,
      failureToleranceCount: 1,
      regionConcurrencyType: 'SEQUENTIAL' as const,
      regionOrder: ['eu-west-1', HOME],
      concurrencyMode: 'STRICT_FAILURE_TOLERANCE' as const,
    };
    expect(resolveOperationPreferences(undefined, installation)).toEqual({
      MaxConcurrentCount: 4,
      FailureToleranceCount: 1,
      RegionConcurrencyType: 'SEQUENTIAL',
      RegionOrder: ['eu-west-1', HOME],
      ConcurrencyMode: 'STRICT_FAILURE_TOLERANCE',
    });
  });

  test('a resource percentage overrides a default count of the same group, never both reach the API', () => {
    const resolved = resolveOperationPreferences(
      { maxConcurrentPercentage: 50 },
      { maxConcurrentCount: 4, failureTolerancePercentage: 20 },
    );
    expect(resolved).toEqual({ ...LIBRARY, MaxConcurrentPercentage: 50, FailureTolerancePercentage: 20 });
    expect(resolved).not.toHaveProperty('MaxConcurrentCount');
  });

  test('a resource count overrides a default percentage of the same group; other groups keep the default', () => {
    const resolved = resolveOperationPreferences(
      { failureToleranceCount: 0, concurrencyMode: 'STRICT_FAILURE_TOLERANCE' },
      { failureTolerancePercentage: 25, maxConcurrentPercentage: 30, regionConcurrencyType: 'SEQUENTIAL' },
    );
    expect(resolved).toEqual({
      MaxConcurrentPercentage: 30,
      FailureToleranceCount: 0,
      RegionConcurrencyType: 'SEQUENTIAL',
      ConcurrencyMode: 'STRICT_FAILURE_TOLERANCE',
    });
    expect(resolved).not.toHaveProperty('FailureTolerancePercentage');
  });

  test('a resource region order replaces the default one', () => {
    expect(
      resolveOperationPreferences({ regionOrder: [HOME] }, { regionOrder: ['eu-west-1', HOME] }).RegionOrder,
    ).toEqual([HOME]);
  });
});

describe('reading default operation preferences', () => {
  test('reads the manifest keys', () => {
    const read = readOperationPreferences(
      '{"MaxConcurrentCount": 3, "FailureTolerancePercentage": 0, "RegionOrder": ["eu-west-1"]}',
      '--operation-preferences',
    );
    expect(read).toEqual({
      preferences: { maxConcurrentCount: 3, failureTolerancePercentage: 0, regionOrder: ['eu-west-1'] },
      findings: [],
    });
  });

  test.each([
    ['not JSON', '{MaxConcurrentCount: 3}', 'CFCT-K100', /--operation-preferences is not JSON/],
    ['not an object', '[1]', 'CFCT-K100', /must be a JSON object, got \[1\]/],
    ['an unknown key', '{"MaxConcurrency": 3}', 'CFCT-S003', /unknown key "MaxConcurrency" in --operation-preferences/],
    [
      'a percentage over 100',
      '{"MaxConcurrentPercentage": 150}',
      'CFCT-S007',
      /"MaxConcurrentPercentage" must be <= 100/,
    ],
    ['a count below 1', '{"MaxConcurrentCount": 0}', 'CFCT-S007', /"MaxConcurrentCount" must be >= 1/],
    [
      'an unknown concurrency mode',
      '{"ConcurrencyMode": "LOOSE"}',
      'CFCT-S005',
      /"ConcurrencyMode" is "LOOSE"; allowed: STRICT_FAILURE_TOLERANCE, SOFT_FAILURE_TOLERANCE/,
    ],
    [
      'a count with its percentage',
      '{"FailureToleranceCount": 1, "FailureTolerancePercentage": 10}',
      'CFCT-M018',
      /--operation-preferences set both FailureTolerancePercentage and FailureToleranceCount/,
    ],
    [
      'an unknown region in RegionOrder',
      '{"RegionOrder": ["us-east-9"]}',
      'CFCT-M009',
      /"us-east-9" is not a known AWS region/,
    ],
  ])(
    'fails when the JSON holds %s: a finding with rule id and hint, no preferences',
    (_label, text, ruleId, message) => {
      const read = readOperationPreferences(text, '--operation-preferences');
      expect(read.preferences).toBeUndefined();
      expect(read.findings[0]).toMatchObject({
        ruleId,
        severity: 'error',
        message: expect.stringMatching(message),
        hint: expect.any(String),
        location: expect.objectContaining({ file: '--operation-preferences' }),
      });
    },
  );

  test('fails at the line and column of the bad value in the flag text', () => {
    const read = readOperationPreferences(
      '{"RegionConcurrencyType": "PARALLEL",\n "MaxConcurrentCount": 0}',
      '--operation-preferences',
    );
    expect(read.findings).toEqual([
      expect.objectContaining({
        ruleId: 'CFCT-S007',
        location: expect.objectContaining({ file: '--operation-preferences', line: 2, column: 24 }),
      }),
    ]);
  });

  test('checks parsed values the same way', () => {
    expect(checkOperationPreferences({ MaxConcurrentPercentage: 101 }, 'props').findings.map((f) => f.ruleId)).toEqual([
      'CFCT-S007',
    ]);
  });
});

describe('installation default stack set order', () => {
  test("the manifest's stack_set_order wins; absent, the default; no default, sequential", () => {
    expect(stackSetOrderOf({ stackSetOrder: 'sequential' }, { defaultStackSetOrder: 'dependencies' })).toBe(
      'sequential',
    );
    expect(stackSetOrderOf({}, { defaultStackSetOrder: 'dependencies' })).toBe('dependencies');
    expect(stackSetOrderOf({}, {})).toBe('sequential');
  });

  test('fails when the order is unknown: CFCT-K101 with a hint', () => {
    expect(readStackSetOrder('dependencies', '--stack-set-order')).toEqual({ order: 'dependencies', findings: [] });
    const read = readStackSetOrder('parallel', '--stack-set-order');
    expect(read.order).toBeUndefined();
    expect(read.findings[0]).toMatchObject({
      ruleId: 'CFCT-K101',
      message: '--stack-set-order is "parallel"; allowed: sequential, dependencies',
      hint: expect.any(String),
    });
  });
});

describe('defaults through plan and apply, against the fake', () => {
  const ACCOUNTS = accountIds(3);

  test("operations carry the merged preferences: the default where the resource is silent, the resource's where it speaks", async () => {
    const w = new StackSetWorld({
      settings: {
        defaultOperationPreferences: {
          maxConcurrentCount: 2,
          failureToleranceCount: 1,
          regionConcurrencyType: 'SEQUENTIAL',
        },
      },
    });
    w.setAccounts(ACCOUNTS);
    const plain = resource('plain');
    const own = resource('own', {
      operationPreferences: { maxConcurrentPercentage: 50, concurrencyMode: 'STRICT_FAILURE_TOLERANCE' },
    });
    const { report } = await w.apply(manifest([plain, own]), [
      desired(plain, template('p'), ACCOUNTS),
      desired(own, template('o'), ACCOUNTS),
    ]);
    expect(report.failed).toEqual([]);
    const byStackSet = Object.fromEntries(w.cfn.operationPreferences().map((o) => [o.stackSet, o.preferences]));
    expect(byStackSet[w.nameOf(plain)]).toEqual({
      MaxConcurrentCount: 2,
      FailureToleranceCount: 1,
      RegionConcurrencyType: 'SEQUENTIAL',
      ConcurrencyMode: 'SOFT_FAILURE_TOLERANCE',
    });
    expect(byStackSet[w.nameOf(own)]).toEqual({
      MaxConcurrentPercentage: 50,
      FailureToleranceCount: 1,
      RegionConcurrencyType: 'SEQUENTIAL',
      ConcurrencyMode: 'STRICT_FAILURE_TOLERANCE',
    });
  });

  test('the default order applies to a manifest without stack_set_order, not to one that says sequential', async () => {
    const w = new StackSetWorld({ settings: { defaultStackSetOrder: 'dependencies' } });
    w.setAccounts(ACCOUNTS);
    const [a, b, c] = ['a', 'b', 'c'].map((n) => resource(n));
    const wanted = [a, b, c].map((r) => desired(r, template(r.name), ACCOUNTS));
    expect((await w.plan(manifest([a, b, c]), wanted)).graph.waves).toEqual([['a', 'b', 'c']]);
    expect((await w.plan(manifest([a, b, c], { stackSetOrder: 'sequential' }), wanted)).graph.waves).toEqual([
      ['a'],
      ['b'],
      ['c'],
    ]);
    const plain = new StackSetWorld();
    expect((await plain.plan(manifest([a, b, c]), wanted)).graph.waves).toEqual([['a'], ['b'], ['c']]);
  });
});
