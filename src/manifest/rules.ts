/**
 * The rule catalogue: every finding this package reports has one of these ids. docs/rules.md
 * lists the same rules (a test keeps the two in step).
 */
import type { Finding, Severity, SourceLocation } from './findings';

/** One rule: its default severity, a one-line title, and why the rule exists. */
export interface RuleInfo {
  readonly severity: Severity;
  readonly title: string;
  readonly explanation: string;
}

/** Every rule, by id. */
export const RULES = {
  // Package reading
  'CFCT-P001': {
    severity: 'error',
    title: 'manifest.yaml not found where it must be',
    explanation:
      'The manifest sits at the package root, or (in a zip) inside a single `custom-control-tower-configuration/` folder; anything else is rejected, as upstream does.',
  },
  'CFCT-P002': {
    severity: 'error',
    title: 'zip entry path escapes the package',
    explanation:
      'Entries with `..` segments or absolute paths could write outside the extraction folder; they are refused.',
  },
  'CFCT-P003': {
    severity: 'error',
    title: 'zip entry is a symbolic link',
    explanation: 'A symbolic link can point outside the package; links are refused.',
  },
  'CFCT-P004': {
    severity: 'error',
    title: 'zip has too many entries',
    explanation:
      'The entry count is capped (default 1,000, as upstream) so a hostile archive cannot exhaust the reader.',
  },
  'CFCT-P005': {
    severity: 'error',
    title: 'zip uncompressed size too large',
    explanation:
      'The total uncompressed size is capped (default 500 MiB, as upstream) so a zip bomb cannot exhaust memory.',
  },
  'CFCT-P006': {
    severity: 'error',
    title: 'zip is corrupt or unreadable',
    explanation: 'The archive could not be read; nothing in it is used.',
  },
  'CFCT-P007': {
    severity: 'error',
    title: 'file is not valid UTF-8 text',
    explanation:
      'Manifests, templates, parameter files and policies are text; a binary or mis-encoded file cannot be read.',
  },
  // YAML
  'CFCT-Y001': {
    severity: 'error',
    title: 'YAML syntax error',
    explanation: 'The file is not valid YAML, so nothing in it can be checked further.',
  },
  'CFCT-Y002': {
    severity: 'warning',
    title: 'unquoted value read as another type',
    explanation:
      'Manifests are read with YAML 1.1 rules, as upstream does: `yes`/`no`/`on`/`off` are booleans, leading-zero numbers made of 0-7 are octal, `1.00` is 1.0. Where a string was expected and the text changed, quote the value.',
  },
  'CFCT-Y003': {
    severity: 'warning',
    title: 'duplicate mapping key',
    explanation:
      'The same key appears twice in one mapping; the last one wins (as with upstream), which is rarely what the author meant.',
  },
  // Schema
  'CFCT-S001': {
    severity: 'error',
    title: 'unsupported manifest version',
    explanation: '`version` must be `2021-03-15` (current) or `2020-01-01` (legacy).',
  },
  'CFCT-S002': {
    severity: 'error',
    title: 'required field missing',
    explanation: 'The manifest schema requires this field.',
  },
  'CFCT-S003': {
    severity: 'error',
    title: 'unknown key',
    explanation:
      'The key is not part of the manifest schema; a misspelt optional key would otherwise be silently ignored.',
  },
  'CFCT-S004': {
    severity: 'error',
    title: 'value has the wrong type',
    explanation: 'The manifest schema expects another type here (a list, a mapping, a string, a boolean, ...).',
  },
  'CFCT-S005': {
    severity: 'error',
    title: 'value not allowed',
    explanation: 'The field accepts only the listed values (e.g. `deploy_method`: scp, rcp or stack_set).',
  },
  'CFCT-S006': {
    severity: 'warning',
    title: 'legacy manifest version',
    explanation: 'Version 2020-01-01 is deprecated upstream; it is still read (mapped onto the 2021-03-15 model).',
  },
  'CFCT-S007': {
    severity: 'error',
    title: 'value out of range',
    explanation:
      'A number or a list is outside the range the schema allows (e.g. a percentage above 100, an empty list).',
  },
  // Manifest semantics
  'CFCT-M001': {
    severity: 'error',
    title: 'duplicate resource name',
    explanation:
      'Resources are identified by name (policies by name, stack sets by prefix + name); two resources with one name would overwrite each other.',
  },
  'CFCT-M002': {
    severity: 'error',
    title: 'invalid stack set name',
    explanation:
      'The stack set name (prefix + name, or `stack_set_name`) must start with a letter, contain only letters, digits and hyphens, and be at most 128 characters, or CloudFormation rejects it at deployment.',
  },
  'CFCT-M003': {
    severity: 'error',
    title: 'referenced file not in the package',
    explanation:
      'A local `resource_file` or `parameter_file` must exist inside the package; a `parameter_file` is always read from the package (a remote one would otherwise pass no parameters).',
  },
  'CFCT-M004': {
    severity: 'error',
    title: 'file path leaves the package',
    explanation: 'Local paths are relative to the package root and may not be absolute or climb out of it with `..`.',
  },
  'CFCT-M005': {
    severity: 'error',
    title: 'malformed remote file reference',
    explanation: 'Remote files are `s3://bucket/key` or an `https://` Amazon S3 URL with a bucket and a key.',
  },
  'CFCT-M006': {
    severity: 'error',
    title: 'malformed account id',
    explanation: 'An account given by id has exactly 12 digits.',
  },
  'CFCT-M007': {
    severity: 'warning',
    title: 'account id written as a number',
    explanation:
      'An unquoted account id is read as a number, so leading zeros are lost. The id is taken as the 12 digits the author most likely meant; quote it to be sure. (With a leading zero and digits 0-7 only it is octal: CFCT-M052, an error.)',
  },
  'CFCT-M008': {
    severity: 'error',
    title: 'malformed organizational unit',
    explanation:
      'An OU is `Root`, a name, a nested path `A:B:C` (no empty levels, no surrounding spaces), an `ou-...` id or an `r-...` root id.',
  },
  'CFCT-M009': {
    severity: 'error',
    title: 'unknown region',
    explanation: 'Regions must be AWS region codes (e.g. `us-east-1`); a typo would deploy nowhere.',
  },
  'CFCT-M010': {
    severity: 'error',
    title: 'depends_on names no resource',
    explanation: '`depends_on` entries are names of stack set resources in the same manifest.',
  },
  'CFCT-M011': {
    severity: 'error',
    title: 'dependency cycle',
    explanation:
      'Resources that depend on each other in a circle (through depends_on, or at plan time also through $[alfred_ssm_...] reads of exports) can never run; the members of the cycle are not planned.',
  },
  'CFCT-M012': {
    severity: 'error',
    title: 'invalid SSM parameter name',
    explanation:
      'Export and helper names are SSM parameter names: letters, digits and `_.-/` (plus `{account_id}` and `{region}` placeholders in exports), at most 1,011 characters, `/`-prefixed paths with at most 15 levels, not starting with `aws` or `ssm`.',
  },
  'CFCT-M013': {
    severity: 'warning',
    title: 'export names an output the template does not declare',
    explanation: '`$[output_X]` reads the stack output `X`; when the template has no such output, nothing is exported.',
  },
  'CFCT-M014': {
    severity: 'warning',
    title: 'accounts on a policy are ignored',
    explanation:
      'As upstream, `accounts` of an scp/rcp resource are ignored unless the resource sets `attach_to_accounts: true`.',
  },
  'CFCT-M015': {
    severity: 'error',
    title: 'option not valid for policies',
    explanation:
      '`include_nested_ous` and `exclude_accounts` make no sense for SCPs/RCPs: policies are inherited down the OU tree. Stack set options (`parameters`, `regions`, ...) on a policy are errors too.',
  },
  'CFCT-M016': {
    severity: 'error',
    title: 'invalid lint suppression',
    explanation:
      'A suppression names an existing warning rule id (or CFCT-M070, the one error that may be suppressed) and gives a non-empty reason; other errors cannot be suppressed.',
  },
  'CFCT-M017': {
    severity: 'error',
    title: 'parameters and parameter_file together',
    explanation: 'Upstream silently passes no parameters at all when both are given; use one or the other.',
  },
  'CFCT-M018': {
    severity: 'error',
    title: 'invalid option value',
    explanation:
      'An extension option has an inconsistent value (e.g. `auto_deployment` without `permission_model: service_managed`, a percentage and a count together).',
  },
  'CFCT-M050': {
    severity: 'error',
    title: 'duplicate key in a JSON file',
    explanation:
      'A policy, parameter file or JSON template repeats a key in one object. JSON parsers keep only the last one, so the policy or template deployed would be weaker or different than the file that was reviewed (two `StringNotEquals` blocks in one Deny become one).',
  },
  'CFCT-M051': {
    severity: 'info',
    title: 'list holds only comments',
    explanation:
      'A list key followed only by commented-out items (e.g. `deploy_to_account:`) is YAML null. Upstream reads it as an empty list, and so does this library; `regions` left empty means the home region.',
  },
  'CFCT-M052': {
    severity: 'error',
    title: 'account id read as an octal number',
    explanation:
      'An unquoted account id whose digits after a leading zero are all 0-7 (`012345670123`) is an octal number to YAML 1.1: upstream reads a different number, matches no account and silently deploys nothing there. Quote it so it means the same everywhere.',
  },
  'CFCT-M053': {
    severity: 'error',
    title: 'invalid tag',
    explanation:
      'Stack set tags follow the CloudFormation and Organizations rules: keys of 1-128 and values of 1-256 characters (letters, digits, spaces and `_ . : / = + - @`), no key starting with `aws:`, at most 50 tags; otherwise the stack set is rejected at apply time.',
  },
  'CFCT-M070': {
    severity: 'error',
    title: 'secret passed to a parameter that is not NoEcho',
    explanation:
      "A generated password, or a SecureString read by `$[alfred_ssm_...]`, given to a template parameter without `NoEcho: true` is shown in clear text by DescribeStackSet and in every member stack's parameters. Declare the parameter NoEcho, or suppress the rule with a reason (this error can be suppressed).",
  },
  // Templates
  'CFCT-T001': {
    severity: 'error',
    title: 'template does not parse',
    explanation: 'A template is a JSON or YAML CloudFormation template (short-form tags like `!Ref` allowed).',
  },
  'CFCT-T002': {
    severity: 'error',
    title: 'template has no Resources',
    explanation: 'CloudFormation requires a non-empty `Resources` mapping.',
  },
  'CFCT-T003': {
    severity: 'error',
    title: 'template too large',
    explanation: 'CloudFormation accepts templates up to 1 MB (staged through S3); larger ones fail at deployment.',
  },
  // Parameters
  'CFCT-R001': {
    severity: 'error',
    title: 'parameter file is not valid JSON',
    explanation: 'A parameter file is a JSON list of `{ParameterKey, ParameterValue[, ssm_parameters]}`.',
  },
  'CFCT-R002': {
    severity: 'error',
    title: 'malformed parameter entry',
    explanation:
      'Each entry is `{ParameterKey, ParameterValue[, ssm_parameters]}` (a file) or `{parameter_key, parameter_value}` (the manifest).',
  },
  'CFCT-R003': {
    severity: 'error',
    title: 'parameter not declared by the template',
    explanation: 'CloudFormation rejects parameters the template does not declare.',
  },
  'CFCT-R004': {
    severity: 'error',
    title: 'required parameter missing',
    explanation: 'A template parameter without a `Default` must be given, or CloudFormation rejects the stack set.',
  },
  'CFCT-R005': {
    severity: 'error',
    title: 'duplicate parameter',
    explanation: 'The same parameter key is given twice.',
  },
  // Helpers
  'CFCT-H001': {
    severity: 'error',
    title: 'malformed parameter helper',
    explanation:
      'Helpers are `$[alfred_ssm_<name>]`, `$[alfred_genpass_<N>]`, `$[alfred_genkeypair]`, `$[alfred_genaz_<N>]`; storage placeholders are `$[password]`, `$[keymaterial]`, `$[keyfingerprint]`, `$[keyname]`, `$[az]`.',
  },
  'CFCT-H002': {
    severity: 'error',
    title: 'helper needs an SSM parameter name',
    explanation:
      '`$[alfred_genpass_N]` stores the password under the sibling `ssm_parameters` entry whose value is `$[password]`; `$[alfred_genkeypair]` needs one with `$[keymaterial]`. Upstream crashes without them.',
  },
  // Policies
  'CFCT-L001': {
    severity: 'error',
    title: 'policy is not valid JSON',
    explanation: 'SCP and RCP documents are JSON.',
  },
  'CFCT-L002': {
    severity: 'error',
    title: 'policy too large',
    explanation:
      'Organizations limits a policy to 5,120 characters; the check is on the minified document, which is what is uploaded.',
  },
  'CFCT-L003': {
    severity: 'error',
    title: 'policy has no statements',
    explanation: 'A policy document is an object with a non-empty `Statement`.',
  },
  // Template linters (child processes)
  'CFCT-L010': {
    severity: 'error',
    title: 'cfn-lint error in a template',
    explanation:
      'cfn-lint (the CloudFormation linter) found an error: the stack set would fail to create or update. The message names the cfn-lint rule (e.g. E3012) and the template position.',
  },
  'CFCT-L011': {
    severity: 'warning',
    title: 'cfn-lint warning in a template',
    explanation:
      'cfn-lint found a likely mistake or a bad practice. Suppress it for one resource with `lint_suppressions` (rule CFCT-L011) and a reason.',
  },
  'CFCT-L012': {
    severity: 'info',
    title: 'cfn-lint note on a template',
    explanation: 'cfn-lint informational finding, reported for reading only.',
  },
  'CFCT-L013': {
    severity: 'error',
    title: 'cfn_nag failure in a template',
    explanation:
      'cfn_nag (opt-in) found an insecure pattern it rates FAIL, such as a wildcard IAM policy or an open security group.',
  },
  'CFCT-L014': {
    severity: 'warning',
    title: 'cfn_nag warning in a template',
    explanation:
      'cfn_nag (opt-in) found a pattern it rates WARN. Suppress it per resource with `lint_suppressions` (rule CFCT-L014) and a reason.',
  },
  'CFCT-L015': {
    severity: 'warning',
    title: 'cfn-guard rule failed on a template',
    explanation:
      'A rule of the cfn-guard rules file (opt-in, `--guard-rules`) failed for the template. Suppress it per resource with `lint_suppressions` (rule CFCT-L015) and a reason.',
  },
  'CFCT-L016': {
    severity: 'warning',
    title: 'linter did not run to completion',
    explanation:
      'The linter was started but crashed or printed output that could not be read, so the templates were not checked by it.',
  },
  'CFCT-L017': {
    severity: 'warning',
    title: 'linter requested but not available',
    explanation:
      'The linter was asked for (`--lint`) but is not installed (or cfn-guard has no rules file), so the templates were not checked by it.',
  },
  // CloudFormation ValidateTemplate (live build stage)
  'CFCT-V001': {
    severity: 'error',
    title: 'CloudFormation ValidateTemplate rejects the template',
    explanation:
      'The live build stage asks CloudFormation to validate every stack set template (as upstream does); a template it rejects would fail the stack set operation the same way.',
  },
  'CFCT-V002': {
    severity: 'warning',
    title: 'template could not be validated by CloudFormation',
    explanation:
      'ValidateTemplate could not be called (access denied, an unreadable remote template), so CloudFormation has not checked the template.',
  },
  // The command line (cfct): usage errors, and AWS errors that stop a live command
  'CFCT-U001': {
    severity: 'error',
    title: 'option or argument not understood',
    explanation:
      'The command line names an option the command does not have, or more arguments than it takes; nothing was read or planned. `cfct <command> --help` lists what it takes.',
  },
  'CFCT-U002': {
    severity: 'error',
    title: 'argument missing',
    explanation:
      'The command needs an argument (such as the package path) or an option value that was not given; nothing was read or planned.',
  },
  'CFCT-U003': {
    severity: 'error',
    title: 'option value not accepted',
    explanation:
      'An option was given a value it does not take (a `--format` or `--lint` outside its choices, a `--stack-set-prefix` with other characters, `--accounts` that are not 12-digit ids, a `--state-cache` that is not an `s3://bucket/key` URL or is given with `--organization`, a number that is not positive); nothing was read or planned.',
  },
  'CFCT-U004': {
    severity: 'error',
    title: 'input path unusable',
    explanation:
      'A path the command reads (the package folder or zip, the organization snapshot, the saved plan) does not exist, cannot be read, or is not what the command expects; the message names it and what was expected.',
  },
  'CFCT-U005': {
    severity: 'error',
    title: '--organization or --live needed',
    explanation:
      'Planning reads the organization from exactly one place: an exported snapshot (`--organization org.json`) or the live organization (`--live`).',
  },
  'CFCT-U006': {
    severity: 'error',
    title: 'AWS request failed',
    explanation:
      'A live command stopped on an AWS error it cannot go past (no credentials, access denied); the message names the error, and the hint says how to provide credentials when there are none.',
  },
} as const satisfies Record<string, RuleInfo>;

