/**
 * Builds the normalised {@link Manifest} from a schema-valid parsed manifest of either version
 * (2020-01-01 resources are mapped onto the 2021-03-15 model). Scalars that YAML 1.1 read as
 * another type where text was meant are stringified here, with a warning when the text changed.
 */
import { parseFileReference } from './file-reference';
import type { Finding, SourceLocation } from './findings';
import type {
  DeploymentTargets,
  FileReference,
  ExportOutput,
  LintSuppression,
  Manifest,
  ManifestResource,
  OperationPreferences,
  ParameterEntry,
  PolicyResource,
  StackSetResource,
  TargetEntry,
} from './model';
import { finding } from './rules';
import { asText, isObject } from './values';
import type { DocPath, PositionIndex } from './yaml';

type Raw = Record<string, unknown>;

/** Python's `str()` of a float, which is what upstream passes for an unquoted `1.00`. */
function pythonFloat(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return `${value}.0`;
  return asText(value);
}

/** Turns raw values into model values, collecting findings. */
class Normaliser {
  readonly findings: Finding[] = [];

  constructor(
    private readonly positions: PositionIndex,
    private readonly region: string,
  ) {}

  /** Where the value at `path` was written. */
  at(path: DocPath): SourceLocation {
    return this.positions.at(path);
  }

  /** A file reference, parsed; a malformed one is a finding (and a reference to nothing). */
  file(raw: unknown, path: DocPath, resource: string): FileReference {
    const text = asText(raw);
    const location = this.positions.at(path);
    const parsed = parseFileReference(text, location, resource);
    this.findings.push(...parsed.findings);
    return parsed.ref ?? { raw: text, kind: 'local', location };
  }

  /** Deployment regions; the home region when none are given. */
  regions(value: unknown): string[] {
    return Array.isArray(value) ? value.map(asText) : [this.region];
  }

  /** A scalar meant as text, as upstream would pass it; warns when YAML 1.1 changed the text. */
  text(value: unknown, path: DocPath, resource?: string): string {
    if (typeof value === 'string') return value;
    const source = this.positions.plainSource(path);
    let text: string;
    let kind: string;
    if (typeof value === 'boolean') {
      text = asText(value);
      kind = 'a boolean';
    } else if (typeof value === 'number') {
      // Every PyYAML float has a dot (1.0, .5, 1:30.0, .inf); integers (decimal, 0o, 0x, 0b, 1:30) have none.
      const isInt = !(source ?? String(value)).includes('.') && Number.isInteger(value);
      text = isInt ? asText(value) : pythonFloat(value);
      kind = isInt ? 'an integer' : 'a float';
    } else {
      text = value === null || value === undefined ? '' : asText(value);
      kind = 'nothing (null)';
    }
    if (source !== undefined && source !== text) {
      this.findings.push(
        finding('CFCT-Y002', {
          message: `"${source}" is read as ${kind} (YAML 1.1), so the value used is "${text}"`,
          location: this.positions.at(path),
          hint: `quote it ("${source}") to keep the text as written`,
          resource,
        }),
      );
    }
    return text;
  }

  /** A parameter value: lists are joined with commas. */
  parameterValue(value: unknown, path: DocPath, resource?: string): string {
    if (Array.isArray(value)) return value.map((item, i) => this.text(item, [...path, i], resource)).join(',');
    return this.text(value, path, resource);
  }

  /** An account id or name; ids written as numbers are turned back into 12 digits. */
  account(value: unknown, path: DocPath, resource?: string): TargetEntry {
    const location = this.positions.at(path);
    if (typeof value !== 'number') return { value: asText(value), location };
    const source = this.positions.plainSource(path);
    if (source !== undefined && /^0[0-7_]+$/.test(source)) {
      // PyYAML reads it as octal: upstream looks up a different number, matches nothing and
      // silently deploys nothing there. Deploying to the digits as written would differ too.
      this.findings.push(
        finding('CFCT-M052', {
          message: `account id ${source} is written as a number, and YAML 1.1 reads a leading zero followed by digits 0-7 as octal: it means ${value}, not ${source} (upstream matches no account and silently leaves it out)`,
          location,
          hint: `quote it: '${source}'`,
          resource,
        }),
      );
      return { value: source, location };
    }
    const digits = asText(value);
    if (Number.isInteger(value) && value > 0 && digits.length >= 10 && digits.length < 12) {
      const padded = digits.padStart(12, '0');
      this.findings.push(
        finding('CFCT-M007', {
          message: `account id ${digits} is written as a number with fewer than 12 digits; leading zeros were lost, ${padded} is used`,
          location,
          hint: `quote the account id with its leading zeros: '${padded}'`,
          resource,
        }),
      );
      return { value: padded, location };
    }
    return { value: digits, location };
  }

  strings(value: unknown, path: DocPath): TargetEntry[] {
    return Array.isArray(value)
      ? value.map((item, i) => ({ value: asText(item), location: this.positions.at([...path, i]) }))
      : [];
  }

