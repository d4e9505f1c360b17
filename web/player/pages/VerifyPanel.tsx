// web/player/pages/VerifyPanel.tsx — a draw's (and, given one, a ticket's) verification in the
// browser: fetches the signed draw proof, the operator's published key and the ticket's
// inclusion proof, runs draw/'s verifier on the exact bytes received (web/player/verify.ts,
// loaded only now: it carries @noble/*), and shows each check with what it means. The same
// bytes are offered for download, with the command that re-checks them anywhere.
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../../lib/api.ts';
import { errorMessage } from '../../lib/errors.ts';
import { ErrorNotice } from '../../lib/ui.tsx';
import { token } from '../session.ts';
import type { HistoryTicket } from '../history.ts';
import type { VerifyReport } from '../verify.ts';

/** A document larger than this is not a proof we serve (a proof is a few KiB); refused unread. */
const DOCUMENT_CHARS_MAX = 1_000_000;

/** A GET answered as text, exactly as received (the verifier reads the bytes, not our parse of them). */
async function fetchText(path: string, withToken: boolean): Promise<string> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (withToken && token.value) headers.authorization = `Bearer ${token.value}`;
  let response: Response;
  try {
    response = await fetch(path, { headers, signal: AbortSignal.timeout(20_000), credentials: 'same-origin' });
  } catch {
    throw new ApiError('NETWORK', 'The server could not be reached. Check your connection and try again.', 0);
  }
  const text = await response.text();
  if (!response.ok) {
    let body: any = null;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: the status says enough.
    }
    throw new ApiError(body?.code ?? `HTTP_${response.status}`, body?.message ?? response.statusText, response.status);
  }
  if (text.length > DOCUMENT_CHARS_MAX) throw new ApiError('PAYLOAD_TOO_LARGE', `the document is ${text.length} characters`, 0);
  return text;
}

interface Downloads {
  name: string;
  text: string;
}

interface Outcome {
  report: VerifyReport;
  fetchMs: number;
  loadMs: number;
  downloads: Downloads[];
}

async function runVerification(drawId: string, ticket: HistoryTicket | undefined): Promise<Outcome> {
  const t0 = performance.now();
  // The verifier's chunk loads while the documents download.
  const verifier = import('../verify.ts');
  const id = encodeURIComponent(drawId);
  const [proofText, keysText, inclusionText] = await Promise.all([
    fetchText(`/api/draws/${id}/proof`, false),
    fetchText('/api/keys', false),
    ticket ? fetchText(`/api/tickets/${encodeURIComponent(ticket.ticketId)}/proof`, true) : Promise.resolve(''),
  ]);
  const fetchMs = performance.now() - t0;
  const mod = await verifier;
  const loadMs = performance.now() - t0;
  const report = ticket
    ? mod.verifyTicket({ proofText, keysText, inclusionText, receipt: ticket.receipt, shown: { ticketId: ticket.ticketId, drawId: ticket.drawId, lines: ticket.lines, costMinor: ticket.costMinor } })
    : mod.verifyDraw(proofText, keysText);
  const downloads: Downloads[] = [
    { name: `proof-${drawId}.json`, text: proofText },
    { name: 'keys.json', text: keysText },
  ];
  if (ticket) {
    downloads.push({ name: `receipt-${ticket.ticketId}.json`, text: JSON.stringify(ticket.receipt, null, 2) }, { name: `inclusion-${ticket.ticketId}.json`, text: inclusionText });
  }
  return { report, fetchMs, loadMs, downloads };
}

const GROUP_TITLES = {
  key: "The operator's key",
  proof: 'The draw',
  receipt: 'Your receipt',
  inclusion: 'Your ticket in the sealed draw',
  ticket: 'Your ticket',
} as const;

