// games/odds.ts: exact BigInt combinatorics, "1 in X" printed from exact fractions, and
// every game's odds table complete and consistent with its bet types.
import t from 'tap';
import { catalogue } from '../games/catalogue.ts';
import { binomial, factorial, hypergeometric, oneIn, percent, returnToPlayer } from '../games/odds.ts';

t.test('binomials and factorials are exact, far past what a double holds', async (t) => {
  t.equal(binomial(49, 6), 13_983_816n);
  t.equal(binomial(69, 5), 11_238_513n);
  t.equal(binomial(69, 5) * 26n, 292_201_338n);
  t.equal(binomial(80, 20), 3_535_316_142_212_174_320n);
  t.equal(binomial(80, 10), 1_646_492_110_120n);
  t.equal(binomial(5, 6), 0n);
  t.equal(binomial(5, -1), 0n);
  t.equal(binomial(4.5, 1), 0n);
  for (let n = 0; n <= 60; n++) {
    let row = 0n;
    for (let k = 0; k <= n; k++) row += binomial(n, k);
    if (row !== 2n ** BigInt(n)) return t.fail(`row ${n}`);
  }
  t.equal(factorial(0), 1n);
  t.equal(factorial(25), 15_511_210_043_330_985_984_000_000n);
});

t.test('"1 in X": whole when exact, else two decimals rounded half up', async (t) => {
  t.equal(oneIn({ favourable: 1n, total: 13_983_816n }), '13983816');
  t.equal(oneIn({ favourable: 6n, total: 1_000n }), '166.67');
  t.equal(oneIn({ favourable: 3n, total: 1_000n }), '333.33');
  t.equal(oneIn({ favourable: 8n, total: 1_001n }), '125.13', '125.125 rounds up');
  t.equal(oneIn({ favourable: 2n, total: 3n }), '1.50');
  t.equal(oneIn({ favourable: 0n, total: 3n }), 'never');
  t.equal(percent({ favourable: 1n, total: 8n }, 4), '12.5000');
  t.equal(percent({ favourable: 1n, total: 3n }, 2), '33.33');
  t.equal(percent({ favourable: 2n, total: 3n }, 0), '67');
});

t.test('hypergeometric chances of a drum sum to exactly one', async (t) => {
  for (const [size, drawn, picked] of [[49, 6, 6], [69, 5, 5], [80, 20, 10], [80, 20, 1]]) {
    let sum = 0n;
    const total = hypergeometric(size, drawn, picked, 0).total;
    for (let hit = 0; hit <= picked; hit++) sum += hypergeometric(size, drawn, picked, hit).favourable;
    t.equal(sum, total, `${picked} of ${size}, ${drawn} drawn`);
  }
});

t.test('returnToPlayer adds fractions of different totals exactly', async (t) => {
  const r = returnToPlayer([{ chance: { favourable: 1n, total: 4n }, multiple: 2 }, { chance: { favourable: 1n, total: 6n }, multiple: 3 }]);
  t.equal(r.favourable, r.total, '2 × 1/4 + 3 × 1/6 = 1');
});

t.test('every game\'s odds table: rows for its own bet types, exact fractions, "1 in X" as they say', async (t) => {
  for (const g of catalogue()) {
    const rows = g.odds();
    t.ok(rows.length > 0, `${g.id} has odds`);
    const types = new Set(g.betTypes.map((b) => b.id));
    for (const r of rows) {
      if (!types.has(r.betType)) t.fail(`${g.id}: a row for bet type ${r.betType}`);
      const favourable = BigInt(r.favourable);
      const total = BigInt(r.total);
      if (!(favourable > 0n && favourable <= total)) t.fail(`${g.id} ${r.tier}: ${r.favourable}/${r.total}`);
      if (r.oneIn !== oneIn({ favourable, total })) t.fail(`${g.id} ${r.tier}: ${r.oneIn}`);
      if (r.prize.length === 0) t.fail(`${g.id} ${r.tier}: no prize description`);
    }
    t.equal(new Set(rows.map((r) => `${r.betType}/${r.tier}`)).size, rows.length, `${g.id}: tiers named once`);
    t.same(JSON.parse(JSON.stringify(rows)), rows, `${g.id}: plain data for GET /api/games`);
  }
});

t.test('jackpot 5/69+1/26: the winning tiers and the losing ones cover every draw exactly once', async (t) => {
  const g = catalogue().find((x) => x.id === 'jackpot569')!;
  const total = BigInt(g.odds()[0].total);
  const winning = g.odds().reduce((sum, r) => sum + BigInt(r.favourable), 0n);
  // Losing: 0, 1 or 2 main numbers without the bonus.
  const losing = [0, 1, 2].reduce((sum, m) => sum + binomial(5, m) * binomial(64, 5 - m) * 25n, 0n);
  t.equal(winning + losing, total);
  t.equal(oneIn({ favourable: winning, total }), '24.87', 'the published overall odds, 1 in 24.87');
});
