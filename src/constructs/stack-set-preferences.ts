/**
 * Validation and serialisation of the pipeline's stack set defaults (not part of the jsii API).
 */
import { Token } from 'aws-cdk-lib';
import type { StackSetOperationPreferences } from './stack-set-defaults';
import { KNOWN_REGIONS } from '../manifest/regions';

/**
 * Valid ranges, as the manifest schema's `operation_preferences` (and the StackSets API) have them.
 */
export const OPERATION_PREFERENCE_RANGES = {
  maxConcurrentCount: { key: 'MaxConcurrentCount', minimum: 1 },
  maxConcurrentPercentage: { key: 'MaxConcurrentPercentage', minimum: 1, maximum: 100 },
  failureToleranceCount: { key: 'FailureToleranceCount', minimum: 0 },
  failureTolerancePercentage: { key: 'FailureTolerancePercentage', minimum: 0, maximum: 100 },
} as const;

/**
 * Throws, in CDK style, when the preferences are not what a manifest's `operation_preferences`
 * may hold: whole numbers in range, one of each count/percentage pair, known regions.
 */
export function validateOperationPreferences(prefs: StackSetOperationPreferences): void {
  const name = 'stackSetOperationPreferences';
  for (const [field, range] of Object.entries(OPERATION_PREFERENCE_RANGES)) {
    const value = prefs[field as keyof typeof OPERATION_PREFERENCE_RANGES];
    if (value === undefined || Token.isUnresolved(value)) continue;
    const max = 'maximum' in range ? range.maximum : undefined;
    if (!Number.isInteger(value) || value < range.minimum || (max !== undefined && value > max)) {
      const wanted = max !== undefined ? `between ${range.minimum} and ${max}` : `of at least ${range.minimum}`;
      throw new Error(`${name}.${field} must be a whole number ${wanted}, got ${value}`);
    }
  }
  for (const [count, percentage] of [
    ['maxConcurrentCount', 'maxConcurrentPercentage'],
    ['failureToleranceCount', 'failureTolerancePercentage'],
  ] as const) {
    if (prefs[count] !== undefined && prefs[percentage] !== undefined) {
      throw new Error(`${name}: give ${count} or ${percentage}, not both (StackSets accepts one of each)`);
    }
  }
  if (prefs.regionOrder !== undefined && !Token.isUnresolved(prefs.regionOrder)) {
    for (const region of prefs.regionOrder) {
      if (!Token.isUnresolved(region) && !KNOWN_REGIONS.includes(region)) {
        throw new Error(`${name}.regionOrder: '${region}' is not a known AWS region`);
      }
    }
  }
}

/**
 * The preferences with the manifest's keys (`MaxConcurrentCount`, ...), as `cfct
 * --operation-preferences` reads them.
 */
export function operationPreferencesJson(prefs: StackSetOperationPreferences): string {
  const out: Record<string, unknown> = {};
  for (const [field, range] of Object.entries(OPERATION_PREFERENCE_RANGES)) {
    const value = prefs[field as keyof typeof OPERATION_PREFERENCE_RANGES];
    if (value !== undefined) out[range.key] = value;
  }
  if (prefs.regionConcurrencyType !== undefined) out.RegionConcurrencyType = prefs.regionConcurrencyType;
  if (prefs.regionOrder !== undefined) out.RegionOrder = prefs.regionOrder;
  if (prefs.concurrencyMode !== undefined) out.ConcurrencyMode = prefs.concurrencyMode;
  return JSON.stringify(out);
}
