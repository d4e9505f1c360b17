// Daily schedules in IANA zones become the right UTC instants, DST days included.
import t from 'tap';
import { addDays, localDateOf, upcomingDraws, validateSchedule, zonedTimeToUtcMs, type DailySchedule } from '../games/schedule.ts';

const iso = (ms: number) => new Date(ms).toISOString();
const at15 = { hour: 15, minute: 0 };

t.test('Berlin 15:00 across both DST changes of 2026', async (t) => {
  t.equal(iso(zonedTimeToUtcMs('Europe/Berlin', '2026-03-28', at15)), '2026-03-28T14:00:00.000Z', 'day before spring-forward: CET');
  t.equal(iso(zonedTimeToUtcMs('Europe/Berlin', '2026-03-29', at15)), '2026-03-29T13:00:00.000Z', 'spring-forward day: CEST');
  t.equal(iso(zonedTimeToUtcMs('Europe/Berlin', '2026-10-24', at15)), '2026-10-24T13:00:00.000Z', 'day before fall-back: CEST');
  t.equal(iso(zonedTimeToUtcMs('Europe/Berlin', '2026-10-25', at15)), '2026-10-25T14:00:00.000Z', 'fall-back day: CET');
});

t.test('New York 15:00 across both DST changes of 2026', async (t) => {
  t.equal(iso(zonedTimeToUtcMs('America/New_York', '2026-03-07', at15)), '2026-03-07T20:00:00.000Z');
  t.equal(iso(zonedTimeToUtcMs('America/New_York', '2026-03-08', at15)), '2026-03-08T19:00:00.000Z');
  t.equal(iso(zonedTimeToUtcMs('America/New_York', '2026-10-31', at15)), '2026-10-31T19:00:00.000Z');
  t.equal(iso(zonedTimeToUtcMs('America/New_York', '2026-11-01', at15)), '2026-11-01T20:00:00.000Z');
});

t.test('a nonexistent local time shifts forward by the gap; an ambiguous one takes the earlier instant', async (t) => {
  const half = { hour: 2, minute: 30 };
  t.equal(iso(zonedTimeToUtcMs('Europe/Berlin', '2026-03-29', half)), '2026-03-29T01:30:00.000Z', '02:30 does not exist: 03:30 CEST');
  t.equal(iso(zonedTimeToUtcMs('Europe/Berlin', '2026-10-25', half)), '2026-10-25T00:30:00.000Z', '02:30 happens twice: the CEST one');
  t.equal(iso(zonedTimeToUtcMs('America/New_York', '2026-03-08', half)), '2026-03-08T07:30:00.000Z', 'New York gap: 03:30 EDT');
  t.equal(iso(zonedTimeToUtcMs('America/New_York', '2026-11-01', { hour: 1, minute: 30 })), '2026-11-01T05:30:00.000Z', 'New York overlap: EDT');
});

t.test('half-hour offsets and southern-hemisphere DST', async (t) => {
  t.equal(iso(zonedTimeToUtcMs('Asia/Kolkata', '2026-06-01', at15)), '2026-06-01T09:30:00.000Z');
  t.equal(iso(zonedTimeToUtcMs('Australia/Sydney', '2026-10-03', at15)), '2026-10-03T05:00:00.000Z', 'AEST before DST starts');
  t.equal(iso(zonedTimeToUtcMs('Australia/Sydney', '2026-10-04', at15)), '2026-10-04T04:00:00.000Z', 'AEDT from 4 October');
});

t.test('upcoming draws: consecutive, sales open at the previous draw, DST-correct', async (t) => {
  const s: DailySchedule = { timeZone: 'Europe/Berlin', cutoff: at15, draw: { hour: 16, minute: 0 } };
  const draws = upcomingDraws(s, Date.parse('2026-03-27T16:00:00Z'), 3);
  t.same(
    draws.map((d) => [d.businessDate, iso(d.openAtMs), iso(d.cutoffAtMs), iso(d.drawAtMs)]),
    [
      ['2026-03-28', '2026-03-27T15:00:00.000Z', '2026-03-28T14:00:00.000Z', '2026-03-28T15:00:00.000Z'],
      ['2026-03-29', '2026-03-28T15:00:00.000Z', '2026-03-29T13:00:00.000Z', '2026-03-29T14:00:00.000Z'],
      ['2026-03-30', '2026-03-29T14:00:00.000Z', '2026-03-30T13:00:00.000Z', '2026-03-30T14:00:00.000Z'],
    ],
  );
  const exactly = upcomingDraws(s, Date.parse('2026-03-28T15:00:00Z'), 1);
  t.equal(exactly[0].businessDate, '2026-03-28', 'a draw exactly at fromMs is included');
});

t.test('weekday schedules skip other days and open at the previous draw day', async (t) => {
  const s: DailySchedule = { timeZone: 'Europe/Berlin', cutoff: at15, draw: { hour: 16, minute: 0 }, weekdays: [3, 6] };
  const draws = upcomingDraws(s, Date.parse('2026-11-23T00:00:00Z'), 3); // a Monday
  t.same(draws.map((d) => d.businessDate), ['2026-11-25', '2026-11-28', '2026-12-02']);
  t.equal(iso(draws[0].openAtMs), '2026-11-21T15:00:00.000Z', 'Wednesday sales open at Saturday’s draw');
});

t.test('zones east of UTC find today’s draw even when it is yesterday in UTC', async (t) => {
  const s: DailySchedule = { timeZone: 'Pacific/Auckland', cutoff: { hour: 9, minute: 0 }, draw: { hour: 10, minute: 0 } };
  const [next] = upcomingDraws(s, Date.parse('2026-06-01T20:00:00Z'), 1); // 08:00 on 2 June in Auckland
  t.equal(next.businessDate, '2026-06-02');
  t.equal(iso(next.drawAtMs), '2026-06-01T22:00:00.000Z');
});

t.test('bad schedules and counts are refused with RangeError', async (t) => {
  const ok: DailySchedule = { timeZone: 'Europe/Berlin', cutoff: at15, draw: { hour: 16, minute: 0 } };
  t.throws(() => validateSchedule({ ...ok, timeZone: 'Mars/Olympus' }), RangeError);
  t.throws(() => validateSchedule({ ...ok, draw: at15 }), RangeError, 'draw must follow cutoff');
  t.throws(() => validateSchedule({ ...ok, cutoff: { hour: 24, minute: 0 } }), RangeError);
  t.throws(() => validateSchedule({ ...ok, weekdays: [] }), RangeError);
  t.throws(() => validateSchedule({ ...ok, weekdays: [1, 1] }), RangeError);
  t.throws(() => validateSchedule({ ...ok, weekdays: [0] }), RangeError);
  t.throws(() => upcomingDraws(ok, Date.now(), 0), RangeError);
  t.throws(() => upcomingDraws(ok, Date.now(), 367), RangeError);
  t.throws(() => zonedTimeToUtcMs('Europe/Berlin', '2026-02-30', at15), RangeError);
});

t.test('calendar helpers', async (t) => {
  t.equal(localDateOf('Europe/Berlin', Date.parse('2026-12-31T23:30:00Z')), '2027-01-01');
  t.equal(localDateOf('America/New_York', Date.parse('2027-01-01T03:00:00Z')), '2026-12-31');
  t.equal(addDays('2028-02-28', 1), '2028-02-29');
  t.equal(addDays('2027-02-28', 1), '2027-03-01');
  t.equal(addDays('2026-12-31', 1), '2027-01-01');
  t.equal(addDays('2026-03-01', -1), '2026-02-28');
});
