// games/schedule.ts — daily draw schedules (one or several draws a day) in IANA time zones, turned into UTC instants.
//
// Wall-clock times are what operators and players think in ("cutoff 15:00 Berlin time");
// instants are what the fence compares. The conversion must hold on DST change days, so
// it asks Intl for the zone's offset at the instant in question instead of assuming one.
// Everything here is pure apart from a bounded cache of Intl formatters.

export interface LocalTime {
  /** 0..23 */
  hour: number;
  /** 0..59 */
  minute: number;
}

/** One draw of the day: sales for it close at `cutoff`, the draw happens at `draw`. */
export interface DrawSlot {
  cutoff: LocalTime;
  /** Later than this slot's cutoff and earlier than the next slot's cutoff. */
  draw: LocalTime;
  /** ISO weekdays (1 = Monday .. 7 = Sunday) this slot runs on; default the schedule's. */
  weekdays?: number[];
}

interface ScheduleBase {
  /** IANA zone, e.g. "Europe/Berlin". */
  timeZone: string;
  /** ISO weekdays (1 = Monday .. 7 = Sunday) with a draw; default every day. */
  weekdays?: number[];
}

/** One draw a day: the shorthand for a schedule of a single slot. */
export interface OneDrawSchedule extends ScheduleBase {
  cutoff: LocalTime;
  /** Must be later than the cutoff on the same local day. */
  draw: LocalTime;
  slots?: undefined;
}

/** Several draws a day (e.g. 13:00/13:30 and 21:00/21:30), listed in local-time order. */
export interface SlotsSchedule extends ScheduleBase {
  slots: DrawSlot[];
  cutoff?: undefined;
  draw?: undefined;
}

export type DailySchedule = OneDrawSchedule | SlotsSchedule;

export interface DrawTimes {
  /** Local calendar date of the draw, YYYY-MM-DD. */
  businessDate: string;
  /** Index of the draw's slot in scheduleSlots(schedule); 0 for the one-draw shorthand. */
  slot: number;
  openAtMs: number;
  cutoffAtMs: number;
  drawAtMs: number;
}

const DAY_MS = 86_400_000;
export const UPCOMING_COUNT_MAX = 366;
/** A draw every quarter hour, round the clock. */
export const DRAW_SLOTS_PER_DAY_MAX = 96;
/** A week holds every weekday, so any weekday search ends within 8 dates (today + 7). */
const WEEKDAY_SEARCH_DAYS_MAX = 8;
const FORMATTERS_CACHED_MAX = 64;
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
  if (formatters.size >= FORMATTERS_CACHED_MAX) formatters.delete(formatters.keys().next().value as string);
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

function checkLocalTime(name: string, t: LocalTime): void {
  const ok =
    typeof t === 'object' && t !== null &&
    Number.isInteger(t.hour) && t.hour >= 0 && t.hour <= 23 &&
    Number.isInteger(t.minute) && t.minute >= 0 && t.minute <= 59;
  // Date.UTC would quietly turn 24:00 into tomorrow's 00:00; refuse instead.
  if (!ok) throw new RangeError(`${name} must be a local time {hour: 0..23, minute: 0..59}`);
}

function minutesOf(t: LocalTime): number {
  return t.hour * 60 + t.minute;
}

function checkWeekdays(name: string, weekdays: unknown): void {
  if (weekdays === undefined) return;
  const valid = Array.isArray(weekdays) && weekdays.length > 0 && weekdays.every((d) => Number.isInteger(d) && d >= 1 && d <= 7);
  if (!valid || new Set(weekdays).size !== weekdays.length) {
    throw new RangeError(`${name} must be distinct ISO weekdays 1 (Mon)..7 (Sun), at least one`);
  }
}

function checkSlots(slots: unknown): void {
  if (!Array.isArray(slots) || slots.length < 1 || slots.length > DRAW_SLOTS_PER_DAY_MAX) {
    throw new RangeError(`slots must be an array of 1..${DRAW_SLOTS_PER_DAY_MAX} draws a day`);
  }
  for (let i = 0; i < slots.length; i++) {
    const slot: unknown = slots[i];
    const name = `slots[${i}]`;
    if (typeof slot !== 'object' || slot === null) throw new RangeError(`${name} must be an object {cutoff, draw, weekdays?}`);
    const { cutoff, draw, weekdays } = slot as DrawSlot;
    checkLocalTime(`${name}.cutoff`, cutoff);
    checkLocalTime(`${name}.draw`, draw);
    if (minutesOf(draw) <= minutesOf(cutoff)) throw new RangeError(`${name}.draw must be after ${name}.cutoff on the same local day`);
    checkWeekdays(`${name}.weekdays`, weekdays);
    // Strictly after, not "at or after": the next draw's sales open at this draw, so an
    // equal time would give it an empty sales window (the ledger refuses open >= cutoff).
    if (i > 0 && minutesOf(cutoff) <= minutesOf((slots[i - 1] as DrawSlot).draw)) {
      throw new RangeError(`${name}.cutoff must be after slots[${i - 1}].draw: slots are in time order and cutoff-to-draw windows never overlap`);
    }
  }
}

