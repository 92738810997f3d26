import { readFileSync } from 'node:fs';
import { EXAMPLE, EXAMPLE_ORGANIZATION } from './live-world';
import { buildReport } from '../../src/cli/report/build';
import { renderHtml } from '../../src/cli/report/html';
import { renderMarkdown } from '../../src/cli/report/markdown';
import type { ReportModel } from '../../src/cli/report/model';
import { renderText } from '../../src/cli/report/text';
import { parseSnapshot } from '../../src/engine/organization/serialise';
import { planRun } from '../../src/engine/run';
import { loadPackage } from '../../src/manifest';
import { browserForTests, openHtml } from '../support/browser';

const accounts = (n: number, from = 100000000000) => Array.from({ length: n }, (_, i) => String(from + i));

function sampleReport(overrides: Partial<ReportModel> = {}): ReportModel {
  return {
    title: 'cfct plan: example',
    inputs: { package: 'abc123', organization: 'def456' },
    summary: {
      policies: { create: 1, update: 1, adopt: 0, adoptedUpdates: 0, delete: 0, attach: 2, detach: 1 },
      stackSets: { create: 1, update: 1, delete: 0 },
      instances: { create: 27, update: 0, delete: 1 },
      findings: { error: 0, warning: 1, info: 0 },
      organization: 0,
      destructive: 2,
    },
    organization: [],
    policies: [
      {
        name: 'deny-leave',
        type: 'SCP',
        action: 'create',
        attach: ['Workloads (ou-ab12-11111111)', 'Sandbox (ou-ab12-22222222)'],
        detach: [],
      },
      {
        name: 'deny-root',
        type: 'SCP',
        action: 'update',
        contentDiff: '--- deny-root (current)\n+++ deny-root (planned)\n-  "Effect": "Allow"\n+  "Effect": "Deny"\n',
        attach: [],
        detach: ['Legacy (ou-ab12-33333333)'],
      },
      { name: 'unchanged', type: 'RCP', action: 'none', attach: [], detach: [] },
    ],
    stackSets: [
      {
        resource: 'audit-log-bucket',
        stackSetName: 'CustomControlTower-audit-log-bucket',
        action: 'create',
        reasons: [],
        parameterChanges: [{ key: 'RetentionDays', after: '365' }],
        create: [{ region: 'us-east-1', accounts: accounts(1) }],
        update: [],
        delete: [],
        knownAfterApply: [],
      },
      {
        resource: 'security-audit-role',
        stackSetName: 'CustomControlTower-security-audit-role',
        action: 'update',
        reasons: ['parameters'],
        parameterChanges: [
          { key: 'LogBucketName', before: 'old-bucket', after: '(known after apply)' },
          { key: 'Password', before: '(secret)', after: '(secret)' },
        ],
        create: [
          { region: 'eu-west-1', accounts: accounts(13) },
          { region: 'us-east-1', accounts: accounts(13) },
        ],
        update: [],
        delete: [{ region: 'us-east-1', accounts: ['999999999999'] }],
        knownAfterApply: ['LogBucketName'],
      },
    ],
    findings: [
      {
        ruleId: 'CFCT-T004',
        severity: 'warning',
        message: 'account 444444444444 is SUSPENDED and is left out',
        location: { file: 'manifest.yaml', line: 40, column: 11 },
        hint: 'remove it from the manifest once it is closed',
      },
    ],
    graph: {
      nodes: [
        { id: 'audit-log-bucket', action: 'create' },
        { id: 'security-audit-role', action: 'update' },
      ],
      edges: [{ from: 'audit-log-bucket', to: 'security-audit-role' }],
    },
    empty: false,
    ...overrides,
  };
}

