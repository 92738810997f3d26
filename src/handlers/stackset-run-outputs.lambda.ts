/**
 * Lambda task of the stack set state machine, two actions of the outputs function:
 *
 * - `action: 'exports'` (the default), once a stack set's steps have all run: writes its
 *   `export_outputs` through the outputs task (`stackset-outputs.lambda.ts`) and returns a bounded
 *   summary (a templated export writes one parameter per instance: thousands of names).
 *   Output: `{ "resource", "exported": 2, "changed": 1, "names": [...first 10], "readState": true }`,
 *   with `"failed": { "errorName", "message" }` (and `"readState": false`) when an AWS error
 *   stopped the export. `readState` says the stack set's steps all ran, so its state is read for
 *   the state cache (beside the next wave, not here).
 * - `action: 'state'`, beside the next wave: reads the stack set in full once (stamp first,
 *   `readStackSetStateEntry`) and leaves its state cache entry in
 *   `<run files>/states/<stack set name>.json` (`stackSetStateFileKey`), which the wave task
 *   merges into the cache object at the run's end. Output: `{ "resource", "stateSaved": true }`;
 *   a failed read leaves no file and says `"stateSaved": false` (the next plan reads that stack
 *   set in full); throttling its retries could not absorb is thrown, for the state's Retry.
 *
 * Input: `{ "correlationId", "runInput", "region", "resource", "action"?, "exports"? }`.
 */
import { createStackSetOutputsHandler, type StackSetOutputsEvent } from './stackset-outputs.lambda';
import { cut } from './stackset-run';
import { InvalidStackSetEventError } from './stackset-task';
import { lambdaDeps, type TaskDeps } from './task';

/** The task input. */
export interface StackSetRunOutputsEvent extends Omit<StackSetOutputsEvent, 'saveState'> {
  /** What to do. @default 'exports' */
  readonly action?: 'exports' | 'state';
}

/** The output of `action: 'exports'`. */
export interface StackSetRunOutputsResult {
  readonly resource: string;
  readonly exported: number;
  readonly changed: number;
  readonly names: readonly string[];
  readonly failed?: { readonly errorName: string; readonly message: string };
  /** The stack set's steps all ran and its export did not fail: its state is to be read. */
  readonly readState: boolean;
}

/** The output of `action: 'state'`. */
export interface StackSetRunStateResult {
  readonly resource: string;
  /** Whether the stack set's state was left for the state cache. */
  readonly stateSaved: boolean;
}

/** Builds the handler. */
export function createStackSetRunOutputsHandler(
  deps: TaskDeps,
): (event: StackSetRunOutputsEvent) => Promise<StackSetRunOutputsResult | StackSetRunStateResult> {
  const outputs = createStackSetOutputsHandler(deps);
  return async (event) => {
    const action = event?.action ?? 'exports';
    if (action === 'state') {
      // The outputs task's state read, without the export: it reads the run input, then the state.
      const result = await outputs({
        correlationId: event.correlationId,
        runInput: event.runInput,
        region: event.region,
        resource: event.resource,
        exports: false,
        saveState: true,
      });
      return { resource: result.resource, stateSaved: result.stateSaved === true };
    }
    if (action !== 'exports') {
      throw new InvalidStackSetEventError(`action must be 'exports' or 'state', got ${JSON.stringify(action)}`);
    }
    const { action: _action, ...rest } = event;
    const result = await outputs({ ...rest, saveState: false });
    return {
      resource: result.resource,
      exported: result.exports.length,
      changed: result.exports.filter((e) => e.changed).length,
      names: result.exports.slice(0, 10).map((e) => e.name),
      readState: !result.failed,
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
