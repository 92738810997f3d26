/**
 * The stack set planner: desired state (manifest resource, template, resolved targets) against
 * actual state (the snapshot) gives the steps that converge them, and nothing when nothing
 * differs. Pure: it reads only its inputs.
 */
import { secretToPlainParameter } from '../../manifest/checks/parameters';
import { suppressedFor } from '../../manifest/checks/suppressions';
import type { Finding } from '../../manifest/findings';
import type { StackSetResource } from '../../manifest/model';
import type { AccountState } from '../organization/snapshot';
import { DEFAULT_INSTALLATION_ID } from '../plan';
import { listFirst } from '../plural';
import { engineFinding } from '../rules';
import type { DesiredStackSet } from './desired';
import type { Fingerprinter } from './fingerprint';
import { groupPairs, Pair, pairKey, crossPairs } from './pairs';
import { parseParameterValue } from './parameter-helpers';
import {
  diffParameters,
  noEchoFingerprint,
  ParameterChange,
  resolveParameter,
  ResolvedParameter,
  SsmView,
  stepParameter,
} from './parameters';
import {
  ENGINE_TAG_KEYS,
  INLINE_TEMPLATE_LIMIT_BYTES,
  INSTALLATION_TAG_KEY,
  resolveOperationPreferences,
  StackSetSettings,
  stackSetNameFor,
  UPSTREAM_TAG_KEY,
  UPSTREAM_TAG_VALUE,
  CREATED_TAG_KEY,
  CONTROL_TOWER_BASELINE_STACK_SET,
} from './settings';
import type { StackInstanceState, StackSetState } from './snapshot';
import {
  AdoptStackSetStep,
  CreateStackSetStep,
  DeleteStackSetStep,
  identify,
  InstancesStep,
  StackSetChangeSummary,
  StackSetDefinition,
  StackSetStep,
  TemplateRef,
  UpdateStackSetStep,
} from './steps';
import { NormalisedTemplate } from './template';

/** Shared inputs of planning. */
export interface StackSetPlanContext {
  readonly settings: StackSetSettings;
  readonly stackSets: Readonly<Record<string, StackSetState>>;
  readonly accountState: (accountId: string) => AccountState | undefined;
  readonly ssm: SsmView;
  /**
   * Keys the NoEcho fingerprint (the installation's key, read in the management account).
   * @default - NoEcho values cannot be compared: a stack set that has them is updated
   */
  readonly fingerprinter?: Fingerprinter;
}

/** The plan for one stack set. */
export interface StackSetResourcePlan {
  readonly summary: StackSetChangeSummary;
  readonly steps: readonly StackSetStep[];
  readonly findings: readonly Finding[];
}

