/**
 * The stack set dependency graph as a picture: Mermaid for Markdown, inline SVG for HTML.
 * Nodes are laid out in layers by their longest dependency path, so every edge points down.
 */
import type { ReportModel } from './model';

type Graph = ReportModel['graph'];

/** Layer of each node: 0 for nodes without dependencies, else 1 + the deepest dependency. */
export function layers(graph: Graph): Map<string, number> {
  const deps = new Map<string, string[]>(graph.nodes.map((n) => [n.id, []]));
  for (const e of graph.edges) deps.get(e.to)?.push(e.from);
  const layer = new Map<string, number>();
  const visit = (id: string, seen: Set<string>): number => {
    const known = layer.get(id);
    if (known !== undefined) return known;
    if (seen.has(id)) return 0; // a cycle (reported as a finding); draw it flat
    seen.add(id);
    const value = Math.max(-1, ...(deps.get(id) ?? []).map((d) => visit(d, seen))) + 1;
    layer.set(id, value);
    return value;
  };
  for (const n of graph.nodes) visit(n.id, new Set());
  return layer;
}

const mermaidId = (i: number) => `n${i}`;

/** A Mermaid flowchart (top to bottom) with one class per action. */
export function toMermaid(graph: Graph): string {
  const index = new Map(graph.nodes.map((n, i) => [n.id, i]));
  const lines = ['flowchart TD'];
  graph.nodes.forEach((n, i) =>
    lines.push(`  ${mermaidId(i)}["${n.id.replace(/"/g, '#quot;')} (${n.action})"]:::${n.action}`),
  );
  for (const e of graph.edges) lines.push(`  ${mermaidId(index.get(e.from)!)} --> ${mermaidId(index.get(e.to)!)}`);
  lines.push(
    '  classDef create fill:#d4f7d4,stroke:#2b8a3e',
    '  classDef update fill:#fff3bf,stroke:#e67700',
    '  classDef instances fill:#fff3bf,stroke:#e67700',
    '  classDef adopt fill:#e7f5ff,stroke:#1971c2',
    '  classDef delete fill:#ffe3e3,stroke:#c92a2a',
    '  classDef blocked fill:#ffe3e3,stroke:#c92a2a',
    '  classDef none fill:#f1f3f5,stroke:#868e96',
  );
  return lines.join('\n');
}

const FILL: Readonly<Record<string, string>> = {
  create: '#d4f7d4',
  update: '#fff3bf',
  instances: '#fff3bf',
  adopt: '#e7f5ff',
  delete: '#ffe3e3',
  blocked: '#ffe3e3',
  none: '#f1f3f5',
};

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** An inline SVG of the graph. */
export function toSvg(graph: Graph): string {
  const BOX_W = 220;
  const BOX_H = 40;
  const GAP_X = 30;
  const GAP_Y = 50;
  const layerOf = layers(graph);
  const rows = new Map<number, string[]>();
  for (const n of graph.nodes) {
    const l = layerOf.get(n.id) ?? 0;
    rows.set(l, [...(rows.get(l) ?? []), n.id]);
  }
  const widest = Math.max(1, ...[...rows.values()].map((r) => r.length));
  const width = widest * (BOX_W + GAP_X) + GAP_X;
  const height = Math.max(1, rows.size) * (BOX_H + GAP_Y) + GAP_Y / 2;
  const pos = new Map<string, { x: number; y: number }>();
  for (const [l, ids] of rows) {
    const offset = (width - ids.length * (BOX_W + GAP_X) + GAP_X) / 2;
    ids.forEach((id, i) => pos.set(id, { x: offset + i * (BOX_W + GAP_X), y: GAP_Y / 2 + l * (BOX_H + GAP_Y) }));
  }
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Stack set dependency graph" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#495057"/></marker></defs>',
  ];
  for (const e of graph.edges) {
    const a = pos.get(e.from);
    const b = pos.get(e.to);
    if (!a || !b) continue;
    parts.push(
      `<line x1="${a.x + BOX_W / 2}" y1="${a.y + BOX_H}" x2="${b.x + BOX_W / 2}" y2="${b.y}" stroke="#495057" marker-end="url(#arrow)"/>`,
    );
  }
  for (const n of graph.nodes) {
    const p = pos.get(n.id)!;
    const label = n.id.length > 28 ? `${n.id.slice(0, 27)}…` : n.id;
    parts.push(
      `<g class="node" data-action="${n.action}"><title>${escapeXml(`${n.id} (${n.action})`)}</title>` +
        `<rect x="${p.x}" y="${p.y}" width="${BOX_W}" height="${BOX_H}" rx="6" fill="${FILL[n.action] ?? FILL.none}" stroke="#495057"/>` +
        `<text x="${p.x + BOX_W / 2}" y="${p.y + 17}" text-anchor="middle" font-size="13" font-family="sans-serif">${escapeXml(label)}</text>` +
        `<text x="${p.x + BOX_W / 2}" y="${p.y + 32}" text-anchor="middle" font-size="11" font-family="sans-serif" fill="#495057">${n.action}</text></g>`,
    );
  }
  parts.push('</svg>');
  return parts.join('\n');
}
