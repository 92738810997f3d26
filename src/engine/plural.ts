/** `1 policy`, `2 policies`, `3 accounts`: the one plural of every plan, report and summary line. */
export function plural(n: number, word: string): string {
  if (n === 1) return `${n} ${word}`;
  return `${n} ${/[^aeiou]y$/.test(word) ? `${word.slice(0, -1)}ies` : `${word}s`}`;
}

/**
 * The first `max` items joined by `separator`, then the separator and `...` when there are more:
 * how a message names a long list (`a; b; c; ...`).
 */
export function listFirst(items: readonly string[], max: number, separator: string): string {
  const shown = items.slice(0, max).join(separator);
  return items.length > max ? `${shown}${separator}...` : shown;
}
