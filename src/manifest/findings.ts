/**
 * Findings: everything wrong (or worth knowing) about a configuration package or a plan.
 * Every finding has a stable rule id, a location, and where possible a hint.
 */

export type Severity = 'error' | 'warning' | 'info';

/** A place in a file of the configuration package. Lines and columns start at 1. */
export interface SourceLocation {
  /** Path relative to the package root, with forward slashes, e.g. `manifest.yaml`. */
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  /** Path inside the document, e.g. `resources[3].deployment_targets.accounts[1]`. */
  readonly path?: string;
}

export interface Finding {
  /** Stable rule id, e.g. `CFCT-M012`; see docs/rules.md. */
  readonly ruleId: string;
  readonly severity: Severity;
  /** What fired, in one sentence. */
  readonly message: string;
  readonly location?: SourceLocation;
  /** How to fix it. */
  readonly hint?: string;
  /** The manifest resource the finding is about, when there is one. */
  readonly resource?: string;
}

/** `manifest.yaml:14:9` (or just the file, or nothing). */
export function formatLocation(location: SourceLocation | undefined): string {
  if (!location) return '';
  let text = location.file;
  if (location.line !== undefined) {
    text += `:${location.line}`;
    if (location.column !== undefined) text += `:${location.column}`;
  }
  return text;
}

/** One finding a line: `manifest.yaml:14:9 error CFCT-M012 message (at path) hint: ...`. */
export function formatFinding(finding: Finding): string {
  const parts: string[] = [];
  const where = formatLocation(finding.location);
  if (where) parts.push(where);
  parts.push(finding.severity, finding.ruleId, finding.message);
  if (finding.location?.path) parts.push(`(at ${finding.location.path})`);
  if (finding.hint) parts.push(`hint: ${finding.hint}`);
  return parts.join(' ');
}

export function hasErrors(findings: readonly Finding[], strict = false): boolean {
  return findings.some((f) => f.severity === 'error' || (strict && f.severity === 'warning'));
}
