/**
 * Where the stack set state cache object lives: one function that the CLI (state-cache.ts) and
 * the constructs' IAM grants share. Imports nothing, so the constructs can use it.
 */

/** Name of the cache object under the run prefix. */
export const STACK_SET_STATE_CACHE_OBJECT = 'stack-set-states.json';

/**
 * The key of the cache object under a run prefix (`cfct/runs` → `cfct/runs/stack-set-states.json`):
 * the one place the CLI and the construct's IAM grants take it from.
 */
export function stackSetStateCacheKey(runPrefix: string): string {
  const prefix = runPrefix.replace(/^\/+|\/+$/g, '');
  return prefix ? `${prefix}/${STACK_SET_STATE_CACHE_OBJECT}` : STACK_SET_STATE_CACHE_OBJECT;
}
