// rooms/StageState.ts — what every viewer of a live draw stage sees: public facts of the draw
// only (times, totals, seal, balls, prize tiers), the same for everyone, sent whole on join.
import { schema, t } from '@colyseus/schema';

export const StageState = schema(
  {
    drawId: t.string(),
    gameId: t.string(),
    gameName: t.string(),
    currency: t.string(),
    /**
     * The draw's status as the stage shows it: scheduled, open, closed, sealed, drawn,
     * settled, halted, voided. Held at 'drawn' until its last ball is shown, so the results
     * (tiers, proof) never appear before the balls they follow from.
     */
    status: t.string(),
    openAtMs: t.number(),
    cutoffAtMs: t.number(),
    drawAtMs: t.number(),
    /** The server's clock when this was sent (refreshed every few seconds): countdowns use it. */
    serverTimeMs: t.number(),
    /** Live while selling (every shard of every process), then the seal's. */
    ticketsSold: t.number(),
    poolTotalMinor: t.number(),
    /** The seal, once sealed: tickets committed and their Merkle root (hex); -1 and '' before. */
    sealTicketCount: t.number(),
    sealRoot: t.string(),
    /** Balls shown so far, drums in order; ballsTotal of them in all, drumSizes per drum. */
    balls: t.array('uint32'),
    ballsTotal: t.number(),
    drumSizes: t.array('uint8'),
    /** When the next ball is due by the server's clock (0 when none is). */
    nextBallAtMs: t.number(),
    /** Where the signed proof is, once every ball is shown ('' before). */
    proofPath: t.string(),
    /** Settled: per tier its name, winning lines and prize per winning line; and the total paid. */
    tierNames: t.array('string'),
    tierWinners: t.array('number'),
    tierPrizeMinor: t.array('number'),
    prizeTotalMinor: t.number(),
    /** Why the draw is halted ('' otherwise). */
    haltedReason: t.string(),
  },
  'StageState',
);

export type StageState = InstanceType<typeof StageState>;
