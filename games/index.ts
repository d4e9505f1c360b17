// games/index.ts — the catalogue of games this platform sells (games/catalogue.ts), as the
// rest of the code imports it.
import { catalogue, catalogueGame } from './catalogue.ts';
import type { CatalogueGame } from './types.ts';

export type { CatalogueGame } from './types.ts';

/**
 * The games on sale. The raffle (games/raffle.ts) is not yet: its draw, winning positions in
 * the sealed ticket list, is not in the verifiable draw's spec (draw/README.md) yet, and a
 * game is sold only once anyone can verify its draws.
 */
const onSale = (g: CatalogueGame) => g.prizeModel !== 'raffle';

export function allGames(): CatalogueGame[] {
  return catalogue().filter(onSale);
}

export function gameById(id: string): CatalogueGame | undefined {
  const game = catalogueGame(id);
  return game && onSale(game) ? game : undefined;
}
