// web/player/sales.ts — the player's connection to a draw's `sales` room (README "Sales
// rooms"), with the guarantee a player needs from it: every bet the page sends gets exactly
// one outcome, and none is bought twice.
//
//  - Each bet carries a requestId made once, when the player presses "Place bet". Until its
//    reply comes it is kept (in memory and in sessionStorage, so a reload keeps it too).
//  - A dropped socket first tries its seat again (the SDK's reconnection); if the seat is
//    gone it joins the room afresh. Either way, every bet still without a reply is sent
//    again with its same requestId: the server answers a repeat with the original ticket
//    (`duplicate: true`), never a second one.
//  - SERVER_BUSY / SERVICE_UNAVAILABLE / SHUTTING_DOWN decided nothing: the bet goes again,
//    same id, after a pause. Every other rejection is final and shown with its message.
//  - Closes that mean "do not come back as you were" (session ended, location, replaced by
//    another tab's seat, the draw over) stop the connection and say why.
//  - Once the draw is over a bet can no longer be sent again: one still without its answer
//    (answered "ask again" during a database outage at the cutoff) is looked up by its
//    requestId in the ticket history, which says whether it was bought.
import { Client, type Room } from '@colyseus/sdk';
import { signal } from '@preact/signals';
import { observeServerTime } from '../lib/clock.ts';
import { api, newRequestId } from '../lib/api.ts';
import { keepReceipt } from './receipts.ts';

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** A bet as sent (the `bet` message): what goes again after a drop. */
export interface BetMessage {
  requestId: string;
  lines?: number[][];
  quickPick?: number;
  betType?: string;
  stake?: number;
  draws?: number;
}

export interface BetOutcome {
  requestId: string;
  at: number;
  accepted: boolean;
  /** accepted */
  ticketId?: string;
  lines?: number[][];
  costMinor?: number;
  duplicate?: boolean;
  receipt?: unknown;
  /** rejected */
  code?: string;
  message?: string;
}

export interface RealityCheck {
  checkId: string;
  sessionStartedAt: string;
  playedMinutes: number;
  stakedMinor: number;
  wonMinor: number;
  netMinor: number;
}

/** What the room state says (rooms/SalesState.ts), copied out of the schema on each patch. */
export interface SalesView {
  drawId: string;
  gameId: string;
  status: string;
  currency: string;
  openAtMs: number;
  cutoffAtMs: number;
  drawAtMs: number;
  ticketsSold: number;
  poolTotalMinor: number;
  numberMin: number;
  numberCounts: number[];
  jackpotMinor: number;
  rolloverMinor: number;
  tiers: { name: string; estimateMinor: number }[];
  soldOut: string[];
}

/** Decided nothing: the same bet goes again after a pause (README "Sales rooms"). */
const ASK_AGAIN = new Set(['SERVER_BUSY', 'SERVICE_UNAVAILABLE', 'SHUTTING_DOWN']);
const ASK_AGAIN_DELAY_MS = 1_000;
/** Closes after which the page must not rejoin as it was (rooms/closeCodes.ts). */
const FINAL_CLOSES: Record<number, string> = {
  4401: 'SESSION_ENDED',
  4451: 'LOCATION_NOT_PERMITTED',
  4409: 'TOO_MANY_SEATS',
  4410: 'DRAW_OVER',
};
/** Words for a close that is not an error code of the server's (errorMessage falls back to them). */
const FINAL_CLOSE_WORDS: Record<string, string> = {
  DRAW_OVER: 'This draw is over and its sales room has closed. Every bet you sent was answered; your tickets are under "My tickets".',
};
const REJOIN_DELAY_MS_MAX = 10_000;
/** Looks at the ticket history after the draw is over: 500 ms doubling to 10 s, about a minute in all. */
const SETTLE_ATTEMPTS_MAX = 8;
const OUTCOMES_KEPT_MAX = 50;
const PENDING_KEPT_MAX = 100;