/** Plans one manifest resource. */
export function planStackSetResource(desired: DesiredStackSet, context: StackSetPlanContext): StackSetResourcePlan {
  const { resource, template, targets } = desired;
  const { settings } = context;
  const stackSetName = stackSetNameFor(resource, settings);
  const findings: Finding[] = [...targets.findings];
  const actual = context.stackSets[stackSetName];
  const preferences = resolveOperationPreferences(resource.operationPreferences, settings.defaultOperationPreferences);
  const base = { resource: resource.name, stackSetName };

  if (resource.permissionModel === 'service_managed') {
    findings.push(
      engineFinding('CFCT-K020', {
        message: `permission_model service_managed is not supported by the stack set engine yet; ${stackSetName} was not planned`,
        hint: 'use permission_model self_managed (the default)',
        location: resource.location,
        resource: resource.name,
      }),
    );
    return { summary: summary(base, 'blocked'), steps: [], findings };
  }

  const noEcho = new Set(template.normalised.noEchoParameters);
  const parameters: ResolvedParameter[] = [];
  const stepParameters: ResolvedParameter[] = [];
  for (const entry of resource.parameters) {
    const resolved = resolveParameter(entry, context.ssm, resource.name);
    parameters.push(resolved.parameter);
    stepParameters.push(stepParameter(entry, resolved.parameter, noEcho.has(entry.key), context.ssm, resource.name));
    findings.push(...resolved.findings);
  }
  findings.push(...secretsToPlainParameters(resource, template.normalised, context.ssm));
  const fingerprint = noEchoFingerprint(stackSetName, parameters, noEcho, context.ssm, context.fingerprinter);
  const knownAfterApply = parameters.flatMap((p) =>
    p.parts.flatMap((part) => ('afterApply' in part ? [`${p.key}: ${part.afterApply}`] : [])),
  );

  const tags: Record<string, string> = {
    ...withoutEngineTags(resource.tags),
    [UPSTREAM_TAG_KEY]: UPSTREAM_TAG_VALUE,
    [INSTALLATION_TAG_KEY]: settings.installationId,
  };
  const tagProblems = cloudFormationTagProblems({
    ...tags,
    [CREATED_TAG_KEY]: actual?.tags[CREATED_TAG_KEY] ?? '2026-01-01T00:00:00.000Z',
  });
  if (tagProblems.length > 0) {
    findings.push(
      engineFinding('CFCT-K062', {
        message: `the tags of ${stackSetName} are not accepted by CloudFormation: ${tagProblems.join('; ')}; ${stackSetName} was not planned`,
        hint: 'use at most 46 tags, keys of 1 to 128 characters not starting with aws:, values of 1 to 256 characters',
        location: resource.location,
        resource: resource.name,
      }),
    );
    return { summary: summary(base, 'blocked'), steps: [], findings };
  }
  const definition: StackSetDefinition = {
    ...(resource.description !== undefined ? { description: resource.description } : {}),
    template: templateRef(template),
    parameters: stepParameters,
    tags,
    ...(fingerprint && fingerprint !== 'unknown' ? { noEchoFingerprint: fingerprint } : {}),
    ...(actual?.tags[CREATED_TAG_KEY] ? { createdTag: actual.tags[CREATED_TAG_KEY] } : {}),
    capabilities: [...settings.capabilities],
    administrationRoleArn: settings.administrationRoleArn,
    executionRoleName: settings.executionRoleName,
  };

  const wanted = crossPairs(targets.accounts, resource.regions);
  if (targets.rootUnresolved && targets.rootUnresolved.length > 0) {
    const existing = new Set((actual?.instances ?? []).map(pairKey));
    const missing = crossPairs(targets.rootUnresolved, resource.regions).filter((p) => !existing.has(pairKey(p)));
    if (missing.length > 0) {
      findings.push(
        engineFinding('CFCT-K090', {
          message: `Root: Control Tower's enrolled accounts could not be read (neither its enabled baselines nor the ${CONTROL_TOWER_BASELINE_STACK_SET} stack set), and ${stackSetName} would get ${missing.length} new instance(s) in accounts only Root names (e.g. ${missing[0].account}); nothing was planned for it`,
          hint: 'allow controltower:ListEnabledBaselines in the home region, list the OUs instead of Root, or set root_accounts: all_active at the top of the manifest to mean every ACTIVE member account',
          location: resource.location,
          resource: resource.name,
        }),
      );
      return { summary: summary(base, 'blocked'), steps: [], findings };
    }
  }

  if (!actual) {
    const steps: StackSetStep[] = [identify<CreateStackSetStep>({ kind: 'stackset.create', ...base, definition })];
    steps.push(...instanceSteps('stackset.create-instances', base, wanted, preferences));
    return {
      summary: {
        ...summary(base, 'create'),
        templateChanged: true,
        parameterChanges: diffParameters(parameters, [], noEcho, context.ssm),
        instancesToCreate: wanted.length,
        knownAfterApply,
      },
      steps,
      findings,
    };
  }

  const ownership = ownershipOf(actual, settings);
  if (ownership === 'foreign') {
    findings.push(
      engineFinding('CFCT-K021', {
        message: `stack set ${stackSetName} exists but is not owned by installation '${settings.installationId}' (tag ${INSTALLATION_TAG_KEY}=${actual.tags[INSTALLATION_TAG_KEY] ?? '(none)'}); it was left alone`,
        hint: 'give the resource another name or stack_set_name, or remove the stack set from the other installation',
        location: resource.location,
        resource: resource.name,
      }),
    );
    return { summary: summary(base, 'blocked'), steps: [], findings };
  }
  const adopt = ownership === 'adopt';

  const templateChanged = actual.templateHash !== template.normalised.hash;
  const parameterChanges: ParameterChange[] = diffParameters(parameters, actual.parameters, noEcho, context.ssm);
  const noEchoChanged =
    fingerprint !== undefined && (fingerprint === 'unknown' || actual.record?.noEcho !== fingerprint);
  if (fingerprint === 'unknown' && !context.fingerprinter && knownAfterApply.length === 0) {
    findings.push(
      engineFinding('CFCT-K091', {
        message: `the NoEcho values of ${stackSetName} cannot be compared without the fingerprint key (an offline plan, or nothing applied yet), so the stack set is updated; apply compares them again first`,
        location: resource.location,
        resource: resource.name,
      }),
    );
  }
  // Owned through the management account's record (adopted from upstream), the stack set needs no
  // ownership tag: adding one would update every stack instance.
  const ownedByRecord = adopt || actual.record?.owner === settings.installationId;
  const tagChanges = diffTags(tags, actual.tags).filter(
    (k) => !(k === INSTALLATION_TAG_KEY && actual.tags[k] === undefined && ownedByRecord),
  );
  const settingsChanged =
    (actual.administrationRoleArn ?? '') !== settings.administrationRoleArn ||
    (actual.executionRoleName ?? '') !== settings.executionRoleName ||
    [...actual.capabilities].sort().join(',') !== [...settings.capabilities].sort().join(',') ||
    (resource.description !== undefined && (actual.description ?? '') !== resource.description);
  const reasons = [
    ...(templateChanged ? ['template'] : []),
    ...(parameterChanges.length > 0 || noEchoChanged ? ['parameters'] : []),
    ...(tagChanges.length > 0 ? ['tags'] : []),
    ...(settingsChanged ? ['settings'] : []),
  ];

  const existing = new Map(actual.instances.map((i) => [pairKey(i), i]));
  const wantedKeys = new Set(wanted.map(pairKey));
  const toCreate = wanted.filter((p) => !existing.has(pairKey(p)));
  const toDelete: StackInstanceState[] = [];
  const toRetain: StackInstanceState[] = [];
  const toDetach: StackInstanceState[] = [];
  const kept: StackInstanceState[] = [];
  let leftOut = 0;
  for (const instance of actual.instances) {
    const state = context.accountState(instance.account);
    if (state === 'SUSPENDED' || state === 'PENDING_CLOSURE' || state === 'PENDING_ACTIVATION') {
      leftOut++;
      continue;
    }
    if (state === undefined || state === 'CLOSED') {
      toRetain.push(instance);
    } else if (!wantedKeys.has(pairKey(instance))) {
      // A failed deletion left it INOPERABLE: deleting its stack again would fail again.
      if (instance.status === 'INOPERABLE') toDetach.push(instance);
      else toDelete.push(instance);
    } else if (instance.status === 'INOPERABLE') {
      const reason = instance.statusReason ? ` (${instance.statusReason})` : '';
      findings.push(
        engineFinding('CFCT-K030', {
          message: `stack instance ${pairKey(instance)} of ${stackSetName} is INOPERABLE${reason}; it is left out of every operation`,
          hint: 'delete it with DeleteStackInstances --retain-stacks, delete the stack in that account by hand, then run again to recreate it',
          location: resource.location,
          resource: resource.name,
        }),
      );
    } else {
      kept.push(instance);
    }
  }
  if (leftOut > 0) {
    findings.push(
      engineFinding('CFCT-K033', {
        message: `${leftOut} instance(s) of ${stackSetName} in suspended or closing accounts are neither updated nor deleted`,
        location: resource.location,
        resource: resource.name,
      }),
    );
  }
  if (toDelete.length + toDetach.length > 0 && targets.unresolved.length > 0) {
    const unknown = targets.unresolved.map((e) => `'${e.value}'`).join(', ');
    findings.push(
      engineFinding('CFCT-K031', {
        message: `${toDelete.length + toDetach.length} instance(s) of ${stackSetName} would be deleted while deployment targets ${unknown} match nothing; no instance was deleted`,
        hint: 'fix or remove the unknown targets; a typo must never delete instances',
        location: targets.unresolved[0].location,
        resource: resource.name,
      }),
    );
    toDelete.length = 0;
    toDetach.length = 0;
  }
  if (toDetach.length > 0) findings.push(inoperableFinding(stackSetName, toDetach, resource));

  const steps: StackSetStep[] = [];
  let toUpdate: Pair[] = kept.filter((i) => i.status === 'OUTDATED');
  let updated = false;
  // UpdateStackSet without targets updates every instance, suspended accounts' too. So it targets
  // the kept instances; with none kept but some left out, the instances this run creates (created
  // first, then updated); with nothing to target, the change waits.
  const createFirst = reasons.length > 0 && kept.length === 0 && leftOut > 0 && toCreate.length > 0;
  if (reasons.length > 0 && kept.length === 0 && leftOut > 0 && !createFirst) {
    findings.push(
      engineFinding('CFCT-K035', {
        message: `the ${reasons.join(', ')} change of ${stackSetName} waits: its only instances are in suspended or closing accounts, which are left out of every operation`,
        hint: 'it is applied once an active account is a target again, or once those accounts are closed',
        location: resource.location,
        resource: resource.name,
      }),
    );
  } else if (reasons.length > 0) {
    const targeted = createFirst ? toCreate : kept;
    const groups = groupPairs(targeted);
    if (createFirst) steps.push(...instanceSteps('stackset.create-instances', base, toCreate, preferences));
    steps.push(
      identify<UpdateStackSetStep>({
        kind: 'stackset.update',
        ...base,
        definition,
        ...(groups[0] ? { targets: groups[0] } : {}),
        preferences,
        reasons,
      }),
    );
    updated = true;
    // Instances outside the UpdateStackSet group are left OUTDATED by it: update them too.
    const covered = new Set(groups[0] ? crossPairs(groups[0].accounts, groups[0].regions).map(pairKey) : []);
    toUpdate = targeted.filter((i) => !covered.has(pairKey(i)));
  }
  if (toCreate.length > 0 && !createFirst) {
    steps.push(...instanceSteps('stackset.create-instances', base, toCreate, preferences));
  }
  if (toUpdate.length > 0) steps.push(...instanceSteps('stackset.update-instances', base, toUpdate, preferences));
  // Deletions last: a failed deletion never holds back the update of the instances that stay.
  if (toRetain.length + toDetach.length > 0) {
    steps.push(...instanceSteps('stackset.delete-instances', base, [...toRetain, ...toDetach], preferences, true));
  }
  if (toDelete.length > 0) {
    steps.push(...instanceSteps('stackset.delete-instances', base, toDelete, preferences, false));
  }
  // An UpdateStackSet records ownership as it goes; otherwise adoption is one record, written first.
  if (adopt && !updated) steps.unshift(identify<AdoptStackSetStep>({ kind: 'stackset.adopt', ...base }));

  const action = updated ? 'update' : steps.some((s) => s.kind !== 'stackset.adopt') ? 'instances' : 'none';
  return {
    summary: {
      ...summary(base, action),
      adopt,
      templateChanged,
      parameterChanges:
        noEchoChanged && !parameterChanges.some((c) => noEcho.has(c.key))
          ? [...parameterChanges, ...noEchoChangeNote(noEcho)]
          : parameterChanges,
      tagChanges,
      instancesToCreate: toCreate.length,
      instancesToUpdate: reasons.length > 0 ? kept.length : toUpdate.length,
      instancesToDelete: toDelete.length + toRetain.length + toDetach.length,
      knownAfterApply,
    },
    steps,
    findings,
  };
}

