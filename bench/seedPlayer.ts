// bench/seedPlayer.ts — a benchmark's player, made straight in the ledger (no HTTP, no
// password hash per player) and marked verified as the identity provider would leave them
// (migration 014): benchmarks measure bets and settlement, not registration or KYC.
import type pg from 'pg';
import { insertPlayer } from '../ledger/players.ts';

export async function seedVerifiedPlayer(pool: pg.Pool, email: string, passwordHash: string): Promise<{ id: number }> {
  const p = await insertPlayer(pool, { email, passwordHash, dateOfBirth: '1980-01-01', country: 'DE', jurisdiction: 'DE', timeZone: 'Europe/Berlin' });
  if (!p) throw new Error(`bench player ${email} exists`);
  await pool.query(`update players set kyc_status = 'verified' where id = $1`, [p.id]);
  return p;
}
