/**
 * How the Regions of one stack set operation are deployed (StackSets' `RegionConcurrencyType`).
 */
export enum RegionConcurrency {
  /** One Region at a time, in `regionOrder`. */
  SEQUENTIAL = 'SEQUENTIAL',
  /** All Regions at once. */
  PARALLEL = 'PARALLEL',
}

/**
 * How failures bound the concurrency of a stack set operation (StackSets' `ConcurrencyMode`).
 */
export enum FailureToleranceMode {
  /** Concurrency is lowered so failures never exceed the tolerance + 1 (CloudFormation's own default). */
  STRICT = 'STRICT_FAILURE_TOLERANCE',
  /** Concurrency stays at the maximum whatever the failures (this library's default). */
  SOFT = 'SOFT_FAILURE_TOLERANCE',
}

/**
 * The order stack sets run in, for manifests without `stack_set_order`.
 */
export enum StackSetOrder {
  /** One at a time, in manifest order (upstream CfCT's behaviour). */
  SEQUENTIAL = 'sequential',
  /** Independent stack sets at once, in waves of the dependency graph (`depends_on`, exported outputs). */
  DEPENDENCIES = 'dependencies',
}

/**
 * The installation's default StackSets operation preferences. A resource's `operation_preferences`
 * in the manifest override them group by group: its concurrency (count or percentage) replaces
 * this concurrency, its tolerance replaces this tolerance, and so on. Give at most one of each
 * count/percentage pair.
 */
export interface StackSetOperationPreferences {
  /**
   * Most accounts per Region deployed at once. Not with `maxConcurrentPercentage`.
   *
   * @default - `maxConcurrentPercentage`
   */
  readonly maxConcurrentCount?: number;

  /**
   * Most accounts per Region deployed at once, as a percentage (1-100, rounded down, at least one account).
   * Not with `maxConcurrentCount`.
   *
   * @default - 100
   */
  readonly maxConcurrentPercentage?: number;

  /**
   * Failed accounts per Region tolerated before the operation stops in that Region. Not with
   * `failureTolerancePercentage`.
   *
   * @default - `failureTolerancePercentage`
   */
  readonly failureToleranceCount?: number;

  /**
   * Failed accounts per Region tolerated, as a percentage (0-100, rounded down). Not with
   * `failureToleranceCount`.
   *
   * @default - 10
   */
  readonly failureTolerancePercentage?: number;

  /**
   * Whether Regions are deployed one at a time or all at once.
   *
   * @default RegionConcurrency.PARALLEL
   */
  readonly regionConcurrencyType?: RegionConcurrency;

  /**
   * The order Regions are deployed in.
   *
   * @default - StackSets' order
   */
  readonly regionOrder?: string[];

  /**
   * How failures bound the concurrency.
   *
   * @default FailureToleranceMode.SOFT
   */
  readonly concurrencyMode?: FailureToleranceMode;
}
