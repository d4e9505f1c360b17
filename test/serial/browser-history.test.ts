// test/browser-history.test.ts — the player's ticket history and safer play in a real browser
// against a real server: a player's raffle tickets in a draw that is sealed, drawn and settled
// (fewer tickets than prizes, so every ticket wins) show their prize; Verify runs draw/'s
// verifier in the page and every check passes, also for a ticket in a draw of a few hundred
// tickets (its time measured); a proof altered on the way (page.route) is reported NOT
// verified; a limit set is shown as the server answered it; a break ends in the excluded state,
// from which only a withdrawal is possible.
import t from 'tap';
import type { Browser, Page } from 'playwright-core';
import { checkLedger, linePricesOf } from '../../ledger/invariants.ts';
import { allGames } from '../../games/index.ts';
import { http, newPlayer, openDraw, PlayerConnection, startTestServer, type TestServer } from '../support/harness.ts';
import { closeAndSeal, drawSealed } from '../support/draws.ts';
import { browserSkipReason, launchBrowser, newContext, screenshot, watchPageErrors, type ViewportName } from '../support/browser.ts';

const skip = browserSkipReason();
const PASSWORD = 'correct horse battery staple';
/** Tickets another player buys in the lotto draw, so the one verified is in a tree of a few hundred. */
const CROWD_TICKETS = 300;

async function buy(ts: TestServer, token: string, drawId: string, bets: Record<string, unknown>[]): Promise<void> {
  const conn = await PlayerConnection.join(ts.wsUrl, token, drawId);
  try {
    const replies = await Promise.all(bets.map((bet, i) => conn.bet({ requestId: `${drawId}-${token.slice(-6)}-${i}`, ...bet })));
    const refused = replies.filter((r) => r.type !== 'bet:accepted');
    if (refused.length > 0) throw new Error(`${refused.length} bets refused: ${JSON.stringify(refused[0])}`);
  } finally {
    await conn.leave();
  }
}

/** A page logged in as the player (the app keeps its token in localStorage). */
async function openApp(browser: Browser, base: string, token: string, size: ViewportName, hash: string): Promise<{ page: Page; errors: string[] }> {
  const context = await newContext(browser, size);
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  await page.goto(`${base}/`);
  await page.evaluate((tk) => localStorage.setItem('lottery.session', tk), token);
  await page.goto(`${base}/#${hash}`);
  await page.reload();
  return { page, errors };
}

