// Lotto 6/49 as a catalogue game (games/lotto649.ts): the pari-mutuel tiers of games/prizes.ts,
// a jackpot that rolls over up to its cap and rolls down to match5 above it, masks in the
// layout migration 007 gave every earlier ticket, and the published odds.
import t from 'tap';
import { allocatePrizes } from '../games/prizes.ts';
import { drumLineMask } from '../games/lineMask.ts';
import { LOTTO649_JACKPOT_CAP_MINOR, LOTTO649_PRIZES, lotto649, lotto649Game as game, settleLotto649 } from '../games/lotto649.ts';
import type { LineClass } from '../games/types.ts';
import { checkSettlementProperty, checkValidateNeverThrows, lineClass, moneyFaults, randomDraw, seeded } from './support/gameChecks.ts';

const cls = (matched: number, lines: number): LineClass => ({ betType: 'standard', stakeMinor: 200, matches: [matched], spots: [6], lines });

t.test('the catalogue entry sells the line of the GameRules export: one bet type, 2.00 EUR, one 49-bit segment', async (t) => {
  t.same(game.betTypes.map((b) => [b.id, b.stakesMinor]), [['standard', [200]]]);
  t.same(game.maskSegments('standard'), [{ name: 'main', bits: 49 }]);
  t.equal(game.drums, lotto649.drums, 'the same drum as the GameRules export');
  t.equal(game.prizeModel, 'pari-mutuel');
  t.match(game.validateBet({ lines: [[49, 1, 7, 3, 22, 10]] }), { ok: true, bet: { betType: 'standard', stakeMinor: 200, costMinor: 200, lines: [[1, 3, 7, 10, 22, 49]] } });
});

t.test('line masks are drumLineMask\'s layout (migration 007), for random lines', async (t) => {
  const rnd = seeded(649);
  for (let i = 0; i < 500; i++) {
    const lines = game.quickPick('standard', 3, rnd);
    const bet = game.validateBet({ lines });
    if (!bet.ok) return t.fail(bet.reason);
    bet.bet.lines.forEach((line, k) => {
      if (bet.bet.lineMasks[k] !== drumLineMask(lotto649.drums, [line])) t.fail(`${line}`);
    });
    const drawn = randomDraw(game, rnd);
    if (game.drawnMask('standard', drawn) !== drumLineMask(lotto649.drums, drawn)) t.fail(`drawn ${drawn}`);
  }
  t.pass('1,500 lines and 500 draws in the layout of migration 007');
});

t.test('a line\'s class from its mask wins the tier the rules give it (brute force, random lines and draws)', async (t) => {
  const rnd = seeded(6);
  const seen = new Set<number | null>();
  for (let i = 0; i < 20_000; i++) {
    const drawn = randomDraw(game, rnd);
    // Bias towards winners: keep k of the drawn numbers, fill the rest with a quick pick.
    const keep = drawn[0].slice(0, i % 7);
    const line = [...keep, ...game.quickPick('standard', 1, rnd)[0].filter((n) => !keep.includes(n))].slice(0, 6);
    const bet = game.validateBet({ lines: [line] });
    if (!bet.ok) return t.fail(bet.reason);
    const c = lineClass(game, 'standard', 200, bet.bet.lineMasks[0], drawn);
    const matched = line.filter((n) => drawn[0].includes(n)).length;
    const expected = matched >= 3 ? 6 - matched : null;
    // A draw big enough that every tier's share is positive.
    const r = game.settle({ stakeTotalMinor: 100_000_000, rolloverInMinor: 0, classes: [c] });
    const tier = r.prizes[0]?.tier ?? null;
    if (tier !== expected || LOTTO649_PRIZES.tierOf(bet.bet.lines[0], drawn) !== expected) return t.fail(`${line} vs ${drawn}: ${tier}, rules ${expected}`);
    seen.add(tier);
  }
  t.same([...seen].sort(), [0, 1, 2, 3, null].sort(), 'every tier and a loss were exercised');
});

t.test('without rollover, prizes are exactly games/prizes.ts\'s pari-mutuel split (floor rounding)', async (t) => {
  const rnd = seeded(11);
  for (let i = 0; i < 2_000; i++) {
    const winners = [0, 1, 2, 3].map(() => (rnd(0, 4) === 0 ? 0 : rnd(1, 5_000)));
    if (winners[0] === 0) winners[0] = 1; // a won jackpot: nothing rolls, as in prizes.ts
    const stake = rnd(0, 2_000_000_000);
    const classes = winners.map((n, tier) => cls(6 - tier, n)).filter((c) => c.lines > 0);
    const r = settleLotto649({ stakeTotalMinor: stake, rolloverInMinor: 0, classes });
    const a = allocatePrizes(stake, LOTTO649_PRIZES, winners);
    if (JSON.stringify(r.tiers.map((x) => x.perLineMinor)) !== JSON.stringify(a.tiers.map((x) => x.perLineMinor))) return t.fail(`${stake} ${winners}`);
    if (r.houseOutMinor !== a.houseMinor || r.rolloverOutMinor !== 0) return t.fail(`house ${r.houseOutMinor} vs ${a.houseMinor}`);
  }
  t.pass('2,000 draws settle as allocatePrizes does');
});

