// web/player/pages/Play.tsx — choosing a game and a bet, and watching the draw's sales live.
// The slip knows each game's shape from GET /api/games (drums, bet types, stakes, lines per
// ticket, advance play); the live panel is the sales room's state (countdown on the server's
// clock, pool, jackpot, prize estimates, how often each number was picked, sold-out
// combinations). The server decides every bet; the slip only keeps obviously wrong ones
// from being sent.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { drawsOf, games as loadGames, type DrawRecord, type Game } from '../../lib/catalogue.ts';
import { nowTick } from '../../lib/clock.ts';
import { countdown, dateTime, money, time } from '../../lib/format.ts';
import { ErrorNotice, useAction } from '../../lib/ui.tsx';
import { errorMessage } from '../../lib/errors.ts';
import { refreshProfile, token } from '../session.ts';
import { SalesConnection, type SalesView } from '../sales.ts';
import { receiptDownload } from '../receipts.ts';
import { Slip } from './Slip.tsx';
import { RealityCheckDialog } from './RealityCheck.tsx';

const GAME_KEY = 'lottery.game';

export function PlayPage() {
  const [games, setGames] = useState<Game[]>([]);
  const [gameId, setGameId] = useState(localStorage.getItem(GAME_KEY) ?? 'lotto649');
  const load = useAction(async () => setGames(await loadGames()));
  useEffect(() => void load.run(), []);
  const game = games.find((g) => g.gameId === gameId) ?? games[0];
  return (
    <div class="stack">
      <nav class="row" aria-label="Games">
        {games.map((g) => (
          <button
            key={g.gameId}
            class={g.gameId === game?.gameId ? '' : 'secondary'}
            aria-pressed={g.gameId === game?.gameId}
            onClick={() => {
              localStorage.setItem(GAME_KEY, g.gameId);
              setGameId(g.gameId);
            }}
          >
            {g.name}
          </button>
        ))}
      </nav>
      <ErrorNotice error={load.error} />
      {game ? <GameBoard key={game.gameId} game={game} /> : null}
    </div>
  );
}

function GameBoard({ game }: { game: Game }) {
  const [draw, setDraw] = useState<DrawRecord | null | undefined>(undefined);
  const find = useAction(async () => {
    const draws = await drawsOf(game.gameId);
    setDraw(draws.find((d) => d.status === 'open') ?? draws.find((d) => d.status === 'scheduled') ?? null);
  });
  useEffect(() => void find.run(), [game.gameId]);
  if (find.error) return <ErrorNotice error={find.error} />;
  if (draw === undefined) return <p class="muted">Finding the current draw…</p>;
  if (draw === null) return <p class="notice warn">No draw of {game.name} is scheduled right now.</p>;
  if (draw.status !== 'open') {
    return (
      <section class="card">
        <h2>{game.name}</h2>
        <p>
          The next draw, <span class="mono">{draw.drawId}</span>, opens for sale at {dateTime(draw.openAt)}.
        </p>
      </section>
    );
  }
  return <OpenDraw key={draw.drawId} game={game} draw={draw} onClosed={() => void find.run()} />;
}

function OpenDraw({ game, draw, onClosed }: { game: Game; draw: DrawRecord; onClosed: () => void }) {
  const connection = useMemo(() => new SalesConnection(draw.drawId, token.value ?? ''), [draw.drawId]);
  useEffect(() => {
    connection.onMoney = () => void refreshProfile().catch(() => undefined);
    void connection.start();
    return () => connection.stop();
  }, [connection]);
  const view = connection.view.value;
  const cutoffAtMs = view?.cutoffAtMs ?? Date.parse(draw.cutoffAt);
  const msLeft = cutoffAtMs - nowTick.value;
  const open = (view?.status ?? 'open') === 'open' && msLeft > 0;
  return (
    <div class="stack">
      <ConnectionBar connection={connection} drawId={draw.drawId} closesIn={open ? countdown(msLeft) : null} />
      <div class="play-layout">
        <Slip game={game} view={view} open={open} onPlace={(bet) => connection.placeBet(bet)} />
        <LivePanel game={game} draw={draw} view={view} msLeft={msLeft} open={open} onNext={onClosed} />
      </div>
      <Outcomes connection={connection} currency={game.currency} />
      <RealityCheckDialog connection={connection} currency={game.currency} />
    </div>
  );
}

function ConnectionBar({ connection, drawId, closesIn }: { connection: SalesConnection; drawId: string; closesIn: string | null }) {
  const status = connection.status.value;
  const pending = connection.pendingCount.value;
  const problem = connection.problem.value;
  const words: Record<string, string> = { connecting: 'Connecting…', connected: 'Connected', reconnecting: 'Connection lost: reconnecting…', closed: 'Disconnected' };
  return (
    <div class="row" role="status" aria-live="polite" data-testid="connection">
      <span class={`pill ${status === 'connected' ? 'good' : status === 'closed' ? 'bad' : 'warn'}`} data-status={status}>
        {words[status]}
      </span>
      {pending > 0 ? (
        <span class="muted" data-testid="pending">
          {pending} bet{pending === 1 ? '' : 's'} waiting for an answer{status === 'connected' ? '' : ': sent again once connected, never bought twice'}
        </span>
      ) : null}
      {/* The countdown where a phone sees it first; the live panel has it large. */}
      <strong class="num" aria-hidden="true">{closesIn ? `Closes in ${closesIn}` : 'Sales closed'}</strong>
      <span class="spacer" style={{ flex: 1 }} />
      <a href={`/draw/${encodeURIComponent(drawId)}`}>Watch this draw live</a>
      {problem ? (
        <div class="notice error" role="alert" style={{ width: '100%' }} data-code={problem.code}>
          {errorMessage(problem.code, problem.message)} <span class="code">({problem.code})</span>
        </div>
      ) : null}
    </div>
  );
}

