// rooms/SalesRoom.ts — one shard of a draw's ticket sales.
//
// A thin network boundary: it stamps each bet on arrival, checks it, hands it to the
// process's BetWriter and replies exactly once. Money decisions live in the ledger.
// Fence layer 1 is here: the room stamps every bet with its receive time, which the ledger
// compares with the cutoff, and locks itself on a real timer at the cutoff.
import crypto from 'node:crypto';
import { Room, ServerError, type AuthContext, type Client, type Deferred } from '@colyseus/core';
import { uWebSocketClient } from '@colyseus/uwebsockets-transport';
import { ErrorCode } from '../core/errors.ts';
import {
  ADVANCE_DRAWS_MAX,
  ADVANCE_DRAWS_REFRESH_MS,
  BET_DATABASE_WAIT_MS_MAX,
  BET_QUERY_MS_MAX,
  CLIENT_REASON_CHARS_MAX,
  COLYSEUS_FRAME_LIMIT_FACTOR,
  MESSAGE_TYPE_ECHO_CHARS_MAX,
  RECONNECT_WINDOW_SECONDS,
  SALES_ROOM_PATCH_MS,
  SALES_SERVER_TIME_REFRESH_MS,
  TIMER_DELAY_MS_MAX,
} from '../core/limits.ts';
import { gameById } from '../games/index.ts';
import type { CatalogueGame } from '../games/types.ts';
import { drawByPublicId, listDraws, type DrawRow } from '../ledger/draws.ts';
import { advanceRequestId } from '../ledger/bets.ts';
import type { SessionPlayer } from '../ledger/players.ts';
import type { BetOutcome, BetRequest } from '../actors/BetWriter.ts';
import type { Tally } from '../actors/DrawTallies.ts';
import type { LiveDraw } from '../actors/LiveInfo.ts';
import { acceptedFrame, type AcceptedReply, type AdvanceTicket } from './acceptedWire.ts';
import { parseBet, requestIdOf, type BetSelection } from './betMessage.ts';
import { SalesCloseCode } from './closeCodes.ts';
import { framesPerSecondMax, overFrameLimit, type Closing, type FrameWindow } from './connection.ts';
import { authorizeJoin, unlessLedgerAway, type JoinedPlayer } from './joins.ts';
import { RealityChecks, type RealityState } from './realityChecks.ts';
import { clearSeatTimers, clientOpen, colyseusOnMessage, colyseusReserveSeat, reservedSeat, wrapRoomInternals } from './roomInternals.ts';
import { seatRefusal, type SeatHolder, type SeatState } from './seats.ts';
import { SalesState } from './SalesState.ts';
import type { RoomServices } from './services.ts';

/**
 * The uWS socket under a client (public API: uWebSocketClient.ref.ws), or undefined under
 * another transport. uWS can batch several sends into one syscall (cork).
 */
function uwsSocket(client: Client) {
  return client instanceof uWebSocketClient ? client.ref.ws : undefined;
}

/** uWS sockets can batch several sends into one syscall; other transports just send. */
function corked(client: Client, send: () => void): void {
  const ws = uwsSocket(client);
  if (!ws) return send();
  try {
    ws.cork(send);
  } catch {
    // uWS throws on a closed socket. Sending again could repeat replies if the callback had
    // already run, and to a closed socket every send is a no-op anyway.
  }
}

/**
 * A reconnection may replace a connection Colyseus still counted open (a manual reconnect
 * past a half-open socket); Colyseus hands the seat over without closing the old socket,
 * which, answering pings, would stay open for good. Usually it is closed already, and uWS
 * throws.
 */
function endReplacedSocket(socket: ReturnType<typeof uwsSocket>): void {
  try {
    socket?.end(SalesCloseCode.REPLACED);
  } catch {
    // closed already
  }
}

type CheckedBet = Extract<ReturnType<CatalogueGame['validateBet']>, { ok: true }>['bet'];

/** One connection's state, kept across a reconnection (Colyseus copies userData over). */
interface PlayerData {
  player: JoinedPlayer;
  /** The player's pseudonym in this draw, as their ticket leaves and receipts name them. */
  pseudonym: string;
  /** Token bucket for the per-connection bet rate. */
  tokens: number;
  refilledAtMs: number;
  /** The connection's client now: a reconnection brings a new one. */
  client: Client;
  /** Frames in the current second, against the socket's flood limit. */
  frames: FrameWindow;
  /** Bets handed on and not yet answered: a closing connection waits for their replies. */
  betsInFlight: number;
  /** Set once the room has decided to close this connection (connection.ts). */
  closing?: Closing;
  /** While dropped: the seat held for its reconnection, to give up early if it is closed meanwhile. */
  reconnection?: Deferred<Client>;
  /** Stops its session's actor from closing it (it is gone anyway). */
  untrackSession?: () => void;
  /** Stops `result` messages (prizes won in any draw) to this connection. */
  unregisterResults?: () => void;
  /** Its reality checks (rooms/realityChecks.ts). */
  reality: RealityState;
}

