// The raffle (games/raffle.ts): entries with nothing to choose, prizes drawn without
// replacement among the sealed tickets, winners by a sparse partial Fisher–Yates, and a
// settlement by position whose money always balances.
import t from 'tap';
import fc from 'fast-check';
import { RAFFLE_PRIZES_MINOR, RAFFLE_STAKE_MINOR, RAFFLE_WINNERS_MAX, raffle as game, raffleDrums, raffleWinners, settleRaffle } from '../games/raffle.ts';
import { checkValidateNeverThrows, seeded } from './support/gameChecks.ts';

t.test('an entry is one empty line at the one stake, its mask the empty bit string', async (t) => {
  t.equal(game.prizeModel, 'raffle');
  t.same(game.maskSegments('standard'), []);
  t.same(game.drums, [], 'the drum depends on the tickets sold: raffleDrums');
  t.same(game.validateBet({ lines: [[]] }), { ok: true, bet: { betType: 'standard', stakeMinor: RAFFLE_STAKE_MINOR, lines: [[]], costMinor: RAFFLE_STAKE_MINOR, lineMasks: [''] } });
  t.same(game.validateBet({ lines: game.quickPick('standard', 1, seeded(1)) }), game.validateBet({ lines: [[]] }), 'a quick pick is the same entry');
  for (const lines of [[], [[], []], [[1]], [['']], [null], 'entry', undefined]) {
    t.match(game.validateBet({ lines }), { ok: false, code: 'INVALID_SELECTION' }, JSON.stringify(lines) ?? 'undefined');
  }
  t.match(game.validateBet({ stakeMinor: 2_000, lines: [[]] }), { ok: false, code: 'INVALID_STAKE' });
  t.match(game.validateBet({ betType: 'lucky_dip', lines: [[]] }), { ok: false, code: 'INVALID_BET_TYPE' });
  t.equal(checkValidateNeverThrows(game, 1_000), null);
});

t.test('the prizes, best first: 100,000.00, two of 10,000.00, ten of 1,000.00, a hundred of 100.00', async (t) => {
  t.equal(RAFFLE_PRIZES_MINOR.length, 113);
  t.same(game.raffle!.prizesMinor, RAFFLE_PRIZES_MINOR);
  t.ok(RAFFLE_PRIZES_MINOR.every((p, i) => i === 0 || p <= RAFFLE_PRIZES_MINOR[i - 1]), 'best first');
  t.equal(RAFFLE_PRIZES_MINOR.reduce((a, b) => a + b, 0), 10_000_000 + 2_000_000 + 1_000_000 + 1_000_000);
});

t.test('the draw\'s drum: positions 1..N of the sealed list, one ball a prize, without replacement', async (t) => {
  t.same(raffleDrums(0), [{ name: 'tickets', min: 1, max: 1, count: 1, replacement: false }], 'nothing sold: one position that wins nothing');
  t.same(raffleDrums(5), [{ name: 'tickets', min: 1, max: 5, count: 5, replacement: false }]);
  t.same(raffleDrums(10_000_000), [{ name: 'tickets', min: 1, max: 10_000_000, count: 113, replacement: false }]);
});

t.test('raffleWinners: distinct positions in range, as many as prizes or tickets, cheap for ten million tickets', async (t) => {
  const started = performance.now();
  const w = raffleWinners(10_000_000, RAFFLE_PRIZES_MINOR.length, seeded(99));
  t.ok(performance.now() - started < 100, 'no array of ten million');
  t.equal(new Set(w).size, 113);
  t.ok(w.every((p) => Number.isInteger(p) && p >= 0 && p < 10_000_000));
  t.same([...raffleWinners(5, 113, seeded(2))].sort(), [0, 1, 2, 3, 4], 'fewer tickets than prizes: each ticket one prize');
  t.same(raffleWinners(0, 113, seeded(3)), []);
  t.same(raffleWinners(Number.MAX_SAFE_INTEGER, 3, () => 7).length, 1 + 2, 'any safe ticket count');
  t.throws(() => raffleWinners(-1, 3, seeded(1)));
  t.throws(() => raffleWinners(10, RAFFLE_WINNERS_MAX + 1, seeded(1)), /at most/);
  t.throws(() => raffleWinners(10, 2.5, seeded(1)));
  t.throws(() => raffleWinners(10, 3, () => 10), /randomInt/, 'a randomInt out of its range is caught');
});

