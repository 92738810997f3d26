/** Wording shared by every report format. */
import type { InstanceGroup, PolicyChange, ReportModel } from './model';
import { plural } from '../../engine/plural';

export const ACTION_SYMBOL: Readonly<Record<string, string>> = {
  create: '+',
  update: '~',
  adopt: '=',
  instances: '~',
  delete: '-',
  none: ' ',
  blocked: '!',
};

/** How many account ids a group lists before it is summarised. */
export const ACCOUNTS_SHOWN = 10;

export { plural };

/** `us-east-1: 3 accounts (111111111111, 222222222222, 333333333333)`, shortened past ACCOUNTS_SHOWN. */
export function describeGroup(group: InstanceGroup): string {
  const shown = group.accounts.slice(0, ACCOUNTS_SHOWN).join(', ');
  const more = group.accounts.length > ACCOUNTS_SHOWN ? `, and ${group.accounts.length - ACCOUNTS_SHOWN} more` : '';
  return `${group.region}: ${plural(group.accounts.length, 'account')} (${shown}${more})`;
}

/** One line of counts, e.g. `2 policies to create, 1 to update; 1 stack set to create; 6 instances to create`. */
export function summaryLine(report: ReportModel): string {
  if (report.empty && report.summary.findings.error > 0) return 'Nothing planned: the plan has errors (see Findings); fix them and plan again.';
  if (report.empty) return 'No changes. The organization matches the configuration package.';
  const part = (counts: Readonly<Record<string, number>>, noun: string, verbs: readonly string[]) => {
    const items = verbs.filter((v) => counts[v] > 0).map((v, i) => (i === 0 ? `${plural(counts[v], noun)} to ${v}` : `${counts[v]} to ${v}`));
    return items.join(', ');
  };
  const policies = report.summary.policies;
  const attachments = [
    policies.attach > 0 ? plural(policies.attach, 'attachment') : '',
    policies.detach > 0 ? plural(policies.detach, 'detachment') : '',
  ].filter(Boolean);
  return [
    [part(policies, 'policy', ['create', 'update', 'adopt', 'delete']), ...attachments]
      .filter(Boolean)
      .join(', '),
    part(report.summary.stackSets, 'stack set', ['create', 'update', 'delete']),
    part(report.summary.instances, 'stack instance', ['create', 'update', 'delete']),
  ]
    .filter(Boolean)
    .join('; ');
}

export function findingsLine(report: ReportModel): string {
  const f = report.summary.findings;
  return `${plural(f.error, 'error')}, ${plural(f.warning, 'warning')}, ${f.info} info`;
}

/** ` (update, adopted)`, ` (create)`, or nothing for a policy whose only changes are attachments. */
export function policyActionLabel(policy: PolicyChange): string {
  const parts = [...(policy.action === 'none' ? [] : [policy.action]), ...(policy.adopted && policy.action !== 'adopt' ? ['adopted'] : [])];
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}
