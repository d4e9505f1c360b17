// Pari-mutuel prize arithmetic (games/prizes.ts) and the lotto 6/49 prize table, with
// exact known answers: every minor unit goes to a winner or the house, never anywhere else.
import t from 'tap';
import { allocatePrizes, assertPrizeRules, ticketPrizeMinor, ticketTierLines, type PrizeAllocation } from '../games/prizes.ts';
import { LOTTO649_PRIZES, lotto649, matchedMain } from '../games/lotto649.ts';
import type { PrizeRules } from '../games/types.ts';

const perLine = (a: PrizeAllocation) => a.tiers.map((x) => x.perLineMinor);
const tierMinor = (a: PrizeAllocation) => a.tiers.map((x) => x.tierMinor);

t.test('lotto 6/49 pays half the stakes, split 50/20/15/15 over match 6/5/4/3, in basis points', async (t) => {
  t.equal(lotto649.prizes, LOTTO649_PRIZES);
  t.equal(LOTTO649_PRIZES.payoutBasisPoints, 5_000);
  t.same(
    LOTTO649_PRIZES.tiers.map((x) => [x.name, x.basisPoints]),
    [
      ['match6', 5_000],
      ['match5', 2_000],
      ['match4', 1_500],
      ['match3', 1_500],
    ],
  );
  t.doesNotThrow(() => assertPrizeRules(LOTTO649_PRIZES));
});

t.test('a line wins the tier of its matched main numbers, and nothing below three', async (t) => {
  const numbers = [[3, 11, 19, 27, 35, 43]];
  const cases: [number[], number, number | null][] = [
    [[3, 11, 19, 27, 35, 43], 6, 0],
    [[3, 11, 19, 27, 35, 44], 5, 1],
    [[1, 3, 11, 19, 27, 49], 4, 2],
    [[3, 11, 19, 20, 21, 22], 3, 3],
    [[3, 11, 20, 21, 22, 23], 2, null],
    [[43, 1, 2, 4, 5, 6], 1, null],
    [[1, 2, 4, 5, 6, 7], 0, null],
  ];
  for (const [line, matched, tier] of cases) {
    t.equal(matchedMain(line, numbers), matched, `${line} matches ${matched}`);
    t.equal(LOTTO649_PRIZES.tierOf(line, numbers), tier, `${line} wins tier ${tier}`);
  }
  t.throws(() => LOTTO649_PRIZES.tierOf([1, 2, 3, 4, 5, 6], [[1, 2, 3, 4, 5]]), /one drum of 6/, 'a malformed draw record is a bug, not a loss');
  t.throws(() => LOTTO649_PRIZES.tierOf([1, 2, 3, 4, 5, 6], []), /one drum of 6/);
});

t.test("a ticket's winning lines are counted per tier, repeated lines counting each time", async (t) => {
  const numbers = [[1, 2, 3, 4, 5, 6]];
  const lines = [
    [1, 2, 3, 4, 5, 6],
    [1, 2, 3, 7, 8, 9],
    [1, 2, 3, 4, 5, 6],
    [10, 11, 12, 13, 14, 15],
    [1, 2, 3, 4, 8, 9],
  ];
  t.same(ticketTierLines(LOTTO649_PRIZES, lines, numbers), [2, 0, 1, 1]);
  t.equal(ticketTierLines(LOTTO649_PRIZES, [[1, 2, 7, 8, 9, 10]], numbers), null, 'two matches win nothing');
});

t.test('no winners: the whole pool goes to the house', async (t) => {
  const a = allocatePrizes(1_000_000, LOTTO649_PRIZES, [0, 0, 0, 0]);
  t.equal(a.prizeFundMinor, 500_000);
  t.same(tierMinor(a), [250_000, 100_000, 75_000, 75_000]);
  t.same(perLine(a), [0, 0, 0, 0]);
  t.equal(a.playersMinor, 0);
  t.equal(a.houseMinor, 1_000_000);
});

t.test('one winner takes the whole tier; unwon tiers go to the house', async (t) => {
  const a = allocatePrizes(1_000_000, LOTTO649_PRIZES, [1, 0, 0, 0]);
  t.same(perLine(a), [250_000, 0, 0, 0]);
  t.equal(a.playersMinor, 250_000);
  t.equal(a.houseMinor, 750_000);
});

t.test('many winners split a tier equally per line, rounding down; the remainder goes to the house', async (t) => {
  const a = allocatePrizes(1_000_000, LOTTO649_PRIZES, [0, 2, 3, 7]);
  t.same(perLine(a), [0, 50_000, 25_000, 10_714], '75,000 / 7 = 10,714 r 2');
  t.same(
    a.tiers.map((x) => x.paidMinor),
    [0, 100_000, 75_000, 74_998],
  );
  t.equal(a.playersMinor, 249_998);
  t.equal(a.houseMinor, 750_002);
  t.equal(ticketPrizeMinor(a, [0, 1, 0, 2]), 50_000 + 2 * 10_714, 'a ticket is paid the sum over its lines');
  t.equal(ticketPrizeMinor(a, [0, 0, 0, 0]), 0);
});

