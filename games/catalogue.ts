// games/catalogue.ts — the games this platform sells (issue 12), each a pure module
// implementing games/types.ts CatalogueGame.
import { jackpot569 } from './jackpot569.ts';
import { keno } from './keno.ts';
import { lotto649Game } from './lotto649.ts';
import { pick3, pick4 } from './pick.ts';
import { raffle } from './raffle.ts';
import type { CatalogueGame } from './types.ts';

const CATALOGUE: ReadonlyMap<string, CatalogueGame> = new Map([lotto649Game, jackpot569, pick3, pick4, keno, raffle].map((g) => [g.id, g]));

export function catalogue(): CatalogueGame[] {
  return [...CATALOGUE.values()];
}

export function catalogueGame(id: string): CatalogueGame | undefined {
  return CATALOGUE.get(id);
}
