// games/scheduleRules.ts — what a daily draw schedule may say (one draw a day, or several
// slots, on some weekdays, in an IANA zone), checked with a clear RangeError, and the slots
// a valid one runs. Schedules come from config too, so shapes are checked, not trusted.
import { DRAW_SLOTS_PER_DAY_MAX } from '../core/limits.ts';
import { checkLocalTime, checkTimeZone, isoWeekday, type LocalTime } from './zonedTime.ts';

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
  checkTimeZone(s.timeZone);
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
export function slotsOf(s: DailySchedule): DrawSlot[] {
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

/** Whether a slot runs on an ISO weekday. */
export function runsOn(slot: DrawSlot, weekday: number): boolean {
  return slot.weekdays === undefined || slot.weekdays.includes(weekday);
}

/** Whether any slot runs on a calendar date. */
export function hasDrawOn(slots: DrawSlot[], date: string): boolean {
  const weekday = isoWeekday(date);
  return slots.some((slot) => runsOn(slot, weekday));
}