/** Throws RangeError with a clear message on invalid zone / times / slots / weekdays. */
export function validateSchedule(s: DailySchedule): void {
  // Schedules come from config too, so check shapes rather than trust the type.
  if (typeof s !== 'object' || s === null) throw new RangeError('schedule must be an object');
  formatter(s.timeZone);
  if (s.slots !== undefined) {
    if (s.cutoff !== undefined || s.draw !== undefined) {
      throw new RangeError('a schedule has either cutoff and draw (one draw a day) or slots, not both');
    }
    checkSlots(s.slots);
  } else {
    checkLocalTime('cutoff', s.cutoff);
    checkLocalTime('draw', s.draw);
    if (minutesOf(s.draw) <= minutesOf(s.cutoff)) throw new RangeError('draw time must be after the cutoff on the same local day');
  }
  checkWeekdays('weekdays', s.weekdays);
}

/** The draws of a validated schedule's day, with the weekdays each runs on (undefined: every day). */
function slotsOf(s: DailySchedule): DrawSlot[] {
  const given: DrawSlot[] = s.slots ?? [{ cutoff: s.cutoff, draw: s.draw }];
  // Copies, so a caller changing the result cannot change the game's schedule.
  return given.map((slot) => {
    const weekdays = slot.weekdays ?? s.weekdays;
    return {
      cutoff: { hour: slot.cutoff.hour, minute: slot.cutoff.minute },
      draw: { hour: slot.draw.hour, minute: slot.draw.minute },
      ...(weekdays === undefined ? {} : { weekdays: [...weekdays].sort((x, y) => x - y) }),
    };
  });
}

/**
 * Every slot of a schedule in local-time order, the one-draw shorthand as one slot, each
 * with the weekdays it really runs on (its own, else the schedule's; absent: every day).
 */
