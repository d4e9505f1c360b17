// games/index.ts — the catalogue of games this platform sells.
import { lotto649 } from './lotto649.ts';
import type { GameRules } from './types.ts';

export type { GameRules } from './types.ts';

const GAMES: ReadonlyMap<string, GameRules> = new Map([[lotto649.id, lotto649]]);

export function allGames(): GameRules[] {
  return [...GAMES.values()];
}

export function gameById(id: string): GameRules | undefined {
  return GAMES.get(id);
}