t.test('history, verification and safer play in the browser', { skip }, async (t) => {
  const ts = await startTestServer({ env: { BET_RATE_PER_SECOND: '10000', BET_RATE_BURST: '10000' } });
  const browser = await launchBrowser();
  t.teardown(async () => {
    await browser.close();
    await ts.close();
  });
  const player = await newPlayer(ts.httpUrl, 50_000);
  const crowd = await newPlayer(ts.httpUrl, 200 * CROWD_TICKETS + 10_000);
  const now = Date.now();
  const raffle = await openDraw(ts.pool, 3_000, now, 1_000, 'raffle');
  const lotto = await openDraw(ts.pool, 3_000, now, 1_001, 'lotto649');
  await buy(ts, player.token, raffle.publicId, [{ lines: [[]] }, { lines: [[]] }, { lines: [[]] }]);
  await buy(ts, player.token, lotto.publicId, [{ lines: [[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]] }]);
  await buy(ts, crowd.token, lotto.publicId, Array.from({ length: CROWD_TICKETS }, () => ({ quickPick: 1 })));
  await closeAndSeal(ts, [raffle, lotto]);
  for (const d of [raffle, lotto]) {
    await drawSealed(ts, d);
    t.equal(await ts.server.draws.runner.settle(d.id), 'settled', `${d.gameId} draw settled`);
  }

  await t.test('the history shows each raffle ticket won, and its verification passes', async (t) => {
    const { page, errors } = await openApp(browser, ts.httpUrl, player.token, 'desktop', '/history');
    const raffleGroup = page.locator(`[data-testid=draw-group][data-draw="${raffle.publicId}"]`);
    await raffleGroup.waitFor();
    t.equal(await raffleGroup.locator('[data-testid=ticket]').count(), 3, 'three raffle tickets');
    t.equal(await raffleGroup.locator('[data-outcome=won]').count(), 3, 'every raffle ticket won');
    const prizes = await raffleGroup.locator('[data-testid=prize]').allTextContents();
    t.ok(prizes.every((p) => /\d/.test(p)), `prizes shown: ${prizes.join(', ')}`);
    t.equal(await raffleGroup.locator('[data-testid=winning-numbers] .ball').count(), 3, 'three winning positions: one per ticket sold, fewer than the prizes');
    const lottoGroup = page.locator(`[data-testid=draw-group][data-draw="${lotto.publicId}"]`);
    t.ok(await lottoGroup.locator('a[href^="/draw/"]').first().getAttribute('href').then((h) => h === `/draw/${lotto.publicId}`), 'the draw links to its live page');
    t.equal(await lottoGroup.locator('[data-testid=winning-numbers] .ball').count(), 6, 'six winning numbers');
    const hits = await lottoGroup.locator('.line .ball.hit').count();
    const drawn = (await http(ts.httpUrl, 'GET', `/api/draws/${lotto.publicId}`)).body.numbers[0] as number[];
    const expectedHits = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].filter((n) => drawn.includes(n)).length;
    t.equal(hits, expectedHits, `the player's ${expectedHits} drawn numbers are highlighted`);
    await screenshot(page, 'history', 'desktop');

    const first = raffleGroup.locator('[data-testid=ticket]').first();
    await first.locator('[data-testid=verify-ticket]').click();
    const result = first.locator('[data-testid=verify-result]');
    await result.and(page.locator('[data-ok=pass], [data-ok=fail], [data-ok=error]')).waitFor();
    const failedChecks = await result.locator('[data-testid=check][data-ok=fail]').allTextContents();
    t.same(failedChecks, [], 'no check fails');
    t.equal(await result.getAttribute('data-ok'), 'pass', 'the ticket is verified');
    const checks = await result.locator('[data-testid=check]').count();
    t.ok(checks >= 20, `${checks} checks shown`);
    t.match(await result.textContent(), /receipt ticket = inclusion ticket/, 'the ticket in the seal is the one in the receipt');
    t.equal(await result.locator('[data-testid=download]').count(), 4, 'proof, keys, receipt and inclusion proof to download');
    await screenshot(page, 'history-verified', 'desktop');

    // A ticket in the draw of a few hundred tickets: what verifying it costs in the page.
    const lottoTicket = lottoGroup.locator('[data-testid=ticket]').first();
    await lottoTicket.locator('[data-testid=verify-ticket]').click();
    const lottoResult = lottoTicket.locator('[data-testid=verify-result]');
    await lottoResult.and(page.locator('[data-ok=pass], [data-ok=fail], [data-ok=error]')).waitFor();
    t.equal(await lottoResult.getAttribute('data-ok'), 'pass', `a ticket among ${CROWD_TICKETS + 1} verifies`);
    const ms = Number(await lottoResult.locator('[data-testid=verify-ms]').textContent());
    t.ok(ms > 0 && ms < 2_000, `verified in ${ms} ms in the page`);
    t.comment(`in-page verification of a ticket in a draw of ${CROWD_TICKETS + 1} tickets: ${ms} ms (after the chunk was loaded once)`);

    await lottoGroup.locator('[data-testid=verify-draw]').click();
    const drawResult = lottoGroup.locator(':scope > [data-testid=verify-result]');
    await drawResult.and(page.locator('[data-ok=pass], [data-ok=fail], [data-ok=error]')).waitFor();
    t.equal(await drawResult.getAttribute('data-ok'), 'pass', 'the draw alone verifies');
    t.same(errors, [], 'no page errors');
  });

  await t.test('a proof altered on its way to the page is reported NOT verified', async (t) => {
    const { page, errors } = await openApp(browser, ts.httpUrl, player.token, 'desktop', '/history');
    await page.route(`**/api/draws/${raffle.publicId}/proof`, async (route) => {
      const response = await route.fetch();
      const proof = await response.json();
      // The positions drawn in another order: not what the seeds give, nor what was signed.
      proof.numbers[0] = [...proof.numbers[0]].reverse();
      await route.fulfill({ response, body: JSON.stringify(proof) });
    });
    const first = page.locator(`[data-testid=draw-group][data-draw="${raffle.publicId}"] [data-testid=ticket]`).first();
    await first.locator('[data-testid=verify-ticket]').click();
    const result = first.locator('[data-testid=verify-result]');
    await result.and(page.locator('[data-ok=pass], [data-ok=fail], [data-ok=error]')).waitFor();
    t.equal(await result.getAttribute('data-ok'), 'fail', 'the page says it failed');
    t.match(await result.locator('[data-testid=verify-summary]').textContent(), /NOT verified/);
    const failed = await result.locator('[data-testid=check][data-ok=fail] strong').allTextContents();
    t.ok(failed.includes('signature') && failed.includes('numbers'), `the failed checks name what broke: ${failed.join(', ')}`);
    await screenshot(page, 'history-tampered', 'desktop');
    t.same(errors, [], 'no page errors');
  });

  await t.test('on a phone: history and a verification fit the screen', async (t) => {
    const { page, errors } = await openApp(browser, ts.httpUrl, player.token, 'phone', '/history');
    const first = page.locator(`[data-testid=draw-group][data-draw="${raffle.publicId}"] [data-testid=ticket]`).first();
    await first.waitFor();
    await screenshot(page, 'history', 'phone', false);
    await first.locator('[data-testid=verify-ticket]').click();
    await first.locator('[data-testid=verify-result][data-ok=pass]').waitFor();
    await first.locator('[data-testid=verify-summary]').scrollIntoViewIfNeeded();
    await screenshot(page, 'history-verified', 'phone', false);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    t.ok(overflow <= 0, `no sideways scrolling (${overflow} px)`);
    await page.goto(`${ts.httpUrl}/#/safer`);
    await page.locator('[data-testid=limits]').waitFor();
    await screenshot(page, 'safer', 'phone', false);
    await page.locator('#break-title').scrollIntoViewIfNeeded();
    await screenshot(page, 'safer-break', 'phone', false);
    const saferOverflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    t.ok(saferOverflow <= 0, `safer play: no sideways scrolling (${saferOverflow} px)`);
    t.same(errors, [], 'no page errors');
  });

  await t.test('safer play: a limit set is shown as the server answered; a break leaves only withdrawal', async (t) => {
    const { page, errors } = await openApp(browser, ts.httpUrl, player.token, 'desktop', '/safer');
    await page.locator('[data-testid=limits]').waitFor();
    await page.selectOption('select[name=kind]', 'stake');
    await page.selectOption('select[name=period]', 'day');
    await page.fill('input[name=amount]', '25');
    await page.getByRole('button', { name: 'Set limit' }).click();
    await page.locator('[data-testid=limit-answer]').waitFor();
    t.match(await page.locator('[data-testid=limit-answer]').textContent(), /in force now/, 'a first limit applies at once');
    await page.locator('[data-testid=limit-stake-day] [data-testid=in-force]', { hasText: '25' }).waitFor();
    await page.fill('input[name=amount]', '40');
    await page.getByRole('button', { name: 'Set limit' }).click();
    await page.locator('[data-testid=limit-answer]', { hasText: 'takes effect on' }).waitFor();
    t.pass('a higher limit waits, as the server says');
    await page.locator('[data-testid=limit-stake-day]', { hasText: '40' }).waitFor();
    t.match(await page.locator('[data-testid=limit-stake-day]').textContent(), /25[\s\S]*40/, 'the table shows the limit in force and the change waiting');
    const limits = await http(ts.httpUrl, 'GET', '/api/me/limits', undefined, player.token);
    t.match(limits.body.limits.find((l: any) => l.kind === 'stake' && l.period === 'day'), { amountMinor: 2500, pending: { amountMinor: 4000 } }, 'the server holds the same');
    await page.fill('input[name=reality]', '30');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved: reality check every 30 min').waitFor();
    await screenshot(page, 'safer', 'desktop');

    await page.selectOption('select[name=exclusion]', 'break-7');
    await page.getByRole('button', { name: /Take a break of 7 days/ }).click();
    const dialog = page.locator('[data-testid=exclusion-dialog]');
    await dialog.waitFor();
    t.match(await dialog.textContent(), /refunded to your wallet[\s\S]*only to withdraw/, 'the dialog says what happens');
    await screenshot(page, 'safer-confirm', 'desktop', false);
    await dialog.locator('[data-testid=confirm-exclusion]').click();
    await page.locator('[data-testid=excluded]').waitFor();
    t.match(await page.locator('[data-testid=excluded]').textContent(), /on a break/, 'the excluded state is shown');
    const relogin = await http(ts.httpUrl, 'POST', '/api/auth/login', { email: player.email, password: PASSWORD });
    t.match(relogin.body, { code: 'EXCLUDED' }, 'the server refuses a play login');
    await page.fill('input[type=password]', PASSWORD);
    await page.getByRole('button', { name: 'Log in to withdraw' }).click();
    await page.locator('[data-testid=excluded-balance]').waitFor();
    await page.fill('input[name=withdraw-amount]', '10');
    await page.getByRole('button', { name: 'Withdraw' }).click();
    await page.getByText(/Withdrawal of .*10/).waitFor();
    t.pass('a withdrawal is asked from the withdraw-only session');
    await screenshot(page, 'safer-excluded', 'desktop');
    t.same(errors, [], 'no page errors');
  });

  t.same((await checkLedger(ts.pool, linePricesOf(allGames()))).violations, [], 'ledger invariants hold');
});
