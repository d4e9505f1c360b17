// Pick-4 (games/pick.ts): four digits from four drums of 0..9; straight, box (24-, 12-, 6-
// and 4-way) and straight/box; fixed odds from the published US table; a liability per
// ordered combination that is exactly what the settlement would pay on it.
import t from 'tap';
import { PICK4_LIABILITY_CAP_MINOR, ordersOf, pick4 as game, pickPrize, waysOf } from '../games/pick.ts';
import type { LineClass } from '../games/types.ts';
import { checkSettlementProperty, checkValidateNeverThrows, lineClass, seeded } from './support/gameChecks.ts';
import { allCombinations, checkPickAgainstRules, checkSmallestPayouts, ordersByBruteForce, type PickTable } from './support/pickChecks.ts';

/** The published pick-4 table for a 1-unit play: straight 5,000; box 24-way 200, 12-way 400, 6-way 800, 4-way 1,200. */
const TABLE: PickTable = { straight: 5_000, box: { 24: 200, 12: 400, 6: 800, 4: 1_200 } };

t.test('four drums of one digit each; eight mask segments of 10 bits', async (t) => {
  t.same(game.drums.map((d) => [d.name, d.min, d.max, d.count]), [['d1', 0, 9, 1], ['d2', 0, 9, 1], ['d3', 0, 9, 1], ['d4', 0, 9, 1]]);
  t.same(game.maskSegments('straight_box').map((s) => s.name), ['p1', 'p2', 'p3', 'p4', 'ge1', 'ge2', 'ge3', 'ge4']);
  t.ok(game.maskSegments('straight').every((s) => s.bits === 10));
});

t.test('ways of every combination: 24, 12, 6, 4 or 1, as counted by generating the orders', async (t) => {
  const shapes = new Map<number, number>();
  for (const line of allCombinations(4)) {
    const ways = waysOf(line);
    if (ways !== ordersByBruteForce(line).size) return t.fail(`${line}`);
    shapes.set(ways, (shapes.get(ways) ?? 0) + 1);
  }
  t.same(Object.fromEntries(shapes), { 24: 5_040, 12: 4_320, 6: 270, 4: 360, 1: 10 });
  t.same(ordersOf([1, 1, 1, 2]), ['1112', '1121', '1211', '2111']);
});

t.test('lines of every box shape against every draw: masks, direct rules and liability agree', async (t) => {
  const lines = [[1, 2, 3, 4], [4, 3, 2, 1], [0, 0, 1, 2], [2, 1, 0, 0], [5, 5, 6, 6], [6, 5, 6, 5], [9, 9, 9, 0], [0, 9, 9, 9], [7, 7, 7, 7]];
  const draws = allCombinations(4);
  const checked = checkPickAgainstRules(t, game, 4, TABLE, lines, () => draws);
  t.equal(checked, (9 + 8 + 8) * 10_000, `${checked} (line, draw) pairs`);
});

t.test('random lines against their own orders and random draws: masks, direct rules and liability agree', async (t) => {
  const rnd = seeded(44);
  const checked = checkPickAgainstRules(t, game, 4, TABLE, 120, (line) => [...[...ordersByBruteForce(line)].map((s) => s.split('').map(Number)), ...Array.from({ length: 200 }, () => [0, 0, 0, 0].map(() => rnd(0, 10)))]);
  t.ok(checked > 3 * 120 * 200, `${checked} (line, draw) pairs`);
});

