// web/ops/App.tsx — the operator console's shell: the login (name, password, the code of the
// authenticator app: the server asks for all three), then one section per hash route, each
// shown only to the roles whose routes it calls (web/ops/session.ts SECTIONS).
import { useEffect, useState } from 'preact/hooks';
import { api } from '../lib/api.ts';
import { ErrorNotice, useAction, useHashRoute } from '../lib/ui.tsx';
import { may, opApi, opToken, operator, SECTIONS, setOperatorSession, WATCHING_ROLES, type Operator } from './session.ts';
import { Overview } from './Overview.tsx';
import { Reviews } from './Reviews.tsx';
import { Alerts } from './Alerts.tsx';
import { Draws } from './Draws.tsx';
import { Reports } from './Reports.tsx';
import { OperatorsFeed } from './feed.ts';

export function OpsApp() {
  const route = useHashRoute();
  const [feed, setFeed] = useState<OperatorsFeed | null>(null);
  useEffect(() => {
    if (!opToken.value) return;
    void opApi<Operator>('GET', '/api/operator/me')
      .then((me) => (operator.value = me))
      .catch(() => undefined);
  }, [opToken.value]);
  // One live feed for the whole console (figures and alerts), for the roles that may watch.
  useEffect(() => {
    const me = operator.value;
    if (!me || !opToken.value || !WATCHING_ROLES.includes(me.role)) return;
    const live = new OperatorsFeed(opToken.value);
    void live.start();
    setFeed(live);
    return () => {
      live.stop();
      setFeed(null);
    };
  }, [operator.value?.name, opToken.value]);
  if (!opToken.value) return <Login />;
  const me = operator.value;
  const section = SECTIONS.find((s) => s.path === route) ?? SECTIONS[0];
  return (
    <>
      <a class="sr-only" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href="#/">
          Lottery operations
        </a>
        {me ? (
          <nav aria-label="Console">
            {SECTIONS.filter((s) => may(s.path)).map((s) => (
              <a key={s.path} href={`#${s.path}`} aria-current={section.path === s.path ? 'page' : undefined}>
                {s.label}
              </a>
            ))}
            {WATCHING_ROLES.includes(me.role) ? <MonitorLink /> : null}
          </nav>
        ) : null}
        <span class="spacer" />
        {me ? (
          <span data-testid="operator">
            {me.name} <span class="pill">{me.role}</span>
          </span>
        ) : null}
        <button class="secondary" style={{ color: 'inherit', borderColor: 'currentColor' }} onClick={() => void logout()}>
          Log out
        </button>
      </header>
      <main id="main">{!me ? <p class="muted">Loading…</p> : !may(section.path) ? <p class="notice warn">Your role does not use this section.</p> : <Section path={section.path} feed={feed} />}</main>
    </>
  );
}

function Section({ path, feed }: { path: string; feed: OperatorsFeed | null }) {
  switch (path) {
    case '/reviews':
      return <Reviews />;
    case '/alerts':
      return <Alerts feed={feed} />;
    case '/draws':
      return <Draws />;
    case '/reports':
      return <Reports />;
    default:
      return <Overview feed={feed} />;
  }
}

async function logout() {
  await opApi('POST', '/api/operator/logout').catch(() => undefined);
  setOperatorSession(null);
}

/** The room monitor (@colyseus/monitor) behind our access check: a cookie for /monitor, then the page. */
function MonitorLink() {
  const open = useAction(async () => {
    // Opened at once (a pop-up blocker allows it within the click), pointed at the monitor once the cookie is set.
    const tab = window.open('about:blank', '_blank');
    await opApi('POST', '/api/operator/monitor-session');
    if (tab) tab.location.href = '/monitor/';
    else location.href = '/monitor/';
  });
  return (
    <a
      href="/monitor/"
      onClick={(e) => {
        e.preventDefault();
        void open.run();
      }}
    >
      Room monitor
    </a>
  );
}

function Login() {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const login = useAction(async () => {
    const answer = await api<{ token: string }>('POST', '/api/operator/login', { body: { name, password, code } });
    setOperatorSession(answer.token);
    location.hash = '#/';
  });
  return (
    <main id="main" style={{ maxWidth: '26rem' }}>
      <section class="card" aria-labelledby="login-title">
        <h1 id="login-title">Operator console</h1>
        <p class="muted">Every request you make here is recorded in the audit log under your name.</p>
        <form
          class="stack"
          onSubmit={(e) => {
            e.preventDefault();
            void login.run();
          }}
        >
          <label>
            Operator name
            <input name="operator" autocomplete="username" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </label>
          <label>
            Password
            <input type="password" name="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
          </label>
          <label>
            Authenticator code
            <input name="code" inputMode="numeric" pattern="[0-9]{6}" maxLength={6} autocomplete="one-time-code" required value={code} onInput={(e) => setCode(e.currentTarget.value)} />
          </label>
          <ErrorNotice error={login.error} />
          <button type="submit" disabled={login.busy}>
            {login.busy ? 'Logging in…' : 'Log in'}
          </button>
        </form>
      </section>
    </main>
  );
}
