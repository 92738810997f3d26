/**
 * Rules of the findings the engine reports while planning (ids `CFCT-O…` for the organization
 * and targets, `CFCT-C…` for SCPs, RCPs and the run, `CFCT-K…` for stack sets).
 */
import {
  applySuppressions,
  checkSuppressions,
  PLANNING_RULE_ID,
  type SuppressionScope,
} from '../manifest/checks/suppressions';
import type { Finding } from '../manifest/findings';
import type { Manifest } from '../manifest/model';
import { catalogueFinding, type FindingDetails, type RuleInfo } from '../manifest/rules';

export const ENGINE_RULES = {
  'CFCT-O001': {
    severity: 'error',
    title: 'organization snapshot unreadable',
    explanation:
      'The snapshot file is not JSON, has an unknown format version, or does not match the documented format (docs/organization-snapshot.md).',
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
    explanation:
      'A bare OU name matches top-level OUs only, as upstream; a nested OU must be written as its path A:B:C or its ou- id.',
  },
  'CFCT-O004': {
    severity: 'warning',
    title: 'unknown account',
    explanation:
      'No account of the organization has this id, name or email. A warning while nothing exists there; an error when the plan would otherwise detach or delete because of it.',
  },
  'CFCT-O005': {
    severity: 'warning',
    title: 'ambiguous account',
    explanation: 'Several accounts share this name or email; name the account by its 12-digit id.',
  },
  'CFCT-O006': {
    severity: 'warning',
    title: 'account not active: left out',
    explanation:
      'SUSPENDED, PENDING_CLOSURE and PENDING_ACTIVATION accounts are left out of every operation (nothing is updated or removed there), so they never block a run.',
  },
  'CFCT-O007': {
    severity: 'warning',
    title: 'account closed',
    explanation: 'A CLOSED account receives nothing; stack instances in it are removed with RetainStacks=true.',
  },
  'CFCT-O010': {
    severity: 'error',
    title: 'snapshot does not hold what the plan reads',
    explanation:
      "A plan from a snapshot must be the plan the live organization gives: the snapshot must hold the policy types the manifest uses (and those this installation owns policies of), the stack sets with the prefix and the manifest's, and the SSM values they read. `cfct org export --package <package>` writes such a snapshot; nothing is planned from one that lacks them.",
  },
  'CFCT-C002': {
    severity: 'warning',
    title: 'policy targets the management account',
    explanation: 'SCPs and RCPs do not apply to the management account; the attachment has no effect.',
  },
  'CFCT-C003': {
    severity: 'error',
    title: 'too many policies of a type on a target',
    explanation:
      "At most 5 SCPs and 5 RCPs can be attached to a root, OU or account, counting policies this installation does not own (such as FullAWSAccess and Control Tower's).",
  },
  'CFCT-C004': {
    severity: 'error',
    title: 'policy document unusable',
    explanation:
      'The policy file is missing, is not JSON, or exceeds 5,120 characters after minification; the policy is left as it is.',
  },
  'CFCT-C005': {
    severity: 'info',
    title: 'existing policy adopted',
    explanation:
      "A policy with the resource's name and no `cfct:installation` tag (created by upstream CfCT) is adopted by the `default` installation: tagged, then managed.",
  },
  'CFCT-C006': {
    severity: 'error',
    title: 'policy name taken by a policy this installation does not own',
    explanation:
      'A policy with this name exists but belongs to another installation, is AWS-managed, or is untagged while this installation is not `default`; it is never changed.',
  },
  'CFCT-C007': {
    severity: 'info',
    title: 'policy left the manifest and is kept',
    explanation:
      'An owned policy no longer in the manifest is detached from every target but kept, because `enable_policy_deletion` is not true.',
  },
  'CFCT-C008': {
    severity: 'error',
    title: 'detach would leave a target without any SCP',
    explanation:
      'Every root, OU and account must keep at least one SCP attached; attach FullAWSAccess or another SCP there first.',
  },
  'CFCT-C009': {
    severity: 'warning',
    title: 'policy type not enabled',
    explanation:
      'The policy type is not enabled on the root; the plan enables it before creating or attaching policies.',
  },
  'CFCT-C010': {
    severity: 'error',
    title: 'saved plan is out of date',
    explanation:
      'A saved plan is applied only while the organization and the package are what it was computed from; plan again and review the new plan.',
  },
  'CFCT-C020': {
    severity: 'info',
    title: 'changes left out by --accounts',
    explanation:
      'A run limited to some accounts changes only their stack instances and policy attachments to those accounts; stack set definitions and OU-level policies wait for a run over the whole organization.',
  },
  'CFCT-C030': {
    severity: 'error',
    title: 'policy tags Organizations would refuse',
    explanation:
      'Organizations accepts tag keys of 1 to 128 and values of up to 256 characters made of letters, digits, spaces and `_ . : / = + - @`, no `aws:` key, and at most 50 tags on a policy (counting those it has); the policy is not planned, so the apply never fails halfway on CreatePolicy or TagResource.',
  },
  'CFCT-C060': {
    severity: 'info',
    title: 'approved steps already done',
    explanation:
      'A deploy stage re-plans before it acts; approved steps the organization already has (done by an earlier attempt of the run, or by hand) are skipped. Changes the approval did not cover refuse the run (CFCT-C010).',
  },
  'CFCT-C070': {
    severity: 'info',
    title: 'nothing to apply in this stage',
    explanation:
      'The approved plan has no step for this deploy stage (policies, or stack sets): the stage applies nothing and ends without reading the organization again. A change made since the approval is planned, reviewed and approved in the next run.',
  },
  // Stack sets (CFCT-K001 and CFCT-K002 are retired: the graph reports CFCT-M010 and CFCT-M011)
  'CFCT-K010': {
    severity: 'error',
    title: 'SSM parameter read by a helper does not exist',
    explanation:
      '`$[alfred_ssm_X]` reads X in the management account (home region); it must exist or be exported by a resource that runs earlier.',
  },
  'CFCT-K011': {
    severity: 'error',
    title: 'generated value has nowhere to be stored',
    explanation:
      'Passwords, key pairs and zones are stored under the sibling ssm_parameters entry (`$[password]`, `$[keymaterial]`, `$[az]`...), so they are reused on the next run.',
  },
  'CFCT-K012': {
    severity: 'error',
    title: 'helper has no account or region to run in',
    explanation:
      'Key pairs and availability zones are read or created in the first target account and region; the resource has none.',
  },
  'CFCT-K013': {
    severity: 'error',
    title: 'not enough availability zones',
    explanation: '`$[alfred_genaz_N]` needs N available zones in the target region.',
  },
  'CFCT-K020': {
    severity: 'error',
    title: 'service-managed stack sets not supported',
    explanation:
      'The engine deploys SELF_MANAGED stack sets (as upstream); `permission_model: service_managed` is not planned.',
  },
  'CFCT-K021': {
    severity: 'error',
    title: 'stack set belongs to another installation',
    explanation:
      "A stack set with this name carries another installation's cfct:installation tag; it is never changed or adopted.",
  },
  'CFCT-K030': {
    severity: 'warning',
    title: 'INOPERABLE instance',
    explanation:
      'An INOPERABLE instance cannot be updated: delete it with RetainStacks, clean up the stack in the account, and run again.',
  },
  'CFCT-K031': {
    severity: 'error',
    title: 'deletion refused: a target matched nothing',
    explanation:
      'Instances are never deleted while a target entry of the resource matches nothing: a typo must not remove stacks.',
  },
  'CFCT-K033': {
    severity: 'info',
    title: 'instances in suspended accounts left alone',
    explanation: 'SUSPENDED and PENDING_CLOSURE accounts are left out of every operation, so they never block a run.',
  },
  'CFCT-K034': {
    severity: 'info',
    title: 'Root means every active member account',
    explanation:
      'With `root_accounts: all_active`, `Root` means every ACTIVE member account (never the management account), whether Control Tower governs it or not.',
  },
  'CFCT-K035': {
    severity: 'warning',
    title: 'stack set change waits for an active account',
    explanation:
      'UpdateStackSet would also update instances in suspended accounts, which are left out of every operation; while those are the only instances, the change waits.',
  },
  'CFCT-K040': {
    severity: 'warning',
    title: 'prefixed stack set owned by someone else',
    explanation: "A stack set with the prefix is not in the manifest and is not this installation's; it is left alone.",
  },
  'CFCT-K041': {
    severity: 'info',
    title: 'removed stack set kept',
    explanation: 'A stack set left the manifest; it is deleted only with `enable_stack_set_deletion: true`.',
  },
  'CFCT-K042': {
    severity: 'warning',
    title: 'removed stack set keeps instances in suspended accounts',
    explanation:
      'Instances in suspended accounts cannot be deleted this run; the stack set is deleted once they are gone.',
  },
  'CFCT-K090': {
    severity: 'error',
    title: 'Root cannot be resolved and would create instances',
    explanation:
      '`Root` means the accounts Control Tower governs (its enabled baselines, else its baseline stack set). When neither can be read, instances that only Root would create are refused rather than deployed to accounts Control Tower may not govern; set `root_accounts: all_active` to mean every ACTIVE member account.',
  },
  'CFCT-K091': {
    severity: 'info',
    title: 'NoEcho values not compared without the fingerprint key',
    explanation:
      'NoEcho values are compared through a keyed fingerprint whose key stays in the management account; a plan made without it (offline, or before the first apply) updates the stack set, and apply compares again first.',
  },
  'CFCT-K050': {
    severity: 'error',
    title: 'template cannot be read',
    explanation:
      'The resource_file does not exist in the package, or the S3 object cannot be read; the stack set is not planned.',
  },
  'CFCT-K060': {
    severity: 'warning',
    title: 'unwanted INOPERABLE instance removed, its stack kept',
    explanation:
      'A failed DeleteStackInstances left the instance INOPERABLE; deleting it again would fail on every run. It is removed from the stack set with RetainStacks=true: the stack stays in the account and must be deleted by hand.',
  },
  'CFCT-K061': {
    severity: 'error',
    title: 'AWS error while preparing a stack set',
    explanation:
      'Generating helper values, staging the template or reading the stack set met an AWS error; the stack set is not changed this run and its dependants are skipped.',
  },
  'CFCT-K062': {
    severity: 'error',
    title: 'tags CloudFormation refuses',
    explanation:
      'A stack set has at most 50 tags (the engine adds up to 4); keys are 1 to 128 characters and must not start with `aws:`; values are 1 to 256 characters. The stack set is not planned.',
  },
  'CFCT-K070': {
    severity: 'error',
    title: 'generated key pair lost its private key',
    explanation:
      'A run stopped after CreateKeyPair and before the private key was stored in its `$[keymaterial]` parameter; EC2 returns a private key only on creation, so the helper stores nothing more. Delete the key pair in the target account and region and run again, or store the private key yourself.',
  },
  'CFCT-K080': {
    severity: 'warning',
    title: 'legacy manifest: account not directly under a top-level OU',
    explanation:
      'A 2020-01-01 manifest is read as upstream reads it: `deploy_to_account` keeps only accounts that sit directly under a top-level OU, so an account at the root (such as the management account) or in a nested OU gets no instance. Each account left out is named; a 2021-03-15 manifest targets it with `deployment_targets.accounts`.',
  },
  'CFCT-K081': {
    severity: 'error',
    title: 'large template without a staging bucket',
    explanation:
      'CreateStackSet and UpdateStackSet accept at most 51,200 bytes inline; a larger template must be staged in S3. Without a staging bucket the stack set cannot be created or updated, so the plan says so instead of the apply failing.',
  },
  'CFCT-K082': {
    severity: 'error',
    title: 'template over 1 MB',
    explanation: 'CloudFormation accepts templates of at most 1 MB, even through S3; the stack set is not planned.',
  },
  'CFCT-K100': {
    severity: 'error',
    title: 'default operation preferences unreadable',
    explanation:
      "The installation's default operation preferences (`--operation-preferences`, the pipeline's `stackSetOperationPreferences`) must be a JSON object with the keys of a resource's `operation_preferences`; they are checked as the manifest's are (CFCT-S003, CFCT-S005, CFCT-S007, CFCT-M018, CFCT-M009), and nothing is planned with ones that fail.",
  },
  'CFCT-K101': {
    severity: 'error',
    title: 'unknown default stack set order',
    explanation:
      "The installation's default stack set order (`--stack-set-order`) is `sequential` or `dependencies`; a manifest's `stack_set_order` takes precedence over it.",
  },
} as const satisfies Record<string, RuleInfo>;

export type EngineRuleId = keyof typeof ENGINE_RULES;

/** A finding of an engine rule. */
export function engineFinding(ruleId: EngineRuleId, details: FindingDetails): Finding {
  return catalogueFinding(ENGINE_RULES, ruleId, details);
}

/** The planning rules' suppressions: ids `CFCT-O…`, `CFCT-C…`, `CFCT-K…`, checked against this catalogue. */
export const PLANNING_SUPPRESSIONS: SuppressionScope = {
  catalogue: ENGINE_RULES,
  owns: (id) => PLANNING_RULE_ID.test(id),
};

/**
 * The findings of a plan with the manifest's `lint_suppressions` of planning rules applied:
 * suppressed warnings become `info`, and a suppression naming no planning rule, or an error,
 * is a CFCT-M016 error (as validation reports for its own rules).
 */
export function withPlanningSuppressions(findings: readonly Finding[], manifest: Manifest): Finding[] {
  return applySuppressions([...findings, ...checkSuppressions(manifest, PLANNING_SUPPRESSIONS)], manifest);
}
