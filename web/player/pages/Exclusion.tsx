// web/player/pages/Exclusion.tsx — taking a break or excluding oneself (POST /api/me/exclusion,
// README "Breaks and self-exclusion"), confirmed in a dialog that says exactly what happens,
// and the state after it: every session has ended, play and deposits are closed until the
// end date, and the balance can still be withdrawn through a withdraw-only session
// (POST /api/auth/login with purpose "withdraw").
import { signal } from '@preact/signals';
import { useRef, useState } from 'preact/hooks';
import { api, newRequestId } from '../../lib/api.ts';
import { dateTime, money, parseAmountMinor } from '../../lib/format.ts';
import { ErrorNotice, Notice, useAction } from '../../lib/ui.tsx';
import { authed, profile, refreshProfile, setSession, token } from '../session.ts';

export interface ExclusionAnswer {
  kind: 'break' | 'self_exclusion';
  endsAt: string;
  excludedUntil: string;
  refunded: { tickets: number; amountMinor: number };
}

/** Set once the server has confirmed an exclusion in this tab: the app then shows only the excluded state. */
export const excludedNow = signal<{ answer: ExclusionAnswer | null; email: string | null; withdrawOnly: boolean } | null>(null);

const BREAK_DAYS = [1, 7, 14, 30, 42] as const;
const SELF_EXCLUSION_MONTHS = [6, 12, 60] as const;

type Choice = { kind: 'break'; days: number } | { kind: 'self_exclusion'; months: 6 | 12 | 60 };

function describe(choice: Choice): string {
  if (choice.kind === 'break') return `a break of ${choice.days} day${choice.days === 1 ? '' : 's'}`;
  return `self-exclusion for ${choice.months === 60 ? '5 years' : `${choice.months} months`}`;
}

export function ExclusionCard({ currency }: { currency: string }) {
  const [choice, setChoice] = useState<Choice>({ kind: 'break', days: 7 });
  const dialog = useRef<HTMLDialogElement>(null);
  const submit = useAction(async () => {
    const email = profile.value?.email ?? null;
    const answer = await authed<ExclusionAnswer>('POST', '/api/me/exclusion', choice);
    dialog.current?.close();
    // The server has ended this session: the token is dead. Keep it out of every later call.
    excludedNow.value = { answer, email, withdrawOnly: false };
  });
  const value = choice.kind === 'break' ? `break-${choice.days}` : `self-${choice.months}`;
  return (
    <section class="card stack" aria-labelledby="break-title">
      <h2 id="break-title">Take a break or exclude yourself</h2>
      <p>
        A break (1 to 42 days) or a self-exclusion (6 months, 1 year or 5 years) stops all play and deposits at once, on every device. <strong>It cannot be shortened or undone</strong>,
        not even by our support team.
      </p>
      <label>
        How long
        <select
          name="exclusion"
          value={value}
          onChange={(e) => {
            const [kind, n] = (e.currentTarget as HTMLSelectElement).value.split('-');
            setChoice(kind === 'break' ? { kind: 'break', days: Number(n) } : { kind: 'self_exclusion', months: Number(n) as 6 | 12 | 60 });
          }}
        >
          {BREAK_DAYS.map((d) => (
            <option key={d} value={`break-${d}`}>
              Break: {d} day{d === 1 ? '' : 's'}
            </option>
          ))}
          {SELF_EXCLUSION_MONTHS.map((m) => (
            <option key={m} value={`self-${m}`}>
              Self-exclusion: {m === 60 ? '5 years' : `${m} months`}
            </option>
          ))}
        </select>
      </label>
      <div>
        <button class="danger" onClick={() => dialog.current?.showModal()}>
          Take {describe(choice)}…
        </button>
      </div>
      <dialog ref={dialog} aria-labelledby="confirm-title" data-testid="exclusion-dialog">
        <form
          method="dialog"
          class="dialog-body"
          onSubmit={(e) => {
            e.preventDefault();
            void submit.run();
          }}
        >
          <h2 id="confirm-title">Confirm {describe(choice)}</h2>
          <p>When you confirm, at once:</p>
          <ul>
            <li>you are logged out everywhere, and cannot log in to play, bet or deposit until it ends;</li>
            <li>tickets you bought in advance for draws that have not opened yet are refunded to your wallet;</li>
            <li>tickets in draws already open or drawn stay in their draws, and any prize is paid to your wallet as usual;</li>
            <li>
              your balance stays yours: you can still log in <strong>only to withdraw it</strong>
              {profile.value ? ` (now ${money(profile.value.balanceMinor, currency)})` : ''};
            </li>
            <li>it cannot be shortened or cancelled. A later, shorter request leaves the longer one in force.</li>
          </ul>
          <ErrorNotice error={submit.error} />
          <div class="row">
            <button type="submit" class="danger" disabled={submit.busy} data-testid="confirm-exclusion">
              {submit.busy ? 'Confirming…' : `Yes, take ${describe(choice)}`}
            </button>
            <button type="button" class="secondary" onClick={() => dialog.current?.close()}>
              Cancel
            </button>
          </div>
        </form>
      </dialog>
    </section>
  );
}

