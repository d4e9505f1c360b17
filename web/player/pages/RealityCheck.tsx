// web/player/pages/RealityCheck.tsx — the reality check a player asked for (Safer play): the
// sales room sends one every so many minutes of a session, and bets wait (REALITY_CHECK_PENDING)
// until the player has read it and said so. A modal dialog, so it cannot be missed or
// clicked past by accident; the keyboard lands on its buttons.
import { useEffect, useRef } from 'preact/hooks';
import { dateTime, money } from '../../lib/format.ts';
import { logout } from '../session.ts';
import type { SalesConnection } from '../sales.ts';

export function RealityCheckDialog({ connection, currency }: { connection: SalesConnection; currency: string }) {
  const check = connection.realityCheck.value;
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (check && !d.open) d.showModal();
    if (!check && d.open) d.close();
  }, [check]);
  return (
    <dialog ref={dialog} aria-labelledby="reality-title" onCancel={(e) => e.preventDefault()} data-testid="reality-check">
      {check ? (
        <div class="stack">
          <h2 id="reality-title">Reality check</h2>
          <p>
            You have been playing for <strong>{check.playedMinutes} minutes</strong> (since {dateTime(check.sessionStartedAt)}).
          </p>
          <table>
            <tbody>
              <tr>
                <td>Staked</td>
                <td class="num">{money(check.stakedMinor, currency)}</td>
              </tr>
              <tr>
                <td>Won</td>
                <td class="num">{money(check.wonMinor, currency)}</td>
              </tr>
              <tr>
                <td>
                  <strong>{check.netMinor < 0 ? 'Net loss' : 'Net'}</strong>
                </td>
                <td class="num">
                  <strong>{money(check.netMinor, currency)}</strong>
                </td>
              </tr>
            </tbody>
          </table>
          <p class="muted">
            Take a moment. You can set limits or take a break under <a href="#/safer">Safer play</a>.
          </p>
          <div class="row">
            <button autofocus onClick={() => connection.acknowledgeRealityCheck()}>
              I understand, continue
            </button>
            <button class="secondary" onClick={() => void logout()}>
              Stop and log out
            </button>
          </div>
        </div>
      ) : null}
    </dialog>
  );
}
