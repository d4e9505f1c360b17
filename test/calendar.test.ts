// A game and the schedule mode give the draws the scheduler creates: times, ids, the catalogue.
import t from 'tap';
import { loadConfig } from '../app/config.ts';
import {
  DEMO_PERIOD_SECONDS_DEFAULT,
  DRAW_PUBLIC_ID_PATTERN,
  PLANNED_DRAWS_MAX,
  plannedDraws,
  plannedDrawsBetween,
  scheduleView,
  type PlannedDrawTimes,
  type ScheduleMode,
} from '../games/calendar.ts';
import { lotto649 } from '../games/lotto649.ts';
import type { GameRules } from '../games/types.ts';

const iso = (ms: number) => new Date(ms).toISOString();
const daily: ScheduleMode = { schedule: 'daily', demoPeriodSeconds: DEMO_PERIOD_SECONDS_DEFAULT };
const demo = (demoPeriodSeconds: number): ScheduleMode => ({ schedule: 'demo', demoPeriodSeconds });
/** [publicId, businessDate, openAt, cutoffAt, drawAt], instants as ISO strings. */
const rows = (draws: PlannedDrawTimes[]) => draws.map((d) => [d.publicId, d.businessDate, iso(d.openAtMs), iso(d.cutoffAtMs), iso(d.drawAtMs)]);

const pick3: GameRules = {
  ...lotto649,
  id: 'pick3',
  schedule: {
    timeZone: 'America/New_York',
    slots: [
      { cutoff: { hour: 13, minute: 0 }, draw: { hour: 13, minute: 30 } },
      { cutoff: { hour: 21, minute: 0 }, draw: { hour: 21, minute: 30 }, weekdays: [1, 2, 3, 4, 5] },
    ],
  },
};

t.test('lotto649 keeps one draw a day at 15:00/16:00 Berlin with ids gameId-businessDate', async (t) => {
  t.same(rows(plannedDraws(lotto649, daily, Date.parse('2026-03-28T15:00:00Z'), 3)), [
    ['lotto649-2026-03-28', '2026-03-28', '2026-03-27T15:00:00.000Z', '2026-03-28T14:00:00.000Z', '2026-03-28T15:00:00.000Z'],
    ['lotto649-2026-03-29', '2026-03-29', '2026-03-28T15:00:00.000Z', '2026-03-29T13:00:00.000Z', '2026-03-29T14:00:00.000Z'],
    ['lotto649-2026-03-30', '2026-03-30', '2026-03-29T14:00:00.000Z', '2026-03-30T13:00:00.000Z', '2026-03-30T14:00:00.000Z'],
  ]);
  t.equal(plannedDraws(lotto649, daily, Date.parse('2026-03-28T15:00:00.001Z'), 1)[0].publicId, 'lotto649-2026-03-29', '1 ms after a draw, the next');
  t.ok(plannedDraws(lotto649, daily, 0, 3).every((d) => d.gameId === 'lotto649'));
});

t.test('several draws a day: ids carry the local draw time; weekend evenings have no draw; DST spring-forward', async (t) => {
  // 2026-03-06 is a Friday; New York springs forward on Sunday 2026-03-08.
  t.same(rows(plannedDraws(pick3, daily, Date.parse('2026-03-06T12:00:00Z'), 6)), [
    ['pick3-2026-03-06-1330', '2026-03-06', '2026-03-06T02:30:00.000Z', '2026-03-06T18:00:00.000Z', '2026-03-06T18:30:00.000Z'],
    ['pick3-2026-03-06-2130', '2026-03-06', '2026-03-06T18:30:00.000Z', '2026-03-07T02:00:00.000Z', '2026-03-07T02:30:00.000Z'],
    ['pick3-2026-03-07-1330', '2026-03-07', '2026-03-07T02:30:00.000Z', '2026-03-07T18:00:00.000Z', '2026-03-07T18:30:00.000Z'],
    ['pick3-2026-03-08-1330', '2026-03-08', '2026-03-07T18:30:00.000Z', '2026-03-08T17:00:00.000Z', '2026-03-08T17:30:00.000Z'],
    ['pick3-2026-03-09-1330', '2026-03-09', '2026-03-08T17:30:00.000Z', '2026-03-09T17:00:00.000Z', '2026-03-09T17:30:00.000Z'],
    ['pick3-2026-03-09-2130', '2026-03-09', '2026-03-09T17:30:00.000Z', '2026-03-10T01:00:00.000Z', '2026-03-10T01:30:00.000Z'],
  ]);
});

