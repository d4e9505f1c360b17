// actors/ClusterFigures.ts — connections, rooms and bets per second of the whole cluster, for
// the operator console (rooms/OperatorsRoom.ts sends them to the operators watching).
//
// Each process publishes its own figures on presence once a second: its connections and
// rooms (the matchmaker's local stats) and the running total of bets it received (the
// `lottery_bets_received_total` counter the bet path already counts). Nothing is added to
// the bet path: the total is read once a second. A ClusterTally keeps the latest message of
// each process, forgets a process silent for CLUSTER_FIGURES_STALE_MS (it died, or left),
// and turns consecutive totals into a rate. Display only: the ledger is the truth.
import type { Presence } from '@colyseus/core';
import { ThrottledLog, type Logger } from '../core/logger.ts';

export const CLUSTER_FIGURES_TOPIC = 'lottery:cluster-figures';
/** How often each process publishes its figures. */
export const CLUSTER_FIGURES_EVERY_MS = 1_000;
/** A process not heard from for this long is left out of the sums. */
export const CLUSTER_FIGURES_STALE_MS = 5_000;
/** Processes a tally keeps (a bound against a flood of made-up process ids on presence). */
export const CLUSTER_PROCESSES_MAX = 256;

export interface ProcessFigures {
  processId: string;
  atMs: number;
  connections: number;
  rooms: number;
  /** Bets this process handed to its writer since it started. */
  betsReceived: number;
}

export interface ClusterSnapshot {
  atMs: number;
  processes: number;
  connections: number;
  rooms: number;
  /** Bets received per second by the whole cluster, over each process's last interval. */
  betsPerSecond: number;
}

interface Known {
  latest: ProcessFigures;
  ratePerSecond: number;
}

export class ClusterTally {
  private readonly known = new Map<string, Known>();

  observe(figures: unknown): void {
    if (!isFigures(figures)) return;
    const before = this.known.get(figures.processId);
    if (!before && this.known.size >= CLUSTER_PROCESSES_MAX) return;
    let ratePerSecond = 0;
    if (before && figures.atMs > before.latest.atMs && figures.betsReceived >= before.latest.betsReceived) {
      ratePerSecond = ((figures.betsReceived - before.latest.betsReceived) * 1000) / (figures.atMs - before.latest.atMs);
    }
    this.known.set(figures.processId, { latest: figures, ratePerSecond });
  }

  snapshot(nowMs: number): ClusterSnapshot {
    const snapshot: ClusterSnapshot = { atMs: nowMs, processes: 0, connections: 0, rooms: 0, betsPerSecond: 0 };
    for (const [processId, { latest, ratePerSecond }] of this.known) {
      if (nowMs - latest.atMs > CLUSTER_FIGURES_STALE_MS) {
        this.known.delete(processId);
        continue;
      }
      snapshot.processes++;
      snapshot.connections += latest.connections;
      snapshot.rooms += latest.rooms;
      snapshot.betsPerSecond += ratePerSecond;
    }
    snapshot.betsPerSecond = Math.round(snapshot.betsPerSecond * 10) / 10;
    return snapshot;
  }
}

function isFigures(value: unknown): value is ProcessFigures {
  const f = value as ProcessFigures;
  return (
    typeof f === 'object' &&
    f !== null &&
    typeof f.processId === 'string' &&
    f.processId.length > 0 &&
    f.processId.length <= 64 &&
    [f.atMs, f.connections, f.rooms, f.betsReceived].every((n) => Number.isFinite(n) && n >= 0)
  );
}

export interface ClusterFiguresOptions {
  presence: Presence;
  logger: Logger;
  processId: string;
  nowMs: () => number;
  local: () => { connections: number; rooms: number };
  betsReceived: () => Promise<number>;
}

/** This process's publisher. */
export class ClusterFigures {
  private timer: NodeJS.Timeout | undefined;
  private readonly faults: ThrottledLog;

  constructor(private readonly o: ClusterFiguresOptions) {
    this.faults = new ThrottledLog(o.logger, 60_000);
  }

  start(): void {
    this.timer = setInterval(() => void this.publish(), CLUSTER_FIGURES_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async publish(): Promise<void> {
    try {
      const figures: ProcessFigures = { processId: this.o.processId, atMs: this.o.nowMs(), ...this.o.local(), betsReceived: await this.o.betsReceived() };
      await Promise.resolve(this.o.presence.publish(CLUSTER_FIGURES_TOPIC, figures));
    } catch (err) {
      // Presence away (Redis down): the console's figures pause; sales do not depend on them.
      this.faults.warn('cluster figures not published', { err });
    }
  }
}
