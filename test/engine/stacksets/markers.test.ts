/** The "known after apply" marker: one way to make it, one way to recognise it. */
import { isKnownAfterApply, knownAfterApply } from '../../../src/engine/stacksets/known-after-apply';

describe('known after apply', () => {
  test('the marker reads as the plan shows it, with or without what it will be', () => {
    expect(knownAfterApply()).toBe('(known after apply)');
    expect(knownAfterApply('SSM parameter /x, exported by network')).toBe(
      '(known after apply: SSM parameter /x, exported by network)',
    );
  });

  test('only markers are recognised: not plain values, not undefined, not text that merely starts like one', () => {
    expect(isKnownAfterApply(knownAfterApply())).toBe(true);
    expect(isKnownAfterApply(knownAfterApply('a; b'))).toBe(true);
    expect(isKnownAfterApply('abc123')).toBe(false);
    expect(isKnownAfterApply(undefined)).toBe(false);
    expect(isKnownAfterApply('(known after apply is a phrase')).toBe(false);
  });
});
