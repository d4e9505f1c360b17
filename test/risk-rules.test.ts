// The risk rules' decisions, pure (actors/riskRules.ts, actors/riskConfig.ts): the windows
// count what they promise (fast-check against an exact count), each rule fires at its
// threshold and not below it, once, and the rules file is checked field by field.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import t from 'tap';
import { parseRiskRules, type RiskRules } from '../actors/riskConfig.ts';
import {
  addLateStake,
  anyPrizeChances,
  DistinctAccounts,
  inStructuringBand,
  inSurgeWindow,
  lateStakes,
  selectionKey,
  SlidingCounts,
  structuringBand,
  WINDOW_BUCKETS,
  winRateVerdicts,
} from '../actors/riskRules.ts';
import { gameById } from '../games/index.ts';

const DEFAULT_RULES: RiskRules = parseRiskRules(readFileSync(new URL('../config/risk.json', import.meta.url), 'utf8'));

t.test('a sliding count lies between the exact counts over the window and over the window less one bucket', async (t) => {
  const windowMs = 60_000;
  const bucketMs = windowMs / WINDOW_BUCKETS;
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 30_000 })), { minLength: 1, maxLength: 200 }), (steps) => {
      const counts = new SlidingCounts<number>(windowMs, 10);
      const seen: { key: number; atMs: number }[] = [];
      let atMs = 1_000_000;
      for (const [key, gapMs] of steps) {
        atMs += gapMs;
        seen.push({ key, atMs });
        const got = counts.add(key, atMs);
        const mine = seen.filter((s) => s.key === key);
        const within = mine.filter((s) => s.atMs > atMs - windowMs).length;
        const withinLessBucket = mine.filter((s) => s.atMs >= atMs - windowMs + bucketMs).length;
        if (got > within || got < withinLessBucket) return false;
      }
      return true;
    }),
    { numRuns: 300 },
  );
});

t.test('a sliding count forgets its least recently active key past keysMax, and fires once per window', async (t) => {
  const counts = new SlidingCounts<number>(60_000, 2);
  counts.add(1, 0);
  counts.add(2, 0);
  counts.add(1, 20_000); // 1 moves on to a new bucket: 2 is now the oldest
  counts.add(3, 20_000);
  t.equal(counts.size, 2, 'bounded');
  t.equal(counts.add(1, 20_001), 3, 'key 1 kept its count (it moved on after 2)');
  t.equal(counts.add(2, 20_002), 1, 'key 2 was forgotten and counts again from zero');
  t.ok(counts.fireOnce(2, 20_001), 'first firing');
  t.notOk(counts.fireOnce(2, 50_000), 'not again within the window');
  t.ok(counts.fireOnce(2, 90_000), 'again a window later');
});

t.test('a selection burst fires at accountsMin distinct accounts within the window, once, and not below', async (t) => {
  const burst = new DistinctAccounts<string>(60_000, 3, 100);
  t.equal(burst.add('s', 1, 0), null);
  t.equal(burst.add('s', 1, 1_000), null, 'the same account twice is one account');
  t.equal(burst.add('s', 2, 2_000), null, 'two accounts: below');
  t.same(burst.add('s', 3, 3_000), [1, 2, 3], 'three accounts: fires with them');
  t.equal(burst.add('s', 4, 4_000), null, 'once per window');
  const spread = new DistinctAccounts<string>(60_000, 3, 100);
  spread.add('s', 1, 0);
  spread.add('s', 2, 40_000);
  t.equal(spread.add('s', 3, 61_000), null, 'three accounts over more than the window: account 1 has left it');
  t.same(spread.add('s', 4, 62_000), [2, 3, 4], 'a third account within the window fires');
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 20_000 })), { maxLength: 100 }), (steps) => {
      const rule = new DistinctAccounts<string>(60_000, 3, 10);
      const seen: { id: number; atMs: number }[] = [];
      let atMs = 0;
      for (const [id, gap] of steps) {
        atMs += gap;
        seen.push({ id, atMs });
        const fired = rule.add('k', id, atMs);
        if (fired === null) continue;
        // What it names are distinct accounts, all seen within the window.
        if (new Set(fired).size !== fired.length || fired.length < 3) return false;
        if (!fired.every((f) => seen.some((s) => s.id === f && s.atMs > atMs - 60_000))) return false;
      }
      return true;
    }),
  );
});

t.test('selection keys: one bet type and the same lines in any order are one selection', async (t) => {
  t.equal(selectionKey(1, 'standard', [[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]]), selectionKey(1, 'standard', [[7, 8, 9, 10, 11, 12], [1, 2, 3, 4, 5, 6]]));
  t.not(selectionKey(1, 'straight', [[1, 2, 3]]), selectionKey(1, 'box', [[1, 2, 3]]));
  t.not(selectionKey(1, 'straight', [[1, 2, 3]]), selectionKey(2, 'straight', [[1, 2, 3]]));
});

