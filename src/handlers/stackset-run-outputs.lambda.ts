/**
 * Lambda task of the stack set state machine: writes a converged stack set's `export_outputs`
 * through the outputs task (`stackset-outputs.lambda.ts`) and returns a bounded summary (a
 * templated export writes one parameter per instance: thousands of names).
 *
 * Input: `{ "correlationId", "runInput", "region", "resource", "exports"?, "saveState"? }` (see
 * the outputs task).
 * Output: `{ "resource", "exported": 2, "changed": 1, "names": [...first 10] }`, with `"failed":
 * { "errorName", "message" }` when an AWS error stopped the export.
 */
import { createStackSetOutputsHandler, type StackSetOutputsEvent } from './stackset-outputs.lambda';
import { cut } from './stackset-run';
import { lambdaDeps, type TaskDeps } from './task';

/** The task output. */
export interface StackSetRunOutputsResult {
  readonly resource: string;
  readonly exported: number;
  readonly changed: number;
  readonly names: readonly string[];
  readonly failed?: { readonly errorName: string; readonly message: string };
  /** With `saveState`: whether the stack set's state was left for the state cache. */
  readonly stateSaved?: boolean;
}

/** Builds the handler. */
export function createStackSetRunOutputsHandler(
  deps: TaskDeps,
): (event: StackSetOutputsEvent) => Promise<StackSetRunOutputsResult> {
  const outputs = createStackSetOutputsHandler(deps);
  return async (event) => {
    const result = await outputs(event);
    return {
      resource: result.resource,
      exported: result.exports.length,
      changed: result.exports.filter((e) => e.changed).length,
      names: result.exports.slice(0, 10).map((e) => e.name),
      ...(result.stateSaved !== undefined ? { stateSaved: result.stateSaved } : {}),
      ...(result.failed
        ? {
            failed: {
              errorName: result.failed.errorName,
              message: cut(`export_outputs: ${result.failed.errorName}: ${result.failed.message}`),
            },
          }
        : {}),
    };
  };
}

/** The Lambda entry point. */
export const handler = createStackSetRunOutputsHandler(
  lambdaDeps('cdk-control-tower-customizations/stackset-run-outputs'),
);
