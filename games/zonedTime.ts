// games/zonedTime.ts — wall-clock times in IANA time zones turned into UTC instants and
// back, and calendar-date arithmetic. Wall-clock times are what operators and players think
// in ("cutoff 15:00 Berlin time"); instants are what the fence compares. The conversion
// must hold on DST change days, so it asks Intl for the zone's offset at the instant in
// question instead of assuming one. Pure apart from a bounded cache of Intl formatters.
import { TIME_ZONE_FORMATTERS_CACHED_MAX } from '../core/limits.ts';

export interface LocalTime {
  /** 0..23 */
  hour: number;
  /** 0..59 */
  minute: number;
}

const DAY_MS = 86_400_000;
// Four-digit years only: Date.UTC maps years 0..99 to 19xx, and Intl's en-US "numeric"
// year drops the era before year 1, so both ends would silently give wrong answers.
const YEAR_MIN = 1000;
const YEAR_MAX = 9999;

const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The formatter for a zone, cached because constructing one is slow (~tens of µs) and
 * the set of zones in use is small. Least-recently-used zones are evicted past the bound,
 * so a caller cycling through many zones cannot grow memory without limit.
 */
function formatter(timeZone: string): Intl.DateTimeFormat {
  const cached = formatters.get(timeZone);
  if (cached) {
    // Re-insert so Map order doubles as recency order.
    formatters.delete(timeZone);
    formatters.set(timeZone, cached);
    return cached;
  }
  // An absent timeZone would make Intl fall back to the host's zone: silently wrong.
  if (typeof timeZone !== 'string' || timeZone === '') throw new RangeError(`unknown time zone: ${String(timeZone)}`);
  let created: Intl.DateTimeFormat;
  try {
    created = new Intl.DateTimeFormat('en-US', {
      timeZone,
      // h23, not hour12:false: the latter reports midnight as "24" on some ICU versions.
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
  } catch {
    throw new RangeError(`unknown time zone: ${timeZone}`);
  }
  if (formatters.size >= TIME_ZONE_FORMATTERS_CACHED_MAX) formatters.delete(formatters.keys().next().value as string);
  formatters.set(timeZone, created);
  return created;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClockAt(timeZone: string, atMs: number): WallClock {
  if (!Number.isFinite(atMs)) throw new RangeError(`not a finite instant: ${atMs}`);
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(atMs))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  // `% 24` is belt and braces against an ICU that still prints midnight as 24.
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour % 24, minute: parts.minute, second: parts.second };
}

/** The zone's offset from UTC at an instant, in ms (positive east of Greenwich). */
function offsetMsAt(timeZone: string, atMs: number): number {
  const w = wallClockAt(timeZone, atMs);
  const wallAsUtcMs = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  // The formatter shows whole seconds, so compare against the instant floored to a second.
  return wallAsUtcMs - (atMs - (((atMs % 1000) + 1000) % 1000));
}

function parseDate(date: string): [number, number, number] {
  const m = typeof date === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(date) : null;
  if (!m) throw new RangeError(`not a date YYYY-MM-DD: ${String(date)}`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < YEAR_MIN) throw new RangeError(`year out of range ${YEAR_MIN}..${YEAR_MAX}: ${date}`);
  // Date.UTC rolls 02-30 over to 03-02; a round trip exposes dates that do not exist.
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) {
    throw new RangeError(`not a calendar date: ${date}`);
  }
  return [y, mo, d];
}

