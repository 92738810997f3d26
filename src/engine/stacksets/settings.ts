/**
 * Stack set naming, roles, capabilities and ownership tags (reference behaviour §4, §5).
 * Defaults match upstream CfCT so its stack sets are adopted, not recreated.
 */
import { dnsSuffixOf, partitionOf } from '../../aws/partitions';
import { stackSetName } from '../../manifest/checks/names';
import { checkOperationPreferenceOptions } from '../../manifest/checks/options';
import { hasErrors, type Finding } from '../../manifest/findings';
import { DEFAULT_STACK_SET_PREFIX } from '../../manifest/load';
import type { Manifest, OperationPreferences, StackSetOrder, StackSetResource } from '../../manifest/model';
import { operationPreferencesOf } from '../../manifest/normalise';
import { validateOperationPreferencesSchema } from '../../manifest/schema';
import { isObject } from '../../manifest/values';
import { parseYaml, PositionIndex } from '../../manifest/yaml';
import { DEFAULT_INSTALLATION_ID, INSTALLATION_TAG } from '../installation';
import { engineFinding } from '../rules';

/** Upstream's tag on every stack set it creates. */
export const UPSTREAM_TAG_KEY = 'AWS_Solutions';
/** Upstream's tag value. */
export const UPSTREAM_TAG_VALUE = 'CustomControlTowerStackSet';
/** Ownership tag: the installation that owns the stack set (shared with policies). */
export const INSTALLATION_TAG_KEY = INSTALLATION_TAG;
/**
 * Former tag of an unkeyed NoEcho fingerprint. No longer written (fingerprints are keyed and kept
 * in the management account, see fingerprint.ts); still an engine tag, so the next update of a
 * stack set that carries it removes it.
 */
export const NOECHO_TAG_KEY = 'cfct:noecho-sha256';
/** When this installation created (or adopted) the stack set, ISO 8601; orders deletions. */
export const CREATED_TAG_KEY = 'cfct:created';
/** Tag keys the engine manages itself: never taken from the manifest, never reported as drift. */
export const ENGINE_TAG_KEYS: readonly string[] = [
  UPSTREAM_TAG_KEY,
  INSTALLATION_TAG_KEY,
  NOECHO_TAG_KEY,
  CREATED_TAG_KEY,
];

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
  /**
   * The installation's operation preferences: what a resource's `operation_preferences` leave
   * out, group by group (see {@link resolveOperationPreferences}).
   * @default - 100% / 10% / PARALLEL / SOFT_FAILURE_TOLERANCE
   */
  readonly defaultOperationPreferences?: OperationPreferences;
  /**
   * The installation's stack set order, for manifests without `stack_set_order`.
   * @default 'sequential' (upstream's)
   */
  readonly defaultStackSetOrder?: StackSetOrder;
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

