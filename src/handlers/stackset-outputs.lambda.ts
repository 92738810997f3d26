/**
 * Lambda task of the stack set state machine: writes a converged stack set's `export_outputs`
 * to SSM. Input: `{ "correlationId", "runInput", "region", "resource" }`. Output:
 * `{ "resource": "...", "exports": [{ "name", "account", "region", "changed" }] }` (names only).
 */
import { logged, StackSetTaskEvent } from './stackset-task';
import { lambdaDeps, type TaskDeps } from './task';
import { ExportedOutput, exportOutputs } from '../engine/stacksets/outputs';
import { desiredOf, readRunInput } from '../engine/stacksets/run-input';

/** The task output: SSM names written, never values. */
export interface StackSetOutputsResult {
  readonly resource: string;
  readonly exports: ExportedOutput[];
}

/** Builds the handler. */
export function createStackSetOutputsHandler(deps: TaskDeps): (event: StackSetTaskEvent) => Promise<StackSetOutputsResult> {
  return (event) => logged(deps, 'stackset-outputs', event, async () => {
    const clients = deps.clients();
    const input = await readRunInput(clients, event.runInput, event.region, deps.clock);
    const exports = await exportOutputs(
      desiredOf(input, event.resource),
      { clients, settings: input.settings, homeRegion: input.homeRegion, runId: event.correlationId, clock: deps.clock },
    );
    return { resource: event.resource, exports };
  }, (result) => ({ exported: result.exports.length, changed: result.exports.filter((e) => e.changed).length }));
}

/** The Lambda entry point. */
export const handler = createStackSetOutputsHandler(lambdaDeps('cdk-control-tower-customizations/stackset-outputs'));
