// games/calendar.ts — the draws a game has: from its daily schedule, or from the demo cycle.
//
// The one place that turns a game and the configured schedule mode into the draws the
// scheduler creates (times and public ids), and into what the catalogue shows. Pure.
//
// Demo cycle: a draw every `demoPeriodSeconds` at UTC multiples of the period (epoch
// aligned, so every process of a cluster plans the same draws), sales closing
// min(60 s, a quarter of the period) before each draw and opening at the previous draw:
// at the default 240 s, 3 minutes of sales and 1 minute closed. The business date of a
// demo draw is the UTC date of its draw time.
import { scheduleSlots, upcomingDraws, UPCOMING_COUNT_MAX, type LocalTime } from './schedule.ts';
import type { CatalogueGame } from './types.ts';

/** What planning draws needs of a game. */
type GameRules = Pick<CatalogueGame, 'id' | 'schedule'>;

export type ScheduleKind = 'daily' | 'demo';

/** How draws are planned: app/config.ts SCHEDULE and DEMO_PERIOD_SECONDS. */
export interface ScheduleMode {
  schedule: ScheduleKind;
  demoPeriodSeconds: number;
}

/** A draw's identity and times; the ledger creates draws from exactly this (ledger/draws.ts NewDraw, DrawRow). */
export interface PlannedDrawTimes {
  publicId: string;
  gameId: string;
  businessDate: string;
  openAtMs: number;
  cutoffAtMs: number;
  drawAtMs: number;
}

/** What the public catalogue says about when a game draws. */
export type ScheduleView =
  | { kind: 'daily'; timeZone: string; slots: { cutoff: string; draw: string; weekdays?: number[] }[] }
  | { kind: 'demo'; periodSeconds: number; cutoffBeforeDrawSeconds: number };

export const DEMO_PERIOD_SECONDS_DEFAULT = 240;
/** Below 30 s (sales 23 s, cutoff to draw 7 s) a player can hardly buy a ticket and watch its draw in one cycle. */
export const DEMO_PERIOD_SECONDS_MIN = 30;
export const DEMO_PERIOD_SECONDS_MAX = 3600;
export const DEMO_CUTOFF_BEFORE_DRAW_SECONDS_MAX = 60;
/** Most draws one call plans: a day of the shortest demo cycle, with room to spare. */
export const PLANNED_DRAWS_MAX = 2048;
export const DRAW_PUBLIC_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

export const DEFAULT_SCHEDULE_MODE: ScheduleMode = { schedule: 'daily', demoPeriodSeconds: DEMO_PERIOD_SECONDS_DEFAULT };

const GAME_ID_PATTERN = /^[A-Za-z0-9_.:-]+$/;
// Demo ids carry a four-digit year, like the business dates of daily draws.
const DEMO_FROM_MS_MIN = Date.UTC(1000, 0, 1);
const DEMO_TO_MS_MAX = Date.UTC(9999, 11, 31);
/** The first batch plannedDrawsBetween asks for; it doubles up to UPCOMING_COUNT_MAX. */
const BETWEEN_BATCH_MIN = 8;

function checkMode(mode: ScheduleMode): void {
  // Modes come from config; check the shape rather than trust the type.
  if (typeof mode !== 'object' || mode === null) throw new RangeError('schedule mode must be an object');
  if (mode.schedule !== 'daily' && mode.schedule !== 'demo') {
    throw new RangeError(`schedule must be "daily" or "demo", got ${JSON.stringify(mode.schedule)}`);
  }
  const p = mode.demoPeriodSeconds;
  if (!Number.isInteger(p) || p < DEMO_PERIOD_SECONDS_MIN || p > DEMO_PERIOD_SECONDS_MAX) {
    throw new RangeError(`demoPeriodSeconds must be a whole number ${DEMO_PERIOD_SECONDS_MIN}..${DEMO_PERIOD_SECONDS_MAX}: ${p}`);
  }
}

function checkGameId(gameId: string): void {
  if (typeof gameId !== 'string' || !GAME_ID_PATTERN.test(gameId)) {
    throw new RangeError(`game id must be letters, digits, _ . : - only: ${JSON.stringify(gameId)}`);
  }
}

/** How long before each demo draw its sales close. */
export function demoCutoffBeforeDrawSeconds(periodSeconds: number): number {
  return Math.min(DEMO_CUTOFF_BEFORE_DRAW_SECONDS_MAX, Math.floor(periodSeconds / 4));
}

function hhmm(t: LocalTime): string {
  return `${String(t.hour).padStart(2, '0')}${String(t.minute).padStart(2, '0')}`;
}

function demoDraws(gameId: string, periodSeconds: number, fromMs: number, count: number): PlannedDrawTimes[] {
  const periodMs = periodSeconds * 1000;
  const cutoffBeforeMs = demoCutoffBeforeDrawSeconds(periodSeconds) * 1000;
  const firstDrawAtMs = Math.ceil(fromMs / periodMs) * periodMs;
  if (firstDrawAtMs - periodMs < DEMO_FROM_MS_MIN || firstDrawAtMs + count * periodMs > DEMO_TO_MS_MAX) {
    throw new RangeError(`demo draws are planned for years 1000..9999 only: ${fromMs}`);
  }
  const draws: PlannedDrawTimes[] = [];
  for (let i = 0; i < count; i++) {
    const drawAtMs = firstDrawAtMs + i * periodMs;
    const iso = new Date(drawAtMs).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
    const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
    draws.push({
      publicId: `${gameId}-demo-${stamp}`,
      gameId,
      businessDate: iso.slice(0, 10),
      openAtMs: drawAtMs - periodMs,
      cutoffAtMs: drawAtMs - cutoffBeforeMs,
      drawAtMs,
    });
  }
  return draws;
}