t.test('odd amounts floor at every step, towards the house', async (t) => {
  const a = allocatePrizes(1_999, LOTTO649_PRIZES, [1, 1, 1, 1]);
  t.equal(a.prizeFundMinor, 999, '1,999 × 50% = 999.5');
  t.same(tierMinor(a), [499, 199, 149, 149], '499.5, 199.8, 149.85, 149.85');
  t.equal(a.playersMinor, 996);
  t.equal(a.houseMinor, 1_003);

  const b = allocatePrizes(1_999, LOTTO649_PRIZES, [3, 0, 2, 5]);
  t.same(perLine(b), [166, 0, 74, 29], '499/3, 149/2, 149/5');
  t.equal(b.playersMinor, 498 + 148 + 145);
  t.equal(b.houseMinor, 1_999 - 791);
});

t.test('a tier with more winning lines than minor units pays nothing per line', async (t) => {
  const a = allocatePrizes(20, LOTTO649_PRIZES, [0, 0, 0, 3]);
  t.equal(a.prizeFundMinor, 10);
  t.same(tierMinor(a), [5, 2, 1, 1]);
  t.same(perLine(a), [0, 0, 0, 0]);
  t.equal(a.houseMinor, 20);
  t.same(allocatePrizes(0, LOTTO649_PRIZES, [0, 0, 0, 0]).houseMinor, 0, 'an empty draw allocates nothing');
});

t.test('products are exact near 2^53, where a double would round', async (t) => {
  const stake = Number.MAX_SAFE_INTEGER; // 9,007,199,254,740,991
  const a = allocatePrizes(stake, LOTTO649_PRIZES, [1, 1, 1, 1]);
  t.equal(a.prizeFundMinor, 4_503_599_627_370_495);
  t.same(tierMinor(a), [2_251_799_813_685_247, 900_719_925_474_099, 675_539_944_105_574, 675_539_944_105_574]);
  t.equal(a.playersMinor + a.houseMinor, stake);
});

t.test('for any stakes and winners, players + house = stakes and no tier overpays', async (t) => {
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed % n;
  };
  for (let i = 0; i < 2_000; i++) {
    const stake = rand(10) === 0 ? rand(50) : rand(2 ** 30);
    const winners = [rand(3), rand(20), rand(1_000), rand(30_000)];
    const a = allocatePrizes(stake, LOTTO649_PRIZES, winners);
    const ok =
      a.playersMinor + a.houseMinor === stake &&
      a.playersMinor <= a.prizeFundMinor &&
      a.tiers.every((x) => (x.winningLines === 0 ? x.paidMinor === 0 : x.tierMinor - x.paidMinor < x.winningLines && x.paidMinor <= x.tierMinor)) &&
      a.houseMinor >= stake - a.prizeFundMinor;
    if (!ok) return t.fail(`stake ${stake}, winners ${winners}: ${JSON.stringify(a)}`);
  }
  t.pass('2,000 random allocations balance');
});

t.test('a malformed prize table or winner count is a programmer error', async (t) => {
  const rules = (payoutBasisPoints: number, bps: number[]): PrizeRules => ({
    payoutBasisPoints,
    tiers: bps.map((basisPoints, i) => ({ name: `t${i}`, basisPoints })),
    tierOf: () => null,
  });
  t.throws(() => allocatePrizes(100, rules(5_000, [5_000, 5_001]), [0, 0]), /more than 10000/);
  t.throws(() => allocatePrizes(100, rules(10_001, [10_000]), [0]), /payout basis points/);
  t.throws(() => allocatePrizes(100, rules(5_000, [2_500.5]), [0]), /basis points 2500.5/);
  t.throws(() => allocatePrizes(100, rules(5_000, []), []), /at least one tier/);
  t.throws(() => allocatePrizes(100, LOTTO649_PRIZES, [0, 0, 0]), /3 winning-line counts for 4 tiers/);
  t.throws(() => allocatePrizes(100, LOTTO649_PRIZES, [0, 0, 0, -1]), /-1 winning lines/);
  t.throws(() => allocatePrizes(-1, LOTTO649_PRIZES, [0, 0, 0, 0]), /not a non-negative integer/);
  t.throws(() => allocatePrizes(1.5, LOTTO649_PRIZES, [0, 0, 0, 0]), /not a non-negative integer/);
  t.throws(() => ticketPrizeMinor(allocatePrizes(100, LOTTO649_PRIZES, [0, 0, 0, 0]), [1]), /1 tier counts for 4 tiers/);
});
