// A player's whole day in a real browser, through the three screens a player uses, against a
// real server: register, verify, deposit, bet, watch the draw live at /draw/:id, see the prize
// in the history, verify the draw and the ticket in the page, and withdraw. Nothing here goes
// around the pages but the draw's schedule, which the test keeps itself (tests run no
// scheduler): a raffle closed, sealed, drawn and settled right after its cutoff. With one
// entry sold, that entry wins the first prize.
import t from 'tap';
import type { Browser } from 'playwright-core';
import { openDraw, startTestServer, type TestServer } from '../support/harness.ts';
import { closeAndSeal, drawSealed } from '../support/draws.ts';
import { browserSkipReason, launchBrowser, newContext, screenshot, watchPageErrors } from '../support/browser.ts';

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

t.test('register, verify, deposit, bet, watch the draw, see the prize, verify it in the page, withdraw', { skip }, async (t) => {
  const page = await (await newContext(browser, 'desktop')).newPage();
  const errors = watchPageErrors(page);
  await page.goto(ts.httpUrl + '/');

  await page.getByRole('tab', { name: 'Register' }).click();
  await page.getByLabel('Email').fill(`journey-${Date.now()}@example.com`);
  await page.getByLabel('Password (at least 10 characters)').fill('a long enough password');
  await page.getByLabel('Date of birth').fill('1985-10-12');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByLabel('Given names').fill('Grace');
  await page.getByLabel('Family name').fill('Hopper');
  await page.getByLabel('Document number').fill('X7654321');
  await page.getByRole('button', { name: 'Verify my identity' }).click();
  await page.getByTestId('identity-status').filter({ hasText: /^verified$/ }).waitFor();

  await page.getByRole('link', { name: 'Wallet' }).click();
  await page.locator('input[name="deposit-amount"]').fill('30');
  await page.getByRole('button', { name: 'Deposit', exact: true }).click();
  await page.getByTestId('balance').filter({ hasText: '30.00' }).waitFor();

  // The raffle's draw: on sale now, closing in a few seconds.
  const draw = await openDraw(ts.pool, 8_000, Date.now(), 2_000, 'raffle');
  await page.getByRole('link', { name: 'Play', exact: true }).click();
  await page.getByRole('button', { name: 'Raffle' }).click();
  await page.getByTestId('connection').locator('[data-status="connected"]').waitFor();
  await page.getByRole('button', { name: 'Place bet' }).click();
  await page.getByTestId('accepted').waitFor();
  t.match(await page.getByTestId('accepted').textContent(), /Ticket (T\d+) accepted: 1 line, €10\.00/);
  const ticketId = /Ticket (T\d+)/.exec((await page.getByTestId('accepted').textContent()) ?? '')![1];

  // Watch it live: the close, the seal, the ball, the results.
  await page.getByRole('link', { name: 'Watch this draw live' }).click();
  await page.waitForURL(`**/draw/${draw.publicId}`);
  await closeAndSeal(ts, [draw]);
  await page.getByTestId('seal').waitFor({ timeout: 10_000 });
  await drawSealed(ts, draw);
  t.equal(await ts.server.draws.runner.settle(draw.id), 'settled');
  await page.getByRole('heading', { name: 'Results' }).waitFor({ timeout: 30_000 });
  await screenshot(page, 'journey-stage', 'desktop');

  // The prize, in the history; the draw and the ticket verified in the page.
  await page.getByRole('link', { name: 'My tickets' }).click();
  const ticket = page.locator('[data-testid=ticket]').filter({ hasText: ticketId });
  await ticket.locator('[data-outcome=won]').waitFor({ timeout: 10_000 });
  t.match(await ticket.locator('[data-testid=prize]').first().textContent(), /100,000\.00/, 'one entry sold: it wins the first prize');
  await ticket.locator('[data-testid=verify-ticket]').click();
  const result = ticket.locator('[data-testid=verify-result]');
  await result.and(page.locator('[data-ok=pass], [data-ok=fail], [data-ok=error]')).waitFor();
  t.equal(await result.getAttribute('data-ok'), 'pass', 'every check passes in the page');
  t.same(await result.locator('[data-testid=check][data-ok=fail]').allTextContents(), [], 'no check failed');
  await screenshot(page, 'journey-verified', 'desktop');

  // And out: a withdrawal paid by the provider.
  await page.getByRole('link', { name: 'Wallet' }).click();
  await page.getByTestId('balance').filter({ hasText: '100,020.00' }).waitFor();
  await page.locator('input[name="withdrawal-amount"]').fill('500');
  await page.getByRole('button', { name: 'Withdraw', exact: true }).click();
  await page.getByTestId('withdrawal-status').filter({ hasText: /Withdrawal of €500\.00 paid\./ }).waitFor({ timeout: 15_000 });
  await page.getByRole('cell', { name: 'Withdrawal' }).first().waitFor();
  await page.getByTestId('balance').filter({ hasText: '99,520.00' }).waitFor();
  await screenshot(page, 'journey-wallet', 'desktop');
  t.same(errors, [], 'no page errors');
});
