// rooms/services.ts — what rooms delegate to, set once per process at boot.
// Colyseus instantiates rooms itself and calls a static onAuth, so rooms reach their
// collaborators through this module rather than through (client-controlled) options.
import type pg from 'pg';
import type { Clock } from '../core/clock.ts';
import type { BetWriter } from '../actors/BetWriter.ts';
import type { DrawTallies } from '../actors/DrawTallies.ts';
import type { Sessions } from '../actors/Sessions.ts';
import type { SessionPlayer } from '../ledger/players.ts';
import type { Logger } from '../core/logger.ts';
import type { SeedVault } from '../draw/vault.ts';
import type { SeatBook } from './seats.ts';

export interface RoomServices {
  pool: pg.Pool;
  clock: Clock;
  logger: Logger;
  betWriter: BetWriter;
  tallies: DrawTallies;
  vault: SeedVault;
  authenticate(token: unknown): Promise<SessionPlayer | null>;
  /** Seats per player in this process's rooms. */
  seats: SeatBook;
  /** Closes a connection when its session ends (actors/Sessions.ts). */
  sessions: Pick<Sessions, 'track' | 'hasEnded'>;
  salesRoomClientsMax: number;
  betRatePerSecond: number;
  betRateBurst: number;
}

let current: RoomServices | undefined;

export function setRoomServices(services: RoomServices | undefined): void {
  current = services;
}

export function roomServices(): RoomServices {
  if (!current) throw new Error('room services used before the server booted');
  return current;
}
