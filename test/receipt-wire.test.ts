// Receipts as acknowledgements carry them: every one rebuilds into a lottery-receipt/v1 that
// the verifier accepts, for every batch size and position, and any change is caught.
import crypto from 'node:crypto';
import t from 'tap';
import { bytesToHex } from '@noble/hashes/utils.js';
import { nativeSha256, nativeSigner } from '../app/nativeCrypto.ts';
import { ticketRecordOf, type TicketRecord } from '../draw/encoding.ts';
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

/** Pick-3 tickets of a leaf version 2 draw: bet types and stakes in the leaf. */
function ticketsV2(n: number): TicketRecord[] {
  return tickets(n).map((t, i) => ticketRecordOf(2, { ...t, drawId: 'pick3-2026-11-25', betType: ['straight', 'box', 'straight_box'][i % 3], stakeMinor: 100, lines: [[1, 2, 3]], costMinor: 100 }));
}

t.test('leaf version 2: the wire receipt carries the bet type and stake, and rebuilds a version 2 receipt', async (t) => {
  const batch = [...ticketsV2(5), ...tickets(3)]; // one batch may hold tickets of draws of both versions
  const receipts = signWireReceipts(batch, secretKey, nativeSigner(secretKey), nativeSha256);
  t.same(Object.keys(receipts[0]), ['v', 'leafVersion', 'player', 'betType', 'stakeMinor', 'size', 'index', 'path', 'signature'], 'the key order rooms/acceptedWire.ts writes');
  t.same(Object.keys(receipts[6]), ['v', 'player', 'size', 'index', 'path', 'signature'], 'version 1: the wire of before');
  t.match(receipts[1], { v: 1, leafVersion: 2, betType: 'box', stakeMinor: 100 });
  for (const [i, ticket] of batch.entries()) {
    const receipt = receiptFromAck(ackOf(ticket, receipts[i]), ticket.drawId, publicKey);
    t.same(receipt.ticket, ticket, `${ticket.ticketId}: the record signed`);
    t.ok(allPassed(verifyReceipt(receipt, { publicKey })), `${ticket.ticketId}: verifies`);
  }
  const check = (receipt: any) => allPassed(verifyReceipt(receiptFromAck(ackOf(batch[0], receipt), batch[0].drawId, publicKey), { publicKey }));
  t.notOk(check({ ...receipts[0], betType: 'box' }), 'a straight presented as a box');
  t.notOk(check({ ...receipts[0], stakeMinor: 200 }), 'another stake');
  const { leafVersion: _l, betType: _b, stakeMinor: _s, ...asV1 } = receipts[0] as any;
  t.notOk(check(asV1), 'the same ticket presented as version 1');
  t.throws(() => receiptFromAck(ackOf(batch[0], { ...receipts[0], leafVersion: 3 }), batch[0].drawId, publicKey), /receipt\.leafVersion must be 2 or absent/);
  t.throws(() => receiptFromAck(ackOf(batch[6], { ...receipts[6], betType: 'box' }), batch[6].drawId, publicKey), /come only with receipt\.leafVersion 2/);
  t.throws(() => receiptFromAck(ackOf(batch[0], { ...receipts[0], stakeMinor: '100' }), batch[0].drawId, publicKey), /receipt\.stakeMinor must be a number/);
});
