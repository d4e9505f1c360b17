// rooms/SalesState.ts — what every player in a sales shard sees live: aggregates only,
// never tickets (the full state goes to each joining client).
import { schema, t } from '@colyseus/schema';

export const SalesState = schema(
  {
    drawId: t.string(),
    gameId: t.string(),
    status: t.string(),
    currency: t.string(),
    linePriceMinor: t.number(),
    linesPerTicketMax: t.number(),
    openAtMs: t.number(),
    cutoffAtMs: t.number(),
    drawAtMs: t.number(),
    serverTimeMs: t.number(),
    ticketsSold: t.number(),
    poolTotalMinor: t.number(),
    /** Smallest number of the game's first drum: numberCounts[i] counts lines with numberMin + i. */
    numberMin: t.number(),
    /** Lines sold per number across the whole draw (every shard, every process). */
    numberCounts: t.array('uint32'),
    /** The top prize if won now, rollover included; -1 for a game without one (games/types.ts estimate). */
    jackpotMinor: t.number(),
    /** What the game's last draws rolled over into this one's jackpot. */
    rolloverMinor: t.number(),
    /** The game's tiers and the estimated prize of one winning line in each at the current pool. */
    tierNames: t.array('string'),
    tierEstimatesMinor: t.array('number'),
    /** Fixed-odds games: combinations at their liability cap, not on sale (bets on them get SOLD_OUT). */
    soldOut: t.array('string'),
  },
  'SalesState',
);

export type SalesState = InstanceType<typeof SalesState>;
