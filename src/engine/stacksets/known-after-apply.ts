/**
 * A value a read-only plan cannot know: it exists once earlier work of the apply has run (an
 * export of an earlier stack set, a generated value). It travels in the plan as its display text,
 * `(known after apply)` or `(known after apply: <what>)`; make one with `knownAfterApply` and
 * recognise one with `isKnownAfterApply`, never by its text.
 */
export type KnownAfterApply = string & { readonly knownAfterApplyMarker: true };

const KNOWN_AFTER_APPLY = '(known after apply';

/** The marker of a value known only after apply, saying what it will be when `what` is given. */
export function knownAfterApply(what?: string): KnownAfterApply {
  return `${KNOWN_AFTER_APPLY}${what === undefined ? '' : `: ${what}`})` as KnownAfterApply;
}

/** True for a value made by `knownAfterApply`. */
export function isKnownAfterApply(value: string | undefined): value is KnownAfterApply {
  return value !== undefined && value.startsWith(KNOWN_AFTER_APPLY) && value.endsWith(')');
}
