// The player app in a real browser (Debian's chromium, test/support/browser.ts) against a real
// server: registering, verifying, depositing and betting through the page, by keyboard too;
// a refusal shown in words; and a second tab that keeps betting through a dropped connection
// with every bet it sent bought exactly once.
import fs from 'node:fs';
import t from 'tap';
import { allPassed, verifyReceipt } from '../../draw/verify.ts';
import type { Browser, Page } from 'playwright-core';
import { newPlayer, openDraw, startTestServer, type TestServer } from '../support/harness.ts';
import { browserSkipReason, launchBrowser, newContext, screenshot, watchPageErrors, type ViewportName } from '../support/browser.ts';
import { TcpProxy } from '../support/tcpProxy.ts';
import { until } from '../support/wait.ts';

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

const PASSWORD = 'correct horse battery';

/** Waits for a condition, failing the test with `what` if it does not come. */
async function soon(check: () => Promise<boolean>, timeoutMs: number, what = 'the page to catch up'): Promise<void> {
  if (!(await until(check, timeoutMs, 100))) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

async function register(page: Page, email: string) {
  await page.getByRole('tab', { name: 'Register' }).click();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password (at least 10 characters)').fill(PASSWORD);
  await page.getByLabel('Date of birth').fill('1990-04-01');
  await page.getByLabel('Where you live').selectOption('DE');
}

async function tokenOf(page: Page): Promise<string> {
  return (await page.evaluate(() => localStorage.getItem('lottery.session'))) ?? '';
}

/** Opens the app at `path` already logged in with `token` (a new tab of the same player). */
async function openAs(base: string, token: string, size: ViewportName, path = '/'): Promise<Page> {
  const context = await newContext(browser, size);
  await context.addInitScript((value) => localStorage.setItem('lottery.session', value), token);
  const page = await context.newPage();
  await page.goto(base + path);
  return page;
}

t.test('a player registers, verifies, deposits and bets through the page; a refusal is shown in words', { skip }, async (t) => {
  const draw = await openDraw(ts.pool, 15 * 60_000, Date.now(), 60 * 60_000, 'lotto649');
  const context = await newContext(browser, 'desktop');
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  await page.goto(ts.httpUrl + '/');
  const email = `browser-${Date.now()}@example.com`;
  await register(page, email);
  await screenshot(page, 'register', 'desktop');
  await page.getByRole('button', { name: 'Create account' }).click();

  // Identity through the sandbox provider (it decides at once in tests).
  await page.getByLabel('Given names').fill('Ada');
  await page.getByLabel('Family name').fill('Lovelace');
  await page.getByLabel('Document number').fill('P1234567');
  await page.getByRole('button', { name: 'Verify my identity' }).click();
  await page.getByTestId('identity-status').filter({ hasText: /^verified$/ }).waitFor();
  t.match(await page.getByTestId('identity-status').textContent(), /^verified$/, 'verified');
  await screenshot(page, 'account', 'desktop');

  // A deposit, confirmed by the provider's webhook.
  await page.getByRole('link', { name: 'Wallet' }).click();
  await page.locator('input[name="deposit-amount"]').fill('20');
  await page.getByRole('button', { name: 'Deposit', exact: true }).click();
  await page.getByTestId('deposit-status').filter({ hasText: 'completed' }).waitFor();
  await page.getByTestId('balance').filter({ hasText: '20.00' }).waitFor();
  await page.getByText('Deposit', { exact: true }).first().waitFor();
  await screenshot(page, 'wallet', 'desktop');

  // A line picked by keyboard only: Space on six numbers, Enter on "Add line" and "Place bet".
  await page.getByRole('link', { name: 'Play', exact: true }).click();
  await page.getByRole('button', { name: 'Lotto 6/49' }).waitFor();
  await page.getByTestId('connection').locator('[data-status="connected"]').waitFor();
  await page.getByRole('button', { name: '7', exact: true }).focus();
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
  }
  await page.getByRole('button', { name: 'Add line' }).focus();
  await page.keyboard.press('Enter');
  t.match(await page.getByTestId('slip-lines').textContent(), /7 - 8 - 9 - 10 - 11 - 12/, 'the line picked by keyboard');
  await page.getByRole('button', { name: 'Place bet' }).focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('accepted').first().waitFor();
  t.match(await page.getByTestId('accepted').first().textContent(), /Ticket T\d+ accepted: 1 line, €2\.00/);
  await page.getByTestId('pool').filter({ hasText: '2.00' }).waitFor();
  // The receipt kept is the lottery-receipt/v1 document `npm run verify -- --receipt` reads.
  const saving = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Signed receipt' }).first().click();
  const receipt = JSON.parse(fs.readFileSync((await (await saving).path())!, 'utf8'));
  t.match(receipt, { version: 'lottery-receipt/v1', ticket: { drawId: draw.publicId } });
  t.ok(allPassed(verifyReceipt(receipt, { publicKey: ts.server.draws.publicKey })), 'the downloaded receipt verifies against the published key');

  // Quick pick: two lines drawn by the server.
  await page.getByLabel('Quick pick lines').selectOption('2');
  await page.getByRole('button', { name: 'Place quick pick' }).click();
  await soon(async () => (await page.getByTestId('accepted').count()) === 2, 10_000);
  await page.getByTestId('tickets-sold').filter({ hasText: /^2$/ }).waitFor();

  // Ten lines is 20.00, more than the 14.00 left: refused, in words.
  await page.getByLabel('Quick pick lines').selectOption('10');
  t.match(await page.getByTestId('slip-total').textContent(), /20\.00/);
  await page.getByRole('button', { name: 'Place quick pick' }).click();
  const refusal = page.getByTestId('rejected').first();
  await refusal.waitFor();
  t.equal(await refusal.getAttribute('data-code'), 'INSUFFICIENT_FUNDS');
  t.match(await refusal.textContent(), /balance is too low/);
  await page.getByTestId('balance').filter({ hasText: '14.00' }).waitFor();
  await screenshot(page, 'play', 'desktop');

  const { rows } = await ts.pool.query(`select count(*)::int as n from tickets where draw_id = $1`, [draw.id]);
  t.equal(rows[0].n, 2, 'two tickets in the ledger');

  // The same screens on a phone.
  const token = await tokenOf(page);
  const phone = await openAs(ts.httpUrl, token, 'phone');
  const phoneErrors = watchPageErrors(phone);
  await phone.getByTestId('connection').locator('[data-status="connected"]').waitFor();
  await phone.getByTestId('pool').filter({ hasText: '6.00' }).waitFor();
  t.equal(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, 'nothing wider than the phone');
  // Reloads give the seat back as the page goes: three tabs' worth of seats in a few seconds, all let in.
  for (let i = 0; i < 3; i++) {
    await phone.reload();
    await phone.getByTestId('connection').locator('[data-status="connected"]').waitFor();
  }
  await screenshot(phone, 'play', 'phone');
  await phone.goto(ts.httpUrl + '/#/wallet');
  await phone.getByTestId('wallet-balance').filter({ hasText: '14.00' }).waitFor();
  await screenshot(phone, 'wallet', 'phone');
  await phone.goto(ts.httpUrl + '/#/account');
  await phone.getByTestId('identity-status').waitFor();
  await screenshot(phone, 'account', 'phone');
  const visitor = await (await newContext(browser, 'phone')).newPage();
  await visitor.goto(ts.httpUrl + '/');
  await register(visitor, 'phone@example.com');
  await screenshot(visitor, 'register', 'phone');
  t.same([...errors, ...phoneErrors], [], 'no page errors');
});

