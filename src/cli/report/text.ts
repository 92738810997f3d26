/** The plan as plain text, for terminals and CI logs; coloured when given `ansi`. */
import { plain, paintBySymbol, type Paint } from './color';
import {
  destroyLine,
  describeGroup,
  findingsLine,
  foldList,
  headline,
  incompleteLine,
  policyHeading,
  stackSetHeading,
  summaryLine,
} from './format';
import type { InstanceGroup, ReportModel } from './model';
import { formatFinding } from '../../manifest/findings';

const indent = (text: string, by: string) =>
  text
    .split('\n')
    .filter((line, i, all) => line !== '' || i < all.length - 1)
    .map((line) => `${by}${line}`);

export interface TextOptions {
  /** @default plain (no colour) */
  readonly paint?: Paint;
}

export function renderText(report: ReportModel, options: TextOptions = {}): string {
  const paint = options.paint ?? plain;
  const groups = (label: string, list: readonly InstanceGroup[], destroys = false): string[] =>
    list.length === 0
      ? []
      : [`    ${label}:`, ...list.map((g) => `      ${describeGroup(g)}`)].map((l) => (destroys ? paint.red(l) : l));

  const lines: string[] = [paint.bold(report.title), ''];
  const incomplete = incompleteLine(report);
  if (incomplete) lines.push(paint.red(paint.bold(`Plan ${incomplete}`)));
  const destroy = destroyLine(report);
  if (report.empty || !destroy) {
    lines.push(`Plan: ${summaryLine(report)}`);
  } else {
    const h = headline(report);
    lines.push(`Plan: ${paint.red(destroy)}`);
    const rest = [...h.organization, h.change.join(', ')].filter(Boolean).join('; ');
    if (rest) lines.push(`      ${rest}`);
  }
  lines.push(`Findings: ${findingsLine(report)}`);

  if (report.organization.length > 0) {
    lines.push('', 'Organization');
    for (const change of report.organization) lines.push(paint.yellow(`  ~ ${change}`));
  }

  const policies = report.policies.filter((p) => p.action !== 'none' || p.attach.length + p.detach.length > 0);
  if (policies.length > 0) {
    lines.push('', 'Policies');
    for (const p of policies) {
      lines.push(paintBySymbol(paint, `  ${policyHeading(p)}`));
      if (p.descriptionChange) {
        lines.push(
          `    description: ${p.descriptionChange.before ?? '(none)'} -> ${p.descriptionChange.after ?? '(none)'}`,
        );
      }
      if (p.contentDiff) lines.push(...indent(p.contentDiff, '    ').map((l) => paintBySymbol(paint, l)));
      if (p.detach.length > 0) lines.push(paint.red(`    detach from: ${foldList(p.detach)}`));
      if (p.attach.length > 0) lines.push(`    attach to: ${foldList(p.attach)}`);
    }
  }

  const stackSets = report.stackSets.filter((s) => s.action !== 'none');
  if (stackSets.length > 0) {
    lines.push('', 'Stack sets');
    for (const s of stackSets) {
      lines.push(
        paintBySymbol(paint, `  ${stackSetHeading(s)}${s.reasons.length ? ` (${s.reasons.join(', ')})` : ''}`),
      );
      lines.push(...groups('instances to delete', s.delete, true));
      for (const c of s.parameterChanges) {
        lines.push(`    parameter ${c.key}: ${c.before ?? '(not set)'} -> ${c.after ?? '(removed)'}`);
      }
      if (s.templateDiff) lines.push(...indent(s.templateDiff, '    ').map((l) => paintBySymbol(paint, l)));
      lines.push(...groups('instances to create', s.create), ...groups('instances to update', s.update));
      if (s.knownAfterApply.length > 0) lines.push(`    known after apply: ${s.knownAfterApply.join(', ')}`);
    }
  }

  if (report.findings.length > 0) {
    lines.push('', 'Findings');
    for (const f of report.findings) {
      const line = `  ${formatFinding(f)}`;
      lines.push(f.severity === 'error' ? paint.red(line) : f.severity === 'warning' ? paint.yellow(line) : line);
    }
  }
  return `${lines.join('\n')}\n`;
}
