/**
 * The policy engine's entry points: what the run (../run.ts), the pipeline run files, the CLI and
 * the Lambda handlers use. Every other module of this folder is internal to it. Shape, as the
 * stack set engine's: read → plan → apply, with an executor factory per run (read: the
 * organization snapshot, ../organization; plan: plan, with planner; apply: apply, with one
 * `createPolicyExecutor` per run).
 *
 * | module | exports | role |
 * |---|---|---|
 * | plan.ts | `createPolicyPlan`, `policyInputHash`, `PolicyPlanRequest` | plan every SCP and RCP of a manifest into a `Plan`, with its input hash |
 * | apply.ts | `applyPolicyPlan`, `ApplyResult` | the CLI's apply loop: the plan's policy steps in order, stopping at the first failure |
 * | executor.ts | `createPolicyExecutor`, `PolicyExecutor`, `PolicyExecutorOptions`, `StepOutcome` | one step against Organizations |
 * | steps.ts | `PolicyStep`, `isPolicyStep` | the plan's step types |
 *
 * Internal: planner.ts (`planPolicies`, what plan.ts runs), document.ts (reading a policy
 * document), tags.ts (policy tag checks).
 */
export { applyPolicyPlan, type ApplyResult } from './apply';
export { createPolicyExecutor, type PolicyExecutor, type PolicyExecutorOptions, type StepOutcome } from './executor';
export { createPolicyPlan, policyInputHash, type PolicyPlanRequest } from './plan';
export { isPolicyStep, type PolicyStep } from './steps';
