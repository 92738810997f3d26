/** The plan as one self-contained HTML page: no scripts, no external resources. */
import { ACTION_SYMBOL, describeGroup, findingsLine, policyActionLabel, summaryLine } from './format';
import { toSvg } from './graph';
import { instanceCount, type InstanceGroup, type ReportModel } from './model';
import { formatLocation } from '../../manifest/findings';

const esc = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

function diffBlock(diff: string): string {
  const lines = diff.replace(/\n$/, '').split('\n').map((line) => {
    const cls = line.startsWith('+') && !line.startsWith('+++') ? 'add' : line.startsWith('-') && !line.startsWith('---') ? 'del' : '';
    return cls ? `<span class="${cls}">${esc(line)}</span>` : esc(line);
  });
  return `<pre class="diff">${lines.join('\n')}</pre>`;
}

function instances(label: string, list: readonly InstanceGroup[]): string {
  if (list.length === 0) return '';
  const count = instanceCount(list);
  const items = list.map((g) => `<li>${esc(describeGroup(g))}<div class="accounts">${g.accounts.map(esc).join(' ')}</div></li>`).join('');
  return `<details${count <= 10 ? ' open' : ''}><summary>${esc(label)}: ${count}</summary><ul>${items}</ul></details>`;
}

const STYLE = `
body{font-family:system-ui,sans-serif;margin:2rem;color:#212529;max-width:72rem}
h1{font-size:1.5rem}h2{margin-top:2rem;border-bottom:1px solid #dee2e6}
.counts{display:flex;gap:1rem;flex-wrap:wrap}.count{border:1px solid #dee2e6;border-radius:6px;padding:.5rem 1rem;min-width:8rem}
.count b{display:block;font-size:1.5rem}
.item{border-left:4px solid #adb5bd;padding:.25rem 1rem;margin:1rem 0}
.item.create{border-color:#2b8a3e}.item.update,.item.instances{border-color:#e67700}.item.adopt{border-color:#1971c2}
.item.delete,.item.blocked{border-color:#c92a2a}
pre.diff{background:#f8f9fa;padding:.5rem;overflow-x:auto}.add{color:#2b8a3e}.del{color:#c92a2a}
table{border-collapse:collapse}td,th{border:1px solid #dee2e6;padding:.25rem .5rem;text-align:left;vertical-align:top}
.error{color:#c92a2a}.warning{color:#e67700}.accounts{font-family:monospace;font-size:.85rem;color:#495057}
`;

export function renderHtml(report: ReportModel): string {
  const s = report.summary;
  const count = (id: string, label: string, n: number) =>
    `<div class="count" data-count="${id}"><b>${n}</b>${esc(label)}</div>`;
  const body: string[] = [
    `<h1>${esc(report.title)}</h1>`,
    `<p id="summary">${esc(summaryLine(report))}</p>`,
    '<div class="counts">',
    count('policies-create', 'policies to create', s.policies.create),
    count('policies-update', 'policies to update', s.policies.update),
    count('policies-adopt', 'policies to adopt', s.policies.adopt),
    count('policies-attach', 'attachments', s.policies.attach),
    count('policies-detach', 'detachments', s.policies.detach),
    count('policies-delete', 'policies to delete', s.policies.delete),
    count('stacksets-create', 'stack sets to create', s.stackSets.create),
    count('stacksets-update', 'stack sets to update', s.stackSets.update),
    count('stacksets-delete', 'stack sets to delete', s.stackSets.delete),
    count('instances-create', 'instances to create', s.instances.create),
    count('instances-update', 'instances to update', s.instances.update),
    count('instances-delete', 'instances to delete', s.instances.delete),
    count('findings-error', 'errors', s.findings.error),
    count('findings-warning', 'warnings', s.findings.warning),
    '</div>',
    `<p>Findings: ${esc(findingsLine(report))}</p>`,
  ];

  const policies = report.policies.filter((p) => p.action !== 'none' || p.attach.length + p.detach.length > 0);
  if (policies.length > 0) {
    body.push('<h2>Policies</h2>');
    for (const p of policies) {
      body.push(`<section class="item policy ${p.action}"><h3>${esc(`${ACTION_SYMBOL[p.action]} ${p.type} ${p.name}`)} <small>${esc(policyActionLabel(p).trim())}</small></h3>`);
      if (p.descriptionChange) body.push(`<p>Description: ${esc(p.descriptionChange.before ?? '(none)')} → ${esc(p.descriptionChange.after ?? '(none)')}</p>`);
      if (p.contentDiff) body.push(diffBlock(p.contentDiff));
      if (p.attach.length > 0) body.push(`<p>Attach to: ${esc(p.attach.join(', '))}</p>`);
      if (p.detach.length > 0) body.push(`<p>Detach from: ${esc(p.detach.join(', '))}</p>`);
      body.push('</section>');
    }
  }

  const stackSets = report.stackSets.filter((x) => x.action !== 'none');
  if (stackSets.length > 0) {
    body.push('<h2>Stack sets</h2>');
    for (const x of stackSets) {
      body.push(`<section class="item stackset ${x.action}"><h3>${esc(`${ACTION_SYMBOL[x.action]} ${x.stackSetName}`)} <small>${esc(x.action)}</small></h3>`);
      if (x.reasons.length > 0) body.push(`<p>Why: ${esc(x.reasons.join(', '))}</p>`);
      if (x.parameterChanges.length > 0) {
        body.push('<table><tr><th>Parameter</th><th>Before</th><th>After</th></tr>');
        for (const c of x.parameterChanges) body.push(`<tr><td>${esc(c.key)}</td><td>${esc(c.before ?? '(not set)')}</td><td>${esc(c.after ?? '(removed)')}</td></tr>`);
        body.push('</table>');
      }
      if (x.templateDiff) body.push(`<details><summary>Template diff</summary>${diffBlock(x.templateDiff)}</details>`);
      body.push(instances('Instances to create', x.create), instances('Instances to update', x.update), instances('Instances to delete', x.delete));
      if (x.knownAfterApply.length > 0) body.push(`<p>Known after apply: ${esc(x.knownAfterApply.join(', '))}</p>`);
      body.push('</section>');
    }
  }

  if (report.graph.nodes.length > 0) body.push('<h2>Stack set order</h2>', `<figure id="graph">${toSvg(report.graph)}</figure>`);

  if (report.findings.length > 0) {
    body.push('<h2>Findings</h2><table id="findings"><tr><th>Severity</th><th>Rule</th><th>Where</th><th>Message</th><th>Hint</th></tr>');
    for (const f of report.findings) {
      body.push(
        `<tr class="${f.severity}"><td>${f.severity}</td><td>${esc(f.ruleId)}</td><td>${esc(formatLocation(f.location))}</td><td>${esc(f.message)}</td><td>${esc(f.hint ?? '')}</td></tr>`,
      );
    }
    body.push('</table>');
  }
  const inputs = Object.entries(report.inputs);
  if (inputs.length > 0) body.push(`<footer><small>${inputs.map(([k, v]) => `${esc(k)} <code>${esc(v)}</code>`).join(' · ')}</small></footer>`);

  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; img-src data:">',
    `<title>${esc(report.title)}</title><style>${STYLE}</style></head>`,
    `<body>${body.join('\n')}</body></html>`,
    '',
  ].join('\n');
}
