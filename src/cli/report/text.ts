/** The plan as plain text, for terminals and CI logs. */
import { ACTION_SYMBOL, policyActionLabel, describeGroup, findingsLine, summaryLine } from './format';
import type { InstanceGroup, ReportModel } from './model';
import { formatFinding } from '../../manifest/findings';

const indent = (text: string, by: string) =>
  text
    .split('\n')
    .filter((line, i, all) => line !== '' || i < all.length - 1)
    .map((line) => `${by}${line}`)
    .join('\n');

function groups(label: string, list: readonly InstanceGroup[]): string[] {
  return list.length === 0 ? [] : [`    ${label}:`, ...list.map((g) => `      ${describeGroup(g)}`)];
}

export function renderText(report: ReportModel): string {
  const lines: string[] = [report.title, '', `Plan: ${summaryLine(report)}`, `Findings: ${findingsLine(report)}`];

  const policies = report.policies.filter((p) => p.action !== 'none' || p.attach.length + p.detach.length > 0);
  if (policies.length > 0) {
    lines.push('', 'Policies');
    for (const p of policies) {
      lines.push(`  ${ACTION_SYMBOL[p.action]} ${p.type} ${p.name}${policyActionLabel(p)}`);
      if (p.descriptionChange) {
        lines.push(`    description: ${p.descriptionChange.before ?? '(none)'} -> ${p.descriptionChange.after ?? '(none)'}`);
      }
      if (p.contentDiff) lines.push(indent(p.contentDiff, '    '));
      if (p.attach.length > 0) lines.push(`    attach to: ${p.attach.join(', ')}`);
      if (p.detach.length > 0) lines.push(`    detach from: ${p.detach.join(', ')}`);
    }
  }

  const stackSets = report.stackSets.filter((s) => s.action !== 'none');
  if (stackSets.length > 0) {
    lines.push('', 'Stack sets');
    for (const s of stackSets) {
      lines.push(`  ${ACTION_SYMBOL[s.action]} ${s.stackSetName} (${s.action}${s.reasons.length ? `: ${s.reasons.join(', ')}` : ''})`);
      for (const c of s.parameterChanges) {
        lines.push(`    parameter ${c.key}: ${c.before ?? '(not set)'} -> ${c.after ?? '(removed)'}`);
      }
      if (s.templateDiff) lines.push(indent(s.templateDiff, '    '));
      lines.push(...groups('instances to create', s.create), ...groups('instances to update', s.update), ...groups('instances to delete', s.delete));
      if (s.knownAfterApply.length > 0) lines.push(`    known after apply: ${s.knownAfterApply.join(', ')}`);
    }
  }

  if (report.findings.length > 0) {
    lines.push('', 'Findings');
    for (const f of report.findings) lines.push(`  ${formatFinding(f)}`);
  }
  return `${lines.join('\n')}\n`;
}
