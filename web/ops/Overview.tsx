// web/ops/Overview.tsx — the console's first screen: every game's current draw with its
// countdowns and live sales, the cluster's connections, rooms and bets per second (with the
// run-up to the next cutoff as a chart), and sales per game. Live sales come from each open
// draw's `stage` room (the public live totals, the same in every process); the cluster's
// figures from the `operators` room (web/ops/feed.ts).
import { useEffect, useState } from 'preact/hooks';
import { Client, type Room } from '@colyseus/sdk';
import { signal, type Signal } from '@preact/signals';
import { drawsOf, games as loadGames, type DrawRecord, type Game } from '../lib/catalogue.ts';
import { nowTick, observeServerTime } from '../lib/clock.ts';
import { BarChart, LineChart } from '../lib/charts.tsx';
import { countdown, money, time } from '../lib/format.ts';
import { ErrorNotice, useAction } from '../lib/ui.tsx';
import type { OperatorsFeed } from './feed.ts';

interface LiveSales {
  status: string;
  ticketsSold: number;
  poolTotalMinor: number;
  cutoffAtMs: number;
  drawAtMs: number;
}

/** One open draw's live totals, from its public stage room. */
class DrawWatch {
  readonly live: Signal<LiveSales | null> = signal(null);
  private room: Room | undefined;
  private stopped = false;

  constructor(readonly drawId: string) {}

  async start(): Promise<void> {
    try {
      const room = await new Client(location.origin).joinOrCreate('stage', { drawId: this.drawId });
      if (this.stopped) return void room.leave(true);
      this.room = room;
      let lastServerTimeMs = 0;
      room.onStateChange((s: any) => {
        // The stage refreshes its time every few seconds: a patch of totals alone carries an older one.
        if (s.serverTimeMs !== lastServerTimeMs) {
          lastServerTimeMs = s.serverTimeMs;
          observeServerTime(s.serverTimeMs, 2_000);
        }
        this.live.value = { status: s.status, ticketsSold: s.ticketsSold, poolTotalMinor: s.poolTotalMinor, cutoffAtMs: s.cutoffAtMs, drawAtMs: s.drawAtMs };
      });
      room.onMessage('*', () => {});
    } catch {
      // The draw's row still shows; the live figures come when the page is reloaded.
    }
  }

  stop(): void {
    this.stopped = true;
    void this.room?.leave(true).catch(() => undefined);
  }
}

interface Row {
  game: Game;
  draw: DrawRecord | null;
  watch: DrawWatch | null;
}

export function Overview({ feed }: { feed: OperatorsFeed | null }) {
  const [rows, setRows] = useState<Row[]>([]);
  const load = useAction(async () => {
    const games = await loadGames();
    const found = await Promise.all(
      games.map(async (game) => {
        const draws = await drawsOf(game.gameId);
        const draw = draws.find((d) => d.status === 'open') ?? draws.find((d) => !['settled', 'voided'].includes(d.status)) ?? draws[0] ?? null;
        return { game, draw, watch: draw && draw.status === 'open' ? new DrawWatch(draw.drawId) : null };
      }),
    );
    setRows(found);
  });
  useEffect(() => void load.run(), []);
  useEffect(() => {
    for (const row of rows) void row.watch?.start();
    return () => rows.forEach((row) => row.watch?.stop());
  }, [rows]);
  const nextCutoffMs = Math.min(...rows.map((r) => r.watch?.live.value?.cutoffAtMs ?? (r.draw ? Date.parse(r.draw.cutoffAt) : Infinity)).filter((ms) => ms > nowTick.value));
  return (
    <div class="stack">
      <h1>Overview</h1>
      <ErrorNotice error={load.error} />
      {feed ? <ClusterCard feed={feed} nextCutoffMs={Number.isFinite(nextCutoffMs) ? nextCutoffMs : undefined} /> : null}
      <section class="card" aria-labelledby="sales-title">
        <h2 id="sales-title">Draws now</h2>
        <div class="table-wrap">
          <table class="ops-table" data-testid="draws-now">
            <thead>
              <tr>
                <th>Game</th>
                <th>Draw</th>
                <th>Status</th>
                <th>Cutoff in</th>
                <th>Draw in</th>
                <th class="num">Tickets</th>
                <th class="num">Pool</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ game, draw, watch }) => {
                const live = watch?.live.value;
                const cutoffMs = live?.cutoffAtMs ?? (draw ? Date.parse(draw.cutoffAt) : NaN);
                const drawMs = live?.drawAtMs ?? (draw ? Date.parse(draw.drawAt) : NaN);
                return (
                  <tr key={game.gameId} data-game={game.gameId}>
                    <td>{game.name}</td>
                    <td class="mono">{draw ? <a href={`/draw/${encodeURIComponent(draw.drawId)}`}>{draw.drawId}</a> : '—'}</td>
                    <td>{live?.status ?? draw?.status ?? '—'}</td>
                    <td class="num">{draw ? (cutoffMs > nowTick.value ? countdown(cutoffMs - nowTick.value) : `closed ${time(cutoffMs)}`) : ''}</td>
                    <td class="num">{draw ? (drawMs > nowTick.value ? countdown(drawMs - nowTick.value) : time(drawMs)) : ''}</td>
                    <td class="num" data-testid="tickets">
                      {live ? live.ticketsSold.toLocaleString() : '—'}
                    </td>
                    <td class="num">{live ? money(live.poolTotalMinor, game.currency) : '—'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </section>
      <section class="card" aria-labelledby="per-game-title">
        <h2 id="per-game-title">Sales per game (open draws)</h2>
        <BarChart
          label="Stakes taken in each game's open draw so far"
          bars={rows.map(({ game, watch }) => {
            const pool = watch?.live.value?.poolTotalMinor ?? 0;
            return { label: game.name, value: pool, text: `${money(pool, game.currency)} · ${(watch?.live.value?.ticketsSold ?? 0).toLocaleString()} tickets` };
          })}
        />
      </section>
    </div>
  );
}

function ClusterCard({ feed, nextCutoffMs }: { feed: OperatorsFeed; nextCutoffMs: number | undefined }) {
  const f = feed.figures.value;
  const status = feed.status.value;
  return (
    <section class="card stack" aria-labelledby="cluster-title">
      <h2 id="cluster-title">
        Cluster <span class={`pill ${status === 'live' ? 'good' : 'warn'}`}>{status === 'live' ? 'live' : status}</span>
      </h2>
      <div class="ops-figures" data-testid="cluster">
        <Figure label="Processes" value={f?.processes} />
        <Figure label="Connections" value={f?.connections} testId="connections" />
        <Figure label="Rooms" value={f?.rooms} />
        <Figure label="Bets per second" value={f?.betsPerSecond} testId="bets-per-second" />
      </div>
      <LineChart points={feed.series.value} label={`Bets per second, the last ten minutes${nextCutoffMs ? `; next cutoff ${time(nextCutoffMs)}` : ''}`} markAt={nextCutoffMs} unit=" bets/s" windowMs={10 * 60_000} />
    </section>
  );
}

function Figure({ label, value, testId }: { label: string; value: number | undefined; testId?: string }) {
  return (
    <div class="figure">
      <div class="value" data-testid={testId}>
        {value === undefined ? '…' : value.toLocaleString()}
      </div>
      <div class="label">{label}</div>
    </div>
  );
}
