// Keno (games/keno.ts): 20 of 1..80 drawn, 1 to 10 spots a line, a fixed paytable per spot
// count whose stated return to player is the exact hypergeometric one and under 100%.
import t from 'tap';
import { KENO_PAYTABLE, KENO_RETURN_TO_PLAYER, KENO_SPOTS_MAX, KENO_STAKES_MINOR, keno as game, kenoPrize, kenoReturnToPlayer } from '../games/keno.ts';
import type { LineClass } from '../games/types.ts';
import { checkSettlementProperty, checkValidateNeverThrows, lineClass, prizeOfClassAlone, randomDraw, seeded } from './support/gameChecks.ts';

/** n choose k, by its own loop (independent of games/odds.ts). */
function choose(n: number, k: number): bigint {
  if (k < 0 || k > n) return 0n;
  let r = 1n;
  for (let i = 0; i < k; i++) r = (r * BigInt(n - i)) / BigInt(i + 1);
  return r;
}

/** Return to player of a spot count as an exact fraction: Σ C(20,k)C(60,s−k) × pay / C(80,s). */
function rtp(spots: number): { favourable: bigint; total: bigint } {
  let favourable = 0n;
  for (const [hits, multiple] of Object.entries(KENO_PAYTABLE[spots])) favourable += choose(20, Number(hits)) * choose(60, spots - Number(hits)) * BigInt(multiple);
  return { favourable, total: choose(80, spots) };
}

t.test('the stated return to player per spot count is the computed one to 4 decimals, and every one under 100%', async (t) => {
  t.same(Object.keys(KENO_RETURN_TO_PLAYER).map(Number), Object.keys(KENO_PAYTABLE).map(Number));
  for (let spots = 1; spots <= KENO_SPOTS_MAX; spots++) {
    const { favourable, total } = rtp(spots);
    // Ten-thousandths of a percent, rounded half up once.
    const fourDecimals = (favourable * 100n * 10_000n * 2n + total) / (2n * total);
    const stated = KENO_RETURN_TO_PLAYER[spots];
    t.equal(stated, `${fourDecimals / 10_000n}.${(fourDecimals % 10_000n).toString().padStart(4, '0')}`, `${spots} spots: ${stated}%`);
    t.equal(kenoReturnToPlayer(spots), stated, 'games/odds.ts agrees');
    t.ok(favourable < total, `${spots} spots returns less than it takes`);
  }
});

t.test('the hypergeometric odds are the published keno figures', async (t) => {
  const oneIn = Object.fromEntries(game.odds().map((r) => [r.tier, r.oneIn]));
  t.match(oneIn, {
    '1 spots 1 hits': '4',
    '2 spots 2 hits': '16.63',
    '3 spots 3 hits': '72.07',
    '4 spots 4 hits': '326.44',
    '5 spots 5 hits': '1550.57',
    '6 spots 6 hits': '7752.84',
    '7 spots 7 hits': '40979.31',
    '8 spots 8 hits': '230114.61',
    '9 spots 9 hits': '1380687.65',
    '10 spots 10 hits': '8911711.18',
    '10 spots 9 hits': '163381.37',
    '10 spots 8 hits': '7384.47',
    '10 spots 5 hits': '19.44',
    '10 spots 0 hits': '21.84',
  });
  t.equal(game.odds().length, Object.values(KENO_PAYTABLE).reduce((n, table) => n + Object.keys(table).length, 0), 'a row per paying cell');
});

t.test('every spot count\'s chances over 0..s hits add up to exactly one', async (t) => {
  for (let spots = 1; spots <= KENO_SPOTS_MAX; spots++) {
    let sum = 0n;
    for (let hits = 0; hits <= spots; hits++) sum += choose(20, hits) * choose(60, spots - hits);
    t.equal(sum, choose(80, spots), `${spots} spots`);
  }
});

