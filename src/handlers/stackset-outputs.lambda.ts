/**
 * Lambda task of the stack set state machine: writes a converged stack set's `export_outputs`
 * to SSM. Input: `{ "correlationId", "runInput", "region", "resource" }`. Output:
 * `{ "resource": "...", "exports": [{ "name", "account", "region", "changed" }] }` (names only);
 * an AWS error (a missing run input, a stack without the output, SSM refusing the write) adds
 * `"failed": { "errorName", "message" }` (and `exports` is then empty). The handler throws
 * only for an invalid event and for throttling its retries could not absorb.
 */
import { logged, StackSetTaskEvent } from './stackset-task';
import { lambdaDeps, type TaskDeps } from './task';
import { describeError, isThrottling } from '../engine/retry';
import { desiredOf, ExportedOutput, exportOutputs, readRunInput } from '../engine/stacksets';

/** The task output: SSM names written, never values. */
export interface StackSetOutputsResult {
  readonly resource: string;
  readonly exports: ExportedOutput[];
  /** Set when an AWS error stopped the export. */
  readonly failed?: { readonly errorName: string; readonly message: string };
}

/** Builds the handler. */
export function createStackSetOutputsHandler(
  deps: TaskDeps,
): (event: StackSetTaskEvent) => Promise<StackSetOutputsResult> {
  return (event) =>
    logged(
      deps,
      'stackset-outputs',
      event,
      async () => {
        const clients = deps.clients();
        try {
          const input = await readRunInput(clients, event.runInput, event.region, deps.clock);
          const exports = await exportOutputs(desiredOf(input, event.resource), {
            clients,
            settings: input.settings,
            homeRegion: input.homeRegion,
            runId: event.correlationId,
            clock: deps.clock,
          });
          return { resource: event.resource, exports };
        } catch (error) {
          if (isThrottling(error)) throw error;
          const { name, message: reason } = describeError(error);
          return { resource: event.resource, exports: [], failed: { errorName: name, message: `${name}: ${reason}` } };
        }
      },
      (result) => ({
        exported: result.exports.length,
        changed: result.exports.filter((e) => e.changed).length,
        ...(result.failed ? { errorName: result.failed.errorName, message: result.failed.message } : {}),
      }),
    );
}

/** The Lambda entry point. */
export const handler = createStackSetOutputsHandler(lambdaDeps('cdk-control-tower-customizations/stackset-outputs'));
