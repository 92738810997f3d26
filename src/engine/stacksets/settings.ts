/**
 * Stack set naming, roles, capabilities and ownership tags (reference behaviour §4, §5).
 * Defaults match upstream CfCT so its stack sets are adopted, not recreated.
 */
import { dnsSuffixOf, partitionOf } from '../../aws/partitions';
import { stackSetName } from '../../manifest/checks/names';
import { DEFAULT_STACK_SET_PREFIX } from '../../manifest/load';
import type { OperationPreferences, StackSetResource } from '../../manifest/model';
import { DEFAULT_INSTALLATION_ID, INSTALLATION_TAG } from '../installation';

/** Upstream's tag on every stack set it creates. */
export const UPSTREAM_TAG_KEY = 'AWS_Solutions';
/** Upstream's tag value. */
export const UPSTREAM_TAG_VALUE = 'CustomControlTowerStackSet';
/** Ownership tag: the installation that owns the stack set (shared with policies). */
export const INSTALLATION_TAG_KEY = INSTALLATION_TAG;
/**
 * Fingerprint of the NoEcho parameter values applied last (a salted SHA-256 of per-value
 * SHA-256 digests, never a value). DescribeStackSet masks NoEcho values as `****`, so this tag
 * is the only way to tell whether they changed. See {@link noEchoFingerprint}.
 */
export const NOECHO_TAG_KEY = 'cfct:noecho-sha256';
/** When this installation created (or adopted) the stack set, ISO 8601; orders deletions. */
export const CREATED_TAG_KEY = 'cfct:created';
/** Tag keys the engine manages itself: never taken from the manifest, never reported as drift. */
export const ENGINE_TAG_KEYS: readonly string[] = [UPSTREAM_TAG_KEY, INSTALLATION_TAG_KEY, NOECHO_TAG_KEY, CREATED_TAG_KEY];

/** Control Tower's baseline stack set: its instances are the governed accounts (`Root`). */
export const CONTROL_TOWER_BASELINE_STACK_SET = 'AWSControlTowerBP-BASELINE-CONFIG';

/** The inline template limit of CreateStackSet/UpdateStackSet; larger templates are staged in S3. */
export const INLINE_TEMPLATE_LIMIT_BYTES = 51_200;

/** The virtual-hosted URL of an S3 object in `region`, with the region's partition's domain. */
export function s3ObjectUrl(bucket: string, region: string, key: string): string {
  return `https://${bucket}.s3.${region}.${dnsSuffixOf(partitionOf(region))}/${key}`;
}

/** Everything configurable about how stack sets are created and owned. */
export interface StackSetSettings {
  /** The management account: owner of the admin role. */
  readonly managementAccountId: string;
  /** The organization's partition (that of its home region): ARNs are `arn:<partition>:...`. */
  readonly partition: string;
  /** Name prefix for `<prefix><name>`. */
  readonly prefix: string;
  /** Value of the `cfct:installation` tag. */
  readonly installationId: string;
  /** SELF_MANAGED administration role. */
  readonly administrationRoleArn: string;
  /** Role assumed in each target account (by StackSets and by the helpers). */
  readonly executionRoleName: string;
  readonly capabilities: readonly string[];
  /** Bucket where templates over the inline limit are staged; required only when one is. */
  readonly stagingBucket?: string;
  /** KMS key for generated SecureString parameters; AWS managed `alias/aws/ssm` when absent. */
  readonly secretsKmsKeyId?: string;
  /**
   * Minutes a step waits for a stack set that is busy with another operation (e.g. one left
   * running by an earlier, interrupted run) before it fails. Default 60.
   */
  readonly busyTimeoutMinutes: number;
}

/** Optional overrides of {@link defaultStackSetSettings}. */
export type StackSetSettingsOverrides = Partial<Omit<StackSetSettings, 'managementAccountId'>>;

/**
 * Upstream-compatible settings for a management account, with overrides applied. The admin role
 * ARN takes the partition (`overrides.partition`, else that of `homeRegion`, else `aws`).
 */
export function defaultStackSetSettings(
  managementAccountId: string,
  overrides: StackSetSettingsOverrides = {},
  homeRegion?: string,
): StackSetSettings {
  const partition = overrides.partition ?? (homeRegion ? partitionOf(homeRegion) : 'aws');
  return {
    managementAccountId,
    partition,
    prefix: DEFAULT_STACK_SET_PREFIX,
    installationId: DEFAULT_INSTALLATION_ID,
    administrationRoleArn: `arn:${partition}:iam::${managementAccountId}:role/service-role/AWSControlTowerStackSetRole`,
    executionRoleName: 'AWSControlTowerExecution',
    capabilities: ['CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
    busyTimeoutMinutes: 60,
    ...overrides,
  };
}

/** The stack set name of a resource: `stack_set_name` when given, else prefix + name. */
export function stackSetNameFor(resource: StackSetResource, settings: Pick<StackSetSettings, 'prefix'>): string {
  return stackSetName(resource, settings.prefix);
}

/** CloudFormation's OperationPreferences shape, with this library's defaults. */
export interface ResolvedOperationPreferences {
  readonly MaxConcurrentPercentage?: number;
  readonly MaxConcurrentCount?: number;
  readonly FailureTolerancePercentage?: number;
  readonly FailureToleranceCount?: number;
  readonly RegionConcurrencyType: 'SEQUENTIAL' | 'PARALLEL';
  readonly RegionOrder?: string[];
  readonly ConcurrencyMode: 'STRICT_FAILURE_TOLERANCE' | 'SOFT_FAILURE_TOLERANCE';
}

/**
 * Per-resource operation preferences: defaults 100% / 10% / PARALLEL / SOFT_FAILURE_TOLERANCE.
 * A count given in the manifest replaces the matching percentage (the API accepts one of each).
 */
export function resolveOperationPreferences(preferences: OperationPreferences | undefined): ResolvedOperationPreferences {
  const p = preferences ?? {};
  return {
    ...(p.maxConcurrentCount !== undefined
      ? { MaxConcurrentCount: p.maxConcurrentCount }
      : { MaxConcurrentPercentage: p.maxConcurrentPercentage ?? 100 }),
    ...(p.failureToleranceCount !== undefined
      ? { FailureToleranceCount: p.failureToleranceCount }
      : { FailureTolerancePercentage: p.failureTolerancePercentage ?? 10 }),
    RegionConcurrencyType: p.regionConcurrencyType ?? 'PARALLEL',
    ...(p.regionOrder ? { RegionOrder: [...p.regionOrder] } : {}),
    ConcurrencyMode: p.concurrencyMode ?? 'SOFT_FAILURE_TOLERANCE',
  };
}
