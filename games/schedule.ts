// games/schedule.ts — the draws a daily schedule gives from an instant on: each with its
// sales window (open at the previous draw, close at its cutoff), DST days included. The
// schedule's grammar is games/scheduleRules.ts, the time-zone arithmetic games/zonedTime.ts;
// both are re-exported here, the module the rest of the code imports.
import { DRAW_SLOTS_PER_DAY_MAX, UPCOMING_COUNT_MAX } from '../core/limits.ts';
import { hasDrawOn, runsOn, scheduleSlots, slotsOf, validateSchedule, type DailySchedule, type DrawSlot } from './scheduleRules.ts';
import { addDays, dateExistsIn, isoWeekday, localDateOf, resolveLocal, zonedTimeToUtcMs, type LocalTime } from './zonedTime.ts';

export { addDays, DRAW_SLOTS_PER_DAY_MAX, localDateOf, scheduleSlots, UPCOMING_COUNT_MAX, validateSchedule, zonedTimeToUtcMs };
export type { DailySchedule, DrawSlot, LocalTime };
export type { OneDrawSchedule, SlotsSchedule } from './scheduleRules.ts';

export interface DrawTimes {
  /** Local calendar date of the draw, YYYY-MM-DD. */
  businessDate: string;
  /** Index of the draw's slot in scheduleSlots(schedule); 0 for the one-draw shorthand. */
  slot: number;
  openAtMs: number;
  cutoffAtMs: number;
  drawAtMs: number;
}

/** A week holds every weekday, so any weekday search ends within 8 dates (today + 7). */
const WEEKDAY_SEARCH_DAYS_MAX = 8;

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
