// ledger/tickets.ts — the public form of a ticket id.
//
// A ticket's public id is its serial number in the ledger, "T" followed by the row id in
// decimal (see migration 002 for why it is not a separate random key).

const TICKET_ID_PATTERN = /^T([1-9][0-9]{0,15})$/;

export function ticketPublicId(rowId: number): string {
  return `T${rowId}`;
}

/** The row id a public ticket id names, or null if it is not a ticket id. */
export function ticketRowId(publicId: string): number | null {
  const m = TICKET_ID_PATTERN.exec(publicId);
  if (!m) return null;
  const id = Number(m[1]);
  return Number.isSafeInteger(id) ? id : null;
}

/** Who owns a ticket and which draw it is in, for access checks. */
export async function ticketOwner(pool: import('pg').Pool, rowId: number): Promise<{ playerId: number; drawId: number } | null> {
  const { rows } = await pool.query(`select player_id, draw_id from tickets where id = $1`, [rowId]);
  return rows.length === 1 ? { playerId: rows[0].player_id, drawId: rows[0].draw_id } : null;
}
