// games/lineMask.ts — a line as the bit string settlement matches in SQL (migration 007).
//
// One segment per drum, in the game's drum order; a segment has one bit per number of its
// drum, bit i (from the left) standing for number min + i, '1' when the line chose it. A
// line's matches on a drum are then bit_count(mask & drawn) in PostgreSQL, with `drawn`
// the drawn numbers' mask in that drum's segment and zeros elsewhere.
import { invariant } from '../core/errors.ts';
import type { GameRules } from './types.ts';

type Drum = GameRules['drums'][number];

/** The mask of a line given as its numbers per drum (one array per drum, in drum order). */
export function drumLineMask(drums: readonly Drum[], perDrum: readonly (readonly number[])[]): string {
  invariant(perDrum.length === drums.length, () => `${perDrum.length} number lists for ${drums.length} drums`);
  let mask = '';
  drums.forEach((drum, d) => {
    const bits = new Array<string>(drum.max - drum.min + 1).fill('0');
    for (const n of perDrum[d]) {
      invariant(Number.isInteger(n) && n >= drum.min && n <= drum.max, () => `${n} is not a number of drum ${drum.name}`);
      bits[n - drum.min] = '1';
    }
    mask += bits.join('');
  });
  return mask;
}
