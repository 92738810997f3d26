/**
 * Headless Chromium for tests that look at what the project shows a person. Uses Debian's
 * `chromium` (installed by `.ci/run`) through playwright-core, which never downloads a browser.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Launches Chromium with the flags this machine's closed network needs. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install Debian's chromium package (.ci/run does)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/**
 * One browser for the tests of a `describe` block: launched before them, closed after. Returns
 * a getter (the browser exists only once `beforeAll` has run).
 */
export function browserForTests(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('the browser is launched in beforeAll');
    return browser;
  };
}

/** A page showing `html` (a window `width` pixels wide, else the default), with the errors it reported. */
export async function openHtml(
  browser: Browser,
  html: string,
  width?: number,
): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage(width === undefined ? {} : { viewport: { width, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.setContent(html, { waitUntil: 'load' });
  return { page, errors };
}
