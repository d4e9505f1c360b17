// rooms/betMessage.ts — decoding and checking the `bet` message, before anything else sees it.
//
//   { requestId, lines | quickPick, betType?, stake?, draws? }
//
// A lotto 6/49 client of before issue 12 sends neither betType nor stake and is understood
// as ever: the game's first bet type at its smallest stake (games/types.ts BetInput), for
// the room's draw alone (`draws` 1: advance play buys the same bet for the next draws too).
import { ADVANCE_DRAWS_MAX, LINES_PER_TICKET_MAX, MESSAGE_TYPE_ECHO_CHARS_MAX, REQUEST_ID_LENGTH_MAX } from '../core/limits.ts';

interface ParsedBet {
  ok: true;
  requestId: string;
  /** Absent: the game's first bet type. Shape-checked here; the game knows which exist. */
  betType?: string;
  /** Stake per line in minor units; absent: the bet type's smallest. */
  stakeMinor?: number;
  /** Advance play: the room's draw and the draws - 1 after it, a ticket each (1 when absent). */
  draws: number;
}

export type BetSelection =
  | (ParsedBet & { lines: unknown; quickPick?: undefined })
  | (ParsedBet & { quickPick: number; lines?: undefined })
  | { ok: false; requestId: string | null; code: 'BAD_MESSAGE' | 'INVALID_SELECTION' | 'INVALID_BET_TYPE' | 'INVALID_STAKE' | 'INVALID_DRAWS'; message: string };

const REQUEST_ID_PATTERN = new RegExp(`^[A-Za-z0-9_.:-]{1,${REQUEST_ID_LENGTH_MAX}}$`);
const BET_TYPE_PATTERN = /^[a-z0-9_]{1,32}$/;
const FIELDS = new Set(['requestId', 'lines', 'quickPick', 'betType', 'stake', 'draws']);

export function requestIdOf(message: unknown): string | null {
  if (message === null || typeof message !== 'object') return null;
  const id = (message as Record<string, unknown>).requestId;
  return typeof id === 'string' && REQUEST_ID_PATTERN.test(id) ? id : null;
}

/** Checks the envelope of a bet; the bet type, stake and lines are the game's to judge. */
export function parseBet(message: unknown): BetSelection {
  const requestId = requestIdOf(message);
  if (message === null || typeof message !== 'object' || Array.isArray(message)) {
    return { ok: false, requestId: null, code: 'BAD_MESSAGE', message: 'bet must be an object' };
  }
  if (requestId === null) {
    return { ok: false, requestId: null, code: 'BAD_MESSAGE', message: `requestId must be 1..${REQUEST_ID_LENGTH_MAX} characters of A-Z a-z 0-9 _ . : -` };
  }
  const fields = message as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!FIELDS.has(key)) return { ok: false, requestId, code: 'BAD_MESSAGE', message: `unknown field "${key.slice(0, MESSAGE_TYPE_ECHO_CHARS_MAX)}"` };
  }
  const { betType, stake, draws } = fields;
  if (betType !== undefined && (typeof betType !== 'string' || !BET_TYPE_PATTERN.test(betType))) {
    return { ok: false, requestId, code: 'INVALID_BET_TYPE', message: 'betType must be 1..32 characters of a-z 0-9 _ (GET /api/games lists each game\'s)' };
  }
  if (stake !== undefined && (typeof stake !== 'number' || !Number.isSafeInteger(stake) || stake <= 0)) {
    return { ok: false, requestId, code: 'INVALID_STAKE', message: 'stake must be a whole positive number of minor units' };
  }
  if (draws !== undefined && (typeof draws !== 'number' || !Number.isInteger(draws) || draws < 1 || draws > ADVANCE_DRAWS_MAX)) {
    return { ok: false, requestId, code: 'INVALID_DRAWS', message: `draws must be a whole number 1..${ADVANCE_DRAWS_MAX}: this draw and the ones after it` };
  }
  const hasLines = fields.lines !== undefined;
  if (hasLines === (fields.quickPick !== undefined)) {
    return { ok: false, requestId, code: 'BAD_MESSAGE', message: 'bet needs exactly one of lines or quickPick' };
  }
  const betTypeOf = betType as string | undefined;
  const stakeMinor = stake as number | undefined;
  const drawCount = (draws as number | undefined) ?? 1;
  // One object a bet, built whole (no spread of a partial one: this runs for every bet).
  if (hasLines) return { ok: true, requestId, betType: betTypeOf, stakeMinor, draws: drawCount, lines: fields.lines };
  const n = fields.quickPick;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > LINES_PER_TICKET_MAX) {
    return { ok: false, requestId, code: 'INVALID_SELECTION', message: `quickPick must be a whole number 1..${LINES_PER_TICKET_MAX}` };
  }
  return { ok: true, requestId, betType: betTypeOf, stakeMinor, draws: drawCount, quickPick: n };
}
