// ledger/stage.ts — the one read behind a live draw stage (actors/StageDraws.ts): the draw
// row as every other reader sees it, plus when it was drawn (drawn_at, by the database's
// clock), from which every process paces the reveal of its balls the same way.
import type pg from 'pg';
import { DRAW_COLUMNS, toDraw, type DrawRow } from './draws.ts';

export interface StageDrawRow extends DrawRow {
  /** When the numbers were recorded (ledger/drawSteps.ts), or null before. */
  drawnAtMs: number | null;
}

/** The draw by its public id, or null: a primary-key-sized lookup (public_id is unique). */
export async function stageDraw(pool: pg.Pool, publicId: string): Promise<StageDrawRow | null> {
  const { rows } = await pool.query(`select ${DRAW_COLUMNS}, drawn_at from draws where public_id = $1`, [publicId]);
  if (rows.length !== 1) return null;
  return { ...toDraw(rows[0]), drawnAtMs: rows[0].drawn_at === null ? null : new Date(rows[0].drawn_at).getTime() };
}
