// draw/verify.ts — the standalone verifier: what a player, auditor or regulator runs.
//
// Pure and total: any input, however malformed or hostile, yields a list of named checks
// and never an exception. A malformed document fails "format" with the path of the first
// bad field; the checks that need a well-formed document are then reported as not checked
// (failed), so nothing is ever shown as passing on a document we could not read.
import { equalBytes, parseHex, toHex, U64_SAFE_MAX } from './bytes.ts';
import { allPassed, runCheck, skipped, type Check } from './check.ts';
import { compareTicketIds, encodeTicket, LEAF_VERSION, parseTicketRecord, ticketLeaf, type TicketRecord } from './encoding.ts';
import { ALGORITHM } from './drbg.ts';
import { INCLUSION_VERSION, parseInclusionProof, type InclusionProof } from './inclusion.ts';
import { MERKLE_LEAVES_MAX, merkleRoot, verifyInclusion } from './merkle.ts';
import { checkProofContent, parseDrawProof, PROOF_VERSION, signatureCheck, type DrawProof } from './proof.ts';
import { parseReceipt, RECEIPT_VERSION, receiptBatchMessage, type TicketReceipt } from './receipt.ts';
import { signatureValid } from './signature.ts';

export type { Check };
export { allPassed };

const MALFORMED = 'the document is malformed or of an unknown version (see format, version)';

