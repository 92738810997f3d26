/**
 * Registration of flags several commands share (their values are read into `PlanFlags`, see
 * inputs.ts). Kept apart from inputs.ts so registering a command loads nothing else.
 */
import type { Command } from 'commander';

/** Registers the installation's stack set default flags (`PlanFlags.operationPreferences`, `stackSetOrder`). */
export function addStackSetDefaultFlags(command: Command): Command {
  return command
    .option('--operation-preferences <json>', 'default StackSets operation preferences, as a resource\'s operation_preferences: \'{"MaxConcurrentCount": 5, "FailureToleranceCount": 1}\'')
    .option('--stack-set-order <order>', 'stack set order for manifests without stack_set_order: sequential (default) or dependencies');
}