describe('plan report', () => {
  test('text: summary, diffs, attachments and aggregated instance lists', () => {
    const text = renderText(sampleReport());
    expect(text).toContain(
      'Plan: 2 destructive changes: 1 detachment, 1 stack instance to delete\n' +
        '      1 policy to create, 1 to update, 2 attachments, 1 stack set to create, 1 to update, 27 stack instances to create',
    );
    expect(text).toContain('Findings: 0 errors, 1 warning, 0 info');
    expect(text).toContain(
      '  + create SCP deny-leave\n    attach to: Workloads (ou-ab12-11111111), Sandbox (ou-ab12-22222222)',
    );
    expect(text).toContain('    +  "Effect": "Deny"');
    expect(text).toContain('  - update SCP deny-root\n');
    expect(text).toContain('    detach from: Legacy (ou-ab12-33333333)');
    expect(text).not.toContain('unchanged');
    expect(text).toContain('      eu-west-1: 13 accounts (100000000000, 100000000001');
    expect(text).toContain(', and 3 more)');
    expect(text).toContain('    parameter LogBucketName: old-bucket -> (known after apply)');
    expect(text).toContain('manifest.yaml:40:11 warning CFCT-T004');
  });

  test('text: an empty plan says there is nothing to do', () => {
    const text = renderText(
      sampleReport({
        empty: true,
        policies: [],
        stackSets: [],
        findings: [],
        summary: {
          policies: { create: 0, update: 0, adopt: 0, adoptedUpdates: 0, delete: 0, attach: 0, detach: 0 },
          stackSets: { create: 0, update: 0, delete: 0 },
          instances: { create: 0, update: 0, delete: 0 },
          findings: { error: 0, warning: 0, info: 0 },
          organization: 0,
          destructive: 0,
        },
      }),
    );
    expect(text).toContain('Plan: No changes. The organization matches the configuration package.');
  });

  test('markdown: counts table, folded long lists and a Mermaid graph', () => {
    const md = renderMarkdown(sampleReport());
    expect(md).toContain('| Stack instances | 27 |  | **1** |  |');
    expect(md).toContain('> **2 destructive changes: 1 detachment, 1 stack instance to delete**');
    expect(md).toContain('<details><summary>Instances to create: 26</summary>');
    expect(md).toContain('**Instances to create** (1):');
    expect(md).toContain(
      '```mermaid\nflowchart TD\n  n0["audit-log-bucket (create)"]:::create\n  n1["security-audit-role (update)"]:::update\n  n0 --> n1',
    );
    expect(md).toContain('| warning | `CFCT-T004` | manifest.yaml:40:11 |');
  });

  describe('html in headless Chromium', () => {
    const browser = browserForTests();
    const open = (html: string) => openHtml(browser(), html);

    test('loads without errors and shows the counts and the graph', async () => {
      const { page, errors } = await open(renderHtml(sampleReport()));
      expect(errors).toEqual([]);
      expect(await page.textContent('[data-count="instances-create"] b')).toBe('27');
      expect(await page.textContent('[data-count="policies-detach"] b')).toBe('1');
      expect(await page.textContent('#summary')).toContain('1 stack set to create');
      expect(await page.locator('#graph svg g.node').count()).toBe(2);
      expect(await page.locator('#graph svg line').count()).toBe(1);
      // Short instance lists are open, long ones folded.
      expect(await page.locator('section.stackset.create details[open]').count()).toBe(1);
      expect(await page.locator('section.stackset.update details.create:not([open])').count()).toBe(1);
      await page.close();
    });

    test('the example plan renders with its counts, findings and graph', async () => {
      const loaded = await loadPackage(EXAMPLE);
      const parsed = parseSnapshot(readFileSync(EXAMPLE_ORGANIZATION, 'utf8'));
      const { plan } = await planRun({
        manifest: loaded.manifest!,
        files: loaded.files,
        snapshot: parsed.snapshot!,
        readTemplate: async (ref) => loaded.files.read(ref.path!)?.toString('utf8'),
      });
      const { page, errors } = await open(renderHtml(buildReport(plan, 'cfct plan: example')));
      expect(errors).toEqual([]);
      expect(await page.textContent('[data-count="policies-create"] b')).toBe('2');
      // deny-root-user is adopted and updated: one update, noted as adopted, and no separate adoption.
      expect(await page.textContent('[data-count="policies-update"]')).toBe('1policies to update (1 adopted)');
      expect(await page.textContent('[data-count="policies-adopt"] b')).toBe('0');
      expect(await page.textContent('section.policy.update h3')).toContain('update SCP deny-root-user (adopted)');
      expect(await page.textContent('[data-count="instances-create"] b')).toBe('5');
      expect(await page.textContent('[data-count="findings-warning"] b')).toBe('2');
      expect(await page.locator('#findings tr.warning').count()).toBe(2);
      expect(await page.locator('#graph svg g.node').count()).toBe(2);
      await page.close();
    });

    test('escapes names and messages, so a hostile package cannot script the report', async () => {
      const hostile = '<img src=x onerror="document.title=\'owned\'">';
      const report = sampleReport();
      const html = renderHtml({
        ...report,
        policies: [{ ...report.policies[0], name: hostile }],
        findings: [{ ...report.findings[0], message: hostile }],
      });
      const { page, errors } = await open(html);
      expect(errors).toEqual([]);
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.title()).toBe('cfct plan: example');
      expect(await page.textContent('section.policy.create h3')).toContain(hostile);
      await page.close();
    });
  });
});
