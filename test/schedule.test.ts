// Daily schedules in IANA zones become the right UTC instants, DST days included.
import t from 'tap';
import {
  addDays,
  DRAW_SLOTS_PER_DAY_MAX,
  localDateOf,
  scheduleSlots,
  upcomingDraws,
  validateSchedule,
  zonedTimeToUtcMs,
  type DailySchedule,
  type DrawSlot,
  type DrawTimes,
  type LocalTime,
} from '../games/schedule.ts';

const iso = (ms: number) => new Date(ms).toISOString();
const at15 = { hour: 15, minute: 0 };
const at16 = { hour: 16, minute: 0 };
const berlin: DailySchedule = { timeZone: 'Europe/Berlin', cutoff: at15, draw: at16 };

// An oracle independent of the module: what a zone's clock shows at an instant, "YYYY-MM-DD HH:MM".
function wallAt(timeZone: string, atMs: number): string {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
      .formatToParts(new Date(atMs))
      .map((x) => [x.type, x.value]),
  );
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}
const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

t.test('Berlin 15:00 cutoff is 14:00Z the day before spring-forward, 13:00Z on 2026-03-29, 14:00Z on fall-back day 2026-10-25', async (t) => {
  t.equal(iso(zonedTimeToUtcMs('Europe/Berlin', '2026-03-28', at15)), '2026-03-28T14:00:00.000Z', 'day before spring-forward: CET');
  t.equal(iso(zonedTimeToUtcMs('Europe/Berlin', '2026-03-29', at15)), '2026-03-29T13:00:00.000Z', 'spring-forward day: CEST');
  t.equal(iso(zonedTimeToUtcMs('Europe/Berlin', '2026-10-24', at15)), '2026-10-24T13:00:00.000Z', 'day before fall-back: CEST');
  t.equal(iso(zonedTimeToUtcMs('Europe/Berlin', '2026-10-25', at15)), '2026-10-25T14:00:00.000Z', 'fall-back day: CET');
});

t.test('New York 15:00 is 20:00Z on 03-07, 19:00Z on spring-forward 03-08, 19:00Z on 10-31, 20:00Z on fall-back 11-01', async (t) => {
  t.equal(iso(zonedTimeToUtcMs('America/New_York', '2026-03-07', at15)), '2026-03-07T20:00:00.000Z');
  t.equal(iso(zonedTimeToUtcMs('America/New_York', '2026-03-08', at15)), '2026-03-08T19:00:00.000Z');
  t.equal(iso(zonedTimeToUtcMs('America/New_York', '2026-10-31', at15)), '2026-10-31T19:00:00.000Z');
  t.equal(iso(zonedTimeToUtcMs('America/New_York', '2026-11-01', at15)), '2026-11-01T20:00:00.000Z');
});

t.test('a nonexistent local time shifts forward by the gap length; an ambiguous one takes the earlier instant', async (t) => {
  const half = { hour: 2, minute: 30 };
  t.equal(iso(zonedTimeToUtcMs('Europe/Berlin', '2026-03-29', half)), '2026-03-29T01:30:00.000Z', 'Berlin 02:30 does not exist: 03:30 CEST');
  t.equal(iso(zonedTimeToUtcMs('Europe/Berlin', '2026-10-25', half)), '2026-10-25T00:30:00.000Z', 'Berlin 02:30 happens twice: the CEST one');
  t.equal(iso(zonedTimeToUtcMs('America/New_York', '2026-03-08', half)), '2026-03-08T07:30:00.000Z', 'New York gap: 03:30 EDT');
  t.equal(iso(zonedTimeToUtcMs('America/New_York', '2026-11-01', { hour: 1, minute: 30 })), '2026-11-01T05:30:00.000Z', 'New York overlap: EDT');
  t.equal(iso(zonedTimeToUtcMs('Australia/Lord_Howe', '2026-10-04', { hour: 2, minute: 15 })), '2026-10-03T15:45:00.000Z', 'half-hour DST gap: 02:45 +11');
});

t.test('half-hour offset (Asia/Kolkata) and southern-hemisphere DST (Australia/Sydney starts 2026-10-04)', async (t) => {
  t.equal(iso(zonedTimeToUtcMs('Asia/Kolkata', '2026-06-01', at15)), '2026-06-01T09:30:00.000Z');
  t.equal(iso(zonedTimeToUtcMs('Asia/Kolkata', '2026-01-01', { hour: 0, minute: 0 })), '2025-12-31T18:30:00.000Z', 'local midnight is the previous UTC day');
  t.equal(iso(zonedTimeToUtcMs('Australia/Sydney', '2026-10-03', at15)), '2026-10-03T05:00:00.000Z', 'AEST before DST starts');
  t.equal(iso(zonedTimeToUtcMs('Australia/Sydney', '2026-10-04', at15)), '2026-10-04T04:00:00.000Z', 'AEDT from 4 October');
  t.equal(iso(zonedTimeToUtcMs('Australia/Sydney', '2026-10-04', { hour: 2, minute: 30 })), '2026-10-03T16:30:00.000Z', 'Sydney gap: 03:30 AEDT');
  t.equal(iso(zonedTimeToUtcMs('Australia/Sydney', '2026-04-05', { hour: 2, minute: 30 })), '2026-04-04T15:30:00.000Z', 'Sydney overlap: AEDT');
});

