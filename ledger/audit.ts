// ledger/audit.ts — the audit log: significant events, hash-chained and append-only
// (migration 022).
//
// An event is written where it happens, in the transaction that makes it true: by triggers
// (draw steps, auditors, prize and withdrawal decisions, deposits, limits, exclusions,
// account status, prize rules, operators, alerts, draw interventions) or by the server
// (operator actions, logins, configuration at start) through recordEvent. Those inserts take
// no lock, so they cost the transactions that make them nothing but a row. The chainer
// (chainPending, one at a time across the cluster) then moves them into audit_log in order:
//
//   record n: body_n = canonical JSON of {seq, at, kind, actor, subject, details}
//             hash_n = sha256(hash_{n-1} || utf8(body_n)),  hash_0 = 32 zero bytes
//
// and now and then signs the head (seq, hash) with the operator's ed25519 key (audit_heads).
// verifyChain walks it all and names the first record altered or missing: a changed body
// breaks its own hash, a changed hash breaks the next link, a deleted record leaves a gap in
// seq, and records cut off the end are below a signed head.
import type pg from 'pg';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { invariant } from '../core/errors.ts';
import { withTransaction } from './transaction.ts';

/** Events chained per transaction: bounds the chainer's memory and its transaction's length. */
export const AUDIT_CHAIN_BATCH_MAX = 2_000;
/** Records read per page by the verifier. */
export const AUDIT_VERIFY_PAGE = 5_000;
/** Problems the verifier lists before it stops looking. */
export const AUDIT_PROBLEMS_MAX = 20;
const GENESIS_HASH = new Uint8Array(32);
// Any constant, the same in every process: one chainer at a time.
const CHAIN_LOCK_KEY = 7_461_002_023;
const HEAD_CONTEXT = 'lottery/audit-head/v1';

export interface AuditEvent {
  kind: string;
  actor: string;
  subject?: string | null;
  details?: Record<string, unknown>;
}

/** Records an event in the transaction of `client` (or on its own, given a pool). */
export async function recordEvent(client: pg.Pool | pg.ClientBase, event: AuditEvent): Promise<void> {
  await client.query('select audit_event($1, $2, $3, $4)', [event.kind, event.actor, event.subject ?? null, storableJson(event.details ?? {})]);
}

/**
 * JSON that PostgreSQL's jsonb takes: it refuses \u0000 and unpaired surrogates, which JSON
 * text may carry (an operator request's body is recorded as sent). JSON.stringify writes both
 * as escapes and nothing else of the kind, so each becomes U+FFFD.
 */
export function storableJson(value: unknown): string {
  return JSON.stringify(value).replace(/\\u(?:0000|d[89a-f][0-9a-f]{2})/g, '\\ufffd');
}

/** JSON with object keys sorted at every depth: the same value, the same bytes. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}

export interface AuditBody {
  seq: number;
  at: string;
  kind: string;
  actor: string;
  subject: string | null;
  details: unknown;
}

export function recordHash(prevHash: Uint8Array, body: string): Uint8Array {
  return sha256(concatBytes(prevHash, utf8ToBytes(body)));
}

/** What a head signature signs: the context, the record's number and its hash. */
export function headMessage(seq: number, hash: Uint8Array): Uint8Array {
  return utf8ToBytes(`${HEAD_CONTEXT}\n${seq}\n${bytesToHex(hash)}`);
}

export interface ChainHead {
  seq: number;
  hash: Uint8Array;
}

async function chainHead(client: pg.ClientBase): Promise<ChainHead> {
  const { rows } = await client.query(`select seq, hash from audit_log order by seq desc limit 1`);
  return rows.length ? { seq: Number(rows[0].seq), hash: new Uint8Array(rows[0].hash) } : { seq: 0, hash: GENESIS_HASH };
}

/**
 * Moves up to AUDIT_CHAIN_BATCH_MAX pending events into the chain, oldest first. Returns how
 * many, or null when another process is chaining right now (it will take them).
 */
