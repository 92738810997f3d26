/// <reference lib="dom" />
/**
 * The plan a reviewer trusts: what `cfct plan` says about incomplete plans, package findings,
 * organization-wide and destructive changes, in text and in the HTML report in headless Chromium.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { deletionsWorld, type DeletionsWorld } from './deletions-world';
import { EXAMPLE, EXAMPLE_ORGANIZATION } from './live-world';
import { cfct, tempDir } from './support';
import { buildReport } from '../../src/cli/report/build';
import { ansi } from '../../src/cli/report/color';
import { renderHtml } from '../../src/cli/report/html';
import type { ReportModel } from '../../src/cli/report/model';
import { renderText } from '../../src/cli/report/text';
import { browserForTests, openHtml } from '../support/browser';

/** A copy of the bundled example with its manifest edited. */
function examplePackage(edit: (manifest: string) => string): string {
  const dir = join(tempDir('cfct-reviewer-'), 'package');
  cpSync(EXAMPLE, dir, { recursive: true });
  const path = join(dir, 'manifest.yaml');
  const before = readFileSync(path, 'utf8');
  const after = edit(before);
  if (after === before) throw new Error('the edit changed nothing');
  writeFileSync(path, after);
  return dir;
}

const REMOTE_TEMPLATE = (m: string) =>
  m.replace(
    'resource_file: templates/security-audit-role.yaml',
    'resource_file: s3://org-templates/security-audit-role.yaml',
  );

describe('the text plan', () => {
  test('a plan with errors opens with INCOMPLETE, how many resources were not planned, and why', async () => {
    const pkg = examplePackage(REMOTE_TEMPLATE);
    const result = await cfct('plan', pkg, '--organization', EXAMPLE_ORGANIZATION);
    expect(result.code).toBe(1);
    const lines = result.stdout.split('\n');
    expect(lines[2]).toBe(
      'Plan INCOMPLETE: 1 resource not planned (security-audit-role) because of 1 error; fix them and plan again before applying.',
    );
    expect(result.stdout).not.toContain('The organization matches the configuration package');
  });

  test('offline, a remote template is reported as not read offline, with --live as the way to read it', async () => {
    const pkg = examplePackage(REMOTE_TEMPLATE);
    const result = await cfct('plan', pkg, '--organization', EXAMPLE_ORGANIZATION, '--format', 'json');
    const finding = JSON.parse(result.stdout).findings.find((f: { ruleId: string }) => f.ruleId === 'CFCT-K050');
    expect(finding.message).toBe(
      'the template s3://org-templates/security-audit-role.yaml of security-audit-role cannot be read: not read offline; the stack set was not planned',
    );
    expect(finding.hint).toBe('plan with --live to read remote templates from S3');
  });

  test("the plan carries the package's validation warnings (an account id written as a number)", async () => {
    const pkg = examplePackage((m) => m.replace('        - "222222222222"', '        - 22222222222'));
    const validate = await cfct('validate', pkg);
    expect(validate.stdout).toContain('CFCT-M007');
    const text = await cfct('plan', pkg, '--organization', EXAMPLE_ORGANIZATION);
    expect(text.stdout).toMatch(/manifest\.yaml:\d+:\d+ warning CFCT-M007/);
    const json = await cfct('plan', pkg, '--organization', EXAMPLE_ORGANIZATION, '--format', 'json');
    expect(JSON.parse(json.stdout).findings.map((f: { ruleId: string }) => f.ruleId)).toContain('CFCT-M007');
  });

  test('enabling a policy type on the root is in the summary line and in its own section', async () => {
    const result = await cfct('plan', EXAMPLE, '--organization', EXAMPLE_ORGANIZATION);
    const headline = result.stdout.split('\nFindings: ')[0];
    expect(headline).toContain('enable RCPs on the root r-ex12');
    expect(result.stdout).toContain('\nOrganization\n  ~ enable RCPs on the root r-ex12\n');
  });

  test('validate and plan count findings with the same severity words', async () => {
    const validate = await cfct('validate', EXAMPLE);
    const plan = await cfct('plan', EXAMPLE, '--organization', EXAMPLE_ORGANIZATION);
    const words = /\d+ errors?, \d+ warnings?, \d+ info/;
    expect(validate.stderr).toMatch(words);
    expect(plan.stdout.split('\n').find((l) => l.startsWith('Findings: '))).toMatch(words);
  });

  test('did you mean: an OU or account name that matches nothing gets the closest name of the organization', async () => {
    const pkg = examplePackage((m) =>
      m
        .replace('        - Workloads:Prod\n', '        - Workloads:Prd\n')
        .replace('        - Sandbox Developer\n', '        - Sandbox Developr\n'),
    );
    const result = await cfct('plan', pkg, '--organization', EXAMPLE_ORGANIZATION, '--format', 'json');
    const hints = JSON.parse(result.stdout).findings.map(
      (f: { ruleId: string; hint?: string }) => `${f.ruleId} ${f.hint}`,
    );
    expect(hints).toContain('CFCT-O002 did you mean "Workloads:Prod"?');
    expect(hints).toContain('CFCT-O004 did you mean "Sandbox Developer"?');
  });
});

