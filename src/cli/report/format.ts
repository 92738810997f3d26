/** Wording shared by every report format, and by `validate`. */
import {
  isDestructivePolicy,
  isDestructiveStackSet,
  type InstanceGroup,
  type PolicyChange,
  type ReportModel,
  type StackSetChange,
} from './model';
import { plural } from '../../engine/plural';
import type { Finding } from '../../manifest/findings';

export const ACTION_SYMBOL: Readonly<Record<string, string>> = {
  create: '+',
  update: '~',
  adopt: '=',
  instances: '~',
  delete: '-',
  none: '~',
  blocked: '!',
};

/** How many entries (account ids, policy targets, resources) a list shows before it is summarised. */
export const ACCOUNTS_SHOWN = 10;

export { plural };

/** `a, b, c, and 7 more` past `shown` entries. */
export function foldList(items: readonly string[], shown = ACCOUNTS_SHOWN): string {
  const head = items.slice(0, shown).join(', ');
  return items.length > shown ? `${head}, and ${items.length - shown} more` : head;
}

/** `us-east-1: 3 accounts (111111111111, 222222222222, 333333333333)`, shortened past ACCOUNTS_SHOWN. */
export function describeGroup(group: InstanceGroup): string {
  return `${group.region}: ${plural(group.accounts.length, 'account')} (${foldList(group.accounts)})`;
}

/** The headline, in parts: what destroys, what changes the whole organization, everything else. */
export interface Headline {
  /** `1 policy to delete`, `2 detachments`, `1 stack set to delete`, `3 stack instances to delete`. */
  readonly destroy: readonly string[];
  /** `enable RCPs on the root r-ab12`. */
  readonly organization: readonly string[];
  /** Creations, updates, adoptions, attachments. */
  readonly change: readonly string[];
}

export function headline(report: ReportModel): Headline {
  const s = report.summary;
  const counted = (n: number, text: string) => (n > 0 ? [text] : []);
  const verbs = (
    counts: Readonly<Record<string, number>>,
    noun: string,
    list: readonly string[],
    notes: Readonly<Record<string, string>> = {},
  ) => {
    const items = list
      .filter((v) => counts[v] > 0)
      .map((v, i) => `${i === 0 ? plural(counts[v], noun) : counts[v]} to ${v}${notes[v] ? ` ${notes[v]}` : ''}`);
    return items.length > 0 ? [items.join(', ')] : [];
  };
  return {
    destroy: [
      ...counted(s.policies.delete, `${plural(s.policies.delete, 'policy')} to delete`),
      ...counted(s.policies.detach, plural(s.policies.detach, 'detachment')),
      ...counted(s.stackSets.delete, `${plural(s.stackSets.delete, 'stack set')} to delete`),
      ...counted(s.instances.delete, `${plural(s.instances.delete, 'stack instance')} to delete`),
    ],
    organization: report.organization,
    change: [
      ...verbs(s.policies, 'policy', ['create', 'update', 'adopt'], { update: adoptedNote(report) }),
      ...counted(s.policies.attach, plural(s.policies.attach, 'attachment')),
      ...verbs(s.stackSets, 'stack set', ['create', 'update']),
      ...verbs(s.instances, 'stack instance', ['create', 'update']),
    ],
  };
}

/** `(1 adopted)` after the policy update count when some of the updates also adopt; else ''. */
export function adoptedNote(report: ReportModel): string {
  const n = report.summary.policies.adoptedUpdates;
  return n > 0 ? `(${n} adopted)` : '';
}

/** The destructive part of the headline: `3 destructive changes: 1 policy to delete, 2 detachments`. */
export function destroyLine(report: ReportModel): string {
  const parts = headline(report).destroy;
  if (parts.length === 0) return '';
  return `${plural(report.summary.destructive, 'destructive change')}: ${parts.join(', ')}`;
}

/** One line of counts, destructive changes first, e.g. `1 destructive change: 1 detachment; 1 policy to create`. */
export function summaryLine(report: ReportModel): string {
  if (report.empty) {
    return report.incomplete
      ? 'No changes among the resources that could be planned.'
      : 'No changes. The organization matches the configuration package.';
  }
  const h = headline(report);
  return [destroyLine(report), ...h.organization, h.change.join(', ')].filter(Boolean).join('; ');
}

/** Why the plan is incomplete, or '' when it is complete. */
export function incompleteLine(report: ReportModel): string {
  const inc = report.incomplete;
  if (!inc) return '';
  const resources = inc.notPlanned.map((r) => r.resource);
  const which =
    resources.length > 0
      ? `${plural(resources.length, 'resource')} not planned (${foldList(resources)})`
      : 'some changes may be missing';
  return `INCOMPLETE: ${which} because of ${plural(inc.errors, 'error')}; fix them and plan again before applying.`;
}

/** `2 errors, 1 warning, 0 info`: the severity words of `validate` and of every plan format. */
export function countFindings(findings: readonly Pick<Finding, 'severity'>[]): string {
  const n = (level: Finding['severity']) => findings.filter((f) => f.severity === level).length;
  return `${plural(n('error'), 'error')}, ${plural(n('warning'), 'warning')}, ${n('info')} info`;
}

export function findingsLine(report: ReportModel): string {
  const f = report.summary.findings;
  return `${plural(f.error, 'error')}, ${plural(f.warning, 'warning')}, ${f.info} info`;
}

const POLICY_VERB: Readonly<Record<string, string>> = {
  create: 'create',
  update: 'update',
  adopt: 'adopt',
  delete: 'delete',
  none: 'update attachments of',
};
const STACK_SET_VERB: Readonly<Record<string, string>> = {
  create: 'create',
  update: 'update',
  adopt: 'adopt',
  delete: 'delete',
  instances: 'update instances of',
  blocked: 'cannot plan',
  none: 'keep',
};

/** `- delete SCP deny-root-user`, `~ update attachments of SCP guardrails`: one wording for every heading. */
export function policyHeading(policy: PolicyChange): string {
  const adopted = policy.adopted && policy.action !== 'adopt' ? ' (adopted)' : '';
  return `${policySymbol(policy)} ${POLICY_VERB[policy.action]} ${policy.type} ${policy.name}${adopted}`;
}

/** `- delete stack set CustomControlTower-x`, `+ create stack set ...`. */
export function stackSetHeading(stackSet: StackSetChange): string {
  const symbol = stackSet.action !== 'delete' && isDestructiveStackSet(stackSet) ? '-' : ACTION_SYMBOL[stackSet.action];
  return `${symbol} ${STACK_SET_VERB[stackSet.action]} stack set ${stackSet.stackSetName}`;
}

/** The policy symbol a heading starts with: `-` when it deletes or detaches. */
export function policySymbol(policy: PolicyChange): string {
  return isDestructivePolicy(policy) ? '-' : ACTION_SYMBOL[policy.action];
}
