// bench/dayLoad.ts — a draw day's players as real SDK clients, one connection each to its
// game's sales room. Bets go out open-loop (at a set rate whatever the replies do, as
// players arrive) or closed-loop (a set number in flight, to find saturation). Every reply
// is matched to its request, timed from the first send, and checked: a resend of a request
// id must get the same ticket, every acknowledged ticket belongs to one request only, and
// the cutoff is exact by the server's own receive stamp.
import { Client, type Room } from '@colyseus/sdk';
import { provideWebSocketGlobal } from '../app/webSocketGlobal.ts';
import { PICK_STAKES_MINOR } from '../games/pick.ts';
import { percentile } from './machine.ts';

// Seat reconnection needs a global WebSocket, which Node 20 lacks (COLYSEUS-NOTES.md).
provideWebSocketGlobal();
// The SDK narrates every reconnection on console.info: counted here instead (reconnects).
const consoleInfo = console.info.bind(console);
console.info = (...args: unknown[]) => {
  if (typeof args[0] === 'string' && args[0].startsWith('[Colyseus reconnection]')) return;
  consoleInfo(...args);
};

/** One player's connection: its session and the draw of its game it bets in. */
export interface Seat {
  token: string;
  game: string;
  drawPublicId: string;
  cutoffAtMs: number;
  /** The server it joins through (a cluster's processes take players in turn). */
  url: string;
}

/** Codes the ledger refuses a late bet with: a refusal for the cutoff. */
const CUTOFF_CODES = new Set(['DRAW_CLOSED']);

export interface Window {
  sent: number;
  accepted: number;
  duplicates: number;
  rejected: Record<string, number>;
  latenciesMs: number[];
}

const emptyWindow = (): Window => ({ sent: 0, accepted: 0, duplicates: 0, rejected: {}, latenciesMs: [] });

export function windowFigures(w: Window) {
  const sorted = [...w.latenciesMs].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), p999: percentile(sorted, 99.9), replies: sorted.length };
}

interface Pending {
  message: Record<string, unknown>;
  /** When it was last sent, by the wall clock the server's cutoff is on. */
  sentAtWallMs: number;
  client: number;
  sentAtMs: number;
  /** The window the bet was sent in (its latency is counted there). */
  window: Window;
}

/** The c-th bet of a player of `game`: a mix of sizes, quick picks and hand-picked lines. */
export function dayBet(game: string, seq: number): Record<string, unknown> {
  const a = 1 + (seq % 40);
  switch (game) {
    case 'keno':
      return { stake: seq % 3 === 0 ? 200 : 100, lines: [[a, a + 3, a + 9, a + 17, a + 29]] };
    case 'pick4':
      return { betType: 'straight', stake: PICK_STAKES_MINOR[0], lines: [[seq % 10, Math.floor(seq / 10) % 10, Math.floor(seq / 100) % 10, Math.floor(seq / 1000) % 10]] };
    case 'jackpot569':
      return { quickPick: 1 + (seq % 2) };
    default:
      if (seq % 4 === 0) return { quickPick: 1 + (seq % 3) };
      return { lines: Array.from({ length: 1 + (seq % 3) }, (_, k) => [a, a + 2, a + 4, a + 6, a + 8, a + 1 + 2 * k]) };
  }
}

export class DayLoad {
  private readonly rooms: (Room<any> | undefined)[];
  private readonly pending = new Map<string, Pending>();
  /** Ticket of each accepted request, and request of each ticket: both must stay one-to-one. */
  private readonly ticketOf = new Map<string, string>();
  private readonly requestOf = new Map<string, string>();
  private seq = 0;
  private nextClient = 0;
  /** Closed loop: bets each player keeps in flight (0: open loop). */
  private inFlightPerClient = 0;
  window: Window = emptyWindow();
  /** Per second of the run since `startClock`: new bets sent, accepted, latencies of replies. */
  readonly seconds: { sent: number; accepted: number; latenciesMs: number[] }[] = [];
  private clockZeroMs = performance.now();
  readonly faults = { ticketMismatch: 0, ticketShared: 0, acceptedAfterCutoff: 0, refusedBeforeCutoff: 0, unknownReplies: 0 };
  /** Refusals of bets the server stamped before the cutoff, by code (capacity, not the fence). */
  readonly refusedBeforeCutoffByCode: Record<string, number> = {};
  reconnects = 0;
  resends = 0;
  /** Rooms that ended (not dropped): the server closed them, or the player left. */
  roomsClosed = 0;
  /** Bets sent after the cutoff into a room the server was closing, never answered (see settleClosed). */
  lateUnansweredAtClose = 0;
  /** New tickets acknowledged so far (duplicates not counted): achieved rate between two readings. */
  acceptedTotal = 0;

