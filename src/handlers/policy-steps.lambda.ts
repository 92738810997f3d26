/**
 * Lambda task of the policy state machine: applies the approved plan's policy steps, in order,
 * one at a time (Organizations writes are serialised), from `index` on, for as long as its time
 * budget allows; the state machine calls it again with `nextIndex` until `done`. The plan is read
 * from S3: steps never travel in the state machine's payload. Each step goes through the
 * policy step task (`policy-step.lambda.ts`), so both share one implementation.
 *
 * Input: `{ "correlationId", "installationId", "region", "plan": {bucket,key}, "index": 0,
 * "budgetSeconds"?: 60 }`.
 * Output: `{ "total", "nextIndex", "done", "applied", "alreadyDone", "failed"?: { "stepId",
 * "summary", "errorName", "message" } }`. A step that fails stops the loop with `failed`;
 * throttling the internal retries could not absorb is thrown (error name kept) for the Retry.
 */
import { createPolicyStepHandler } from './policy-step.lambda';
import { correlationIdOf, InvalidTaskEventError, lambdaDeps, runTask, type TaskDeps } from './task';
import { readRunObject } from '../engine/pipeline-run';
import { isPolicyStep } from '../engine/policies';
import { isThrottling } from '../engine/retry';
import type { RunPlan } from '../engine/run';
import type { S3ObjectRef } from '../engine/stacksets';

/** The task input. */
export interface PolicyStepsEvent {
  readonly correlationId: string;
  readonly installationId: string;
  readonly region: string;
  readonly plan: S3ObjectRef;
  readonly index: number;
  /** Stop starting new steps after this many seconds. @default 60 */
  readonly budgetSeconds?: number;
}

/** The task output. */
export interface PolicyStepsResult {
  readonly total: number;
  readonly nextIndex: number;
  readonly done: boolean;
  readonly applied: number;
  readonly alreadyDone: number;
  readonly failed?: {
    readonly stepId: string;
    readonly summary: string;
    readonly errorName: string;
    readonly message: string;
    /** One line: the step, the error name and message (the execution's failure cause). */
    readonly cause: string;
  };
}

/** Thrown for an event that is not this task's input. */
export class InvalidPolicyStepsEventError extends InvalidTaskEventError {
  constructor(problem: string) {
    super(problem, 'InvalidPolicyStepsEventError');
  }
}

function problemOf(event: Partial<PolicyStepsEvent> | undefined): string | undefined {
  if (!event || typeof event !== 'object') return 'the event must be an object';
  if (typeof event.installationId !== 'string' || event.installationId === '') {
    return 'installationId must be a non-empty string';
  }
  if (typeof event.region !== 'string' || event.region === '') return 'region must be a non-empty string';
  if (!event.plan || typeof event.plan.bucket !== 'string' || typeof event.plan.key !== 'string') {
    return 'plan must be { bucket, key }';
  }
  if (!Number.isInteger(event.index) || (event.index as number) < 0) return 'index must be a non-negative integer';
  return undefined;
}

/** Builds the handler. */
export function createPolicyStepsHandler(deps: TaskDeps): (event: PolicyStepsEvent) => Promise<PolicyStepsResult> {
  const applyStep = createPolicyStepHandler(deps);
  return (event) =>
    runTask(
      deps,
      {
        task: 'policy-steps',
        context: { correlationId: correlationIdOf(event), index: event?.index },
        problem: problemOf(event),
        invalid: (p) => new InvalidPolicyStepsEventError(p),
        describe: (r) => ({
          nextIndex: r.nextIndex,
          done: r.done,
          applied: r.applied,
          alreadyDone: r.alreadyDone,
          ...(r.failed ? { failedStep: r.failed.stepId } : {}),
        }),
      },
      async () => {
        const plan = JSON.parse(
          (await readRunObject(deps.clients(), event.plan, event.region, deps.clock)).toString('utf8'),
        ) as RunPlan;
        if (plan.installationId !== event.installationId) {
          throw new InvalidPolicyStepsEventError(
            `the plan is for installation '${plan.installationId}', not '${event.installationId}'`,
          );
        }
        const steps = plan.steps.filter(isPolicyStep);
        const deadline = deps.clock.now() + (event.budgetSeconds ?? 60) * 1000;
        let index = event.index;
        let applied = 0;
        let alreadyDone = 0;
        while (index < steps.length && (index === event.index || deps.clock.now() < deadline)) {
          const step = steps[index];
          try {
            const outcome = await applyStep({
              correlationId: event.correlationId,
              installationId: event.installationId,
              step,
            });
            if (outcome.outcome === 'already-done') alreadyDone++;
            else applied++;
          } catch (error) {
            if (isThrottling(error) || error instanceof InvalidTaskEventError) throw error;
            const { name, message } = error as Error;
            return {
              total: steps.length,
              nextIndex: index,
              done: false,
              applied,
              alreadyDone,
              failed: {
                stepId: step.id,
                summary: step.summary,
                errorName: name,
                message: String(message).slice(0, 1000),
                cause: `${step.summary}: ${name}: ${String(message).slice(0, 1000)}`,
              },
            };
          }
          index++;
        }
        return { total: steps.length, nextIndex: index, done: index >= steps.length, applied, alreadyDone };
      },
    );
}

/** The Lambda entry point. */
export const handler = createPolicyStepsHandler(lambdaDeps('cdk-control-tower-customizations/policy-steps'));
