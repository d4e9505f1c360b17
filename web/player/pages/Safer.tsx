// web/player/pages/Safer.tsx — safer play (#/safer): the player's deposit, stake and loss
// limits (GET/POST /api/me/limits: lower at once, higher after the server's waiting period,
// shown as the server answers it), the session time limit and reality checks (GET/POST
// /api/me/session-time), a break or self-exclusion (Exclusion.tsx) and where to find help.
// During a break the server answers EXCLUDED to all of this: the page then shows the
// excluded state, where only withdrawing is possible.
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../../lib/api.ts';
import { dateTime, money, parseAmountMinor } from '../../lib/format.ts';
import { ErrorNotice, Notice, useAction } from '../../lib/ui.tsx';
import { authed, profile } from '../session.ts';
import { ExcludedView, ExclusionCard, excludedNow } from './Exclusion.tsx';
import './history.css';

type Kind = 'deposit' | 'stake' | 'loss';
type Period = 'day' | 'week' | 'month';

interface LimitRow {
  kind: Kind;
  period: Period;
  amountMinor: number | null;
  pending: { amountMinor: number | null; effectiveAt: string } | null;
  maximumMinor: number | null;
}

export interface LimitsView {
  jurisdiction: string | null;
  limits: LimitRow[];
  changes: { kind: Kind; period: Period; amountMinor: number | null; requestedAt: string; effectiveAt: string; source: string; supersededAt: string | null }[];
  exclusions: { kind: 'break' | 'self_exclusion'; duration: string; requestedAt: string; endsAt: string }[];
}

interface SessionTime {
  realityCheckMinutes: number | null;
  sessionLimitMinutes: number | null;
  changes?: { setting: string; value: number | null; askedAt: string }[];
}

const KIND_WORDS: Record<Kind, string> = {
  deposit: 'Deposits',
  stake: 'Stakes (what tickets cost)',
  loss: 'Losses (stakes less prizes)',
};
const LIMIT_NAMES: Record<Kind, string> = { deposit: 'Deposit', stake: 'Stake', loss: 'Loss' };
const PERIOD_WORDS: Record<Period, string> = { day: 'per 24 hours', week: 'per 7 days', month: 'per calendar month' };
/** Changes listed below the table; the server keeps every one. */
const CHANGES_SHOWN_MAX = 20;

export function SaferPage() {
  const [limits, setLimits] = useState<LimitsView | null>(null);
  const [sessionTime, setSessionTime] = useState<SessionTime | null>(null);
  const load = useAction(async () => {
    const [l, s] = await Promise.all([authed<LimitsView>('GET', '/api/me/limits'), authed<SessionTime>('GET', '/api/me/session-time')]);
    setLimits(l);
    setSessionTime(s);
  });
  useEffect(() => void load.run(), []);
  const currency = profile.value?.currency ?? 'EUR';
  // A withdraw-only session (logged in during a break) is answered EXCLUDED: show that state.
  const excludedByServer = load.error instanceof ApiError && load.error.code === 'EXCLUDED';
  if (excludedNow.value || excludedByServer) return <ExcludedView currency={currency} />;
  return (
    <div class="stack">
      <section class="card">
        <h1>Safer play</h1>
        <p>Play for fun, with money you can afford to lose. Set limits before you need them; they apply on every device and in every game.</p>
      </section>
      <ErrorNotice error={load.error} />
      {limits ? <LimitsCard view={limits} currency={currency} onChanged={() => void load.run()} /> : null}
      {sessionTime ? <SessionTimeCard settings={sessionTime} onChanged={() => void load.run()} /> : null}
      <ExclusionCard currency={currency} />
      {limits && limits.exclusions.length > 0 ? <PastExclusions view={limits} /> : null}
      <HelpCard />
    </div>
  );
}