t.test('an unwon jackpot rolls over whole while under the cap', async (t) => {
  // Fund 500,000: match6 250,000, match5 100,000, match4 75,000, match3 75,000.
  const r = settleLotto649({ stakeTotalMinor: 1_000_000, rolloverInMinor: 300_000, classes: [cls(5, 2), cls(3, 10)] });
  t.equal(r.rolloverOutMinor, 550_000, 'this draw\'s share and the rollover in');
  t.equal(r.tiers[0].perLineMinor, 0);
  t.equal(r.tiers[1].perLineMinor, 50_000, 'match5 untouched');
  t.equal(r.tiers[3].perLineMinor, 7_500);
  t.equal(r.houseOutMinor, 1_000_000 + 300_000 - 550_000 - 100_000 - 75_000, 'stakes kept back, match4 unwon');
  t.same(moneyFaults({ stakeTotalMinor: 1_000_000, rolloverInMinor: 300_000 }, r), []);
});

t.test('above the cap the excess rolls down to match5 of the same draw; exactly at it nothing does', async (t) => {
  const share = 250_000;
  const atCap = settleLotto649({ stakeTotalMinor: 1_000_000, rolloverInMinor: LOTTO649_JACKPOT_CAP_MINOR - share, classes: [cls(5, 2)] });
  t.equal(atCap.rolloverOutMinor, LOTTO649_JACKPOT_CAP_MINOR);
  t.equal(atCap.tiers[1].perLineMinor, 50_000, 'reaching the cap exactly rolls nothing down');
  const over = settleLotto649({ stakeTotalMinor: 1_000_000, rolloverInMinor: LOTTO649_JACKPOT_CAP_MINOR - share + 1_001, classes: [cls(5, 2)] });
  t.equal(over.rolloverOutMinor, LOTTO649_JACKPOT_CAP_MINOR, 'the cap rolls on');
  t.equal(over.tiers[1].perLineMinor, Math.floor((100_000 + 1_001) / 2), 'the 1,001 above the cap joins match5, floor-split');
  t.equal(over.houseOutMinor, 1_000_000 - 500_000 + 75_000 + 75_000 + 1, 'the kept half, match4 and match3 unwon, and the odd minor unit of the split');
  t.equal(LOTTO649_JACKPOT_CAP_MINOR, 1_000_000_000, 'the cap is 10,000,000.00 EUR');
});

t.test('a rolled-down excess with no match5 winner goes to the house, as every unwon lower tier', async (t) => {
  const r = settleLotto649({ stakeTotalMinor: 1_000_000, rolloverInMinor: LOTTO649_JACKPOT_CAP_MINOR, classes: [cls(4, 1)] });
  t.equal(r.rolloverOutMinor, LOTTO649_JACKPOT_CAP_MINOR);
  t.equal(r.tiers[1].paidMinor, 0);
  t.equal(r.houseOutMinor, 1_000_000 + LOTTO649_JACKPOT_CAP_MINOR - LOTTO649_JACKPOT_CAP_MINOR - 75_000);
});

t.test('a won jackpot pays the rollover with this draw\'s share, split by floor; nothing rolls on', async (t) => {
  const r = settleLotto649({ stakeTotalMinor: 1_000_000, rolloverInMinor: 300_001, classes: [cls(6, 3), cls(2, 1_000)] });
  t.equal(r.rolloverOutMinor, 0);
  t.equal(r.tiers[0].perLineMinor, Math.floor(550_001 / 3));
  t.equal(r.tiers[0].winningLines, 3);
  t.equal(r.prizes.length, 1, 'match2 wins nothing');
  t.same(moneyFaults({ stakeTotalMinor: 1_000_000, rolloverInMinor: 300_001 }, r), []);
});

t.test('a rollover in above the cap (a cap lowered later) still rolls only the cap', async (t) => {
  const r = settleLotto649({ stakeTotalMinor: 0, rolloverInMinor: LOTTO649_JACKPOT_CAP_MINOR + 7, classes: [cls(5, 1)] });
  t.equal(r.rolloverOutMinor, LOTTO649_JACKPOT_CAP_MINOR);
  t.equal(r.tiers[1].perLineMinor, 7);
});

