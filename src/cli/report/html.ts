/** The plan as one self-contained HTML page: no scripts, no external resources. */
import {
  ACCOUNTS_SHOWN,
  adoptedNote,
  destroyLine,
  findingsLine,
  headline,
  incompleteLine,
  plural,
  policyHeading,
  stackSetHeading,
  summaryLine,
} from './format';
import { toSvg } from './graph';
import {
  instanceCount,
  isDestructivePolicy,
  isDestructiveStackSet,
  type InstanceGroup,
  type ReportModel,
} from './model';
import { formatLocation } from '../../manifest/findings';

const esc = (text: string) =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

function diffBlock(diff: string): string {
  const lines = diff
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => {
      const cls =
        line.startsWith('+') && !line.startsWith('+++')
          ? 'add'
          : line.startsWith('-') && !line.startsWith('---')
            ? 'del'
            : '';
      return cls ? `<span class="${cls}">${esc(line)}</span>` : esc(line);
    });
  return `<pre class="diff">${lines.join('\n')}</pre>`;
}

function instances(label: string, list: readonly InstanceGroup[], cls: string): string {
  if (list.length === 0) return '';
  const count = instanceCount(list);
  const item = (g: InstanceGroup) => {
    const accounts = `<div class="accounts">${g.accounts.map(esc).join(' ')}</div>`;
    return `<li><b>${esc(g.region)}</b>: ${esc(plural(g.accounts.length, 'account'))}${accounts}</li>`;
  };
  const open = count <= ACCOUNTS_SHOWN ? ' open' : '';
  const summary = `<summary>${esc(label)}: ${count}</summary>`;
  return `<details class="instances ${cls}"${open}>${summary}<ul>${list.map(item).join('')}</ul></details>`;
}

/** A list of targets, folded into a `<details>` past ACCOUNTS_SHOWN entries. */
function targets(label: string, list: readonly string[], cls: string): string {
  if (list.length === 0) return '';
  if (list.length <= ACCOUNTS_SHOWN) return `<p class="${cls}">${esc(label)}: ${esc(list.join(', '))}</p>`;
  const summary = `<summary>${esc(label)}: ${list.length}</summary>`;
  return `<details class="${cls}">${summary}<p>${esc(list.join(', '))}</p></details>`;
}

const STYLE = `
body{font-family:system-ui,sans-serif;margin:1.5rem 2rem;color:#212529}
h1{font-size:1.5rem;overflow-wrap:anywhere}h2{margin-top:2rem;border-bottom:1px solid #dee2e6}h3{margin:.5rem 0}
.banner{border-radius:6px;padding:.75rem 1rem;margin:.75rem 0;font-weight:600}
.banner.incomplete{background:#ffe3e3;border:2px solid #c92a2a;color:#a61e1e}
.banner.destroy{background:#fff5f5;border:2px solid #c92a2a;color:#c92a2a}
.banner ul{margin:.25rem 0 0;font-weight:400}
.counts{display:flex;gap:.75rem;flex-wrap:wrap;margin:.75rem 0}.count{border:1px solid #dee2e6;border-radius:6px;padding:.4rem .9rem}
.count b{display:block;font-size:1.5rem}.count.destroy{border:2px solid #c92a2a;color:#c92a2a;background:#fff5f5}
.zeros{color:#868e96;font-size:.85rem;margin:.25rem 0}.zeros .count{display:inline;border:0;padding:0;margin-right:.75rem}.zeros .count b{display:inline;font-size:inherit}
.item{border-left:4px solid #adb5bd;padding:.25rem 1rem;margin:1rem 0}
.item.create{border-color:#2b8a3e}.item.update,.item.instances,.item.none{border-color:#e67700}.item.adopt{border-color:#1971c2}
.item.delete,.item.blocked,.item.destructive{border-color:#c92a2a;border-left-width:6px;background:#fff5f5}
.item.delete h3,.item.destructive h3{color:#c92a2a}
.detach,.instances.delete{color:#c92a2a;font-weight:600}
pre.diff{background:#f8f9fa;padding:.5rem;overflow-x:auto}.add{color:#2b8a3e}.del{color:#c92a2a}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #dee2e6;padding:.25rem .5rem;text-align:left;vertical-align:top}
table.params{width:auto}td.rule,td.severity,td.where{white-space:nowrap}
.error{color:#c92a2a}.warning{color:#e67700}.accounts{font-family:monospace;font-size:.85rem;color:#495057;font-weight:400}
#graph{overflow-x:auto;margin:0}
`;

