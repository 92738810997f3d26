/**
 * Lambda task of both state machines: before anything is applied, re-plans from the stored
 * package and the live organization and compares with the approved plan (contract of
 * src/engine/pipeline-run.ts). A change the approval did not cover refuses the run.
 *
 * Input: `{ "correlationId": "<run id>", "region": "us-east-1", "plan": {bucket,key},
 * "package": {bucket,key}, "options": {bucket,key}, "scope": "policies" | "stacksets" }`.
 * Output: `{ "approved": true|false, "message": "...", "alreadyDone": 0, "policySteps": 3,
 * "stepsInScope": 3, "findings": [...first 20], "findingCount": 1 }`. An approved plan without a
 * step in the scope is approved without re-planning (nothing will be applied).
 */
import { correlationIdOf, InvalidTaskEventError, lambdaDeps, runTask, type TaskDeps } from './task';
import { checkApprovedRun, type ApprovalScope } from '../engine/pipeline-run';
import { isPolicyStep } from '../engine/policies';
import type { S3ObjectRef } from '../engine/stacksets';
import type { Finding } from '../manifest/findings';

/** The task input. */
export interface PlanCheckEvent {
  readonly correlationId: string;
  readonly region: string;
  readonly plan: S3ObjectRef;
  readonly package: S3ObjectRef;
  readonly options: S3ObjectRef;
  readonly scope: ApprovalScope;
}

/** The task output (small: findings are cut to the first 20). */
export interface PlanCheckResult {
  readonly approved: boolean;
  readonly message: string;
  readonly alreadyDone: number;
  /** Policy steps of the approved plan (the policy state machine's loop bound). */
  readonly policySteps: number;
  /** Steps of the approved plan in this check's scope; 0: the state machine ends without applying anything. */
  readonly stepsInScope: number;
  readonly findings: readonly Finding[];
  readonly findingCount: number;
}

/** Thrown for an event that is not a plan check input. */
export class InvalidPlanCheckEventError extends InvalidTaskEventError {
  constructor(problem: string) {
    super(problem, 'InvalidPlanCheckEventError');
  }
}

const isRef = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as S3ObjectRef).bucket === 'string' &&
  typeof (value as S3ObjectRef).key === 'string';

function problemOf(event: Partial<PlanCheckEvent> | undefined): string | undefined {
  if (!event || typeof event !== 'object') return 'the event must be an object';
  if (typeof event.region !== 'string' || event.region === '') return 'region must be a non-empty string';
  for (const name of ['plan', 'package', 'options'] as const) {
    if (!isRef(event[name])) return `${name} must be { bucket, key }`;
  }
  if (event.scope !== 'policies' && event.scope !== 'stacksets') return 'scope must be "policies" or "stacksets"';
  return undefined;
}

/** Builds the handler. */
export function createPlanCheckHandler(deps: TaskDeps): (event: PlanCheckEvent) => Promise<PlanCheckResult> {
  return (event) =>
    runTask(
      deps,
      {
        task: 'plan-check',
        context: { correlationId: correlationIdOf(event), scope: event?.scope },
        problem: problemOf(event),
        invalid: (p) => new InvalidPlanCheckEventError(p),
        describe: (r) => ({
          approved: r.approved,
          alreadyDone: r.alreadyDone,
          stepsInScope: r.stepsInScope,
          message: r.message,
        }),
      },
      async () => {
        const check = await checkApprovedRun({
          clients: deps.clients(),
          clock: deps.clock,
          refs: event,
          scope: event.scope,
        });
        return {
          approved: check.approved,
          message: check.message,
          alreadyDone: check.alreadyDone,
          policySteps: check.plan.steps.filter(isPolicyStep).length,
          stepsInScope: check.stepsInScope,
          findings: check.findings.slice(0, 20),
          findingCount: check.findings.length,
        };
      },
    );
}

/** The Lambda entry point. */
export const handler = createPlanCheckHandler(lambdaDeps('cdk-control-tower-customizations/plan-check'));
