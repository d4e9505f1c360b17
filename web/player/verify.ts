// web/player/verify.ts — checking a ticket and its draw in the browser, with the same pure
// verifier `npm run verify` runs (draw/verify.ts), so what the page says is what the command
// line says about the same bytes. Loaded on demand (a dynamic import from the history page):
// it brings @noble/* with it, which the rest of the app never needs.
//
// The order and names are those of the command line's receipt mode (draw/README.md §10, "The
// command line"): proof, receipt, "receipt: draw id", inclusion (against the proof), then
// "receipt ticket = inclusion ticket". One check of our own comes first in the ticket group:
// the ticket the page shows is the one the receipt signs, so a reader knows which ticket
// the rest is about.
import { parseStrictJson } from '../../draw/json.ts';
import { allPassed, inclusionOptionsOf, sameTicket, verifyDrawProof, verifyInclusionProof, verifyReceipt, type Check } from '../../draw/verify.ts';

export type CheckGroup = 'key' | 'proof' | 'receipt' | 'inclusion' | 'ticket';

export interface ExplainedCheck extends Check {
  group: CheckGroup;
  /** What passing means, in plain words. */
  meaning: string;
}

export interface VerifyReport {
  checks: ExplainedCheck[];
  ok: boolean;
  /** Time spent in the verifier itself (parsing, hashing, signatures), not downloading. */
  verifyMs: number;
  /** The operator key the documents were checked against, or null if none is published for them. */
  publicKey: string | null;
}

/** What the history shows of a ticket: the receipt must sign exactly this. */
export interface ShownTicket {
  ticketId: string;
  drawId: string;
  lines: number[][];
  costMinor: number;
}

export interface TicketDocuments {
  /** GET /api/draws/:drawId/proof, as received (read by draw/README.md §7's strict rules). */
  proofText: string;
  /** GET /api/keys, as received. */
  keysText: string;
  /** The ticket's receipt from GET /api/tickets. */
  receipt: unknown;
  /** GET /api/tickets/:ticketId/proof, as received. */
  inclusionText: string;
  shown: ShownTicket;
}

const PROOF_VERSION = 'lottery-draw-proof/v1';
const RECEIPT_VERSION = 'lottery-receipt/v1';

/** Plain words for each check, by document and name (draw/README.md §10 says precisely when each passes). */
const MEANINGS: Record<string, string> = {
  'key: published': 'The operator publishes the key these documents are signed with (GET /api/keys). Keep a copy: it is what makes a signature mean "the operator said this".',
  'proof: version': 'The draw proof is in a format this verifier knows.',
  'proof: format': 'Every field of the draw proof is present and well-formed.',
  'proof: schedule': 'Sales opened before the cutoff, and the draw happened after it.',
  'proof: operator commitment': "The operator's secret seed revealed now is the one it committed to before sales opened: it could not change it after seeing the tickets.",
  'proof: auditor commitments': "Each independent auditor's seed matches what they committed to in advance.",
  'proof: beacon': 'The public randomness beacon round was fixed in advance and its value is the one used.',
  'proof: raffle drum': 'The raffle draws among exactly the tickets sold, as many winning positions as there are prizes.',
  'proof: numbers': 'The winning numbers are exactly what the committed seeds and the sealed ticket list produce: nobody chose them.',
  'proof: signature': 'The operator signed this proof: it cannot be altered without the signature failing.',
  'proof: public key': 'The proof is signed by the key the operator publishes, not by someone else.',
  'receipt: version': 'Your receipt is in a format this verifier knows.',
  'receipt: format': 'Every field of your receipt is present and well-formed.',
  'receipt: batch inclusion': 'Your ticket is part of the batch of tickets the operator signed.',
  'receipt: signature': 'The operator signed your receipt when it accepted your ticket.',
  'receipt: public key': 'Your receipt is signed by the key the operator publishes.',
  'receipt: draw id': 'Your receipt is for this draw.',
  'inclusion: version': 'The inclusion proof is in a format this verifier knows.',
  'inclusion: format': 'Every field of the inclusion proof is present and well-formed.',
  'inclusion: ticket draw id': 'The ticket in the inclusion proof is for this draw.',
  'inclusion: inclusion': "The ticket's fingerprint leads, step by step, to the root of the sealed ticket list.",
  'inclusion: root': 'That root is the one sealed into the signed draw proof, before the numbers were drawn.',
  'inclusion: tree size': 'The sealed list has as many tickets as the draw proof says.',
  'inclusion: draw id': 'The inclusion proof is for this draw.',
  'inclusion: leaf version': "The ticket is recorded in the draw's format (with its bet type and stake).",
  'inclusion: raffle result': "Your ticket's position in the sealed list decides its raffle prize, and the proof names it accordingly.",
  'ticket: shown = receipt': 'The ticket on this page (number, draw, lines, cost) is exactly the one your receipt signs.',
  'ticket: receipt ticket = inclusion ticket': 'The ticket the operator accepted from you is the very one sealed into the draw: it took part.',
};

function explain(group: CheckGroup, checks: Check[]): ExplainedCheck[] {
  return checks.map((c) => ({ ...c, group, meaning: MEANINGS[`${group}: ${c.name}`] ?? '' }));
}

