// rooms/services.ts — what a sales room delegates to. Colyseus instantiates rooms itself and
// calls a static onAuth, so these are bound into the room class when the server defines it
// (salesRoomType in SalesRoom.ts), one set per server, never through (client-controlled)
// join options.
import type pg from 'pg';
import type { Clock } from '../core/clock.ts';
import type { BetWriter } from '../actors/BetWriter.ts';
import type { DrawTallies } from '../actors/DrawTallies.ts';
import type { LiveInfo } from '../actors/LiveInfo.ts';
import type { ResultNotifier } from '../actors/ResultNotifier.ts';
import type { Sessions } from '../actors/Sessions.ts';
import type { SessionPlayer } from '../ledger/players.ts';
import type { GeoGate } from '../actors/GeoGate.ts';
import type { JurisdictionTable } from '../games/jurisdictions.ts';
import type { Logger } from '../core/logger.ts';
import type { SeedVault } from '../draw/vault.ts';
import type { SeatBook } from './seats.ts';

export interface RoomServices {
  pool: pg.Pool;
  clock: Clock;
  logger: Logger;
  /** Where bets go: the process's group-commit writer, which answers each exactly once. */
  betWriter: Pick<BetWriter, 'submitBets'>;
  tallies: Pick<DrawTallies, 'acquire' | 'release'>;
  /** The rollover and sold-out combinations of each live draw (actors/LiveInfo.ts). */
  liveInfo: Pick<LiveInfo, 'acquire' | 'release'>;
  /** Where a connected player is told of prizes won in any draw (actors/ResultNotifier.ts). */
  results: Pick<ResultNotifier, 'register'>;
  vault: Pick<SeedVault, 'pseudonym'>;
  authenticate(token: unknown): Promise<SessionPlayer | null>;
  /** Seats per player in this server's rooms. */
  seats: SeatBook;
  /** Closes a connection when its session ends (actors/Sessions.ts). */
  sessions: Pick<Sessions, 'track' | 'hasEnded'>;
  /** Where a player is and whether they may play from there (actors/GeoGate.ts); every check recorded. */
  geo: Pick<GeoGate, 'check' | 'checkMany'>;
  /** Where play is permitted and which games each territory offers (config/jurisdictions.json). */
  jurisdictions: JurisdictionTable;
  /** How often each open socket's location is checked again. */
  geoRecheckMs: number;
  salesRoomClientsMax: number;
  betRatePerSecond: number;
  betRateBurst: number;
}