// Brute force: walk the instants around a transition, note the first instant each wall time
// is shown, and require the conversion to agree; wall times never shown must move forward
// by exactly the gap.
const transitions: Array<[zone: string, date: string, gapMinutes: number]> = [
  ['Europe/Berlin', '2026-03-29', 60],
  ['Europe/Berlin', '2026-10-25', 0],
  ['America/New_York', '2026-03-08', 60],
  ['America/New_York', '2026-11-01', 0],
  ['Australia/Sydney', '2026-10-04', 60],
  ['Australia/Sydney', '2026-04-05', 0],
  ['Australia/Lord_Howe', '2026-10-04', 30],
  ['Australia/Lord_Howe', '2026-04-05', 0],
  ['Pacific/Chatham', '2026-09-27', 60],
  ['Pacific/Chatham', '2026-04-05', 0],
  ['America/Sao_Paulo', '2018-11-04', 60], // spring-forward at midnight: 00:00..00:59 never exist
  ['America/Sao_Paulo', '2019-02-16', 0], // fall-back from 00:00 of the 17th to 23:00 of the 16th
  ['Asia/Kolkata', '2026-06-01', 0],
];
for (const [zone, date, gapMinutes] of transitions) {
  t.test(`${zone} ${date}: every quarter hour converts to the first instant the clock shows it, gaps shift forward ${gapMinutes} min`, async (t) => {
    const firstSeen = new Map<string, number>();
    const startMs = Date.parse(`${addDays(date, -1)}T00:00:00Z`);
    for (let u = startMs; u < startMs + 3 * 86_400_000; u += 15 * 60_000) {
      const w = wallAt(zone, u);
      if (!firstSeen.has(w)) firstSeen.set(w, u);
    }
    let gaps = 0;
    for (let m = 0; m < 24 * 60; m += 15) {
      const wall = `${date} ${hhmm(m)}`;
      const got = zonedTimeToUtcMs(zone, date, { hour: Math.floor(m / 60), minute: m % 60 });
      const seen = firstSeen.get(wall);
      if (seen !== undefined) {
        if (got !== seen) t.fail(`${wall} → ${iso(got)}, expected ${iso(seen)}`);
      } else {
        gaps++;
        const shifted = wallAt(zone, got);
        if (shifted !== `${date} ${hhmm(m + gapMinutes)}`) t.fail(`${wall} is in the gap → ${shifted}, expected +${gapMinutes} min`);
      }
    }
    t.equal(gaps * 15, gapMinutes, 'gap length matches the zone rules');
  });
}

t.test('every day of 2026 in many zones: draw time round-trips to its business date and wall clock', async (t) => {
  const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'America/Los_Angeles', 'Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Sydney', 'Pacific/Auckland', 'Pacific/Kiritimati', 'Pacific/Pago_Pago'];
  let failures = 0;
  for (const zone of zones) {
    for (let date = '2026-01-01'; date <= '2026-12-31'; date = addDays(date, 1)) {
      for (const time of [{ hour: 0, minute: 1 }, at16, { hour: 23, minute: 59 }]) {
        const ms = zonedTimeToUtcMs(zone, date, time);
        if (localDateOf(zone, ms) !== date || wallAt(zone, ms) !== `${date} ${hhmm(time.hour * 60 + time.minute)}`) failures++;
      }
    }
  }
  t.equal(failures, 0);
});

t.test('upcomingDraws: consecutive draws across spring-forward, sales open at the previous draw time', async (t) => {
  const draws = upcomingDraws(berlin, Date.parse('2026-03-27T16:00:00Z'), 3);
  t.same(
    draws.map((d) => [d.businessDate, iso(d.openAtMs), iso(d.cutoffAtMs), iso(d.drawAtMs)]),
    [
      ['2026-03-28', '2026-03-27T15:00:00.000Z', '2026-03-28T14:00:00.000Z', '2026-03-28T15:00:00.000Z'],
      ['2026-03-29', '2026-03-28T15:00:00.000Z', '2026-03-29T13:00:00.000Z', '2026-03-29T14:00:00.000Z'],
      ['2026-03-30', '2026-03-29T14:00:00.000Z', '2026-03-30T13:00:00.000Z', '2026-03-30T14:00:00.000Z'],
    ],
  );
});

t.test('upcomingDraws: fromMs exactly at a draw time includes that draw; one ms later excludes it; between cutoff and draw still includes it', async (t) => {
  t.equal(upcomingDraws(berlin, Date.parse('2026-03-28T15:00:00Z'), 1)[0].businessDate, '2026-03-28');
  t.equal(upcomingDraws(berlin, Date.parse('2026-03-28T15:00:00.001Z'), 1)[0].businessDate, '2026-03-29');
  t.equal(upcomingDraws(berlin, Date.parse('2026-03-28T14:30:00Z'), 1)[0].businessDate, '2026-03-28');
});

t.test('upcomingDraws over a full year: no sales hole or overlap, one-hour cutoff-to-draw, dates consecutive, through both DST changes', async (t) => {
  const draws = upcomingDraws(berlin, Date.parse('2026-01-01T00:00:00Z'), 366);
  t.equal(draws.length, 366);
  t.equal(draws[0].businessDate, '2026-01-01');
  t.equal(draws[365].businessDate, '2027-01-01');
  let bad = 0;
  for (let i = 0; i < draws.length; i++) {
    const d = draws[i];
    if (d.drawAtMs - d.cutoffAtMs !== 3_600_000 || d.openAtMs >= d.cutoffAtMs) bad++;
    if (localDateOf('Europe/Berlin', d.drawAtMs) !== d.businessDate) bad++;
    if (i > 0 && (d.openAtMs !== draws[i - 1].drawAtMs || d.businessDate !== addDays(draws[i - 1].businessDate, 1))) bad++;
  }
  t.equal(bad, 0);
});