/** Reads a nested field of an unknown value without trusting its shape. */
function field(value: unknown, path: string[]): unknown {
  let v = value;
  for (const key of path) {
    if (typeof v !== 'object' || v === null || !Object.prototype.hasOwnProperty.call(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

function versionCheck(doc: unknown, expected: [string, string | number][]): Check {
  return runCheck('version', () => {
    const wrong = expected.filter(([path, want]) => field(doc, path.split('.')) !== want);
    if (wrong.length === 0) return { ok: true, detail: expected.map(([, want]) => want).join(', ') };
    const detail = wrong.map(([path, want]) => `${path} is ${(JSON.stringify(field(doc, path.split('.'))) ?? 'missing').slice(0, 60)}, expected ${JSON.stringify(want)}`);
    return { ok: false, detail: detail.join('; ') };
  });
}

function formatCheck<T>(parse: () => T): { check: Check; value: T | null } {
  let value: T | null = null;
  const check = runCheck('format', () => {
    value = parse();
    return { ok: true, detail: 'every field present and well-formed' };
  });
  return { check, value };
}

function publicKeyCheck(actual: string, expected: string): Check {
  return runCheck('public key', () => {
    const want = parseHex(expected, 'expected public key', 32);
    const ok = equalBytes(parseHex(actual, 'publicKey', 32), want);
    return { ok, detail: ok ? `signed by the expected key ${expected}` : `signed by ${actual}, expected ${expected}` };
  });
}

export interface DrawProofVerifyOptions {
  /** The draw's full ticket list, in canonical order, to recompute the seal from. */
  tickets?: TicketRecord[];
  /** The operator's published key (hex); the proof must be signed by it. */
  publicKey?: string;
}

/**
 * Checks, in order: version, format, schedule, operator commitment, auditor commitments,
 * beacon; with tickets: tickets format, ticket draw ids, ticket order, ticket count,
 * stake total, ticket root; for a raffle, raffle drum; then numbers, signature and, with
 * a key, public key.
 */
export function verifyDrawProof(proof: unknown, options: DrawProofVerifyOptions = {}): Check[] {
  const opts = typeof options === 'object' && options !== null ? options : {};
  const withTickets = opts.tickets !== undefined;
  const withKey = opts.publicKey !== undefined;
  const checks = [versionCheck(proof, [['version', PROOF_VERSION], ['algorithm', ALGORITHM], ['tickets.leafVersion', LEAF_VERSION]])];
  const format = formatCheck(() => parseDrawProof(proof));
  checks.push(format.check);
  const p = format.value;
  if (p === null || !allPassed(checks)) {
    const rest = ['schedule', 'operator commitment', 'auditor commitments', 'beacon', ...(withTickets ? TICKET_CHECKS : []), 'numbers', 'signature', ...(withKey ? ['public key'] : [])];
    return [...checks, ...rest.map((name) => skipped(name, MALFORMED))];
  }
  const content = checkProofContent(p);
  checks.push(...content.filter((c) => c.name !== 'numbers'));
  if (withTickets) checks.push(...ticketChecks(p, opts.tickets));
  if (p.drums.some((d) => d.name === RAFFLE_DRUM)) checks.push(raffleDrumCheck(p));
  checks.push(...content.filter((c) => c.name === 'numbers'));
  checks.push(signatureCheck(p));
  if (withKey) checks.push(publicKeyCheck(p.publicKey, opts.publicKey as string));
  return checks;
}

/** A raffle draws positions in the sealed ticket list from a drum of this name (draw/README.md §11). */
export const RAFFLE_DRUM = 'tickets';

/** A raffle's drum is the sealed ticket list itself: the operator cannot choose its size. */
function raffleDrumCheck(p: DrawProof): Check {
  return runCheck('raffle drum', () => {
    const positions = Math.max(p.tickets.count, 1);
    const drum = p.drums[0];
    const ok = p.drums.length === 1 && drum.name === RAFFLE_DRUM && drum.min === 1 && drum.max === positions && !drum.replacement;
    return {
      ok,
      detail: ok
        ? `${drum.count} winning positions among the ${p.tickets.count} sealed tickets, without replacement`
        : `a raffle draw must have one drum "${RAFFLE_DRUM}" of 1..${positions} without replacement, got ${JSON.stringify(p.drums).slice(0, 200)}`,
    };
  });
}

const TICKET_CHECKS = ['tickets format', 'ticket draw ids', 'ticket order', 'ticket count', 'stake total', 'ticket root'];

function ticketChecks(p: DrawProof, given: unknown): Check[] {
  let tickets: TicketRecord[] = [];
  const format = runCheck('tickets format', () => {
    if (!Array.isArray(given)) throw new Error('tickets must be an array of ticket records');
    if (given.length > MERKLE_LEAVES_MAX) throw new Error(`tickets: ${given.length} records, more than ${MERKLE_LEAVES_MAX}`);
    tickets = given.map((t, i) => parseTicketRecord(t, `tickets[${i}]`));
    return { ok: true, detail: `${tickets.length} well-formed ticket records` };
  });
  if (!format.ok) return [format, ...TICKET_CHECKS.slice(1).map((name) => skipped(name, 'the ticket list is malformed'))];
  return [
    format,
    runCheck('ticket draw ids', () => {
      const i = tickets.findIndex((t) => t.drawId !== p.drawId);
      if (i < 0) return { ok: true, detail: `every ticket is for ${p.drawId}` };
      return { ok: false, detail: `tickets[${i}] (${tickets[i].ticketId}) is for ${JSON.stringify(tickets[i].drawId)}, not ${p.drawId}` };
    }),
    runCheck('ticket order', () => {
      for (let i = 1; i < tickets.length; i++) {
        const order = compareTicketIds(tickets[i - 1].ticketId, tickets[i].ticketId);
        if (order === 0) return { ok: false, detail: `tickets[${i}] repeats ticket ${tickets[i].ticketId}` };
        if (order > 0) return { ok: false, detail: `tickets[${i}] (${tickets[i].ticketId}) comes before tickets[${i - 1}] (${tickets[i - 1].ticketId})` };
      }
      return { ok: true, detail: 'strictly increasing ticket ids, no duplicates' };
    }),
    runCheck('ticket count', () => {
      const ok = tickets.length === p.tickets.count;
      return { ok, detail: ok ? `${tickets.length} tickets` : `${tickets.length} tickets given, the proof seals ${p.tickets.count}` };
    }),
    runCheck('stake total', () => {
      let total = 0;
      for (const t of tickets) {
        total += t.costMinor;
        if (total > U64_SAFE_MAX) return { ok: false, detail: 'the stakes add up beyond 2^53 - 1' };
      }
      const ok = total === p.tickets.stakeTotalMinor;
      return { ok, detail: ok ? `${total} minor units` : `tickets add up to ${total} minor units, the proof seals ${p.tickets.stakeTotalMinor}` };
    }),
    runCheck('ticket root', () => {
      const root = toHex(merkleRoot(tickets.map(ticketLeaf)));
      const ok = root === p.tickets.root;
      return { ok, detail: ok ? `recomputed ${root}` : `recomputed ${root}, the proof seals ${p.tickets.root}` };
    }),
  ];
}

/** Checks: version, format, batch inclusion, signature and, with a key, public key. */
export function verifyReceipt(receipt: unknown, options: { publicKey?: string } = {}): Check[] {
  const opts = typeof options === 'object' && options !== null ? options : {};
  const checks = [versionCheck(receipt, [['version', RECEIPT_VERSION]])];
  const format = formatCheck(() => parseReceipt(receipt));
  checks.push(format.check);
  const r: TicketReceipt | null = format.value;
  if (r === null || !allPassed(checks)) {
    return [...checks, ...['batch inclusion', 'signature', ...(opts.publicKey !== undefined ? ['public key'] : [])].map((n) => skipped(n, MALFORMED))];
  }
  checks.push(
    runCheck('batch inclusion', () => {
      const ok = verifyInclusion(ticketLeaf(r.ticket), r.batch.index, r.batch.size, r.batch.path.map((h) => parseHex(h, 'path', 32)), parseHex(r.batch.root, 'root', 32));
      return { ok, detail: ok ? `ticket ${r.ticket.ticketId} is entry ${r.batch.index} of the batch of ${r.batch.size}` : `the ticket's leaf and path do not lead to batch root ${r.batch.root}` };
    }),
    runCheck('signature', () => {
      const ok = signatureValid(r.signature, receiptBatchMessage(r.batch.size, parseHex(r.batch.root, 'root', 32)), r.publicKey);
      return { ok, detail: ok ? `valid ed25519 signature by ${r.publicKey} on the batch` : `not a valid ed25519 signature by ${r.publicKey} on this batch` };
    }),
  );
  if (opts.publicKey !== undefined) checks.push(publicKeyCheck(r.publicKey, opts.publicKey));
  return checks;
}

export interface InclusionVerifyOptions {
  /** The draw proof's tickets.root: the tree must be the sealed one. */
  root?: string;
  /** The draw proof's tickets.count. */
  treeSize?: number;
  /** The draw proof's drawId. */
  drawId?: string;
}

/** Checks: version, format, ticket draw id, inclusion; with options: root, tree size, draw id. */
export function verifyInclusionProof(proof: unknown, options: InclusionVerifyOptions = {}): Check[] {
  const opts = typeof options === 'object' && options !== null ? options : {};
  const optional: [string, unknown][] = [['root', opts.root], ['tree size', opts.treeSize], ['draw id', opts.drawId]];
  const expected = optional.filter(([, v]) => v !== undefined).map(([n]) => n);
  const checks = [versionCheck(proof, [['version', INCLUSION_VERSION]])];
  const format = formatCheck(() => parseInclusionProof(proof));
  checks.push(format.check);
  const p: InclusionProof | null = format.value;
  if (p === null || !allPassed(checks)) return [...checks, ...['ticket draw id', 'inclusion', ...expected].map((n) => skipped(n, MALFORMED))];
  checks.push(
    runCheck('ticket draw id', () => {
      const ok = p.ticket.drawId === p.drawId;
      return { ok, detail: ok ? `ticket ${p.ticket.ticketId} is for ${p.drawId}` : `the ticket is for ${JSON.stringify(p.ticket.drawId)}, the proof for ${JSON.stringify(p.drawId)}` };
    }),
    runCheck('inclusion', () => {
      const ok = verifyInclusion(ticketLeaf(p.ticket), p.leafIndex, p.treeSize, p.path.map((h) => parseHex(h, 'path', 32)), parseHex(p.root, 'root', 32));
      return { ok, detail: ok ? `ticket ${p.ticket.ticketId} is leaf ${p.leafIndex} of ${p.treeSize} under root ${p.root}` : `the ticket's leaf and path do not lead to root ${p.root}` };
    }),
  );
  if (opts.root !== undefined) {
    checks.push(runCheck('root', () => ({ ok: p.root === opts.root, detail: p.root === opts.root ? `the draw's sealed root ${p.root}` : `root ${p.root}, the draw sealed ${String(opts.root)}` })));
  }
  if (opts.treeSize !== undefined) {
    checks.push(runCheck('tree size', () => ({ ok: p.treeSize === opts.treeSize, detail: `tree of ${p.treeSize}, the draw sealed ${String(opts.treeSize)}` })));
  }
  if (opts.drawId !== undefined) {
    checks.push(runCheck('draw id', () => ({ ok: p.drawId === opts.drawId, detail: `proof for ${p.drawId}, expected ${String(opts.drawId)}` })));
  }
  return checks;
}

/** Whether two ticket records have the same encoding (so the same leaf). Never throws. */
export function sameTicket(a: unknown, b: unknown): boolean {
  try {
    return equalBytes(encodeTicket(a as TicketRecord), encodeTicket(b as TicketRecord));
  } catch {
    return false;
  }
}