/** The excluded state: what was done, and the one thing still possible, withdrawing. */
export function ExcludedView({ currency }: { currency: string }) {
  const state = excludedNow.value;
  const answer = state?.answer ?? null;
  // Reached with a withdraw-only session (logged in during a break): it can withdraw at once.
  const withdrawOnly = state ? state.withdrawOnly : Boolean(token.value);
  return (
    <div class="stack">
      <section class="card excluded stack" data-testid="excluded" role="status">
        <h1>{answer?.kind === 'self_exclusion' ? 'You have excluded yourself' : 'You are on a break'}</h1>
        {answer ? (
          <p>
            Until <strong data-testid="excluded-until">{dateTime(answer.excludedUntil)}</strong> you cannot play, bet or deposit, on any device. You have been logged out everywhere.
          </p>
        ) : (
          <p>Play, bets and deposits are closed on this account until your break or self-exclusion ends. This session can only withdraw your balance.</p>
        )}
        {answer && answer.refunded.tickets > 0 ? (
          <p data-testid="refunded">
            {answer.refunded.tickets} ticket{answer.refunded.tickets === 1 ? '' : 's'} bought in advance for draws not yet open {answer.refunded.tickets === 1 ? 'was' : 'were'} refunded:{' '}
            {money(answer.refunded.amountMinor, currency)} back in your wallet.
          </p>
        ) : null}
        <p>Your balance is still yours. You can withdraw it now or at any time.</p>
      </section>
      {withdrawOnly ? <WithdrawCard currency={currency} /> : <WithdrawLogin email={state?.email ?? null} />}
    </div>
  );
}

/** A withdraw-only session: the exclusion ended the old one. */
function WithdrawLogin({ email: known }: { email: string | null }) {
  const [email, setEmail] = useState(known ?? '');
  const [password, setPassword] = useState('');
  const login = useAction(async () => {
    const answer = await api<{ token: string; scope?: string }>('POST', '/api/auth/login', { body: { email, password, purpose: 'withdraw' } });
    setSession(answer.token);
    excludedNow.value = { ...(excludedNow.value ?? { answer: null, email }), withdrawOnly: true };
    await refreshProfile().catch(() => undefined);
  });
  return (
    <section class="card stack" aria-labelledby="withdraw-login-title">
      <h2 id="withdraw-login-title">Log in to withdraw</h2>
      <p class="muted">This opens a session that can only withdraw your balance and read your statement.</p>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void login.run();
        }}
      >
        <label>
          Email
          <input type="email" autoComplete="username" value={email} onInput={(e) => setEmail((e.currentTarget as HTMLInputElement).value)} required />
        </label>
        <label>
          Password
          <input type="password" autoComplete="current-password" value={password} onInput={(e) => setPassword((e.currentTarget as HTMLInputElement).value)} required />
        </label>
        <ErrorNotice error={login.error} />
        <div>
          <button type="submit" disabled={login.busy}>
            {login.busy ? 'Logging in…' : 'Log in to withdraw'}
          </button>
        </div>
      </form>
    </section>
  );
}

function WithdrawCard({ currency }: { currency: string }) {
  const [amount, setAmount] = useState('');
  const [done, setDone] = useState<{ amountMinor: number; status: string } | null>(null);
  const [invalid, setInvalid] = useState(false);
  const withdraw = useAction(async () => {
    const amountMinor = parseAmountMinor(amount);
    setInvalid(amountMinor === null || amountMinor <= 0);
    if (amountMinor === null || amountMinor <= 0) return;
    const answer = await authed<{ amountMinor: number; status: string }>('POST', '/api/wallet/withdrawals', { amount: amountMinor, idempotencyKey: newRequestId('wd') });
    setDone(answer);
    await refreshProfile().catch(() => undefined);
  });
  const balance = profile.value?.balanceMinor;
  return (
    <section class="card stack" aria-labelledby="withdraw-title">
      <h2 id="withdraw-title">Withdraw</h2>
      {balance !== undefined ? <p>Balance: <strong class="num" data-testid="excluded-balance">{money(balance, currency)}</strong></p> : null}
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          void withdraw.run();
        }}
      >
        <label>
          Amount ({currency})
          <input name="withdraw-amount" inputMode="decimal" value={amount} onInput={(e) => setAmount((e.currentTarget as HTMLInputElement).value)} aria-invalid={invalid} />
        </label>
        <button type="submit" disabled={withdraw.busy} style={{ alignSelf: 'flex-end' }}>
          Withdraw
        </button>
      </form>
      {invalid ? <div class="notice error" role="alert">Enter an amount such as 20 or 12.50.</div> : null}
      <ErrorNotice error={withdraw.error} />
      {done ? <Notice>Withdrawal of {money(done.amountMinor, currency)} asked: {done.status === 'review' ? 'it waits for our team to approve it' : 'it is on its way'}.</Notice> : null}
    </section>
  );
}
