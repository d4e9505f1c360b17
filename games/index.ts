// games/index.ts — the catalogue of games this platform sells (games/catalogue.ts), as the
// rest of the code imports it.
import { catalogue, catalogueGame } from './catalogue.ts';
import type { CanonicalBet, CatalogueGame } from './types.ts';

export type { CatalogueGame } from './types.ts';

export function allGames(): CatalogueGame[] {
  return catalogue();
}

export function gameById(id: string): CatalogueGame | undefined {
  return catalogueGame(id);
}

/** What a ticket of a fixed-odds game adds to each combination's liability in its draw; undefined for other games (a refund takes it off: ledger/refunds.ts). */
export function liabilityOfGame(gameId: string, bet: CanonicalBet): { combination: string; payoutMinor: number }[] | undefined {
  return catalogueGame(gameId)?.liability?.of(bet);
}