/**
 * The room class Colyseus instantiates for one server, its services bound: its static onAuth
 * and every instance read them from here, so several servers in one process keep apart.
 */
export function salesRoomType(services: RoomServices) {
  return class BoundSalesRoom extends SalesRoom {
    protected get services(): RoomServices {
      return services;
    }

    static async onAuth(token: string, options: unknown, context: AuthContext): Promise<JoinedPlayer> {
      return authorizeJoin(services, token, options, context.ip ?? '');
    }
  };
}

/**
 * The sales room protocol; built only through salesRoomType. Hooks read as the protocol:
 * onAuth (joins.ts), onCreate, onJoin, onDrop / onReconnect, onLeave, the bet handler,
 * onDispose; each delegates the work in a line or two.
 */
export abstract class SalesRoom extends Room<{ state: SalesState }> implements SeatHolder {
  /** Bound by salesRoomType: a prototype getter, so it is there while Room's constructor runs. */
  protected abstract get services(): RoomServices;

  private draw!: DrawRow;
  /** The game's draws after this one, soonest first (at most ADVANCE_DRAWS_MAX - 1): what advance play buys. */
  private following: DrawRow[] = [];
  private game!: CatalogueGame;
  private tally!: Tally;
  private live: LiveDraw | undefined;
  private liveVersion = -1;
  private estimateKey = '';
  /** Tally version last copied into the state's per-number counts. */
  private countsVersion = -1;
  private timers: NodeJS.Timeout[] = [];
  /**
   * Replies decided by a committed batch all arrive in one microtask drain. Queuing them and
   * flushing once per loop turn lets each socket send its replies in one syscall. A reply is
   * a whole frame (acceptedWire.ts) or a message for Colyseus to encode.
   */
  private outbox = new Map<Client, (Buffer | [string, unknown])[]>();
  private outboxScheduled = false;
  /** When serverTimeMs was last refreshed in the state (SALES_SERVER_TIME_REFRESH_MS). */
  private serverTimeSentAtMs = 0;
  /** Frames per second past which a connection is closed as FLOODED (set in onCreate). */
  private framesPerSecondMax = Infinity;
  /** Reality checks of the sockets of players who asked for them, sent through the outbox. */
  private realityChecks?: RealityChecks<PlayerData>;
  /** Seats this room granted (Colyseus session id -> player), for the process's SeatBook. */
  private readonly seatPlayers = new Map<string, number>();

  constructor() {
    super();
    // Every frame passes our check before Colyseus reads it, and every seat our bound
    // before Colyseus grants it (roomInternals.ts).
    wrapRoomInternals(this, {
      onMessage: (client, buffer) => this.onFrame(client as Client, buffer),
      reserveSeat: (...args) => this.reserveSeat(args),
    });
  }

  /** Options come from a client: only drawId is read, and the draw is loaded from the ledger. */
  async onCreate(options: { drawId: string }) {
    const nowMs = this.services.clock.nowMs();
    const { draw, game } = await this.sellingDraw(options?.drawId, nowMs);
    this.draw = draw;
    this.game = game;
    this.applyConnectionLimits();
    this.tally = await unlessLedgerAway(this.services.tallies.acquire(draw.id));
    this.live = this.services.liveInfo.acquire(draw.id, game);
    this.state = this.initialState(nowMs);
    this.setPatchRate(SALES_ROOM_PATCH_MS);
    // Real timers, not this.clock: the room clock ticks with the patch loop and may fire late.
    this.after(draw.cutoffAtMs - nowMs, () => this.closeSales());
    this.after(draw.drawAtMs - nowMs, () => this.endAtDrawTime());
    await this.refreshFollowing();
    this.timers.push(setInterval(() => void this.refreshFollowing(), ADVANCE_DRAWS_REFRESH_MS));
    this.timers.push(setInterval(() => void this.recheckLocations(), this.services.geoRecheckMs));
    this.realityChecks = new RealityChecks<PlayerData>(this.services, (data, check) => this.reply(data.client, 'reality_check', check));
    this.onMessage('bet', (client: Client, message: unknown) => this.onBet(client, message));
    this.onMessage('reality_check:ack', (client: Client, message: unknown) => this.onRealityCheckAck(client, message));
    this.onMessage('*', (client: Client, type: string | number, message: unknown) => this.onUnknownMessage(client, type, message));
  }

