// test/support/pickChecks.ts — pick-3 and pick-4 checked against the rules written out
// directly (no masks): one file per game calls these with its digit count and its table.
import type { Test } from 'tap';
import { classOf } from '../../games/catalogueKit.ts';
import { pickPrize } from '../../games/pick.ts';
import type { CatalogueGame } from '../../games/types.ts';
import { seeded } from './gameChecks.ts';

/** A published table: multiples of the stake for straight and for each box size (ways). */
export interface PickTable {
  straight: number;
  box: Record<number, number>;
}

/** Distinct orders of the digits, by generating them (independent of games/pick.ts's formula). */
export function ordersByBruteForce(digits: readonly number[]): Set<string> {
  if (digits.length === 0) return new Set(['']);
  const out = new Set<string>();
  digits.forEach((d, i) => {
    for (const rest of ordersByBruteForce([...digits.slice(0, i), ...digits.slice(i + 1)])) out.add(`${d}${rest}`);
  });
  return out;
}

/** What a line pays against drawn digits, straight from the rules (per line, minor units). */
export function directPickPrize(table: PickTable, betType: string, line: readonly number[], drawn: readonly number[], stakeMinor: number, ways = ordersByBruteForce(line).size): number {
  const exact = line.join('') === drawn.join('');
  const anyOrder = [...line].sort().join('') === [...drawn].sort().join('');
  const box = table.box[ways] ?? 0;
  if (betType === 'straight') return exact ? stakeMinor * table.straight : 0;
  if (betType === 'box') return anyOrder ? stakeMinor * box : 0;
  if (exact) return (stakeMinor / 2) * (table.straight + box);
  return anyOrder ? (stakeMinor / 2) * box : 0;
}

/** Every combination of n digits, as digit arrays ('000' .. '999'). */
export function allCombinations(n: number): number[][] {
  return Array.from({ length: 10 ** n }, (_, i) => String(i).padStart(n, '0').split('').map(Number));
}

/**
 * For lines (a count of quick picks, or these lines) of every bet type and stake, against every draw in `draws`: the class from the
 * masks pays what the direct rules pay, and what liability.of says that draw's combination
 * costs. Returns how many (line, draw) pairs were checked.
 */
export function checkPickAgainstRules(t: Test, g: CatalogueGame, n: 3 | 4, table: PickTable, lines: number | number[][], draws: (line: number[]) => number[][]): number {
  const rnd = seeded(n * 1009);
  const segments = g.maskSegments('straight');
  // One layout for every bet type (checked): the drawn mask of a combination is computed once.
  for (const type of g.betTypes) if (JSON.stringify(g.maskSegments(type.id)) !== JSON.stringify(segments)) throw new Error(`${type.id} has its own layout`);
  const drawnMasks = new Map<string, string>();
  const drawnMaskOf = (drawn: number[]) => {
    const key = drawn.join('');
    let mask = drawnMasks.get(key);
    if (mask === undefined) drawnMasks.set(key, (mask = g.drawnMask('straight', drawn.map((d) => [d]))));
    return mask;
  };
  let checked = 0;
  for (const type of g.betTypes) {
    const chosen = typeof lines === 'number' ? g.quickPick(type.id, lines, rnd) : lines.filter((l) => type.id === 'straight' || ordersByBruteForce(l).size > 1);
    for (let i = 0; i < chosen.length; i++) {
      const stakeMinor = type.stakesMinor[i % type.stakesMinor.length];
      const line = chosen[i];
      const bet = g.validateBet({ betType: type.id, stakeMinor, lines: [line] });
      if (!bet.ok) throw new Error(bet.reason);
      const cost = new Map(g.liability!.of(bet.bet).map((l) => [l.combination, l.payoutMinor]));
      const ways = ordersByBruteForce(line).size;
      for (const drawn of draws(bet.bet.lines[0])) {
        const cls = { betType: type.id, stakeMinor, lines: 1, ...classOf(segments, bet.bet.lineMasks[0], drawnMaskOf(drawn)) };
        const prize = pickPrize(n, cls);
        const paid = prize ? Math.floor((stakeMinor * prize.multiple) / prize.divisor) : 0;
        const rules = directPickPrize(table, type.id, bet.bet.lines[0], drawn, stakeMinor, ways);
        const liability = cost.get(drawn.join('')) ?? 0;
        if (paid !== rules || liability !== rules) {
          t.fail(`${type.id} ${bet.bet.lines[0].join('')} at ${stakeMinor} vs ${drawn.join('')}: masks ${paid}, rules ${rules}, liability ${liability}`);
          return checked;
        }
        checked++;
      }
    }
  }
  return checked;
}

/**
 * The game's least payout per combination (what the live sold-out list judges by) equals the
 * least any line of any bet type and stake adds to it, found by trying them all (`leastOn`);
 * its bound is the largest of them; and nothing else is a combination.
 */
export function checkSmallestPayouts(t: Test, g: CatalogueGame, leastOn: ReadonlyMap<string, number>): void {
  const liability = g.liability!;
  const wrong = [...leastOn].filter(([c, least]) => liability.smallestPayoutOn(c) !== least);
  t.same(wrong.slice(0, 5), [], `smallestPayoutOn is the least any line adds, for each of ${leastOn.size} combinations`);
  t.equal(liability.smallestPayoutMaxMinor, Math.max(...leastOn.values()), 'and its bound is the largest of them');
  t.equal(liability.smallestPayoutOn('12'), undefined, 'too short is no combination');
  t.equal(liability.smallestPayoutOn('1a3'), undefined, 'nor a letter');
}
