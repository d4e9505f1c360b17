// rooms/OperatorsRoom.ts — the operators' live feed: risk alerts (actors/RiskMonitor.ts) the
// moment they are stored, raised on any process of the cluster.
//
// Only operators get in: onAuth asks the injected authenticateOperator (the operator accounts,
// app/) about the token, and refuses anyone else, players included. The room sends and
// never listens: every client message is ignored, and a connection that keeps sending is
// closed (a bound on what an idle feed lets a client cost us). Alerts come over presence
// (RISK_ALERTS_TOPIC), so an operator hears them whichever process raised them; one room per
// process is enough, and a second one (Redis issue #978) only means a second subscription.
// Every second each watcher's session is asked about again: one logged out, disabled or moved
// to a role that may not watch is closed SESSION_ENDED within the second. Every second, too,
// the watchers get the cluster's figures (`figures`: processes, connections, rooms, bets per
// second), summed from what each process publishes (actors/ClusterFigures.ts).
import { Room, ServerError, type AuthContext, type Client } from '@colyseus/core';
import { ErrorCode } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { RISK_ALERTS_TOPIC } from '../actors/RiskMonitor.ts';
import { CLUSTER_FIGURES_EVERY_MS, CLUSTER_FIGURES_TOPIC, ClusterTally } from '../actors/ClusterFigures.ts';
import { SalesCloseCode } from './closeCodes.ts';
import type { Presence } from '@colyseus/core';

/** Operators connected to one room at once. */
export const OPERATORS_ROOM_CLIENTS_MAX = 100;
/** Client messages a connection may send (all ignored) before it is closed. */
export const OPERATOR_MESSAGES_IGNORED_MAX = 100;
/** Close code for a connection that kept sending to a room that does not listen. */
const CLOSE_FLOODED = SalesCloseCode.FLOODED;
/** How often each watcher's session is checked again. */
export const OPERATOR_SESSION_RECHECK_MS = 1_000;

export interface OperatorIdentity {
  id: number;
  name: string;
  role: 'admin' | 'finance' | 'auditor' | 'support';
}

/** Who may watch: roles allowed the alert routes (app/riskApi.ts) may watch the feed too. */
const WATCHING_ROLES: readonly OperatorIdentity['role'][] = ['admin', 'support'];

export interface OperatorsRoomServices {
  presence: Presence;
  logger: Logger;
  authenticateOperator(token: string): Promise<OperatorIdentity | null>;
}

/** The room class for one server, its services bound (as rooms/SalesRoom.ts salesRoomType). */
export function operatorsRoomType(services: OperatorsRoomServices) {
  return class BoundOperatorsRoom extends OperatorsRoom {
    protected get services(): OperatorsRoomServices {
      return services;
    }

    static async onAuth(token: string, _options: unknown, _context: AuthContext): Promise<Watcher> {
      const operator = await watcherOf(services, token);
      if (operator === null) throw new ServerError(401, `${ErrorCode.UNAUTHORIZED}: operators only`);
      if (operator === 'forbidden') throw new ServerError(403, `${ErrorCode.FORBIDDEN}: the alert feed is for ${WATCHING_ROLES.join(' and ')} operators`);
      return { ...operator, token };
    }
  };
}

/** An operator watching, with the session token they joined with (asked about again every second). */
interface Watcher extends OperatorIdentity {
  token: string;
}

async function watcherOf(services: OperatorsRoomServices, token: unknown): Promise<OperatorIdentity | 'forbidden' | null> {
  const operator = typeof token === 'string' && token.length > 0 && token.length <= 512 ? await services.authenticateOperator(token) : null;
  if (operator === null) return null;
  return WATCHING_ROLES.includes(operator.role) ? operator : 'forbidden';
}

export abstract class OperatorsRoom extends Room {
  protected abstract get services(): OperatorsRoomServices;

  private readonly ignored = new Map<Client, number>();
  private readonly watchers = new Map<Client, Watcher>();
  private rechecking = false;
  private readonly onAlert = (alert: unknown) => this.broadcast('alert', alert);
  private readonly tally = new ClusterTally();
  private readonly onFigures = (figures: unknown) => this.tally.observe(figures);

  /** Options come from a client and are not read: the room is the same for every operator. */
  async onCreate() {
    this.maxClients = OPERATORS_ROOM_CLIENTS_MAX;
    // Nothing to synchronise: alerts are messages, and the list route has the history.
    this.autoDispose = true;
    await this.services.presence.subscribe(RISK_ALERTS_TOPIC, this.onAlert);
    await this.services.presence.subscribe(CLUSTER_FIGURES_TOPIC, this.onFigures);
    this.clock.setInterval(() => this.broadcast('figures', this.tally.snapshot(Date.now())), CLUSTER_FIGURES_EVERY_MS);
    this.onMessage('*', (client: Client) => this.onClientMessage(client));
    this.clock.setInterval(() => void this.recheckSessions(), OPERATOR_SESSION_RECHECK_MS);
  }

  onJoin(client: Client, _options: unknown, watcher: Watcher) {
    this.watchers.set(client, watcher);
    this.services.logger.info({ operator: watcher.name, roomId: this.roomId }, 'operator watching risk alerts');
  }

  onLeave(client: Client) {
    this.ignored.delete(client);
    this.watchers.delete(client);
  }

  /** Closes every watcher whose session ended or whose role may no longer watch. */
  private async recheckSessions(): Promise<void> {
    if (this.rechecking) return;
    this.rechecking = true;
    try {
      for (const [client, watcher] of [...this.watchers]) {
        const still = await watcherOf(this.services, watcher.token);
        if (still !== null && still !== 'forbidden') continue;
        this.watchers.delete(client);
        client.leave(SalesCloseCode.SESSION_ENDED, 'your operator session ended');
      }
    } catch (err) {
      // The database away: watchers stay until it answers (their sessions cannot be told apart).
      this.services.logger.warn({ err, roomId: this.roomId }, 'operator sessions could not be checked again');
    } finally {
      this.rechecking = false;
    }
  }

  async onDispose() {
    await Promise.resolve(this.services.presence.unsubscribe(RISK_ALERTS_TOPIC, this.onAlert)).catch(() => {});
    await Promise.resolve(this.services.presence.unsubscribe(CLUSTER_FIGURES_TOPIC, this.onFigures)).catch(() => {});
  }

  onUncaughtException(err: Error, methodName: string) {
    this.services.logger.error({ err, methodName, roomId: this.roomId }, 'operators room failed');
  }

  /** Ignored; one who keeps sending is closed. */
  private onClientMessage(client: Client): void {
    const n = (this.ignored.get(client) ?? 0) + 1;
    this.ignored.set(client, n);
    if (n > OPERATOR_MESSAGES_IGNORED_MAX) client.leave(CLOSE_FLOODED, 'this room does not take messages');
  }
}