  /**
   * Runs `fn` `delayMs` from now. setTimeout fires a delay past its 24.8-day bound at once
   * (a draw sold weeks ahead would close on creation), so a longer one is re-armed in steps.
   */
  private after(delayMs: number, fn: () => void): void {
    const deadlineMs = Date.now() + Math.max(0, delayMs);
    const step = () => {
      const leftMs = deadlineMs - Date.now();
      if (leftMs <= 0) return fn();
      this.timers.push(setTimeout(step, Math.min(leftMs, TIMER_DELAY_MS_MAX)));
    };
    // Never at once: a draw past its time is closed from a timer, not inside onCreate.
    this.timers.push(setTimeout(step, Math.min(Math.max(0, delayMs), TIMER_DELAY_MS_MAX)));
  }

  /** The draw a new shard sells, from the ledger: it must exist, be open and before its cutoff. */
  private async sellingDraw(drawId: unknown, nowMs: number): Promise<{ draw: DrawRow; game: CatalogueGame }> {
    const draw = typeof drawId === 'string' ? await unlessLedgerAway(drawByPublicId(this.services.pool, drawId)) : null;
    if (!draw) throw new ServerError(404, `${ErrorCode.NOT_FOUND}: no such draw`);
    // Once every shard is locked at cutoff, joinOrCreate would make a new one: refuse it.
    if (draw.status !== 'open' || nowMs >= draw.cutoffAtMs) {
      throw new ServerError(409, `${draw.status === 'scheduled' ? ErrorCode.DRAW_NOT_OPEN : ErrorCode.DRAW_CLOSED}: draw ${draw.publicId} is not selling`);
    }
    const game = gameById(draw.gameId);
    if (!game) throw new ServerError(500, `${ErrorCode.INTERNAL_ERROR}: unknown game ${draw.gameId}`);
    return { draw, game };
  }

  /**
   * The draws an advance purchase covers after this one, from the ledger: created ahead with
   * their commitments (actors/DrawScheduler.ts, DRAWS_AHEAD). A failed read keeps the last list:
   * the ledger's fence still judges every ticket against its own draw.
   */
  private async refreshFollowing(): Promise<void> {
    try {
      this.following = await listDraws(this.services.pool, this.draw.gameId, this.draw.drawAtMs + 1, ADVANCE_DRAWS_MAX - 1);
    } catch (err) {
      this.services.logger.warn({ err, roomId: this.roomId }, 'reading the draws after this one failed; advance play keeps the last list');
    }
  }

  /**
   * Where each open socket is, again (recorded for audit): one that is no longer somewhere play
   * is permitted is closed LOCATION_NOT_PERMITTED, its bets in flight answered first. A failed
   * check (the ledger away) keeps the sockets: they were placed at join and are checked again
   * next time.
   */
  private async recheckLocations(): Promise<void> {
    const connections = [...this.clients].map((c) => c.userData as PlayerData | undefined).filter((d): d is PlayerData => d !== undefined && !d.closing);
    if (connections.length === 0) return;
    try {
      const verdicts = await this.services.geo.checkMany(connections.map((d) => ({ playerId: d.player.playerId, address: d.player.clientAddress })), 'periodic');
      verdicts.forEach((verdict, i) => {
        if (verdict.permitted) return;
        const reason = `${ErrorCode.LOCATION_NOT_PERMITTED}: ${verdict.reason}`;
        this.closeConnection(connections[i], { code: SalesCloseCode.LOCATION_NOT_PERMITTED, reason, refuseWith: ErrorCode.LOCATION_NOT_PERMITTED });
      });
    } catch (err) {
      this.services.logger.warn({ err, roomId: this.roomId }, 'rechecking locations failed; checked again next time');
    }
  }

  private applyConnectionLimits() {
    const { salesRoomClientsMax, betRatePerSecond, betRateBurst } = this.services;
    this.maxClients = salesRoomClientsMax;
    // Our own limit (onFrame) closes a flooding connection only after answering its bets;
    // Colyseus' would drop it with its replies, so it is set out of reach, as a backstop.
    this.framesPerSecondMax = framesPerSecondMax(betRatePerSecond, betRateBurst);
    this.maxMessagesPerSecond = this.framesPerSecondMax * COLYSEUS_FRAME_LIMIT_FACTOR;
  }

  private initialState(nowMs: number): SalesState {
    const { draw, game, tally } = this;
    const state = new SalesState({
      drawId: draw.publicId,
      gameId: game.id,
      status: 'open',
      currency: game.currency,
      linePriceMinor: game.betTypes[0].stakesMinor[0],
      linesPerTicketMax: game.betTypes[0].linesPerTicketMax,
      openAtMs: draw.openAtMs,
      cutoffAtMs: draw.cutoffAtMs,
      drawAtMs: draw.drawAtMs,
      serverTimeMs: nowMs,
      ticketsSold: tally.ticketCount,
      poolTotalMinor: tally.stakeMinor,
      numberMin: game.drums[0]?.min ?? 0,
      jackpotMinor: -1,
      rolloverMinor: 0,
    });
    // A raffle has no drum: nothing is chosen, so there is no popularity to show.
    for (let n = game.drums[0]?.min ?? 1; n <= (game.drums[0]?.max ?? 0); n++) state.numberCounts.push(0);
    this.copyNumberCounts(state);
    this.copyLiveInfo(state);
    return state;
  }

