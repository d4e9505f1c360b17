// web/ops/Reports.tsx — the period report (JSON or CSV) and the regulator exports of one draw
// or one player (NDJSON, in pages). The session token is a header, so a plain link cannot
// fetch them: the page fetches, then hands the browser the bytes as a download.
import { useState } from 'preact/hooks';
import { ErrorNotice, Notice, useAction } from '../lib/ui.tsx';
import { ApiError } from '../lib/api.ts';
import { opToken } from './session.ts';

/** Fetches a file with the session and saves it under `name`; returns its size in bytes. */
async function download(path: string, name: string): Promise<number> {
  const response = await fetch(path, { headers: { authorization: `Bearer ${opToken.value}` } });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new ApiError(body.code ?? `HTTP_${response.status}`, body.message ?? response.statusText, response.status);
  }
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return blob.size;
}

function isoDay(offsetDays: number): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

export function Reports() {
  const [from, setFrom] = useState(isoDay(-7));
  const [to, setTo] = useState(isoDay(1));
  const [game, setGame] = useState('');
  const [jurisdiction, setJurisdiction] = useState('');
  const [subject, setSubject] = useState('');
  const [saved, setSaved] = useState<string | null>(null);
  const report = useAction(async (format: 'json' | 'csv') => {
    const query = new URLSearchParams({ from, to, format });
    if (game) query.set('game', game);
    if (jurisdiction) query.set('jurisdiction', jurisdiction.toUpperCase());
    const name = `report-${from}-${to}${game ? `-${game}` : ''}.${format}`;
    const bytes = await download(`/api/operator/reports?${query}`, name);
    setSaved(`${name} saved (${bytes.toLocaleString()} bytes).`);
  });
  const exported = useAction(async () => {
    const value = subject.trim();
    const isPlayer = value.startsWith('p_');
    const path = isPlayer ? `/api/operator/exports/players/${encodeURIComponent(value)}` : `/api/operator/exports/draws/${encodeURIComponent(value)}`;
    const bytes = await download(path, `export-${value}.ndjson`);
    setSaved(`export-${value}.ndjson saved (${bytes.toLocaleString()} bytes; a last line of kind "page" means more: the CLI \`npm run report\` exports it whole).`);
  });
  return (
    <div class="stack">
      <h1>Reports</h1>
      {saved ? <Notice>{saved}</Notice> : null}
      <section class="card" aria-labelledby="period-title">
        <h2 id="period-title">Period report</h2>
        <p class="muted">Sales, prizes and gross gaming revenue by draw time; payments, responsible-gambling figures and alerts by event time; liabilities as of now; large wins.</p>
        <form
          class="stack"
          onSubmit={(e) => {
            e.preventDefault();
            void report.run('json');
          }}
        >
          <div class="grid" style={{ gridTemplateColumns: 'repeat(auto-fit, minmax(160px, 1fr))' }}>
            <label>
              From (included)
              <input type="date" required value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
            </label>
            <label>
              To (excluded)
              <input type="date" required value={to} onInput={(e) => setTo(e.currentTarget.value)} />
            </label>
            <label>
              Game (optional)
              <input placeholder="e.g. lotto649" value={game} onInput={(e) => setGame(e.currentTarget.value.trim())} />
            </label>
            <label>
              Jurisdiction (optional)
              <input placeholder="e.g. DE or US-NJ" value={jurisdiction} onInput={(e) => setJurisdiction(e.currentTarget.value.trim())} />
            </label>
          </div>
          <ErrorNotice error={report.error} />
          <div class="row">
            <button type="submit" disabled={report.busy}>
              Download JSON
            </button>
            <button type="button" class="secondary" disabled={report.busy} onClick={() => void report.run('csv')}>
              Download CSV
            </button>
          </div>
        </form>
      </section>
      <section class="card" aria-labelledby="export-title">
        <h2 id="export-title">Regulator export</h2>
        <p class="muted">Every record about one draw or one player, as NDJSON. Admins and auditors; each read is in the audit log.</p>
        <form
          class="row"
          onSubmit={(e) => {
            e.preventDefault();
            void exported.run();
          }}
        >
          <label style={{ flex: 1 }}>
            Draw id or player id
            <input required placeholder="lotto649-2026-12-04 or p_…" value={subject} onInput={(e) => setSubject(e.currentTarget.value)} />
          </label>
          <button type="submit" disabled={exported.busy} style={{ alignSelf: 'end' }}>
            Download export
          </button>
        </form>
        <ErrorNotice error={exported.error} />
      </section>
    </div>
  );
}
