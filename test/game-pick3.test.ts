// Pick-3 (games/pick.ts): three digits from three drums of 0..9; straight, box and
// straight/box at a chosen stake; fixed odds from the published US table; a liability per
// ordered combination that is exactly what the settlement would pay on it.
import t from 'tap';
import { PICK_LIABILITY_CAP_MINOR, PICK_STAKES_MINOR, ordersOf, pick3 as game, pickPrize, waysOf } from '../games/pick.ts';
import type { LineClass } from '../games/types.ts';
import { checkSettlementProperty, checkValidateNeverThrows, lineClass } from './support/gameChecks.ts';
import { allCombinations, checkPickAgainstRules, checkSmallestPayouts, ordersByBruteForce, type PickTable } from './support/pickChecks.ts';

/** The published pick-3 table for a 1-unit play: straight 500, 6-way box 80, 3-way box 160. */
const TABLE: PickTable = { straight: 500, box: { 6: 80, 3: 160 } };

t.test('three drums of one digit each, a mask of positions then multiplicities', async (t) => {
  t.same(game.drums.map((d) => [d.name, d.min, d.max, d.count]), [['d1', 0, 9, 1], ['d2', 0, 9, 1], ['d3', 0, 9, 1]]);
  t.same(game.betTypes.map((b) => b.id), ['straight', 'box', 'straight_box']);
  for (const b of game.betTypes) t.same(b.stakesMinor, PICK_STAKES_MINOR);
  t.same(game.maskSegments('box').map((s) => `${s.name}:${s.bits}`), ['p1:10', 'p2:10', 'p3:10', 'ge1:10', 'ge2:10', 'ge3:10']);
  t.same(game.maskSegments('straight'), game.maskSegments('box'), 'one layout for every bet type: one SQL pass');
  const bet = game.validateBet({ betType: 'straight', stakeMinor: 100, lines: [[1, 7, 1]] });
  const at = (digit: number) => '0'.repeat(digit) + '1' + '0'.repeat(9 - digit);
  // positions 1, 7, 1; digits ≥1 time {1, 7}; ≥2 times {1}; ≥3 times none.
  t.match(bet, { ok: true, bet: { lineMasks: [at(1) + at(7) + at(1) + '0100000100' + at(1) + '0'.repeat(10)] } });
});

t.test('every line against every draw: masks, direct rules and liability agree (exhaustive draws)', async (t) => {
  const draws = allCombinations(3);
  const checked = checkPickAgainstRules(t, game, 3, TABLE, 120, () => draws);
  t.equal(checked, 3 * 120 * 1_000, `${checked} (line, draw) pairs`);
});

t.test('ways: 6 for three different digits, 3 for a pair; a triple cannot be boxed', async (t) => {
  for (const line of allCombinations(3)) {
    if (waysOf(line) !== ordersByBruteForce(line).size) return t.fail(`${line}`);
    if (ordersOf(line).join() !== [...ordersByBruteForce(line)].sort().join()) return t.fail(`${line}`);
  }
  for (const betType of ['box', 'straight_box']) t.match(game.validateBet({ betType, lines: [[7, 7, 7]] }), { ok: false, code: 'INVALID_SELECTION', reason: /one order/ });
  t.match(game.validateBet({ betType: 'straight', lines: [[7, 7, 7]] }), { ok: true }, 'a triple is a straight like any other');
});

t.test('canonical lines: a straight keeps its order, a box is sorted, a straight/box keeps its order', async (t) => {
  t.match(game.validateBet({ betType: 'straight', lines: [[3, 0, 2]] }), { ok: true, bet: { lines: [[3, 0, 2]] } });
  t.match(game.validateBet({ betType: 'box', lines: [[3, 0, 2]] }), { ok: true, bet: { lines: [[0, 2, 3]] } });
  t.match(game.validateBet({ betType: 'straight_box', lines: [[3, 0, 2]] }), { ok: true, bet: { lines: [[3, 0, 2]] } });
  t.match(game.validateBet({ betType: 'box', stakeMinor: 500, lines: [[1, 2, 3], [4, 4, 5]] }), { ok: true, bet: { costMinor: 1_000 } });
});

t.test('the prizes: straight 500×, box 80× / 160×, straight/box half each', async (t) => {
  const cls = (betType: string, line: number[], drawn: number[]): LineClass => {
    const b = game.validateBet({ betType, lines: [line] });
    if (!b.ok) throw new Error(b.reason);
    return lineClass(game, betType, 100, b.bet.lineMasks[0], drawn.map((d) => [d]));
  };
  t.match(pickPrize(3, cls('straight', [1, 2, 3], [1, 2, 3])), { multiple: 500, divisor: 1 });
  t.equal(pickPrize(3, cls('straight', [1, 2, 3], [3, 2, 1])), null);
  t.match(pickPrize(3, cls('box', [1, 2, 3], [3, 1, 2])), { multiple: 80 });
  t.match(pickPrize(3, cls('box', [1, 1, 3], [1, 3, 1])), { multiple: 160 });
  t.equal(pickPrize(3, cls('box', [1, 1, 3], [1, 3, 3])), null, 'same digits, other multiset');
  t.match(pickPrize(3, cls('straight_box', [1, 1, 3], [1, 1, 3])), { multiple: 660, divisor: 2 });
  t.match(pickPrize(3, cls('straight_box', [1, 1, 3], [3, 1, 1])), { multiple: 160, divisor: 2 });
  const r = game.settle({ stakeTotalMinor: 10_000, rolloverInMinor: 0, classes: [{ ...cls('straight_box', [1, 2, 3], [3, 2, 1]), stakeMinor: 1_000, lines: 3 }] });
  t.equal(r.prizes[0].perLineMinor, 500 * 80, 'half of 10.00 EUR at 80×');
  t.match(r.tiers[r.prizes[0].tier], { name: 'straight_box any order 6-way', baseStakeMinor: 100, perLineMinor: 50 * 80, winningLines: 3, paidMinor: 3 * 40_000 });
  t.equal(r.houseInMinor, 120_000 - 10_000);
});

