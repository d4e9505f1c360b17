// The operator console (/ops) in a real browser against a real server: an admin logs in with
// a password and the authenticator's code, watches the cluster's figures and a draw's sales
// move as bets arrive, approves a held prize and rejects a withdrawal in review, and each
// decision lands in the ledger; the other sections open at desktop and phone sizes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import type { Browser, Page } from 'playwright-core';
import { http, newPlayer, openDraw, PlayerConnection, startTestServer, type TestServer } from '../support/harness.ts';
import { bootstrapAdmin, createOperator, TEST_OPERATOR_PASSWORD, type OperatorLogin } from '../support/operators.ts';
import { closeAndSeal, drawSealed } from '../support/draws.ts';
import { browserSkipReason, launchBrowser, newContext, screenshot, watchPageErrors, type ViewportName } from '../support/browser.ts';
import { totpAt } from '../../core/totp.ts';

const skip = browserSkipReason();
/** Withdrawals above 50.00 wait for an operator here. */
const REVIEW_ABOVE_MINOR = 5_000;
let ts: TestServer;
let browser: Browser;
let dir: string;
t.before(async () => {
  if (skip) return;
  // Every prize of a German player is held for review.
  const table = JSON.parse(fs.readFileSync(new URL('../../config/jurisdictions.json', import.meta.url), 'utf8'));
  Object.assign(table.jurisdictions.find((j: any) => j.country === 'DE'), { prizeReviewThresholdMinor: 1 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-'));
  fs.writeFileSync(path.join(dir, 'jurisdictions.json'), JSON.stringify(table));
  ts = await startTestServer({ env: { JURISDICTIONS_FILE: path.join(dir, 'jurisdictions.json'), WITHDRAWAL_REVIEW_ABOVE_MINOR: String(REVIEW_ABOVE_MINOR) } });
  browser = await launchBrowser();
});
t.teardown(async () => {
  await browser?.close();
  await ts?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** The console already logged in as `who` (its token in the tab's sessionStorage). */
async function consoleAs(who: OperatorLogin, size: ViewportName, route = '#/'): Promise<Page> {
  const context = await newContext(browser, size);
  await context.addInitScript((token) => sessionStorage.setItem('lottery.operator', token), who.token);
  const page = await context.newPage();
  await page.goto(`${ts.httpUrl}/ops${route}`);
  return page;
}

/** The first admin, made from the bootstrap token; its API session makes the other operators. */
let admin: OperatorLogin;

t.test('an admin logs in, watches sales move, approves a held prize and rejects a withdrawal in review', { skip }, async (t) => {
  admin = await bootstrapAdmin(ts.httpUrl, 'ada');
  // A raffle drawn with one entry sold: that entry wins the first prize, held for review.
  const winner = await newPlayer(ts.httpUrl, 100_000);
  const raffle = await openDraw(ts.pool, 3_000, Date.now(), 500, 'raffle');
  const entrant = await PlayerConnection.join(ts.wsUrl, winner.token, raffle.publicId);
  t.match(await entrant.bet({ requestId: 'r-1', lines: [[]] }), { type: 'bet:accepted' });
  await entrant.room.leave();
  await closeAndSeal(ts, [raffle]);
  await drawSealed(ts, raffle);
  t.equal(await ts.server.draws.runner.settle(raffle.id), 'settled');
  const [heldTicket] = (await http(ts.httpUrl, 'GET', '/api/tickets', undefined, winner.token)).body.tickets;
  t.match(heldTicket.result, { outcome: 'won', review: 'held' }, 'the prize is held');
  // A withdrawal above the review threshold.
  const asked = await http(ts.httpUrl, 'POST', '/api/wallet/withdrawals', { amount: REVIEW_ABOVE_MINOR + 100, idempotencyKey: 'big-one' }, winner.token);
  t.equal(asked.body.status, 'review');

  // The login page: name, password and the authenticator's next code (this step's was just used).
  const context = await newContext(browser, 'desktop');
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  await page.goto(`${ts.httpUrl}/ops`);
  await page.getByLabel('Operator name').fill(admin.name);
  await page.getByLabel('Password').fill(TEST_OPERATOR_PASSWORD);
  await page.getByLabel('Authenticator code').fill(totpAt(admin.secret, (Math.floor(Date.now() / 30_000) + 1) * 30_000));
  await screenshot(page, 'ops-login', 'desktop');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('operator').filter({ hasText: 'ada' }).waitFor();

  // Sales move: bets on an open lotto draw show in its row and in the cluster's bets per second.
  const lotto = await openDraw(ts.pool, 10 * 60_000, Date.now(), 60_000, 'lotto649');
  await page.reload();
  await page.locator('[data-game=lotto649]').getByText(lotto.publicId).waitFor();
  await page.getByTestId('connections').waitFor();
  const player = await newPlayer(ts.httpUrl, 100_000);
  const seller = await PlayerConnection.join(ts.wsUrl, player.token, lotto.publicId);
  for (let i = 0; i < 20; i++) seller.room.send('bet', { requestId: `q-${i}`, quickPick: 1 });
  await seller.waitForReplies(20);
  await page.locator('[data-game=lotto649] [data-testid=tickets]').filter({ hasText: /^20$/ }).waitFor({ timeout: 10_000 });
  await page.getByTestId('bets-per-second').filter({ hasText: /^[1-9]/ }).waitFor({ timeout: 10_000 });
  t.pass('the draw row and the cluster figures moved with the bets');
  await screenshot(page, 'ops-overview', 'desktop');
  await seller.room.leave();

  // The held prize, approved in the page: the player's ticket says released, the money is theirs.
  await page.getByRole('link', { name: 'Reviews' }).click();
  const prize = page.getByTestId(`prize-${heldTicket.ticketId}`);
  await prize.waitFor();
  await screenshot(page, 'ops-reviews', 'desktop');
  await prize.getByRole('textbox').fill('identity and ticket checked');
  await prize.getByRole('button', { name: 'Approve' }).click();
  await page.getByText(`Prize on ${heldTicket.ticketId} released`).waitFor();
  const after = (await http(ts.httpUrl, 'GET', `/api/tickets/${heldTicket.ticketId}`, undefined, winner.token)).body;
  t.match(after.result, { outcome: 'won', review: 'released' }, 'the history says released');

  // The withdrawal, rejected with a reason: the money goes back to the balance.
  const withdrawal = page.getByTestId(`withdrawal-${asked.body.withdrawalId}`);
  await withdrawal.getByRole('button', { name: 'Reject' }).click();
  await withdrawal.getByRole('alert').waitFor();
  t.match(await withdrawal.getByRole('alert').textContent(), /reason/i, 'a rejection needs a reason');
  await withdrawal.getByRole('textbox').fill('the account is under review');
  await withdrawal.getByRole('button', { name: 'Reject' }).click();
  await page.getByText(`Withdrawal ${asked.body.withdrawalId} rejected`).waitFor();
  const view = (await http(ts.httpUrl, 'GET', `/api/wallet/withdrawals/${asked.body.withdrawalId}`, undefined, winner.token)).body;
  t.equal(view.status, 'rejected');

  // The other sections, as they look.
  await page.getByRole('link', { name: 'Draws' }).click();
  await page.getByTestId('draw-record').waitFor();
  await screenshot(page, 'ops-draws', 'desktop');
  await page.getByRole('link', { name: 'Reports' }).click();
  const downloadPromise = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download CSV' }).click();
  const download = await downloadPromise;
  t.match(download.suggestedFilename(), /^report-.*\.csv$/, 'the report downloads as a file');
  const csv = fs.readFileSync((await download.path())!, 'utf8');
  t.match(csv.split('\n')[0], /^section,basis,game,measure,count,amount_minor,text/, 'the CSV report');
  await screenshot(page, 'ops-reports', 'desktop');
  t.same(errors, [], 'no page errors');
});

t.test('the console on a phone; a role sees only its sections', { skip }, async (t) => {
  const boss = await createOperator(ts.httpUrl, admin, 'root2', 'admin');
  const finance = await createOperator(ts.httpUrl, admin, 'finn', 'finance');
  const phone = await consoleAs(boss, 'phone');
  const errors = watchPageErrors(phone);
  await phone.getByTestId('connections').filter({ hasText: /^\d/ }).waitFor();
  await phone.locator('[data-game=lotto649] [data-testid=tickets]').filter({ hasText: /^\d/ }).waitFor();
  t.equal(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, 'nothing wider than the phone');
  await screenshot(phone, 'ops-overview', 'phone');
  for (const [route, name] of [['#/reviews', 'ops-reviews'], ['#/draws', 'ops-draws'], ['#/reports', 'ops-reports']] as const) {
    await phone.goto(`${ts.httpUrl}/ops${route}`);
    await phone.getByRole('heading', { level: 1 }).waitFor();
    await screenshot(phone, name, 'phone');
  }
  const login = await (await newContext(browser, 'phone')).newPage();
  await login.goto(`${ts.httpUrl}/ops`);
  await login.getByLabel('Operator name').waitFor();
  await screenshot(login, 'ops-login', 'phone');

  const financeView = await consoleAs(finance, 'desktop');
  await financeView.getByTestId('operator').filter({ hasText: 'finn' }).waitFor();
  const links = await financeView.getByRole('navigation', { name: 'Console' }).getByRole('link').allTextContents();
  t.same(links, ['Overview', 'Reviews', 'Draws', 'Reports'], 'finance: no alerts, no room monitor');
  t.same(errors, []);
});