t.test('several draws a day over 2026: ids unique and well-formed, sales never have a hole or overlap', async (t) => {
  const draws = plannedDrawsBetween(pick3, daily, Date.parse('2026-01-01T05:00:00Z'), Date.parse('2027-01-01T05:00:00Z'));
  t.equal(draws.length, 365 + 261, 'a midday draw every day, an evening draw on the 261 weekdays of 2026');
  t.equal(new Set(draws.map((d) => d.publicId)).size, draws.length);
  let bad = 0;
  for (let i = 0; i < draws.length; i++) {
    const d = draws[i];
    if (!DRAW_PUBLIC_ID_PATTERN.test(d.publicId) || !(d.openAtMs < d.cutoffAtMs && d.cutoffAtMs < d.drawAtMs)) bad++;
    if (i > 0 && d.openAtMs !== draws[i - 1].drawAtMs) bad++;
  }
  t.equal(bad, 0);
  t.equal(draws[0].publicId, 'pick3-2026-01-01-1330');
  t.equal(draws[draws.length - 1].publicId, 'pick3-2026-12-31-2130');
});

t.test('demo at the default 240 s: draws on UTC multiples of 4 min, cutoff 60 s before, sales open at the previous draw', async (t) => {
  t.same(rows(plannedDraws(lotto649, demo(240), Date.parse('2026-03-29T00:57:30Z'), 3)), [
    ['lotto649-demo-20260329T010000', '2026-03-29', '2026-03-29T00:56:00.000Z', '2026-03-29T00:59:00.000Z', '2026-03-29T01:00:00.000Z'],
    ['lotto649-demo-20260329T010400', '2026-03-29', '2026-03-29T01:00:00.000Z', '2026-03-29T01:03:00.000Z', '2026-03-29T01:04:00.000Z'],
    ['lotto649-demo-20260329T010800', '2026-03-29', '2026-03-29T01:04:00.000Z', '2026-03-29T01:07:00.000Z', '2026-03-29T01:08:00.000Z'],
  ]);
  t.equal(plannedDraws(lotto649, demo(240), Date.parse('2026-03-29T01:00:00Z'), 1)[0].publicId, 'lotto649-demo-20260329T010000', 'at a draw time: that draw');
  t.equal(plannedDraws(lotto649, demo(240), Date.parse('2026-03-29T01:00:00.001Z'), 1)[0].publicId, 'lotto649-demo-20260329T010400', '1 ms after: the next');
});

t.test('demo cutoff is min(60 s, a quarter of the period); the business date is the UTC date of the draw', async (t) => {
  const first = (p: number, fromIso: string) => rows(plannedDraws(lotto649, demo(p), Date.parse(fromIso), 1))[0];
  t.same(first(60, '2026-12-31T23:59:10Z'), ['lotto649-demo-20270101T000000', '2027-01-01', '2026-12-31T23:59:00.000Z', '2026-12-31T23:59:45.000Z', '2027-01-01T00:00:00.000Z']);
  // 2026-01-02T00:00Z is 1_767_312_000 s after the epoch, 20 s past a multiple of 70.
  t.same(first(70, '2026-01-02T00:00:00Z'), ['lotto649-demo-20260102T000050', '2026-01-02', '2026-01-01T23:59:40.000Z', '2026-01-02T00:00:33.000Z', '2026-01-02T00:00:50.000Z'], '17 s, aligned to the epoch');
  t.same(first(3600, '2026-10-25T00:30:00Z'), ['lotto649-demo-20261025T010000', '2026-10-25', '2026-10-25T00:00:00.000Z', '2026-10-25T00:59:00.000Z', '2026-10-25T01:00:00.000Z'], 'DST changes do not touch UTC periods');
});