/** Plans a stack set that left the manifest: deleted only when deletion is enabled and it is ours. */
export function planStackSetRemoval(
  state: StackSetState,
  enableDeletion: boolean,
  context: StackSetPlanContext,
): StackSetResourcePlan {
  const base = { resource: state.name, stackSetName: state.name };
  const findings: Finding[] = [];
  const where = { resource: state.name };
  if (ownershipOf(state, context.settings) !== 'owned') {
    findings.push(
      engineFinding('CFCT-K040', {
        message: `stack set ${state.name} has the prefix but is not in the manifest and carries no ${INSTALLATION_TAG_KEY}=${context.settings.installationId} tag; it is left alone`,
        hint: 'delete it by hand if it is no longer needed',
        ...where,
      }),
    );
    return { summary: summary(base, 'none'), steps: [], findings };
  }
  if (!enableDeletion) {
    findings.push(
      engineFinding('CFCT-K041', {
        message: `stack set ${state.name} is no longer in the manifest; it is kept because enable_stack_set_deletion is false`,
        hint: 'set enable_stack_set_deletion: true to delete it and its instances',
        ...where,
      }),
    );
    return { summary: summary(base, 'none'), steps: [], findings };
  }
  const preferences = resolveOperationPreferences(undefined, context.settings.defaultOperationPreferences);
  const left = state.instances.filter((i) =>
    ['SUSPENDED', 'PENDING_CLOSURE', 'PENDING_ACTIVATION'].includes(context.accountState(i.account) ?? ''),
  );
  const active = state.instances.filter((i) => context.accountState(i.account) === 'ACTIVE');
  const inoperable = active.filter((i) => i.status === 'INOPERABLE');
  const retain = [
    ...state.instances.filter((i) => ['CLOSED', undefined].includes(context.accountState(i.account))),
    ...inoperable,
  ];
  const remove = active.filter((i) => i.status !== 'INOPERABLE');
  if (inoperable.length > 0) {
    const f = inoperableFinding(state.name, inoperable);
    findings.push({ ...f, resource: state.name });
  }
  const steps: StackSetStep[] = [
    ...instanceSteps('stackset.delete-instances', base, retain, preferences, true),
    ...instanceSteps('stackset.delete-instances', base, remove, preferences, false),
  ];
  if (left.length > 0) {
    findings.push(
      engineFinding('CFCT-K042', {
        message: `stack set ${state.name} keeps ${left.length} instance(s) in suspended or closing accounts, so it cannot be deleted in this run`,
        hint: 'once the accounts are closed, run again: their instances are then removed with RetainStacks',
        ...where,
      }),
    );
  } else {
    steps.push(identify<DeleteStackSetStep>({ kind: 'stackset.delete', ...base }));
  }
  return { summary: { ...summary(base, 'delete'), instancesToDelete: retain.length + remove.length }, steps, findings };
}

