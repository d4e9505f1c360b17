// ledger/regulatorExport.ts — every record about one draw or one player, for a regulator, as
// NDJSON: one JSON object per line, each with its `record` type (issue 15).
//
//   {"record":"export", ...}   first: what this is, about whom, when, and how to read it
//   {"record":"draw" | "ticket" | "prize" | ...}   the records, section by section (ledger/exportSections.ts)
//   {"record":"end","counts":{...}}   last: how many records of each type, so a truncated file shows
//
// Records are read a page (EXPORT_PAGE_ROWS) at a time by keyset and yielded one by one, so
// a draw of a million tickets never sits in memory: the command line writes them as they come
// (app/report-cli.ts). Each record comes with the cursor just after it, so a reader that stops
// after N records (the HTTP route, which answers in bounded pages) can go on from there.
// Run it inside one REPEATABLE READ transaction to read one snapshot (exportInSnapshot).
import type pg from 'pg';
import { invariant } from '../core/errors.ts';
import { DRAW_SECTIONS, PLAYER_SECTIONS, type ExportKey, type ExportSection, type ExportSubject } from './exportSections.ts';
import { withTransaction } from './transaction.ts';

export type { ExportSubject } from './exportSections.ts';

/** Rows per query: a page of tickets is a few megabytes of JSON at most. */
export const EXPORT_PAGE_ROWS = 5_000;
export const EXPORT_FORMAT_VERSION = 1;
/** An export's statements (one page each) are quick; the whole export may take minutes. */
const EXPORT_STATEMENT_MS_MAX = 60_000;
/** Before the first key of any section: ids are positive, times after 1685. */
const START_KEY: ExportKey = [Number.MIN_SAFE_INTEGER, 0];

/** Where an export stands: the section being read and the key of the last record yielded from it. */
export interface ExportCursor {
  section: number;
  after: ExportKey;
}

export interface ExportLine {
  /** One NDJSON line, without its newline. */
  line: string;
  /** The cursor that continues after this line; null after the end record. */
  next: ExportCursor | null;
}

export async function findDrawSubject(pool: pg.Pool | pg.ClientBase, publicId: string): Promise<ExportSubject | null> {
  const { rows } = await pool.query(`select id from draws where public_id = $1`, [publicId]);
  return rows.length === 1 ? { kind: 'draw', id: Number(rows[0].id), publicId, auditSubject: publicId } : null;
}

export async function findPlayerSubject(pool: pg.Pool | pg.ClientBase, publicId: string): Promise<ExportSubject | null> {
  const { rows } = await pool.query(`select id from players where public_id = $1`, [publicId]);
  if (rows.length !== 1) return null;
  const id = Number(rows[0].id);
  // The audit log's triggers name a player by row id (migration 022 audit_player_change).
  return { kind: 'player', id, publicId, auditSubject: `player:${id}` };
}

/** How many sections an export of `subject` reads: a cursor names one of them. */
export function exportSectionCount(subject: ExportSubject): number {
  return sectionsOf(subject).length;
}

function sectionsOf(subject: ExportSubject): readonly ExportSection[] {
  return subject.kind === 'draw' ? DRAW_SECTIONS : PLAYER_SECTIONS;
}

/** The records about `subject` from `from` on (the start by default), a page at a time. */
export async function* exportLines(client: pg.ClientBase, subject: ExportSubject, from: ExportCursor | null = null, pageRows = EXPORT_PAGE_ROWS): AsyncGenerator<ExportLine> {
  const sections = sectionsOf(subject);
  invariant(pageRows >= 1 && pageRows <= EXPORT_PAGE_ROWS, `an export page is 1..${EXPORT_PAGE_ROWS} rows`);
  const counts: Record<string, number> = {};
  if (from === null) {
    const { rows } = await client.query(`select now() as at`);
    yield { line: JSON.stringify(headerRecord(subject, new Date(rows[0].at))), next: { section: 0, after: START_KEY } };
  }
  for (let s = from?.section ?? 0; s < sections.length; s++) {
    const section = sections[s];
    let after: ExportKey = from !== null && s === from.section ? from.after : START_KEY;
    for (;;) {
      const { rows } = await client.query(section.sql, section.args(subject, after, pageRows));
      for (const row of rows) {
        after = [Number(row._k1), Number(row._k2)];
        delete row._k1;
        delete row._k2;
        counts[section.record] = (counts[section.record] ?? 0) + 1;
        yield { line: JSON.stringify({ record: section.record, ...row }), next: { section: s, after } };
      }
      if (rows.length < pageRows) break;
    }
  }
  // Counts cover this run only: a reader that resumed adds up its pages' counts.
  yield { line: JSON.stringify({ record: 'end', subject: { kind: subject.kind, id: subject.publicId }, counts, resumed: from !== null }), next: null };
}