t.test('demo over 1000 periods: ids unique and increasing, period exact, no sales hole', async (t) => {
  for (const p of [60, 240, 3600]) {
    const draws = plannedDraws(lotto649, demo(p), Date.parse('2026-10-24T23:13:07.5Z'), 1000);
    t.equal(draws.length, 1000);
    let bad = 0;
    for (let i = 0; i < draws.length; i++) {
      const d = draws[i];
      if (d.drawAtMs % (p * 1000) !== 0 || d.drawAtMs - d.cutoffAtMs !== Math.min(60, p / 4) * 1000 || d.drawAtMs - d.openAtMs !== p * 1000) bad++;
      if (!DRAW_PUBLIC_ID_PATTERN.test(d.publicId) || d.businessDate !== iso(d.drawAtMs).slice(0, 10)) bad++;
      if (i > 0 && (d.publicId <= draws[i - 1].publicId || d.openAtMs !== draws[i - 1].drawAtMs)) bad++;
    }
    t.equal(bad, 0, `period ${p} s`);
    t.equal(new Set(draws.map((d) => d.publicId)).size, 1000, `period ${p} s: ids unique`);
  }
});

t.test('plannedDrawsBetween: draws with from <= drawAt < to, the same as plannedDraws gives, bounded', async (t) => {
  const fromMs = Date.parse('2026-03-29T01:00:00Z');
  const window = plannedDrawsBetween(lotto649, demo(240), fromMs, Date.parse('2026-03-29T02:00:00Z'));
  t.equal(window.length, 15, '01:00 .. 01:56');
  t.equal(window[0].publicId, 'lotto649-demo-20260329T010000');
  t.equal(window[14].publicId, 'lotto649-demo-20260329T015600');
  t.same(window, plannedDraws(lotto649, demo(240), fromMs, 15));
  t.same(plannedDrawsBetween(lotto649, daily, Date.parse('2026-03-01T00:00:00Z'), Date.parse('2026-05-01T00:00:00Z')), plannedDraws(lotto649, daily, Date.parse('2026-03-01T00:00:00Z'), 61), 'batches join up');
  t.same(plannedDrawsBetween(lotto649, daily, fromMs, fromMs), [], 'an empty window');
  t.same(plannedDrawsBetween(lotto649, daily, Date.parse('2026-03-29T14:00:00.001Z'), Date.parse('2026-03-30T14:00:00Z')), [], 'draw time at the end is excluded');
  t.equal(plannedDrawsBetween(lotto649, demo(60), fromMs, fromMs + PLANNED_DRAWS_MAX * 60_000).length, PLANNED_DRAWS_MAX, 'exactly the bound');
  t.throws(() => plannedDrawsBetween(lotto649, demo(60), fromMs, fromMs + PLANNED_DRAWS_MAX * 60_000 + 1), { name: 'RangeError', message: /more than 2048 draws/ });
  t.throws(() => plannedDrawsBetween(lotto649, daily, fromMs, Number.POSITIVE_INFINITY), RangeError, 'an unbounded window');
});

t.test('the catalogue view shows every slot with the weekdays it runs on, or the demo cycle', async (t) => {
  t.strictSame(scheduleView(lotto649, daily), { kind: 'daily', timeZone: 'Europe/Berlin', slots: [{ cutoff: '15:00', draw: '16:00' }] });
  t.strictSame(scheduleView(pick3, daily), {
    kind: 'daily',
    timeZone: 'America/New_York',
    slots: [
      { cutoff: '13:00', draw: '13:30' },
      { cutoff: '21:00', draw: '21:30', weekdays: [1, 2, 3, 4, 5] },
    ],
  });
  t.strictSame(scheduleView(lotto649, demo(240)), { kind: 'demo', periodSeconds: 240, cutoffBeforeDrawSeconds: 60 });
  t.strictSame(scheduleView(lotto649, demo(60)), { kind: 'demo', periodSeconds: 60, cutoffBeforeDrawSeconds: 15 });
});