/** `account/region (status reason)`: an instance as messages name it. */
function withReason(instance: StackInstanceState): string {
  return instance.statusReason ? `${pairKey(instance)} (${instance.statusReason})` : pairKey(instance);
}

/** CFCT-K060: unwanted INOPERABLE instances are removed from the stack set, their stacks kept. */

function inoperableFinding(
  stackSetName: string,
  instances: readonly StackInstanceState[],
  resource?: StackSetResource,
): Finding {
  const listed = listFirst(instances.map(withReason), 10, ', ');
  const message = `${instances.length} stack instance(s) of ${stackSetName} are INOPERABLE after a failed deletion and no longer wanted: ${listed}. They are removed from the stack set with RetainStacks=true; their stacks stay in those accounts`;
  const hint =
    'delete each stack left in its account by hand (for example, empty the bucket that blocked its deletion, or restore the execution role first)';
  return engineFinding('CFCT-K060', {
    message,
    hint,
    ...(resource ? { location: resource.location, resource: resource.name } : {}),
  });
}

/** The plan of a resource that could not be planned, with the findings that say why. */
export function unplannedResource(
  resource: StackSetResource,
  settings: Pick<StackSetSettings, 'prefix'>,
  findings: readonly Finding[],
): StackSetResourcePlan {
  return {
    summary: summary({ resource: resource.name, stackSetName: stackSetNameFor(resource, settings) }, 'blocked'),
    steps: [],
    findings,
  };
}

