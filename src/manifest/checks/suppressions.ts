/**
 * `lint_suppressions`: each names a warning rule and gives a reason; matching warnings of that
 * resource are kept as `info` findings that say they were suppressed and why. Validation checks
 * the suppressions of its own rules; those of planning rules (`CFCT-O…`, `CFCT-C…`, `CFCT-K…`)
 * are checked and applied by the engine when it plans, against its catalogue.
 */
import type { Finding } from '../findings';
import type { Manifest, StackSetResource } from '../model';
import { finding, RULES, SUPPRESSIBLE_ERRORS } from '../rules';
import { didYouMean } from '../suggest';

/** Ids of the rules the engine reports while planning (docs/rules.md, "Rule ids"). */
export const PLANNING_RULE_ID = /^CFCT-[OCK]\d{3}$/;

/** The rules a suppression check covers: a catalogue, and which suppressed ids it owns. */
export interface SuppressionScope {
  readonly catalogue: Readonly<Record<string, { readonly severity: string }>>;
  readonly owns: (ruleId: string) => boolean;
}

/** Validation's scope: every id except the planning rules'. */
export const VALIDATION_SUPPRESSIONS: SuppressionScope = { catalogue: RULES, owns: (id) => !PLANNING_RULE_ID.test(id) };

/** Checks every suppression of `scope` (CFCT-M016). */
export function checkSuppressions(manifest: Manifest, scope: SuppressionScope = VALIDATION_SUPPRESSIONS): Finding[] {
  const findings: Finding[] = [];
  const ids = Object.keys(scope.catalogue);
  for (const resource of manifest.resources) {
    for (const suppression of resource.lintSuppressions) {
      if (!scope.owns(suppression.ruleId)) continue;
      const rule = scope.catalogue[suppression.ruleId];
      let problem: string | undefined;
      let hint: string | undefined;
      if (!rule) {
        problem = `names no rule ("${suppression.ruleId}")`;
        hint = didYouMean(suppression.ruleId, ids) ?? 'rule ids are listed in docs/rules.md';
      } else if (rule.severity !== 'warning' && !SUPPRESSIBLE_ERRORS.has(suppression.ruleId)) {
        problem = `names ${suppression.ruleId}, which is an error; only warnings can be suppressed`;
        hint = 'fix the cause instead';
      } else if (suppression.reason.trim() === '') {
        problem = `for ${suppression.ruleId} gives no reason`;
        hint = 'say why the warning does not apply here';
      }
      if (problem) {
        findings.push(
          finding('CFCT-M016', {
            message: `lint suppression of "${resource.name}" ${problem}`,
            location: suppression.location ?? resource.location,
            hint,
            resource: resource.name,
          }),
        );
      }
    }
  }
  return findings;
}

/** Turns suppressed warnings into `info` findings; everything else is returned unchanged. */
export function applySuppressions(findings: readonly Finding[], manifest: Manifest): Finding[] {
  const reasons = new Map<string, string>();
  for (const resource of manifest.resources) {
    for (const suppression of resource.lintSuppressions) {
      if (suppression.reason.trim()) {
        reasons.set(`${resource.name}\u0000${suppression.ruleId}`, suppression.reason.trim());
      }
    }
  }
  return findings.map((f) => {
    const suppressible = f.severity === 'warning' || SUPPRESSIBLE_ERRORS.has(f.ruleId);
    const reason = suppressible && f.resource !== undefined ? reasons.get(`${f.resource}\u0000${f.ruleId}`) : undefined;
    return reason === undefined ? f : { ...f, severity: 'info', message: `${f.message} (suppressed: ${reason})` };
  });
}

/**
 * A finding of `resource`, suppressed (an `info` note with the reason) when the resource
 * suppresses its rule and the rule may be suppressed; for findings made outside validation.
 */
export function suppressedFor(resource: Pick<StackSetResource, 'lintSuppressions'>, f: Finding): Finding {
  if (f.severity !== 'warning' && !SUPPRESSIBLE_ERRORS.has(f.ruleId)) return f;
  const reason = resource.lintSuppressions.find((s) => s.ruleId === f.ruleId && s.reason.trim())?.reason.trim();
  return reason === undefined ? f : { ...f, severity: 'info', message: `${f.message} (suppressed: ${reason})` };
}