export function VerifyPanel({ drawId, ticket }: { drawId: string; ticket?: HistoryTicket }) {
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    setOutcome(null);
    setError(null);
    runVerification(drawId, ticket).then(
      (o) => live && setOutcome(o),
      (e) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [drawId, ticket?.ticketId]);

  if (error) {
    const code = error instanceof ApiError ? error.code : undefined;
    return (
      <div class="verify" data-testid="verify-result" data-ok="error">
        <ErrorNotice error={error} />
        {code === 'DRAW_NOT_DRAWN' ? <p class="muted">{errorMessage(code)} The proof is published once the numbers are drawn.</p> : null}
      </div>
    );
  }
  if (!outcome) return <p class="verify muted" role="status">Checking in your browser…</p>;
  const { report } = outcome;
  const failed = report.checks.filter((c) => !c.ok);
  const groups = (Object.keys(GROUP_TITLES) as (keyof typeof GROUP_TITLES)[]).filter((g) => report.checks.some((c) => c.group === g));
  return (
    <div class="verify" data-testid="verify-result" data-ok={report.ok ? 'pass' : 'fail'}>
      {report.ok ? (
        <p class="notice ok" role="status" data-testid="verify-summary">
          Verified: all {report.checks.length} checks passed{ticket ? ` — ${ticket.ticketId} took part in this draw and its numbers were not chosen by anyone` : ' — nobody chose these numbers'}.
        </p>
      ) : (
        <p class="notice error" role="alert" data-testid="verify-summary">
          NOT verified: {failed.length} of {report.checks.length} checks failed. Do not rely on this {ticket ? 'ticket' : 'draw'}'s documents; download them below and contact support (or a regulator) with them.
        </p>
      )}
      <p class="muted small" data-testid="verify-timing">
        Checked in <span class="num" data-testid="verify-ms">{report.verifyMs.toFixed(1)}</span> ms in this browser (documents downloaded in {outcome.fetchMs.toFixed(0)} ms).
      </p>
      {groups.map((g) => (
        <div key={g} class="check-group">
          <h3>{GROUP_TITLES[g]}</h3>
          <ul class="checks">
            {report.checks
              .filter((c) => c.group === g)
              .map((c, i) => (
                <li key={`${c.name}-${i}`} class={c.ok ? 'pass' : 'fail'} data-testid="check" data-ok={c.ok ? 'pass' : 'fail'}>
                  <span class={`pill ${c.ok ? 'good' : 'bad'}`}>{c.ok ? 'PASS' : 'FAIL'}</span>
                  <span class="check-text">
                    <span>
                      <strong>{c.name}</strong>
                      {c.meaning ? `: ${c.meaning}` : null}
                    </span>
                    <span class="mono detail">{c.detail}</span>
                  </span>
                </li>
              ))}
          </ul>
        </div>
      ))}
      <DownloadLinks files={outcome.downloads} />
      <p class="muted small">
        Re-check anywhere with the project's verifier:{' '}
        <code class="mono">
          npm run verify -- {ticket ? `--receipt receipt-${ticket.ticketId}.json --inclusion inclusion-${ticket.ticketId}.json --proof proof-${drawId}.json` : `proof-${drawId}.json`} --key {report.publicKey ?? '<key>'}
        </code>
        . The key comes from this same server: compare it with the one the operator publishes elsewhere.
      </p>
    </div>
  );
}

/** Links that save exactly the bytes the browser checked (object URLs, freed when the panel closes). */
function DownloadLinks({ files }: { files: Downloads[] }) {
  const [urls, setUrls] = useState<string[]>([]);
  useEffect(() => {
    const made = files.map((f) => URL.createObjectURL(new Blob([f.text], { type: 'application/json' })));
    setUrls(made);
    return () => made.forEach((u) => URL.revokeObjectURL(u));
  }, [files]);
  return (
    <p class="row downloads">
      {files.map((f, i) => (
        <a key={f.name} class="button secondary" href={urls[i]} download={f.name} data-testid="download">
          Download {f.name}
        </a>
      ))}
    </p>
  );
}