t.test('a second tab keeps betting through a dropped connection: every bet it sent is bought exactly once', { skip }, async (t) => {
  const draw = await openDraw(ts.pool, 15 * 60_000, Date.now(), 60 * 60_000, 'pick3');
  // A player with money, logged in through the API (the first test did it through the page).
  const { token } = await newPlayer(ts.httpUrl, 20_000);
  // The second tab reaches the server through a proxy whose connections the test drops.
  const proxy = await TcpProxy.start('127.0.0.1', Number(new URL(ts.httpUrl).port));
  t.teardown(() => proxy.close());
  const first = await openAs(ts.httpUrl, token, 'desktop');
  const second = await openAs(`http://127.0.0.1:${proxy.port}`, token, 'desktop');
  const errors = watchPageErrors(first);
  for (const page of [first, second]) {
    await page.getByRole('button', { name: 'Pick-3' }).click();
    await page.getByTestId('connection').locator('[data-status="connected"]').waitFor();
  }
  const placeQuickPick = () => second.getByRole('button', { name: 'Place quick pick' }).click();

  await placeQuickPick();
  await soon(async () => (await second.getByTestId('accepted').count()) === 1, 10_000);
  // The network stalls with bets in flight, then the connection drops altogether.
  proxy.partition();
  await placeQuickPick();
  await placeQuickPick();
  proxy.cut();
  await second.getByTestId('connection').locator('[data-status="reconnecting"]').waitFor();
  await placeQuickPick();
  t.match(await second.getByTestId('pending').textContent(), /3 bets waiting for an answer: sent again once connected, never bought twice/);
  await screenshot(second, 'play-reconnecting', 'desktop');
  // The first tab, on its own connection, bets on meanwhile.
  await first.getByRole('button', { name: 'Place quick pick' }).click();
  proxy.heal();
  await second.getByTestId('connection').locator('[data-status="connected"]').waitFor({ timeout: 20_000 });
  await soon(async () => (await second.getByTestId('accepted').count()) === 4, 20_000);
  t.equal(await second.getByTestId('pending').count(), 0, 'nothing left waiting');
  t.equal(await second.getByTestId('rejected').count(), 0, 'nothing refused');
  await soon(async () => (await first.getByTestId('accepted').count()) === 1, 10_000);

  const { rows } = await ts.pool.query(`select request_id, count(*)::int as n from tickets where draw_id = $1 group by request_id`, [draw.id]);
  t.equal(rows.length, 5, 'five bets, five tickets: none lost');
  t.ok(rows.every((r) => r.n === 1), 'none bought twice');
  t.same(errors, []);
});