export async function chainPending(pool: pg.Pool): Promise<number | null> {
  return withTransaction(pool, async (client) => {
    const { rows: lock } = await client.query('select pg_try_advisory_xact_lock($1) as got', [CHAIN_LOCK_KEY]);
    if (!lock[0].got) return null;
    const { rows } = await client.query(
      `select id, at, kind, actor, subject, details from audit_pending order by id limit ${AUDIT_CHAIN_BATCH_MAX}`,
    );
    if (!rows.length) return 0;
    let head = await chainHead(client);
    const seqs: number[] = [];
    const ats: string[] = [];
    const kinds: string[] = [];
    const actors: string[] = [];
    const subjects: (string | null)[] = [];
    const bodies: string[] = [];
    const prevs: Buffer[] = [];
    const hashes: Buffer[] = [];
    for (const r of rows) {
      const seq = head.seq + 1;
      const at = new Date(r.at).toISOString();
      const body = canonicalJson({ seq, at, kind: r.kind, actor: r.actor, subject: r.subject, details: r.details } satisfies AuditBody);
      const hash = recordHash(head.hash, body);
      seqs.push(seq);
      ats.push(at);
      kinds.push(r.kind);
      actors.push(r.actor);
      subjects.push(r.subject);
      bodies.push(body);
      prevs.push(Buffer.from(head.hash));
      hashes.push(Buffer.from(hash));
      head = { seq, hash };
    }
    await client.query(
      `insert into audit_log (seq, at, kind, actor, subject, body, prev_hash, hash)
       select * from unnest($1::int8[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bytea[], $8::bytea[])`,
      [seqs, ats, kinds, actors, subjects, bodies, prevs, hashes],
    );
    const { rowCount } = await client.query(`delete from audit_pending where id = any($1::int8[])`, [rows.map((r) => r.id)]);
    invariant(rowCount === rows.length, () => `chained ${rows.length} events but removed ${rowCount} from pending`);
    return rows.length;
  });
}

/**
 * Signs the chain's head if it moved since the last signed head and that one is older than
 * `intervalMs` (or there is none). Returns the seq signed, or null.
 */
export async function signHead(pool: pg.Pool, signingKey: Uint8Array, intervalMs: number, nowMs: number): Promise<number | null> {
  return withTransaction(pool, async (client) => {
    const { rows: lock } = await client.query('select pg_try_advisory_xact_lock($1) as got', [CHAIN_LOCK_KEY]);
    if (!lock[0].got) return null;
    const head = await chainHead(client);
    if (head.seq === 0) return null;
    const { rows } = await client.query(`select seq, signed_at from audit_heads order by seq desc limit 1`);
    if (rows.length && (Number(rows[0].seq) >= head.seq || nowMs - new Date(rows[0].signed_at).getTime() < intervalMs)) return null;
    const signature = ed25519.sign(headMessage(head.seq, head.hash), signingKey);
    await client.query(`insert into audit_heads (seq, hash, public_key, signature, signed_at) values ($1, $2, $3, $4, $5)`, [
      head.seq,
      Buffer.from(head.hash),
      bytesToHex(ed25519.getPublicKey(signingKey)),
      Buffer.from(signature),
      new Date(nowMs),
    ]);
    return head.seq;
  });
}

export interface AuditProblem {
  seq: number;
  problem: string;
}

export interface AuditVerification {
  ok: boolean;
  records: number;
  headSeq: number;
  signedHeads: number;
  lastSignedSeq: number | null;
  /** Events written but not chained yet, and the oldest one's age. */
  pending: number;
  oldestPendingAgeMs: number | null;
  problems: AuditProblem[];
}

/**
 * Walks the whole chain (pages of AUDIT_VERIFY_PAGE) and every signed head. `publicKey`
 * (hex) is the key heads must be signed with: the operator's published key; a head signed
 * with another is a problem.
 */