export class SalesConnection {
  readonly status = signal<ConnectionStatus>('connecting');
  readonly view = signal<SalesView | null>(null);
  readonly outcomes = signal<BetOutcome[]>([]);
  readonly pendingCount = signal(0);
  readonly realityCheck = signal<RealityCheck | null>(null);
  /** Why the connection stopped for good (an error code), or why joining failed. */
  readonly problem = signal<{ code: string; message: string } | null>(null);
  /** Called when money moved (a bet, a prize, a deposit): the page refreshes the balance. */
  onMoney: () => void = () => {};

  private room: Room | undefined;
  private readonly pending = new Map<string, BetMessage>();
  private stopped = false;
  private rejoinAttempts = 0;
  private readonly storageKey: string;

  constructor(
    readonly drawId: string,
    private readonly token: string,
  ) {
    this.storageKey = `lottery.pending.${drawId}`;
    for (const bet of readPending(this.storageKey)) this.pending.set(bet.requestId, bet);
    this.pendingCount.value = this.pending.size;
  }

  async start(): Promise<void> {
    // A page that goes away gives its seat back at once: a player holds two seats per draw,
    // and a dropped one is kept for its reconnection a while, so two quick reloads would
    // otherwise be refused TOO_MANY_SEATS.
    addEventListener('pagehide', this.onPageHide);
    await this.join();
  }

  private readonly onPageHide = () => this.stop();

  stop(): void {
    removeEventListener('pagehide', this.onPageHide);
    this.stopped = true;
    const room = this.room;
    this.room = undefined;
    void room?.leave(true).catch(() => undefined);
    this.status.value = 'closed';
  }

  /** Sends a new bet; its requestId is fixed now, for every resend. */
  placeBet(bet: Omit<BetMessage, 'requestId'>): string {
    if (this.pending.size >= PENDING_KEPT_MAX) throw Object.assign(new Error('too many bets waiting for an answer'), { code: 'RATE_LIMITED' });
    const message: BetMessage = { requestId: newRequestId('b'), ...bet };
    this.pending.set(message.requestId, message);
    this.persist();
    this.room?.send('bet', message);
    return message.requestId;
  }

  acknowledgeRealityCheck(): void {
    const check = this.realityCheck.value;
    if (check) this.room?.send('reality_check:ack', { checkId: check.checkId });
  }

  private async join(): Promise<void> {
    while (!this.stopped) {
      this.status.value = this.rejoinAttempts === 0 ? 'connecting' : 'reconnecting';
      try {
        const client = new Client(location.origin);
        client.auth.token = this.token;
        const room = await client.joinOrCreate('sales', { drawId: this.drawId });
        if (this.stopped) {
          void room.leave(true);
          return;
        }
        this.attach(room);
        this.rejoinAttempts = 0;
        this.problem.value = null;
        this.status.value = 'connected';
        this.resendPending();
        return;
      } catch (error) {
        const code = joinErrorCode(error);
        // A refusal about the player or the draw will not change by trying again.
        if (code && !ASK_AGAIN.has(code) && code !== 'NETWORK' && code !== 'RATE_LIMITED') {
          const message = String((error as Error)?.message ?? code);
          this.problem.value = { code, message };
          this.status.value = 'closed';
          if (message.startsWith('DRAW_CLOSED')) await this.settlePending();
          return;
        }
        this.rejoinAttempts++;
        await sleep(Math.min(REJOIN_DELAY_MS_MAX, 250 * 2 ** Math.min(this.rejoinAttempts, 6)));
      }
    }
  }

