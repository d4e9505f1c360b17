// actors/Leadership.ts — who leads each draw across the cluster.
//
// One leader per draw, elected with a PostgreSQL session advisory lock held on a
// connection of its own (never a pooled one: a pooled connection is shared by other work
// and a lock on it would outlive or precede the leader's intent). The lock lives exactly
// as long as that session: when the leader's process dies, its socket closes, PostgreSQL
// ends the session and frees the lock, and another process's next try takes it.
//
// Leadership is for liveness and economy (one process drives a draw), not for safety:
// every step of a draw moves its status forward under a row lock and is idempotent
// (actors/DrawRunner.ts, ledger/draws.ts), so a leader that lost its session a moment
// before noticing cannot do a step twice.
import pg from 'pg';
import { faultSummary, type Logger } from '../core/logger.ts';
import { advisoryUnlock, setSessionKeepalives, tryAdvisoryLocks } from '../ledger/databaseSession.ts';
import { LEADERSHIP_CONNECT_MS_MAX, LEADERSHIP_QUERY_MS_MAX } from '../core/limits.ts';

/** The advisory-lock namespace of draw leadership (first key of the two-int form). */
export const DRAW_LEADER_LOCK_CLASS = 0x4c4f54; // "LOT"
const INT4_MAX = 2 ** 31 - 1;

export interface Leadership {
  /** Draws this process leads now. */
  readonly held: ReadonlySet<number>;
  /** Tries to lead each draw not led here yet; returns those it now leads. Never waits for a lock. */
  tryAcquire(drawIds: number[]): Promise<number[]>;
  /** Gives up leading a draw (done with it, or shutting down). */
  release(drawId: number): Promise<void>;
  /** Called with every draw led when leadership is lost at once (the session ended). */
  onLost(listener: (drawIds: number[]) => void): void;
  /** Releases everything and closes the session. */
  close(): Promise<void>;
}

function checkDrawId(id: number): void {
  if (!Number.isInteger(id) || id < 1 || id > INT4_MAX) throw new RangeError(`draw id out of the lock key range: ${id}`);
}

/** Leadership through advisory locks on a dedicated PostgreSQL session. */
export class AdvisoryLockLeadership implements Leadership {
  private client: pg.Client | undefined;
  private connecting: Promise<pg.Client> | undefined;
  private readonly heldIds = new Set<number>();
  private readonly listeners: ((drawIds: number[]) => void)[] = [];
  private closed = false;

  constructor(
    private readonly connectionString: string,
    private readonly logger: Logger,
  ) {}

  get held(): ReadonlySet<number> {
    return this.heldIds;
  }

  onLost(listener: (drawIds: number[]) => void): void {
    this.listeners.push(listener);
  }

  async tryAcquire(drawIds: number[]): Promise<number[]> {
    if (this.closed) return [];
    const wanted = drawIds.filter((id) => !this.heldIds.has(id));
    if (wanted.length === 0) return [];
    for (const id of wanted) checkDrawId(id);
    const client = await this.session();
    // Locks are re-entrant per session: never ask again for one already held (filtered above).
    const won = await tryAdvisoryLocks(client, DRAW_LEADER_LOCK_CLASS, wanted);
    if (client !== this.client) {
      // The session died while the query ran: whatever it took is gone with it.
      return [];
    }
    for (const id of won) this.heldIds.add(id);
    return won;
  }

  async release(drawId: number): Promise<void> {
    if (!this.heldIds.delete(drawId)) return;
    const client = this.client;
    if (!client) return;
    try {
      await advisoryUnlock(client, DRAW_LEADER_LOCK_CLASS, drawId);
    } catch (err) {
      // A failed unlock means the session is failing; its end frees the lock anyway.
      this.logger.warn({ err, drawId }, 'releasing draw leadership failed');
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.heldIds.clear();
    const client = this.client ?? (await this.connecting?.catch(() => undefined));
    this.client = undefined;
    // Ending the session releases every advisory lock it holds, in one step.
    await client?.end().catch(() => {});
  }

  private session(): Promise<pg.Client> {
    if (this.client) return Promise.resolve(this.client);
    if (!this.connecting) {
      this.connecting = this.connect().finally(() => (this.connecting = undefined));
    }
    return this.connecting;
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.connectionString,
      query_timeout: LEADERSHIP_QUERY_MS_MAX,
      connectionTimeoutMillis: LEADERSHIP_CONNECT_MS_MAX,
      keepAlive: true,
      keepAliveInitialDelayMillis: 1_000,
      application_name: 'lottery-draw-leadership',
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    await client.connect();
    // If this host vanishes without closing its socket, PostgreSQL notices within ~4 s
    // and frees the locks, rather than after the kernel's two-hour default.
    await setSessionKeepalives(client, 2, 1, 2);
    if (this.closed) {
      await client.end().catch(() => {});
      throw new Error('leadership closed');
    }
    this.client = client;
    return client;
  }

  private lost(client: pg.Client, err?: Error): void {
    if (client !== this.client) return;
    this.client = undefined;
    client.end().catch(() => {});
    const lost = [...this.heldIds];
    this.heldIds.clear();
    // An operating condition (a restart, a fail-over, a cut connection): the next pass, within
    // a second, takes the draws up again here or in another process.
    if (!this.closed) this.logger.warn({ err: err && faultSummary(err), drawIds: lost }, 'draw leadership session lost; leadership of its draws given up');
    for (const listener of this.listeners) listener(lost);
  }
}

/**
 * The embedded database belongs to one process, so that process leads every draw. Same
 * interface, so the scheduler has one code path.
 */
export class LocalLeadership implements Leadership {
  private readonly heldIds = new Set<number>();

  get held(): ReadonlySet<number> {
    return this.heldIds;
  }

  async tryAcquire(drawIds: number[]): Promise<number[]> {
    const won = drawIds.filter((id) => !this.heldIds.has(id));
    for (const id of won) this.heldIds.add(id);
    return won;
  }

  async release(drawId: number): Promise<void> {
    this.heldIds.delete(drawId);
  }

  onLost(): void {}

  async close(): Promise<void> {
    this.heldIds.clear();
  }
}
