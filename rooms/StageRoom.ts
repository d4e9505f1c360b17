// rooms/StageRoom.ts — the live draw stage: one room per draw (sharded past
// STAGE_ROOM_CLIENTS_MAX viewers), joined without an account, that only sends.
//
// Viewers receive the draw's public story as it happens: the countdowns (server time), the
// live pool, the close, the seal, the balls one by one, the proof and the prizes per tier.
// Everything comes from the draw row, read once a second per draw per process
// (actors/StageDraws.ts), and the live totals every sales shard shows (actors/DrawTallies.ts):
// nothing is added to the bet path or to the draw's steps. A viewer never speaks: data frames
// are dropped unread (no decode, no handler, no log line), only the SDK's join, ping and
// leave reach Colyseus, and a connection sending more than a few frames a second is closed.
import { Protocol, Room, ServerError, type Client } from '@colyseus/core';
import { ErrorCode } from '../core/errors.ts';
import {
  CLIENT_REASON_CHARS_MAX,
  COLYSEUS_FRAME_LIMIT_FACTOR,
  STAGE_RECONNECT_WINDOW_SECONDS,
  STAGE_ROOM_PATCH_MS,
  STAGE_SERVER_TIME_REFRESH_MS,
  STAGE_TIERS_MAX,
  STAGE_VIEWER_FRAMES_PER_SECOND_MAX,
} from '../core/limits.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import { isDrawId } from '../core/patterns.ts';
import { gameById } from '../games/index.ts';
import type { CatalogueGame } from '../games/types.ts';
import type { StageDrawRow } from '../ledger/stage.ts';
import type { DrawTallies, Tally } from '../actors/DrawTallies.ts';
import type { StageDraws, StageHandle } from '../actors/StageDraws.ts';
import { SalesCloseCode } from './closeCodes.ts';
import { overFrameLimit, type FrameWindow } from './connection.ts';
import { unlessLedgerAway } from './joins.ts';
import { clearSeatTimers, colyseusOnMessage, wrapRoomInternals } from './roomInternals.ts';
import { revealPlan } from './stageReveal.ts';
import { StageState } from './StageState.ts';

export interface StageServices {
  clock: Clock;
  logger: Logger;
  /** The draw rows this process follows for its stages. */
  stageDraws: Pick<StageDraws, 'follow'>;
  /** The live totals the sales shards show (shared, counted once per process). */
  tallies: Pick<DrawTallies, 'acquire' | 'release'>;
  stageRoomClientsMax: number;
}

/** Statuses during which tickets are still being counted: the live tally is the total. */
const COUNTING = new Set(['scheduled', 'open', 'closed']);

/** Protocol codes live in a frame's first byte, below the modifier bits (Colyseus Room.mjs). */
const PROTOCOL_CODE_MASK = 0x1f;

/** A viewer's connection: its frames this second, and whether the room is closing it. */
interface ViewerData {
  frames: FrameWindow;
  closing: boolean;
}

/** The join options a viewer's matchmaking request must carry: a well-formed draw id. */
export function viewerDrawId(options: unknown): string {
  const drawId = (options as { drawId?: unknown } | null)?.drawId;
  if (!isDrawId(drawId)) throw new ServerError(400, `${ErrorCode.BAD_REQUEST}: join options need a drawId (letters, digits and _.:- only, at most 64)`);
  return drawId;
}

/** The room class Colyseus instantiates, its services bound (as salesRoomType). */
export function stageRoomType(services: StageServices) {
  return class BoundStageRoom extends StageRoom {
    protected get services(): StageServices {
      return services;
    }

    /** No account: anyone may watch. The draw id's shape is checked before any room is looked for. */
    static async onAuth(_token: string, options: unknown): Promise<true> {
      viewerDrawId(options);
      return true;
    }
  };
}

export abstract class StageRoom extends Room<{ state: StageState }> {
  protected abstract get services(): StageServices;

  private draw!: StageHandle;
  private game!: CatalogueGame;
  /** The live tally while tickets are counted (released once sealed). */
  private tally: Tally | undefined;
  private tallyDrawId: number | undefined;
  private revealTimer: NodeJS.Timeout | undefined;
  private serverTimeSentAtMs = 0;
  private disposed = false;

  constructor() {
    super();
    // Every frame passes our check before Colyseus reads it (roomInternals.ts).
    wrapRoomInternals(this, { onMessage: (client, buffer) => this.onFrame(client as Client, buffer) });
  }

