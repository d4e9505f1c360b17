// web/stage/Stage.tsx — the live draw stage's screen: what the draw is, the countdown (the
// server's clock, web/lib/clock.ts), the live pool, the close and the seal, the balls as they
// fall, then the proof and the prizes per tier. Everything read from the stage room's state
// (connection.ts); the balls' entrance animates only without prefers-reduced-motion (stage.css).
import { useEffect, useState } from 'preact/hooks';
import { nowTick } from '../lib/clock.ts';
import { countdown, dateTime, money } from '../lib/format.ts';
import { Notice } from '../lib/ui.tsx';
import { link, view, type StageView } from './connection.ts';
import { DrawFinder } from './DrawFinder.tsx';

const STATUS_WORDS: Record<string, string> = {
  scheduled: 'Sales not open yet',
  open: 'Sales open',
  closed: 'Sales closed',
  sealed: 'Tickets sealed',
  drawn: 'Drawing',
  settled: 'Results final',
  halted: 'Draw halted',
  voided: 'Draw voided',
};

export function StagePage({ drawId }: { drawId: string }) {
  const v = view.value;
  const l = link.value;
  if (l.kind === 'unknown') {
    return (
      <main class="stage stack">
        <h1>No such draw</h1>
        <div class="notice error" role="alert" data-code="NOT_FOUND">
          There is no draw called <span class="mono">{drawId}</span>. Check the link, or pick a draw below.
        </div>
        <DrawFinder />
      </main>
    );
  }
  return (
    <main class="stage stack">
      <ConnectionNotice />
      {v ? <Stage v={v} /> : <p class="muted" role="status">Joining the draw…</p>}
    </main>
  );
}

function ConnectionNotice() {
  const l = link.value;
  if (l.kind !== 'reconnecting') return null;
  return (
    <Notice kind="warn">
      Connection lost; reconnecting{l.attempt > 1 ? ` (attempt ${l.attempt})` : ''}… What you see may be out of date.
    </Notice>
  );
}

function Stage({ v }: { v: StageView }) {
  return (
    <>
      <header class="stage-head">
        <div>
          <h1>{v.gameName}</h1>
          <p class="muted">
            Draw <span class="mono">{v.drawId}</span> · {dateTime(v.drawAtMs)}
          </p>
        </div>
        <span class={`pill ${pillTone(v.status)}`} data-status={v.status}>
          {STATUS_WORDS[v.status] ?? v.status}
        </span>
      </header>
      {v.status === 'halted' ? <Notice kind="warn">The draw is halted: {v.haltedReason || 'an input is missing'}. Operators will resume or void it; every ticket stays safe.</Notice> : null}
      {v.status === 'voided' ? <Notice kind="warn">This draw was voided; every ticket is refunded.</Notice> : null}
      <div class="grid">
        <Countdown v={v} />
        <Pool v={v} />
      </div>
      <Seal v={v} />
      <Balls v={v} />
      <Results v={v} />
    </>
  );
}

function pillTone(status: string): string {
  if (status === 'halted' || status === 'voided') return 'bad';
  if (status === 'settled') return 'good';
  return 'warn';
}

function Countdown({ v }: { v: StageView }) {
  const nowMs = nowTick.value;
  const before = v.status === 'scheduled' || v.status === 'open';
  const target = before ? { label: v.status === 'scheduled' ? 'Sales open in' : 'Sales close in', atMs: v.status === 'scheduled' ? v.openAtMs : v.cutoffAtMs } : { label: 'Draw in', atMs: v.drawAtMs };
  const waiting = v.status === 'closed' || v.status === 'sealed' || before;
  return (
    <section class="card" aria-labelledby="countdown-h">
      <h2 id="countdown-h">{waiting ? target.label : 'Draw time'}</h2>
      {waiting ? (
        <p class="big num countdown" aria-live="off">
          {target.atMs > nowMs ? countdown(target.atMs - nowMs) : v.status === 'sealed' || v.status === 'closed' ? 'any moment' : 'now'}
        </p>
      ) : (
        <p class="big num">{dateTime(v.drawAtMs)}</p>
      )}
      <p class="muted">
        Sales close {dateTime(v.cutoffAtMs)} · draw {dateTime(v.drawAtMs)} (server time)
      </p>
    </section>
  );
}

function Pool({ v }: { v: StageView }) {
  return (
    <section class="card" aria-labelledby="pool-h">
      <h2 id="pool-h">{v.status === 'open' ? 'Sold so far' : 'Sold'}</h2>
      <p class="big num" data-testid="pool">
        {money(v.poolTotalMinor, v.currency)}
      </p>
      <p class="muted num" data-testid="tickets">
        {v.ticketsSold.toLocaleString()} {v.ticketsSold === 1 ? 'ticket' : 'tickets'}
      </p>
    </section>
  );
}