t.test('weekdays filter (Wed and Sat only): other days skipped, sales open at the previous draw day', async (t) => {
  const s: DailySchedule = { ...berlin, weekdays: [3, 6] };
  const draws = upcomingDraws(s, Date.parse('2026-11-23T00:00:00Z'), 3); // a Monday
  t.same(draws.map((d) => d.businessDate), ['2026-11-25', '2026-11-28', '2026-12-02']);
  t.equal(iso(draws[0].openAtMs), '2026-11-21T15:00:00.000Z', 'Wednesday sales open at Saturday’s draw');
  t.equal(draws[1].openAtMs, draws[0].drawAtMs, 'Saturday sales open at Wednesday’s draw');
  const afterWed = upcomingDraws(s, draws[0].drawAtMs + 1, 1);
  t.equal(afterWed[0].businessDate, '2026-11-28', 'just after Wednesday’s draw the next is Saturday');
  const weekly = upcomingDraws({ ...berlin, weekdays: [7] }, Date.parse('2026-03-23T00:00:00Z'), 2);
  t.same(weekly.map((d) => d.businessDate), ['2026-03-29', '2026-04-05'], 'a single weekday: a draw a week');
  t.equal(iso(weekly[0].openAtMs), '2026-03-22T15:00:00.000Z', 'opens at last Sunday’s draw, before the DST change');
});

t.test('zones far east of UTC find today’s draw even when it is yesterday in UTC', async (t) => {
  const s: DailySchedule = { timeZone: 'Pacific/Auckland', cutoff: { hour: 9, minute: 0 }, draw: { hour: 10, minute: 0 } };
  const [next] = upcomingDraws(s, Date.parse('2026-06-01T20:00:00Z'), 1); // 08:00 on 2 June in Auckland
  t.equal(next.businessDate, '2026-06-02');
  t.equal(iso(next.drawAtMs), '2026-06-01T22:00:00.000Z');
});

t.test('a draw whose local time does not exist (midnight DST in Sao Paulo) still belongs to its business date', async (t) => {
  const s: DailySchedule = { timeZone: 'America/Sao_Paulo', cutoff: { hour: 0, minute: 0 }, draw: { hour: 0, minute: 30 } };
  const [d] = upcomingDraws(s, Date.parse('2018-11-04T02:00:00Z'), 1);
  t.equal(d.businessDate, '2018-11-04');
  t.equal(iso(d.cutoffAtMs), '2018-11-04T03:00:00.000Z', '00:00 does not exist: 01:00 -02');
  t.equal(iso(d.drawAtMs), '2018-11-04T03:30:00.000Z', '00:30 does not exist: 01:30 -02');
});

t.test('a draw pushed past midnight by a gap (America/Nuuk, 23:00 -> 00:00) is still found just after local midnight', async (t) => {
  const s: DailySchedule = { timeZone: 'America/Nuuk', cutoff: { hour: 23, minute: 0 }, draw: { hour: 23, minute: 30 } };
  const [sat, sun] = upcomingDraws(s, Date.parse('2026-03-29T01:10:00Z'), 2); // Sunday 00:10 local
  t.equal(sat.businessDate, '2026-03-28', 'Saturday’s draw has not happened yet');
  t.equal(iso(sat.cutoffAtMs), '2026-03-29T01:00:00.000Z', '23:00 does not exist: 00:00 Sunday -01');
  t.equal(iso(sat.drawAtMs), '2026-03-29T01:30:00.000Z', '23:30 does not exist: 00:30 Sunday -01');
  t.equal(sun.businessDate, '2026-03-29');
  t.equal(sun.openAtMs, sat.drawAtMs);
});

t.test('a calendar date the zone skips entirely (Pacific/Apia 2011-12-30) has no draw, so no two draws share an instant', async (t) => {
  const s: DailySchedule = { timeZone: 'Pacific/Apia', cutoff: at15, draw: at16 };
  const daily = upcomingDraws(s, Date.parse('2011-12-28T00:00:00Z'), 4);
  t.same(daily.map((d) => d.businessDate), ['2011-12-27', '2011-12-28', '2011-12-29', '2011-12-31']);
  t.equal(iso(daily[3].openAtMs), '2011-12-30T02:00:00.000Z', '31 December opens at the 29th’s draw (16:00 -10)');
  t.equal(iso(daily[3].drawAtMs), '2011-12-31T02:00:00.000Z', '16:00 +14');
  const fridays = upcomingDraws({ ...s, weekdays: [5] }, Date.parse('2011-12-20T00:00:00Z'), 3);
  t.same(fridays.map((d) => d.businessDate), ['2011-12-23', '2012-01-06', '2012-01-13'], 'a weekly draw on the skipped Friday moves to none, not a crash');
  t.equal(fridays[1].openAtMs, fridays[0].drawAtMs, 'sales stay open across the skipped week');
});

t.test('more zones than the formatter cache holds still convert correctly after eviction', async (t) => {
  const zones = Intl.supportedValuesOf('timeZone');
  t.ok(zones.length > 64 * 2, 'enough zones to evict repeatedly');
  let bad = 0;
  for (let round = 0; round < 2; round++) {
    for (const zone of zones) {
      const ms = zonedTimeToUtcMs(zone, '2026-07-15', { hour: 12, minute: 0 });
      if (wallAt(zone, ms) !== '2026-07-15 12:00') bad++;
    }
  }
  t.equal(bad, 0);
});