function instanceSteps(
  kind: InstancesStep['kind'],
  base: { resource: string; stackSetName: string },
  pairs: readonly Pair[],
  preferences: InstancesStep['preferences'],
  retainStacks?: boolean,
): InstancesStep[] {
  return groupPairs(pairs).map((targets) =>
    identify<InstancesStep>({
      kind,
      ...base,
      targets,
      preferences,
      ...(retainStacks !== undefined ? { retainStacks } : {}),
    }),
  );
}

/**
 * Who owns a stack set: this installation when its tag or the management account's record says
 * so; an upstream stack set (upstream's tag, no owner tag, no record) is adopted by the default
 * installation; anything else belongs to someone else.
 */
function ownershipOf(state: StackSetState, settings: StackSetSettings): 'owned' | 'adopt' | 'foreign' {
  const owner = state.tags[INSTALLATION_TAG_KEY] ?? state.record?.owner;
  if (owner === settings.installationId) return 'owned';
  if (
    owner === undefined &&
    state.tags[UPSTREAM_TAG_KEY] === UPSTREAM_TAG_VALUE &&
    settings.installationId === DEFAULT_INSTALLATION_ID
  ) {
    return 'adopt';
  }
  return 'foreign';
}

function templateRef(template: DesiredStackSet['template']): TemplateRef {
  const bytes = Buffer.byteLength(template.text);
  return {
    hash: template.normalised.hash,
    bytes,
    ...(bytes <= INLINE_TEMPLATE_LIMIT_BYTES ? { body: template.text } : template.url ? { url: template.url } : {}),
  };
}

