// games/schedule.ts — daily draw schedules in IANA time zones, turned into UTC instants.
//
// Wall-clock times are what operators and players think in ("cutoff 15:00 Berlin time");
// instants are what the fence compares. The conversion must hold on DST change days, so
// it asks Intl for the zone's offset instead of assuming one.

export interface LocalTime {
  hour: number;
  minute: number;
}

export interface DailySchedule {
  /** IANA zone, e.g. "Europe/Berlin". */
  timeZone: string;
  cutoff: LocalTime;
  /** Must be later than the cutoff on the same local day. */
  draw: LocalTime;
  /** ISO weekdays (1 = Monday .. 7 = Sunday) with a draw; default every day. */
  weekdays?: number[];
}

export interface DrawTimes {
  /** Local calendar date of the draw, YYYY-MM-DD. */
  businessDate: string;
  openAtMs: number;
  cutoffAtMs: number;
  drawAtMs: number;
}

const DAY_MS = 86_400_000;
const UPCOMING_COUNT_MAX = 366;
const FORMATTERS_CACHED_MAX = 64;
const formatters = new Map<string, Intl.DateTimeFormat>();

// Constructing a DateTimeFormat is slow; the set of zones in use is small.
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    if (formatters.size >= FORMATTERS_CACHED_MAX) formatters.delete(formatters.keys().next().value as string);
    formatters.set(timeZone, f);
  }
  return f;
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
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(atMs))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute, second: parts.second };
}

/** The zone's offset from UTC at an instant, in ms (positive east of Greenwich). */
function offsetMsAt(timeZone: string, atMs: number): number {
  const w = wallClockAt(timeZone, atMs);
  const wallAsUtcMs = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return wallAsUtcMs - (atMs - (((atMs % 1000) + 1000) % 1000));
}

function parseDate(date: string): [number, number, number] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`not a date YYYY-MM-DD: ${date}`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) {
    throw new RangeError(`not a calendar date: ${date}`);
  }
  return [y, mo, d];
}

function formatDate(y: number, m: number, d: number): string {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

export function validateSchedule(s: DailySchedule): void {
  try {
    formatter(s.timeZone);
  } catch {
    throw new RangeError(`unknown time zone: ${s.timeZone}`);
  }
  for (const [name, t] of [['cutoff', s.cutoff], ['draw', s.draw]] as const) {
    if (!Number.isInteger(t.hour) || t.hour < 0 || t.hour > 23 || !Number.isInteger(t.minute) || t.minute < 0 || t.minute > 59) {
      throw new RangeError(`${name} must be a local time 00:00..23:59`);
    }
  }
  if (s.draw.hour * 60 + s.draw.minute <= s.cutoff.hour * 60 + s.cutoff.minute) {
    throw new RangeError('draw time must be after the cutoff on the same day');
  }
  if (s.weekdays !== undefined) {
    const valid = s.weekdays.length > 0 && s.weekdays.every((d) => Number.isInteger(d) && d >= 1 && d <= 7);
    if (!valid || new Set(s.weekdays).size !== s.weekdays.length) {
      throw new RangeError('weekdays must be distinct ISO weekdays 1..7, at least one');
    }
  }
}

/**
 * UTC instant of a local wall-clock time. In a spring-forward gap the time is shifted
 * forward by the gap's length (02:30 becomes 03:30); in a fall-back overlap the earlier
 * of the two instants is taken. Zones change offset at most once within a day either side.
 */
export function zonedTimeToUtcMs(timeZone: string, date: string, time: LocalTime): number {
  const [y, m, d] = parseDate(date);
  const wallMs = Date.UTC(y, m - 1, d, time.hour, time.minute);
  const offsetBefore = offsetMsAt(timeZone, wallMs - DAY_MS);
  const offsetAfter = offsetMsAt(timeZone, wallMs + DAY_MS);
  const candidates = [...new Set([wallMs - offsetBefore, wallMs - offsetAfter])]
    .filter((t) => offsetMsAt(timeZone, t) === wallMs - t)
    .sort((a, b) => a - b);
  if (candidates.length > 0) return candidates[0];
  // Gap: read the wall time with the offset in force before the jump.
  return wallMs - offsetBefore;
}

export function localDateOf(timeZone: string, atMs: number): string {
  const w = wallClockAt(timeZone, atMs);
  return formatDate(w.year, w.month, w.day);
}

export function addDays(date: string, n: number): string {
  const [y, m, d] = parseDate(date);
  const t = new Date(Date.UTC(y, m - 1, d) + n * DAY_MS);
  return formatDate(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

function isoWeekday(date: string): number {
  const [y, m, d] = parseDate(date);
  const day = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return day === 0 ? 7 : day;
}

function isDrawDay(s: DailySchedule, date: string): boolean {
  return s.weekdays === undefined || s.weekdays.includes(isoWeekday(date));
}

/** The nearest draw day strictly before `date` (at most a week back). */
function previousDrawDay(s: DailySchedule, date: string): string {
  for (let i = 1; i <= 7; i++) {
    const candidate = addDays(date, -i);
    if (isDrawDay(s, candidate)) return candidate;
  }
  throw new RangeError('schedule has no draw day');
}

/**
 * The next `count` draws whose draw time is at or after `fromMs`. A draw's sales open at
 * the previous draw's draw time, so sales run continuously except from cutoff to draw.
 */
export function upcomingDraws(s: DailySchedule, fromMs: number, count: number): DrawTimes[] {
  validateSchedule(s);
  if (!Number.isInteger(count) || count < 1 || count > UPCOMING_COUNT_MAX) {
    throw new RangeError(`count must be 1..${UPCOMING_COUNT_MAX}`);
  }
  const draws: DrawTimes[] = [];
  // Start a day early: in zones ahead of UTC today's draw may be "yesterday" locally.
  let date = addDays(localDateOf(s.timeZone, fromMs), -1);
  const daysMax = count * 7 + 8;
  for (let i = 0; i < daysMax && draws.length < count; i++, date = addDays(date, 1)) {
    if (!isDrawDay(s, date)) continue;
    const drawAtMs = zonedTimeToUtcMs(s.timeZone, date, s.draw);
    if (drawAtMs < fromMs) continue;
    draws.push({
      businessDate: date,
      openAtMs: zonedTimeToUtcMs(s.timeZone, previousDrawDay(s, date), s.draw),
      cutoffAtMs: zonedTimeToUtcMs(s.timeZone, date, s.cutoff),
      drawAtMs,
    });
  }
  return draws;
}
