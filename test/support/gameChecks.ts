// test/support/gameChecks.ts — what every catalogue game's tests check the same way:
// settlements that balance for any class list, masks that classify lines as a direct
// implementation of the rules does, and validateBet that refuses hostile input with a code.
import fc from 'fast-check';
import { classOf } from '../../games/catalogueKit.ts';
import type { CatalogueGame, DrawSettlement, LineClass, RandomInt } from '../../games/types.ts';

/** A deterministic randomInt (an LCG): the same seed, the same stream. Not for production. */
export function seeded(seed: number): RandomInt {
  let s = seed >>> 0 || 1;
  return (min, maxExclusive) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    // The high bits of an LCG are the random ones.
    return min + Math.floor(((s >>> 8) / 2 ** 24) * (maxExclusive - min));
  };
}

/** A draw of the game's drums, each sorted (as the draw publishes them). */
export function randomDraw(g: CatalogueGame, rnd: RandomInt): number[][] {
  return g.drums.map((d) => {
    const pool = Array.from({ length: d.max - d.min + 1 }, (_, i) => d.min + i);
    for (let i = 0; i < d.count; i++) {
      const j = rnd(i, pool.length);
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    return pool.slice(0, d.count).sort((a, b) => a - b);
  });
}

/** The class of one validated line against a draw, as settlement computes it in SQL (bit_count per segment). */
export function lineClass(g: CatalogueGame, betType: string, stakeMinor: number, lineMask: string, drawn: readonly (readonly number[])[], lines = 1): LineClass {
  const segments = g.maskSegments(betType);
  const width = segments.reduce((sum, s) => sum + s.bits, 0);
  if (lineMask.length !== width) throw new Error(`line mask of ${lineMask.length} bits for a layout of ${width}`);
  return { betType, stakeMinor, lines, ...classOf(segments, lineMask, g.drawnMask(betType, drawn)) };
}

/** What one line of `cls` is paid by a settlement of that class alone (0 when nothing). */
export function prizeOfClassAlone(g: CatalogueGame, cls: LineClass, stakeTotalMinor: number): { tier: number | null; perLineMinor: number } {
  const r = g.settle({ stakeTotalMinor, rolloverInMinor: 0, classes: [cls] });
  const p = r.prizes.find((x) => x.cls === cls);
  return p ? { tier: p.tier, perLineMinor: p.perLineMinor } : { tier: null, perLineMinor: 0 };
}

/** A class list of real lines of the game (quick picks of every bet type and stake) against random draws. */
export function classListArb(g: CatalogueGame, rolls: { maxClasses: number; maxLines: number }): fc.Arbitrary<LineClass[]> {
  const spec = fc.record({
    type: fc.constantFrom(...g.betTypes),
    stakeAt: fc.nat(),
    seed: fc.integer({ min: 1, max: 2 ** 30 }),
    lines: fc.integer({ min: 1, max: rolls.maxLines }),
  });
  return fc.array(spec, { maxLength: rolls.maxClasses }).map((specs) =>
    specs.map((s) => {
      const rnd = seeded(s.seed);
      const stakeMinor = s.type.stakesMinor[s.stakeAt % s.type.stakesMinor.length];
      const bet = g.validateBet({ betType: s.type.id, stakeMinor, lines: g.quickPick(s.type.id, 1, rnd) });
      if (!bet.ok) throw new Error(`a quick pick was refused: ${bet.reason}`);
      return lineClass(g, s.type.id, stakeMinor, bet.bet.lineMasks[0], randomDraw(g, rnd), s.lines);
    }),
  );
}

/** Every way a settlement can be wrong about money, as messages (empty: it balances). */
export function moneyFaults(input: { stakeTotalMinor: number; rolloverInMinor: number }, r: DrawSettlement): string[] {
  const faults: string[] = [];
  const flows = { players: r.playersMinor, rolloverOut: r.rolloverOutMinor, houseIn: r.houseInMinor, houseOut: r.houseOutMinor };
  for (const [name, v] of Object.entries(flows)) if (!Number.isSafeInteger(v) || v < 0) faults.push(`${name} is ${v}`);
  if (r.rolloverInMinor !== input.rolloverInMinor) faults.push(`rollover in ${r.rolloverInMinor}, given ${input.rolloverInMinor}`);
  const inflow = input.stakeTotalMinor + input.rolloverInMinor + r.houseInMinor;
  const outflow = r.playersMinor + r.rolloverOutMinor + r.houseOutMinor;
  if (inflow !== outflow) faults.push(`in ${inflow} ≠ out ${outflow}`);
  if (r.playersMinor > inflow) faults.push(`players paid ${r.playersMinor}, more than the ${inflow} available`);
  const paid = r.prizes.reduce((sum, p) => sum + p.perLineMinor * p.cls.lines, 0);
  if (paid !== r.playersMinor) faults.push(`prizes pay ${paid}, players ${r.playersMinor}`);
  const tierPaid = r.tiers.reduce((sum, t) => sum + t.paidMinor, 0);
  if (tierPaid !== r.playersMinor) faults.push(`tiers pay ${tierPaid}, players ${r.playersMinor}`);
  if (r.houseInMinor > 0 && r.houseOutMinor > 0) faults.push('the house both puts in and takes out');
  for (const p of r.prizes) if (!(Number.isSafeInteger(p.perLineMinor) && p.perLineMinor > 0)) faults.push(`a winning class pays ${p.perLineMinor} a line`);
  return faults;
}

/** The settlement's money, tier by tier, independent of the order of its prize list. */
export function settlementSummary(r: DrawSettlement): unknown {
  const prizes = r.prizes.map((p) => `${p.cls.betType}/${p.cls.stakeMinor}/${p.cls.matches}/${p.cls.spots}/${p.cls.lines}:${p.tier}:${p.perLineMinor}`).sort();
  return { prizes, tiers: r.tiers, flows: [r.playersMinor, r.rolloverInMinor, r.rolloverOutMinor, r.houseInMinor, r.houseOutMinor] };
}

/**
 * The money property: for random class lists, stakes and rollover, every flow ≥ 0, the
 * equation of DrawSettlement holds, and settling again (or in another class order) decides
 * the same. Returns fast-check's report (null when it holds).
 */
export function checkSettlementProperty(g: CatalogueGame, opts: { numRuns: number; maxLines: number; rollover: boolean }): string | null {
  const property = fc.property(
    classListArb(g, { maxClasses: 16, maxLines: opts.maxLines }),
    fc.oneof(fc.nat({ max: 10_000 }), fc.nat({ max: 4_000_000_000 }), fc.constant(0)),
    opts.rollover ? fc.oneof(fc.constant(0), fc.nat({ max: 3_000_000_000 })) : fc.constant(0),
    (classes, stakeTotalMinor, rolloverInMinor) => {
      const input = { stakeTotalMinor, rolloverInMinor, classes };
      const r = g.settle(input);
      const faults = moneyFaults(input, r);
      if (faults.length > 0) throw new Error(faults.join('; '));
      const again = g.settle({ stakeTotalMinor, rolloverInMinor, classes: [...classes].reverse() });
      if (JSON.stringify(settlementSummary(again)) !== JSON.stringify(settlementSummary(r))) throw new Error('class order changed the settlement');
    },
  );
  const details = fc.check(property, { numRuns: opts.numRuns });
  return details.failed ? fc.defaultReportMessage(details) ?? 'failed' : null;
}

/** Hostile inputs validateBet must refuse with a code, without throwing, and name without echoing. */
export const HOSTILE_LINES: readonly unknown[] = [
  undefined,
  null,
  'lines',
  42,
  10n,
  {},
  { length: 1, 0: [1, 2, 3] },
  [],
  [null],
  [[10n]],
  [['1']],
  [[Number.NaN]],
  [[Infinity]],
  [[-0.5]],
  [[1e308]],
  [[Number.MAX_SAFE_INTEGER + 2]],
  [new Array(1_000_000)],
  new Array(1_000_000),
  [[{ valueOf: () => 1 }]],
  [[[1]]],
];

/**
 * validateBet over hostile shapes and fast-check's `anything`: never throws, every refusal
 * is one of the three codes with a short string reason.
 */
export function checkValidateNeverThrows(g: CatalogueGame, numRuns: number): string | null {
  const codes = ['INVALID_SELECTION', 'INVALID_BET_TYPE', 'INVALID_STAKE'];
  const judge = (lines: unknown, betType: unknown, stakeMinor: unknown) => {
    const r = g.validateBet({ lines, betType, stakeMinor });
    if (r.ok) {
      if (r.bet.lineMasks.length !== r.bet.lines.length) throw new Error('a mask per line');
      return;
    }
    if (!codes.includes(r.code)) throw new Error(`code ${r.code}`);
    if (typeof r.reason !== 'string' || r.reason.length === 0 || r.reason.length > 200) throw new Error(`reason ${String(r.reason).slice(0, 40)}`);
  };
  for (const lines of HOSTILE_LINES) for (const type of g.betTypes) judge(lines, type.id, type.stakesMinor[0]);
  const property = fc.property(fc.anything({ withBigInt: true, maxDepth: 3 }), fc.anything({ withBigInt: true, maxDepth: 1 }), fc.anything({ withBigInt: true, maxDepth: 1 }), judge);
  const details = fc.check(property, { numRuns });
  return details.failed ? fc.defaultReportMessage(details) ?? 'failed' : null;
}