/** Errors that a resource may still suppress with a reason (a deliberate, reviewed exception). */
export const SUPPRESSIBLE_ERRORS: ReadonlySet<string> = new Set(['CFCT-M070']);

/** A rule id of the catalogue. */
export type RuleId = keyof typeof RULES;

/** What a finding says besides its rule. */
export interface FindingDetails {
  readonly message: string;
  readonly location?: SourceLocation;
  readonly hint?: string;
  readonly resource?: string;
  /** Overrides the rule's default severity (e.g. a warning escalated to an error). */
  readonly severity?: Severity;
}

/** Builds a finding of a rule of `catalogue`, with the rule's severity unless `details` gives one. */
export function catalogueFinding(
  catalogue: Readonly<Record<string, RuleInfo>>,
  ruleId: string,
  details: FindingDetails,
): Finding {
  const out: { -readonly [K in keyof Finding]: Finding[K] } = {
    ruleId,
    severity: details.severity ?? catalogue[ruleId].severity,
    message: details.message,
  };
  if (details.location) out.location = details.location;
  if (details.hint) out.hint = details.hint;
  if (details.resource) out.resource = details.resource;
  return out;
}

/** Builds a finding of `ruleId` with the rule's severity. */
export function finding(ruleId: RuleId, details: FindingDetails): Finding {
  return catalogueFinding(RULES, ruleId, details);
}
