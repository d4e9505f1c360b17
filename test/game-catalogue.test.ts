// The catalogue's games (games/catalogue.ts) as pure modules: published odds, masks that
// classify lines exactly as the rules say, settlements whose money always balances, and
// bets validated into one canonical form.
import t from 'tap';
import fc from 'fast-check';
import { catalogue, catalogueGame } from '../games/catalogue.ts';
import { classOf } from '../games/catalogueKit.ts';
import { drumLineMask } from '../games/lineMask.ts';
import { lotto649, LOTTO649_JACKPOT_CAP_MINOR, settleLotto649 } from '../games/lotto649.ts';
import { KENO_PAYTABLE, KENO_RETURN_TO_PLAYER, kenoReturnToPlayer } from '../games/keno.ts';
import { JACKPOT569_MINIMUM_MINOR, settleJackpot569 } from '../games/jackpot569.ts';
import { ordersOf, pick3, pick4, pickPrize, waysOf } from '../games/pick.ts';
import { raffleWinners } from '../games/raffle.ts';
import type { CatalogueGame, LineClass } from '../games/types.ts';

const game = (id: string) => catalogueGame(id)!;
const oneIn = (id: string, betType: string, tier: string) => game(id).odds().find((r) => r.betType === betType && r.tier === tier)?.oneIn;

/** A deterministic randomInt for fast-check: values from a seeded integer stream. */
const seeded = (seed: number) => {
  let s = seed >>> 0 || 1;
  return (min: number, maxExclusive: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return min + (s % (maxExclusive - min));
  };
};

t.test('odds match the published figures', async (t) => {
  t.equal(oneIn('lotto649', 'standard', 'match6'), '13983816', '6/49 jackpot: 1 in 13,983,816');
  t.equal(oneIn('lotto649', 'standard', 'match3'), '56.66', '6/49 three numbers: 1 in 56.66');
  t.equal(oneIn('jackpot569', 'standard', '5+1'), '292201338', '5/69 + 1/26 jackpot: 1 in 292,201,338');
  t.equal(oneIn('jackpot569', 'standard', '5+0'), '11688053.52', '5/69 + 1/26 five without the bonus');
  t.equal(oneIn('jackpot569', 'standard', '0+1'), '38.32', 'the bonus ball alone');
  t.equal(oneIn('pick3', 'straight', 'straight'), '1000', 'pick-3 straight: 1 in 1,000');
  t.equal(oneIn('pick3', 'box', 'box 6-way'), '166.67', 'pick-3 6-way box: 1 in 166.67');
  t.equal(oneIn('pick3', 'box', 'box 3-way'), '333.33', 'pick-3 3-way box: 1 in 333.33');
  t.equal(oneIn('pick4', 'straight', 'straight'), '10000', 'pick-4 straight: 1 in 10,000');
  t.equal(oneIn('pick4', 'box', 'box 24-way'), '416.67', 'pick-4 24-way box: 1 in 416.67');
  t.equal(oneIn('keno', 'standard', '10 spots 10 hits'), '8911711.18', 'keno 10 of 10: 1 in 8,911,711.18');
  t.equal(oneIn('keno', 'standard', '1 spots 1 hits'), '4', 'keno 1 of 1: 1 in 4');
});

t.test('keno states each paytable\'s return to player as computed, all under 100%', async (t) => {
  for (const spots of Object.keys(KENO_PAYTABLE).map(Number)) {
    t.equal(KENO_RETURN_TO_PLAYER[spots], kenoReturnToPlayer(spots), `${spots} spots`);
    t.ok(Number(KENO_RETURN_TO_PLAYER[spots]) < 100, `${spots} spots pays back less than it takes`);
  }
});

t.test('lotto 6/49 masks are the layout migration 007 wrote for earlier tickets', async (t) => {
  const bet = game('lotto649').validateBet({ lines: [[49, 1, 7, 3, 22, 10]] });
  t.ok(bet.ok);
  if (bet.ok) t.equal(bet.bet.lineMasks[0], drumLineMask(lotto649.drums, [[1, 3, 7, 10, 22, 49]]));
});

