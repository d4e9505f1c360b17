// ledger/interventions.ts — the regulated way out of a halted draw (migration 022).
//
// A draw halts when a committed input (an auditor's seed, the beacon round) cannot be revealed
// in time (actors/DrawRunner.ts). It stays halted until two different operators agree on one
// of two ways out:
//   resume  once the input has arrived: back to 'sealed' (or 'closed' if it halted before its
//           seal), and the draw's leader draws it; if the input is still missing it halts again;
//   void    'voided': every ticket is refunded exactly once (ledger/refunds.ts refundVoidedDraw,
//           run by the draw's leader in steps), and the draw is never drawn.
// One operator asks (with a reason), another approves; at most one request waits per draw.
// Both steps are rows of draw_interventions, public in the draw's record, and each goes to the
// audit log by trigger.
import type pg from 'pg';
import { withTransaction } from './transaction.ts';

export type InterventionAction = 'resume' | 'void';

export interface Intervention {
  id: number;
  action: InterventionAction;
  reason: string;
  requestedBy: string;
  requestedAtMs: number;
  approvedBy: string | null;
  approvedAtMs: number | null;
  status: 'pending' | 'done' | 'withdrawn';
}

export type InterventionOutcome =
  | { outcome: 'ok'; intervention: Intervention; drawStatus: string }
  | { outcome: 'no_draw' }
  | { outcome: 'not_halted'; status: string }
  | { outcome: 'input_missing'; missing: string[] }
  | { outcome: 'pending_exists'; intervention: Intervention }
  | { outcome: 'not_pending' }
  | { outcome: 'same_operator' };

const COLUMNS = `id, action, reason, requested_by, requested_at, approved_by, approved_at, status`;

function intervention(r: Record<string, unknown>): Intervention {
  return {
    id: Number(r.id),
    action: r.action as InterventionAction,
    reason: r.reason as string,
    requestedBy: r.requested_by as string,
    requestedAtMs: new Date(r.requested_at as string).getTime(),
    approvedBy: (r.approved_by as string | null) ?? null,
    approvedAtMs: r.approved_at === null ? null : new Date(r.approved_at as string).getTime(),
    status: r.status as Intervention['status'],
  };
}

interface LockedDraw {
  id: number;
  status: string;
}

/** The draw locked for update, so a request, an approval and the runner's steps take turns. */
async function lockDraw(client: pg.ClientBase, publicId: string): Promise<LockedDraw | null> {
  const { rows } = await client.query(`select id, status from draws where public_id = $1 for update`, [publicId]);
  return rows.length ? { id: Number(rows[0].id), status: rows[0].status } : null;
}

/** Auditors who committed but have not revealed: a resume would halt again at once. */
async function missingSeeds(client: pg.ClientBase, drawId: number): Promise<string[]> {
  const { rows } = await client.query(`select name from draw_auditors where draw_id = $1 and seed is null order by name`, [drawId]);
  return rows.map((r) => r.name);
}

export async function requestIntervention(pool: pg.Pool, publicId: string, action: InterventionAction, reason: string, operator: string, nowMs: number): Promise<InterventionOutcome> {
  return withTransaction(pool, async (client) => {
    const draw = await lockDraw(client, publicId);
    if (!draw) return { outcome: 'no_draw' };
    if (draw.status !== 'halted') return { outcome: 'not_halted', status: draw.status };
    const { rows: pending } = await client.query(`select ${COLUMNS} from draw_interventions where draw_id = $1 and status = 'pending'`, [draw.id]);
    if (pending.length) return { outcome: 'pending_exists', intervention: intervention(pending[0]) };
    if (action === 'resume') {
      const missing = await missingSeeds(client, draw.id);
      if (missing.length) return { outcome: 'input_missing', missing };
    }
    const { rows } = await client.query(
      `insert into draw_interventions (draw_id, action, reason, requested_by, requested_at) values ($1, $2, $3, $4, $5) returning ${COLUMNS}`,
      [draw.id, action, reason, operator, new Date(nowMs)],
    );
    return { outcome: 'ok', intervention: intervention(rows[0]), drawStatus: draw.status };
  });
}

/** The second operator's approval: the action is carried out in the same transaction. */
export async function approveIntervention(pool: pg.Pool, publicId: string, interventionId: number, operator: string, nowMs: number): Promise<InterventionOutcome> {
  return withTransaction(pool, async (client) => {
    const draw = await lockDraw(client, publicId);
    if (!draw) return { outcome: 'no_draw' };
    const { rows } = await client.query(`select ${COLUMNS} from draw_interventions where id = $1 and draw_id = $2 for update`, [interventionId, draw.id]);
    if (!rows.length || rows[0].status !== 'pending') return { outcome: 'not_pending' };
    const asked = intervention(rows[0]);
    if (asked.requestedBy === operator) return { outcome: 'same_operator' };
    if (draw.status !== 'halted') return { outcome: 'not_halted', status: draw.status };
    if (asked.action === 'resume') {
      const missing = await missingSeeds(client, draw.id);
      if (missing.length) return { outcome: 'input_missing', missing };
    }
    const at = new Date(nowMs);
    const { rows: moved } = await client.query(
      asked.action === 'resume'
        ? `update draws set status = case when ticket_root is not null then 'sealed' else 'closed' end where id = $1 and status = 'halted' returning status`
        : `update draws set status = 'voided', voided_at = $2 where id = $1 and status = 'halted' returning status`,
      asked.action === 'resume' ? [draw.id] : [draw.id, at],
    );
    const { rows: done } = await client.query(
      `update draw_interventions set status = 'done', approved_by = $2, approved_at = $3 where id = $1 returning ${COLUMNS}`,
      [interventionId, operator, at],
    );
    return { outcome: 'ok', intervention: intervention(done[0]), drawStatus: moved[0].status };
  });
}

/** A request taken back before anyone approved it (by any operator allowed to ask). */
export async function withdrawIntervention(pool: pg.Pool, publicId: string, interventionId: number): Promise<InterventionOutcome> {
  return withTransaction(pool, async (client) => {
    const draw = await lockDraw(client, publicId);
    if (!draw) return { outcome: 'no_draw' };
    const { rows } = await client.query(
      `update draw_interventions set status = 'withdrawn' where id = $1 and draw_id = $2 and status = 'pending' returning ${COLUMNS}`,
      [interventionId, draw.id],
    );
    return rows.length ? { outcome: 'ok', intervention: intervention(rows[0]), drawStatus: draw.status } : { outcome: 'not_pending' };
  });
}

/** Every intervention asked on these draws, oldest first: part of each draw's public record. */
export async function interventionsOf(pool: pg.Pool, drawIds: number[]): Promise<Map<number, Intervention[]>> {
  const { rows } = await pool.query(`select draw_id, ${COLUMNS} from draw_interventions where draw_id = any($1::int8[]) order by draw_id, id`, [drawIds]);
  const out = new Map<number, Intervention[]>();
  for (const r of rows) {
    const list = out.get(Number(r.draw_id)) ?? [];
    list.push(intervention(r));
    out.set(Number(r.draw_id), list);
  }
  return out;
}