  private attach(room: Room): void {
    this.room = room;
    // Try the seat a few times quickly; if its process is gone, join afresh (onLeave).
    room.reconnection.maxRetries = 4;
    room.reconnection.minDelay = 100;
    room.reconnection.maxDelay = 1_000;
    room.reconnection.minUptime = 0;
    let lastServerTimeMs = 0;
    room.onStateChange((state: any) => {
      // The room refreshes its time every few seconds (and at join); a patch that carries
      // only totals carries an older time, which must not be read as now.
      if (state.serverTimeMs !== lastServerTimeMs) {
        lastServerTimeMs = state.serverTimeMs;
        observeServerTime(state.serverTimeMs, 1_000);
      }
      this.view.value = viewOf(state);
    });
    room.onDrop(() => (this.status.value = 'reconnecting'));
    room.onReconnect(() => {
      this.status.value = 'connected';
      this.resendPending();
    });
    room.onMessage('bet:accepted', (m: any) => this.accepted(m));
    room.onMessage('bet:rejected', (m: any) => this.rejected(m));
    room.onMessage('reality_check', (m: RealityCheck) => (this.realityCheck.value = m));
    room.onMessage('reality_check:acknowledged', () => (this.realityCheck.value = null));
    room.onMessage('wallet', () => this.onMoney());
    room.onMessage('result', () => this.onMoney());
    room.onMessage('error', (m: any) => this.record({ requestId: m?.requestId ?? '', at: Date.now(), accepted: false, code: m?.code ?? 'BAD_MESSAGE', message: m?.message }));
    room.onMessage('*', () => {});
    room.onLeave((code: number) => {
      if (this.room !== room || this.stopped) return;
      this.room = undefined;
      const final = FINAL_CLOSES[code];
      if (final) {
        this.problem.value = { code: final, message: FINAL_CLOSE_WORDS[final] ?? final };
        this.status.value = 'closed';
        if (code === 4410) void this.settlePending();
        return;
      }
      this.rejoinAttempts = 1;
      void this.join();
    });
  }

  private accepted(m: any): void {
    if (!this.pending.delete(m.requestId) && this.outcomes.value.some((o) => o.requestId === m.requestId)) return;
    this.persist();
    const outcome: BetOutcome = { requestId: m.requestId, at: Date.now(), accepted: true, ticketId: m.ticketId, lines: m.lines, costMinor: m.cost, duplicate: m.duplicate };
    this.record(outcome);
    this.onMoney();
    // The receipt arrives compact; the verifiable document is rebuilt, then shown.
    if (m.receipt && m.ticketId) {
      void keepReceipt(m, this.drawId).then((receipt) => {
        if (receipt) this.outcomes.value = this.outcomes.value.map((o) => (o === outcome ? { ...o, receipt } : o));
      });
    }
  }

  private rejected(m: any): void {
    if (ASK_AGAIN.has(m.code) && this.pending.has(m.requestId)) {
      // Not decided: the same bet goes again shortly (after a rejoin for SHUTTING_DOWN).
      if (m.code !== 'SHUTTING_DOWN') setTimeout(() => this.resend(m.requestId), ASK_AGAIN_DELAY_MS);
      return;
    }
    this.pending.delete(m.requestId);
    this.persist();
    this.record({ requestId: m.requestId, at: Date.now(), accepted: false, code: m.code, message: m.message });
  }

  private record(outcome: BetOutcome): void {
    this.outcomes.value = [outcome, ...this.outcomes.value].slice(0, OUTCOMES_KEPT_MAX);
  }