  /** Options come from a client: only drawId is read, and the draw is loaded from the ledger. */
  async onCreate(options: unknown) {
    const drawId = viewerDrawId(options);
    const followed = await unlessLedgerAway(this.services.stageDraws.follow(drawId, () => this.show()));
    if (followed.kind === 'unknown') throw new ServerError(404, `${ErrorCode.NOT_FOUND}: no draw ${drawId}`);
    if (followed.kind === 'busy') throw new ServerError(503, `${ErrorCode.SERVICE_UNAVAILABLE}: too many draws on stage in this process; try again`);
    this.draw = followed.handle;
    try {
      const row = this.draw.row;
      const game = gameById(row.gameId);
      if (!game) throw new ServerError(500, `${ErrorCode.INTERNAL_ERROR}: unknown game ${row.gameId}`);
      this.game = game;
      this.maxClients = this.services.stageRoomClientsMax;
      // Colyseus' own limit is a backstop behind ours (onFrame).
      this.maxMessagesPerSecond = STAGE_VIEWER_FRAMES_PER_SECOND_MAX * COLYSEUS_FRAME_LIMIT_FACTOR;
      this.state = this.initialState(row);
      this.setPatchRate(STAGE_ROOM_PATCH_MS);
      if (COUNTING.has(row.status)) await this.countTickets(row);
      this.show();
    } catch (err) {
      this.draw.unfollow();
      throw err;
    }
  }

  private initialState(row: StageDrawRow): StageState {
    const nowMs = this.services.clock.nowMs();
    this.serverTimeSentAtMs = nowMs;
    return new StageState({
      drawId: row.publicId,
      gameId: row.gameId,
      gameName: this.game.name,
      currency: this.game.currency,
      status: row.status,
      openAtMs: row.openAtMs,
      cutoffAtMs: row.cutoffAtMs,
      drawAtMs: row.drawAtMs,
      serverTimeMs: nowMs,
      ticketsSold: 0,
      poolTotalMinor: 0,
      sealTicketCount: -1,
      sealRoot: '',
      ballsTotal: 0,
      nextBallAtMs: 0,
      proofPath: '',
      prizeTotalMinor: -1,
      haltedReason: '',
    });
  }

  /** Takes the draw's live tally (shared with its sales shards) while tickets are counted. */
  private async countTickets(row: StageDrawRow): Promise<void> {
    this.tally = await unlessLedgerAway(this.services.tallies.acquire(row.id));
    this.tallyDrawId = row.id;
    // Disposed (or sealed) while the tally loaded: give it back at once.
    if (this.disposed || !COUNTING.has(this.draw.row.status)) this.stopCounting();
  }

  private stopCounting(): void {
    if (this.tallyDrawId === undefined) return;
    this.services.tallies.release(this.tallyDrawId);
    this.tallyDrawId = undefined;
    this.tally = undefined;
  }

  /**
   * Brings the state up to the draw as last read and the time now, and sends what changed at
   * once (not at the next patch): called on creation, on every change of the row and when a
   * ball falls due.
   */
  private show(): void {
    if (this.disposed || !this.state) return;
    const row = this.draw.row;
    const state = this.state;
    state.openAtMs = row.openAtMs;
    state.cutoffAtMs = row.cutoffAtMs;
    state.drawAtMs = row.drawAtMs;
    state.haltedReason = row.haltedReason ?? '';
    if (row.seal) {
      this.stopCounting();
      state.sealTicketCount = row.seal.ticketCount;
      state.sealRoot = row.seal.ticketRoot;
      state.ticketsSold = row.seal.ticketCount;
      state.poolTotalMinor = row.seal.stakeTotalMinor;
    }
    const allShown = this.showBalls(row);
    const resulted = row.status === 'drawn' || row.status === 'settled';
    state.status = resulted && !allShown ? 'drawn' : row.status;
    if (allShown) state.proofPath = `/api/draws/${encodeURIComponent(row.publicId)}/proof`;
    if (allShown && row.status === 'settled') this.showTiers(row);
    this.broadcastPatch();
  }

  /** The balls due by now; arms the timer for the next. True once every ball is shown. */
  private showBalls(row: StageDrawRow): boolean {
    clearTimeout(this.revealTimer);
    this.revealTimer = undefined;
    if (!row.numbers || row.drawnAtMs === null) return false;
    const plan = revealPlan(row.numbers, row.drawnAtMs, this.services.clock.nowMs());
    const state = this.state;
    if (state.ballsTotal !== plan.total) {
      state.ballsTotal = plan.total;
      state.drumSizes.clear();
      state.drumSizes.push(...plan.drumSizes);
    }
    for (let k = state.balls.length; k < plan.due.length; k++) state.balls.push(plan.due[k]);
    state.nextBallAtMs = plan.nextAtMs ?? 0;
    if (plan.nextAtMs === null) return true;
    this.revealTimer = setTimeout(() => this.show(), Math.max(0, plan.nextAtMs - this.services.clock.nowMs()));
    return false;
  }

