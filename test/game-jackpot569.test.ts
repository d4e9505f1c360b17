// The two-drum jackpot game (games/jackpot569.ts): 5 of 1..69 and 1 of 1..26, fixed lower
// prizes in the familiar US shape, a pari-mutuel jackpot guaranteed a minimum by the house
// and rolling over without that guarantee, and the published odds.
import t from 'tap';
import { JACKPOT569_FIXED, JACKPOT569_MINIMUM_MINOR, JACKPOT569_SHARE_BASIS_POINTS, jackpot569 as game, settleJackpot569 } from '../games/jackpot569.ts';
import type { LineClass } from '../games/types.ts';
import { checkSettlementProperty, checkValidateNeverThrows, lineClass, moneyFaults, prizeOfClassAlone, randomDraw, seeded } from './support/gameChecks.ts';

const cls = (main: number, bonus: number, lines: number): LineClass => ({ betType: 'standard', stakeMinor: 200, matches: [main, bonus], spots: [5, 1], lines });

/** The prize table as published, in EUR for a 2.00 EUR line: what the rules say without masks. */
const FIXED_EUR: Record<string, number> = { '5+0': 1_000_000, '4+1': 50_000, '4+0': 100, '3+1': 100, '3+0': 7, '2+1': 7, '1+1': 4, '0+1': 4 };

t.test('the fixed prize table is the familiar US two-drum shape, at 2.00 EUR a line', async (t) => {
  t.same(Object.fromEntries(JACKPOT569_FIXED.map(([m, b, multiple, divisor]) => [`${m}+${b}`, (200 * multiple) / divisor / 100])), FIXED_EUR);
  t.equal(JACKPOT569_SHARE_BASIS_POINTS, 3_500, '35% of the stakes to the jackpot');
  t.equal(JACKPOT569_MINIMUM_MINOR, 2_000_000_000, 'a won jackpot pays at least 20,000,000.00 EUR');
  t.same(game.maskSegments('standard'), [{ name: 'main', bits: 69 }, { name: 'bonus', bits: 26 }]);
  t.same(game.drums.map((d) => [d.name, d.min, d.max, d.count, d.replacement]), [['main', 1, 69, 5, false], ['bonus', 1, 26, 1, false]]);
});

t.test('a line\'s class from its masks wins what the rules give it (brute force, random lines and draws)', async (t) => {
  const rnd = seeded(569);
  const seen = new Set<string>();
  for (let i = 0; i < 30_000; i++) {
    const drawn = randomDraw(game, rnd);
    const keep = drawn[0].slice(0, i % 6);
    const pick = game.quickPick('standard', 1, rnd)[0];
    const main = [...keep, ...pick.slice(0, 5).filter((n) => !keep.includes(n))].slice(0, 5);
    const bonus = i % 3 === 0 ? drawn[1][0] : pick[5];
    const bet = game.validateBet({ lines: [[...main, bonus]] });
    if (!bet.ok) return t.fail(bet.reason);
    const c = lineClass(game, 'standard', 200, bet.bet.lineMasks[0], drawn);
    const m = main.filter((n) => drawn[0].includes(n)).length;
    const b = bonus === drawn[1][0] ? 1 : 0;
    const name = `${m}+${b}`;
    const got = prizeOfClassAlone(game, c, 0);
    const expected = name === '5+1' ? JACKPOT569_MINIMUM_MINOR : (FIXED_EUR[name] ?? 0) * 100;
    if (got.perLineMinor !== expected) return t.fail(`${main}+${bonus} vs ${drawn}: paid ${got.perLineMinor}, rules ${expected}`);
    if (got.tier !== null) seen.add(game.settle({ stakeTotalMinor: 0, rolloverInMinor: 0, classes: [c] }).tiers[got.tier].name);
  }
  t.same([...seen].sort(), ['0+1', '1+1', '2+1', '3+0', '3+1', '4+0', '4+1', '5+0', '5+1'], 'every tier was exercised');
});

t.test('a won jackpot below the minimum is topped up by the house; above it, the stakes and rollover pay', async (t) => {
  const small = settleJackpot569({ stakeTotalMinor: 10_000_000, rolloverInMinor: 0, classes: [cls(5, 1, 1)] });
  t.equal(small.tiers[0].perLineMinor, JACKPOT569_MINIMUM_MINOR);
  t.equal(small.houseInMinor, JACKPOT569_MINIMUM_MINOR - 10_000_000, 'the whole stakes, and the house the rest');
  const big = settleJackpot569({ stakeTotalMinor: 10_000_000, rolloverInMinor: 3_000_000_000, classes: [cls(5, 1, 3)] });
  t.equal(big.tiers[0].perLineMinor, Math.floor(3_003_500_000 / 3), 'shared by floor');
  t.equal(big.houseInMinor, 0);
  t.equal(big.houseOutMinor, 6_500_000 + (3_003_500_000 - 3 * 1_001_166_666), 'the other 65% and the split\'s remainder');
});

t.test('the guarantee is for the jackpot, not for each of its winners', async (t) => {
  const r = settleJackpot569({ stakeTotalMinor: 1_000, rolloverInMinor: 0, classes: [cls(5, 1, 2)] });
  t.equal(r.tiers[0].perLineMinor, JACKPOT569_MINIMUM_MINOR / 2);
  t.equal(r.playersMinor, JACKPOT569_MINIMUM_MINOR);
});

