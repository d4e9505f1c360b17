// test/browser-stage.test.ts — the live draw stage page (web/stage/) in chromium, on a phone
// and a desktop at once, following a draw that goes through its whole day in seconds: the
// countdown on the server's clock, the live sales, the seal as published, the balls one by
// one in the drawn order, then the proof link and the prize table. An unknown draw says so
// and offers draws to watch. Screenshots: stage-desktop.png, stage-phone.png (and -unknown).
import t from 'tap';
import type { Browser, Page } from 'playwright-core';
import { CUTOFF_GRACE_MS } from '../../core/limits.ts';
import { closeDueDraws, drawById } from '../../ledger/draws.ts';
import { browserSkipReason, launchBrowser, newContext, screenshot, watchPageErrors, type ViewportName } from '../support/browser.ts';
import { http, line, newPlayer, openDraw, startTestServer, type TestServer } from '../support/harness.ts';
import { sell } from '../support/draws.ts';

const skip = browserSkipReason();
let ts: TestServer;
let browser: Browser;

t.before(async () => {
  if (skip) return;
  ts = await startTestServer();
  browser = await launchBrowser();
});

t.teardown(async () => {
  await browser?.close();
  await ts?.close();
});

async function openStage(size: ViewportName, drawId: string): Promise<{ page: Page; errors: string[] }> {
  const context = await newContext(browser, size);
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  await page.goto(`${ts.httpUrl}/draw/${drawId}`);
  return { page, errors };
}

t.test('a viewer follows a draw from countdown to prizes, on a phone and a desktop', { skip }, async (t) => {
  const player = await newPlayer(ts.httpUrl, 100_000);
  // Ten seconds of sales: opening two browsers on a busy machine takes some of them.
  const draw = await openDraw(ts.pool, 10_000, Date.now(), 300);
  const views = await Promise.all((['desktop', 'phone'] as const).map(async (size) => ({ size, ...(await openStage(size, draw.publicId)) })));
  for (const { page } of views) {
    await page.getByRole('heading', { name: 'Lotto 6/49' }).waitFor();
    await page.getByText('Sales close in').waitFor();
    t.match(await page.locator('.countdown').innerText(), /^\d s$/, 'a countdown to the cutoff in seconds');
  }
  await sell(ts, draw.publicId, [{ token: player.token, bets: [{ lines: [line(1, 2, 3, 4, 5, 6)] }, { quickPick: 3 }] }]);
  for (const { page } of views) await page.getByTestId('tickets').getByText('2 tickets').waitFor({ timeout: 5_000 });
  await screenshot(views[1].page, 'stage-open', 'phone');

  await new Promise((r) => setTimeout(r, Math.max(0, draw.cutoffAtMs + CUTOFF_GRACE_MS + 50 - Date.now())));
  await closeDueDraws(ts.pool, CUTOFF_GRACE_MS, draw.id);
  t.ok(await ts.server.draws.runner.seal(draw.id));
  const record = await http(ts.httpUrl, 'GET', `/api/draws/${draw.publicId}`);
  for (const { page } of views) {
    await page.getByTestId('seal').waitFor({ timeout: 5_000 });
    t.match(await page.getByTestId('seal').innerText(), record.body.seal.ticketRoot, 'the published root');
  }

  t.equal(await ts.server.draws.runner.draw(draw.id), 'drawn');
  t.equal(await ts.server.draws.runner.settle(draw.id), 'settled');
  const settled = (await drawById(ts.pool, draw.id))!;
  const expected = settled.numbers!.flat().map(String);
  const page = views[0].page;
  // The balls arrive one at a time: each count is seen before the next.
  for (let k = 1; k <= expected.length; k++) {
    await page.locator('.ball.fresh').nth(k - 1).waitFor({ timeout: 6_000 });
    const shown = await page.locator('.ball.fresh').allInnerTexts();
    t.ok(shown.length <= k + 1, `ball ${k} arrives without the rest (${shown.length} shown)`);
  }
  t.same(await page.locator('.ball.fresh').allInnerTexts(), expected, 'the drawn numbers, in order');
  for (const view of views) {
    await view.page.getByRole('heading', { name: 'Results' }).waitFor({ timeout: 5_000 });
    await view.page.getByRole('table').waitFor({ timeout: 5_000 });
    const rows = await view.page.locator('tbody tr').count();
    t.equal(rows, settled.prizeTiers!.length, `${view.size}: a row per tier`);
    const proof = view.page.getByRole('link', { name: /Verify this draw/ });
    t.equal(await proof.getAttribute('href'), `/api/draws/${draw.publicId}/proof`);
    await screenshot(view.page, 'stage', view.size);
    const overflow = await view.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    t.equal(overflow, 0, `${view.size}: nothing wider than the screen`);
    t.same(view.errors, [], `${view.size}: no page errors`);
  }
  // Keyboard: the proof link is reachable by Tab.
  let reached = false;
  for (let i = 0; i < 12 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.textContent?.includes('Verify this draw') ?? false);
  }
  t.ok(reached, 'the proof link is reachable with the keyboard');
});

t.test('an unknown draw says so and lists draws to watch', { skip }, async (t) => {
  const draw = await openDraw(ts.pool);
  for (const size of ['desktop', 'phone'] as const) {
    const { page, errors } = await openStage(size, 'no-such-draw');
    await page.getByRole('heading', { name: 'No such draw' }).waitFor();
    await page.getByRole('link', { name: /./ }).first().waitFor();
    t.ok(await page.locator(`a[href="/draw/${draw.publicId}"]`).count(), 'the open draw is offered');
    await screenshot(page, 'stage-unknown', size);
    // The refused join is a 404 the browser logs as a failed resource; nothing else may fail.
    t.same(errors.filter((e) => !/status of 404/.test(e)), [], `${size}: no page errors`);
  }
});
