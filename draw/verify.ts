// draw/verify.ts — the standalone verifier: what a player, auditor or regulator runs.
//
// Pure and total: any input, however malformed or hostile, yields a list of named checks
// and never an exception. A malformed document fails "format" with the path of the first
// bad field; the checks that need a well-formed document are then reported as not checked
// (failed), so nothing is ever shown as passing on a document we could not read.
import { equalBytes, parseHex, toHex, U64_SAFE_MAX } from './bytes.ts';
import { allPassed, runCheck, skipped, type Check } from './check.ts';
import { compareTicketIds, encodeTicket, LEAF_VERSIONS, leafVersionOf, parseTicketRecord, ticketLeaf, type TicketRecord } from './encoding.ts';
import { ALGORITHM } from './drbg.ts';
import { INCLUSION_VERSION, parseInclusionProof, type InclusionProof } from './inclusion.ts';
import { MERKLE_LEAVES_MAX, merkleRoot, verifyInclusion } from './merkle.ts';
import { checkProofContent, parseDrawProof, PROOF_VERSION, signatureCheck, type DrawProof } from './proof.ts';
import { RAFFLE_DRUM, raffleDrum, raffleWinners } from './raffle.ts';
import { parseReceipt, RECEIPT_VERSION, receiptBatchMessage, type TicketReceipt } from './receipt.ts';
import { signatureValid } from './signature.ts';

export type { Check };
export { allPassed, RAFFLE_DRUM };

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

