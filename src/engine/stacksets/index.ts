/**
 * The stack set engine's entry points: what the run (../run.ts), the pipeline run files, the CLI
 * and the Lambda handlers use. Every other module of this folder is internal to it. Shape, as the
 * policy engine's: read → plan → apply, with an executor factory per run (read: snapshot; plan:
 * plan-manifest, plan-resource; apply: apply, with prepare, one `createStackSetExecutor` per run
 * and outputs per stack set).
 *
 * | module | exports | role |
 * |---|---|---|
 * | snapshot.ts | `readStackSetSnapshot`, `refreshStackSetStates`, `readStackSetStateEntry`, `ssmNamesOf`, `StackSetSnapshot` | read: stack sets, instances, SSM values (the names a manifest reads) |
 * | state-cache.ts | `s3StackSetStateCache`, `stackSetStateCacheKey`, `parseS3ObjectUrl`, `describeStateCacheReport`, `mergeStackSetStates`, `stackSetStateFileKey`, `parseStackSetStateEntry`, `StackSetStateCache`, `StateCacheReport` | read: stack set states confirmed by their stamp instead of read in full; refreshed after apply |
 * | fingerprint.ts | `readFingerprinter`, `Fingerprinter` | read: the installation's key for NoEcho fingerprints |
 * | desired.ts | `desiredStackSets`, `templateReader`, `unstagedTemplateFindings`, `NotReadOfflineError`, `DesiredStackSet` | a manifest resource with its template and resolved targets |
 * | plan-manifest.ts | `planStackSets`, `StackSetPlan` | plan every stack set of a manifest (graph, removals, resources) |
 * | plan-resource.ts | `planStackSetResource`, `planStackSetRemoval`, `StackSetResourcePlan` | plan one stack set |
 * | targets.ts | `accountStateOf` | account states by id, for planning and prepare (target resolution is internal) |
 * | apply.ts | `applyStackSets`, `StackSetApplyReport`, `StackSetProgress` | the CLI's apply loop |
 * | prepare.ts | `prepareStackSet`, `PrepareContext` | at a stack set's turn: helper values, staging, re-plan |
 * | executor.ts | `createStackSetExecutor`, `StackSetExecutor`, `StackSetExecutorOptions`, `StartResult`, `CheckResult`, `operationIdFor` | one step against CloudFormation |
 * | outputs.ts | `exportOutputs` | `export_outputs` to SSM after a stack set ran |
 * | run-input.ts | `readRunInput`, `desiredOf`, `StackSetRunInput`, `S3ObjectRef` | what the pipeline's stack set tasks read |
 * | steps.ts | `StackSetStep`, `identify` | the plan's step types |
 * | settings.ts | `defaultStackSetSettings`, `stackSetNameFor`, `readOperationPreferences`, `readStackSetOrder`, `INLINE_TEMPLATE_LIMIT_BYTES`, `StackSetSettings` | prefix, roles, tags, limits, and the settings flags |
 *
 * Internal: clients.ts (the clients type), graph.ts, known-after-apply.ts, pairs.ts,
 * parameter-helpers.ts, parameters.ts, template.ts; the rest of fingerprint.ts (stack set
 * records) and of targets.ts (target resolution).
 */
export { applyStackSets, type ApplyOptions, type StackSetApplyReport, type StackSetProgress } from './apply';
export type { StackSetClients } from './clients';
export {
  desiredStackSets,
  NotReadOfflineError,
  templateReader,
  unstagedTemplateFindings,
  type DesiredStackSet,
  type TemplateReader,
} from './desired';
export {
  createStackSetExecutor,
  operationIdFor,
  type CheckOptions,
  type CheckResult,
  type InstanceFailure,
  type StackSetExecutor,
  type StackSetExecutorOptions,
  type StartResult,
} from './executor';
export { readFingerprinter, type Fingerprinter } from './fingerprint';
export { exportOutputs, type ExportedOutput } from './outputs';
export { planStackSets, ssmView, type StackSetPlan } from './plan-manifest';
export { planStackSetRemoval, planStackSetResource, type StackSetResourcePlan } from './plan-resource';
export { prepareStackSet, type PrepareContext } from './prepare';
export { desiredOf, readRunInput, type S3ObjectRef, type StackSetRunInput } from './run-input';
export {
  defaultStackSetSettings,
  INLINE_TEMPLATE_LIMIT_BYTES,
  readOperationPreferences,
  readStackSetOrder,
  stackSetNameFor,
  type StackSetSettings,
  type StackSetSettingsOverrides,
} from './settings';
export {
  readStackSetSnapshot,
  readStackSetStateEntry,
  refreshStackSetStates,
  ssmNamesOf,
  type StackSetSnapshot,
} from './snapshot';
export {
  describeStateCacheReport,
  mergeStackSetStates,
  parseS3ObjectUrl,
  parseStackSetStateEntry,
  s3StackSetStateCache,
  stackSetStateCacheKey,
  stackSetStateFileKey,
  type StackSetStateEntry,
  type StackSetStateCache,
  type StateCacheReport,
} from './state-cache';
export { accountStateOf } from './targets';
export { identify, type StackSetStep } from './steps';