  /** This player's tickets in the draw, by request id, from the ticket history (every page). */
  private async ticketsOfDraw(): Promise<Map<string, { ticketId: string; lines: number[][]; costMinor: number }>> {
    const bought = new Map<string, { ticketId: string; lines: number[][]; costMinor: number }>();
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: { tickets: { requestId: string; ticketId: string; lines: number[][]; costMinor: number }[]; nextCursor: string | null } = await api(
        'GET',
        `/api/tickets?draw=${encodeURIComponent(this.drawId)}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        { token: this.token },
      );
      for (const ticket of page.tickets) bought.set(ticket.requestId, ticket);
      cursor = page.nextCursor;
    }
    return bought;
  }

  /**
   * The draw is over and a bet still without its answer cannot go again: the ticket history
   * of the draw says, by requestId, whether it was bought. If the history cannot be read for
   * a minute or so the bets stay pending (and in sessionStorage) for the next visit.
   */
  private async settlePending(): Promise<void> {
    if (this.pending.size === 0) return;
    let bought: Map<string, { ticketId: string; lines: number[][]; costMinor: number }> | undefined;
    // The ledger may still be away (an outage over the draw time): asked again, backing off.
    for (let attempt = 0; !bought; attempt++) {
      try {
        bought = await this.ticketsOfDraw();
      } catch {
        if (attempt >= SETTLE_ATTEMPTS_MAX || this.pending.size === 0) return;
        await sleep(Math.min(REJOIN_DELAY_MS_MAX, 500 * 2 ** attempt));
      }
    }
    for (const requestId of [...this.pending.keys()]) {
      const ticket = bought.get(requestId);
      this.pending.delete(requestId);
      if (ticket) this.record({ requestId, at: Date.now(), accepted: true, ticketId: ticket.ticketId, lines: ticket.lines, costMinor: ticket.costMinor, duplicate: true });
      else this.record({ requestId, at: Date.now(), accepted: false, code: 'DRAW_CLOSED', message: 'not bought: the draw closed before the ledger could record it' });
    }
    this.persist();
  }

  private resend(requestId: string): void {
    const message = this.pending.get(requestId);
    if (message && this.room && !this.stopped) this.room.send('bet', message);
  }

  private resendPending(): void {
    for (const message of this.pending.values()) this.room?.send('bet', message);
  }

  private persist(): void {
    this.pendingCount.value = this.pending.size;
    try {
      if (this.pending.size === 0) sessionStorage.removeItem(this.storageKey);
      else sessionStorage.setItem(this.storageKey, JSON.stringify([...this.pending.values()]));
    } catch {
      // Storage full or off: the bets still go again from memory.
    }
  }
}

function viewOf(state: any): SalesView {
  const names: string[] = Array.from(state.tierNames ?? []);
  const estimates: number[] = Array.from(state.tierEstimatesMinor ?? []);
  return {
    drawId: state.drawId,
    gameId: state.gameId,
    status: state.status,
    currency: state.currency || 'EUR',
    openAtMs: state.openAtMs,
    cutoffAtMs: state.cutoffAtMs,
    drawAtMs: state.drawAtMs,
    ticketsSold: state.ticketsSold,
    poolTotalMinor: state.poolTotalMinor,
    numberMin: state.numberMin,
    numberCounts: Array.from(state.numberCounts ?? []),
    jackpotMinor: state.jackpotMinor,
    rolloverMinor: state.rolloverMinor,
    tiers: names.map((name, i) => ({ name, estimateMinor: estimates[i] ?? 0 })),
    soldOut: Array.from(state.soldOut ?? []),
  };
}

function readPending(key: string): BetMessage[] {
  try {
    const parsed = JSON.parse(sessionStorage.getItem(key) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((b) => typeof b?.requestId === 'string').slice(0, PENDING_KEPT_MAX) : [];
  } catch {
    return [];
  }
}

/**
 * What a refused join means. The SDK passes the matchmaker's HTTP status on as `code` and our
 * message as `message` (not our code): a 4xx is a decision (no such draw, session ended, too
 * many seats) shown as it is; a 5xx or no answer at all is tried again.
 */
function joinErrorCode(error: unknown): string | undefined {
  const status = (error as any)?.code;
  if (typeof status !== 'number') return 'NETWORK';
  if (status >= 500) return 'SERVICE_UNAVAILABLE';
  return JOIN_REFUSALS[status] ?? 'FORBIDDEN';
}

const JOIN_REFUSALS: Record<number, string> = { 400: 'BAD_REQUEST', 401: 'SESSION_ENDED', 404: 'NOT_FOUND', 409: 'TOO_MANY_SEATS', 429: 'RATE_LIMITED' };

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