/** The rules written out directly (no masks), to check the masks against. */
function directPrize(id: string, betType: string, line: number[], drawn: number[][]): boolean {
  const count = (xs: number[], ys: number[]) => xs.filter((x) => ys.includes(x)).length;
  switch (id) {
    case 'lotto649':
      return count(line, drawn[0]) >= 3;
    case 'jackpot569': {
      const [m, b] = [count(line.slice(0, 5), drawn[0]), line[5] === drawn[1][0] ? 1 : 0];
      return b === 1 || m >= 3;
    }
    case 'keno':
      return KENO_PAYTABLE[line.length][count(line, drawn[0])] !== undefined;
    default: {
      const digits = drawn.map((d) => d[0]);
      const exact = line.join('') === digits.join('');
      const anyOrder = [...line].sort().join('') === [...digits].sort().join('');
      return betType === 'straight' ? exact : anyOrder;
    }
  }
}

function randomDraw(g: CatalogueGame, rnd: (a: number, b: number) => number): number[][] {
  return g.drums.map((d) => {
    const pool = Array.from({ length: d.max - d.min + 1 }, (_, i) => d.min + i);
    for (let i = 0; i < d.count; i++) {
      const j = rnd(i, pool.length);
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    return pool.slice(0, d.count).sort((a, b) => a - b);
  });
}

t.test('a line\'s class from its mask and the drawn mask wins exactly when the rules say (every line game, every bet type)', async (t) => {
  let checked = 0;
  for (const g of catalogue().filter((x) => x.prizeModel !== 'raffle')) {
    for (const type of g.betTypes) {
      const rnd = seeded(g.id.length * 7919 + type.id.length);
      for (let i = 0; i < 3_000; i++) {
        const lines = g.quickPick(type.id, 1, rnd);
        // Skew towards winners: half the time, bet the drawn numbers themselves (or an order of them).
        const drawn = randomDraw(g, rnd);
        if (i % 2 === 0 && g.id.startsWith('pick')) lines[0] = drawn.map((d) => d[0]).reverse();
        if (i % 2 === 0 && g.id === 'lotto649') lines[0] = [...drawn[0].slice(0, 3 + (i % 4)), ...lines[0]].filter((n, k, a) => a.indexOf(n) === k).slice(0, 6).sort((a, b) => a - b);
        const bet = g.validateBet({ betType: type.id, lines });
        if (!bet.ok) continue; // e.g. an all-same-digit box from the skew
        const segments = g.maskSegments(type.id);
        const cls: LineClass = { betType: type.id, stakeMinor: bet.bet.stakeMinor, lines: 1, ...classOf(segments, bet.bet.lineMasks[0], g.drawnMask(type.id, drawn)) };
        const settled = g.settle({ stakeTotalMinor: bet.bet.costMinor, rolloverInMinor: 0, classes: [cls] });
        const wins = settled.prizes.length > 0 || (g.id === 'lotto649' && cls.matches[0] >= 3);
        if (wins !== directPrize(g.id, type.id, bet.bet.lines[0], drawn)) {
          t.fail(`${g.id}/${type.id} ${JSON.stringify(bet.bet.lines[0])} vs ${JSON.stringify(drawn)}: mask says ${wins}`);
          return;
        }
        checked++;
      }
    }
  }
  t.ok(checked > 20_000, `${checked} lines classified as the rules say`);
});

const classArb = (g: CatalogueGame) =>
  fc.array(
    fc.record({
      type: fc.constantFrom(...g.betTypes),
      seed: fc.integer({ min: 1, max: 2 ** 30 }),
      lines: fc.integer({ min: 1, max: 50_000 }),
    }),
    { maxLength: 12 },
  );

t.test('every settlement balances: stakes + rollover in + house in = players + rollover out + house out, all ≥ 0', async (t) => {
  for (const g of catalogue().filter((x) => x.prizeModel !== 'raffle')) {
    fc.assert(
      fc.property(classArb(g), fc.integer({ min: 0, max: 4_000_000_000 }), fc.nat({ max: 2_000_000_000 }), (specs, stakes, rollover) => {
        const classes: LineClass[] = specs.map((s) => {
          const rnd = seeded(s.seed);
          const bet = g.validateBet({ betType: s.type.id, stakeMinor: s.type.stakesMinor[s.seed % s.type.stakesMinor.length], lines: g.quickPick(s.type.id, 1, rnd) });
          if (!bet.ok) throw new Error(bet.reason);
          return { betType: s.type.id, stakeMinor: bet.bet.stakeMinor, lines: s.lines, ...classOf(g.maskSegments(s.type.id), bet.bet.lineMasks[0], g.drawnMask(s.type.id, randomDraw(g, rnd))) };
        });
        const rolloverIn = g.prizeModel === 'fixed' ? 0 : rollover;
        const r = g.settle({ stakeTotalMinor: stakes, rolloverInMinor: rolloverIn, classes });
        const flows = [r.playersMinor, r.rolloverOutMinor, r.houseInMinor, r.houseOutMinor];
        const paid = r.prizes.reduce((sum, p) => sum + p.perLineMinor * p.cls.lines, 0);
        return (
          flows.every((f) => Number.isSafeInteger(f) && f >= 0) &&
          stakes + rolloverIn + r.houseInMinor === r.playersMinor + r.rolloverOutMinor + r.houseOutMinor &&
          paid === r.playersMinor &&
          r.tiers.reduce((sum, x) => sum + x.paidMinor, 0) === r.playersMinor &&
          (r.houseInMinor === 0 || r.houseOutMinor === 0)
        );
      }),
      { numRuns: 300 },
    );
    t.pass(`${g.id} balances`);
  }
});

t.test('lotto 6/49: an unwon jackpot rolls over, up to the cap; above it, it rolls down to match5', async (t) => {
  const match5: LineClass = { betType: 'standard', stakeMinor: 200, matches: [5], spots: [6], lines: 2 };
  const unwon = settleLotto649({ stakeTotalMinor: 1_000_000, rolloverInMinor: 300_000, classes: [match5] });
  // fund 500,000; match6 share 250,000 + 300,000 rolled in = 550,000, all rolls on.
  t.equal(unwon.rolloverOutMinor, 550_000);
  t.equal(unwon.tiers[1].perLineMinor, 50_000, 'match5 is 20% of the fund, split by two');
  const capped = settleLotto649({ stakeTotalMinor: 1_000_000, rolloverInMinor: LOTTO649_JACKPOT_CAP_MINOR, classes: [match5] });
  t.equal(capped.rolloverOutMinor, LOTTO649_JACKPOT_CAP_MINOR, 'the cap rolls on');
  t.equal(capped.tiers[1].perLineMinor, (100_000 + 250_000) / 2, 'the excess (this draw\'s share) is added to match5');
  const won = settleLotto649({ stakeTotalMinor: 1_000_000, rolloverInMinor: 300_000, classes: [{ ...match5, matches: [6], lines: 3 }] });
  t.equal(won.rolloverOutMinor, 0);
  t.equal(won.tiers[0].perLineMinor, Math.floor(550_000 / 3));
});

t.test('jackpot 5/69+1/26: a won jackpot is topped up to its minimum by the house; an unwon one rolls without the top-up', async (t) => {
  const jackpot: LineClass = { betType: 'standard', stakeMinor: 200, matches: [5, 1], spots: [5, 1], lines: 1 };
  const won = settleJackpot569({ stakeTotalMinor: 10_000_000, rolloverInMinor: 0, classes: [jackpot] });
  t.equal(won.tiers[0].perLineMinor, JACKPOT569_MINIMUM_MINOR);
  t.equal(won.houseInMinor, JACKPOT569_MINIMUM_MINOR - 10_000_000);
  const unwon = settleJackpot569({ stakeTotalMinor: 10_000_000, rolloverInMinor: 7, classes: [] });
  t.equal(unwon.rolloverOutMinor, 3_500_007);
  t.equal(unwon.houseOutMinor, 6_500_000);
});

t.test('pick: canonical lines, box ways, straight/box halves and the liability per combination', async (t) => {
  const straight = pick3.validateBet({ betType: 'straight', stakeMinor: 200, lines: [[3, 1, 2]] });
  const box = pick3.validateBet({ betType: 'box', stakeMinor: 200, lines: [[3, 1, 2]] });
  t.match(straight, { ok: true, bet: { lines: [[3, 1, 2]], costMinor: 200 } }, 'a straight keeps its order');
  t.match(box, { ok: true, bet: { lines: [[1, 2, 3]] } }, 'a box is sorted');
  t.match(pick3.validateBet({ betType: 'box', lines: [[7, 7, 7]] }), { ok: false, code: 'INVALID_SELECTION' }, 'one order only: not a box');
  t.equal(waysOf([1, 1, 2]), 3);
  t.equal(waysOf([1, 2, 3, 4]), 24);
  t.equal(waysOf([1, 1, 2, 2]), 6);
  t.same(ordersOf([1, 1, 2]), ['112', '121', '211']);
  if (box.ok) t.same(pick3.liability!.of(box.bet).map((l) => l.combination), ['123', '132', '213', '231', '312', '321']);
  const sb = pick3.validateBet({ betType: 'straight_box', stakeMinor: 100, lines: [[1, 1, 2]] });
  if (sb.ok) t.same(pick3.liability!.of(sb.bet), [{ combination: '112', payoutMinor: 50 * (500 + 160) }, { combination: '121', payoutMinor: 50 * 160 }, { combination: '211', payoutMinor: 50 * 160 }]);
  const cls = (betType: string, line: number[], drawn: number[]) => {
    const b = pick4.validateBet({ betType, lines: [line] });
    if (!b.ok) throw new Error(b.reason);
    return { betType, ...classOf(pick4.maskSegments(betType), b.bet.lineMasks[0], pick4.drawnMask(betType, drawn.map((d) => [d]))) };
  };
  t.match(pickPrize(4, cls('box', [1, 1, 2, 2], [2, 1, 2, 1])), { multiple: 800 }, 'a 6-way box');
  t.equal(pickPrize(4, cls('box', [1, 1, 2, 2], [2, 1, 2, 2])), null, 'another multiset loses');
  t.match(pickPrize(4, cls('straight_box', [1, 2, 3, 3], [1, 2, 3, 3])), { multiple: 5000 + 400, divisor: 2 }, 'straight/box exact, 12-way');
});

t.test('validateBet refuses every malformed bet with a code, and never throws', async (t) => {
  t.match(game('keno').validateBet({ betType: 'martingale', lines: [[1]] }), { ok: false, code: 'INVALID_BET_TYPE' });
  t.match(game('keno').validateBet({ stakeMinor: 150, lines: [[1]] }), { ok: false, code: 'INVALID_STAKE' });
  t.match(game('keno').validateBet({ lines: [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]] }), { ok: false, code: 'INVALID_SELECTION' });
  t.match(game('jackpot569').validateBet({ lines: [[1, 2, 3, 4, 5, 27]] }), { ok: false, code: 'INVALID_SELECTION', reason: /bonus/ });
  t.match(game('jackpot569').validateBet({ lines: [[5, 4, 3, 2, 1, 26]] }), { ok: true, bet: { lines: [[1, 2, 3, 4, 5, 26]] } });
  t.match(game('raffle').validateBet({ lines: [[]] }), { ok: true, bet: { costMinor: 1000, lineMasks: [''] } });
  t.match(game('raffle').validateBet({ lines: [[1]] }), { ok: false, code: 'INVALID_SELECTION' });
  for (const g of catalogue()) {
    fc.assert(
      fc.property(fc.anything({ withBigInt: true, maxDepth: 3 }), fc.anything({ maxDepth: 1 }), fc.anything({ maxDepth: 1 }), (lines, betType, stakeMinor) => {
        const r = g.validateBet({ lines, betType, stakeMinor });
        return r.ok ? r.bet.lineMasks.length === r.bet.lines.length : ['INVALID_SELECTION', 'INVALID_BET_TYPE', 'INVALID_STAKE'].includes(r.code);
      }),
      { numRuns: 500 },
    );
  }
  t.pass('no value made validateBet throw');
});