function field(value: unknown, ...path: string[]): unknown {
  let v = value;
  for (const key of path) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined;
  return v;
}

/** A document read by §7's rules; a failure is a failed check, never an exception. */
function readDocument(group: CheckGroup, text: string): { value: unknown; check: ExplainedCheck | null } {
  try {
    return { value: parseStrictJson(text), check: null };
  } catch (error) {
    const check = { name: 'JSON', ok: false, detail: `not JSON as draw/README.md §7 reads it: ${(error as Error).message}`, group, meaning: 'The document could be read at all.' };
    return { value: undefined, check };
  }
}

/**
 * The key to check a document against: the published entry with the document's key that
 * signs its version (draw/README.md §10, "What the server serves"), or else the first one
 * that signs that version, so a document signed by any other key fails "public key".
 */
export function keyFor(keysDoc: unknown, doc: unknown, version: string): string | null {
  const keys = field(keysDoc, 'keys');
  if (!Array.isArray(keys)) return null;
  const signing = keys.filter((k) => field(k, 'algorithm') === 'ed25519' && Array.isArray(field(k, 'signs')) && (field(k, 'signs') as unknown[]).includes(version));
  const own = signing.find((k) => field(k, 'publicKey') === field(doc, 'publicKey'));
  const chosen = own ?? signing[0];
  const key = field(chosen, 'publicKey');
  return typeof key === 'string' && /^[0-9a-f]{64}$/.test(key) ? key : null;
}

function keyCheck(key: string | null, version: string): ExplainedCheck {
  return {
    name: 'published',
    ok: key !== null,
    detail: key === null ? `GET /api/keys lists no ed25519 key that signs ${version}` : `${key}`,
    group: 'key',
    meaning: MEANINGS['key: published'],
  };
}

/** What an inclusion proof is checked against in a draw proof (as the command line does). */
function shownCheck(shown: ShownTicket, receipt: unknown): Check {
  const t = field(receipt, 'ticket');
  const same =
    field(t, 'ticketId') === shown.ticketId &&
    field(t, 'drawId') === shown.drawId &&
    field(t, 'costMinor') === shown.costMinor &&
    JSON.stringify(field(t, 'lines')) === JSON.stringify(shown.lines);
  return { name: 'shown = receipt', ok: same, detail: same ? `${shown.ticketId}, ${shown.lines.length} line(s), cost ${shown.costMinor}` : 'the receipt signs another ticket than the one shown' };
}

/** Every check of one ticket: its draw's proof, its receipt, its inclusion in the seal. */
export function verifyTicket(docs: TicketDocuments): VerifyReport {
  const started = performance.now();
  const checks: ExplainedCheck[] = [];
  const keys = readDocument('key', docs.keysText);
  const proof = readDocument('proof', docs.proofText);
  const inclusion = readDocument('inclusion', docs.inclusionText);
  for (const read of [keys, proof, inclusion]) if (read.check) checks.push(read.check);
  const key = keyFor(keys.value, proof.value, PROOF_VERSION);
  checks.push(keyCheck(key, PROOF_VERSION));
  // Without a published key the "public key" checks still run, against a key nobody holds.
  const expected = key ?? '0'.repeat(64);
  checks.push(...explain('proof', verifyDrawProof(proof.value, { publicKey: expected })));
  checks.push(...explain('receipt', verifyReceipt(docs.receipt, { publicKey: keyFor(keys.value, docs.receipt, RECEIPT_VERSION) ?? expected })));
  const sameDraw = field(docs.receipt, 'ticket', 'drawId') === field(proof.value, 'drawId');
  checks.push(...explain('receipt', [{ name: 'draw id', ok: sameDraw, detail: sameDraw ? `the ticket is for ${String(field(proof.value, 'drawId'))}` : 'the receipt is for another draw than the proof' }]));
  checks.push(...explain('inclusion', verifyInclusionProof(inclusion.value, inclusionOptionsOf(proof.value))));
  const same = sameTicket(field(docs.receipt, 'ticket'), field(inclusion.value, 'ticket'));
  checks.push(
    ...explain('ticket', [
      shownCheck(docs.shown, docs.receipt),
      { name: 'receipt ticket = inclusion ticket', ok: same, detail: same ? 'the ticket the operator accepted is the one included in the draw' : 'the receipt and the inclusion proof name different tickets' },
    ]),
  );
  return { checks, ok: allPassed(checks), verifyMs: performance.now() - started, publicKey: key };
}

/** The draw alone: its signed proof, against the published key. */
export function verifyDraw(proofText: string, keysText: string): VerifyReport {
  const started = performance.now();
  const checks: ExplainedCheck[] = [];
  const keys = readDocument('key', keysText);
  const proof = readDocument('proof', proofText);
  for (const read of [keys, proof]) if (read.check) checks.push(read.check);
  const key = keyFor(keys.value, proof.value, PROOF_VERSION);
  checks.push(keyCheck(key, PROOF_VERSION));
  checks.push(...explain('proof', verifyDrawProof(proof.value, { publicKey: key ?? '0'.repeat(64) })));
  return { checks, ok: allPassed(checks), verifyMs: performance.now() - started, publicKey: key };
}