  /**
   * Answered like a malformed bet (a client waiting on its requestId hears back), through
   * the outbox like every reply, so a client sees its replies in order.
   */
  private onUnknownMessage(client: Client, type: string | number, message: unknown) {
    const text = `unknown message type ${JSON.stringify(String(type).slice(0, MESSAGE_TYPE_ECHO_CHARS_MAX))}`;
    this.reject(client, requestIdOf(message), ErrorCode.BAD_MESSAGE, text, this.services.clock.nowMs());
  }

  onJoin(client: Client, _options: unknown, player: JoinedPlayer) {
    // Its seat was reserved while the session was live; it may have ended since (logout).
    if (this.services.sessions.hasEnded(player.authSessionId, player.authSessionExpiresAtMs)) {
      throw new ServerError(401, `${ErrorCode.SESSION_ENDED}: the session this seat was reserved for has ended; log in again`);
    }
    // A player's first state must carry a fresh server time, not one up to the refresh old.
    this.state.serverTimeMs = this.services.clock.nowMs();
    this.serverTimeSentAtMs = this.state.serverTimeMs;
    const data = this.newPlayerData(client, player);
    client.userData = data;
    data.untrackSession = this.services.sessions.track(player.authSessionId, player.authSessionExpiresAtMs, {
      sessionEnded: (reason) => this.closeConnection(data, { code: SalesCloseCode.SESSION_ENDED, reason: `${ErrorCode.SESSION_ENDED}: ${reason}`, refuseWith: ErrorCode.SESSION_ENDED }),
    });
    data.unregisterResults = this.services.results.register(player.playerId, (type, message) => this.reply(client, type, message));
    this.realityChecks?.arm(data);
  }

  /** `{ checkId }` of the reality check shown: bets may follow. Anything else is answered BAD_MESSAGE. */
  private onRealityCheckAck(client: Client, message: unknown) {
    const data = client.userData as PlayerData | undefined;
    const checkId = (message as { checkId?: unknown } | null)?.checkId;
    if (data && this.realityChecks?.acknowledge(data, checkId)) return this.reply(client, 'reality_check:acknowledged', { checkId });
    this.reject(client, null, ErrorCode.BAD_MESSAGE, 'no reality check with that checkId is waiting', this.services.clock.nowMs());
  }

  private newPlayerData(client: Client, player: JoinedPlayer): PlayerData {
    return {
      player,
      pseudonym: this.services.vault.pseudonym(this.draw.publicId, player.publicId),
      tokens: this.services.betRateBurst,
      refilledAtMs: this.services.clock.nowMs(),
      client,
      frames: { endsAtMs: 0, frames: 0 },
      betsInFlight: 0,
      reality: {},
    };
  }

  async onDrop(client: Client, _code?: number) {
    const data = client.userData as PlayerData | undefined;
    // Closed on purpose (connection.ts, Closing): it must not come back as it was, so no
    // seat is kept for it. (Not every 4002 is such a close: Colyseus also closes a stale
    // connection with it to let its own reconnection in, which needs this seat.)
    if (!data || data.closing) return;
    // Keep the seat briefly so the SDK can reconnect; bets resent after reconnecting are
    // safe (request ids) and late ones are rejected by receive time.
    const socket = uwsSocket(client);
    data.reconnection = this.allowReconnection(client, RECONNECT_WINDOW_SECONDS);
    const reconnected = await data.reconnection.then(
      () => true,
      () => false,
    );
    data.reconnection = undefined;
    if (reconnected) endReplacedSocket(socket);
  }

  onReconnect(client: Client) {
    (client.userData as PlayerData).client = client;
  }

