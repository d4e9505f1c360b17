// bench/stageViewers.ts — one load-generator process of bench/stage.ts: joins its share of
// viewers to a draw's stage as real SDK clients (no account), and notes for every refresh
// of the state's serverTimeMs when it reached each viewer. The server sets serverTimeMs just
// before it encodes the patch, on this same machine's clock: arrival minus that value is how
// long one state change took to reach the viewer (this process's own event-loop lag included).
// Driven over IPC by bench/stage.ts; not run alone.
import { Client, type Room } from '@colyseus/sdk';

interface JoinCommand {
  cmd: 'join';
  url: string;
  drawId: string;
  count: number;
  /** Joins in flight at once. */
  concurrency: number;
}
type Command = JoinCommand | { cmd: 'report' } | { cmd: 'leave' };

const rooms: Room[] = [];
/** serverTimeMs value -> [viewers it reached, slowest arrival minus it (ms), sum of arrivals minus it]. */
const refreshes = new Map<number, [number, number, number]>();
const roomIds = new Set<string>();

function send(message: unknown): void {
  process.send!(message);
}

function watch(room: Room): void {
  let first = true;
  let last = 0;
  room.onStateChange((state: any) => {
    const value = state.serverTimeMs as number;
    // The full state on join is not a change that was broadcast.
    if (first) {
      first = false;
      last = value;
      return;
    }
    if (value === last) return;
    last = value;
    const latencyMs = Date.now() - value;
    const entry = refreshes.get(value) ?? [0, 0, 0];
    entry[0]++;
    entry[1] = Math.max(entry[1], latencyMs);
    entry[2] += latencyMs;
    refreshes.set(value, entry);
  });
}

async function join(c: JoinCommand): Promise<void> {
  const client = new Client(c.url);
  let next = 0;
  let failed = 0;
  let joined = 0;
  let lastError = '';
  const worker = async () => {
    while (next < c.count) {
      next++;
      try {
        const room = await client.joinOrCreate('stage', { drawId: c.drawId });
        watch(room);
        rooms.push(room);
        joined++;
        roomIds.add(room.roomId);
      } catch (err) {
        failed++;
        lastError = String((err as Error)?.message ?? err).slice(0, 200);
      }
    }
  };
  await Promise.all(Array.from({ length: c.concurrency }, worker));
  send({ type: 'joined', joined, failed, lastError, roomIds: [...roomIds] });
}

process.on('message', (message: Command) => {
  if (message.cmd === 'join') void join(message);
  else if (message.cmd === 'report') send({ type: 'report', refreshes: [...refreshes.entries()], open: rooms.filter((r) => r.connection.isOpen).length });
  else if (message.cmd === 'leave') {
    void Promise.allSettled(rooms.map((r) => r.leave())).then(() => process.exit(0));
  }
});