/** The order stack sets run in: the manifest's `stack_set_order`, else the installation's default, else `sequential`. */
export function stackSetOrderOf(
  manifest: Pick<Manifest, 'stackSetOrder'>,
  settings: Pick<StackSetSettings, 'defaultStackSetOrder'>,
): StackSetOrder {
  return manifest.stackSetOrder ?? settings.defaultStackSetOrder ?? 'sequential';
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

/** The library's defaults, under the installation's and each resource's preferences. */
export const LIBRARY_OPERATION_PREFERENCES: OperationPreferences = {
  maxConcurrentPercentage: 100,
  failureTolerancePercentage: 10,
  regionConcurrencyType: 'PARALLEL',
  concurrencyMode: 'SOFT_FAILURE_TOLERANCE',
};

/** The first of `layers` (most specific first) that sets either key of a count/percentage pair, with that pair. */
function pairFrom<K extends keyof OperationPreferences>(
  layers: readonly OperationPreferences[],
  count: K,
  percentage: K,
): OperationPreferences {
  const layer = layers.find((l) => l[count] !== undefined || l[percentage] !== undefined);
  if (!layer) return {};
  // One of each pair reaches the API: a layer that sets both (refused by the manifest checks) gives its count.
  return layer[count] !== undefined ? { [count]: layer[count] } : { [percentage]: layer[percentage] };
}

/**
 * The operation preferences of a resource: its `operation_preferences` override the
 * installation's default group by group (concurrency: count or percentage; tolerance: count or
 * percentage; region concurrency type; region order; concurrency mode), so a count from one never
 * meets the matching percentage from the other (the API accepts one of each). What neither sets
 * comes from {@link LIBRARY_OPERATION_PREFERENCES}: 100% / 10% / PARALLEL / SOFT_FAILURE_TOLERANCE.
 */
export function resolveOperationPreferences(
  preferences: OperationPreferences | undefined,
  installationDefault?: OperationPreferences,
): ResolvedOperationPreferences {
  const layers: readonly OperationPreferences[] = [
    preferences ?? {},
    installationDefault ?? {},
    LIBRARY_OPERATION_PREFERENCES,
  ];
  const concurrency = pairFrom(layers, 'maxConcurrentCount', 'maxConcurrentPercentage');
  const tolerance = pairFrom(layers, 'failureToleranceCount', 'failureTolerancePercentage');
  const first = <K extends keyof OperationPreferences>(key: K) => layers.find((l) => l[key] !== undefined)?.[key];
  const regionOrder = first('regionOrder');
  return {
    ...(concurrency.maxConcurrentCount !== undefined
      ? { MaxConcurrentCount: concurrency.maxConcurrentCount }
      : { MaxConcurrentPercentage: concurrency.maxConcurrentPercentage }),
    ...(tolerance.failureToleranceCount !== undefined
      ? { FailureToleranceCount: tolerance.failureToleranceCount }
      : { FailureTolerancePercentage: tolerance.failureTolerancePercentage }),
    RegionConcurrencyType: first('regionConcurrencyType')!,
    ...(regionOrder ? { RegionOrder: [...regionOrder] } : {}),
    ConcurrencyMode: first('concurrencyMode')!,
  };
}

const PREFERENCES_EXAMPLE =
  '{"MaxConcurrentCount": 5, "FailureToleranceCount": 1, "RegionConcurrencyType": "SEQUENTIAL"}';

/**
 * Reads an installation's default operation preferences given as JSON (`source` names where, e.g.
 * `--operation-preferences`), with the keys and checks of a resource's `operation_preferences`.
 * Any error finding leaves `preferences` undefined.
 */
/** Default operation preferences read, or the findings that stop them. */
export interface ReadOperationPreferences {
  readonly preferences?: OperationPreferences;
  readonly findings: readonly Finding[];
}

export function readOperationPreferences(text: string, source: string): ReadOperationPreferences {
  const location = { file: source, line: 1, column: 1 };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const message = `${source} is not JSON: ${(err as Error).message}`;
    const findings = [
      engineFinding('CFCT-K100', { message, location, hint: `give a JSON object such as ${PREFERENCES_EXAMPLE}` }),
    ];
    return { findings };
  }
  // JSON is YAML: the YAML reader gives each key's line and column in the text, for the findings.
  // (The text is JSON already, so the syntax rule never fires.)
  const { positions } = parseYaml(text, source, { json: true, syntaxRule: 'CFCT-Y001' });
  return checkOperationPreferences(value, source, positions);
}

/**
 * Checks default operation preferences already parsed (e.g. from construct props, in manifest
 * keys). Findings point at `source` line 1, column 1 unless `positions` locate the keys.
 */
export function checkOperationPreferences(
  value: unknown,
  source: string,
  positions: PositionIndex = new PositionIndex(source),
): ReadOperationPreferences {
  if (!isObject(value)) {
    const message = `${source} must be a JSON object, got ${JSON.stringify(value)}`;
    const findings = [
      engineFinding('CFCT-K100', {
        message,
        location: { file: source, line: 1, column: 1 },
        hint: `give a JSON object such as ${PREFERENCES_EXAMPLE}`,
      }),
    ];
    return { findings };
  }
  const findings = [
    ...validateOperationPreferencesSchema(value, positions, source),
    ...checkOperationPreferenceOptions(value, [], positions, source),
  ];
  return hasErrors(findings) ? { findings } : { preferences: operationPreferencesOf(value), findings };
}

/** The stack set orders an installation default may name. */
export const STACK_SET_ORDERS: readonly StackSetOrder[] = ['sequential', 'dependencies'];

/** Reads an installation's default stack set order (`source` names where, e.g. `--stack-set-order`). */
export function readStackSetOrder(
  text: string,
  source: string,
): { readonly order?: StackSetOrder; readonly findings: readonly Finding[] } {
  if ((STACK_SET_ORDERS as readonly string[]).includes(text)) return { order: text as StackSetOrder, findings: [] };
  return {
    findings: [
      engineFinding('CFCT-K101', {
        message: `${source} is "${text}"; allowed: ${STACK_SET_ORDERS.join(', ')}`,
        location: { file: source, line: 1, column: 1 },
        hint: 'sequential runs stack sets one at a time in manifest order; dependencies runs independent ones at once',
      }),
    ],
  };
}