  targets(
    accounts: unknown,
    ous: unknown,
    exclude: unknown,
    nested: unknown,
    paths: { accounts: DocPath; ous: DocPath; exclude: DocPath },
    resource: string,
  ): DeploymentTargets {
    const list = (value: unknown, path: DocPath) =>
      Array.isArray(value) ? value.map((item, i) => this.account(item, [...path, i], resource)) : [];
    return {
      accounts: list(accounts, paths.accounts),
      organizationalUnits: this.strings(ous, paths.ous),
      excludeAccounts: list(exclude, paths.exclude),
      includeNestedOus: nested === true,
    };
  }

  parameters(value: unknown, path: DocPath, resource: string): ParameterEntry[] {
    if (!Array.isArray(value)) return [];
    return value.filter(isObject).map((item, i) => ({
      key: asText(item.parameter_key),
      value: this.parameterValue(item.parameter_value, [...path, i, 'parameter_value'], resource),
      ssmParameters: [],
      location: this.positions.at([...path, i]),
    }));
  }

  exports(value: unknown, path: DocPath): ExportOutput[] {
    if (!Array.isArray(value)) return [];
    return value.filter(isObject).map((item, i) => ({
      name: asText(item.name),
      value: asText(item.value),
      location: this.positions.at([...path, i, 'name']),
    }));
  }

  tags(value: unknown, path: DocPath, resource: string): Record<string, string> {
    const out: Record<string, string> = {};
    if (isObject(value)) {
      for (const [key, item] of Object.entries(value)) out[key] = this.text(item, [...path, key], resource);
    }
    return out;
  }

  suppressions(value: unknown, path: DocPath): LintSuppression[] {
    if (!Array.isArray(value)) return [];
    return value
      .map((item, i) => ({ item, location: this.positions.at([...path, i]) }))
      .filter((entry): entry is { item: Raw; location: SourceLocation } => isObject(entry.item))
      .map(({ item, location }) => ({ ruleId: asText(item.rule_id), reason: asText(item.reason), location }));
  }

  operationPreferences(value: unknown): OperationPreferences | undefined {
    return operationPreferencesOf(value);
  }
}

/** The model of operation preferences as written (`MaxConcurrentCount`, ... keys); undefined when not a mapping. */
export function operationPreferencesOf(value: unknown): OperationPreferences | undefined {
  if (!isObject(value)) return undefined;
  const prefs: Record<string, unknown> = {
    maxConcurrentPercentage: value.MaxConcurrentPercentage,
    maxConcurrentCount: value.MaxConcurrentCount,
    failureTolerancePercentage: value.FailureTolerancePercentage,
    failureToleranceCount: value.FailureToleranceCount,
    regionConcurrencyType: value.RegionConcurrencyType,
    regionOrder: value.RegionOrder,
    concurrencyMode: value.ConcurrencyMode,
  };
  for (const key of Object.keys(prefs)) if (prefs[key] === undefined) delete prefs[key];
  return prefs as OperationPreferences;
}

/** What normalisation needs besides the parsed manifest. */
export interface NormaliseInput {
  readonly value: Raw;
  readonly positions: PositionIndex;
  /** True for resource paths (e.g. `['resources', 3]`) to leave out because they failed the schema. */
  readonly skip: (path: DocPath) => boolean;
}

/** A normalised manifest with the findings normalising produced. */
export interface Normalised {
  readonly manifest: Manifest;
  readonly findings: Finding[];
}

function v2Resource(n: Normaliser, raw: Raw, path: DocPath, index: number): ManifestResource {
  const name = asText(raw.name);
  const targets = isObject(raw.deployment_targets) ? raw.deployment_targets : {};
  const targetPath = [...path, 'deployment_targets'];
  const shared = {
    name,
    description: typeof raw.description === 'string' ? raw.description : undefined,
    resourceFile: n.file(raw.resource_file, [...path, 'resource_file'], name),
    deploymentTargets: n.targets(
      targets.accounts,
      targets.organizational_units,
      targets.exclude_accounts,
      targets.include_nested_ous,
      {
        accounts: [...targetPath, 'accounts'],
        ous: [...targetPath, 'organizational_units'],
        exclude: [...targetPath, 'exclude_accounts'],
      },
      name,
    ),
    tags: n.tags(raw.tags, [...path, 'tags'], name),
    lintSuppressions: n.suppressions(raw.lint_suppressions, [...path, 'lint_suppressions']),
    index,
    location: n.at(path),
    nameLocation: n.at([...path, 'name']),
  };
  if (raw.deploy_method === 'scp' || raw.deploy_method === 'rcp') {
    const policy: PolicyResource = {
      ...shared,
      deployMethod: raw.deploy_method,
      attachToAccounts: raw.attach_to_accounts === true,
    };
    return policy;
  }
  const auto = raw.auto_deployment;
  const stackSet: StackSetResource = {
    ...shared,
    deployMethod: 'stack_set',
    stackSetName: typeof raw.stack_set_name === 'string' ? raw.stack_set_name : undefined,
    stackSetNameLocation: raw.stack_set_name === undefined ? undefined : n.at([...path, 'stack_set_name']),
    parameters: n.parameters(raw.parameters, [...path, 'parameters'], name),
    parameterFile:
      raw.parameter_file === undefined ? undefined : n.file(raw.parameter_file, [...path, 'parameter_file'], name),
    regions: n.regions(raw.regions),
    exportOutputs: n.exports(raw.export_outputs, [...path, 'export_outputs']),
    dependsOn: n.strings(raw.depends_on, [...path, 'depends_on']),
    operationPreferences: n.operationPreferences(raw.operation_preferences),
    permissionModel: raw.permission_model === 'service_managed' ? 'service_managed' : 'self_managed',
    autoDeployment: isObject(auto)
      ? { enabled: auto.enabled === true, retainStacksOnAccountRemoval: auto.retain_stacks_on_account_removal === true }
      : undefined,
  };
  return stackSet;
}