t.test('a late surge fires once one combination holds its share of the minimum volume, once, and only late', async (t) => {
  const rule = { ...DEFAULT_RULES.late_surge, lastMinutes: 10, sharePercentMin: 50, stakeMinMinor: 1_000 };
  const cutoffAtMs = 10_000_000;
  t.ok(inSurgeWindow(cutoffAtMs - 600_000, cutoffAtMs, rule), 'from ten minutes before cutoff');
  t.notOk(inSurgeWindow(cutoffAtMs - 600_001, cutoffAtMs, rule), 'not before');
  t.notOk(inSurgeWindow(cutoffAtMs, cutoffAtMs, rule), 'not at cutoff');
  const s = lateStakes(cutoffAtMs);
  t.equal(addLateStake(s, 'A', 600, rule), null, 'below the minimum volume, whatever the share');
  t.equal(addLateStake(s, 'B', 300, rule), null);
  // The leader is checked on every stake, whichever combination the stake was on.
  t.same(addLateStake(s, 'B', 200, rule), { combination: 'A', shareMinor: 600, totalMinor: 1_100 }, 'A holds 54.5% once the volume is reached');
  const s2 = lateStakes(cutoffAtMs);
  addLateStake(s2, 'A', 600, rule);
  t.same(addLateStake(s2, 'B', 400, rule), { combination: 'A', shareMinor: 600, totalMinor: 1_000 }, 'A: 60% of 1,000');
  t.equal(addLateStake(s2, 'A', 100, rule), null, 'once per combination');
  const spread = lateStakes(cutoffAtMs);
  for (const c of ['A', 'B', 'C', 'D']) t.equal(addLateStake(spread, c, 250, rule), null, `spread evenly (${c}): 25% each at the minimum volume`);
});

t.test('structured deposits: the band is the threshold less its percentage, up to but not at the threshold', async (t) => {
  const rule = { ...DEFAULT_RULES.structured_deposits, thresholdMinor: 10_000, belowPercent: 10 };
  t.same(structuringBand(rule), { lowMinor: 9_000, highMinor: 10_000 });
  t.ok(inStructuringBand(9_000, rule));
  t.ok(inStructuringBand(9_999, rule));
  t.notOk(inStructuringBand(10_000, rule), 'at the threshold is reported anyway: not structuring');
  t.notOk(inStructuringBand(8_999, rule));
});

t.test('win rate: a winner fires at ratioMin times the expected wins with the minimum sample, not below', async (t) => {
  const rule = { ...DEFAULT_RULES.win_rate, ticketsMin: 10, winsMin: 3, ratioMin: 20 };
  const chance = () => 1 / 1000;
  const group = (playerId: number, tickets: number, wins: number, lineCount = 1) => ({ playerId, gameId: 'pick3', betType: 'straight', lineCount, tickets, winningTickets: wins, stakeMinor: tickets * 100, prizeMinor: wins * 50_000 });
  const verdicts = winRateVerdicts([group(1, 20, 3), group(2, 9, 5), group(3, 100, 2), group(4, 1_000, 3, 10)], rule, chance);
  t.same(verdicts.map((v) => v.playerId), [1], 'only player 1: 3 wins where 0.02 were expected');
  t.equal(verdicts[0].expectedWins, 0.02);
  t.same(winRateVerdicts([group(5, 20, 3)], rule, () => undefined), [], 'a bet type without odds is left out');
});

t.test("the odds of any prize per line come from the games' tables", async (t) => {
  const pick3 = anyPrizeChances(gameById('pick3')!.odds());
  t.equal(pick3.get('straight'), 1 / 1000);
  t.ok(pick3.get('box')! > 1 / 167, 'box: the 6-way and 3-way tiers summed, an upper bound');
  const raffle = anyPrizeChances(gameById('raffle')!.odds());
  t.equal(raffle.get('standard'), 113 / 100_000);
  const keno = anyPrizeChances(gameById('keno')!.odds());
  t.ok(keno.get('standard')! < 1, 'keno: the likeliest spot count, not all of them added');
});

t.test('the rules file: the shipped one parses; a wrong field is named', async (t) => {
  t.equal(DEFAULT_RULES.velocity.enabled, true);
  const bad = (change: (r: any) => void) => {
    const raw = JSON.parse(JSON.stringify(DEFAULT_RULES));
    change(raw);
    return () => parseRiskRules(JSON.stringify(raw));
  };
  t.throws(bad((r) => (r.selection_burst.action = 'freeze')), /selection_burst.action must be "alert"/, 'a rule about many accounts cannot freeze one');
  t.throws(bad((r) => (r.velocity.betsMax = 0)), /velocity.betsMax must be 1/);
  t.throws(bad((r) => (r.velocity.extra = 1)), /velocity: unknown field "extra"/);
  t.throws(bad((r) => delete r.win_rate), /win_rate/);
  t.throws(() => parseRiskRules('{'), /is not JSON/);
});
