/**
 * Writes screenshots of the HTML report of an update-with-deletions plan (see deletions-world.ts)
 * to a folder outside the repository, for a person to look at:
 *
 *   npx ts-node --transpile-only -P test/tsconfig.json test/cli/report-screens.ts /tmp/cfct-screens after
 *
 * writes /tmp/cfct-screens/after-1400.png (a wide window) and after-800.png (a narrow one).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { deletionsWorld } from './deletions-world';
import { launchChromium, openHtml } from '../support/browser';

async function main(): Promise<void> {
  const [outDir = '/tmp/cfct-screens', label = 'report'] = process.argv.slice(2);
  mkdirSync(outDir, { recursive: true });
  const { world, pkg } = await deletionsWorld();
  const planned = await world.cfct('plan', pkg, '--live', '--format', 'html');
  const browser = await launchChromium();
  try {
    for (const width of [1400, 800]) {
      const { page } = await openHtml(browser, planned.stdout, width);
      const file = join(outDir, `${label}-${width}.png`);
      await page.screenshot({ path: file, fullPage: true });
      process.stdout.write(`wrote ${file}\n`);
      await page.close();
    }
  } finally {
    await browser.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