function v1Policy(n: Normaliser, raw: Raw, path: DocPath, index: number): PolicyResource {
  const name = asText(raw.name);
  return {
    name,
    description: typeof raw.description === 'string' ? raw.description : undefined,
    resourceFile: n.file(raw.policy_file, [...path, 'policy_file'], name),
    deploymentTargets: {
      accounts: [],
      organizationalUnits: n.strings(raw.apply_to_accounts_in_ou, [...path, 'apply_to_accounts_in_ou']),
      excludeAccounts: [],
      includeNestedOus: false,
    },
    tags: {},
    lintSuppressions: [],
    index,
    location: n.at(path),
    nameLocation: n.at([...path, 'name']),
    deployMethod: 'scp',
    attachToAccounts: false,
  };
}

function v1StackSet(n: Normaliser, raw: Raw, path: DocPath, index: number): StackSetResource {
  const name = asText(raw.name);
  return {
    name,
    description: typeof raw.description === 'string' ? raw.description : undefined,
    resourceFile: n.file(raw.template_file, [...path, 'template_file'], name),
    deploymentTargets: {
      ...n.targets(
        raw.deploy_to_account,
        raw.deploy_to_ou,
        undefined,
        false,
        { accounts: [...path, 'deploy_to_account'], ous: [...path, 'deploy_to_ou'], exclude: [] },
        name,
      ),
      accountsUnderTopLevelOusOnly: true,
    },
    tags: {},
    lintSuppressions: [],
    index,
    location: n.at(path),
    nameLocation: n.at([...path, 'name']),
    deployMethod: 'stack_set',
    parameters: [],
    parameterFile:
      raw.parameter_file === undefined ? undefined : n.file(raw.parameter_file, [...path, 'parameter_file'], name),
    regions: n.regions(raw.regions),
    exportOutputs: n.exports(raw.ssm_parameters, [...path, 'ssm_parameters']),
    dependsOn: [],
    permissionModel: 'self_managed',
  };
}

/**
 * Normalises a schema-valid manifest of either version. Legacy policies become `scp`
 * resources and legacy stack sets `stack_set` resources, policies first; `depends_on` of a
 * legacy manifest is ignored, as upstream ignores it. Parameters of a `parameter_file` are
 * not read here (the package checks read the file).
 */
export function normalise(input: NormaliseInput): Normalised {
  const { value, positions, skip } = input;
  const region = asText(value.region);
  const n = new Normaliser(positions, region);
  const version = asText(value.version) === '2020-01-01' ? '2020-01-01' : '2021-03-15';
  const resources: ManifestResource[] = [];
  const each = (key: string, build: (raw: Raw, path: DocPath) => ManifestResource) => {
    const list = value[key];
    if (!Array.isArray(list)) return;
    list.forEach((raw, i) => {
      const path = [key, i];
      if (isObject(raw) && !skip(path)) resources.push(build(raw, path));
    });
  };
  if (version === '2020-01-01') {
    each('organization_policies', (raw, path) => v1Policy(n, raw, path, resources.length));
    each('cloudformation_resources', (raw, path) => v1StackSet(n, raw, path, resources.length));
  } else {
    each('resources', (raw, path) => v2Resource(n, raw, path, Number(path[1])));
  }
  const manifest: Manifest = {
    version,
    region,
    enableStackSetDeletion: value.enable_stack_set_deletion === true,
    enablePolicyDeletion: value.enable_policy_deletion === true,
    ...(value.stack_set_order === 'dependencies' || value.stack_set_order === 'sequential'
      ? { stackSetOrder: value.stack_set_order }
      : {}),
    ...(value.root_accounts === 'all_active' ? { rootAccounts: 'all_active' as const } : {}),
    resources,
  };
  return { manifest, findings: n.findings };
}
