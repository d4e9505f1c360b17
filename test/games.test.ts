// Lotto 6/49 rules: what is a valid line, and quick picks that are uniform.
import crypto from 'node:crypto';
import t from 'tap';
import { lotto649, pickDistinct } from '../games/lotto649.ts';

t.test('valid lines are accepted and sorted; invalid ones say why', async (t) => {
  t.same(lotto649.validateLines([[49, 1, 7, 3, 22, 10]]), { ok: true, lines: [[1, 3, 7, 10, 22, 49]] });
  for (const bad of [[], [[1, 2, 3]], [[0, 1, 2, 3, 4, 5]], [[1, 2, 3, 4, 5, 5]], [[1, 2, 3, 4, 5, '6']], 'x', Array(11).fill([1, 2, 3, 4, 5, 6])]) {
    const r = lotto649.validateLines(bad);
    t.equal(r.ok, false, JSON.stringify(bad).slice(0, 40));
    if (!r.ok) t.type(r.reason, 'string');
  }
});

t.test('quick picks are six distinct numbers 1..49 and every number is about equally likely', async (t) => {
  const counts = new Array(50).fill(0);
  const lines = lotto649.quickPick(10, crypto.randomInt);
  t.equal(lines.length, 10);
  const n = 20_000;
  let malformed = 0;
  for (let i = 0; i < n; i++) {
    const line = pickDistinct(6, 1, 49, crypto.randomInt);
    if (new Set(line).size !== 6 || line.some((x) => x < 1 || x > 49)) malformed++;
    for (const x of line) counts[x]++;
  }
  t.equal(malformed, 0, 'every line has six distinct numbers in range');
  // Chi-square over 49 cells (48 degrees of freedom): 99.99th percentile is about 94.
  const expected = (n * 6) / 49;
  const chi2 = counts.slice(1).reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
  t.ok(chi2 < 94, `chi-square ${chi2.toFixed(1)} within the 99.99% bound`);
});

t.test('partial Fisher-Yates makes every 2-of-4 set equally likely (deterministic source)', async (t) => {
  // Enumerate every sequence of random draws: each k-subset must appear equally often.
  const counts = new Map<string, number>();
  for (let a = 0; a < 4; a++) {
    for (let b = 1; b < 4; b++) {
      const draws = [a, b];
      const line = pickDistinct(2, 1, 4, (min) => {
        const v = draws.shift()!;
        if (v < min) throw new Error('sequence out of range');
        return v;
      });
      counts.set(line.join(','), (counts.get(line.join(',')) ?? 0) + 1);
    }
  }
  t.equal(counts.size, 6, 'all C(4,2) sets appear');
  t.ok([...counts.values()].every((c) => c === 2), 'each exactly twice over the 12 equally likely sequences');
});
