// web/player/pages/Account.tsx — logging in and registering (what a visitor sees), and once
// logged in: the profile and identity verification through the provider (the sandbox here).
// Registration asks what the server needs to decide age and jurisdiction; the list of places
// is the server's own jurisdiction table (config/jurisdictions.json, bundled), so the choice
// matches what it decides — the server still has the last word (JURISDICTION_BLOCKED).
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../../lib/api.ts';
import { dateTime, money } from '../../lib/format.ts';
import { ErrorNotice, Fact, Notice, useAction } from '../../lib/ui.tsx';
import { authed, profile, refreshProfile, setSession, token } from '../session.ts';
import { excludedNow } from './Exclusion.tsx';
import jurisdictionTable from '../../../config/jurisdictions.json';

interface Place {
  value: string;
  country: string;
  region?: string;
  name: string;
}

const PLACES: Place[] = (jurisdictionTable.jurisdictions as { country: string; region?: string; name: string; permitted: boolean }[])
  .filter((j) => j.permitted)
  .map((j) => ({ value: j.region ? `${j.country}-${j.region}` : j.country, country: j.country, region: j.region, name: j.name }));

/** After registering: the server's prompt to set limits, shown once. */
let limitsPrompt: string | null = null;

export function AccountPage() {
  if (!token.value) return <LoggedOut />;
  return (
    <div class="stack">
      {limitsPrompt ? (
        <Notice kind="warn">
          {limitsPrompt} <a href="#/safer">Set your limits</a>
        </Notice>
      ) : null}
      <Profile />
      <IdentityCard />
    </div>
  );
}

function LoggedOut() {
  const [mode, setMode] = useState<'login' | 'register'>('login');
  return (
    <div class="grid" style={{ alignItems: 'start' }}>
      <section class="card stack" aria-labelledby="welcome">
        <h1 id="welcome">Play the daily draws</h1>
        <p>Lotto 6/49, Jackpot 5/69, Pick-3, Pick-4, Keno and the Raffle. Sales close at the cutoff; every draw can be checked by anyone, and so can your ticket.</p>
        <p class="muted">You must be 18 or over and in a place where play is permitted. Set limits before you need them.</p>
        <div class="row" role="tablist" aria-label="Log in or register">
          <button role="tab" aria-selected={mode === 'login'} class={mode === 'login' ? '' : 'secondary'} onClick={() => setMode('login')}>
            Log in
          </button>
          <button role="tab" aria-selected={mode === 'register'} class={mode === 'register' ? '' : 'secondary'} onClick={() => setMode('register')}>
            Register
          </button>
        </div>
      </section>
      {mode === 'login' ? <LoginForm /> : <RegisterForm onDone={() => setMode('login')} />}
    </div>
  );
}

function LoginForm({ notice }: { notice?: string }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [needsCode, setNeedsCode] = useState(false);
  const login = useAction(async () => {
    try {
      const answer = await api<{ token: string }>('POST', '/api/auth/login', { body: { email, password, ...(needsCode ? { totp } : {}) } });
      setSession(answer.token);
      await refreshProfile();
      location.hash = '#/';
    } catch (error) {
      if (error instanceof ApiError && error.code === 'TOTP_REQUIRED') setNeedsCode(true);
      // On a break: the app shows that state, with the withdraw-only login it offers.
      if (error instanceof ApiError && error.code === 'EXCLUDED') excludedNow.value = { answer: null, email, withdrawOnly: false };
      throw error;
    }
  });
  return (
    <section class="card" aria-labelledby="login-title">
      <h2 id="login-title">Log in</h2>
      {notice ? <Notice>{notice}</Notice> : null}
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void login.run();
        }}
      >
        <label>
          Email
          <input type="email" name="email" autocomplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </label>
        <label>
          Password
          <input type="password" name="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        {needsCode ? (
          <label>
            Code from your authenticator app
            <input inputMode="numeric" pattern="[0-9]{6}" maxLength={6} autocomplete="one-time-code" required value={totp} onInput={(e) => setTotp(e.currentTarget.value)} />
          </label>
        ) : null}
        <ErrorNotice error={login.error} />
        <button type="submit" disabled={login.busy}>
          {login.busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </section>
  );
}

