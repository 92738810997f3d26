/**
 * Registration of flags several commands share (their values are read into `PlanFlags`, see
 * inputs.ts): the one place each is declared. Kept apart from inputs.ts so registering a command
 * loads nothing else.
 */
import type { Command } from 'commander';

/**
 * The installation's stack set settings, for every command that plans (`plan`, `apply`,
 * `print-tasks`, `pipeline-build`): each plans with the settings the others apply with.
 */
export function addStackSetSettingsFlags(command: Command): Command {
  return command
    .option('--stack-set-prefix <prefix>', 'stack set name prefix (default CustomControlTower-)')
    .option('--installation-id <id>', 'value of the cfct:installation ownership tag (default: default)')
    .option('--staging-bucket <bucket>', 'S3 bucket where templates over 51,200 bytes are staged')
    .option(
      '--administration-role-arn <arn>',
      'StackSets administration role (default: service-role/AWSControlTowerStackSetRole)',
    )
    .option(
      '--execution-role-name <name>',
      'role StackSets assumes in target accounts (default: AWSControlTowerExecution)',
    )
    .option(
      '--operation-preferences <json>',
      'default StackSets operation preferences, as a resource\'s operation_preferences: \'{"MaxConcurrentCount": 5, "FailureToleranceCount": 1}\'',
    )
    .option(
      '--stack-set-order <order>',
      'stack set order for manifests without stack_set_order: sequential (default) or dependencies',
    );
}

/** Where the organization is read from, and the progress of a live read (`plan`, `apply`, `print-tasks`). */
export function addOrganizationFlags(command: Command): Command {
  return command
    .option('--organization <file>', 'plan against an exported organization snapshot (cfct org export)')
    .option('--live', 'read the organization through the AWS APIs (standard credential chain)')
    .option(
      '--progress',
      'report the live read on stderr by phase, at most twice a second (default: only when stderr is a terminal)',
    );
}

/** Options `plan` and `apply` share. */
export function addPlanFlags(command: Command): Command {
  return addStackSetSettingsFlags(addOrganizationFlags(command))
    .option('--accounts <ids>', 'limit stack set work to these accounts (12-digit ids, comma-separated)')
    .option(
      '--state-cache <s3-url>',
      'with --live: read stack set states through this cache object (s3://bucket/key; the pipeline keeps one at s3://<artifact bucket>/cfct/runs/stack-set-states.json); unchanged stack sets cost one call each, the plan is the same',
    );
}
