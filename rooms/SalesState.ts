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
  },
  'SalesState',
);

export type SalesState = InstanceType<typeof SalesState>;
