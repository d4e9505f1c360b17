// test/support/browser.ts — a real browser for the web clients' tests: Debian's chromium
// (the `chromium` package, which .ci/run installs), driven headless by playwright-core.
// Never a downloaded browser. Without chromium the browser tests skip and say why, except
// under CI (REQUIRE_BROWSER=1), where a missing browser fails instead of hiding the tests.
//
// Screenshots go to test/screenshots/<name>-<size>.png (gitignored): a person looks at them
// after a run; docs/screenshots/ keeps the ones the README shows.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.resolve(import.meta.dirname, '../screenshots');

/** The sizes every main screen is looked at in: a laptop and a phone. */
export const VIEWPORTS = {
  desktop: { width: 1280, height: 860 },
  phone: { width: 390, height: 844 },
} as const;
export type ViewportName = keyof typeof VIEWPORTS;

/** Why the browser tests cannot run here, or undefined when they can. */
export function browserSkipReason(): string | undefined {
  if (fs.existsSync(CHROMIUM_PATH)) return undefined;
  const reason = `no chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`;
  if (process.env.REQUIRE_BROWSER === '1') throw new Error(`REQUIRE_BROWSER=1 but ${reason}`);
  return reason;
}

/**
 * Chromium headless with the flags this closed network needs: without the background
 * networking ones it keeps trying Google's hosts. A fresh profile per launch.
 */
export async function launchBrowser(): Promise<Browser> {
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

/** A new context (its own storage) at a viewport size; `phone` also emulates touch. */
export async function newContext(browser: Browser, size: ViewportName = 'desktop'): Promise<BrowserContext> {
  return browser.newContext({
    viewport: VIEWPORTS[size],
    deviceScaleFactor: 1,
    isMobile: size === 'phone',
    hasTouch: size === 'phone',
    reducedMotion: 'reduce',
  });
}

/** Keeps a screenshot of the page as test/screenshots/<name>-<size>.png. */
export async function screenshot(page: Page, name: string, size: ViewportName, fullPage = true): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}-${size}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}

/**
 * Collects what the page logs as errors and every uncaught exception: a test ends by
 * checking none came (a page that throws has a bug even when the test's clicks worked).
 */
export function watchPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return errors;
}