function dailyDraws(game: GameRules, fromMs: number, count: number): PlannedDrawTimes[] {
  const slots = scheduleSlots(game.schedule);
  const draws: PlannedDrawTimes[] = [];
  let cursorMs = fromMs;
  // upcomingDraws has a bound of its own; ask in batches, each from just after the last.
  while (draws.length < count) {
    for (const t of upcomingDraws(game.schedule, cursorMs, Math.min(UPCOMING_COUNT_MAX, count - draws.length))) {
      // One draw a day keeps the id form existing draws already have.
      const publicId = slots.length === 1 ? `${game.id}-${t.businessDate}` : `${game.id}-${t.businessDate}-${hhmm(slots[t.slot].draw)}`;
      const { businessDate, openAtMs, cutoffAtMs, drawAtMs } = t;
      draws.push({ publicId, gameId: game.id, businessDate, openAtMs, cutoffAtMs, drawAtMs });
    }
    cursorMs = draws[draws.length - 1].drawAtMs + 1;
  }
  return draws;
}

/**
 * Pair assertion to the schedule's own: whatever planned these, they must be drawable as
 * a sequence. Bad ids are the game's fault (RangeError); the rest would be a bug here.
 */
function assertSequence(draws: PlannedDrawTimes[]): void {
  const ids = new Set<string>();
  for (let i = 0; i < draws.length; i++) {
    const d = draws[i];
    if (!DRAW_PUBLIC_ID_PATTERN.test(d.publicId)) {
      throw new RangeError(`draw id ${JSON.stringify(d.publicId)} does not match ${DRAW_PUBLIC_ID_PATTERN}: shorten the game id`);
    }
    if (ids.has(d.publicId)) throw new Error(`draw id ${d.publicId} planned twice`);
    ids.add(d.publicId);
    if (!(d.openAtMs < d.cutoffAtMs && d.cutoffAtMs < d.drawAtMs)) throw new Error(`draw ${d.publicId}: not open < cutoff < draw`);
    if (i > 0 && d.openAtMs !== draws[i - 1].drawAtMs) throw new Error(`draw ${d.publicId}: sales do not open at the previous draw`);
  }
}

/**
 * The first `count` draws of a game whose draw time is at or after `fromMs`, in order.
 * Public ids are stable and unique per game: `${gameId}-${businessDate}` for one draw a
 * day, `${gameId}-${businessDate}-${HHMM}` (local draw time as scheduled) for several,
 * `${gameId}-demo-${yyyymmddThhmmss}` (UTC draw time) for the demo cycle.
 */
export function plannedDraws(game: GameRules, mode: ScheduleMode, fromMs: number, count: number): PlannedDrawTimes[] {
  checkMode(mode);
  checkGameId(game.id);
  if (!Number.isInteger(count) || count < 1 || count > PLANNED_DRAWS_MAX) {
    throw new RangeError(`count must be an integer 1..${PLANNED_DRAWS_MAX}: ${count}`);
  }
  if (!Number.isFinite(fromMs)) throw new RangeError(`fromMs must be a finite instant: ${fromMs}`);
  const draws = mode.schedule === 'demo' ? demoDraws(game.id, mode.demoPeriodSeconds, fromMs, count) : dailyDraws(game, fromMs, count);
  assertSequence(draws);
  return draws;
}

/** The draws of a game with fromMs <= drawAtMs < toMs, in order; at most PLANNED_DRAWS_MAX. */
export function plannedDrawsBetween(game: GameRules, mode: ScheduleMode, fromMs: number, toMs: number): PlannedDrawTimes[] {
  if (!Number.isFinite(toMs)) throw new RangeError(`toMs must be a finite instant: ${toMs}`);
  const draws: PlannedDrawTimes[] = [];
  let cursorMs = fromMs;
  let batch = BETWEEN_BATCH_MIN;
  while (cursorMs < toMs) {
    const next = plannedDraws(game, mode, cursorMs, batch);
    for (const d of next) {
      if (d.drawAtMs >= toMs) return draws;
      if (draws.length === PLANNED_DRAWS_MAX) throw new RangeError(`more than ${PLANNED_DRAWS_MAX} draws between ${fromMs} and ${toMs}`);
      // Batches are planned independently; they must join up as if planned at once.
      if (draws.length > 0 && d.openAtMs !== draws[draws.length - 1].drawAtMs) throw new Error(`draw ${d.publicId}: batches do not join`);
      draws.push(d);
    }
    cursorMs = next[next.length - 1].drawAtMs + 1;
    batch = Math.min(batch * 2, UPCOMING_COUNT_MAX);
  }
  return draws;
}

/** When a game draws under a mode, for the public catalogue (times as local "HH:MM"). */
export function scheduleView(game: GameRules, mode: ScheduleMode): ScheduleView {
  checkMode(mode);
  if (mode.schedule === 'demo') {
    return { kind: 'demo', periodSeconds: mode.demoPeriodSeconds, cutoffBeforeDrawSeconds: demoCutoffBeforeDrawSeconds(mode.demoPeriodSeconds) };
  }
  const clock = (t: LocalTime) => `${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}`;
  return {
    kind: 'daily',
    timeZone: game.schedule.timeZone,
    slots: scheduleSlots(game.schedule).map((s) => ({
      cutoff: clock(s.cutoff),
      draw: clock(s.draw),
      ...(s.weekdays === undefined ? {} : { weekdays: s.weekdays }),
    })),
  };
}