export function renderHtml(report: ReportModel): string {
  const s = report.summary;
  const counts: { id: string; label: string; n: number; destroys?: boolean }[] = [
    { id: 'policies-delete', label: 'policies to delete', n: s.policies.delete, destroys: true },
    { id: 'policies-detach', label: 'detachments', n: s.policies.detach, destroys: true },
    { id: 'stacksets-delete', label: 'stack sets to delete', n: s.stackSets.delete, destroys: true },
    { id: 'instances-delete', label: 'instances to delete', n: s.instances.delete, destroys: true },
    { id: 'organization', label: 'organization-wide changes', n: s.organization },
    { id: 'policies-create', label: 'policies to create', n: s.policies.create },
    {
      id: 'policies-update',
      label: `policies to update${s.policies.adoptedUpdates ? ` ${adoptedNote(report)}` : ''}`,
      n: s.policies.update,
    },
    { id: 'policies-adopt', label: 'policies to adopt', n: s.policies.adopt },
    { id: 'policies-attach', label: 'attachments', n: s.policies.attach },
    { id: 'stacksets-create', label: 'stack sets to create', n: s.stackSets.create },
    { id: 'stacksets-update', label: 'stack sets to update', n: s.stackSets.update },
    { id: 'instances-create', label: 'instances to create', n: s.instances.create },
    { id: 'instances-update', label: 'instances to update', n: s.instances.update },
    { id: 'findings-error', label: 'errors', n: s.findings.error, destroys: true },
    { id: 'findings-warning', label: 'warnings', n: s.findings.warning },
  ];
  const card = (c: (typeof counts)[number]) =>
    `<div class="count${c.destroys ? ' destroy' : ''}" data-count="${c.id}"><b>${c.n}</b>${esc(c.label)}</div>`;
  const body: string[] = [`<h1>${esc(report.title)}</h1>`];
  const incomplete = incompleteLine(report);
  if (incomplete && report.incomplete) {
    const items = report.incomplete.notPlanned.map(
      (r) => `<li><b>${esc(r.resource)}</b>: <code>${esc(r.ruleId)}</code> ${esc(r.reason)}</li>`,
    );
    const list = items.length > 0 ? `<ul>${items.join('')}</ul>` : '';
    body.push(`<div id="incomplete" class="banner incomplete">Plan ${esc(incomplete)}${list}</div>`);
  }
  const destroy = destroyLine(report);
  if (destroy && !report.empty) {
    const h = headline(report);
    body.push(`<div id="destroy" class="banner destroy">${esc(destroy)}</div>`);
    const rest = [...h.organization, h.change.join(', ')].filter(Boolean).join('; ');
    body.push(`<p id="summary">${esc(rest ? `Also: ${rest}` : 'Nothing else changes.')}</p>`);
  } else {
    body.push(`<p id="summary">${esc(summaryLine(report))}</p>`);
  }
  const nonZero = counts.filter((c) => c.n > 0);
  const zero = counts.filter((c) => c.n === 0);
  if (nonZero.length > 0) body.push(`<div class="counts">${nonZero.map(card).join('')}</div>`);
  if (zero.length > 0) {
    const zeros = zero.map((c) => `<span class="count" data-count="${c.id}"><b>${c.n}</b> ${esc(c.label)}</span>`);
    body.push(`<p class="zeros">Nothing: ${zeros.join('')}</p>`);
  }
  body.push(`<p>Findings: ${esc(findingsLine(report))}</p>`);

  if (report.organization.length > 0) {
    body.push('<h2>Organization</h2>');
    for (const change of report.organization) {
      body.push(`<section class="item organization update"><h3>${esc(`~ ${change}`)}</h3></section>`);
    }
  }

  const policies = report.policies.filter((p) => p.action !== 'none' || p.attach.length + p.detach.length > 0);
  if (policies.length > 0) {
    body.push('<h2>Policies</h2>');
    for (const p of policies) {
      const destructive = isDestructivePolicy(p) ? ' destructive' : '';
      body.push(`<section class="item policy ${p.action}${destructive}"><h3>${esc(policyHeading(p))}</h3>`);
      if (p.descriptionChange) {
        body.push(
          `<p>Description: ${esc(p.descriptionChange.before ?? '(none)')} → ${esc(p.descriptionChange.after ?? '(none)')}</p>`,
        );
      }
      body.push(targets('Detach from', p.detach, 'detach'));
      if (p.contentDiff) body.push(diffBlock(p.contentDiff));
      body.push(targets('Attach to', p.attach, 'attach'));
      body.push('</section>');
    }
  }

  const stackSets = report.stackSets.filter((x) => x.action !== 'none');
  if (stackSets.length > 0) {
    body.push('<h2>Stack sets</h2>');
    for (const x of stackSets) {
      const destructive = isDestructiveStackSet(x) ? ' destructive' : '';
      body.push(`<section class="item stackset ${x.action}${destructive}"><h3>${esc(stackSetHeading(x))}</h3>`);
      if (x.reasons.length > 0) body.push(`<p>Why: ${esc(x.reasons.join(', '))}</p>`);
      body.push(instances('Instances to delete', x.delete, 'delete'));
      if (x.parameterChanges.length > 0) {
        body.push('<table class="params"><tr><th>Parameter</th><th>Before</th><th>After</th></tr>');
        for (const c of x.parameterChanges) {
          body.push(
            `<tr><td>${esc(c.key)}</td><td>${esc(c.before ?? '(not set)')}</td><td>${esc(c.after ?? '(removed)')}</td></tr>`,
          );
        }
        body.push('</table>');
      }
      if (x.templateDiff) {
        body.push(`<div class="template-diff"><p>Template diff:</p>${diffBlock(x.templateDiff)}</div>`);
      }
      body.push(
        instances('Instances to create', x.create, 'create'),
        instances('Instances to update', x.update, 'update'),
      );
      if (x.knownAfterApply.length > 0) body.push(`<p>Known after apply: ${esc(x.knownAfterApply.join(', '))}</p>`);
      body.push('</section>');
    }
  }

  if (report.graph.nodes.length > 0) {
    body.push('<h2>Stack set order</h2>', `<figure id="graph">${toSvg(report.graph)}</figure>`);
  }

  if (report.findings.length > 0) {
    body.push(
      '<h2>Findings</h2><table id="findings"><tr><th>Severity</th><th>Rule</th><th>Where</th><th>Message</th><th>Hint</th></tr>',
    );
    for (const f of report.findings) {
      body.push(
        `<tr class="${f.severity}"><td class="severity">${f.severity}</td><td class="rule">${esc(f.ruleId)}</td><td class="where">${esc(formatLocation(f.location))}</td><td>${esc(f.message)}</td><td>${esc(f.hint ?? '')}</td></tr>`,
      );
    }
    body.push('</table>');
  }
  const inputs = Object.entries(report.inputs);
  if (inputs.length > 0) {
    body.push(
      `<footer><small>${inputs.map(([k, v]) => `${esc(k)} <code>${esc(v)}</code>`).join(' · ')}</small></footer>`,
    );
  }

  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; img-src data:">',
    `<title>${esc(report.title)}</title><style>${STYLE}</style></head>`,
    `<body>${body.filter(Boolean).join('\n')}</body></html>`,
    '',
  ].join('\n');
}
