/**
 * Stack set plan steps. Each is JSON-serialisable and carries no secret: parameter values are
 * literals, references to SecureString parameters or (NoEcho values) to the package, or (in a
 * read-only plan) "known after apply".
 */
import type { PairGroup } from './pairs';
import type { ParameterChange, ResolvedParameter } from './parameters';
import type { ResolvedOperationPreferences } from './settings';
import { sha256 } from '../canonical';
import { plural } from '../plural';

/** Where the executor gets the template from. */
export interface TemplateRef {
  /** SHA-256 of the normalised template. */
  readonly hash: string;
  /** Size of the template text in bytes. */
  readonly bytes: number;
  /** Inline body, for templates up to 51,200 bytes. */
  readonly body?: string;
  /** Staged copy in S3, for larger templates (filled when the stack set's turn comes). */
  readonly url?: string;
}

/** Everything CreateStackSet/UpdateStackSet set on the stack set itself. */
export interface StackSetDefinition {
  readonly description?: string;
  readonly template: TemplateRef;
  readonly parameters: readonly ResolvedParameter[];
  /** Desired tags, without `cfct:created` (kept from the stack set or stamped by the executor). */
  readonly tags: Readonly<Record<string, string>>;
  /** The `cfct:created` tag already on the stack set, if any. */
  readonly createdTag?: string;
  readonly capabilities: readonly string[];
  readonly administrationRoleArn: string;
  readonly executionRoleName: string;
  /** Keyed fingerprint of the NoEcho values, recorded in the management account after the call. */
  readonly noEchoFingerprint?: string;
}

interface StepBase {
  /** Stable: the same change planned twice gets the same id. */
  readonly id: string;
  /** One line for people: what the step does. */
  readonly summary: string;
  /** The manifest resource, or the stack set name for stack sets that left the manifest. */
  readonly resource: string;
  readonly stackSetName: string;
}

/** CreateStackSet (synchronous). */
export interface CreateStackSetStep extends StepBase {
  readonly kind: 'stackset.create';
  readonly definition: StackSetDefinition;
}

/** UpdateStackSet (an operation); `targets` limits the instances it updates. */
export interface UpdateStackSetStep extends StepBase {
  readonly kind: 'stackset.update';
  readonly definition: StackSetDefinition;
  readonly targets?: PairGroup;
  readonly preferences: ResolvedOperationPreferences;
  /** Why: template, parameters, tags, settings, adoption. */
  readonly reasons: readonly string[];
}

/** CreateStackInstances / UpdateStackInstances / DeleteStackInstances for one accounts × regions group. */
export interface InstancesStep extends StepBase {
  readonly kind: 'stackset.create-instances' | 'stackset.update-instances' | 'stackset.delete-instances';
  readonly targets: PairGroup;
  readonly preferences: ResolvedOperationPreferences;
  /** DeleteStackInstances only: keep the stacks (accounts that are closed or gone). */
  readonly retainStacks?: boolean;
}

/**
 * Records that this installation owns a stack set it adopted from upstream CfCT (an SSM
 * parameter in the management account; synchronous). No stack set operation, nothing in any
 * member account.
 */
export interface AdoptStackSetStep extends StepBase {
  readonly kind: 'stackset.adopt';
}

/** DeleteStackSet (synchronous; its instances were deleted by earlier steps). */
export interface DeleteStackSetStep extends StepBase {
  readonly kind: 'stackset.delete';
}

/** Every stack set step kind. */
export type StackSetStep =
  CreateStackSetStep | UpdateStackSetStep | InstancesStep | DeleteStackSetStep | AdoptStackSetStep;

/** What the plan says about one stack set. */
export interface StackSetChangeSummary {
  readonly resource: string;
  readonly stackSetName: string;
  readonly action: 'create' | 'update' | 'instances' | 'none' | 'delete' | 'blocked';
  readonly adopt: boolean;
  readonly templateChanged: boolean;
  readonly parameterChanges: readonly ParameterChange[];
  readonly tagChanges: readonly string[];
  /** `account/region` lists. */
  readonly instancesToCreate: number;
  readonly instancesToUpdate: number;
  readonly instancesToDelete: number;
  /** Values only known once earlier work of the apply ran. */
  readonly knownAfterApply: readonly string[];
}

/** A step without its derived `id` and `summary`. */
export type StepContent<S extends StackSetStep = StackSetStep> = S extends StackSetStep
  ? Omit<S, 'id' | 'summary'>
  : never;

/** Adds the stable id and the one-line summary to a step. */
export function identify<S extends StackSetStep>(content: StepContent<S>): S {
  const c = content as StepContent;
  let detail = '';
  let summary: string;
  switch (c.kind) {
    case 'stackset.create':
      summary = `create stack set ${c.stackSetName}`;
      break;
    case 'stackset.delete':
      summary = `delete stack set ${c.stackSetName}`;
      break;
    case 'stackset.adopt':
      summary = `record ownership of upstream stack set ${c.stackSetName} (no stack set operation)`;
      break;
    case 'stackset.update':
      summary = `update stack set ${c.stackSetName} (${c.reasons.join(', ')})`;
      if (c.targets) summary += `, ${count(c.targets)}`;
      break;
    default: {
      const verb =
        c.kind === 'stackset.create-instances'
          ? 'create'
          : c.kind === 'stackset.update-instances'
            ? 'update'
            : 'delete';
      const accountsHash = sha256(c.targets.accounts.join(',')).slice(0, 12);
      summary = `${verb} ${count(c.targets)} of ${c.stackSetName}${c.retainStacks ? ' (retaining the stacks)' : ''}`;
      detail = `:${c.targets.regions.join(',')}:${accountsHash}${c.retainStacks ? ':retain' : ''}`;
    }
  }
  return { ...content, id: `${c.kind}:${c.stackSetName}${detail}`, summary } as unknown as S;
}

function count(targets: PairGroup): string {
  const instances = plural(targets.accounts.length * targets.regions.length, 'instance');
  return `${instances} (${plural(targets.accounts.length, 'account')} x ${plural(targets.regions.length, 'region')})`;
}

/** True for steps that start a StackSets operation (the others complete synchronously). */
export function isOperationStep(step: StackSetStep): step is UpdateStackSetStep | InstancesStep {
  return step.kind !== 'stackset.create' && step.kind !== 'stackset.delete' && step.kind !== 'stackset.adopt';
}