t.test('invalid zones, times, weekdays, counts and dates are refused with RangeError', async (t) => {
  const bad = (s: unknown) => s as DailySchedule;
  t.throws(() => validateSchedule({ ...berlin, timeZone: 'Mars/Olympus' }), RangeError, 'unknown zone');
  t.throws(() => validateSchedule(bad({ ...berlin, timeZone: undefined })), RangeError, 'missing zone is not the host zone');
  t.throws(() => validateSchedule({ ...berlin, timeZone: '' }), RangeError, 'empty zone');
  t.throws(() => validateSchedule({ ...berlin, draw: at15 }), RangeError, 'draw must follow cutoff');
  t.throws(() => validateSchedule({ ...berlin, cutoff: { hour: 17, minute: 0 } }), RangeError, 'cutoff after draw');
  t.throws(() => validateSchedule({ ...berlin, cutoff: { hour: 24, minute: 0 } }), RangeError, 'hour 24');
  t.throws(() => validateSchedule({ ...berlin, cutoff: { hour: 14, minute: 60 } }), RangeError, 'minute 60');
  t.throws(() => validateSchedule({ ...berlin, cutoff: { hour: 14.5, minute: 0 } }), RangeError, 'fractional hour');
  t.throws(() => validateSchedule(bad({ ...berlin, cutoff: undefined })), RangeError, 'missing cutoff');
  t.throws(() => validateSchedule(bad(null)), RangeError, 'not an object');
  t.throws(() => validateSchedule({ ...berlin, weekdays: [] }), RangeError, 'no weekdays');
  t.throws(() => validateSchedule({ ...berlin, weekdays: [1, 1] }), RangeError, 'duplicate weekday');
  t.throws(() => validateSchedule({ ...berlin, weekdays: [0] }), RangeError, 'weekday 0');
  t.throws(() => validateSchedule({ ...berlin, weekdays: [8] }), RangeError, 'weekday 8');
  t.throws(() => validateSchedule(bad({ ...berlin, weekdays: '3' })), RangeError, 'weekdays not an array');
  t.doesNotThrow(() => validateSchedule({ ...berlin, weekdays: [1, 7] }));

  const now = Date.parse('2026-05-01T00:00:00Z');
  t.throws(() => upcomingDraws({ ...berlin, timeZone: 'Nowhere/Land' }, now, 1), RangeError, 'upcomingDraws validates the zone');
  t.throws(() => upcomingDraws(berlin, now, 0), RangeError, 'count 0');
  t.throws(() => upcomingDraws(berlin, now, 367), RangeError, 'count 367');
  t.throws(() => upcomingDraws(berlin, now, 1.5), RangeError, 'fractional count');
  t.throws(() => upcomingDraws(berlin, now, Number.NaN), RangeError, 'NaN count');
  t.throws(() => upcomingDraws(berlin, Number.NaN, 1), RangeError, 'NaN fromMs');
  t.equal(upcomingDraws(berlin, now, 1).length, 1, 'count 1 accepted');

  t.throws(() => zonedTimeToUtcMs('Europe/Berlin', '2026-02-30', at15), RangeError, 'nonexistent date');
  t.throws(() => zonedTimeToUtcMs('Europe/Berlin', '2026-2-3', at15), RangeError, 'unpadded date');
  t.throws(() => zonedTimeToUtcMs('Europe/Berlin', '0050-01-01', at15), RangeError, 'years before 1000 are out of range');
  t.throws(() => zonedTimeToUtcMs('Europe/Berlin', '2026-01-01', { hour: 24, minute: 0 }), RangeError, '24:00 is not silently tomorrow');
  t.throws(() => zonedTimeToUtcMs('Mars/Olympus', '2026-01-01', at15), RangeError, 'unknown zone in conversion');
  t.throws(() => zonedTimeToUtcMs(undefined as unknown as string, '2026-01-01', at15), RangeError, 'missing zone in conversion');
  t.throws(() => localDateOf('Europe/Berlin', Number.NaN), RangeError, 'NaN instant');
});

t.test('localDateOf flips exactly at local midnight', async (t) => {
  t.equal(localDateOf('Europe/Berlin', Date.parse('2026-12-31T22:59:59.999Z')), '2026-12-31');
  t.equal(localDateOf('Europe/Berlin', Date.parse('2026-12-31T23:00:00Z')), '2027-01-01');
  t.equal(localDateOf('America/New_York', Date.parse('2027-01-01T04:59:59Z')), '2026-12-31');
  t.equal(localDateOf('America/New_York', Date.parse('2027-01-01T05:00:00Z')), '2027-01-01');
  t.equal(localDateOf('Asia/Kolkata', Date.parse('2026-06-01T18:29:59Z')), '2026-06-01');
  t.equal(localDateOf('Asia/Kolkata', Date.parse('2026-06-01T18:30:00Z')), '2026-06-02');
  t.equal(localDateOf('Europe/Berlin', Date.parse('2026-03-28T23:00:00Z')), '2026-03-29', 'midnight on spring-forward day is still CET');
});