function Seal({ v }: { v: StageView }) {
  if (v.sealTicketCount < 0) {
    if (v.status !== 'closed') return null;
    return (
      <section class="card">
        <h2>Seal</h2>
        <p class="muted">Sales are closed; the tickets are being sealed.</p>
      </section>
    );
  }
  return (
    <section class="card" aria-labelledby="seal-h" data-testid="seal">
      <h2 id="seal-h">Sealed before the draw</h2>
      <p>
        <span class="num big">{v.sealTicketCount.toLocaleString()}</span> tickets committed. Merkle root:
      </p>
      <p class="mono seal-root">{v.sealRoot}</p>
      <p class="muted">Every ticket's receipt proves it is inside this root, fixed before the numbers were drawn.</p>
    </section>
  );
}

function Balls({ v }: { v: StageView }) {
  if (v.ballsTotal === 0 && v.balls.length === 0) return null;
  const announced = v.balls.length > 0 ? `Ball ${v.balls.length} of ${v.ballsTotal}: ${v.balls[v.balls.length - 1]}` : '';
  const groups = groupByDrum(v);
  return (
    <section class="card" aria-labelledby="balls-h">
      <h2 id="balls-h">Winning numbers</h2>
      <div class="balls-drums">
        {groups.map((group, g) => (
          <ol class="balls" aria-label={groups.length > 1 ? `Drum ${g + 1}` : 'Balls drawn'} key={g}>
            {group.map((ball, i) =>
              ball === null ? (
                <li class="ball pending" key={i} aria-label="not drawn yet">
                  ?
                </li>
              ) : (
                <li class="ball fresh" key={i}>
                  {ball}
                </li>
              ),
            )}
          </ol>
        ))}
      </div>
      <p class="visually-hidden" aria-live="polite">
        {announced}
      </p>
      <NextBall v={v} />
    </section>
  );
}

function NextBall({ v }: { v: StageView }) {
  const nowMs = nowTick.value;
  if (!v.nextBallAtMs) return null;
  return <p class="muted num">{v.balls.length === 0 ? `First ball in ${countdown(Math.max(0, v.nextBallAtMs - nowMs))}` : 'Next ball…'}</p>;
}

/** The balls shown so far, in drum groups, with a placeholder for each still to come. */
function groupByDrum(v: StageView): (number | null)[][] {
  const sizes = v.drumSizes.length > 0 ? v.drumSizes : [v.ballsTotal];
  const groups: (number | null)[][] = [];
  let k = 0;
  for (const size of sizes) {
    const group: (number | null)[] = [];
    for (let i = 0; i < size; i++, k++) group.push(k < v.balls.length ? v.balls[k] : null);
    groups.push(group);
  }
  return groups;
}

function Results({ v }: { v: StageView }) {
  if (!v.proofPath) return null;
  return (
    <section class="card stack" aria-labelledby="results-h">
      <h2 id="results-h">Results</h2>
      {v.tiers.length > 0 ? <Tiers v={v} /> : <p class="muted">Prizes are being settled…</p>}
      <Verify v={v} />
    </section>
  );
}

function Tiers({ v }: { v: StageView }) {
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">Prizes per tier</caption>
        <thead>
          <tr>
            <th scope="col">Tier</th>
            <th scope="col" class="num">
              Winning lines
            </th>
            <th scope="col" class="num">
              Prize per line
            </th>
          </tr>
        </thead>
        <tbody>
          {v.tiers.map((t) => (
            <tr key={t.name}>
              <td>{tierLabel(t.name)}</td>
              <td class="num">{t.winners.toLocaleString()}</td>
              <td class="num">{t.winners > 0 ? money(t.prizeMinor, v.currency) : '—'}</td>
            </tr>
          ))}
        </tbody>
        {v.prizeTotalMinor >= 0 ? (
          <tfoot>
            <tr>
              <th scope="row">Paid in all</th>
              <td />
              <td class="num">{money(v.prizeTotalMinor, v.currency)}</td>
            </tr>
          </tfoot>
        ) : null}
      </table>
    </div>
  );
}

/** "match6" -> "Match 6", "match5_bonus" -> "Match 5 bonus": the games' tier ids as words. */
function tierLabel(name: string): string {
  const words = name.replace(/_/g, ' ').replace(/([a-z])(\d)/gi, '$1 $2');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function Verify({ v }: { v: StageView }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => setCopied(false), [v.drawId]);
  const command = `npm run verify -- proof.json`;
  return (
    <div class="stack">
      <p>
        Anyone can check this draw: the numbers follow from the committed seed, the sealed tickets and the public inputs.
      </p>
      <div class="row">
        <a class="button" href={v.proofPath} download={`${v.drawId}-proof.json`}>
          Verify this draw (proof JSON)
        </a>
        <a class="button secondary" href={`/api/draws/${encodeURIComponent(v.drawId)}`}>
          Draw record
        </a>
        <a class="button secondary" href="/#/history">
          My tickets
        </a>
      </div>
      <p class="muted">
        Run the standalone verifier on the proof: <span class="mono">{command}</span>{' '}
        <button
          type="button"
          class="link"
          onClick={() => {
            void navigator.clipboard?.writeText(command).then(() => setCopied(true));
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </p>
    </div>
  );
}
