// web/ops/feed.ts — the console's live feed: the `operators` room (rooms/OperatorsRoom.ts),
// which sends the cluster's figures every second and each risk alert as it is raised. The
// figures are kept as a bounded series for the bets-per-second chart.
import { Client, type Room } from '@colyseus/sdk';
import { signal } from '@preact/signals';

export interface ClusterSnapshot {
  atMs: number;
  processes: number;
  connections: number;
  rooms: number;
  betsPerSecond: number;
}

/** ledger/risk.ts AlertView, as the room and GET /api/operator/alerts send it. */
export interface AlertView {
  alertId: number;
  rule: string;
  severity: string;
  player: string | null;
  draw: string | null;
  details: Record<string, unknown>;
  status: 'open' | 'dismissed' | 'confirmed';
  raisedAt: string;
  reviewedBy: string | null;
  reviewedAt: string | null;
  reviewNote: string | null;
  frozeBetting: boolean;
}

/** Ten minutes of one-second points: enough to see the run-up to a cutoff. */
const SERIES_POINTS_MAX = 600;
const ALERTS_KEPT_MAX = 100;
const REJOIN_DELAY_MS = 2_000;

export class OperatorsFeed {
  readonly figures = signal<ClusterSnapshot | null>(null);
  readonly series = signal<{ t: number; v: number }[]>([]);
  readonly alerts = signal<AlertView[]>([]);
  readonly status = signal<'connecting' | 'live' | 'away' | 'refused'>('connecting');
  private room: Room | undefined;
  private stopped = false;

  constructor(private readonly token: string) {}

  async start(): Promise<void> {
    while (!this.stopped) {
      try {
        const client = new Client(location.origin);
        client.auth.token = this.token;
        const room = await client.joinOrCreate('operators');
        if (this.stopped) return void room.leave(true);
        this.attach(room);
        return;
      } catch (error) {
        const status = (error as any)?.code;
        if (status === 401 || status === 403) {
          this.status.value = 'refused';
          return;
        }
        this.status.value = 'away';
        await new Promise((r) => setTimeout(r, REJOIN_DELAY_MS));
      }
    }
  }

  stop(): void {
    this.stopped = true;
    void this.room?.leave(true).catch(() => undefined);
  }

  private attach(room: Room): void {
    this.room = room;
    this.status.value = 'live';
    room.onMessage('figures', (f: ClusterSnapshot) => {
      this.figures.value = f;
      this.series.value = [...this.series.value, { t: f.atMs, v: f.betsPerSecond }].slice(-SERIES_POINTS_MAX);
    });
    room.onMessage('alert', (a: AlertView) => (this.alerts.value = [a, ...this.alerts.value].slice(0, ALERTS_KEPT_MAX)));
    room.onMessage('*', () => {});
    room.onDrop(() => (this.status.value = 'away'));
    room.onReconnect(() => (this.status.value = 'live'));
    room.onLeave((code: number) => {
      if (this.stopped || this.room !== room) return;
      this.room = undefined;
      // 4401: the session ended (logged out elsewhere, disabled): the console's next call logs out.
      this.status.value = code === 4401 ? 'refused' : 'away';
      if (code !== 4401) setTimeout(() => void this.start(), REJOIN_DELAY_MS);
    });
  }
}
