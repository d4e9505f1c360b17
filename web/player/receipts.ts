// web/player/receipts.ts — the signed receipts of bets placed in this browser, kept in
// localStorage by ticket id so the player can keep and download them (the history also
// serves a receipt per ticket; this one is the original from `bet:accepted`). Bounded: the
// newest RECEIPTS_KEPT_MAX are kept.
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