t.test('addDays is calendar arithmetic across month, year and leap-day boundaries', async (t) => {
  t.equal(addDays('2028-02-28', 1), '2028-02-29', 'leap year');
  t.equal(addDays('2028-02-29', 1), '2028-03-01');
  t.equal(addDays('2027-02-28', 1), '2027-03-01', 'common year');
  t.equal(addDays('2100-02-28', 1), '2100-03-01', 'century, not a leap year');
  t.equal(addDays('2000-02-28', 1), '2000-02-29', '400-year, a leap year');
  t.equal(addDays('2026-12-31', 1), '2027-01-01');
  t.equal(addDays('2027-01-01', -1), '2026-12-31');
  t.equal(addDays('2026-03-01', -1), '2026-02-28');
  t.equal(addDays('2026-03-28', 1), '2026-03-29', 'DST days are ordinary calendar days');
  t.equal(addDays('2026-01-31', 0), '2026-01-31');
  t.equal(addDays('2026-01-01', 365), '2027-01-01');
  t.equal(addDays('2028-01-01', 366), '2029-01-01');
  t.throws(() => addDays('2026-01-01', 1.5), RangeError, 'fractional days');
  t.throws(() => addDays('2026-01-01', 1e12), RangeError, 'beyond the supported range');
  t.throws(() => addDays('9999-12-31', 1), RangeError, 'past year 9999');
});

t.test('schedule input is not mutated', async (t) => {
  const s: DailySchedule = { timeZone: 'Europe/Berlin', cutoff: { hour: 15, minute: 0 }, draw: { hour: 16, minute: 0 }, weekdays: [6, 3] };
  const before = JSON.stringify(s);
  upcomingDraws(s, Date.parse('2026-01-01T00:00:00Z'), 10);
  t.equal(JSON.stringify(s), before);
});

// ---- several draws a day ----

const hm = (hour: number, minute: number): LocalTime => ({ hour, minute });
const slot = (cutoff: LocalTime, draw: LocalTime, weekdays?: number[]): DrawSlot => ({ cutoff, draw, ...(weekdays ? { weekdays } : {}) });
/** [businessDate, slot, openAt, cutoffAt, drawAt] of each draw, instants as ISO strings. */
const rows = (draws: DrawTimes[]) => draws.map((d) => [d.businessDate, d.slot, iso(d.openAtMs), iso(d.cutoffAtMs), iso(d.drawAtMs)]);
const pick3Berlin: DailySchedule = { timeZone: 'Europe/Berlin', slots: [slot(hm(13, 0), hm(13, 30)), slot(hm(21, 0), hm(21, 30))] };

t.test('two draws a day in Berlin across spring-forward: CET then CEST, each draw opens at the one before', async (t) => {
  t.same(rows(upcomingDraws(pick3Berlin, Date.parse('2026-03-28T00:00:00Z'), 5)), [
    ['2026-03-28', 0, '2026-03-27T20:30:00.000Z', '2026-03-28T12:00:00.000Z', '2026-03-28T12:30:00.000Z'],
    ['2026-03-28', 1, '2026-03-28T12:30:00.000Z', '2026-03-28T20:00:00.000Z', '2026-03-28T20:30:00.000Z'],
    ['2026-03-29', 0, '2026-03-28T20:30:00.000Z', '2026-03-29T11:00:00.000Z', '2026-03-29T11:30:00.000Z'],
    ['2026-03-29', 1, '2026-03-29T11:30:00.000Z', '2026-03-29T19:00:00.000Z', '2026-03-29T19:30:00.000Z'],
    ['2026-03-30', 0, '2026-03-29T19:30:00.000Z', '2026-03-30T11:00:00.000Z', '2026-03-30T11:30:00.000Z'],
  ]);
});

t.test('two draws a day in Berlin across fall-back: CEST then CET', async (t) => {
  t.same(rows(upcomingDraws(pick3Berlin, Date.parse('2026-10-24T12:00:00Z'), 4)), [
    ['2026-10-24', 1, '2026-10-24T11:30:00.000Z', '2026-10-24T19:00:00.000Z', '2026-10-24T19:30:00.000Z'],
    ['2026-10-25', 0, '2026-10-24T19:30:00.000Z', '2026-10-25T12:00:00.000Z', '2026-10-25T12:30:00.000Z'],
    ['2026-10-25', 1, '2026-10-25T12:30:00.000Z', '2026-10-25T20:00:00.000Z', '2026-10-25T20:30:00.000Z'],
    ['2026-10-26', 0, '2026-10-25T20:30:00.000Z', '2026-10-26T12:00:00.000Z', '2026-10-26T12:30:00.000Z'],
  ]);
});

// New York, three draws a day, one of them inside the 02:00..02:59 hour that is skipped on
// 2026-03-08 and the 01:00..01:59 hour that happens twice on 2026-11-01.
const newYork3: DailySchedule = {
  timeZone: 'America/New_York',
  slots: [slot(hm(1, 0), hm(1, 30)), slot(hm(2, 15), hm(2, 45)), slot(hm(19, 0), hm(19, 30))],
};

t.test('New York spring-forward: a slot in the skipped hour moves forward by it and still takes place', async (t) => {
  t.same(rows(upcomingDraws(newYork3, Date.parse('2026-03-07T12:00:00Z'), 5)), [
    ['2026-03-07', 2, '2026-03-07T07:45:00.000Z', '2026-03-08T00:00:00.000Z', '2026-03-08T00:30:00.000Z'], // 19:30 EST
    ['2026-03-08', 0, '2026-03-08T00:30:00.000Z', '2026-03-08T06:00:00.000Z', '2026-03-08T06:30:00.000Z'], // 01:30 EST
    ['2026-03-08', 1, '2026-03-08T06:30:00.000Z', '2026-03-08T07:15:00.000Z', '2026-03-08T07:45:00.000Z'], // 02:15/02:45 do not exist: 03:15/03:45 EDT
    ['2026-03-08', 2, '2026-03-08T07:45:00.000Z', '2026-03-08T23:00:00.000Z', '2026-03-08T23:30:00.000Z'], // 19:30 EDT
    ['2026-03-09', 0, '2026-03-08T23:30:00.000Z', '2026-03-09T05:00:00.000Z', '2026-03-09T05:30:00.000Z'], // 01:30 EDT
  ]);
});

