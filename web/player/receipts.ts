// web/player/receipts.ts — the signed receipts of bets placed in this browser, kept in
// localStorage by ticket id so the player can keep and download them (the history also
// serves a receipt per ticket; this one is the original from `bet:accepted`). The
// acknowledgement carries the receipt in its compact wire form (draw/receiptWire.ts): it is
// rebuilt here into the lottery-receipt/v1 document `npm run verify -- --receipt` reads,
// with the operator's key from GET /api/keys. Bounded: the newest RECEIPTS_KEPT_MAX are kept.
import { receiptFromAck, type AckedTicket } from '../../draw/receiptWire.ts';
import { api } from '../lib/api.ts';

const RECEIPT_VERSION = 'lottery-receipt/v1';
let receiptKey: Promise<string> | null = null;

/** The published ed25519 key that signs receipts (asked once per page). */
function receiptPublicKey(): Promise<string> {
  receiptKey ??= api<{ keys: { algorithm: string; publicKey: string; signs: string[] }[] }>('GET', '/api/keys').then(({ keys }) => {
    const key = keys.find((k) => k.algorithm === 'ed25519' && k.signs.includes(RECEIPT_VERSION));
    if (!key) throw new Error(`GET /api/keys lists no key that signs ${RECEIPT_VERSION}`);
    return key.publicKey;
  });
  receiptKey.catch(() => (receiptKey = null));
  return receiptKey;
}

/** The verifiable receipt of an acknowledged ticket, kept; null if it cannot be rebuilt. */
export async function keepReceipt(ack: AckedTicket, drawId: string): Promise<unknown | null> {
  try {
    const receipt = receiptFromAck(ack, drawId, await receiptPublicKey());
    saveReceipt(ack.ticketId, receipt);
    return receipt;
  } catch {
    // Malformed or the key unreachable: My tickets serves a receipt for every ticket anyway.
    return null;
  }
}
const KEY = 'lottery.receipts';
const RECEIPTS_KEPT_MAX = 200;

type Stored = { ticketId: string; receipt: unknown }[];

function read(): Stored {
  try {
    const parsed = JSON.parse(localStorage.getItem(KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}

export function saveReceipt(ticketId: string, receipt: unknown): void {
  const kept = [{ ticketId, receipt }, ...read().filter((r) => r.ticketId !== ticketId)].slice(0, RECEIPTS_KEPT_MAX);
  try {
    localStorage.setItem(KEY, JSON.stringify(kept));
  } catch {
    // Full: the history still has a receipt for every ticket.
  }
}

export function receiptOf(ticketId: string): unknown | undefined {
  return read().find((r) => r.ticketId === ticketId)?.receipt;
}

/** A download link's address for a receipt, as the JSON `npm run verify -- --receipt` reads. */
export function receiptDownload(receipt: unknown): string {
  return URL.createObjectURL(new Blob([JSON.stringify(receipt, null, 2)], { type: 'application/json' }));
}
