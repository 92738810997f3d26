/**
 * The normalised manifest: what both manifest versions (2021-03-15 and the legacy 2020-01-01)
 * mean, after parsing, schema validation and defaulting. The engine plans from this model only;
 * it never reads YAML. Every element keeps the location it came from, so plan findings can
 * point at the manifest line.
 */
import type { SourceLocation } from './findings';

export type DeployMethod = 'scp' | 'rcp' | 'stack_set';

export type StackSetOrder = 'sequential' | 'dependencies';

/** A reference to a file: inside the package (`local`), or remote (`s3://` or an `https://` S3 URL). */
export interface FileReference {
  /** As written in the manifest. */
  readonly raw: string;
  readonly kind: 'local' | 's3' | 'https';
  /** For `local`: path relative to the package root, forward slashes, normalised. */
  readonly path?: string;
  /** For `s3` and `https`: bucket and key when they can be derived. */
  readonly bucket?: string;
  readonly key?: string;
  /** For `https`: the URL. */
  readonly url?: string;
  readonly location?: SourceLocation;
}

/** A target as written, with where it was written. */
export interface TargetEntry {
  readonly value: string;
  readonly location?: SourceLocation;
}

export interface DeploymentTargets {
  /** 12-digit account ids, account names, or (extension) account emails. Always strings. */
  readonly accounts: readonly TargetEntry[];
  /** `Root`, `r-...` ids, top-level OU names, nested paths `A:B:C`, or (extension) `ou-...` ids. */
  readonly organizationalUnits: readonly TargetEntry[];
  /** Extension (stack sets only): accounts removed from the resolved set. */
  readonly excludeAccounts: readonly TargetEntry[];
  /** Extension (stack sets only): an OU also covers the accounts of all OUs below it. */
  readonly includeNestedOus: boolean;
  /**
   * A 2020-01-01 `deploy_to_account`: as upstream reads it, only accounts that sit directly
   * under a top-level OU count (one at the root, such as the management account, gets nothing).
   * @default false
   */
  readonly accountsUnderTopLevelOusOnly?: boolean;
}

/** A parameter given in the manifest (`parameters`) or a parameter file. Values are strings. */
export interface ParameterEntry {
  readonly key: string;
  /**
   * The value, as a string. Lists (a YAML or JSON list) are joined with commas, as upstream does.
   * May hold helpers: `$[alfred_ssm_/path]`, `$[alfred_genpass_16]`, ...
   */
  readonly value: string;
  /**
   * Sibling `ssm_parameters` of a parameter-file entry: where generated values are stored.
   * Each item: `{ name: '/ssm/name', value: '$[password]' }`.
   */
  readonly ssmParameters: readonly { readonly name: string; readonly value: string }[];
  readonly location?: SourceLocation;
}

export interface ExportOutput {
  /** SSM parameter name; may contain `{account_id}` and `{region}` (extension). */
  readonly name: string;
  /** Usually `$[output_<OutputKey>]`. */
  readonly value: string;
  readonly location?: SourceLocation;
}

/** CloudFormation StackSets operation preferences (extension; defaults applied by the engine). */
export interface OperationPreferences {
  readonly maxConcurrentPercentage?: number;
  readonly maxConcurrentCount?: number;
  readonly failureTolerancePercentage?: number;
  readonly failureToleranceCount?: number;
  readonly regionConcurrencyType?: 'SEQUENTIAL' | 'PARALLEL';
  readonly regionOrder?: readonly string[];
  readonly concurrencyMode?: 'STRICT_FAILURE_TOLERANCE' | 'SOFT_FAILURE_TOLERANCE';
}

export interface LintSuppression {
  readonly ruleId: string;
  readonly reason: string;
  readonly location?: SourceLocation;
}

interface ResourceBase {
  readonly name: string;
  readonly description?: string;
  readonly resourceFile: FileReference;
  readonly deploymentTargets: DeploymentTargets;
  /** Extension: tags added to what the resource creates. */
  readonly tags: Readonly<Record<string, string>>;
  readonly lintSuppressions: readonly LintSuppression[];
  /** Position of the resource in `resources` (0-based); order matters for `sequential`. */
  readonly index: number;
  readonly location?: SourceLocation;
  /** Where the resource's `name` value is written. */
  readonly nameLocation?: SourceLocation;
}

export interface PolicyResource extends ResourceBase {
  readonly deployMethod: 'scp' | 'rcp';
  /** Extension: `accounts` are attached only when this is true (upstream ignores them). */
  readonly attachToAccounts: boolean;
}

export interface StackSetResource extends ResourceBase {
  readonly deployMethod: 'stack_set';
  /** Extension: the full stack set name; otherwise `<prefix><name>`. */
  readonly stackSetName?: string;
  /** Where `stack_set_name` is written, when it is. */
  readonly stackSetNameLocation?: SourceLocation;
  /** From `parameters` or the `parameter_file` (never both). */
  readonly parameters: readonly ParameterEntry[];
  /** The parameter file the parameters came from, when they came from one. */
  readonly parameterFile?: FileReference;
  /** Deployment regions; defaults to `[manifest.region]`. */
  readonly regions: readonly string[];
  readonly exportOutputs: readonly ExportOutput[];
  /** Extension: names of resources this one runs after. */
  readonly dependsOn: readonly TargetEntry[];
  readonly operationPreferences?: OperationPreferences;
  /** Extension: `self_managed` (default, upstream) or `service_managed`. */
  readonly permissionModel: 'self_managed' | 'service_managed';
  readonly autoDeployment?: { readonly enabled: boolean; readonly retainStacksOnAccountRemoval: boolean };
}

export type ManifestResource = PolicyResource | StackSetResource;

export interface Manifest {
  /** As written: `2021-03-15` or `2020-01-01` (normalised to this model either way). */
  readonly version: '2021-03-15' | '2020-01-01';
  /** Home region: where the management account's CloudFormation and SSM calls go. */
  readonly region: string;
  readonly enableStackSetDeletion: boolean;
  /** Extension. */
  readonly enablePolicyDeletion: boolean;
  /**
   * Extension, as written: absent when the manifest has no `stack_set_order`, so the
   * installation's default order applies (`stackSetOrderOf` in the engine).
   * @default - the installation's default, else 'sequential'
   */
  readonly stackSetOrder?: StackSetOrder;
  /**
   * Extension (`root_accounts`): what `Root` means for stack sets. `enrolled`: the accounts Control
   * Tower governs; `all_active`: every ACTIVE member account.
   * @default 'enrolled'
   */
  readonly rootAccounts?: 'enrolled' | 'all_active';
  /** In manifest order. */
  readonly resources: readonly ManifestResource[];
}

export function isPolicy(resource: ManifestResource): resource is PolicyResource {
  return resource.deployMethod === 'scp' || resource.deployMethod === 'rcp';
}

export function isStackSet(resource: ManifestResource): resource is StackSetResource {
  return resource.deployMethod === 'stack_set';
}

/** The files of a configuration package, whether it came from a folder or a zip. */
export interface PackageFiles {
  /** Every file, as paths relative to the package root with forward slashes, sorted. */
  list(): readonly string[];
  /** The file's bytes, or undefined when the package has no such file. */
  read(path: string): Buffer | undefined;
}