t.test('New York fall-back: a slot in the repeated hour takes the first one (EDT), the next slot is EST', async (t) => {
  t.same(rows(upcomingDraws(newYork3, Date.parse('2026-10-31T12:00:00Z'), 4)), [
    ['2026-10-31', 2, '2026-10-31T06:45:00.000Z', '2026-10-31T23:00:00.000Z', '2026-10-31T23:30:00.000Z'], // 19:30 EDT
    ['2026-11-01', 0, '2026-10-31T23:30:00.000Z', '2026-11-01T05:00:00.000Z', '2026-11-01T05:30:00.000Z'], // 01:00/01:30 EDT, the first time round
    ['2026-11-01', 1, '2026-11-01T05:30:00.000Z', '2026-11-01T07:15:00.000Z', '2026-11-01T07:45:00.000Z'], // 02:15/02:45 EST
    ['2026-11-01', 2, '2026-11-01T07:45:00.000Z', '2026-11-02T00:00:00.000Z', '2026-11-02T00:30:00.000Z'], // 19:30 EST
  ]);
});

t.test('Sydney (southern hemisphere) two draws a day: DST starts 2026-10-04 and ends 2026-04-05', async (t) => {
  const sydney: DailySchedule = { timeZone: 'Australia/Sydney', slots: [slot(hm(10, 0), hm(10, 30)), slot(hm(20, 0), hm(20, 30))] };
  t.same(rows(upcomingDraws(sydney, Date.parse('2026-10-03T00:00:00Z'), 4)), [
    ['2026-10-03', 0, '2026-10-02T10:30:00.000Z', '2026-10-03T00:00:00.000Z', '2026-10-03T00:30:00.000Z'], // AEST +10
    ['2026-10-03', 1, '2026-10-03T00:30:00.000Z', '2026-10-03T10:00:00.000Z', '2026-10-03T10:30:00.000Z'],
    ['2026-10-04', 0, '2026-10-03T10:30:00.000Z', '2026-10-03T23:00:00.000Z', '2026-10-03T23:30:00.000Z'], // AEDT +11
    ['2026-10-04', 1, '2026-10-03T23:30:00.000Z', '2026-10-04T09:00:00.000Z', '2026-10-04T09:30:00.000Z'],
  ]);
  t.same(rows(upcomingDraws(sydney, Date.parse('2026-04-04T00:00:00Z'), 3)), [
    ['2026-04-04', 1, '2026-04-03T23:30:00.000Z', '2026-04-04T09:00:00.000Z', '2026-04-04T09:30:00.000Z'], // AEDT +11
    ['2026-04-05', 0, '2026-04-04T09:30:00.000Z', '2026-04-05T00:00:00.000Z', '2026-04-05T00:30:00.000Z'], // AEST +10
    ['2026-04-05', 1, '2026-04-05T00:30:00.000Z', '2026-04-05T10:00:00.000Z', '2026-04-05T10:30:00.000Z'],
  ]);
});

// Berlin 02:15/02:45 does not exist on 2026-03-29; moved forward an hour it would be
// 03:15/03:45, inside the 03:00/03:30 draw's window. The draw at real times wins.
const berlinGap: DailySchedule = { timeZone: 'Europe/Berlin', slots: [slot(hm(2, 15), hm(2, 45)), slot(hm(3, 0), hm(3, 30))] };

t.test('a slot moved by a gap into the next slot’s window gives way that day; the next opens at the last draw', async (t) => {
  t.same(rows(upcomingDraws(berlinGap, Date.parse('2026-03-28T00:00:00Z'), 4)), [
    ['2026-03-28', 0, '2026-03-27T02:30:00.000Z', '2026-03-28T01:15:00.000Z', '2026-03-28T01:45:00.000Z'], // CET
    ['2026-03-28', 1, '2026-03-28T01:45:00.000Z', '2026-03-28T02:00:00.000Z', '2026-03-28T02:30:00.000Z'],
    ['2026-03-29', 1, '2026-03-28T02:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-29T01:30:00.000Z'], // 03:00/03:30 CEST; slot 0 gave way
    ['2026-03-30', 0, '2026-03-29T01:30:00.000Z', '2026-03-30T00:15:00.000Z', '2026-03-30T00:45:00.000Z'], // CEST
  ]);
  // Fall-back: 02:15/02:45 happen twice, the first (CEST) is taken; 03:00 is CET.
  t.same(rows(upcomingDraws(berlinGap, Date.parse('2026-10-25T00:00:00Z'), 2)), [
    ['2026-10-25', 0, '2026-10-24T01:30:00.000Z', '2026-10-25T00:15:00.000Z', '2026-10-25T00:45:00.000Z'],
    ['2026-10-25', 1, '2026-10-25T00:45:00.000Z', '2026-10-25T02:00:00.000Z', '2026-10-25T02:30:00.000Z'],
  ]);
});

