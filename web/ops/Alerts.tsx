// web/ops/Alerts.tsx — the fraud and anomaly alerts (actors/RiskMonitor.ts): new ones arrive
// live from the `operators` room, the list is GET /api/operator/alerts. Each open alert is
// dismissed (a false alarm: any betting freeze it caused is lifted) or confirmed (it stands),
// with a note kept in the audit log.
import { useEffect, useState } from 'preact/hooks';
import { dateTime } from '../lib/format.ts';
import { ErrorNotice, useAction } from '../lib/ui.tsx';
import { opApi } from './session.ts';
import type { AlertView, OperatorsFeed } from './feed.ts';

export function Alerts({ feed }: { feed: OperatorsFeed | null }) {
  const [listed, setListed] = useState<AlertView[]>([]);
  const [status, setStatus] = useState<'open' | 'dismissed' | 'confirmed'>('open');
  const load = useAction(async () => setListed((await opApi<{ alerts: AlertView[] }>('GET', `/api/operator/alerts?status=${status}&limit=100`)).alerts));
  useEffect(() => void load.run(), [status]);
  // Live ones first, then the list; one entry per alert id.
  const live = status === 'open' ? (feed?.alerts.value ?? []) : [];
  const seen = new Set<number>();
  const alerts = [...live, ...listed].filter((a) => (seen.has(a.alertId) ? false : (seen.add(a.alertId), true)));
  return (
    <div class="stack">
      <div class="row">
        <h1 style={{ margin: 0 }}>Alerts</h1>
        <label style={{ flexDirection: 'row', alignItems: 'center', gap: '0.4rem' }}>
          Show
          <select value={status} onChange={(e) => setStatus(e.currentTarget.value as typeof status)}>
            <option value="open">open</option>
            <option value="confirmed">confirmed</option>
            <option value="dismissed">dismissed</option>
          </select>
        </label>
        {feed ? <span class={`pill ${feed.status.value === 'live' ? 'good' : 'warn'}`}>feed {feed.status.value}</span> : null}
      </div>
      <ErrorNotice error={load.error} />
      {alerts.length === 0 ? <p class="muted">No {status} alerts.</p> : null}
      <div class="stack" data-testid="alerts">
        {alerts.map((a) => (
          <AlertCard key={a.alertId} alert={a} onReviewed={() => void load.run()} />
        ))}
      </div>
    </div>
  );
}

function AlertCard({ alert, onReviewed }: { alert: AlertView; onReviewed: () => void }) {
  const [note, setNote] = useState('');
  const review = useAction(async (decision: 'dismiss' | 'confirm') => {
    await opApi('POST', `/api/operator/alerts/${alert.alertId}/review`, { decision, note });
    onReviewed();
  });
  const severity = alert.severity === 'critical' ? 'bad' : alert.severity === 'warning' ? 'warn' : '';
  return (
    <article class="card" data-testid="alert" style={{ display: 'grid', gap: '0.4rem' }}>
      <div class="row">
        <span class={`pill ${severity}`}>{alert.severity}</span>
        <strong>{alert.rule.replace(/_/g, ' ')}</strong>
        <span class="muted">{dateTime(alert.raisedAt)}</span>
        {alert.frozeBetting ? <span class="pill bad">betting frozen</span> : null}
      </div>
      <div class="muted">
        {alert.player ? `Player ${alert.player}` : ''}
        {alert.draw ? ` · draw ${alert.draw}` : ''}
      </div>
      <pre class="mono" style={{ margin: 0, whiteSpace: 'pre-wrap' }}>
        {JSON.stringify(alert.details)}
      </pre>
      {alert.status === 'open' ? (
        <div class="ops-actions">
          <input aria-label="Review note" placeholder="Note (required)" maxLength={500} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
          <button class="secondary" onClick={() => void review.run('dismiss')} disabled={review.busy}>
            Dismiss
          </button>
          <button class="danger" onClick={() => void review.run('confirm')} disabled={review.busy}>
            Confirm
          </button>
        </div>
      ) : (
        <div class="muted">
          {alert.status} by {alert.reviewedBy} {alert.reviewedAt ? dateTime(alert.reviewedAt) : ''}: {alert.reviewNote}
        </div>
      )}
      <ErrorNotice error={review.error} />
    </article>
  );
}