  /**
   * Every frame of a joined connection, before Colyseus reads it. A connection past its
   * frame limit is not read any more and is closed once its bets are answered, well before
   * Colyseus' own limit would drop it with its replies. Nothing a frame holds may throw out
   * of here: that would be an exception in a uWS callback.
   */
  private onFrame(client: Client, buffer: Buffer) {
    const data = client.userData as PlayerData | undefined;
    if (data) {
      if (data.closing && data.closing.refuseWith === undefined) return;
      if (overFrameLimit(data.frames, performance.now(), this.framesPerSecondMax)) {
        this.services.logger.warn({ roomId: this.roomId, playerId: data.player.publicId, framesPerSecondMax: this.framesPerSecondMax }, 'connection flooded; closing it');
        this.closeConnection(data, { code: SalesCloseCode.FLOODED, reason: `${ErrorCode.RATE_LIMITED}: over ${this.framesPerSecondMax} messages a second` });
        return;
      }
    }
    try {
      colyseusOnMessage(this, client, buffer);
      // Colyseus closes a connection itself (4002) on a frame it cannot decode: the same as
      // an unreadable frame of ours, no seat kept (onDrop may have run already: closeConnection
      // then gives up the seat it holds).
      if (data && !data.closing && !clientOpen(client)) {
        this.closeConnection(data, { code: SalesCloseCode.PROTOCOL_ERROR, reason: `${ErrorCode.BAD_MESSAGE}: unreadable frame` });
      }
    } catch (err) {
      this.services.logger.warn({ roomId: this.roomId, reason: String((err as Error)?.message).slice(0, CLIENT_REASON_CHARS_MAX) }, 'unreadable frame; closing its connection');
      if (data) this.closeConnection(data, { code: SalesCloseCode.PROTOCOL_ERROR, reason: `${ErrorCode.BAD_MESSAGE}: unreadable frame` });
      else client.leave(SalesCloseCode.PROTOCOL_ERROR);
    }
  }

  /**
   * Closes a connection the room no longer wants (connection.ts, Closing): the replies to
   * its bets in flight go out first, then it is closed with `closing.code`, and onDrop
   * keeps no seat for it. A dropped connection waiting to reconnect loses its seat now.
   */
  private closeConnection(data: PlayerData, closing: Closing) {
    if (data.closing) return;
    data.closing = closing;
    data.reconnection?.reject(new Error(closing.reason));
    this.finishClosing(data);
  }

  /** Closes it once nothing is owed: no bet in flight, no reply waiting in the outbox. */
  private finishClosing(data: PlayerData) {
    if (!data.closing || data.betsInFlight > 0 || this.outbox.has(data.client)) return;
    data.client.leave(data.closing.code, data.closing.reason);
  }

  /** The client is gone for good (left, or its reconnection window closed). */
  onLeave(client: Client) {
    this.releaseSeat(client.sessionId);
    (client.userData as PlayerData | undefined)?.untrackSession?.();
    (client.userData as PlayerData | undefined)?.unregisterResults?.();
    const reality = (client.userData as PlayerData | undefined)?.reality;
    if (reality) this.realityChecks?.stop(reality);
  }

  /**
   * Colyseus' seat reservation, bounded per player (rooms/seats.ts). Runs in the process
   * that holds the room, whichever process the player asked. A refusal makes the matchmaker
   * try again and then fail the join; SalesRoom.onAuth has usually answered TOO_MANY_SEATS
   * before it gets here. Seats kept for a reconnection were counted when first reserved.
   */
  private reserveSeat(args: Parameters<typeof colyseusReserveSeat>[1]): Promise<boolean> {
    const [sessionId, , authData, , allowReconnection] = args;
    const player = authData as SessionPlayer | undefined;
    if (!allowReconnection && typeof player?.playerId === 'number') {
      const { seats, logger } = this.services;
      const refusal = seatRefusal(seats.count(player.playerId, this.draw.publicId));
      if (refusal) {
        logger.debug({ roomId: this.roomId, playerId: player.publicId, refusal }, 'seat refused');
        return Promise.resolve(false);
      }
      seats.add(player.playerId, sessionId, this);
      this.seatPlayers.set(sessionId, player.playerId);
    }
    return colyseusReserveSeat(this, args);
  }

  get drawPublicId(): string {
    return this.draw.publicId;
  }

  /** SeatHolder: a connection, a connection on its way or kept for reconnection, or nothing. */
  seatState(sessionId: string): SeatState {
    if (this.clients.get(sessionId)) return 'taken';
    const seat = reservedSeat(this, sessionId);
    if (!seat) return 'gone';
    return seat[2] || seat[3] ? 'taken' : 'pending';
  }

  private releaseSeat(sessionId: string) {
    const playerId = this.seatPlayers.get(sessionId);
    if (playerId === undefined) return;
    this.seatPlayers.delete(sessionId);
    this.services.seats.remove(playerId, sessionId);
  }

  onBeforePatch(state: SalesState) {
    // The patch timer runs from room construction, before the async onCreate has set state.
    if (!state || !this.tally) return;
    const nowMs = this.services.clock.nowMs();
    if (nowMs - this.serverTimeSentAtMs >= SALES_SERVER_TIME_REFRESH_MS) {
      this.serverTimeSentAtMs = nowMs;
      state.serverTimeMs = nowMs;
    }
    state.ticketsSold = this.tally.ticketCount;
    state.poolTotalMinor = this.tally.stakeMinor;
    this.copyNumberCounts(state);
    this.copyLiveInfo(state);
  }

