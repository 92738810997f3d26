/**
 * Helpers for plain values read from YAML or JSON, which may be anything.
 */

/** True for a plain object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A value as text for messages and names: strings as they are, other scalars with `String`,
 * lists and mappings as JSON (never calls a `toString` the input may define).
 */
export function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined || typeof value !== 'object') return String(value);
  return JSON.stringify(value);
}