function LimitsCard({ view, currency, onChanged }: { view: LimitsView; currency: string; onChanged(): void }) {
  return (
    <section class="card stack" aria-labelledby="limits-title">
      <h2 id="limits-title">Your limits</h2>
      <p class="muted">
        A lower limit (or a first one) applies at once. A higher limit, or removing one, applies only after a waiting period, so a decision made in the moment cannot be undone in the
        moment. Where several limits apply, the one with the least left wins.
      </p>
      <div class="table-wrap">
        <table class="limits-table" data-testid="limits">
          <thead>
            <tr>
              <th scope="col">Limit</th>
              <th scope="col">Period</th>
              <th scope="col" class="num">In force</th>
              <th scope="col">Change waiting</th>
              <th scope="col" class="num">Maximum here</th>
            </tr>
          </thead>
          <tbody>
            {view.limits.map((l) => (
              <tr key={`${l.kind}-${l.period}`} data-testid={`limit-${l.kind}-${l.period}`}>
                <td>{KIND_WORDS[l.kind]}</td>
                <td>{PERIOD_WORDS[l.period]}</td>
                <td class="num" data-testid="in-force">{l.amountMinor === null ? 'none' : money(l.amountMinor, currency)}</td>
                <td>{l.pending ? `${l.pending.amountMinor === null ? 'removal' : money(l.pending.amountMinor, currency)} from ${dateTime(l.pending.effectiveAt)}` : '—'}</td>
                <td class="num">{l.maximumMinor === null ? '—' : money(l.maximumMinor, currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <LimitForm currency={currency} onChanged={onChanged} />
      {view.changes.length > 0 ? (
        <details>
          <summary>Changes you asked for ({Math.min(view.changes.length, CHANGES_SHOWN_MAX)} newest)</summary>
          <ul>
            {view.changes.slice(0, CHANGES_SHOWN_MAX).map((c, i) => (
              <li key={i}>
                {dateTime(c.requestedAt)}: {c.kind} {PERIOD_WORDS[c.period]} → {c.amountMinor === null ? 'removed' : money(c.amountMinor, currency)}, in force {dateTime(c.effectiveAt)}
                {c.source === 'jurisdiction' ? ' (set by the rules where you play)' : ''}
                {c.supersededAt ? ' — replaced by a later request' : ''}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </section>
  );
}

interface LimitAnswer {
  kind: Kind;
  period: Period;
  amountMinor: number | null;
  effectiveAt: string;
  immediate: boolean;
}

function LimitForm({ currency, onChanged }: { currency: string; onChanged(): void }) {
  const [kind, setKind] = useState<Kind>('deposit');
  const [period, setPeriod] = useState<Period>('day');
  const [amount, setAmount] = useState('');
  const [answer, setAnswer] = useState<LimitAnswer | null>(null);
  const [invalid, setInvalid] = useState(false);
  const save = useAction(async () => {
    setAnswer(null);
    const amountMinor = amount.trim() === '' ? null : parseAmountMinor(amount);
    if (amount.trim() !== '' && (amountMinor === null || amountMinor <= 0)) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    setAnswer(await authed<LimitAnswer>('POST', '/api/me/limits', { kind, period, amountMinor }));
    onChanged();
  });
  return (
    <form
      class="filters"
      aria-label="Change a limit"
      onSubmit={(e) => {
        e.preventDefault();
        void save.run();
      }}
    >
      <label>
        Limit on
        <select value={kind} onChange={(e) => setKind((e.currentTarget as HTMLSelectElement).value as Kind)} name="kind">
          <option value="deposit">Deposits</option>
          <option value="stake">Stakes</option>
          <option value="loss">Losses</option>
        </select>
      </label>
      <label>
        Period
        <select value={period} onChange={(e) => setPeriod((e.currentTarget as HTMLSelectElement).value as Period)} name="period">
          <option value="day">24 hours</option>
          <option value="week">7 days</option>
          <option value="month">Calendar month</option>
        </select>
      </label>
      <label>
        Amount ({currency}; empty removes it)
        <input name="amount" inputMode="decimal" value={amount} onInput={(e) => setAmount((e.currentTarget as HTMLInputElement).value)} aria-invalid={invalid} placeholder="e.g. 50" />
      </label>
      <div class="row filter-buttons">
        <button type="submit" disabled={save.busy}>
          {save.busy ? 'Saving…' : 'Set limit'}
        </button>
      </div>
      <div style={{ gridColumn: '1 / -1' }}>
        {invalid ? <div class="notice error" role="alert">Enter an amount such as 50 or 12.50, or leave it empty to remove the limit.</div> : null}
        <ErrorNotice error={save.error} />
        {answer ? (
          <Notice kind={answer.immediate ? 'ok' : 'warn'}>
            <span data-testid="limit-answer">
              {LIMIT_NAMES[answer.kind]} limit {PERIOD_WORDS[answer.period]}: {answer.amountMinor === null ? 'removal' : money(answer.amountMinor, currency)}{' '}
              {answer.immediate ? 'is in force now.' : `takes effect on ${dateTime(answer.effectiveAt)}, after the waiting period. Until then the lower limit stays.`}
            </span>
          </Notice>
        ) : null}
      </div>
    </form>
  );
}

/** Minutes typed, or null for off; undefined when it is not a whole number in range. */
function minutesOf(text: string, min: number, max: number): number | null | undefined {
  if (text.trim() === '') return null;
  if (!/^\d{1,4}$/.test(text.trim())) return undefined;
  const n = Number(text.trim());
  return n >= min && n <= max ? n : undefined;
}

function SessionTimeCard({ settings, onChanged }: { settings: SessionTime; onChanged(): void }) {
  const [reality, setReality] = useState(settings.realityCheckMinutes?.toString() ?? '');
  const [session, setSession] = useState(settings.sessionLimitMinutes?.toString() ?? '');
  const [saved, setSaved] = useState<SessionTime | null>(null);
  const [invalid, setInvalid] = useState(false);
  const save = useAction(async () => {
    const realityCheckMinutes = minutesOf(reality, 10, 240);
    const sessionLimitMinutes = minutesOf(session, 10, 1440);
    setInvalid(realityCheckMinutes === undefined || sessionLimitMinutes === undefined);
    if (realityCheckMinutes === undefined || sessionLimitMinutes === undefined) return;
    setSaved(await authed<SessionTime>('POST', '/api/me/session-time', { realityCheckMinutes, sessionLimitMinutes }));
    onChanged();
  });
  const off = (m: number | null) => (m === null ? 'off' : `every ${m} min`);
  return (
    <section class="card stack" aria-labelledby="time-title">
      <h2 id="time-title">Time and reality checks</h2>
      <p class="muted">
        A <strong>reality check</strong> stops play every so often in a session to show how long you have played and what you staked and won; you confirm it before betting on. A{' '}
        <strong>session time limit</strong> logs you out that long after you log in. A lower session limit also shortens the session you are in now.
      </p>
      <p data-testid="session-time-now">
        Now: reality check {off(settings.realityCheckMinutes)}; session limit {settings.sessionLimitMinutes === null ? 'none' : `${settings.sessionLimitMinutes} min`}.
      </p>
      <form
        class="filters"
        aria-label="Time settings"
        onSubmit={(e) => {
          e.preventDefault();
          void save.run();
        }}
      >
        <label>
          Reality check every (minutes, 10–240; empty: off)
          <input name="reality" inputMode="numeric" value={reality} onInput={(e) => setReality((e.currentTarget as HTMLInputElement).value)} aria-invalid={invalid} />
        </label>
        <label>
          Session time limit (minutes, 10–1440; empty: none)
          <input name="session" inputMode="numeric" value={session} onInput={(e) => setSession((e.currentTarget as HTMLInputElement).value)} aria-invalid={invalid} />
        </label>
        <div class="row filter-buttons">
          <button type="submit" disabled={save.busy}>
            Save
          </button>
        </div>
      </form>
      {invalid ? <div class="notice error" role="alert">Minutes must be whole numbers: 10 to 240 for reality checks, 10 to 1440 for the session limit.</div> : null}
      <ErrorNotice error={save.error} />
      {saved ? <Notice>Saved: reality check {off(saved.realityCheckMinutes)}, session limit {saved.sessionLimitMinutes === null ? 'none' : `${saved.sessionLimitMinutes} min`}. In force now.</Notice> : null}
    </section>
  );
}

function PastExclusions({ view }: { view: LimitsView }) {
  return (
    <section class="card">
      <h2>Past breaks and self-exclusions</h2>
      <ul>
        {view.exclusions.map((e, i) => (
          <li key={i}>
            {e.kind === 'break' ? 'Break' : 'Self-exclusion'} ({e.duration}) asked {dateTime(e.requestedAt)}, until {dateTime(e.endsAt)}
          </li>
        ))}
      </ul>
    </section>
  );
}

function HelpCard() {
  return (
    <section class="card" aria-labelledby="help-title">
      <h2 id="help-title">Help, in confidence</h2>
      <p>If gambling stops being fun, or you play to win back losses, talk to someone. These services are free and confidential:</p>
      <ul>
        <li>BeGambleAware (UK): begambleaware.org, 0808 8020 133, 24 hours</li>
        <li>GamCare (UK): gamcare.org.uk</li>
        <li>Gamblers Anonymous: gamblersanonymous.org</li>
        <li>Check dein Spiel (Germany): check-dein-spiel.de, 0800 1 37 27 00</li>
        <li>Gambling Therapy (worldwide, many languages): gamblingtherapy.org</li>
      </ul>
      <p class="muted">Blocking software for gambling sites (for example Gamban or BetBlocker) can help too.</p>
    </section>
  );
}
