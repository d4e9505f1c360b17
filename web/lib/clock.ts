// web/lib/clock.ts — the server's time in the browser. Countdowns to a cutoff must not trust
// the device clock (it may be minutes off): every answer that carries the server's time
// (the sales state's serverTimeMs, HTTP's Date header) updates an offset, kept as the one
// measured with the shortest round trip, which bounds its error by half that trip.
import { signal } from '@preact/signals';

let offsetMs = 0;
let bestUncertaintyMs = Number.POSITIVE_INFINITY;

/** Ticks once a second: components that read it re-render with the clock. */
export const nowTick = signal(Date.now());
setInterval(() => (nowTick.value = serverNow()), 250);

/** The server's time now, as well as this page knows it. */
export function serverNow(): number {
  return Date.now() + offsetMs;
}

/**
 * A server time observed in a message that arrived now. `uncertaintyMs` is how stale it may
 * be (a round trip, or a patch interval for room state); the least uncertain sample wins,
 * and samples age so a drifting device is followed.
 */
export function observeServerTime(serverTimeMs: number, uncertaintyMs: number): void {
  bestUncertaintyMs += 1; // ageing: a newer sample that is nearly as good replaces an old one
  if (uncertaintyMs > bestUncertaintyMs) return;
  bestUncertaintyMs = uncertaintyMs;
  offsetMs = serverTimeMs - Date.now();
  nowTick.value = serverNow();
}

/** Measures the offset once by a round trip to /api/keys (its Date header has whole seconds only). */
export async function syncClock(): Promise<void> {
  const sentAt = Date.now();
  const response = await fetch('/api/keys', { method: 'GET', cache: 'no-store' }).catch(() => null);
  const receivedAt = Date.now();
  const date = response?.headers.get('date');
  if (!date) return;
  // The Date header is truncated to the second: the server's time is within [date, date + 1 s).
  observeServerTime(Date.parse(date) + 500 + (receivedAt - sentAt) / 2, 500 + (receivedAt - sentAt) / 2);
}

export function clockOffsetMs(): number {
  return offsetMs;
}