t.test('a class no lotto 6/49 line can have is a loud error, not a silent loss', async (t) => {
  const settle = (c: LineClass) => () => settleLotto649({ stakeTotalMinor: 1_000, rolloverInMinor: 0, classes: [c] });
  t.throws(settle({ ...cls(6, 1), matches: [7], spots: [7] }), /lotto 6\/49/);
  t.throws(settle({ ...cls(3, 1), spots: [5] }), /lotto 6\/49/);
  t.throws(settle({ ...cls(3, 1), betType: 'box' }), /lotto 6\/49/);
  t.throws(settle({ ...cls(3, 1), matches: [3, 1], spots: [6, 1] }), /lotto 6\/49/);
});

t.test('every settlement balances and is deterministic (random class lists, stakes, rollover)', async (t) => {
  t.equal(checkSettlementProperty(game, { numRuns: 400, maxLines: 100_000, rollover: true }), null);
  // Also at the cap, where the rolldown is live.
  const rnd = seeded(3);
  for (let i = 0; i < 2_000; i++) {
    const input = { stakeTotalMinor: rnd(0, 2_000_000_000), rolloverInMinor: LOTTO649_JACKPOT_CAP_MINOR - rnd(0, 500_000_000), classes: [cls(5, rnd(0, 3)), cls(4, rnd(0, 50))].filter((c) => c.lines > 0) };
    const r = settleLotto649(input);
    const faults = moneyFaults(input, r);
    if (faults.length > 0) return t.fail(faults.join('; '));
    if (r.rolloverOutMinor > LOTTO649_JACKPOT_CAP_MINOR) return t.fail(`rolled ${r.rolloverOutMinor}`);
  }
});

t.test('validateBet: hostile input refused with a code, never a throw; bet type and stake checked', async (t) => {
  t.equal(checkValidateNeverThrows(game, 1_000), null);
  t.match(game.validateBet({ betType: 'system', lines: [[1, 2, 3, 4, 5, 6]] }), { ok: false, code: 'INVALID_BET_TYPE' });
  t.match(game.validateBet({ betType: 7, lines: [[1, 2, 3, 4, 5, 6]] }), { ok: false, code: 'INVALID_BET_TYPE' });
  t.match(game.validateBet({ stakeMinor: 400, lines: [[1, 2, 3, 4, 5, 6]] }), { ok: false, code: 'INVALID_STAKE' });
  t.match(game.validateBet({ stakeMinor: '200', lines: [[1, 2, 3, 4, 5, 6]] }), { ok: false, code: 'INVALID_STAKE' });
  t.match(game.validateBet({ stakeMinor: 200n, lines: [[1, 2, 3, 4, 5, 6]] }), { ok: false, code: 'INVALID_STAKE' });
  t.match(game.validateBet({ lines: [[1, 2, 3, 4, 5, 10n]] }), { ok: false, code: 'INVALID_SELECTION', reason: /a bigint/ });
  t.match(game.validateBet({ lines: [[1, 2, 3, 4, 5, 50]] }), { ok: false, code: 'INVALID_SELECTION' });
  t.match(game.validateBet({ lines: [[1, 2, 3, 4, 5, 5]] }), { ok: false, code: 'INVALID_SELECTION', reason: /repeats 5/ });
  t.match(game.validateBet({ lines: Array(11).fill([1, 2, 3, 4, 5, 6]) }), { ok: false, code: 'INVALID_SELECTION', reason: /at most 10/ });
});

t.test('odds are the published ones: 1 in 13,983,816 for the jackpot', async (t) => {
  const rows = game.odds();
  t.same(rows.map((r) => [r.tier, r.oneIn]), [['match6', '13983816'], ['match5', '54200.84'], ['match4', '1032.40'], ['match3', '56.66']]);
  t.same([rows[0].favourable, rows[0].total], ['1', '13983816']);
  t.same([rows[1].favourable, rows[1].total], ['258', '13983816'], 'C(6,5) C(43,1)');
});

t.test('the live estimate: the jackpot with its rollover, a tier never estimated above its whole share', async (t) => {
  const e = game.estimate({ stakeTotalMinor: 1_000_000, linesSold: 5_000, rolloverInMinor: 123 });
  t.equal(e.jackpotMinor, 250_123);
  t.equal(e.tiers[0].perLineMinor, 250_123, 'expected winners under one: the whole jackpot');
  t.equal(e.tiers[3].perLineMinor, Math.floor(75_000 / Math.floor((5_000 * 246_820) / 13_983_816)), 'match3 split among its expected winners');
});