export function scheduleSlots(s: DailySchedule): DrawSlot[] {
  validateSchedule(s);
  return slotsOf(s);
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
function resolveLocal(timeZone: string, date: string, time: LocalTime): { atMs: number; exists: boolean } {
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

function isoWeekday(date: string): number {
  const [y, m, d] = parseDate(date);
  const day = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return day === 0 ? 7 : day;
}

function runsOn(slot: DrawSlot, weekday: number): boolean {
  return slot.weekdays === undefined || slot.weekdays.includes(weekday);
}

function hasDrawOn(slots: DrawSlot[], date: string): boolean {
  const weekday = isoWeekday(date);
  return slots.some((slot) => runsOn(slot, weekday));
}

const MIDNIGHT: LocalTime = { hour: 0, minute: 0 };

/**
 * Whether the zone's calendar has this date at all. A date skipped entirely (Pacific/Apia
 * jumped over 2011-12-30) would otherwise resolve, via the gap rule, to the next day's
 * draw instant: two draws at once and a zero-length sales window.
 */
function dateExistsIn(timeZone: string, date: string): boolean {
  return localDateOf(timeZone, zonedTimeToUtcMs(timeZone, date, MIDNIGHT)) === date;
}

/** The first date with a slot's weekday at `date` or `step` days at a time away from it (±1). */
function scheduledWeekdayFrom(slots: DrawSlot[], date: string, step: 1 | -1): string {
  for (let i = 0; i < WEEKDAY_SEARCH_DAYS_MAX; i++) {
    const candidate = addDays(date, i * step);
    if (hasDrawOn(slots, candidate)) return candidate;
  }
  // Unreachable for a validated schedule (weekdays are non-empty); kept as a hard bound.
  throw new RangeError('schedule has no draw weekday');
}

/** The first draw day at `date` or `step` days at a time away from it (±1). */
function drawDayFrom(timeZone: string, slots: DrawSlot[], date: string, step: 1 | -1): string {
  // Two weekday searches suffice: zones never skip two dates in a row.
  for (let attempt = 0; attempt < 2; attempt++) {
    const candidate = scheduledWeekdayFrom(slots, date, step);
    if (dateExistsIn(timeZone, candidate)) return candidate;
    date = addDays(candidate, step);
  }
  throw new RangeError(`time zone ${timeZone} skips consecutive dates near ${date}`);
}

/** A draw as its slot and date give it, before the day's draws are checked against each other. */
interface Candidate {
  businessDate: string;
  slot: number;
  cutoffAtMs: number;
  drawAtMs: number;
  /** Its cutoff or draw time does not exist that day (a DST gap) and was moved forward. */
  moved: boolean;
}

function candidatesOn(timeZone: string, slots: DrawSlot[], date: string): Candidate[] {
  const weekday = isoWeekday(date);
  const candidates: Candidate[] = [];
  for (let slot = 0; slot < slots.length; slot++) {
    if (!runsOn(slots[slot], weekday)) continue;
    const cutoff = resolveLocal(timeZone, date, slots[slot].cutoff);
    const draw = resolveLocal(timeZone, date, slots[slot].draw);
    candidates.push({ businessDate: date, slot, cutoffAtMs: cutoff.atMs, drawAtMs: draw.atMs, moved: !cutoff.exists || !draw.exists });
  }
  return candidates;
}

/**
 * Appends a candidate to the draws kept so far, keeping them strictly in order with no
 * overlap (each cutoff after the previous draw). Times outside DST gaps map to instants in
 * order, so only a draw moved forward by a gap can break the order: then the moved draw
 * gives way, because the draws whose times exist are the ones players were promised.
 */
function admit(kept: Candidate[], c: Candidate): void {
  if (c.cutoffAtMs >= c.drawAtMs) {
    // Cutoff in the gap and draw just after it: the shift put the cutoff past the draw.
    if (!c.moved) throw new Error(`draw ${c.businessDate} slot ${c.slot}: cutoff not before draw`);
    return;
  }
  while (kept.length > 0 && c.cutoffAtMs <= kept[kept.length - 1].drawAtMs) {
    const last = kept[kept.length - 1];
    if (c.moved) return;
    // Two draws at existing times out of order would be a bug in the conversion, not a rule.
    if (!last.moved) throw new Error(`draws ${last.businessDate} slot ${last.slot} and ${c.businessDate} slot ${c.slot} out of order`);
    kept.pop();
  }
  kept.push(c);
}

/** Draw days walked back from the day before yesterday before planning: see upcomingDraws. */
const LOOKBACK_DRAW_DAYS = 2;
/** Draw days to walk beyond `count`: the lookback and a few days whose draws all gave way. */
const EXTRA_DRAW_DAYS_MAX = 8;

/**
 * The draws whose draw time is at or after `fromMs`, in order, up to `count` of them.
 * Each draw's sales open at the previous draw's draw time (whatever its slot or day), so
 * sales are open continuously except between a cutoff and its draw.
 *
 * On a spring-forward day a cutoff or draw time the clock skips moves forward by the gap,
 * like any skipped time. If that puts the draw's cutoff at or after its draw, or its
 * window into another draw's, that draw does not take place that day: draws at times the
 * clock shows always do. On a fall-back day the earlier of a repeated time is taken.
 */
export function upcomingDraws(s: DailySchedule, fromMs: number, count: number): DrawTimes[] {
  validateSchedule(s);
  if (!Number.isInteger(count) || count < 1 || count > UPCOMING_COUNT_MAX) {
    throw new RangeError(`count must be an integer 1..${UPCOMING_COUNT_MAX}: ${count}`);
  }
  if (!Number.isFinite(fromMs)) throw new RangeError(`fromMs must be a finite instant: ${fromMs}`);
  const { timeZone } = s;
  const slots = slotsOf(s);
  // Start well before fromMs. A gap can move yesterday's draw past local midnight
  // (America/Nuuk, 23:00 -> 00:00), so draws dated the day before yesterday are the last
  // surely behind fromMs; walking back two draw days from there also finds the draw
  // whose draw time opens the first upcoming one, even if one day's draws all gave way.
  let date = addDays(localDateOf(timeZone, fromMs), -1);
  for (let i = 0; i < LOOKBACK_DRAW_DAYS; i++) date = drawDayFrom(timeZone, slots, addDays(date, -1), -1);
  const kept: Candidate[] = [];
  // kept[0 .. firstUpcoming) are drawn before fromMs.
  let firstUpcoming = 0;
  for (let day = 0; day < count + EXTRA_DRAW_DAYS_MAX; day++) {
    for (const c of candidatesOn(timeZone, slots, date)) {
      admit(kept, c);
      // Only a moved draw can still give way to a later one, so the kept draws are final
      // once the last of them was not moved.
      const last = kept[kept.length - 1];
      if (last !== c || c.moved) continue;
      firstUpcoming = Math.min(firstUpcoming, kept.length);
      while (firstUpcoming < kept.length && kept[firstUpcoming].drawAtMs < fromMs) firstUpcoming++;
      if (kept.length - firstUpcoming >= count) return withOpenTimes(kept, firstUpcoming, count);
    }
    date = drawDayFrom(timeZone, slots, addDays(date, 1), 1);
  }
  throw new RangeError(`schedule in ${timeZone} gave fewer than ${count} draws in ${count + EXTRA_DRAW_DAYS_MAX} draw days`);
}

function withOpenTimes(kept: Candidate[], first: number, count: number): DrawTimes[] {
  // The lookback always holds an earlier draw; without one the first opening is unknown.
  if (first < 1) throw new Error('no draw before the first upcoming one to open its sales');
  const draws: DrawTimes[] = [];
  for (let i = first; i < first + count; i++) {
    const { businessDate, slot, cutoffAtMs, drawAtMs } = kept[i];
    // The next draw opens exactly when the previous one is drawn: no sales hole, no overlap.
    draws.push({ businessDate, slot, openAtMs: kept[i - 1].drawAtMs, cutoffAtMs, drawAtMs });
  }
  return draws;
}