t.test('a one-draw day whose cutoff is skipped and whose draw is not has no draw that day, never cutoff after draw', async (t) => {
  // 02:30 does not exist on 2026-03-29 (-> 03:30 CEST) but 03:00 does: cutoff would follow the draw.
  const s: DailySchedule = { timeZone: 'Europe/Berlin', cutoff: hm(2, 30), draw: hm(3, 0) };
  t.same(rows(upcomingDraws(s, Date.parse('2026-03-28T00:00:00Z'), 2)), [
    ['2026-03-28', 0, '2026-03-27T02:00:00.000Z', '2026-03-28T01:30:00.000Z', '2026-03-28T02:00:00.000Z'],
    ['2026-03-30', 0, '2026-03-28T02:00:00.000Z', '2026-03-30T00:30:00.000Z', '2026-03-30T01:00:00.000Z'],
  ]);
  // Weekly on Sundays: the 29 March draw gives way, so 5 April's sales open at 22 March's draw.
  const weekly: DailySchedule = { ...s, weekdays: [7] };
  const expected = [['2026-04-05', 0, '2026-03-22T02:00:00.000Z', '2026-04-05T00:30:00.000Z', '2026-04-05T01:00:00.000Z']];
  t.same(rows(upcomingDraws(weekly, Date.parse('2026-03-22T12:00:00Z'), 1)), expected, 'planned before the DST week');
  t.same(rows(upcomingDraws(weekly, Date.parse('2026-03-31T12:00:00Z'), 1)), expected, 'planned after the draw that gave way');
});

// Nuuk jumps 23:00 -> 00:00 on Saturday 2026-03-28: Saturday's 23:10/23:40 move past
// midnight onto Sunday's 00:10/00:20 draw (-01), which exists, so Saturday's gives way.
const nuuk: DailySchedule = { timeZone: 'America/Nuuk', slots: [slot(hm(0, 10), hm(0, 20)), slot(hm(23, 10), hm(23, 40))] };
const nuukExpected = [
  ['2026-03-27', 1, '2026-03-27T02:20:00.000Z', '2026-03-28T01:10:00.000Z', '2026-03-28T01:40:00.000Z'], // -02
  ['2026-03-28', 0, '2026-03-28T01:40:00.000Z', '2026-03-28T02:10:00.000Z', '2026-03-28T02:20:00.000Z'],
  ['2026-03-29', 0, '2026-03-28T02:20:00.000Z', '2026-03-29T01:10:00.000Z', '2026-03-29T01:20:00.000Z'], // -01; Saturday 23:40 gave way
  ['2026-03-29', 1, '2026-03-29T01:20:00.000Z', '2026-03-30T00:10:00.000Z', '2026-03-30T00:40:00.000Z'],
];

t.test('a draw moved past midnight into the next day’s first draw gives way to it (America/Nuuk)', async (t) => {
  t.same(rows(upcomingDraws(nuuk, Date.parse('2026-03-27T12:00:00Z'), 4)), nuukExpected);
  t.same(rows(upcomingDraws(nuuk, Date.parse('2026-03-29T01:15:00Z'), 1)), [nuukExpected[2]], 'between Sunday’s cutoff and draw');
});

t.test('the draws from any instant are the tail of one sequence: gap decisions do not depend on where planning starts', async (t) => {
  // Three days around each transition, planned from many instants: every 17 minutes, and
  // 1 ms before, at and after each draw. Each must see the reference's next draws.
  const cases: Array<[DailySchedule, string]> = [
    [berlinGap, '2026-03-28T00:00:00Z'],
    [nuuk, '2026-03-27T12:00:00Z'],
    [newYork3, '2026-03-07T00:00:00Z'],
    [newYork3, '2026-10-31T00:00:00Z'],
  ];
  for (const [s, startIso] of cases) {
    const startMs = Date.parse(startIso);
    const endMs = startMs + 3 * 86_400_000;
    const all = upcomingDraws(s, startMs, 20);
    t.ok(all[all.length - 1].drawAtMs > endMs + 86_400_000, 'the reference reaches past the window');
    const instants: number[] = [];
    for (let fromMs = startMs; fromMs < endMs; fromMs += 17 * 60_000) instants.push(fromMs);
    for (const d of all) if (d.drawAtMs < endMs) instants.push(d.drawAtMs - 1, d.drawAtMs, d.drawAtMs + 1);
    let bad = 0;
    for (const fromMs of instants) {
      const i = all.findIndex((d) => d.drawAtMs >= fromMs);
      if (JSON.stringify(upcomingDraws(s, fromMs, 3)) !== JSON.stringify(all.slice(i, i + 3))) bad++;
    }
    t.equal(bad, 0, `${s.timeZone} from ${startIso}`);
  }
});

t.test('per-slot weekdays: a slot’s own weekdays override the schedule’s; sales open at whichever draw came last', async (t) => {
  const s: DailySchedule = {
    timeZone: 'Europe/Berlin',
    weekdays: [6],
    slots: [slot(hm(12, 0), hm(12, 30), [3, 1]), slot(hm(18, 0), hm(19, 0))],
  };
  t.same(rows(upcomingDraws(s, Date.parse('2026-11-23T00:00:00Z'), 4)), [
    ['2026-11-23', 0, '2026-11-21T18:00:00.000Z', '2026-11-23T11:00:00.000Z', '2026-11-23T11:30:00.000Z'], // Mon; opens at Saturday's 19:00
    ['2026-11-25', 0, '2026-11-23T11:30:00.000Z', '2026-11-25T11:00:00.000Z', '2026-11-25T11:30:00.000Z'], // Wed
    ['2026-11-28', 1, '2026-11-25T11:30:00.000Z', '2026-11-28T17:00:00.000Z', '2026-11-28T18:00:00.000Z'], // Sat, the schedule's weekday
    ['2026-11-30', 0, '2026-11-28T18:00:00.000Z', '2026-11-30T11:00:00.000Z', '2026-11-30T11:30:00.000Z'], // Mon
  ]);
  t.same(scheduleSlots(s), [slot(hm(12, 0), hm(12, 30), [1, 3]), slot(hm(18, 0), hm(19, 0), [6])], 'slots with the weekdays they really run on');
  t.same(scheduleSlots(berlin), [slot(at15, at16)], 'the one-draw shorthand is one slot, every day');
});