t.test('a line\'s class from its mask pays what the paytable says (brute force, random lines and draws)', async (t) => {
  const rnd = seeded(80);
  const paidCells = new Set<string>();
  for (let i = 0; i < 20_000; i++) {
    const drawn = randomDraw(game, rnd);
    const spots = 1 + (i % KENO_SPOTS_MAX);
    // Bias towards hits: take some spots from the drawn numbers.
    const fromDrawn = drawn[0].slice(0, rnd(0, spots + 1));
    const others = game.quickPick('standard', 1, rnd)[0].filter((n) => !fromDrawn.includes(n));
    const line = [...fromDrawn, ...others].slice(0, spots);
    const stakeMinor = KENO_STAKES_MINOR[i % KENO_STAKES_MINOR.length];
    const bet = game.validateBet({ stakeMinor, lines: [line] });
    if (!bet.ok) return t.fail(bet.reason);
    const hits = line.filter((n) => drawn[0].includes(n)).length;
    const expected = (KENO_PAYTABLE[spots][hits] ?? 0) * stakeMinor;
    const got = prizeOfClassAlone(game, lineClass(game, 'standard', stakeMinor, bet.bet.lineMasks[0], drawn), 0);
    if (got.perLineMinor !== expected) return t.fail(`${line} vs ${drawn}: ${got.perLineMinor}, paytable ${expected}`);
    if (expected > 0) paidCells.add(`${spots}/${hits}`);
  }
  t.ok(paidCells.size >= 30, `${paidCells.size} paying cells exercised`);
});

t.test('a settlement pays per line at its stake; tiers report the smallest stake\'s prize', async (t) => {
  const c = (spots: number, hits: number, stakeMinor: number, lines: number): LineClass => ({ betType: 'standard', stakeMinor, matches: [hits], spots: [spots], lines });
  const r = game.settle({ stakeTotalMinor: 1_000_000, rolloverInMinor: 0, classes: [c(10, 0, 1_000, 2), c(10, 0, 100, 1), c(4, 2, 200, 5), c(4, 1, 200, 9)] });
  t.equal(r.playersMinor, 2 * 5_000 + 500 + 5 * 200);
  t.match(r.tiers.find((x) => x.name === '10 spots 0 hits'), { winningLines: 3, perLineMinor: 500, baseStakeMinor: 100, paidMinor: 10_500 });
  t.equal(r.houseOutMinor, 1_000_000 - 11_500);
  t.equal(r.prizes.length, 3, 'one hit of four pays nothing');
});

t.test('a class no keno line can have is a loud error', async (t) => {
  const c: LineClass = { betType: 'standard', stakeMinor: 100, matches: [2], spots: [4], lines: 1 };
  t.match(kenoPrize(c), { multiple: 1 });
  t.throws(() => kenoPrize({ ...c, spots: [11], matches: [11] }), /11 spots/);
  t.throws(() => kenoPrize({ ...c, spots: [0], matches: [0] }), /0 spots/);
  t.throws(() => kenoPrize({ ...c, matches: [5] }), /5 hits of 4/);
  t.throws(() => kenoPrize({ ...c, betType: 'box' }), /bet type/);
  t.throws(() => game.settle({ stakeTotalMinor: 0, rolloverInMinor: 0, classes: [{ ...c, matches: [1, 1], spots: [4, 1] }] }), /segments/);
});

t.test('every settlement balances and is deterministic (random class lists and stakes)', async (t) => {
  t.equal(checkSettlementProperty(game, { numRuns: 400, maxLines: 100_000, rollover: false }), null);
});

t.test('validateBet: 1 to 10 distinct spots of 1..80, sorted; a stake from the list; hostile input refused', async (t) => {
  t.match(game.validateBet({ stakeMinor: 500, lines: [[80], [3, 1, 2]] }), { ok: true, bet: { lines: [[80], [1, 2, 3]], costMinor: 1_000, stakeMinor: 500 } });
  t.match(game.validateBet({ lines: [[]] }), { ok: false, code: 'INVALID_SELECTION' });
  t.match(game.validateBet({ lines: [[0]] }), { ok: false, code: 'INVALID_SELECTION' });
  t.match(game.validateBet({ lines: [[81]] }), { ok: false, code: 'INVALID_SELECTION' });
  t.match(game.validateBet({ lines: [[1, 1]] }), { ok: false, code: 'INVALID_SELECTION', reason: /repeats 1/ });
  t.match(game.validateBet({ lines: [Array.from({ length: 11 }, (_, i) => i + 1)] }), { ok: false, code: 'INVALID_SELECTION' });
  t.match(game.validateBet({ stakeMinor: 300, lines: [[1]] }), { ok: false, code: 'INVALID_STAKE', reason: /100, 200, 500, 1000/ });
  t.match(game.validateBet({ betType: 'way', lines: [[1]] }), { ok: false, code: 'INVALID_BET_TYPE' });
  t.equal(checkValidateNeverThrows(game, 1_000), null);
});
