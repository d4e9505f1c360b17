// web/player/pages/Wallet.tsx — money in and out through the payment provider, and the
// statement of every movement. A deposit is credited only when the provider confirms it (a
// signed webhook, a second or so with the sandbox): the page shows it pending, then asks
// until it is decided. A withdrawal leaves the balance at once (held) and is then paid,
// returned, or waits for an operator's review above a threshold. Each request carries an
// idempotency key made when the form is sent, so pressing twice never moves money twice.
import { useEffect, useState } from 'preact/hooks';
import { newRequestId } from '../../lib/api.ts';
import { dateTime, money, parseAmountMinor } from '../../lib/format.ts';
import { ErrorNotice, Notice, useAction } from '../../lib/ui.tsx';
import { authed, profile, refreshProfile } from '../session.ts';

interface Movement {
  at: string;
  kind: string;
  amountMinor: number;
  reason: string;
  depositId?: string;
  withdrawalId?: string;
  ticketId?: string;
}

const KIND_WORDS: Record<string, string> = {
  deposit: 'Deposit',
  stake: 'Ticket',
  prize: 'Prize',
  prize_release: 'Prize (after review)',
  withdrawal_hold: 'Withdrawal',
  withdrawal_return: 'Withdrawal returned',
  refund: 'Refund',
};

const POLL_MS = 1_000;
const POLLS_MAX = 60;

export function WalletPage() {
  const me = profile.value;
  const currency = me?.currency ?? 'EUR';
  const [statementVersion, setStatementVersion] = useState(0);
  const moved = () => {
    void refreshProfile().catch(() => undefined);
    setStatementVersion((v) => v + 1);
  };
  return (
    <div class="stack">
      <section class="card" aria-labelledby="wallet-title">
        <h1 id="wallet-title">Wallet</h1>
        <p class="big num" data-testid="wallet-balance">
          {me ? money(me.balanceMinor, currency) : '…'}
        </p>
        {me && me.identityStatus !== 'verified' ? (
          <Notice kind="warn">
            Verify your identity before you deposit: <a href="#/account">Account</a>.
          </Notice>
        ) : null}
      </section>
      <div class="grid">
        <MoneyForm kind="deposit" currency={currency} onMoved={moved} />
        <MoneyForm kind="withdrawal" currency={currency} onMoved={moved} />
      </div>
      <Statement currency={currency} version={statementVersion} />
    </div>
  );
}

function MoneyForm({ kind, currency, onMoved }: { kind: 'deposit' | 'withdrawal'; currency: string; onMoved: () => void }) {
  const [amount, setAmount] = useState('');
  const [status, setStatus] = useState<string | null>(null);
  const deposit = kind === 'deposit';
  const send = useAction(async () => {
    const amountMinor = parseAmountMinor(amount);
    if (amountMinor === null || amountMinor <= 0) throw Object.assign(new Error('Enter an amount such as 20 or 12.50.'), { code: 'INVALID_AMOUNT' });
    setStatus(null);
    const path = deposit ? '/api/wallet/deposits' : '/api/wallet/withdrawals';
    const answer = await authed<any>('POST', path, { amount: amountMinor, idempotencyKey: newRequestId(deposit ? 'dep' : 'wd') });
    const id: string = deposit ? answer.depositId : answer.withdrawalId;
    setStatus(describe(kind, answer.status, amountMinor, currency));
    onMoved();
    // Asks until the provider has decided (or it waits for review): bounded.
    for (let i = 0; i < POLLS_MAX; i++) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      const now = await authed<any>('GET', `${path}/${id}`).catch(() => null);
      if (!now) continue;
      setStatus(describe(kind, now.status, amountMinor, currency));
      if (now.status !== 'pending') break;
    }
    setAmount('');
    onMoved();
  });
  const title = deposit ? 'Deposit' : 'Withdraw';
  return (
    <section class="card" aria-labelledby={`${kind}-title`}>
      <h2 id={`${kind}-title`}>{title}</h2>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void send.run();
        }}
      >
        <label>
          Amount ({currency})
          <input name={`${kind}-amount`} inputMode="decimal" placeholder="e.g. 20.00" required value={amount} onInput={(e) => setAmount(e.currentTarget.value)} />
        </label>
        <p class="muted" style={{ fontSize: '0.9rem' }}>
          {deposit ? 'Paid through our payment provider; credited once they confirm it.' : 'Held from your balance at once, then paid to your account. Large withdrawals are reviewed first.'}
        </p>
        <ErrorNotice error={send.error} />
        {status ? (
          <div class="notice ok" role="status" data-testid={`${kind}-status`}>
            {status}
          </div>
        ) : null}
        <button type="submit" disabled={send.busy}>
          {send.busy ? 'Working…' : title}
        </button>
      </form>
    </section>
  );
}

function describe(kind: 'deposit' | 'withdrawal', status: string, amountMinor: number, currency: string): string {
  const amount = money(amountMinor, currency);
  if (kind === 'deposit') {
    if (status === 'completed') return `Deposit of ${amount} completed: it is in your balance.`;
    if (status === 'pending') return `Deposit of ${amount} sent to the provider: waiting for their confirmation…`;
    return `Deposit of ${amount}: ${status}.`;
  }
  if (status === 'paid') return `Withdrawal of ${amount} paid.`;
  if (status === 'pending') return `Withdrawal of ${amount} held from your balance: being paid…`;
  if (status === 'approved') return `Withdrawal of ${amount} approved: being paid…`;
  if (status === 'review') return `Withdrawal of ${amount} held: waiting for a review by our team.`;
  if (status === 'returned' || status === 'rejected' || status === 'failed') return `Withdrawal of ${amount} ${status}: the money is back in your balance.`;
  return `Withdrawal of ${amount}: ${status}.`;
}

function Statement({ currency, version }: { currency: string; version: number }) {
  const [movements, setMovements] = useState<Movement[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const load = useAction(async (from: string | null) => {
    const page = await authed<{ transactions: Movement[]; nextCursor: string | null }>('GET', `/api/wallet/transactions?limit=25${from ? `&cursor=${encodeURIComponent(from)}` : ''}`);
    setMovements((old) => (from ? [...old, ...page.transactions] : page.transactions));
    setCursor(page.nextCursor);
  });
  useEffect(() => void load.run(null), [version]);
  return (
    <section class="card" aria-labelledby="statement-title">
      <h2 id="statement-title">Statement</h2>
      <ErrorNotice error={load.error} />
      {movements.length === 0 && !load.busy ? <p class="muted">No movements yet.</p> : null}
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>When</th>
              <th>What</th>
              <th class="num">Amount</th>
            </tr>
          </thead>
          <tbody>
            {movements.map((m, i) => (
              <tr key={`${m.at}-${i}`}>
                <td style={{ whiteSpace: 'nowrap' }}>{dateTime(m.at)}</td>
                <td>
                  {KIND_WORDS[m.kind] ?? m.kind}
                  <div class="muted" style={{ fontSize: '0.85rem' }}>
                    {m.reason}
                  </div>
                </td>
                <td class="num" style={{ color: m.amountMinor < 0 ? 'var(--bad)' : 'var(--good)', whiteSpace: 'nowrap' }}>
                  {money(m.amountMinor, currency)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {cursor ? (
        <button class="secondary" disabled={load.busy} onClick={() => void load.run(cursor)}>
          Older movements
        </button>
      ) : null}
    </section>
  );
}