t.test('several draws a day over a year: strictly increasing, no hole or overlap, every slot every day', async (t) => {
  const draws = upcomingDraws(pick3Berlin, Date.parse('2026-01-01T00:00:00Z'), 366);
  let bad = 0;
  for (let i = 0; i < draws.length; i++) {
    const d = draws[i];
    if (d.slot !== i % 2 || d.drawAtMs - d.cutoffAtMs !== 30 * 60_000 || d.openAtMs >= d.cutoffAtMs) bad++;
    if (wallAt('Europe/Berlin', d.drawAtMs) !== `${d.businessDate} ${d.slot === 0 ? '13:30' : '21:30'}`) bad++;
    if (i > 0 && (d.openAtMs !== draws[i - 1].drawAtMs || d.drawAtMs <= draws[i - 1].drawAtMs)) bad++;
  }
  t.equal(bad, 0);
  t.equal(draws[365].businessDate, '2026-07-02', '183 days of two draws');
});

t.test('invalid slots are refused with RangeError and a message that names the slot', async (t) => {
  const bad = (s: unknown) => s as DailySchedule;
  const z = { timeZone: 'Europe/Berlin' };
  const cases: Array<[unknown, RegExp]> = [
    [{ ...z, slots: [] }, /slots must be an array of 1\.\.96/],
    [{ ...z, slots: 'x' }, /slots must be an array/],
    [{ ...z, slots: Array.from({ length: DRAW_SLOTS_PER_DAY_MAX + 1 }, (_, i) => slot(hm(0, i), hm(0, i + 1))) }, /slots must be an array of 1\.\.96/],
    [{ ...z, slots: [null] }, /slots\[0\] must be an object/],
    [{ ...z, slots: [slot(hm(13, 0), hm(13, 0))] }, /slots\[0\]\.draw must be after slots\[0\]\.cutoff/],
    [{ ...z, slots: [slot(hm(13, 0), hm(12, 0))] }, /slots\[0\]\.draw must be after/],
    [{ ...z, slots: [slot(hm(13, 0), hm(13, 30)), slot(hm(13, 30), hm(14, 0))] }, /slots\[1\]\.cutoff must be after slots\[0\]\.draw/],
    [{ ...z, slots: [slot(hm(13, 0), hm(13, 30)), slot(hm(13, 15), hm(14, 0))] }, /slots\[1\]\.cutoff must be after slots\[0\]\.draw/],
    [{ ...z, slots: [slot(hm(21, 0), hm(21, 30)), slot(hm(13, 0), hm(13, 30))] }, /slots\[1\]\.cutoff must be after slots\[0\]\.draw/],
    [{ ...z, slots: [slot(hm(13, 0), hm(24, 0))] }, /slots\[0\]\.draw must be a local time/],
    [{ ...z, slots: [{ draw: hm(13, 0) }] }, /slots\[0\]\.cutoff must be a local time/],
    [{ ...z, slots: [slot(hm(13, 0), hm(13, 30), [])] }, /slots\[0\]\.weekdays must be distinct ISO weekdays/],
    [{ ...z, slots: [slot(hm(13, 0), hm(13, 30), [8])] }, /slots\[0\]\.weekdays/],
    [{ ...z, slots: [slot(hm(13, 0), hm(13, 30), [2, 2])] }, /slots\[0\]\.weekdays/],
    [{ ...z, cutoff: at15, draw: at16, slots: [slot(hm(13, 0), hm(13, 30))] }, /either cutoff and draw .* or slots, not both/],
    [{ ...z, slots: [slot(hm(13, 0), hm(13, 30))], weekdays: [0] }, /^weekdays must be distinct/],
  ];
  for (const [s, message] of cases) {
    t.throws(() => validateSchedule(bad(s)), { name: 'RangeError', message }, JSON.stringify(s).slice(0, 120));
    t.throws(() => upcomingDraws(bad(s), Date.parse('2026-05-01T00:00:00Z'), 1), RangeError, 'upcomingDraws validates too');
  }
  t.doesNotThrow(() => validateSchedule({ ...z, slots: [slot(hm(13, 0), hm(13, 30)), slot(hm(13, 31), hm(14, 0))] }), 'a minute apart is enough');
  t.doesNotThrow(() => validateSchedule({ ...z, slots: Array.from({ length: DRAW_SLOTS_PER_DAY_MAX }, (_, i) => slot(hm(Math.floor(i / 4), (i % 4) * 15), hm(Math.floor(i / 4), (i % 4) * 15 + 10))) }), '96 slots');
});

t.test('a slots schedule is not mutated and scheduleSlots returns copies', async (t) => {
  const s: DailySchedule = { timeZone: 'Europe/Berlin', weekdays: [7, 1], slots: [slot(hm(13, 0), hm(13, 30), [5, 2]), slot(hm(21, 0), hm(21, 30))] };
  const before = JSON.stringify(s);
  upcomingDraws(s, Date.parse('2026-01-01T00:00:00Z'), 10);
  const copy = scheduleSlots(s);
  copy[0].cutoff.hour = 3;
  copy[0].weekdays!.push(6);
  copy[1].weekdays!.push(6);
  t.equal(JSON.stringify(s), before);
});

// Keep the LocalTime type in use so its export is checked by the compiler here too.
const _typed: LocalTime = at15;
void _typed;