t.test('liability: per ordered combination, a cap no single line reaches, and the least any bet adds', async (t) => {
  const box = game.validateBet({ betType: 'box', stakeMinor: 200, lines: [[3, 1, 2]] });
  if (box.ok) t.same(game.liability!.of(box.bet), ['123', '132', '213', '231', '312', '321'].map((combination) => ({ combination, payoutMinor: 200 * 80 })));
  const sb = game.validateBet({ betType: 'straight_box', stakeMinor: 100, lines: [[1, 2, 1]] });
  if (sb.ok) t.same(game.liability!.of(sb.bet), [{ combination: '112', payoutMinor: 50 * 160 }, { combination: '121', payoutMinor: 50 * 660 }, { combination: '211', payoutMinor: 50 * 160 }]);
  t.equal(game.liability!.capMinor, PICK_LIABILITY_CAP_MINOR);
  t.equal(PICK_LIABILITY_CAP_MINOR, 5_000_000, '50,000.00 EUR a combination a draw');
  let most = 0;
  const leastOn = new Map<string, number>();
  for (const type of game.betTypes) {
    for (const stakeMinor of type.stakesMinor) {
      for (const line of allCombinations(3)) {
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
  t.throws(() => game.settle({ stakeTotalMinor: 0, rolloverInMinor: 1, classes: [] }), /no rollover/);
});

t.test('a class no pick-3 line can have is a loud error', async (t) => {
  const good: LineClass = { betType: 'box', stakeMinor: 100, matches: [0, 0, 0, 3, 0, 0], spots: [1, 1, 1, 3, 0, 0], lines: 1 };
  t.match(pickPrize(3, good), { multiple: 80 });
  t.throws(() => pickPrize(3, { ...good, spots: [1, 2, 1, 3, 0, 0] }), /position 2/);
  t.throws(() => pickPrize(3, { ...good, spots: [1, 1, 1, 2, 2, 0] }), /count 3 digits/);
  t.throws(() => pickPrize(3, { ...good, spots: [1, 1, 1, 1, 2, 0] }), /decrease/);
  t.throws(() => pickPrize(3, { ...good, matches: [0, 0, 0, 3] }), /6 segments/);
  t.throws(() => pickPrize(3, { ...good, betType: 'combo' }), /no bet type/);
});

t.test('validateBet: bet type, stake and hostile input refused with their codes', async (t) => {
  t.match(game.validateBet({ betType: 'combo', lines: [[1, 2, 3]] }), { ok: false, code: 'INVALID_BET_TYPE', reason: /straight, box, straight_box/ });
  t.match(game.validateBet({ betType: 'x'.repeat(10_000), lines: [[1, 2, 3]] }), { ok: false, code: 'INVALID_BET_TYPE' });
  t.ok(String((game.validateBet({ betType: 'x'.repeat(10_000), lines: [[1, 2, 3]] }) as { reason: string }).reason).length < 200, 'a long bet type is not echoed whole');
  for (const stakeMinor of [0, -100, 150, 101, 1e21, Number.NaN, '100', 100n, null]) {
    t.match(game.validateBet({ betType: 'straight_box', stakeMinor, lines: [[1, 2, 3]] }), { ok: false, code: 'INVALID_STAKE' }, `stake ${typeof stakeMinor === 'bigint' ? 'bigint' : String(stakeMinor)}`);
  }
  t.match(game.validateBet({ lines: [[1, 2, 10]] }), { ok: false, code: 'INVALID_SELECTION' });
  t.match(game.validateBet({ lines: [[1, 2]] }), { ok: false, code: 'INVALID_SELECTION' });
  t.match(game.validateBet({ lines: [[1, 2, 3, 4]] }), { ok: false, code: 'INVALID_SELECTION' });
  t.match(game.validateBet({ lines: [[1, 2, 3n]] }), { ok: false, code: 'INVALID_SELECTION', reason: /a bigint/ });
  t.equal(checkValidateNeverThrows(game, 1_000), null);
});

t.test('odds: straight 1 in 1,000; 6-way box 1 in 166.67; 3-way 1 in 333.33', async (t) => {
  t.same(game.odds().map((r) => [r.betType, r.tier, r.oneIn, `${r.favourable}/${r.total}`]), [
    ['straight', 'straight', '1000', '1/1000'],
    ['box', 'box 6-way', '166.67', '6/1000'],
    ['box', 'box 3-way', '333.33', '3/1000'],
    ['straight_box', 'straight_box exact 6-way', '1000', '1/1000'],
    ['straight_box', 'straight_box exact 3-way', '1000', '1/1000'],
    ['straight_box', 'straight_box any order 6-way', '200', '5/1000'],
    ['straight_box', 'straight_box any order 3-way', '500', '2/1000'],
  ]);
});
