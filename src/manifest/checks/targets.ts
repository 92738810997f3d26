/**
 * Deployment targets: account ids, OU paths, and accounts on policies.
 */
import type { Finding } from '../findings';
import { isPolicy, type Manifest, type ManifestResource, type TargetEntry } from '../model';
import { finding } from '../rules';

const ROOT_ID = /^r-[0-9a-z]{4,32}$/;
const OU_ID = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;

function checkAccount(entry: TargetEntry, resource: string): Finding[] {
  const value = entry.value;
  if (/^[0-9]{12}$/.test(value) || !/^[0-9\s-]+$/.test(value)) return [];
  const digits = value.replace(/[^0-9]/g, '');
  return [
    finding('CFCT-M006', {
      message: `account id "${value}" does not have exactly 12 digits`,
      location: entry.location,
      hint:
        digits.length === 12
          ? `write it as '${digits}'`
          : 'an account id has 12 digits; check for missing or extra digits',
      resource,
    }),
  ];
}

/** Why `value` is not a well-formed OU reference, or undefined when it is one. */
function ouProblem(value: string): string | undefined {
  if (value === 'Root' || ROOT_ID.test(value) || OU_ID.test(value)) return undefined;
  if (value.startsWith('r-')) {
    return 'looks like a root id but is not one (r- followed by 4 to 32 lowercase letters or digits)';
  }
  const levels = value.split(':');
  if (levels.some((level) => level === '')) return 'has an empty level (a leading, trailing or doubled ":")';
  if (levels.some((level) => level !== level.trim())) return 'has spaces around a level name';
  if (levels.some((level) => level.length > 128)) return 'has a level name longer than 128 characters';
  return undefined;
}

function checkOu(entry: TargetEntry, resource: string): Finding[] {
  const problem = ouProblem(entry.value);
  if (!problem) return [];
  return [
    finding('CFCT-M008', {
      message: `organizational unit "${entry.value}" ${problem}`,
      location: entry.location,
      hint: 'write Root, an OU name, a nested path such as Workloads:Prod, or an ou-... id',
      resource,
    }),
  ];
}

function policyTargets(resource: ManifestResource & { attachToAccounts: boolean }): Finding[] {
  const findings: Finding[] = [];
  const targets = resource.deploymentTargets;
  if (targets.accounts.length > 0 && !resource.attachToAccounts) {
    findings.push(
      finding('CFCT-M014', {
        message: `accounts of ${resource.deployMethod} resource "${resource.name}" are ignored`,
        location: targets.accounts[0].location,
        hint: 'set attach_to_accounts: true to attach the policy to these accounts, or remove them',
        resource: resource.name,
      }),
    );
  }
  return findings;
}

/** Checks the targets of every resource: account ids, OU references, policy-only restrictions. */
export function checkTargets(manifest: Manifest): Finding[] {
  const findings: Finding[] = [];
  for (const resource of manifest.resources) {
    const targets = resource.deploymentTargets;
    for (const account of [...targets.accounts, ...targets.excludeAccounts]) {
      findings.push(...checkAccount(account, resource.name));
    }
    for (const ou of targets.organizationalUnits) findings.push(...checkOu(ou, resource.name));
    if (isPolicy(resource)) findings.push(...policyTargets(resource));
  }
  return findings;
}
