// draw/raffle.ts — a raffle's draw: winning positions in the sealed ticket list (draw/README.md
// §6, "Raffles").
//
// A raffle has no numbers to choose: every sold ticket is one entry, and the entries are the
// sealed ticket list in canonical order, position 1 to N. The draw is an ordinary drum of
// those positions, without replacement, so it needs no rule of its own: the DRBG, the
// rejection sampling and the selection of §6 draw it, and the verifier recomputes it like any
// drum. Selection never builds the list of balls (draw/select.ts), so a raffle of ten million
// tickets costs what a raffle of ten does. The drum's size is the seal's count, which the
// verifier checks: the operator cannot add phantom positions that nobody holds.
import { assertInteger } from './bytes.ts';
import { DRUM_COUNT_MAX, type DrumSpec } from './drbg.ts';

/** The name of a raffle's one drum: a proof with a drum of this name is a raffle. */
export const RAFFLE_DRUM = 'tickets';

/**
 * The drum of a raffle with `prizeCount` prizes over `ticketCount` sealed tickets: positions
 * 1..N, N = max(ticketCount, 1), min(prizeCount, N) balls, without replacement. An empty draw
 * keeps one position (a drum has at least one ball), which no ticket holds and so wins nothing.
 */
export function raffleDrum(ticketCount: number, prizeCount: number): DrumSpec {
  assertInteger(ticketCount, 'raffle ticket count', 0, 2 ** 32 - 1);
  assertInteger(prizeCount, 'raffle prize count', 1, DRUM_COUNT_MAX);
  const positions = Math.max(ticketCount, 1);
  return { name: RAFFLE_DRUM, min: 1, max: positions, count: Math.min(prizeCount, positions), replacement: false };
}

/**
 * The winners in prize order: for each position drawn, in draw order, the ticket id at that
 * position (1-based) of the sealed list. Positions past the list (only the empty draw's
 * position 1) win nothing and name no one. `idAt(position)` reads the sealed list.
 */
export function raffleWinners(positions: readonly number[], ticketCount: number, idAt: (position: number) => string): string[] {
  const winners: string[] = [];
  for (const position of positions) {
    assertInteger(position, 'raffle position', 1, Math.max(ticketCount, 1));
    if (position <= ticketCount) winners.push(idAt(position));
  }
  return winners;
}

/** How many winners a raffle names: one per ball, none when no ticket was sold. */
export function raffleWinnerCount(drum: DrumSpec, ticketCount: number): number {
  return ticketCount === 0 ? 0 : drum.count;
}