t.test('an unwon jackpot rolls over what stakes and rollover put in, never the house\'s guarantee', async (t) => {
  const r = settleJackpot569({ stakeTotalMinor: 10_000_000, rolloverInMinor: 7, classes: [cls(4, 1, 1), cls(0, 1, 100)] });
  t.equal(r.rolloverOutMinor, 3_500_007);
  t.equal(r.tiers[0].paidMinor, 0);
  t.equal(r.playersMinor, 5_000_000 + 100 * 400);
  t.equal(r.houseOutMinor, 6_500_000 - 5_000_000 - 40_000);
  t.same(moneyFaults({ stakeTotalMinor: 10_000_000, rolloverInMinor: 7 }, r), []);
});

t.test('fixed prizes beyond what the draw took are paid by the house', async (t) => {
  const r = settleJackpot569({ stakeTotalMinor: 200, rolloverInMinor: 0, classes: [cls(5, 0, 1)] });
  t.equal(r.playersMinor, 100_000_000);
  t.equal(r.rolloverOutMinor, 70, '35% of the one line still rolls');
  t.equal(r.houseInMinor, 100_000_000 + 70 - 200);
  t.equal(r.houseOutMinor, 0);
});

t.test('a class no line of this game can have is a loud error', async (t) => {
  const settle = (c: LineClass) => () => settleJackpot569({ stakeTotalMinor: 0, rolloverInMinor: 0, classes: [c] });
  t.throws(settle({ ...cls(5, 1, 1), matches: [6, 1], spots: [6, 1] }));
  t.throws(settle({ ...cls(5, 2, 1) }));
  t.throws(settle({ ...cls(2, 1, 1), spots: [5, 2] }));
  t.throws(settle({ ...cls(2, 1, 1), stakeMinor: 400 }), /stake 400/);
  t.throws(settle({ ...cls(2, 1, 1), matches: [2] }));
  t.throws(settle({ ...cls(2, 1, 1), betType: 'straight' }));
});

t.test('every settlement balances and is deterministic (random class lists, stakes, rollover)', async (t) => {
  t.equal(checkSettlementProperty(game, { numRuns: 400, maxLines: 100_000, rollover: true }), null);
});

t.test('validateBet: canonical lines, the bonus last; hostile input refused with a code', async (t) => {
  t.match(game.validateBet({ lines: [[69, 4, 3, 2, 1, 26]] }), { ok: true, bet: { lines: [[1, 2, 3, 4, 69, 26]], costMinor: 200 } });
  t.match(game.validateBet({ lines: [[1, 2, 3, 4, 5, 5]] }), { ok: true }, 'the bonus may repeat a main number: its own drum');
  t.match(game.validateBet({ lines: [[1, 2, 3, 4, 5, 27]] }), { ok: false, code: 'INVALID_SELECTION', reason: /bonus/ });
  t.match(game.validateBet({ lines: [[1, 2, 3, 4, 70, 1]] }), { ok: false, code: 'INVALID_SELECTION' });
  t.match(game.validateBet({ lines: [[1, 2, 3, 4, 4, 1]] }), { ok: false, code: 'INVALID_SELECTION', reason: /repeats 4/ });
  t.match(game.validateBet({ lines: [[1, 2, 3, 4, 5]] }), { ok: false, code: 'INVALID_SELECTION' });
  t.match(game.validateBet({ lines: [[1, 2, 3, 4, 5, 6, 7]] }), { ok: false, code: 'INVALID_SELECTION' });
  t.match(game.validateBet({ betType: 'power_play', lines: [[1, 2, 3, 4, 5, 6]] }), { ok: false, code: 'INVALID_BET_TYPE' });
  t.match(game.validateBet({ stakeMinor: 300, lines: [[1, 2, 3, 4, 5, 6]] }), { ok: false, code: 'INVALID_STAKE' });
  t.match(game.validateBet({ stakeMinor: 1e300, lines: [[1, 2, 3, 4, 5, 6]] }), { ok: false, code: 'INVALID_STAKE' });
  t.equal(checkValidateNeverThrows(game, 1_000), null);
});

t.test('odds are the published ones: 1 in 292,201,338 for the jackpot, every tier', async (t) => {
  t.same(game.odds().map((r) => [r.tier, r.oneIn]), [
    ['5+1', '292201338'],
    ['5+0', '11688053.52'],
    ['4+1', '913129.18'],
    ['4+0', '36525.17'],
    ['3+1', '14494.11'],
    ['3+0', '579.76'],
    ['2+1', '701.33'],
    ['1+1', '91.98'],
    ['0+1', '38.32'],
  ]);
});

t.test('the live estimate shows the guaranteed jackpot, and the fixed prizes at 2.00 EUR', async (t) => {
  const e = game.estimate({ stakeTotalMinor: 1_000, linesSold: 5, rolloverInMinor: 0 });
  t.equal(e.jackpotMinor, JACKPOT569_MINIMUM_MINOR);
  t.same(e.tiers.slice(1).map((x) => [x.name, x.perLineMinor / 100]), Object.entries(FIXED_EUR));
  t.equal(game.estimate({ stakeTotalMinor: 0, linesSold: 0, rolloverInMinor: 2_500_000_000 }).jackpotMinor, 2_500_000_000);
});
