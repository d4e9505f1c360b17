// web/player/App.tsx — the player app's shell: the top bar (balance, navigation) and one page
// per hash route. Logged out, every route but the account page shows the account page.
import { useEffect } from 'preact/hooks';
import { money } from '../lib/format.ts';
import { useHashRoute } from '../lib/ui.tsx';
import { logout, profile, refreshProfile, token } from './session.ts';
import { AccountPage } from './pages/Account.tsx';
import { PlayPage } from './pages/Play.tsx';
import { WalletPage } from './pages/Wallet.tsx';
import { HistoryPage } from './pages/History.tsx';
import { SaferPage } from './pages/Safer.tsx';
import { ExcludedView, excludedNow } from './pages/Exclusion.tsx';

const NAV = [
  { path: '/', label: 'Play' },
  { path: '/wallet', label: 'Wallet' },
  { path: '/history', label: 'My tickets' },
  { path: '/safer', label: 'Safer play' },
  { path: '/account', label: 'Account' },
] as const;

export function App() {
  const route = useHashRoute();
  useEffect(() => {
    if (token.value) void refreshProfile().catch(() => undefined);
  }, [token.value]);
  const loggedIn = Boolean(token.value);
  const me = profile.value;
  // After a break or self-exclusion starts (or a withdraw-only login during one), the app
  // shows that state on every route: the only thing left to do is withdraw.
  const excluded = excludedNow.value !== null;
  return (
    <>
      <a class="sr-only" href="#main">Skip to content</a>
      <header class="topbar">
        <a class="brand" href="#/">Lottery</a>
        {loggedIn && !excluded ? (
          <nav aria-label="Main">
            {NAV.map((item) => (
              <a key={item.path} href={`#${item.path}`} aria-current={route === item.path ? 'page' : undefined}>
                {item.label}
              </a>
            ))}
          </nav>
        ) : null}
        <span class="spacer" />
        {me ? (
          <span class="balance" data-testid="balance" aria-label="Balance">
            {money(me.balanceMinor, me.currency)}
          </span>
        ) : null}
        {loggedIn ? (
          <button class="secondary" style={{ color: 'inherit', borderColor: 'currentColor' }} onClick={() => {
              excludedNow.value = null;
              void logout();
            }}>
            Log out
          </button>
        ) : null}
      </header>
      <main id="main">{excluded ? <ExcludedView currency={me?.currency ?? 'EUR'} /> : loggedIn ? <Page route={route} /> : <AccountPage />}</main>
    </>
  );
}

function Page({ route }: { route: string }) {
  switch (route) {
    case '/wallet':
      return <WalletPage />;
    case '/history':
      return <HistoryPage />;
    case '/safer':
      return <SaferPage />;
    case '/account':
      return <AccountPage />;
    default:
      return <PlayPage />;
  }
}