export async function verifyChain(pool: pg.Pool, publicKey: string, nowMs: number): Promise<AuditVerification> {
  const problems: AuditProblem[] = [];
  const note = (seq: number, problem: string) => {
    if (problems.length < AUDIT_PROBLEMS_MAX) problems.push({ seq, problem });
  };
  let expected = 1;
  let prev = GENESIS_HASH;
  for (;;) {
    const { rows } = await pool.query(
      `select seq, at, kind, actor, subject, body, prev_hash, hash from audit_log where seq >= $1 order by seq limit ${AUDIT_VERIFY_PAGE}`,
      [expected],
    );
    for (const r of rows) {
      const seq = Number(r.seq);
      if (seq !== expected) {
        note(expected, seq === expected + 1 ? `record ${expected} is missing` : `records ${expected}..${seq - 1} are missing`);
        // Carry on from what is there, against its own link: one gap is named once.
        prev = new Uint8Array(r.prev_hash);
      }
      checkRecord(r, seq, prev, note);
      prev = new Uint8Array(r.hash);
      expected = seq + 1;
    }
    if (rows.length < AUDIT_VERIFY_PAGE) break;
  }
  const headSeq = expected - 1;
  const heads = await checkHeads(pool, publicKey, headSeq, note);
  const { rows: pending } = await pool.query(`select count(*)::int8 as n, min(at) as oldest from audit_pending`);
  return {
    ok: problems.length === 0,
    records: headSeq,
    headSeq,
    signedHeads: heads.count,
    lastSignedSeq: heads.lastSeq,
    pending: Number(pending[0].n),
    oldestPendingAgeMs: pending[0].oldest === null ? null : nowMs - new Date(pending[0].oldest).getTime(),
    problems,
  };
}

function checkRecord(r: Record<string, unknown>, seq: number, prev: Uint8Array, note: (seq: number, problem: string) => void): void {
  const body = r.body as string;
  const hash = new Uint8Array(r.hash as Buffer);
  if (bytesToHex(new Uint8Array(r.prev_hash as Buffer)) !== bytesToHex(prev)) {
    note(seq, `record ${seq} does not link to record ${seq - 1} (its previous hash differs: the earlier record was altered or replaced)`);
  }
  if (bytesToHex(recordHash(prev, body)) !== bytesToHex(hash)) {
    note(seq, `record ${seq} was altered: its hash is not that of its contents`);
    return;
  }
  let parsed: AuditBody;
  try {
    parsed = JSON.parse(body) as AuditBody;
  } catch {
    note(seq, `record ${seq}: its body is not JSON`);
    return;
  }
  const at = new Date(r.at as string).toISOString();
  if (parsed.seq !== seq || parsed.at !== at || parsed.kind !== r.kind || parsed.actor !== r.actor || parsed.subject !== r.subject) {
    note(seq, `record ${seq} was altered: its columns differ from the body that was hashed`);
  }
}

async function checkHeads(pool: pg.Pool, publicKey: string, headSeq: number, note: (seq: number, problem: string) => void): Promise<{ count: number; lastSeq: number | null }> {
  const { rows } = await pool.query(`select h.seq, h.hash, h.public_key, h.signature, l.hash as log_hash from audit_heads h left join audit_log l on l.seq = h.seq order by h.seq`);
  let lastSeq: number | null = null;
  for (const h of rows) {
    const seq = Number(h.seq);
    lastSeq = seq;
    const hash = new Uint8Array(h.hash);
    if (h.public_key !== publicKey) note(seq, `the head signed at record ${seq} names key ${String(h.public_key).slice(0, 16)}…, not the operator's`);
    let valid = false;
    try {
      valid = ed25519.verify(new Uint8Array(h.signature), headMessage(seq, hash), hexToBytes(publicKey));
    } catch {
      valid = false;
    }
    if (!valid) note(seq, `the head signed at record ${seq} has a signature that does not verify`);
    if (h.log_hash === null || seq > headSeq) note(seq, `record ${seq} is missing: a head was signed at it`);
    else if (bytesToHex(new Uint8Array(h.log_hash)) !== bytesToHex(hash)) note(seq, `record ${seq} differs from the head signed at it`);
  }
  return { count: rows.length, lastSeq };
}

export interface AuditRecord extends AuditBody {
  hash: string;
}

/** Records in seq order after `afterSeq`, optionally about one subject; bounded by `limit`. */
export async function auditRecords(pool: pg.Pool, q: { afterSeq: number; subject?: string; kindPrefix?: string; limit: number }): Promise<AuditRecord[]> {
  const { rows } = await pool.query(
    `select body, hash from audit_log
      where seq > $1 and ($2::text is null or subject = $2) and ($3::text is null or left(kind, length($3)) = $3)
      order by seq limit $4`,
    [q.afterSeq, q.subject ?? null, q.kindPrefix ?? null, q.limit],
  );
  return rows.map((r) => ({ ...(JSON.parse(r.body) as AuditBody), hash: bytesToHex(new Uint8Array(r.hash)) }));
}