  /**
   * Jackpot, per-tier estimates and sold-out combinations, recomputed only when the pool or
   * the live reads changed. Lines sold for the estimates are the pool over the first bet
   * type's price: exact for the pari-mutuel games, whose lines have one price.
   */
  private copyLiveInfo(state: SalesState) {
    const live = this.live;
    if (!live) return;
    const key = `${this.tally.stakeMinor}:${live.rolloverInMinor}`;
    if (key !== this.estimateKey) {
      this.estimateKey = key;
      const linesSold = Math.floor(this.tally.stakeMinor / this.game.betTypes[0].stakesMinor[0]);
      const estimate = this.game.estimate({ stakeTotalMinor: this.tally.stakeMinor, linesSold, rolloverInMinor: live.rolloverInMinor });
      state.jackpotMinor = estimate.jackpotMinor ?? -1;
      state.rolloverMinor = live.rolloverInMinor;
      estimate.tiers.forEach((tier, i) => {
        if (state.tierNames[i] !== tier.name) state.tierNames[i] = tier.name;
        if (state.tierEstimatesMinor[i] !== tier.perLineMinor) state.tierEstimatesMinor[i] = tier.perLineMinor;
      });
    }
    if (live.version === this.liveVersion) return;
    this.liveVersion = live.version;
    if (state.soldOut.join(',') !== live.soldOut.join(',')) {
      state.soldOut.clear();
      state.soldOut.push(...live.soldOut);
    }
  }

  /** Only entries that changed become part of the patch (schema tracks per index). */
  private copyNumberCounts(state: SalesState) {
    if (this.tally.version === this.countsVersion) return;
    this.countsVersion = this.tally.version;
    const min = state.numberMin;
    const counts = this.tally.numberCounts;
    for (let i = 0; i < state.numberCounts.length; i++) {
      const value = counts[min + i] ?? 0;
      if (state.numberCounts[i] !== value) state.numberCounts[i] = value;
    }
  }

  onDispose() {
    for (const t of this.timers) clearTimeout(t);
    clearSeatTimers(this);
    for (const sessionId of [...this.seatPlayers.keys()]) this.releaseSeat(sessionId);
    if (this.draw) this.services.tallies.release(this.draw.id);
    if (this.draw && this.live) this.services.liveInfo.release(this.draw.id);
  }

  /**
   * Colyseus reports here whatever a hook or handler threw, wrapped (OnCreateException and
   * the like, carrying the client and its payload). A refusal we threw on purpose has
   * already answered the client and is logged at debug only: a client refused a million
   * times must not write a million stack traces. Anything else is a bug: its stack, but
   * not what the client sent.
   */
  onUncaughtException(error: Error, methodName: string) {
    const { logger } = this.services;
    const cause = (error as { cause?: unknown }).cause ?? error;
    if (cause instanceof ServerError && cause.code < 500) {
      logger.debug({ methodName, roomId: this.roomId, status: cause.code, reason: cause.message.slice(0, CLIENT_REASON_CHARS_MAX) }, 'sales room refused a request');
      return;
    }
    logger.error({ err: cause, methodName, roomId: this.roomId }, 'sales room error');
  }

  /** Exactly one reply per bet, even when handling it throws: a bug, logged and answered INTERNAL_ERROR. */
  private async onBet(client: Client, message: unknown) {
    const receivedAtMs = this.services.clock.nowMs();
    const data = client.userData as PlayerData;
    data.betsInFlight++;
    try {
      await this.handleBet(client, message, receivedAtMs);
    } catch (err) {
      this.services.logger.error({ err, roomId: this.roomId }, 'handling a bet failed');
      this.reject(client, requestIdOf(message), ErrorCode.INTERNAL_ERROR, 'the bet could not be handled; retry with the same requestId', receivedAtMs);
    } finally {
      data.betsInFlight--;
      if (data.closing) this.finishClosing(data);
    }
  }