t.test('a bet still waiting when the draw is over: the page stops for good and learns from the ticket history that it was not bought', { skip, timeout: 90_000 }, async (t) => {
  // Sales for 6 s, the draw 2 s after: the room closes at draw time (4410), once every bet is answered.
  const draw = await openDraw(ts.pool, 6_000, Date.now(), 2_000, 'pick4');
  const { token } = await newPlayer(ts.httpUrl, 20_000);
  const page = await openAs(ts.httpUrl, token, 'desktop');
  const errors = watchPageErrors(page);
  await page.getByRole('button', { name: 'Pick-4' }).click();
  await page.getByTestId('connection').locator('[data-status="connected"]').waitFor();

  // The ledger holds the bet's batch (a lock on the draw, as a database that stopped answering
  // would) until its 10 s wait is over: it is answered SERVICE_UNAVAILABLE, the draw time has
  // passed, and the room closes the connection before the page can send it again.
  const locker = await ts.pool.connect();
  await locker.query('begin');
  await locker.query('select id from draws where id = $1 for update', [draw.id]);
  await page.getByRole('button', { name: 'Place quick pick' }).click();
  await page.getByTestId('connection').locator('[data-status="closed"]').waitFor({ timeout: 30_000 });
  const alert = page.getByTestId('connection').getByRole('alert');
  t.equal(await alert.getAttribute('data-code'), 'DRAW_OVER', 'the page says the draw is over, and does not try again');
  t.match(await alert.textContent(), /This draw is over/);
  await locker.query('rollback');
  locker.release();

  await page.getByTestId('rejected').waitFor({ timeout: 15_000 });
  t.equal(await page.getByTestId('rejected').getAttribute('data-code'), 'DRAW_CLOSED', 'the bet is shown not bought, as the ticket history says');
  t.equal(await page.getByTestId('pending').count(), 0, 'nothing left waiting');
  t.equal(await page.evaluate((key) => sessionStorage.getItem(key), `lottery.pending.${draw.publicId}`), null, 'nor kept for the next visit');
  await screenshot(page, 'play-draw-over', 'desktop');
  const { rows } = await ts.pool.query(`select count(*)::int as n from tickets where draw_id = $1`, [draw.id]);
  t.equal(rows[0].n, 0, 'and the ledger agrees: no ticket');
  t.same(errors.filter((e) => !/status of 503/.test(e)), [], 'no page errors');
});
