// Receipts as acknowledgements carry them: every one rebuilds into a lottery-receipt/v1 that
// the verifier accepts, for every batch size and position, and any change is caught.
import crypto from 'node:crypto';
import t from 'tap';
import { bytesToHex } from '@noble/hashes/utils.js';
import { nativeSha256, nativeSigner } from '../app/nativeCrypto.ts';
import type { TicketRecord } from '../draw/encoding.ts';
import { receiptFromAck, signWireReceipts } from '../draw/receiptWire.ts';
import { publicKeyOf } from '../draw/signature.ts';
import { allPassed, verifyReceipt } from '../draw/verify.ts';

const secretKey = new Uint8Array(crypto.randomBytes(32));
const publicKey = bytesToHex(publicKeyOf(secretKey));

function tickets(n: number): TicketRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    ticketId: `T${100 + i}`,
    drawId: 'lotto649-2026-11-25',
    player: crypto.randomBytes(16).toString('hex'),
    lines: [[1, 2, 3, 4, 5, 6 + (i % 40)]],
    costMinor: 200,
    receivedAtMs: 1_795_000_000_000 + i,
  }));
}

const ackOf = (ticket: TicketRecord, receipt: any) => ({ ticketId: ticket.ticketId, lines: ticket.lines, cost: ticket.costMinor, receivedAt: ticket.receivedAtMs, receipt });

t.test('every receipt of every batch size from 1 to 40 verifies', async (t) => {
  for (let n = 1; n <= 40; n++) {
    const batch = tickets(n);
    // As the server signs: OpenSSL's Ed25519 and SHA-256; the verifier is pure @noble.
    const receipts = signWireReceipts(batch, secretKey, nativeSigner(secretKey), nativeSha256);
    const ok = batch.every((ticket, i) => allPassed(verifyReceipt(receiptFromAck(ackOf(ticket, receipts[i]), ticket.drawId, publicKey), { publicKey })));
    t.ok(ok, `batch of ${n}`);
  }
});

t.test('a receipt moved to another ticket, index or draw fails', async (t) => {
  const batch = tickets(9);
  const receipts = signWireReceipts(batch, secretKey);
  const check = (ack: any, drawId = batch[0].drawId) => allPassed(verifyReceipt(receiptFromAck(ack, drawId, publicKey), { publicKey }));
  t.ok(check(ackOf(batch[3], receipts[3])));
  t.notOk(check(ackOf(batch[4], receipts[3])), 'another ticket of the batch');
  t.notOk(check(ackOf(batch[3], { ...receipts[3], index: 4 })), 'another index');
  t.notOk(check(ackOf(batch[3], receipts[3]), 'lotto649-2026-11-26'), 'another draw');
  t.notOk(check({ ...ackOf(batch[3], receipts[3]), cost: 201 }), 'another cost');
  const path = Uint8Array.from(receipts[3].path);
  path[0] ^= 1;
  t.notOk(check(ackOf(batch[3], { ...receipts[3], path })), 'a flipped path bit');
  t.throws(() => receiptFromAck(ackOf(batch[3], { ...receipts[3], path: 'ab' }), batch[0].drawId, publicKey), /bytes/);
});
