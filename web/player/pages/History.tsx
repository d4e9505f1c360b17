// web/player/pages/History.tsx — the player's tickets (#/history): newest first, in keyset
// pages (GET /api/tickets, README "Ticket history"), grouped by draw with the winning numbers
// and each line's hits, each ticket's result, and a Verify button that checks the draw and
// the ticket in this browser (VerifyPanel.tsx) with draw/'s own verifier.
import { useEffect, useState } from 'preact/hooks';
import { drawRecord, games as loadGames, type DrawRecord, type Game } from '../../lib/catalogue.ts';
import { dateTime, money } from '../../lib/format.ts';
import { ErrorNotice, useAction } from '../../lib/ui.tsx';
import { authed } from '../session.ts';
import { groupByDraw, hasProof, historyQuery, lineHits, NO_FILTERS, type HistoryFilters, type HistoryPage, type HistoryTicket } from '../history.ts';
import { VerifyPanel } from './VerifyPanel.tsx';
import './history.css';

/** Tickets asked for a page: a screenful or two on a phone. */
const HISTORY_PAGE_SIZE = 20;
/** With a game or draw filter a page may come back empty with a cursor; we follow at most this many in a row. */
const EMPTY_PAGES_FOLLOW_MAX = 10;
/** Tickets kept on the page; past this, the player narrows the filters instead of scrolling forever. */
const HISTORY_TICKETS_SHOWN_MAX = 1_000;
/** Draws remembered between renders (one GET /api/draws/:id each). */
const DRAWS_CACHED_MAX = 200;

const drawCache = new Map<string, Promise<DrawRecord>>();

function loadDraw(drawId: string): Promise<DrawRecord> {
  let found = drawCache.get(drawId);
  if (!found) {
    if (drawCache.size >= DRAWS_CACHED_MAX) drawCache.clear();
    found = drawRecord(drawId);
    found.catch(() => drawCache.delete(drawId));
    drawCache.set(drawId, found);
  }
  return found;
}