function RegisterForm({ onDone }: { onDone: () => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [dateOfBirth, setDateOfBirth] = useState('');
  const [place, setPlace] = useState(PLACES[0]?.value ?? 'DE');
  const register = useAction(async () => {
    const chosen = PLACES.find((p) => p.value === place);
    const answer = await api<{ playerId: string; limitsPrompt?: { message: string } }>('POST', '/api/auth/register', {
      body: { email, password, dateOfBirth, country: chosen?.country ?? place, ...(chosen?.region ? { region: chosen.region } : {}) },
    });
    limitsPrompt = answer.limitsPrompt?.message ?? null;
    // Registered: log straight in with what was just typed.
    const login = await api<{ token: string }>('POST', '/api/auth/login', { body: { email, password } });
    setSession(login.token);
    await refreshProfile();
    location.hash = '#/account';
    onDone();
  });
  return (
    <section class="card" aria-labelledby="register-title">
      <h2 id="register-title">Register</h2>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void register.run();
        }}
      >
        <label>
          Email
          <input type="email" name="email" autocomplete="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </label>
        <label>
          Password (at least 10 characters)
          <input type="password" name="new-password" autocomplete="new-password" minLength={10} required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        <label>
          Date of birth
          <input type="date" name="dob" required value={dateOfBirth} onInput={(e) => setDateOfBirth(e.currentTarget.value)} />
        </label>
        <label>
          Where you live
          <select name="place" value={place} onChange={(e) => setPlace(e.currentTarget.value)}>
            {PLACES.map((p) => (
              <option key={p.value} value={p.value}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <ErrorNotice error={register.error} />
        <button type="submit" disabled={register.busy}>
          {register.busy ? 'Creating your account…' : 'Create account'}
        </button>
      </form>
    </section>
  );
}

function Profile() {
  const me = profile.value;
  if (!me) return <section class="card">Loading your account…</section>;
  return (
    <section class="card" aria-labelledby="profile-title">
      <h1 id="profile-title">Your account</h1>
      <dl class="grid" style={{ gap: '0.5rem 1rem', gridTemplateColumns: 'repeat(auto-fit, minmax(180px, 1fr))' }}>
        <Fact term="Email" value={me.email} />
        <Fact term="Player id" value={me.playerId} />
        <Fact term="Date of birth" value={me.dateOfBirth} />
        <Fact term="Registered in" value={me.region ? `${me.country}-${me.region}` : me.country} />
        <Fact term="Balance" value={money(me.balanceMinor, me.currency)} />
        <Fact term="Account" value={me.status} />
        <Fact term="Member since" value={dateTime(me.createdAt)} />
      </dl>
    </section>
  );
}


interface IdentityRecord {
  status: string;
  checks: { checkId: string; status: string; reason: string | null; documentLast4: string; requestedAt: string; decidedAt: string | null }[];
}

const IDENTITY_WORDS: Record<string, string> = {
  unverified: 'Not verified yet: verify to deposit and play.',
  pending: 'Being checked: this usually takes a few seconds.',
  verified: 'Verified.',
  refused: 'Refused: check the details and try again, or contact support.',
};

function IdentityCard() {
  const [record, setRecord] = useState<IdentityRecord | null>(null);
  const [givenName, setGivenName] = useState('');
  const [familyName, setFamilyName] = useState('');
  const [documentNumber, setDocumentNumber] = useState('');
  const load = useAction(async () => setRecord(await authed<IdentityRecord>('GET', '/api/me/identity')));
  useEffect(() => void load.run(), []);
  // While a check is under way, ask again every second until the provider has decided.
  useEffect(() => {
    if (record?.status !== 'pending') return;
    const id = setInterval(async () => {
      const next = await authed<IdentityRecord>('GET', '/api/me/identity').catch(() => null);
      if (next) setRecord(next);
      if (next && next.status !== 'pending') void refreshProfile().catch(() => undefined);
    }, 1_000);
    return () => clearInterval(id);
  }, [record?.status]);
  const submit = useAction(async () => {
    await authed('POST', '/api/me/identity', { givenName, familyName, documentNumber: documentNumber.toUpperCase() });
    setRecord(await authed<IdentityRecord>('GET', '/api/me/identity'));
  });
  const status = record?.status ?? profile.value?.identityStatus ?? 'unverified';
  return (
    <section class="card stack" aria-labelledby="identity-title">
      <h2 id="identity-title">Identity</h2>
      <p>
        <span class={`pill ${status === 'verified' ? 'good' : status === 'refused' ? 'bad' : 'warn'}`} data-testid="identity-status">
          {status}
        </span>{' '}
        {IDENTITY_WORDS[status] ?? status}
        {status === 'verified' && (profile.value?.balanceMinor ?? 0) === 0 ? (
          <>
            {' '}
            Next: <a href="#/wallet">make a deposit</a>.
          </>
        ) : null}
      </p>
      <ErrorNotice error={load.error} />
      {status === 'unverified' || status === 'refused' ? (
        <form
          class="stack"
          onSubmit={(e) => {
            e.preventDefault();
            void submit.run();
          }}
        >
          <p class="muted">As printed on your passport or identity card. Checked by our identity provider; we keep only the last four characters of the number.</p>
          <div class="grid" style={{ gridTemplateColumns: 'repeat(auto-fit, minmax(200px, 1fr))' }}>
            <label>
              Given names
              <input required maxLength={80} autocomplete="given-name" value={givenName} onInput={(e) => setGivenName(e.currentTarget.value)} />
            </label>
            <label>
              Family name
              <input required maxLength={80} autocomplete="family-name" value={familyName} onInput={(e) => setFamilyName(e.currentTarget.value)} />
            </label>
            <label>
              Document number
              <input required minLength={6} maxLength={20} pattern="[A-Za-z0-9]{6,20}" value={documentNumber} onInput={(e) => setDocumentNumber(e.currentTarget.value)} />
            </label>
          </div>
          <ErrorNotice error={submit.error} />
          <button type="submit" disabled={submit.busy}>
            {submit.busy ? 'Sending…' : 'Verify my identity'}
          </button>
        </form>
      ) : null}
      {record && record.checks.length > 0 ? (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Asked</th>
                <th>Document</th>
                <th>Decision</th>
              </tr>
            </thead>
            <tbody>
              {record.checks.map((c) => (
                <tr key={c.checkId}>
                  <td>{dateTime(c.requestedAt)}</td>
                  <td class="mono">…{c.documentLast4}</td>
                  <td>
                    {c.status}
                    {c.reason ? ` (${c.reason})` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