  private showTiers(row: StageDrawRow): void {
    const state = this.state;
    if (state.tierNames.length > 0 || !row.prizeTiers) return;
    for (const tier of row.prizeTiers.slice(0, STAGE_TIERS_MAX)) {
      state.tierNames.push(tier.name);
      state.tierWinners.push(tier.winningLines);
      state.tierPrizeMinor.push(tier.perLineMinor);
    }
    state.prizeTotalMinor = row.prizeTotalMinor ?? -1;
  }

  onBeforePatch(state: StageState) {
    // The patch timer runs from room construction, before the async onCreate has set state.
    if (!state) return;
    const nowMs = this.services.clock.nowMs();
    if (nowMs - this.serverTimeSentAtMs >= STAGE_SERVER_TIME_REFRESH_MS) {
      this.serverTimeSentAtMs = nowMs;
      state.serverTimeMs = nowMs;
    }
    if (this.tally) {
      state.ticketsSold = this.tally.ticketCount;
      state.poolTotalMinor = this.tally.stakeMinor;
    }
  }

  /** A viewer is nobody: nothing to check or keep (its frame window is made on its first frame). */
  onJoin(client: Client) {
    // A fresh viewer's first state must carry a fresh server time, not one up to 5 s old.
    this.state.serverTimeMs = this.services.clock.nowMs();
    this.serverTimeSentAtMs = this.state.serverTimeMs;
    void client;
  }

  /** A dropped viewer may come back to its seat (the SDK reconnects); one closed on purpose may not. */
  async onDrop(client: Client) {
    if ((client.userData as ViewerData | undefined)?.closing) return;
    await this.allowReconnection(client, STAGE_RECONNECT_WINDOW_SECONDS).catch(() => undefined);
  }

  onLeave() {}

  /**
   * Every frame of a viewer, before Colyseus reads it. Join, leave and ping are the SDK's
   * own and go on to Colyseus; everything else (messages, requests, input) is dropped unread.
   * Past STAGE_VIEWER_FRAMES_PER_SECOND_MAX frames a second the connection is closed.
   * Nothing a frame holds may throw out of here: this runs in a uWS callback.
   */
  private onFrame(client: Client, buffer: Buffer) {
    const code = buffer && buffer.length > 0 ? buffer[0] & PROTOCOL_CODE_MASK : -1;
    if (code === Protocol.JOIN_ROOM || code === Protocol.LEAVE_ROOM) return this.passOn(client, buffer);
    let data = client.userData as ViewerData | undefined;
    if (!data) client.userData = data = { frames: { endsAtMs: 0, frames: 0 }, closing: false };
    if (data.closing) return;
    if (overFrameLimit(data.frames, performance.now(), STAGE_VIEWER_FRAMES_PER_SECOND_MAX)) {
      data.closing = true;
      this.services.logger.debug({ roomId: this.roomId }, 'stage viewer flooded; closing it');
      client.leave(SalesCloseCode.FLOODED, `${ErrorCode.RATE_LIMITED}: a viewer sends nothing`);
      return;
    }
    if (code === Protocol.PING) this.passOn(client, buffer);
  }

  private passOn(client: Client, buffer: Buffer) {
    try {
      colyseusOnMessage(this, client, buffer);
    } catch (err) {
      this.services.logger.debug({ roomId: this.roomId, reason: String((err as Error)?.message).slice(0, CLIENT_REASON_CHARS_MAX) }, 'unreadable stage frame');
      client.leave(SalesCloseCode.PROTOCOL_ERROR);
    }
  }

  onDispose() {
    this.disposed = true;
    clearTimeout(this.revealTimer);
    clearSeatTimers(this);
    this.stopCounting();
    this.draw?.unfollow();
  }

  /** As SalesRoom: a refusal thrown on purpose is logged at debug only; anything else is a bug. */
  onUncaughtException(error: Error, methodName: string) {
    const cause = (error as { cause?: unknown }).cause ?? error;
    if (cause instanceof ServerError && cause.code < 500) {
      this.services.logger.debug({ methodName, roomId: this.roomId, status: cause.code, reason: cause.message.slice(0, CLIENT_REASON_CHARS_MAX) }, 'stage room refused a request');
      return;
    }
    this.services.logger.error({ err: cause, methodName, roomId: this.roomId }, 'stage room error');
  }
}