  /** A bet's way through the room: refusals first, then the writer, then exactly one reply. */
  private async handleBet(client: Client, message: unknown, receivedAtMs: number) {
    const data = client.userData as PlayerData;
    if (data.closing?.refuseWith) return this.reject(client, requestIdOf(message), data.closing.refuseWith, data.closing.reason, receivedAtMs);
    if (data.reality.pendingCheckId !== undefined) {
      return this.reject(client, requestIdOf(message), ErrorCode.REALITY_CHECK_PENDING, `acknowledge the reality check first: reality_check:ack { checkId: "${data.reality.pendingCheckId}" }`, receivedAtMs);
    }
    if (!this.takeBetToken(data, receivedAtMs)) {
      return this.reject(client, requestIdOf(message), ErrorCode.RATE_LIMITED, `at most ${this.services.betRatePerSecond} bets per second`, receivedAtMs);
    }
    const bet = parseBet(message);
    if (!bet.ok) return this.reject(client, bet.requestId, bet.code, bet.message, receivedAtMs);
    // A bet stamped at or after cutoff still goes to the ledger, but only as a possible
    // repeat: the ledger refuses it by this stamp (fence layer 2) unless its request id
    // already bought a ticket, which it then returns. A client resending after a
    // reconnection must learn its ticket, not a refusal. The per-connection rate limit
    // above bounds what a late flood can cost.
    if (receivedAtMs < this.draw.openAtMs) return this.reject(client, bet.requestId, ErrorCode.DRAW_NOT_OPEN, 'sales for this draw have not opened', receivedAtMs);
    const checked = this.checkedBet(bet);
    if (!checked.ok) return this.reject(client, bet.requestId, ErrorCode[checked.code], checked.reason, receivedAtMs);
    const requests = this.purchaseRequests(data, bet, checked.bet, receivedAtMs);
    if (typeof requests === 'string') return this.reject(client, bet.requestId, ErrorCode.ADVANCE_UNAVAILABLE, requests, receivedAtMs);
    const outcome = await this.services.betWriter.submitBets(requests);
    const first = Array.isArray(outcome) ? outcome[0] : outcome;
    if (first.status === 'rejected') return this.reject(client, bet.requestId, first.code, first.message, receivedAtMs);
    if (!Array.isArray(outcome)) return this.accept(client, bet.requestId, first);
    this.accept(client, bet.requestId, first, outcome.slice(1), requests.slice(1));
  }

  /**
   * The writer's requests for a checked bet: one for this draw, and with advance play one for
   * each of the draws after it, under the request ids the ledger keys them by. A string says
   * why the game has too few draws ahead for the purchase.
   */
  private purchaseRequests(data: PlayerData, bet: Extract<BetSelection, { ok: true }>, checked: CheckedBet, receivedAtMs: number): BetRequest[] | string {
    const liability = this.game.liability;
    const payouts = liability && { capMinor: liability.capMinor, payouts: liability.of(checked) };
    const first = this.request(data, this.draw, bet.requestId, checked, receivedAtMs, bet.quickPick !== undefined, payouts);
    if (bet.draws === 1) return [first];
    const later = this.following.slice(0, bet.draws - 1);
    if (later.length < bet.draws - 1) {
      return `advance play for ${bet.draws} draws: ${later.length + 1} of this game's draws are scheduled from this one on; buy fewer`;
    }
    const requests = [first];
    for (const [k, draw] of later.entries()) {
      const index = k + 1;
      const pseudonym = this.services.vault.pseudonym(draw.publicId, data.player.publicId);
      requests.push({ ...this.request(data, draw, advanceRequestId(bet.requestId, index), checked, receivedAtMs, first.quickPick, payouts, pseudonym), advance: { index, count: bet.draws } });
    }
    first.advance = { index: 0, count: bet.draws };
    return requests;
  }

  /** The writer's request for a checked bet in `draw` (the room's own, by default with the connection's pseudonym). */
  private request(
    data: PlayerData,
    draw: DrawRow,
    requestId: string,
    checked: CheckedBet,
    receivedAtMs: number,
    quickPick: boolean,
    liability: BetRequest['liability'],
    pseudonym = data.pseudonym,
  ): BetRequest {
    return {
      playerId: data.player.playerId,
      walletAccountId: data.player.walletAccountId,
      drawId: draw.id,
      drawPublicId: draw.publicId,
      playerPseudonym: pseudonym,
      leafVersion: draw.leafVersion,
      cutoffAtMs: draw.cutoffAtMs,
      requestId,
      betType: checked.betType,
      stakeMinor: checked.stakeMinor,
      lines: checked.lines,
      lineMasks: checked.lineMasks,
      quickPick,
      costMinor: checked.costMinor,
      receivedAtMs,
      liability,
    };
  }

  /** The bet in its game's canonical form (a quick pick drawn here, on the CSPRNG), or why not. */
  private checkedBet(bet: Extract<BetSelection, { ok: true }>): ReturnType<CatalogueGame['validateBet']> {
    if (bet.quickPick === undefined) return this.game.validateBet({ betType: bet.betType, stakeMinor: bet.stakeMinor, lines: bet.lines });
    const type = bet.betType === undefined ? this.game.betTypes[0] : this.game.betTypes.find((b) => b.id === bet.betType);
    // An unknown bet type is the game's to name: validateBet refuses it with the list.
    if (!type) return this.game.validateBet({ betType: bet.betType, stakeMinor: bet.stakeMinor, lines: [] });
    if (bet.quickPick > type.linesPerTicketMax) {
      return { ok: false, code: 'INVALID_SELECTION', reason: `quickPick must be a whole number 1..${type.linesPerTicketMax}` };
    }
    const lines = this.game.quickPick(type.id, bet.quickPick, crypto.randomInt);
    return this.game.validateBet({ betType: type.id, stakeMinor: bet.stakeMinor, lines });
  }

