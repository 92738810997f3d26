/**
 * Rules of the findings the engine reports while resolving targets and planning policies
 * (ids `CFCT-O…` for the organization and targets, `CFCT-C…` for SCPs and RCPs).
 */
import type { Finding, Severity, SourceLocation } from '../manifest/findings';

/** One engine rule: default severity, title, and why it exists. */
export interface EngineRule {
  readonly severity: Severity;
  readonly title: string;
  readonly explanation: string;
}

export const ENGINE_RULES = {
  'CFCT-O001': {
    severity: 'error',
    title: 'organization snapshot unreadable',
    explanation: 'The snapshot file is not JSON, has an unknown format version, or does not match the documented format (docs/organization-snapshot.md).',
  },
  'CFCT-O002': {
    severity: 'warning',
    title: 'unknown organizational unit',
    explanation:
      'No OU matches the entry (name, nested path A:B:C, ou- id, Root or r- id). A warning while nothing exists there; an error when the plan would otherwise detach or delete because of it.',
  },
  'CFCT-O003': {
    severity: 'warning',
    title: 'bare name matches only a nested OU',
    explanation: 'A bare OU name matches top-level OUs only, as upstream; a nested OU must be written as its path A:B:C or its ou- id.',
  },
  'CFCT-O004': {
    severity: 'warning',
    title: 'unknown account',
    explanation: 'No account of the organization has this id, name or email. A warning while nothing exists there; an error when the plan would otherwise detach or delete because of it.',
  },
  'CFCT-O005': {
    severity: 'warning',
    title: 'ambiguous account',
    explanation: 'Several accounts share this name or email; name the account by its 12-digit id.',
  },
  'CFCT-O006': {
    severity: 'warning',
    title: 'account not active: left out',
    explanation: 'SUSPENDED, PENDING_CLOSURE and PENDING_ACTIVATION accounts are left out of every operation (nothing is updated or removed there), so they never block a run.',
  },
  'CFCT-O007': {
    severity: 'warning',
    title: 'account closed',
    explanation: 'A CLOSED account receives nothing; stack instances in it are removed with RetainStacks=true.',
  },
  'CFCT-C002': {
    severity: 'warning',
    title: 'policy targets the management account',
    explanation: 'SCPs and RCPs do not apply to the management account; the attachment has no effect.',
  },
  'CFCT-C003': {
    severity: 'error',
    title: 'too many policies of a type on a target',
    explanation: 'At most 5 SCPs and 5 RCPs can be attached to a root, OU or account, counting policies this installation does not own (such as FullAWSAccess and Control Tower\'s).',
  },
  'CFCT-C004': {
    severity: 'error',
    title: 'policy document unusable',
    explanation: 'The policy file is missing, is not JSON, or exceeds 5,120 characters after minification; the policy is left as it is.',
  },
  'CFCT-C005': {
    severity: 'info',
    title: 'existing policy adopted',
    explanation: 'A policy with the resource\'s name and no `cfct:installation` tag (created by upstream CfCT) is adopted by the `default` installation: tagged, then managed.',
  },
  'CFCT-C006': {
    severity: 'error',
    title: 'policy name taken by a policy this installation does not own',
    explanation: 'A policy with this name exists but belongs to another installation, is AWS-managed, or is untagged while this installation is not `default`; it is never changed.',
  },
  'CFCT-C007': {
    severity: 'info',
    title: 'policy left the manifest and is kept',
    explanation: 'An owned policy no longer in the manifest is detached from every target but kept, because `enable_policy_deletion` is not true.',
  },
  'CFCT-C008': {
    severity: 'error',
    title: 'detach would leave a target without any SCP',
    explanation: 'Every root, OU and account must keep at least one SCP attached; attach FullAWSAccess or another SCP there first.',
  },
  'CFCT-C009': {
    severity: 'warning',
    title: 'policy type not enabled',
    explanation: 'The policy type is not enabled on the root; the plan enables it before creating or attaching policies.',
  },
  'CFCT-C010': {
    severity: 'error',
    title: 'saved plan is out of date',
    explanation: 'A saved plan is applied only while the organization and the package are what it was computed from; plan again and review the new plan.',
  },
} as const satisfies Record<string, EngineRule>;

export type EngineRuleId = keyof typeof ENGINE_RULES;

/** What a finding says beyond its rule. */
export interface EngineFindingDetails {
  readonly message: string;
  readonly location?: SourceLocation;
  readonly hint?: string;
  readonly resource?: string;
  /** Overrides the rule's default severity (e.g. a warning escalated to an error). */
  readonly severity?: Severity;
}

/** A finding of an engine rule. */
export function engineFinding(ruleId: EngineRuleId, details: EngineFindingDetails): Finding {
  const out: { -readonly [K in keyof Finding]: Finding[K] } = {
    ruleId,
    severity: details.severity ?? ENGINE_RULES[ruleId].severity,
    message: details.message,
  };
  if (details.location) out.location = details.location;
  if (details.hint) out.hint = details.hint;
  if (details.resource) out.resource = details.resource;
  return out;
}
