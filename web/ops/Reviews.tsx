// web/ops/Reviews.tsx — the two review queues finance works through: prizes held at or above
// their jurisdiction's threshold, and withdrawals above WITHDRAWAL_REVIEW_ABOVE_MINOR. Each is
// approved or rejected with a reason (required to reject), kept with the decision and in the
// audit log; a decision someone else already made answers NOT_IN_REVIEW, shown as such.
import { useEffect, useState } from 'preact/hooks';
import { dateTime, money } from '../lib/format.ts';
import { ErrorNotice, Notice, useAction } from '../lib/ui.tsx';
import { opApi } from './session.ts';

interface HeldPrize {
  ticketId: string;
  drawId: string;
  player: string;
  jurisdiction: string;
  amountMinor: number;
  status: string;
  heldAt: string;
}

interface ReviewedWithdrawal {
  id: string;
  player: string;
  amountMinor: number;
  status: string;
  requestedAt: string;
}

export function Reviews() {
  const [prizes, setPrizes] = useState<HeldPrize[]>([]);
  const [withdrawals, setWithdrawals] = useState<ReviewedWithdrawal[]>([]);
  const [done, setDone] = useState<string | null>(null);
  const load = useAction(async () => {
    const [p, w] = await Promise.all([opApi<{ prizes: HeldPrize[] }>('GET', '/api/operator/prize-holds'), opApi<{ withdrawals: ReviewedWithdrawal[] }>('GET', '/api/operator/withdrawals')]);
    setPrizes(p.prizes);
    setWithdrawals(w.withdrawals);
  });
  useEffect(() => void load.run(), []);
  const decided = (what: string) => {
    setDone(what);
    void load.run();
  };
  return (
    <div class="stack">
      <div class="row">
        <h1 style={{ margin: 0 }}>Reviews</h1>
        <button class="secondary" onClick={() => void load.run()} disabled={load.busy}>
          Refresh
        </button>
      </div>
      <ErrorNotice error={load.error} />
      {done ? <Notice>{done}</Notice> : null}
      <section class="card" aria-labelledby="prizes-title">
        <h2 id="prizes-title">Held prizes ({prizes.length})</h2>
        {prizes.length === 0 ? <p class="muted">No prize waits for review.</p> : null}
        <div class="stack" data-testid="held-prizes">
          {prizes.map((p) => (
            <Decision
              key={p.ticketId}
              testId={`prize-${p.ticketId}`}
              title={`${money(p.amountMinor, 'EUR')} on ticket ${p.ticketId}`}
              detail={`Draw ${p.drawId} · player ${p.player} (${p.jurisdiction}) · held ${dateTime(p.heldAt)}`}
              path={`/api/operator/prize-holds/${encodeURIComponent(p.ticketId)}/decision`}
              onDecided={(approve) => decided(`Prize on ${p.ticketId} ${approve ? 'released to the player (less any tax withheld)' : 'forfeited'}.`)}
            />
          ))}
        </div>
      </section>
      <section class="card" aria-labelledby="withdrawals-title">
        <h2 id="withdrawals-title">Withdrawals in review ({withdrawals.length})</h2>
        {withdrawals.length === 0 ? <p class="muted">No withdrawal waits for review.</p> : null}
        <div class="stack" data-testid="withdrawals">
          {withdrawals.map((w) => (
            <Decision
              key={w.id}
              testId={`withdrawal-${w.id}`}
              title={`${money(w.amountMinor, 'EUR')} withdrawal ${w.id}`}
              detail={`Player ${w.player} · asked ${dateTime(w.requestedAt)}`}
              path={`/api/operator/withdrawals/${encodeURIComponent(w.id)}/decision`}
              onDecided={(approve) => decided(`Withdrawal ${w.id} ${approve ? 'approved: sent to the provider' : 'rejected: the money is back in the player\'s balance'}.`)}
            />
          ))}
        </div>
      </section>
    </div>
  );
}

function Decision(props: { testId: string; title: string; detail: string; path: string; onDecided: (approve: boolean) => void }) {
  const [reason, setReason] = useState('');
  const decide = useAction(async (approve: boolean) => {
    if (!approve && reason.trim().length < 3) throw Object.assign(new Error('Give a reason of at least 3 characters to reject.'), { code: 'REASON_REQUIRED' });
    await opApi('POST', props.path, { approve, ...(reason.trim() ? { reason: reason.trim() } : {}) });
    props.onDecided(approve);
  });
  return (
    <article class="notice" data-testid={props.testId} style={{ display: 'grid', gap: '0.4rem' }}>
      <strong>{props.title}</strong>
      <span class="muted">{props.detail}</span>
      <div class="ops-actions">
        <input aria-label={`Reason for ${props.title}`} placeholder="Reason (required to reject)" maxLength={500} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        <button onClick={() => void decide.run(true)} disabled={decide.busy}>
          Approve
        </button>
        <button class="danger" onClick={() => void decide.run(false)} disabled={decide.busy}>
          Reject
        </button>
      </div>
      <ErrorNotice error={decide.error} />
    </article>
  );
}