  /** The connection's token bucket (bet rate, burst): false when it holds no whole token. */
  private takeBetToken(data: PlayerData, receivedAtMs: number): boolean {
    const { betRatePerSecond, betRateBurst } = this.services;
    data.tokens = Math.min(betRateBurst, data.tokens + ((receivedAtMs - data.refilledAtMs) * betRatePerSecond) / 1000);
    data.refilledAtMs = receivedAtMs;
    if (data.tokens < 1) return false;
    data.tokens -= 1;
    return true;
  }

  /**
   * The reply to a bought bet: its ticket, and with advance play each ticket for the draws
   * after it (all were bought: a purchase is bought whole or not at all), the balance after all.
   */
  private accept(client: Client, requestId: string, outcome: Extract<BetOutcome, { status: 'accepted' }>, more: BetOutcome[] = [], moreRequests: BetRequest[] = []) {
    const advance: AdvanceTicket[] = [];
    for (let k = 0; k < more.length; k++) {
      const o = more[k];
      if (o.status !== 'accepted') throw new Error(`advance ticket ${k + 1} of ${requestId} not bought with the first`);
      advance.push({ drawId: moreRequests[k].drawPublicId, ticketId: o.ticketId, cost: o.costMinor, receipt: o.receipt });
    }
    const last = more.length > 0 ? (more[more.length - 1] as typeof outcome) : outcome;
    const reply: AcceptedReply = {
      requestId,
      ticketId: outcome.ticketId,
      lines: outcome.lines,
      cost: outcome.costMinor,
      balance: outcome.balanceMinor,
      receivedAt: outcome.receivedAtMs,
      duplicate: outcome.duplicate,
      receipt: outcome.receipt,
    };
    if (advance.length > 0) return this.enqueue(client, ['bet:accepted', { ...reply, balance: last.balanceMinor, drawId: this.draw.publicId, advance }]);
    this.enqueue(client, acceptedFrame(reply) ?? ['bet:accepted', reply]);
  }

  // A method, not a closure in onBet: the dev loader (tsx) names every named closure at
  // each creation, which cost ~1.5% of the server's CPU at the surge.
  private reject(client: Client, requestId: string | null, code: string, message: string, receivedAtMs: number) {
    this.reply(client, 'bet:rejected', { requestId, code, message, receivedAt: receivedAtMs });
  }

  private reply(client: Client, type: string, message: unknown) {
    this.enqueue(client, [type, message]);
  }

  private enqueue(client: Client, item: Buffer | [string, unknown]) {
    let queued = this.outbox.get(client);
    if (!queued) this.outbox.set(client, (queued = []));
    queued.push(item);
    if (!this.outboxScheduled) {
      this.outboxScheduled = true;
      setImmediate(() => this.flushOutbox());
    }
  }

  private flushOutbox() {
    this.outboxScheduled = false;
    const outbox = this.outbox;
    this.outbox = new Map();
    for (const [client, items] of outbox) {
      corked(client, () => {
        for (const item of items) {
          if (Buffer.isBuffer(item)) client.enqueueRaw(item);
          else client.send(item[0], item[1]);
        }
      });
      const data = client.userData as PlayerData | undefined;
      if (data?.closing) this.finishClosing(data);
    }
  }

  /**
   * At draw time the room is done. Each connection is closed once its bets are answered: a
   * bet still waiting for the database (an outage over the cutoff) gets its answer, not a
   * closed socket. A bet that comes meanwhile is not refused out of hand: it can only be a
   * resend (the cutoff has passed), which the ledger answers with the ticket it bought, if it
   * bought one (committed unheard before an outage), or refuses. The room goes when the last
   * connection has, or at the latest once every such wait is over.
   */
  private endAtDrawTime() {
    const reason = `${ErrorCode.DRAW_CLOSED}: draw ${this.draw.publicId} is over`;
    for (const client of [...this.clients]) {
      const data = client.userData as PlayerData | undefined;
      if (data) this.closeConnection(data, { code: SalesCloseCode.DRAW_OVER, reason });
      else client.leave(SalesCloseCode.DRAW_OVER, reason);
    }
    // A bet's longest wait for the database, plus the statement in flight when it ends.
    this.after(BET_DATABASE_WAIT_MS_MAX + BET_QUERY_MS_MAX, () => void this.disconnect());
  }

  private closeSales() {
    if (this.state.status !== 'open') return;
    this.state.status = 'closed';
    this.lock().catch((err) => this.services.logger.error({ err, roomId: this.roomId }, 'lock at cutoff failed'));
  }
}
