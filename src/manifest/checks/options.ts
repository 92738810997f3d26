/**
 * Checks on the manifest as written (before normalisation), where the presence of a key
 * matters: regions, options that do not fit the deploy method, inconsistent option values.
 */
import type { Finding } from '../findings';
import { KNOWN_REGIONS } from '../regions';
import { finding } from '../rules';
import { didYouMean } from '../suggest';
import { asText, isObject } from '../values';
import type { DocPath, PositionIndex } from '../yaml';

/** Keys of our extensions that only stack sets use. */
const STACK_SET_ONLY = ['depends_on', 'stack_set_name', 'operation_preferences', 'permission_model', 'auto_deployment'];
/** Target options that policies (inherited down the OU tree) do not support. */
const POLICY_TARGETS_NOT_ALLOWED = ['include_nested_ous', 'exclude_accounts'];
/** Keys that only policies use. */
const POLICY_ONLY = ['attach_to_accounts'];

function checkRegion(value: unknown, path: DocPath, positions: PositionIndex, resource?: string): Finding[] {
  const region = asText(value);
  if (KNOWN_REGIONS.includes(region)) return [];
  return [
    finding('CFCT-M009', {
      message: `"${region}" is not a known AWS region`,
      location: positions.at(path),
      hint: didYouMean(region, KNOWN_REGIONS) ?? 'use a region code such as us-east-1',
      resource,
    }),
  ];
}

function checkRegionList(value: unknown, path: DocPath, positions: PositionIndex, resource?: string): Finding[] {
  return Array.isArray(value)
    ? value.flatMap((region, i) => checkRegion(region, [...path, i], positions, resource))
    : [];
}

function misplaced(key: string, method: string, path: DocPath, positions: PositionIndex, resource: string): Finding {
  return finding('CFCT-M015', {
    message: `${key} is not valid for ${method} resource "${resource}"`,
    location: positions.keyAt([...path, key]),
    hint: POLICY_TARGETS_NOT_ALLOWED.includes(key)
      ? 'policies are inherited down the OU tree: attach them to the OUs (or accounts) they must cover'
      : `${key} applies to ${method === 'stack_set' ? 'scp and rcp' : 'stack_set'} resources only; remove it`,
    resource,
  });
}

function inconsistent(
  message: string,
  path: DocPath,
  positions: PositionIndex,
  resource: string | undefined,
  hint: string,
): Finding {
  return finding('CFCT-M018', {
    message,
    location: positions.keyAt(path),
    hint,
    ...(resource !== undefined ? { resource } : {}),
  });
}

/**
 * Checks operation preferences as written (`MaxConcurrentCount`, ... keys) beyond their schema: a
 * count with its percentage (CFCT-M018) and unknown regions in `RegionOrder` (CFCT-M009).
 * `subject` names them in messages: `operation_preferences of "x"`, or a command line flag.
 */
export function checkOperationPreferenceOptions(
  prefs: Record<string, unknown>,
  path: DocPath,
  positions: PositionIndex,
  subject: string,
  resource?: string,
): Finding[] {
  const findings: Finding[] = [];
  for (const [percentage, count] of [
    ['MaxConcurrentPercentage', 'MaxConcurrentCount'],
    ['FailureTolerancePercentage', 'FailureToleranceCount'],
  ]) {
    if (prefs[percentage] !== undefined && prefs[count] !== undefined) {
      findings.push(
        inconsistent(
          `${subject} set both ${percentage} and ${count}`,
          [...path, count],
          positions,
          resource,
          `keep ${percentage} or ${count}, not both`,
        ),
      );
    }
  }
  findings.push(...checkRegionList(prefs.RegionOrder, [...path, 'RegionOrder'], positions, resource));
  return findings;
}

function checkStackSetOptions(
  raw: Record<string, unknown>,
  path: DocPath,
  positions: PositionIndex,
  resource: string,
): Finding[] {
  const findings: Finding[] = [];
  if (raw.parameters !== undefined && raw.parameter_file !== undefined) {
    findings.push(
      finding('CFCT-M017', {
        message: `resource "${resource}" has both parameters and parameter_file`,
        location: positions.keyAt([...path, 'parameters']),
        hint: 'keep one of them: upstream silently passes no parameters when both are given',
        resource,
      }),
    );
  }
  if (raw.auto_deployment !== undefined && raw.permission_model !== 'service_managed') {
    findings.push(
      inconsistent(
        `auto_deployment of "${resource}" needs permission_model: service_managed`,
        [...path, 'auto_deployment'],
        positions,
        resource,
        'add permission_model: service_managed, or remove auto_deployment',
      ),
    );
  }
  const prefs = raw.operation_preferences;
  if (isObject(prefs)) {
    findings.push(
      ...checkOperationPreferenceOptions(
        prefs,
        [...path, 'operation_preferences'],
        positions,
        `operation_preferences of "${resource}"`,
        resource,
      ),
    );
  }
  findings.push(...checkRegionList(raw.regions, [...path, 'regions'], positions, resource));
  return findings;
}

/**
 * Checks a manifest (either version) as written: the home region, each resource's regions, options
 * that do not fit the resource's deploy method (CFCT-M015), `parameters` with `parameter_file`
 * (CFCT-M017) and inconsistent extension options (CFCT-M018). Resources for which `skip`
 * returns true (they failed the schema) are not checked.
 */
export function checkOptions(
  value: Record<string, unknown>,
  positions: PositionIndex,
  skip: (path: DocPath) => boolean,
): Finding[] {
  const findings = checkRegion(value.region, ['region'], positions);
  for (const key of ['resources', 'cloudformation_resources']) {
    const list = value[key];
    if (!Array.isArray(list)) continue;
    list.forEach((raw, i) => {
      const path = [key, i];
      if (!isObject(raw) || skip(path)) return;
      const resource = asText(raw.name);
      // Legacy cloudformation_resources are stack sets whether or not deploy_method is written.
      const method = key === 'cloudformation_resources' ? 'stack_set' : asText(raw.deploy_method);
      if (method === 'stack_set') {
        findings.push(...checkStackSetOptions(raw, path, positions, resource));
        for (const option of POLICY_ONLY) {
          if (raw[option] !== undefined) findings.push(misplaced(option, method, path, positions, resource));
        }
      } else {
        for (const option of STACK_SET_ONLY) {
          if (raw[option] !== undefined) findings.push(misplaced(option, method, path, positions, resource));
        }
        const targets = isObject(raw.deployment_targets) ? raw.deployment_targets : {};
        for (const option of POLICY_TARGETS_NOT_ALLOWED) {
          if (targets[option] !== undefined) {
            findings.push(misplaced(option, method, [...path, 'deployment_targets'], positions, resource));
          }
        }
      }
    });
  }
  return findings;
}