/** What CloudFormation's tag rules refuse in these tags (at most 50; keys 1-128, not `aws:`; values 1-256). */
export function cloudFormationTagProblems(tags: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  const entries = Object.entries(tags);
  if (entries.length > 50) {
    problems.push(`${entries.length} tags, at most 50 allowed (the engine adds up to 4 of its own)`);
  }
  for (const [key, value] of entries) {
    if (key.length < 1 || key.length > 128) {
      problems.push(`key '${key.slice(0, 40)}' is ${key.length} characters (1 to 128 allowed)`);
    }
    if (key.toLowerCase().startsWith('aws:')) problems.push(`key '${key}' starts with the reserved prefix aws:`);
    if (value.length < 1 || value.length > 256) {
      problems.push(`the value of '${key.slice(0, 40)}' is ${value.length} characters (1 to 256 allowed)`);
    }
  }
  return problems;
}

function withoutEngineTags(tags: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).filter(([k]) => !ENGINE_TAG_KEYS.includes(k)));
}

/** Tag keys added, removed or changed, ignoring `cfct:created`. */
function diffTags(desired: Readonly<Record<string, string>>, actual: Readonly<Record<string, string>>): string[] {
  const keys = new Set([...Object.keys(desired), ...Object.keys(actual)]);
  keys.delete(CREATED_TAG_KEY);
  return [...keys].filter((k) => desired[k] !== actual[k]).sort();
}

function noEchoChangeNote(noEcho: ReadonlySet<string>): ParameterChange[] {
  return [...noEcho].sort().map((key) => ({ key, change: 'changed' as const, from: '(secret)', to: '(secret)' }));
}

function summary(
  base: { resource: string; stackSetName: string },
  action: StackSetChangeSummary['action'],
): StackSetChangeSummary {
  return {
    ...base,
    action,
    adopt: false,
    templateChanged: false,
    parameterChanges: [],
    tagChanges: [],
    instancesToCreate: 0,
    instancesToUpdate: 0,
    instancesToDelete: 0,
    knownAfterApply: [],
  };
}

/**
 * CFCT-M070 where validation cannot see it: a SecureString read by `$[alfred_ssm_...]` (its type
 * is known only live), or a generated password with a remote template, given to a parameter that
 * is not NoEcho. An error unless the resource suppresses it with a reason.
 */
function secretsToPlainParameters(resource: StackSetResource, template: NormalisedTemplate, ssm: SsmView): Finding[] {
  const findings: Finding[] = [];
  for (const entry of resource.parameters) {
    if (template.noEchoParameters.includes(entry.key) || !template.declaredParameters.includes(entry.key)) continue;
    const tokens = parseParameterValue(entry.value);
    const secureRead = tokens.find((t) => t.kind === 'ssm' && ssm.get(t.name)?.type === 'SecureString');
    const remoteGenerated = resource.resourceFile.kind !== 'local' && tokens.some((t) => t.kind === 'genpass');
    if (!secureRead && !remoteGenerated) continue;
    const what =
      secureRead && secureRead.kind === 'ssm' ? `the SecureString ${secureRead.name}` : 'a generated password';
    findings.push(suppressedFor(resource, secretToPlainParameter(resource, entry, what)));
  }
  return findings;
}
