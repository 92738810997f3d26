/**
 * Lambda task of the stack set state machine: writes a converged stack set's `export_outputs`
 * to SSM. Input: `{ "correlationId", "runInput", "region", "resource", "exports"?: true,
 * "saveState"?: false }`. Output:
 * `{ "resource": "...", "exports": [{ "name", "account", "region", "changed" }] }` (names only);
 * an AWS error (a missing run input, a stack without the output, SSM refusing the write) adds
 * `"failed": { "errorName", "message" }` (and `exports` is then empty). The handler throws
 * only for an invalid event and for throttling its retries could not absorb.
 *
 * With `saveState` (the stack set's steps have all finished), it also reads the stack set in full
 * once (stamp first) and leaves its state cache entry in `<run files>/states/<stack set name>.json`,
 * which the wave task merges into the cache object when the run is done (one writer of that
 * object per run). That never fails the stack set: the output says `stateSaved: false`.
 * `exports: false` skips the export (a stack set without `export_outputs`).
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { logged, StackSetTaskEvent } from './stackset-task';
import { lambdaDeps, type TaskDeps } from './task';
import { describeError, isThrottling, retryThrottled } from '../engine/retry';
import {
  desiredOf,
  ExportedOutput,
  exportOutputs,
  readRunInput,
  readStackSetStateEntry,
  ssmNamesOf,
  stackSetNameFor,
  stackSetStateFileKey,
  type StackSetRunInput,
} from '../engine/stacksets';

/** The task output: SSM names written, never values. */
export interface StackSetOutputsResult {
  readonly resource: string;
  readonly exports: ExportedOutput[];
  /** Set when an AWS error stopped the export. */
  readonly failed?: { readonly errorName: string; readonly message: string };
  /** With `saveState`: whether the stack set's state was left for the state cache. */
  readonly stateSaved?: boolean;
}

/** The task input. */
export interface StackSetOutputsEvent extends StackSetTaskEvent {
  /** Write the resource's `export_outputs`. @default true */
  readonly exports?: boolean;
  /** Leave the stack set's state cache entry beside the run files. @default false */
  readonly saveState?: boolean;
}

/** Builds the handler. */
export function createStackSetOutputsHandler(
  deps: TaskDeps,
): (event: StackSetOutputsEvent) => Promise<StackSetOutputsResult> {
  return (event) =>
    logged(
      deps,
      'stackset-outputs',
      event,
      async () => {
        const clients = deps.clients();
        let input: StackSetRunInput;
        let exports: ExportedOutput[] = [];
        try {
          input = await readRunInput(clients, event.runInput, event.region, deps.clock);
          if (event.exports !== false) {
            exports = await exportOutputs(desiredOf(input, event.resource), {
              clients,
              settings: input.settings,
              homeRegion: input.homeRegion,
              runId: event.correlationId,
              clock: deps.clock,
            });
          }
        } catch (error) {
          if (isThrottling(error)) throw error;
          const { name, message: reason } = describeError(error);
          return { resource: event.resource, exports: [], failed: { errorName: name, message: `${name}: ${reason}` } };
        }
        if (!event.saveState) return { resource: event.resource, exports };
        return { resource: event.resource, exports, stateSaved: await saveState(deps, event, input) };
      },
      (result) => ({
        exported: result.exports.length,
        changed: result.exports.filter((e) => e.changed).length,
        ...(result.failed ? { errorName: result.failed.errorName, message: result.failed.message } : {}),
        ...(result.stateSaved !== undefined ? { stateSaved: result.stateSaved } : {}),
      }),
    );
}

/**
 * Reads the stack set's state cache entry and writes it beside the run files (`null` when it
 * has none: no fingerprint key, an operation still running, gone). False when that failed.
 */
async function saveState(deps: TaskDeps, event: StackSetOutputsEvent, input: StackSetRunInput): Promise<boolean> {
  const clients = deps.clients();
  const desired = input.desired.find((d) => d.resource.name === event.resource);
  // A removed stack set is in no desired state: its entry is dropped by the next plan's read.
  if (!desired) return false;
  const name = stackSetNameFor(desired.resource, input.settings);
  try {
    const entry = await readStackSetStateEntry(
      clients,
      { homeRegion: input.homeRegion, name, ssmNames: ssmNamesOf(input.desired.map((d) => d.resource)) },
      deps.clock,
    );
    const key = stackSetStateFileKey(event.runInput.key.replace(/\/[^/]*$/, ''), name);
    await retryThrottled(
      () =>
        clients.s3(event.region).send(
          new PutObjectCommand({
            Bucket: event.runInput.bucket,
            Key: key,
            Body: JSON.stringify({ stackSetName: name, entry: entry ?? null }),
            ContentType: 'application/json',
          }),
        ),
      deps.clock,
    );
    return true;
  } catch (error) {
    if (isThrottling(error)) throw error;
    return false;
  }
}

/** The Lambda entry point. */
export const handler = createStackSetOutputsHandler(lambdaDeps('cdk-control-tower-customizations/stackset-outputs'));
