// draw/select.ts — from the DRBG stream to the winning numbers.
//
// Without replacement the drum is the ascending list [min..max]; each pick takes the
// element at a uniform index of what remains. The i-th draw therefore has exactly
// (balls - i) equally likely outcomes, and every ordered draw (hence every set) is equally
// likely. We never materialise the list (a drum may hold up to 2^32 balls): the element at
// index i of what remains is i shifted past the already-taken offsets that precede it.
import { Drbg, drbgKey, assertDrums, streamKey, type DrawInputs, type DrumSpec } from './drbg.ts';

export { streamKey };

export function drawNumbers(drbg: Drbg, drums: DrumSpec[]): number[][] {
  if (!(drbg instanceof Drbg)) throw new Error('drbg must be a Drbg');
  assertDrums(drums);
  return drums.map((drum) => (drum.replacement ? withReplacement(drbg, drum) : withoutReplacement(drbg, drum)));
}

function withReplacement(drbg: Drbg, drum: DrumSpec): number[] {
  const balls = drum.max - drum.min + 1;
  const out: number[] = [];
  for (let k = 0; k < drum.count; k++) out.push(drum.min + drbg.uniform(balls));
  return out;
}

function withoutReplacement(drbg: Drbg, drum: DrumSpec): number[] {
  const balls = drum.max - drum.min + 1;
  const taken: number[] = []; // offsets from min, ascending
  const out: number[] = [];
  for (let k = 0; k < drum.count; k++) {
    const index = drbg.uniform(balls - k);
    // The index-th offset not yet taken: step over every taken offset at or below it.
    let offset = index;
    let at = 0;
    while (at < taken.length && taken[at] <= offset) {
      offset++;
      at++;
    }
    taken.splice(at, 0, offset);
    out.push(drum.min + offset);
  }
  return out;
}

export function numbersFor(inputs: DrawInputs): number[][] {
  return drawNumbers(new Drbg(drbgKey(inputs)), inputs.drums);
}
