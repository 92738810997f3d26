/**
 * The stack set engine's entry points: what the run (../run.ts), the CLI and the Lambda handlers
 * use. Every other module of this folder is internal to it. Shape, as the policy engine's:
 * read (snapshot) → plan (plan-manifest, plan-resource) → apply (apply, with prepare, executor and
 * outputs per stack set).
 *
 * | module | exports | role |
 * |---|---|---|
 * | snapshot.ts | `readStackSetSnapshot`, `StackSetSnapshot` | read: stack sets, instances, SSM values |
 * | desired.ts | `desiredStackSets`, `templateReader`, `DesiredStackSet` | a manifest resource with its template and resolved targets |
 * | plan-manifest.ts | `planStackSets`, `StackSetPlan` | plan every stack set of a manifest (graph, removals, resources) |
 * | plan-resource.ts | `planStackSetResource`, `planStackSetRemoval`, `StackSetResourcePlan` | plan one stack set |
 * | apply.ts | `applyStackSets`, `StackSetApplyReport` | the CLI's apply loop |
 * | prepare.ts | `prepareStackSet` | at a stack set's turn: helper values, staging, re-plan |
 * | executor.ts | `startStep`, `checkStep`, `operationIdFor` | one step against CloudFormation |
 * | outputs.ts | `exportOutputs` | `export_outputs` to SSM after a stack set ran |
 * | run-input.ts | `readRunInput`, `desiredOf`, `StackSetRunInput` | what the pipeline's stack set tasks read |
 * | steps.ts | `StackSetStep`, `identify` | the plan's step types |
 * | settings.ts | `defaultStackSetSettings`, `stackSetNameFor`, `StackSetSettings` | prefix, roles, tags, limits |
 *
 * Internal: clients.ts (the clients type), graph.ts, known-after-apply.ts, pairs.ts,
 * parameter-helpers.ts, parameters.ts, targets.ts, template.ts.
 */
export { applyStackSets, type ApplyOptions, type StackSetApplyReport } from './apply';
export type { StackSetClients } from './clients';
export { desiredStackSets, templateReader, type DesiredStackSet, type TemplateReader } from './desired';
export { checkStep, operationIdFor, startStep, type StepContext } from './executor';
export { exportOutputs, type ExportedOutput } from './outputs';
export { planStackSets, ssmView, type StackSetPlan } from './plan-manifest';
export { planStackSetRemoval, planStackSetResource, type StackSetResourcePlan } from './plan-resource';
export { prepareStackSet, type PrepareContext } from './prepare';
export { desiredOf, readRunInput, type StackSetRunInput } from './run-input';
export { defaultStackSetSettings, stackSetNameFor, type StackSetSettings } from './settings';
export { readStackSetSnapshot, type StackSetSnapshot } from './snapshot';
export { identify, type StackSetStep } from './steps';
