// web/lib/catalogue.ts — the games (GET /api/games) and draws (GET /api/draws, GET
// /api/draws/:drawId) as every client reads them: one set of types, and the catalogue fetched
// once per page however many screens ask for it (it changes only with a deploy).
import { api } from './api.ts';

export interface Drum {
  name: string;
  min: number;
  max: number;
  count: number;
  replacement: boolean;
}

export interface BetType {
  id: string;
  name: string;
  description: string;
  stakesMinor: number[];
  linesPerTicketMax: number;
}

export interface Game {
  gameId: string;
  name: string;
  currency: string;
  prizeModel: string;
  betTypes: BetType[];
  drums: Drum[];
  advanceDrawsMax: number;
  rafflePrizesMinor: number[] | null;
}

export interface Intervention {
  interventionId: string;
  action: 'resume' | 'void';
  reason: string;
  status: string;
  requestedBy: string;
  requestedAt: string;
  approvedBy: string | null;
}

/** A draw as the server publishes it (app/api.ts drawView). */
export interface DrawRecord {
  drawId: string;
  gameId: string;
  status: string;
  openAt: string;
  cutoffAt: string;
  drawAt: string;
  commitments: { operator: string; auditors: { name: string; commitment: string }[]; beacon: unknown };
  seal: { ticketRoot: string; ticketCount: number; stakeTotalMinor: number; sealedAt: string } | null;
  numbers: number[][] | null;
  settlement: { settledAt: string; prizeTotalMinor: number; tiers: { name: string; winningLines: number; perLineMinor: number; paidMinor: number }[] } | null;
  haltedReason: string | null;
  haltedAt: string | null;
  interventions: Intervention[];
  void: { voidedAt: string; refundsDoneAt: string | null } | null;
}

let catalogue: Promise<Game[]> | null = null;

/** The games on sale, asked once per page (again after a failure). */
export function games(): Promise<Game[]> {
  catalogue ??= api<Game[]>('GET', '/api/games');
  catalogue.catch(() => (catalogue = null));
  return catalogue;
}

/** A game's draws, newest first; `limit` as GET /api/draws takes it. */
export function drawsOf(gameId: string, limit?: number): Promise<DrawRecord[]> {
  return api<DrawRecord[]>('GET', `/api/draws?game=${encodeURIComponent(gameId)}${limit ? `&limit=${limit}` : ''}`);
}

export function drawRecord(drawId: string): Promise<DrawRecord> {
  return api<DrawRecord>('GET', `/api/draws/${encodeURIComponent(drawId)}`);
}