function formatDate(y: number, m: number, d: number): string {
  if (!(y >= YEAR_MIN && y <= YEAR_MAX)) throw new RangeError(`year out of range ${YEAR_MIN}..${YEAR_MAX}: ${y}`);
  return `${String(y)}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Throws RangeError unless `timeZone` is an IANA zone this runtime knows. */
export function checkTimeZone(timeZone: string): void {
  formatter(timeZone);
}

export function checkLocalTime(name: string, t: LocalTime): void {
  const ok =
    typeof t === 'object' && t !== null &&
    Number.isInteger(t.hour) && t.hour >= 0 && t.hour <= 23 &&
    Number.isInteger(t.minute) && t.minute >= 0 && t.minute <= 59;
  // Date.UTC would quietly turn 24:00 into tomorrow's 00:00; refuse instead.
  if (!ok) throw new RangeError(`${name} must be a local time {hour: 0..23, minute: 0..59}`);
}

/**
 * UTC epoch ms of a local wall-clock time in a zone. In a spring-forward gap the time is
 * shifted forward by the gap's length (02:30 becomes 03:30, like Temporal's 'compatible');
 * in a fall-back overlap the earlier of the two instants is taken.
 */
export function zonedTimeToUtcMs(timeZone: string, date: string, time: LocalTime): number {
  return resolveLocal(timeZone, date, time).atMs;
}

/** zonedTimeToUtcMs, and whether the zone's clock shows that wall time on that date at all. */
export function resolveLocal(timeZone: string, date: string, time: LocalTime): { atMs: number; exists: boolean } {
  const [y, m, d] = parseDate(date);
  checkLocalTime('time', time);
  const wallMs = Date.UTC(y, m - 1, d, time.hour, time.minute);
  // The true offset is one of those in force a day either side: zones do not change
  // offset twice within two days. Probing ±1 day also brackets any transition near the
  // wall time whatever the offset (|offset| <= 14h).
  const offsetBeforeMs = offsetMsAt(timeZone, wallMs - DAY_MS);
  const offsetAfterMs = offsetMsAt(timeZone, wallMs + DAY_MS);
  let earliestMs = Infinity;
  for (const candidateMs of [wallMs - offsetBeforeMs, wallMs - offsetAfterMs]) {
    // A candidate is real if the zone really shows this wall time at that instant.
    if (offsetMsAt(timeZone, candidateMs) === wallMs - candidateMs) earliestMs = Math.min(earliestMs, candidateMs);
  }
  if (earliestMs !== Infinity) return { atMs: earliestMs, exists: true };
  // Gap: neither offset reproduces the wall time. Reading it with the pre-jump offset
  // lands exactly "gap length" later on the clock, i.e. the same minutes after the gap.
  return { atMs: wallMs - offsetBeforeMs, exists: false };
}

/** Local calendar date (YYYY-MM-DD) in the zone at a UTC instant. */
export function localDateOf(timeZone: string, atMs: number): string {
  const w = wallClockAt(timeZone, atMs);
  return formatDate(w.year, w.month, w.day);
}

/** Adds n days to a YYYY-MM-DD calendar date (pure calendar arithmetic, no zones). */
export function addDays(date: string, n: number): string {
  const [y, m, d] = parseDate(date);
  if (!Number.isSafeInteger(n)) throw new RangeError(`days must be an integer: ${n}`);
  // UTC midnights are exactly DAY_MS apart (no DST in UTC), so this is calendar arithmetic.
  const t = new Date(Date.UTC(y, m - 1, d) + n * DAY_MS);
  if (Number.isNaN(t.getTime())) throw new RangeError(`date out of range: ${date} + ${n} days`);
  return formatDate(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

/** ISO weekday of a calendar date: 1 (Monday) .. 7 (Sunday). */
export function isoWeekday(date: string): number {
  const [y, m, d] = parseDate(date);
  const day = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return day === 0 ? 7 : day;
}

const MIDNIGHT: LocalTime = { hour: 0, minute: 0 };

/**
 * Whether the zone's calendar has this date at all. A date skipped entirely (Pacific/Apia
 * jumped over 2011-12-30) would otherwise resolve, via the gap rule, to the next day's
 * draw instant: two draws at once and a zero-length sales window.
 */
export function dateExistsIn(timeZone: string, date: string): boolean {
  return localDateOf(timeZone, zonedTimeToUtcMs(timeZone, date, MIDNIGHT)) === date;
}