t.test('raffle winners: distinct positions in range, the prize count or every ticket, cheap for ten million tickets', async (t) => {
  const rnd = seeded(99);
  const w = raffleWinners(10_000_000, 113, rnd);
  t.equal(new Set(w).size, 113);
  t.ok(w.every((p) => Number.isInteger(p) && p >= 0 && p < 10_000_000));
  t.same([...raffleWinners(5, 113, rnd)].sort(), [0, 1, 2, 3, 4], 'fewer tickets than prizes: every ticket wins one');
  t.same(raffleWinners(0, 3, rnd), []);
  // The sparse shuffle is the plain one: same randomInt stream, same positions.
  const plain = (n: number, k: number, r: (a: number, b: number) => number) => {
    const a = Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < k; i++) {
      const j = r(i, n);
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a.slice(0, k);
  };
  t.same(raffleWinners(1000, 50, seeded(5)), plain(1000, 50, seeded(5)));
});

t.test('the catalogue keeps the contract the bet path, settlement and the API rely on', async (t) => {
  const { allGames, gameById } = await import('../games/index.ts');
  const { LINES_PER_TICKET_MAX } = await import('../core/limits.ts');
  t.same(catalogue().map((g) => g.id), ['lotto649', 'jackpot569', 'pick3', 'pick4', 'keno', 'raffle']);
  t.equal(catalogueGame('nope'), undefined);
  t.equal(catalogueGame('__proto__'), undefined);
  t.same(allGames().map((g) => g.id), catalogue().map((g) => g.id), 'games/index.ts serves the catalogue');
  t.equal(gameById('keno'), catalogueGame('keno'));
  catalogue().pop();
  t.equal(catalogue().length, 6, 'a caller cannot change the catalogue');
  for (const g of catalogue()) {
    const ids = g.betTypes.map((b) => b.id);
    t.equal(new Set(ids).size, ids.length, `${g.id}: bet types named once`);
    for (const b of g.betTypes) {
      t.match(b.id, /^[a-z0-9_]{1,32}$/, `${g.id}/${b.id}: a bet type ledger/settleSets.ts accepts`);
      t.ok(b.stakesMinor.length > 0 && b.stakesMinor.every((s, i) => Number.isSafeInteger(s) && s > 0 && (i === 0 || s > b.stakesMinor[i - 1])), `${g.id}/${b.id}: stakes ascending whole minor units`);
      t.ok(b.linesPerTicketMax >= 1 && b.linesPerTicketMax <= LINES_PER_TICKET_MAX, `${g.id}/${b.id}: lines per ticket within the platform's bound`);
      const segments = g.maskSegments(b.id);
      const width = segments.reduce((sum, s) => sum + s.bits, 0);
      t.ok(segments.every((s) => Number.isInteger(s.bits) && s.bits > 0 && s.bits <= 1024), `${g.id}/${b.id}: segments settleSets can count`);
      const bet = g.validateBet({ betType: b.id, lines: g.quickPick(b.id, b.linesPerTicketMax, seeded(b.id.length)) });
      t.ok(bet.ok && bet.bet.lineMasks.every((m) => m.length === width && /^[01]*$/.test(m)), `${g.id}/${b.id}: quick picks validate into masks of the layout`);
      if (g.prizeModel !== 'raffle') t.equal(g.drawnMask(b.id, randomDraw(g, seeded(3))).length, width, `${g.id}/${b.id}: a drawn mask of the layout`);
    }
    t.equal(g.liability !== undefined, g.id === 'pick3' || g.id === 'pick4', `${g.id}: a liability cap only where the issue asks for one`);
    const tiers = new Set(g.odds().map((r) => r.tier));
    const estimate = g.estimate({ stakeTotalMinor: 1_000_000, linesSold: 5_000, rolloverInMinor: 0 });
    if (g.prizeModel !== 'raffle') t.ok(estimate.tiers.every((x) => tiers.has(x.name) && Number.isSafeInteger(x.perLineMinor) && x.perLineMinor >= 0), `${g.id}: estimates for tiers of its odds table`);
  }
});