t.test('raffleWinners is the plain partial Fisher–Yates: the same random stream, the same positions', async (t) => {
  const plain = (n: number, k: number, r: (a: number, b: number) => number) => {
    const a = Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < Math.min(k, n); i++) {
      const j = r(i, n);
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a.slice(0, Math.min(k, n));
  };
  fc.assert(fc.property(fc.nat({ max: 2_000 }), fc.nat({ max: 200 }), fc.integer({ min: 1, max: 2 ** 30 }), (n, k, seed) => {
    return JSON.stringify(raffleWinners(n, k, seeded(seed))) === JSON.stringify(plain(n, k, seeded(seed)));
  }), { numRuns: 300 });
});

t.test('every ordered choice of 2 winners among 4 tickets is equally likely (all random streams enumerated)', async (t) => {
  const counts = new Map<string, number>();
  for (let a = 0; a < 4; a++) {
    for (let b = 1; b < 4; b++) {
      const stream = [a, b];
      const w = raffleWinners(4, 2, () => stream.shift()!);
      counts.set(w.join(','), (counts.get(w.join(',')) ?? 0) + 1);
    }
  }
  t.equal(counts.size, 12, 'all 4 × 3 ordered pairs');
  t.ok([...counts.values()].every((c) => c === 1));
});

t.test('settleRaffle: the i-th position wins prize i; a position nobody bought wins nothing', async (t) => {
  const r = settleRaffle(5 * RAFFLE_STAKE_MINOR, 5, [3, 5, 4, 1, 2]);
  t.same(r.winners.map((w) => [w.position, w.amountMinor]), [[3, 10_000_000], [5, 1_000_000], [4, 1_000_000], [1, 100_000], [2, 100_000]]);
  t.same(r.tiers.map((x) => [x.name, x.winningLines, x.paidMinor]), [['prize of 100000 EUR', 1, 10_000_000], ['prize of 10000 EUR', 2, 2_000_000], ['prize of 1000 EUR', 2, 200_000], ['prize of 100 EUR', 0, 0]]);
  t.equal(r.houseInMinor, 12_200_000 - 5_000);
  const none = settleRaffle(0, 0, [1]);
  t.same([none.winners, none.playersMinor, none.houseInMinor, none.houseOutMinor], [[], 0, 0, 0]);
});

t.test('settleRaffle refuses a draw its drum could not have drawn', async (t) => {
  t.throws(() => settleRaffle(0, 5, [1, 2, 3, 4]), /drum draws 5/);
  t.throws(() => settleRaffle(0, 5, [1, 2, 3, 4, 6]), /outside 1..5/);
  t.throws(() => settleRaffle(0, 5, [1, 2, 3, 4, 4]), /twice/);
  t.throws(() => settleRaffle(0, 5, [1, 2, 3, 4, 2.5]), /outside/);
  t.throws(() => settleRaffle(0, 0, []), /drum draws 1/);
  t.throws(() => game.settle({ stakeTotalMinor: 0, rolloverInMinor: 0, classes: [] }), /settleRaffle/);
});

t.test('every raffle settlement balances: stakes + house in = players + house out, all ≥ 0', async (t) => {
  fc.assert(fc.property(fc.nat({ max: 20_000_000 }), fc.integer({ min: 1, max: 2 ** 30 }), (tickets, seed) => {
    const drum = raffleDrums(tickets)[0];
    const positions = raffleWinners(drum.max, drum.count, seeded(seed)).map((p) => p + 1);
    const stake = tickets * RAFFLE_STAKE_MINOR;
    const r = settleRaffle(stake, tickets, positions);
    const flows = [r.playersMinor, r.houseInMinor, r.houseOutMinor, r.rolloverOutMinor];
    if (!flows.every((f) => Number.isSafeInteger(f) && f >= 0)) return false;
    if (stake + r.houseInMinor !== r.playersMinor + r.houseOutMinor + r.rolloverOutMinor) return false;
    if (r.tiers.reduce((s, x) => s + x.paidMinor, 0) !== r.playersMinor) return false;
    return r.winners.length === Math.min(tickets, RAFFLE_PRIZES_MINOR.length);
  }), { numRuns: 300 });
});