export function HistoryPage() {
  const [filters, setFilters] = useState<HistoryFilters>(NO_FILTERS);
  const [tickets, setTickets] = useState<HistoryTicket[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [games, setGames] = useState<Game[]>([]);
  useEffect(() => void loadGames().then(setGames, () => undefined), []);

  // One "page" as the player sees it: follows empty filtered pages (bounded) until tickets come.
  const load = useAction(async (applied: HistoryFilters, from: string | null, kept: HistoryTicket[]) => {
    let next = from;
    let got: HistoryTicket[] = [];
    for (let i = 0; i < EMPTY_PAGES_FOLLOW_MAX && got.length === 0; i++) {
      const page = await authed<HistoryPage>('GET', `/api/tickets?${historyQuery(applied, HISTORY_PAGE_SIZE, next)}`);
      got = page.tickets;
      next = page.nextCursor;
      if (next === null) break;
    }
    setTickets([...kept, ...got]);
    setCursor(next);
    setDone(next === null);
  });
  useEffect(() => void load.run(filters, null, []), [filters]);

  const groups = groupByDraw(tickets);
  const full = tickets.length >= HISTORY_TICKETS_SHOWN_MAX;
  return (
    <div class="stack history">
      <section class="card">
        <h1>My tickets</h1>
        <p class="muted">Every ticket you bought, newest first, with what it won. Press Verify to check a draw and your ticket yourself, in this browser.</p>
        <Filters games={games} value={filters} onApply={(f) => setFilters(f)} />
      </section>
      <ErrorNotice error={load.error} />
      {groups.map((g) => (
        <DrawGroup key={`${g.drawId}-${g.tickets[0].ticketId}`} drawId={g.drawId} game={games.find((x) => x.gameId === g.gameId)} gameId={g.gameId} tickets={g.tickets} />
      ))}
      {!load.busy && tickets.length === 0 && !load.error ? <p class="card muted" data-testid="history-empty">No tickets{filters === NO_FILTERS ? ' yet' : ' match these filters'}.</p> : null}
      <div class="row">
        {!done && !full ? (
          <button class="secondary" disabled={load.busy} onClick={() => void load.run(filters, cursor, tickets)}>
            {load.busy ? 'Loading…' : 'Show older tickets'}
          </button>
        ) : null}
        {load.busy && done ? <span class="muted">Loading…</span> : null}
        {full ? <span class="muted">Showing the {tickets.length} newest. Narrow the dates or pick a game to see older ones.</span> : null}
        {done && tickets.length > 0 ? <span class="muted">That is every ticket{filters === NO_FILTERS ? '' : ' matching these filters'}.</span> : null}
      </div>
    </div>
  );
}

function Filters({ games, value, onApply }: { games: Game[]; value: HistoryFilters; onApply(f: HistoryFilters): void }) {
  const [draft, setDraft] = useState<HistoryFilters>(value);
  const set = (key: keyof HistoryFilters) => (e: Event) => setDraft({ ...draft, [key]: (e.currentTarget as HTMLInputElement).value });
  return (
    <form
      class="filters"
      aria-label="Filter tickets"
      onSubmit={(e) => {
        e.preventDefault();
        onApply({ ...draft });
      }}
    >
      <label>
        Game
        <select value={draft.game} onChange={set('game')}>
          <option value="">All games</option>
          {games.map((g) => (
            <option key={g.gameId} value={g.gameId}>
              {g.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Draw
        <input value={draft.draw} onInput={set('draw')} placeholder="e.g. lotto649-2026-05-01" maxLength={64} />
      </label>
      <label>
        From
        <input type="date" value={draft.from} onInput={set('from')} />
      </label>
      <label>
        To (inclusive)
        <input type="date" value={draft.to} onInput={set('to')} />
      </label>
      <div class="row filter-buttons">
        <button type="submit">Apply</button>
        <button
          type="button"
          class="secondary"
          onClick={() => {
            setDraft(NO_FILTERS);
            onApply(NO_FILTERS);
          }}
        >
          Clear
        </button>
      </div>
    </form>
  );
}

function DrawGroup({ drawId, gameId, game, tickets }: { drawId: string; gameId: string; game?: Game; tickets: HistoryTicket[] }) {
  const [draw, setDraw] = useState<DrawRecord | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [verifying, setVerifying] = useState(false);
  useEffect(() => {
    loadDraw(drawId).then(setDraw, setError);
  }, [drawId]);
  const status = draw?.status ?? tickets[0].drawStatus;
  const currency = game?.currency ?? 'EUR';
  return (
    <section class="card draw-group" data-testid="draw-group" data-draw={drawId} aria-label={`Draw ${drawId}`}>
      <header class="draw-head">
        <div>
          <h2>{game?.name ?? gameId}</h2>
          <p class="muted">
            Draw <a href={`/draw/${encodeURIComponent(drawId)}`}>{drawId}</a>
            {draw ? <> · {dateTime(draw.drawAt)}</> : null} · <span class="pill">{status}</span>
          </p>
        </div>
        {hasProof(status) ? (
          <button class="secondary" aria-expanded={verifying} onClick={() => setVerifying(!verifying)} data-testid="verify-draw">
            {verifying ? 'Hide draw check' : 'Verify draw'}
          </button>
        ) : null}
      </header>
      <ErrorNotice error={error} />
      <WinningNumbers draw={draw} raffle={game?.prizeModel === 'raffle'} />
      {verifying ? <VerifyPanel drawId={drawId} /> : null}
      <ul class="tickets">
        {tickets.map((t) => (
          <TicketItem key={t.ticketId} ticket={t} draw={draw} game={game} currency={currency} />
        ))}
      </ul>
    </section>
  );
}

function WinningNumbers({ draw, raffle }: { draw: DrawRecord | null; raffle: boolean }) {
  if (!draw?.numbers || draw.numbers.length === 0) return null;
  return (
    <div class="winning" data-testid="winning-numbers">
      <span class="muted">{raffle ? 'Winning positions in the sealed ticket list:' : 'Winning numbers:'}</span>
      <span class="balls">
        {draw.numbers.map((drum, d) =>
          drum.map((n, i) => (
            <span key={`${d}-${i}`} class={`ball small${d > 0 && draw.numbers!.length === 2 ? ' bonus' : ''}`}>
              {n}
            </span>
          )),
        )}
      </span>
    </div>
  );
}

function TicketItem({ ticket, draw, game, currency }: { ticket: HistoryTicket; draw: DrawRecord | null; game?: Game; currency: string }) {
  const [verifying, setVerifying] = useState(false);
  const betType = game?.betTypes.find((b) => b.id === ticket.betType)?.name ?? ticket.betType;
  const numbers = draw?.numbers ?? null;
  return (
    <li class="ticket" data-testid="ticket" data-ticket={ticket.ticketId}>
      <div class="ticket-head">
        <strong class="mono">{ticket.ticketId}</strong>
        <span class="muted">
          {betType} · {money(ticket.stakeMinor, currency)} a line · {ticket.lineCount} line{ticket.lineCount === 1 ? '' : 's'}
          {ticket.quickPick ? ' · quick pick' : ''} · bought {dateTime(ticket.receivedAt)}
        </span>
        <span class="num cost">{money(ticket.costMinor, currency)}</span>
      </div>
      <ol class="lines" aria-label="Lines">
        {ticket.lines.map((line, i) => {
          const hits = lineHits(line, numbers, game?.drums, ticket.betType);
          const hitCount = hits.filter(Boolean).length;
          return (
            <li key={i} class="line">
              {line.length === 0 ? <span class="muted">One entry</span> : null}
              {line.map((n, j) => (
                <span key={j} class={`ball small${hits[j] ? ' hit' : ''}`} aria-label={hits[j] ? `${n}, drawn` : String(n)}>
                  {n}
                </span>
              ))}
              {numbers && line.length > 0 ? <span class="muted hits">{hitCount} drawn</span> : null}
            </li>
          );
        })}
      </ol>
      <Result ticket={ticket} currency={currency} />
      <div class="row">
        {hasProof(ticket.drawStatus) && ticket.result.outcome !== 'refunded' ? (
          <button class="secondary" aria-expanded={verifying} onClick={() => setVerifying(!verifying)} data-testid="verify-ticket">
            {verifying ? 'Hide check' : 'Verify'}
          </button>
        ) : null}
      </div>
      {verifying ? <VerifyPanel drawId={ticket.drawId} ticket={ticket} /> : null}
    </li>
  );
}

const REVIEW_WORDS = {
  held: 'Held for review: large or unusual prizes are checked by our team before they are paid. You will see it here once it is released.',
  released: 'Released after review and paid to your wallet (less any tax due).',
  forfeited: 'Forfeited after review: this prize will not be paid. Contact support if you think this is wrong.',
} as const;

function Result({ ticket, currency }: { ticket: HistoryTicket; currency: string }) {
  const r = ticket.result;
  switch (r.outcome) {
    case 'pending':
      return <p class="result" data-testid="result" data-outcome="pending"><span class="pill">Waiting for the draw</span></p>;
    case 'no_win':
      return <p class="result" data-testid="result" data-outcome="no_win"><span class="pill">No win this time</span></p>;
    case 'halted':
      return (
        <p class="result" data-testid="result" data-outcome="halted">
          <span class="pill warn">Draw halted</span> The draw was stopped before it finished; <a href={`/draw/${encodeURIComponent(ticket.drawId)}`}>see the draw</a> for what happens next.
        </p>
      );
    case 'refunded':
      return (
        <p class="result" data-testid="result" data-outcome="refunded">
          <span class="pill">Refunded</span> Bought in advance and refunded to your wallet on {dateTime(r.refundedAt)}, when you took a break. It is not in the draw.
        </p>
      );
    case 'won':
      return (
        <div class="result won" data-testid="result" data-outcome="won">
          <p>
            <span class="pill good">Won</span> <strong class="num prize" data-testid="prize">{money(r.prizeMinor, currency)}</strong>
          </p>
          <ul class="tiers">
            {r.tiers.map((tier) => (
              <li key={tier.tier}>
                {tier.tier}: {tier.winningLines} line{tier.winningLines === 1 ? '' : 's'}, {money(tier.prizeMinor, currency)}
              </li>
            ))}
          </ul>
          {r.review ? (
            <p class={`notice ${r.review === 'forfeited' ? 'error' : r.review === 'held' ? 'warn' : 'ok'}`} data-testid="review" data-review={r.review}>
              {REVIEW_WORDS[r.review]}
            </p>
          ) : null}
        </div>
      );
  }
}
