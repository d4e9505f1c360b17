// rooms/betMessage.ts — decoding and checking the `bet` message, before anything else sees it.
import { MESSAGE_TYPE_ECHO_CHARS_MAX, REQUEST_ID_LENGTH_MAX } from '../core/limits.ts';
import type { GameRules } from '../games/types.ts';

export type BetSelection =
  | { ok: true; requestId: string; lines: unknown; quickPick?: undefined }
  | { ok: true; requestId: string; quickPick: number; lines?: undefined }
  | { ok: false; requestId: string | null; code: 'BAD_MESSAGE' | 'INVALID_SELECTION'; message: string };

const REQUEST_ID_PATTERN = new RegExp(`^[A-Za-z0-9_.:-]{1,${REQUEST_ID_LENGTH_MAX}}$`);

export function requestIdOf(message: unknown): string | null {
  if (message === null || typeof message !== 'object') return null;
  const id = (message as Record<string, unknown>).requestId;
  return typeof id === 'string' && REQUEST_ID_PATTERN.test(id) ? id : null;
}

/** Checks the envelope of a bet; the lines themselves are the game's to judge. */
export function parseBet(message: unknown, game: GameRules): BetSelection {
  const requestId = requestIdOf(message);
  if (message === null || typeof message !== 'object' || Array.isArray(message)) {
    return { ok: false, requestId: null, code: 'BAD_MESSAGE', message: 'bet must be an object' };
  }
  if (requestId === null) {
    return {
      ok: false,
      requestId: null,
      code: 'BAD_MESSAGE',
      message: `requestId must be 1..${REQUEST_ID_LENGTH_MAX} characters of A-Z a-z 0-9 _ . : -`,
    };
  }
  const fields = message as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (key !== 'requestId' && key !== 'lines' && key !== 'quickPick') {
      return { ok: false, requestId, code: 'BAD_MESSAGE', message: `unknown field "${key.slice(0, MESSAGE_TYPE_ECHO_CHARS_MAX)}"` };
    }
  }
  const hasLines = fields.lines !== undefined;
  const hasQuickPick = fields.quickPick !== undefined;
  if (hasLines === hasQuickPick) {
    return { ok: false, requestId, code: 'BAD_MESSAGE', message: 'bet needs exactly one of lines or quickPick' };
  }
  if (hasQuickPick) {
    const n = fields.quickPick;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > game.linesPerTicketMax) {
      return { ok: false, requestId, code: 'INVALID_SELECTION', message: `quickPick must be a whole number 1..${game.linesPerTicketMax}` };
    }
    return { ok: true, requestId, quickPick: n };
  }
  return { ok: true, requestId, lines: fields.lines };
}
