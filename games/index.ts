// games/index.ts — the catalogue of games this platform sells (games/catalogue.ts), as the
// rest of the code imports it.
import { catalogue, catalogueGame } from './catalogue.ts';
import type { CatalogueGame } from './types.ts';

export type { CatalogueGame } from './types.ts';

export function allGames(): CatalogueGame[] {
  return catalogue();
}

export function gameById(id: string): CatalogueGame | undefined {
  return catalogueGame(id);
}