t.test('the prizes at the smallest stake, and a straight/box paid on both halves', async (t) => {
  const cls = (betType: string, line: number[], drawn: number[]): LineClass => {
    const b = game.validateBet({ betType, lines: [line] });
    if (!b.ok) throw new Error(b.reason);
    return lineClass(game, betType, 100, b.bet.lineMasks[0], drawn.map((d) => [d]));
  };
  t.match(pickPrize(4, cls('straight', [1, 2, 3, 4], [1, 2, 3, 4])), { multiple: 5_000 });
  t.match(pickPrize(4, cls('box', [1, 1, 2, 2], [2, 1, 2, 1])), { multiple: 800 });
  t.match(pickPrize(4, cls('box', [1, 1, 1, 2], [1, 2, 1, 1])), { multiple: 1_200 });
  t.equal(pickPrize(4, cls('box', [1, 1, 2, 2], [1, 1, 1, 2])), null);
  t.match(pickPrize(4, cls('straight_box', [1, 2, 3, 3], [1, 2, 3, 3])), { multiple: 5_400, divisor: 2 });
  const odds = Object.fromEntries(game.estimate({ stakeTotalMinor: 0, linesSold: 0, rolloverInMinor: 0 }).tiers.map((x) => [x.name, x.perLineMinor]));
  t.same(odds, {
    straight: 500_000,
    'box 24-way': 20_000,
    'box 12-way': 40_000,
    'box 6-way': 80_000,
    'box 4-way': 120_000,
    'straight_box exact 24-way': 260_000,
    'straight_box exact 12-way': 270_000,
    'straight_box exact 6-way': 290_000,
    'straight_box exact 4-way': 310_000,
    'straight_box any order 24-way': 10_000,
    'straight_box any order 12-way': 20_000,
    'straight_box any order 6-way': 40_000,
    'straight_box any order 4-way': 60_000,
  }, 'what each tier pays a 1.00 EUR line');
});

t.test('liability: a cap no single line reaches, and the least any bet adds', async (t) => {
  t.equal(PICK4_LIABILITY_CAP_MINOR, 50_000_000, '500,000.00 EUR a combination a draw');
  const box = game.validateBet({ betType: 'box', stakeMinor: 1_000, lines: [[9, 0, 9, 0]] });
  if (box.ok) t.same(game.liability!.of(box.bet).map((l) => `${l.combination}:${l.payoutMinor}`), ['0099', '0909', '0990', '9009', '9090', '9900'].map((c) => `${c}:800000`));
  let most = 0;
  const leastOn = new Map<string, number>();
  for (const type of game.betTypes) {
    for (const stakeMinor of [type.stakesMinor[0], type.stakesMinor[type.stakesMinor.length - 1]]) {
      for (const line of allCombinations(4)) {
        const bet = game.validateBet({ betType: type.id, stakeMinor, lines: [line] });
        if (!bet.ok) continue;
        for (const l of game.liability!.of(bet.bet)) {
          leastOn.set(l.combination, Math.min(leastOn.get(l.combination) ?? Infinity, l.payoutMinor));
          most = Math.max(most, l.payoutMinor);
        }
      }
    }
  }
  checkSmallestPayouts(t, game, leastOn);
  t.ok(most <= game.liability!.capMinor, `the largest single line (${most}) fits under the cap`);
});

t.test('every settlement balances and is deterministic (random class lists and stakes)', async (t) => {
  t.equal(checkSettlementProperty(game, { numRuns: 400, maxLines: 100_000, rollover: false }), null);
});

t.test('validateBet: bet type, stake and hostile input refused with their codes', async (t) => {
  t.match(game.validateBet({ betType: 'box', lines: [[0, 0, 0, 0]] }), { ok: false, code: 'INVALID_SELECTION', reason: /one order/ });
  t.match(game.validateBet({ betType: 'box', lines: [[4, 0, 3, 0]] }), { ok: true, bet: { lines: [[0, 0, 3, 4]] } });
  t.match(game.validateBet({ betType: 'BOX', lines: [[1, 2, 3, 4]] }), { ok: false, code: 'INVALID_BET_TYPE' });
  t.match(game.validateBet({ betType: 'straight', stakeMinor: 50, lines: [[1, 2, 3, 4]] }), { ok: false, code: 'INVALID_STAKE' });
  t.match(game.validateBet({ lines: [[1, 2, 3]] }), { ok: false, code: 'INVALID_SELECTION' });
  t.match(game.validateBet({ lines: Array(11).fill([1, 2, 3, 4]) }), { ok: false, code: 'INVALID_SELECTION' });
  t.equal(checkValidateNeverThrows(game, 1_000), null);
});

t.test('odds: straight 1 in 10,000; box 24-way 1 in 416.67, 12-way 833.33, 6-way 1,666.67, 4-way 2,500', async (t) => {
  const oneIn = Object.fromEntries(game.odds().map((r) => [r.tier, r.oneIn]));
  t.match(oneIn, { straight: '10000', 'box 24-way': '416.67', 'box 12-way': '833.33', 'box 6-way': '1666.67', 'box 4-way': '2500' });
  t.match(oneIn, { 'straight_box any order 24-way': '434.78', 'straight_box any order 4-way': '3333.33' });
});