/** Each path's value must be one of the versions listed for it. */
function versionCheck(doc: unknown, expected: [string, readonly (string | number)[]][]): Check {
  return runCheck('version', () => {
    const at = (path: string) => field(doc, path.split('.'));
    const wrong = expected.filter(([path, allowed]) => !allowed.includes(at(path) as string | number));
    if (wrong.length === 0) return { ok: true, detail: expected.map(([path]) => at(path)).join(', ') };
    const detail = wrong.map(([path, allowed]) => `${path} is ${(JSON.stringify(at(path)) ?? 'missing').slice(0, 60)}, expected ${allowed.map((v) => JSON.stringify(v)).join(' or ')}`);
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
 * stake total, ticket root; for a raffle, raffle drum and, with tickets and a raffle
 * section, raffle winners; then numbers, signature and, with a key, public key.
 */
export function verifyDrawProof(proof: unknown, options: DrawProofVerifyOptions = {}): Check[] {
  const opts = typeof options === 'object' && options !== null ? options : {};
  const withTickets = opts.tickets !== undefined;
  const withKey = opts.publicKey !== undefined;
  const checks = [versionCheck(proof, [['version', [PROOF_VERSION]], ['algorithm', [ALGORITHM]], ['tickets.leafVersion', LEAF_VERSIONS]])];
  const format = formatCheck(() => parseDrawProof(proof));
  checks.push(format.check);
  const p = format.value;
  if (p === null || !allPassed(checks)) {
    const rest = ['schedule', 'operator commitment', 'auditor commitments', 'beacon', ...(withTickets ? TICKET_CHECKS : []), 'numbers', 'signature', ...(withKey ? ['public key'] : [])];
    return [...checks, ...rest.map((name) => skipped(name, MALFORMED))];
  }
  const content = checkProofContent(p);
  checks.push(...content.filter((c) => c.name !== 'numbers'));
  const listed = withTickets ? ticketChecks(p, opts.tickets) : null;
  if (listed) checks.push(...listed.checks);
  if (p.drums.some((d) => d.name === RAFFLE_DRUM)) checks.push(raffleDrumCheck(p));
  if (listed && p.raffle) checks.push(raffleWinnersCheck(p, listed.tickets));
  checks.push(...content.filter((c) => c.name === 'numbers'));
  checks.push(signatureCheck(p));
  if (withKey) checks.push(publicKeyCheck(p.publicKey, opts.publicKey as string));
  return checks;
}

/**
 * A raffle's drum is the sealed ticket list itself: the operator cannot choose its size, nor,
 * once the proof states the prize count (leaf version 2), how many balls are drawn.
 */
function raffleDrumCheck(p: DrawProof): Check {
  return runCheck('raffle drum', () => {
    const drum = p.drums[0];
    const want = raffleDrum(p.tickets.count, p.raffle?.prizeCount ?? drum.count);
    const ok = p.drums.length === 1 && drum.name === want.name && drum.min === want.min && drum.max === want.max && drum.count === want.count && !drum.replacement;
    const prizes = p.raffle ? `, min(${p.raffle.prizeCount} prizes, ${want.max})` : '';
    return {
      ok,
      detail: ok
        ? `${drum.count} winning positions among the ${p.tickets.count} sealed tickets, without replacement`
        : `a raffle draw must have one drum ${JSON.stringify(want)}${prizes}, got ${JSON.stringify(p.drums).slice(0, 200)}`,
    };
  });
}

/** The winners the proof names are the tickets at the positions drawn, in draw order. */
function raffleWinnersCheck(p: DrawProof, tickets: TicketRecord[] | null): Check {
  if (tickets === null) return skipped('raffle winners', 'the ticket list is malformed');
  return runCheck('raffle winners', () => {
    if (tickets.length !== p.tickets.count) return { ok: false, detail: `the list has ${tickets.length} tickets, the seal ${p.tickets.count}` };
    // As §10 states it, for any numbers (a wrong one fails "numbers", not this): positions
    // outside 1..count name no one.
    const positions = (p.numbers[0] ?? []).filter((position) => position >= 1 && position <= p.tickets.count);
    const named = raffleWinners(positions, p.tickets.count, (position) => tickets[position - 1].ticketId);
    const ok = named.length === p.raffle!.winners.length && named.every((id, i) => id === p.raffle!.winners[i]);
    return {
      ok,
      detail: ok
        ? `${named.length} winners, each the ticket at its drawn position`
        : `the positions drawn hold ${JSON.stringify(named).slice(0, 200)}, the proof names ${JSON.stringify(p.raffle!.winners).slice(0, 200)}`,
    };
  });
}

const TICKET_CHECKS = ['tickets format', 'ticket draw ids', 'ticket order', 'ticket count', 'stake total', 'ticket root'];

/** The ticket checks, and the list itself when it is well-formed (null when not). */
function ticketChecks(p: DrawProof, given: unknown): { checks: Check[]; tickets: TicketRecord[] | null } {
  let tickets: TicketRecord[] = [];
  const format = runCheck('tickets format', () => {
    if (!Array.isArray(given)) throw new Error('tickets must be an array of ticket records');
    if (given.length > MERKLE_LEAVES_MAX) throw new Error(`tickets: ${given.length} records, more than ${MERKLE_LEAVES_MAX}`);
    tickets = given.map((t, i) => parseTicketRecord(t, `tickets[${i}]`));
    // A draw's tickets are all of its leaf version (§3): a record without the bet type in a
    // version-2 draw would leave its bet unsealed.
    const other = tickets.findIndex((t) => leafVersionOf(t) !== p.tickets.leafVersion);
    if (other >= 0) throw new Error(`tickets[${other}] is a leaf version ${leafVersionOf(tickets[other])} record, the proof seals leaf version ${p.tickets.leafVersion}`);
    return { ok: true, detail: `${tickets.length} well-formed ticket records of leaf version ${p.tickets.leafVersion}` };
  });
  if (!format.ok) return { checks: [format, ...TICKET_CHECKS.slice(1).map((name) => skipped(name, 'the ticket list is malformed'))], tickets: null };
  return { tickets, checks: [
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
  ] };
}

/** Checks: version, format, batch inclusion, signature and, with a key, public key. */
export function verifyReceipt(receipt: unknown, options: { publicKey?: string } = {}): Check[] {
  const opts = typeof options === 'object' && options !== null ? options : {};
  const checks = [versionCheck(receipt, [['version', [RECEIPT_VERSION]]])];
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
  /** The draw proof's tickets.leafVersion: the ticket's record must be of it. */
  leafVersion?: number;
  /** A raffle proof's positions drawn (numbers[0]) and raffle.winners: the ticket's own result. */
  raffle?: { positions: readonly number[]; winners: readonly string[] };
}

/** The checks an inclusion proof has against a draw proof, by name, each run only when its option is given. */
const AGAINST_DRAW: [name: string, option: keyof InclusionVerifyOptions][] = [
  ['root', 'root'],
  ['tree size', 'treeSize'],
  ['draw id', 'drawId'],
  ['leaf version', 'leafVersion'],
  ['raffle result', 'raffle'],
];

/**
 * Checks: version, format, ticket draw id, inclusion; with options: root, tree size, draw id,
 * leaf version, raffle result.
 */
export function verifyInclusionProof(proof: unknown, options: InclusionVerifyOptions = {}): Check[] {
  const opts = typeof options === 'object' && options !== null ? options : {};
  const expected = AGAINST_DRAW.filter(([, option]) => opts[option] !== undefined).map(([name]) => name);
  const checks = [versionCheck(proof, [['version', [INCLUSION_VERSION]]])];
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
  for (const name of expected) checks.push(againstDraw(name, p, opts));
  return checks;
}

function againstDraw(name: string, p: InclusionProof, opts: InclusionVerifyOptions): Check {
  return runCheck(name, () => {
    switch (name) {
      case 'root':
        return { ok: p.root === opts.root, detail: p.root === opts.root ? `the draw's sealed root ${p.root}` : `root ${p.root}, the draw sealed ${String(opts.root)}` };
      case 'tree size':
        return { ok: p.treeSize === opts.treeSize, detail: `tree of ${p.treeSize}, the draw sealed ${String(opts.treeSize)}` };
      case 'draw id':
        return { ok: p.drawId === opts.drawId, detail: `proof for ${p.drawId}, expected ${String(opts.drawId)}` };
      case 'leaf version': {
        const version = leafVersionOf(p.ticket);
        return { ok: version === opts.leafVersion, detail: `a leaf version ${version} record, the draw seals leaf version ${String(opts.leafVersion)}` };
      }
      default:
        return raffleResult(p, opts.raffle!);
    }
  });
}

/**
 * A raffle ticket's own result, from its inclusion proof alone: its position in the sealed
 * list is leafIndex + 1; the proof must name it the winner of prize i exactly when that
 * position was the i-th drawn (§6, "Raffles").
 */
function raffleResult(p: InclusionProof, raffle: { positions: readonly number[]; winners: readonly string[] }): { ok: boolean; detail: string } {
  if (!Array.isArray(raffle.positions) || !Array.isArray(raffle.winners)) throw new Error('the raffle proof has no positions or winners to compare with');
  const position = p.leafIndex + 1;
  const drawn = raffle.positions.indexOf(position);
  const named = raffle.winners.indexOf(p.ticket.ticketId);
  const ok = drawn === named;
  const id = p.ticket.ticketId;
  if (!ok) return { ok, detail: `${id} is at position ${position}, drawn ${drawn < 0 ? 'never' : `for prize ${drawn + 1}`}, but the proof names it ${named < 0 ? 'nowhere' : `for prize ${named + 1}`}` };
  return { ok, detail: drawn < 0 ? `${id} (position ${position}) won no prize` : `${id} (position ${position}) won prize ${drawn + 1}` };
}

/** Whether two ticket records have the same encoding (so the same leaf). Never throws. */
export function sameTicket(a: unknown, b: unknown): boolean {
  try {
    return equalBytes(encodeTicket(a as TicketRecord), encodeTicket(b as TicketRecord));
  } catch {
    return false;
  }
}

/**
 * What an inclusion proof is checked against in a draw proof: the root it seals and signs
 * (not just the inclusion proof's own), its size, draw and leaf version, and a raffle's
 * result for this one ticket. Read from the raw document: the proof's own checks say
 * whether it is well-formed, and a malformed value only fails the inclusion check using it.
 */
export function inclusionOptionsOf(proof: unknown): InclusionVerifyOptions {
  const raffle = field(proof, ['raffle']);
  return {
    root: String(field(proof, ['tickets', 'root'])),
    treeSize: field(proof, ['tickets', 'count']) as number,
    drawId: String(field(proof, ['drawId'])),
    leafVersion: field(proof, ['tickets', 'leafVersion']) as number,
    ...(raffle === undefined ? {} : { raffle: { positions: field(proof, ['numbers', '0']) as number[], winners: field(raffle, ['winners']) as string[] } }),
  };
}