  /**
   * `decoding`: how many players (the first ones) decode the live totals the server sends
   * them, as each player's device would. The rest receive every patch but leave it
   * unread, so the one load generator spends its CPU on bets rather than on decoding ten
   * thousand devices' state (the server's cost is the same either way).
   */
  constructor(
    readonly seats: Seat[],
    private readonly prefix: string,
    private readonly decoding = seats.length,
  ) {
    this.rooms = new Array(seats.length);
  }

  get connected(): number {
    return this.rooms.filter((r) => r !== undefined).length;
  }

  get outstanding(): number {
    return this.pending.size;
  }

  /** Every acknowledged ticket (ceiling runs included: the caller knows which are real). */
  get tickets(): ReadonlySet<string> {
    return new Set(this.requestOf.keys());
  }

  /** Joins every seat, `parallel` at a time; resolves with the seconds it took. */
  async joinAll(parallel = 64): Promise<number> {
    const startMs = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < this.seats.length) {
        const c = next++;
        this.rooms[c] = await this.join(c);
      }
    };
    await Promise.all(Array.from({ length: parallel }, worker));
    return (performance.now() - startMs) / 1000;
  }

  private async join(c: number): Promise<Room<any>> {
    const seat = this.seats[c];
    const client = new Client(seat.url);
    client.auth.token = seat.token;
    for (let attempt = 1; ; attempt++) {
      try {
        const room = await client.joinOrCreate('sales', { drawId: seat.drawPublicId });
        this.attach(c, room);
        return room;
      } catch (err) {
        if (attempt >= 5) throw new Error(`player ${c} could not join: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  }

  private attach(c: number, room: Room<any>) {
    if (c >= this.decoding) (room as any).serializer.patch = () => {};
    room.reconnection.minUptime = 0;
    room.reconnection.maxRetries = 10;
    room.reconnection.minDelay = 100;
    room.reconnection.maxDelay = 1_000;
    room.onMessage('bet:accepted', (m: any) => this.onReply(m, true));
    room.onMessage('bet:rejected', (m: any) => this.onReply(m, false));
    room.onMessage('*', () => {});
    room.onDrop(() => (this.rooms[c] = undefined));
    // The server closes a draw's rooms once its sales are over: that player bets no more.
    room.onLeave(() => {
      if (this.rooms[c] === room) this.rooms[c] = undefined;
      this.roomsClosed++;
      this.settleClosed(c);
    });
    room.onReconnect(() => {
      this.rooms[c] = room;
      this.reconnects++;
      // What the drop may have swallowed goes again under the same request ids.
      for (const p of this.pending.values()) {
        if (p.client !== c) continue;
        this.resends++;
        room.send('bet', p.message);
      }
    });
  }

  /**
   * The room of player `c` was closed by the server (a draw's rooms close once its sales
   * are over). Bets it sent after the cutoff may have crossed the close in flight and will
   * have no answer: a late bet is refused anyway, so they are counted apart. A bet sent
   * before the cutoff must have had its answer: it stays unanswered, and the run fails.
   */
  private settleClosed(c: number) {
    const cutoffAtMs = this.seats[c].cutoffAtMs;
    for (const [requestId, p] of this.pending) {
      if (p.client !== c || p.sentAtWallMs < cutoffAtMs) continue;
      this.pending.delete(requestId);
      this.lateUnansweredAtClose++;
    }
  }

  /** Starts the per-second timeline at zero now. */
  startClock() {
    this.clockZeroMs = performance.now();
    this.seconds.length = 0;
  }

  private second(nowMs: number) {
    const s = Math.floor((nowMs - this.clockZeroMs) / 1000);
    while (this.seconds.length <= s) this.seconds.push({ sent: 0, accepted: 0, latenciesMs: [] });
    return this.seconds[Math.max(0, s)];
  }

  /** Sends one new bet from the next connected player: its player, request id and message. */
  sendOne(): [number, string, Record<string, unknown>] | undefined {
    // Every room closed (a draw whose sales are over): nobody left to send from.
    if (this.roomsClosed >= this.rooms.length) return undefined;
    for (let tries = 0; tries < this.rooms.length; tries++) {
      const c = this.nextClient;
      this.nextClient = (this.nextClient + 1) % this.rooms.length;
      if (this.rooms[c]) return [c, ...this.sendFrom(c)];
    }
    return undefined;
  }

  /**
   * Closed loop: the first `players` players keep one bet each in flight (each reply sends
   * that player's next) until closedLoopStop(). Saturation, as bench:bets measures it.
   */
  closedLoopStart(players: number) {
    this.inFlightPerClient = 1;
    for (let c = 0; c < Math.min(players, this.rooms.length); c++) if (this.rooms[c]) this.sendFrom(c);
  }

  closedLoopStop() {
    this.inFlightPerClient = 0;
  }

  /** Sends player `c`'s next bet; returns its request id and message (for a retry). */
  sendFrom(c: number): [string, Record<string, unknown>] {
    const seq = this.seq++;
    const requestId = `${this.prefix}-${c}-${seq}`;
    const message = { requestId, ...dayBet(this.seats[c].game, seq) };
    const nowMs = performance.now();
    this.pending.set(requestId, { message, client: c, sentAtMs: nowMs, sentAtWallMs: Date.now(), window: this.window });
    this.window.sent++;
    this.second(nowMs).sent++;
    this.rooms[c]!.send('bet', message);
    return [requestId, message];
  }

  /** Sends an unanswered or answered bet again under its request id, as a client unsure of its reply does. */
  resend(requestId: string, message: Record<string, unknown>, c: number) {
    if (!this.rooms[c]) return;
    this.resends++;
    const p = this.pending.get(requestId);
    if (p) p.sentAtWallMs = Date.now();
    else this.pending.set(requestId, { message, client: c, sentAtMs: NaN, sentAtWallMs: Date.now(), window: this.window });
    this.rooms[c]!.send('bet', message);
  }

  /** Drops player `c`'s socket without a goodbye, as a lost network does; the SDK retakes the seat. */
  drop(c: number) {
    const room = this.rooms[c];
    if (!room) return;
    (room as any).connection?.transport?.ws?.terminate?.();
  }

  private onReply(m: any, ok: boolean) {
    const requestId: string = m?.requestId;
    const p = this.pending.get(requestId);
    if (!p) {
      // A reply to a resend after the original was answered: it must name the same ticket.
      if (ok && this.ticketOf.has(requestId) && this.ticketOf.get(requestId) !== m.ticketId) this.faults.ticketMismatch++;
      // The original was refused (shed SERVER_BUSY) and the resend bought it: acknowledged too.
      else if (ok && !this.ticketOf.has(requestId)) this.recordTicket(requestId, m.ticketId);
      if (!requestId?.startsWith(this.prefix)) this.faults.unknownReplies++;
      return;
    }
    this.pending.delete(requestId);
    const nowMs = performance.now();
    const w = p.window;
    const seat = this.seats[p.client];
    if (Number.isFinite(p.sentAtMs)) {
      w.latenciesMs.push(nowMs - p.sentAtMs);
      this.second(nowMs).latenciesMs.push(nowMs - p.sentAtMs);
    }
    if (this.inFlightPerClient > 0 && this.rooms[p.client]) this.sendFrom(p.client);
    if (ok) this.onAccepted(requestId, m, w, seat, nowMs);
    else {
      w.rejected[m.code] = (w.rejected[m.code] ?? 0) + 1;
      if (m.receivedAt < seat.cutoffAtMs) {
        if (CUTOFF_CODES.has(m.code)) this.faults.refusedBeforeCutoff++;
        this.refusedBeforeCutoffByCode[m.code] = (this.refusedBeforeCutoffByCode[m.code] ?? 0) + 1;
      }
    }
  }

  private onAccepted(requestId: string, m: any, w: Window, seat: Seat, nowMs: number) {
    const known = this.ticketOf.get(requestId);
    if (known !== undefined && known !== m.ticketId) this.faults.ticketMismatch++;
    this.recordTicket(requestId, m.ticketId);
    if (m.duplicate) w.duplicates++;
    else {
      w.accepted++;
      this.acceptedTotal++;
      this.second(nowMs).accepted++;
      if (m.receivedAt >= seat.cutoffAtMs) this.faults.acceptedAfterCutoff++;
    }
  }

  private recordTicket(requestId: string, ticketId: string) {
    const owner = this.requestOf.get(ticketId);
    if (owner !== undefined && owner !== requestId) this.faults.ticketShared++;
    this.ticketOf.set(requestId, ticketId);
    this.requestOf.set(ticketId, requestId);
  }

  /** Starts a new measuring window and returns the one that ends. */
  nextWindow(): Window {
    const ended = this.window;
    this.window = emptyWindow();
    return ended;
  }

  /** Waits until every bet has its answer, or `timeoutMs`; returns how many are still unanswered. */
  async drain(timeoutMs: number): Promise<number> {
    const endMs = Date.now() + timeoutMs;
    while (this.pending.size > 0 && Date.now() < endMs) await new Promise((r) => setTimeout(r, 50));
    return this.pending.size;
  }

  /** Leaves every room; a room the server already closed (a settled draw's) answers nothing, so each waits at most a few seconds. */
  async leaveAll() {
    const bounded = (r: Room<any>) => Promise.race([r.leave().catch(() => {}), new Promise((resolve) => setTimeout(resolve, 3_000))]);
    await Promise.all(this.rooms.map((r) => r && bounded(r)));
    this.rooms.fill(undefined);
  }
}
