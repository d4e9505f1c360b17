// The hand-written `bet:accepted` frame is byte for byte what Colyseus' client.send writes
// for the same reply, so every client decodes the same object; anything unusual falls back.
import crypto from 'node:crypto';
import t from 'tap';
import { getMessageBytes, Protocol } from '@colyseus/core';
import { unpack } from 'msgpackr';
import { acceptedFrame, type AcceptedReply } from '../rooms/acceptedWire.ts';

const rand = (n: number) => crypto.randomInt(n);

function reply(over: Partial<AcceptedReply> = {}): AcceptedReply {
  const lineCount = 1 + rand(12);
  return {
    requestId: 'r'.repeat(1 + rand(63)),
    ticketId: `T${rand(2 ** 40)}`,
    lines: Array.from({ length: lineCount }, () => Array.from({ length: rand(20) }, () => [0, 1, 49, 127, 128, 255, 256, 65535, 65536][rand(9)])),
    cost: [0, 5, 200, 1000, 70_000, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER][rand(8)],
    balance: rand(2 ** 47) * 2 + rand(2),
    receivedAt: 1_795_000_000_000 + rand(1_000_000),
    duplicate: rand(2) === 1,
    receipt: {
      v: 1,
      player: crypto.randomBytes(16).toString('hex'),
      size: 1 + rand(5000),
      index: rand(5000),
      path: new Uint8Array(crypto.randomBytes(32 * rand(14))),
      signature: new Uint8Array(crypto.randomBytes(64)),
    },
    ...over,
  };
}

/** What client.send('bet:accepted', r) puts on the wire. */
const colyseusFrame = (r: unknown) => Buffer.from(getMessageBytes.raw(Protocol.ROOM_DATA, 'bet:accepted', r));

t.test('the frame equals Colyseus’ own, byte for byte, over many replies', async (t) => {
  let same = 0;
  const runs = 2000;
  for (let i = 0; i < runs; i++) {
    const r = reply();
    const frame = acceptedFrame(r);
    if (frame && frame.equals(colyseusFrame(r))) same++;
    else t.fail(`differs for ${JSON.stringify({ ...r, receipt: undefined })}`);
  }
  t.equal(same, runs);
});

/** A leaf version 2 receipt, its keys in draw/receiptWire.ts's order. */
function replyV2(over: Partial<AcceptedReply> = {}): AcceptedReply {
  const r = reply(over);
  const { v, player, size, index, path, signature } = r.receipt!;
  const betType = ['straight', 'box', 'straight_box', 'standard'][rand(4)];
  const stakeMinor = [50, 100, 200, 500, 1000, 70_000, 2 ** 32][rand(7)];
  return { ...r, receipt: { v, leafVersion: 2, player, betType, stakeMinor, size, index, path, signature } };
}

t.test('leaf version 2 receipts: the frame equals Colyseus’ own, byte for byte', async (t) => {
  let same = 0;
  const runs = 2000;
  for (let i = 0; i < runs; i++) {
    const r = replyV2();
    const frame = acceptedFrame(r);
    if (frame && frame.equals(colyseusFrame(r))) same++;
    else t.fail(`differs for ${JSON.stringify({ ...r, receipt: { ...r.receipt, path: undefined, signature: undefined } })}`);
  }
  t.equal(same, runs);
  const odd = replyV2();
  t.equal(acceptedFrame({ ...odd, receipt: { ...odd.receipt!, betType: 'é' } as AcceptedReply['receipt'] }), null, 'a non-ASCII bet type goes the generic way');
});

t.test('a client decodes the reply it was sent', async (t) => {
  const r = reply({ lines: [[3, 14, 15, 26, 35, 49]], cost: 200 });
  const frame = acceptedFrame(r)!;
  const header = colyseusFrame(undefined).length;
  const decoded = unpack(frame.subarray(header));
  t.same(decoded, { ...r, receipt: { ...r.receipt, path: Buffer.from(r.receipt!.path), signature: Buffer.from(r.receipt!.signature) } });
});

t.test('frames do not share memory: the writer is reused', async (t) => {
  const a = reply();
  const first = acceptedFrame(a)!;
  const copy = Buffer.from(first);
  acceptedFrame(reply());
  t.ok(first.equals(copy), 'an earlier frame is unchanged by the next');
});

t.test('a reply of an unusual shape is left to the generic encoder', async (t) => {
  const cases: [string, Partial<AcceptedReply>][] = [
    ['no receipt', { receipt: undefined }],
    ['a non-ASCII request id', { requestId: 'é' }],
    ['a negative number', { balance: -1 }],
    ['a fraction', { cost: 1.5 }],
    ['an unsafe integer', { receivedAt: 2 ** 53 }],
    ['a line that is not an array', { lines: [1 as any] }],
    ['a number that is a string', { lines: [['1' as any]] }],
    ['a path that is not bytes', { receipt: { ...reply().receipt!, path: 'ab' as any } }],
    ['a very long string', { ticketId: 'T'.repeat(300) }],
  ];
  for (const [name, over] of cases) t.equal(acceptedFrame(reply(over)), null, name);
  t.ok(acceptedFrame(reply()), 'and the usual shape still encodes after them');
});