function LivePanel({ game, draw, view, msLeft, open, onNext }: { game: Game; draw: DrawRecord; view: SalesView | null; msLeft: number; open: boolean; onNext: () => void }) {
  const currency = game.currency;
  const tiers = view?.tiers ?? [];
  const soldOut = view?.soldOut ?? [];
  return (
    <section class="card stack" aria-labelledby="live-title">
      <h2 id="live-title">
        {game.name} <span class="mono muted">{draw.drawId}</span>
      </h2>
      <div>
        <div class="muted">{open ? 'Sales close in' : 'Sales closed'}</div>
        <div class="big num" data-testid="countdown" aria-live="off">
          {open ? countdown(msLeft) : 'closed'}
        </div>
        <div class="muted" style={{ fontSize: '0.9rem' }}>
          Cutoff {time(view?.cutoffAtMs ?? draw.cutoffAt)}, draw {time(view?.drawAtMs ?? draw.drawAt)} (server time)
        </div>
        {!open ? (
          <p>
            <a href={`/draw/${encodeURIComponent(draw.drawId)}`}>Watch the draw</a> ·{' '}
            <button class="link" onClick={onNext}>
              Next draw
            </button>
          </p>
        ) : null}
      </div>
      <dl class="grid" style={{ gridTemplateColumns: 'repeat(auto-fit, minmax(120px, 1fr))', gap: '0.5rem', margin: 0 }}>
        <div>
          <dt class="muted">Pool</dt>
          <dd class="num" style={{ margin: 0, fontWeight: 700 }} data-testid="pool">
            {view ? money(view.poolTotalMinor, currency) : '…'}
          </dd>
        </div>
        <div>
          <dt class="muted">Tickets sold</dt>
          <dd class="num" style={{ margin: 0, fontWeight: 700 }} data-testid="tickets-sold">
            {view ? view.ticketsSold.toLocaleString() : '…'}
          </dd>
        </div>
        {view && view.jackpotMinor >= 0 ? (
          <div>
            <dt class="muted">Jackpot if won now</dt>
            <dd class="num" style={{ margin: 0, fontWeight: 800, color: 'var(--warn)' }}>
              {money(view.jackpotMinor, currency)}
            </dd>
          </div>
        ) : null}
      </dl>
      {tiers.length > 0 ? (
        <details open>
          <summary>Prize estimates per winning line</summary>
          <table>
            <tbody>
              {tiers.map((t) => (
                <tr key={t.name}>
                  <td>{tierName(t.name)}</td>
                  <td class="num">{money(t.estimateMinor, currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ) : null}
      {soldOut.length > 0 ? (
        <div class="notice warn" data-testid="sold-out">
          Sold out in this draw: <span class="mono">{soldOut.slice(0, 30).join(', ')}</span>
          {soldOut.length > 30 ? ` and ${soldOut.length - 30} more` : ''}
        </div>
      ) : null}
    </section>
  );
}

function tierName(name: string): string {
  return name.replace(/^match(\d)/, 'Match $1').replace(/_/g, ' ').replace(/plus/, '+ ').replace(/^./, (c) => c.toUpperCase());
}

function Outcomes({ connection, currency }: { connection: SalesConnection; currency: string }) {
  const outcomes = connection.outcomes.value;
  if (outcomes.length === 0) return null;
  return (
    <section class="card" aria-labelledby="outcomes-title">
      <h2 id="outcomes-title">Your bets in this session</h2>
      <ul class="stack" style={{ listStyle: 'none', padding: 0, margin: 0 }} data-testid="outcomes">
        {outcomes.map((o) =>
          o.accepted ? (
            <li key={o.requestId} class="notice ok" data-testid="accepted">
              <strong>Ticket {o.ticketId}</strong> accepted{o.duplicate ? ' (already bought: the same ticket, not charged again)' : ''}: {o.lines?.length ?? 0} line
              {(o.lines?.length ?? 0) === 1 ? '' : 's'}, {money(o.costMinor ?? 0, currency)}.{' '}
              <span class="mono">{(o.lines ?? []).map((l) => (l.length ? l.join('-') : 'entry')).join(' · ')}</span>{' '}
              {o.receipt ? (
                <a href={receiptDownload(o.receipt)} download={`receipt-${o.ticketId}.json`}>
                  Signed receipt
                </a>
              ) : null}
            </li>
          ) : (
            <li key={`${o.requestId}-${o.at}`} class="notice error" data-testid="rejected" data-code={o.code}>
              Not bought: {errorMessage(o.code, o.message)} <span class="code">({o.code})</span>
            </li>
          ),
        )}
      </ul>
    </section>
  );
}
