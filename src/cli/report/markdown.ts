/** The plan as Markdown (a pull request comment, a CodeBuild report, a wiki page). */
import {
  adoptedNote,
  describeGroup,
  destroyLine,
  findingsLine,
  foldList,
  headline,
  incompleteLine,
  policyHeading,
  stackSetHeading,
  summaryLine,
} from './format';
import { toMermaid } from './graph';
import { instanceCount, type InstanceGroup, type ReportModel } from './model';
import { formatLocation } from '../../manifest/findings';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const fence = (lang: string, body: string) => `\`\`\`${lang}\n${body.replace(/\n$/, '')}\n\`\`\``;

function instanceSection(label: string, list: readonly InstanceGroup[]): string[] {
  if (list.length === 0) return [];
  const body = list.map((g) => `- ${describeGroup(g)}`).join('\n');
  const count = instanceCount(list);
  // Long lists fold away; short ones stay visible.
  return count > 10
    ? [`<details><summary>${label}: ${count}</summary>`, '', body, '', '</details>', '']
    : [`**${label}** (${count}):`, '', body, ''];
}

export function renderMarkdown(report: ReportModel): string {
  const out: string[] = [`# ${report.title}`, ''];
  const incomplete = incompleteLine(report);
  if (incomplete) out.push('> [!CAUTION]', `> **Plan ${incomplete}**`, '');
  const destroy = destroyLine(report);
  if (destroy && !report.empty) {
    const h = headline(report);
    out.push('> [!WARNING]', `> **${destroy}**`, '');
    const rest = [...h.organization, h.change.join(', ')].filter(Boolean).join('; ');
    if (rest) out.push(`**Plan:** ${rest}`, '');
  } else {
    out.push(`**Plan:** ${summaryLine(report)}`, '');
  }
  out.push(`**Findings:** ${findingsLine(report)}`, '');
  const s = report.summary;
  const row = (label: string, c: number, u: number, d: number, other: string, updateNote = '') => {
    if (c + u + d === 0 && !other) return [];
    const updates = u && updateNote ? `${u} ${updateNote}` : u || '';
    return [`| ${label} | ${c || ''} | ${updates} | ${d ? `**${d}**` : ''} | ${other} |`];
  };
  const otherPolicies = [
    s.policies.adopt ? `${s.policies.adopt} adopt` : '',
    s.policies.attach ? `${s.policies.attach} attach` : '',
    s.policies.detach ? `**${s.policies.detach} detach**` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const rows = [
    ...row('Policies', s.policies.create, s.policies.update, s.policies.delete, otherPolicies, adoptedNote(report)),
    ...row('Stack sets', s.stackSets.create, s.stackSets.update, s.stackSets.delete, ''),
    ...row('Stack instances', s.instances.create, s.instances.update, s.instances.delete, ''),
  ];
  if (rows.length > 0) out.push('| | create | update | delete | other |', '|---|---:|---:|---:|---|', ...rows, '');

  if (report.organization.length > 0) {
    out.push('## Organization', '', ...report.organization.map((c) => `- \`~\` ${c}`), '');
  }

  const policies = report.policies.filter((p) => p.action !== 'none' || p.attach.length + p.detach.length > 0);
  if (policies.length > 0) {
    out.push('## Policies', '');
    for (const p of policies) {
      const [symbol, ...rest] = policyHeading(p).split(' ');
      out.push(`### \`${symbol}\` ${rest.join(' ')}`, '');
      if (p.descriptionChange) {
        out.push(
          `Description: ${p.descriptionChange.before ?? '(none)'} → ${p.descriptionChange.after ?? '(none)'}`,
          '',
        );
      }
      if (p.contentDiff) out.push(fence('diff', p.contentDiff), '');
      if (p.detach.length > 0) out.push(`**Detach from:** ${foldList(p.detach)}`, '');
      if (p.attach.length > 0) out.push(`Attach to: ${foldList(p.attach)}`, '');
    }
  }

  const stackSets = report.stackSets.filter((x) => x.action !== 'none');
  if (stackSets.length > 0) {
    out.push('## Stack sets', '');
    for (const x of stackSets) {
      const [symbol, ...rest] = stackSetHeading(x).split(' ');
      out.push(`### \`${symbol}\` ${rest.join(' ')}`, '');
      if (x.reasons.length > 0) out.push(`Why: ${x.reasons.join(', ')}`, '');
      out.push(...instanceSection('Instances to delete', x.delete));
      if (x.parameterChanges.length > 0) {
        out.push('| Parameter | Before | After |', '|---|---|---|');
        for (const c of x.parameterChanges) {
          out.push(`| ${cell(c.key)} | ${cell(c.before ?? '(not set)')} | ${cell(c.after ?? '(removed)')} |`);
        }
        out.push('');
      }
      if (x.templateDiff) out.push('Template diff:', '', fence('diff', x.templateDiff), '');
      out.push(
        ...instanceSection('Instances to create', x.create),
        ...instanceSection('Instances to update', x.update),
      );
      if (x.knownAfterApply.length > 0) out.push(`Known after apply: ${x.knownAfterApply.join(', ')}`, '');
    }
  }

  if (report.graph.nodes.length > 0) out.push('## Stack set order', '', fence('mermaid', toMermaid(report.graph)), '');

  if (report.findings.length > 0) {
    out.push('## Findings', '', '| Severity | Rule | Where | Message | Hint |', '|---|---|---|---|---|');
    for (const f of report.findings) {
      out.push(
        `| ${f.severity} | \`${f.ruleId}\` | ${cell(formatLocation(f.location))} | ${cell(f.message)} | ${cell(f.hint ?? '')} |`,
      );
    }
    out.push('');
  }
  const inputs = Object.entries(report.inputs);
  if (inputs.length > 0) out.push(`<sub>${inputs.map(([k, v]) => `${k} \`${v}\``).join(' · ')}</sub>`, '');
  return out.join('\n');
}