function headerRecord(subject: ExportSubject, at: Date) {
  return {
    record: 'export',
    format: 'lottery-regulator-export',
    version: EXPORT_FORMAT_VERSION,
    subject: { kind: subject.kind, id: subject.publicId },
    generatedAt: at.toISOString(),
    records: [...new Set(sectionsOf(subject).map((s) => s.record))],
    notes: [
      'One JSON object per line; `record` names its type. Money in integer minor units; times ISO 8601 UTC.',
      'Ticket ids are T<serial>. A stake is its ticket\'s costMinor (one stake transfer per ticket).',
      subject.kind === 'player'
        ? 'Left out: the password hash, second-factor secrets and session tokens. Audit records are those whose subject is player:<row id>: their deposits, withdrawals, held prizes, limits, exclusions and account status.'
        : 'Left out: the sealed (encrypted) seed; the revealed seed is in the proof. Audit records are those whose subject is the draw\'s id: its steps, auditors and interventions (a held prize\'s are its winner\'s).',
    ],
  };
}

/** Every line of the export, in one read-only snapshot, handed to `write` one at a time. */
export async function exportInSnapshot(pool: pg.Pool, subject: ExportSubject, write: (line: string) => void | Promise<void>): Promise<void> {
  await withTransaction(
    pool,
    async (client) => {
      for await (const { line } of exportLines(client, subject)) await write(line);
    },
    { isolation: 'repeatable read', readOnly: true, statementTimeoutMs: EXPORT_STATEMENT_MS_MAX },
  );
}

/**
 * At most `recordsMax` lines from `from` (the start when null), in one snapshot, and the
 * cursor to ask for the rest (null when the end record is among them).
 */
export async function exportPage(pool: pg.Pool, subject: ExportSubject, from: ExportCursor | null, recordsMax: number): Promise<{ lines: string[]; next: ExportCursor | null }> {
  invariant(from === null || (from.section >= 0 && from.section < sectionsOf(subject).length), 'an export cursor names a section of its subject');
  return withTransaction(
    pool,
    async (client) => {
      const lines: string[] = [];
      let next: ExportCursor | null = from;
      for await (const item of exportLines(client, subject, from, Math.min(EXPORT_PAGE_ROWS, recordsMax))) {
        lines.push(item.line);
        next = item.next;
        if (lines.length >= recordsMax) break;
      }
      return { lines, next };
    },
    { isolation: 'repeatable read', readOnly: true, statementTimeoutMs: EXPORT_STATEMENT_MS_MAX },
  );
}

/** A cursor as text for a URL: "<section>.<k1>.<k2>". */
export function encodeExportCursor(c: ExportCursor): string {
  return `${c.section}.${c.after[0]}.${c.after[1]}`;
}

const CURSOR_TEXT = /^(\d{1,2})\.(-?\d{1,16})\.(\d{1,16})$/;

/** The cursor a text names, or null if it is not one (its section is checked against the subject by exportPage). */
export function decodeExportCursor(text: string): ExportCursor | null {
  const m = CURSOR_TEXT.exec(text);
  if (!m) return null;
  const [section, k1, k2] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return Number.isSafeInteger(k1) && Number.isSafeInteger(k2) ? { section, after: [k1, k2] } : null;
}