t.test('bad modes, counts, instants and game ids are refused with RangeError', async (t) => {
  const now = Date.parse('2026-05-01T00:00:00Z');
  const mode = (m: unknown) => m as ScheduleMode;
  t.throws(() => plannedDraws(lotto649, mode({ schedule: 'weekly', demoPeriodSeconds: 240 }), now, 1), { name: 'RangeError', message: /schedule must be "daily" or "demo"/ });
  t.throws(() => plannedDraws(lotto649, mode(null), now, 1), RangeError, 'no mode');
  t.throws(() => plannedDraws(lotto649, demo(29), now, 1), { name: 'RangeError', message: /demoPeriodSeconds must be a whole number 30\.\.3600/ });
  t.throws(() => plannedDraws(lotto649, demo(3601), now, 1), RangeError, 'period above 3600');
  t.throws(() => plannedDraws(lotto649, demo(240.5), now, 1), RangeError, 'fractional period');
  t.throws(() => plannedDraws(lotto649, daily, now, 0), RangeError, 'count 0');
  t.throws(() => plannedDraws(lotto649, daily, now, PLANNED_DRAWS_MAX + 1), RangeError, 'count above the bound');
  t.throws(() => plannedDraws(lotto649, daily, Number.NaN, 1), RangeError, 'NaN fromMs');
  t.throws(() => plannedDraws(lotto649, demo(240), Date.UTC(10000, 0, 1), 1), RangeError, 'demo past year 9999');
  t.throws(() => plannedDraws({ ...lotto649, id: 'lotto 649' }, daily, now, 1), { name: 'RangeError', message: /game id must be/ });
  t.throws(() => plannedDraws({ ...lotto649, id: '' }, daily, now, 1), RangeError, 'empty game id');
  // 43 characters + "-demo-" + 15 = 64: the longest a demo id may be.
  t.equal(plannedDraws({ ...lotto649, id: 'g'.repeat(43) }, demo(240), now, 1)[0].publicId.length, 64);
  t.throws(() => plannedDraws({ ...lotto649, id: 'g'.repeat(44) }, demo(240), now, 1), { name: 'RangeError', message: /shorten the game id/ });
  t.throws(() => plannedDraws({ ...lotto649, schedule: { ...lotto649.schedule, timeZone: 'Mars/Olympus' } }, daily, now, 1), RangeError, 'bad schedule');
});

// Kept here rather than in config.test.ts: these two settings exist for the calendar.
t.test('config: SCHEDULE defaults to daily, DEMO_PERIOD_SECONDS to 240 within 30..3600', async (t) => {
  t.equal(loadConfig({}).schedule, 'daily');
  t.equal(loadConfig({}).demoPeriodSeconds, 240);
  t.equal(loadConfig({ SCHEDULE: 'demo', DEMO_PERIOD_SECONDS: '60' }).demoPeriodSeconds, 60);
  t.equal(loadConfig({ SCHEDULE: 'demo' }).schedule, 'demo');
  const cases: [Record<string, string>, RegExp][] = [
    [{ SCHEDULE: 'hourly' }, /SCHEDULE must be "daily" or "demo", got "hourly"/],
    [{ DEMO_PERIOD_SECONDS: '29' }, /DEMO_PERIOD_SECONDS must be between 30 and 3600, got 29/],
    [{ DEMO_PERIOD_SECONDS: '3601' }, /DEMO_PERIOD_SECONDS must be between 30 and 3600/],
    [{ DEMO_PERIOD_SECONDS: '4m' }, /DEMO_PERIOD_SECONDS must be a whole number/],
  ];
  for (const [env, message] of cases) t.throws(() => loadConfig(env), { name: 'ConfigError', message }, JSON.stringify(env));
  const c = loadConfig({ SCHEDULE: 'demo', DEMO_PERIOD_SECONDS: '120' });
  t.equal(plannedDraws(lotto649, c, Date.parse('2026-05-01T00:00:30Z'), 1)[0].publicId, 'lotto649-demo-20260501T000200', 'a Config is a ScheduleMode');
});