describe('an update-with-deletions plan', () => {
  let world: DeletionsWorld;
  let report: ReportModel;
  beforeAll(async () => {
    world = await deletionsWorld();
    const json = await world.world.cfct('plan', world.pkg, '--live', '--format', 'json');
    report = buildReport(JSON.parse(json.stdout), 'cfct plan: deletions');
  });

  test('deletions, detachments and instance removals are counted first in the headline', () => {
    const text = renderText(report);
    expect(text).toContain(
      'Plan: 7 destructive changes: 1 policy to delete, 2 detachments, 1 stack set to delete, 3 stack instances to delete\n      1 stack set to update\n',
    );
  });

  test('destructive changes come first in their section', () => {
    expect(report.policies.map((p) => `${p.action}:${p.detach.length}`).slice(0, 2)).toEqual(['none:1', 'delete:1']);
    expect(report.stackSets[0]).toMatchObject({
      action: 'delete',
      stackSetName: 'CustomControlTower-audit-log-bucket',
    });
    const text = renderText(report);
    expect(text.indexOf('instances to delete:')).toBeLessThan(text.indexOf('parameter LogBucketName'));
  });

  test('headings say create/update/delete the same way for policies and stack sets', () => {
    const text = renderText(report);
    expect(text).toContain('\n  - delete SCP deny-root-user\n');
    expect(text).toContain('\n  - update attachments of SCP deny-leaving-organization\n');
    expect(text).toContain('\n  - delete stack set CustomControlTower-audit-log-bucket\n');
    expect(text).toContain('\n  - update stack set CustomControlTower-security-audit-role (template, parameters)\n');
  });

  test('on a terminal destructive lines are red; piped, there is no colour', () => {
    const coloured = renderText(report, { paint: ansi });
    expect(coloured).toContain('\u001b[31m  - delete SCP deny-root-user\u001b[39m');
    expect(coloured).toContain('\u001b[31m    detach from: Sandbox');
    expect(renderText(report)).not.toContain('\u001b[');
  });

  describe('html in headless Chromium', () => {
    const browser = browserForTests();
    const open = async (html: string, width = 1400): Promise<Page> => (await openHtml(browser(), html, width)).page;

    /** Share of clearly red pixels (as the report's #c92a2a) in a screenshot of an element. */
    async function redShare(page: Page, selector: string): Promise<number> {
      const png = await page.locator(selector).first().screenshot();
      const probe = await browser().newPage();
      try {
        return await probe.evaluate(async (b64) => {
          const image = new Image();
          image.src = `data:image/png;base64,${b64}`;
          await image.decode();
          const canvas = document.createElement('canvas');
          canvas.width = image.width;
          canvas.height = image.height;
          const context = canvas.getContext('2d')!;
          context.drawImage(image, 0, 0);
          const data = context.getImageData(0, 0, image.width, image.height).data;
          let red = 0;
          for (let i = 0; i < data.length; i += 4) if (data[i] > 150 && data[i + 1] < 90 && data[i + 2] < 90) red += 1;
          return red / (data.length / 4);
        }, png.toString('base64'));
      } finally {
        await probe.close();
      }
    }

    test('screenshot: fails when a deletion is not rendered as destructive (red)', async () => {
      const page = await open(renderHtml(report));
      const deletion = await redShare(page, 'section.stackset.delete');
      const detachment = await redShare(page, 'section.policy.destructive');
      // A creation in the example plan, for contrast: no red at all.
      expect(deletion).toBeGreaterThan(0.02);
      expect(detachment).toBeGreaterThan(0.02);
      const banner = await redShare(page, '#destroy');
      expect(banner).toBeGreaterThan(0.05);
      await page.close();
      const calm = await open(
        renderHtml(
          buildReport(
            JSON.parse(
              (await cfct('plan', EXAMPLE, '--organization', EXAMPLE_ORGANIZATION, '--format', 'json')).stdout,
            ),
            'x',
          ),
        ),
      );
      expect(await redShare(calm, 'section.stackset.create')).toBe(0);
      await calm.close();
    });

    test('zero counts are one quiet line, not cards; the page uses the window width', async () => {
      const page = await open(renderHtml(report));
      expect(await page.locator('.counts [data-count]').count()).toBe(6);
      expect(await page.locator('.counts [data-count="policies-create"]').count()).toBe(0);
      expect(await page.textContent('.zeros [data-count="policies-create"]')).toBe('0 policies to create');
      const zeroBox = await page.locator('.zeros [data-count="policies-create"]').boundingBox();
      const cardBox = await page.locator('.counts [data-count="policies-delete"]').boundingBox();
      expect(zeroBox!.height).toBeLessThan(cardBox!.height / 2);
      const table = await page.locator('#findings').boundingBox();
      expect(table!.width).toBeGreaterThan(1300);
      await page.close();
    });

    test('an account is listed once, rule ids do not wrap, template diffs are shown open', async () => {
      const page = await open(renderHtml(report), 480);
      expect(await page.locator('text=222222222222').count()).toBe(1);
      // The rule id's text sits on one line, however narrow the window.
      const lines = await page
        .locator('#findings td.rule')
        .first()
        .evaluate((cell) => {
          const range = document.createRange();
          range.selectNodeContents(cell);
          return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
        });
      expect(lines).toBe(1);
      expect(await page.locator('section.stackset .template-diff pre').isVisible()).toBe(true);
      await page.close();
    });

    test('an incomplete plan says so first, naming what was not planned and why', async () => {
      const pkg = examplePackage(REMOTE_TEMPLATE);
      const json = JSON.parse(
        (await cfct('plan', pkg, '--organization', EXAMPLE_ORGANIZATION, '--format', 'json')).stdout,
      );
      const page = await open(renderHtml(buildReport(json, 'incomplete')));
      expect(await page.textContent('body > :nth-child(2)')).toContain(
        'Plan INCOMPLETE: 1 resource not planned (security-audit-role) because of 1 error',
      );
      expect(await page.textContent('#incomplete li')).toContain('security-audit-role: CFCT-K050');
      await page.close();
    });
  });
});

describe('long lists', () => {
  test('are folded in text and HTML past 10 entries', async () => {
    const json = JSON.parse(
      (await cfct('plan', EXAMPLE, '--organization', EXAMPLE_ORGANIZATION, '--format', 'json')).stdout,
    );
    const report = buildReport(json, 'x');
    const many = Array.from({ length: 30 }, (_, i) => `ou-ab12-${String(i).padStart(8, '0')}`);
    const folded: ReportModel = { ...report, policies: [{ ...report.policies[0], detach: many }] };
    expect(renderText(folded)).toContain(`detach from: ${many.slice(0, 10).join(', ')}, and 20 more\n`);
    expect(renderHtml(folded)).toContain('<details class="detach"><summary>Detach from: 30</summary>');
  });
});
