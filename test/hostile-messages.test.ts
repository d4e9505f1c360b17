// Whatever a client puts in a message, the server answers it once and keeps serving.
// Bets arrive as msgpack, which decodes to more than JSON can say: BigInt (uint64/int64,
// the 0x42 extension), NaN and Infinity, Dates, Sets, Errors, RegExps, typed arrays and
// buffers (extension types), strings with NUL or lone surrogates, nesting as deep as
// 4 KiB allows. Each malformed bet must get exactly one bet:rejected with BAD_MESSAGE or
// INVALID_SELECTION, and frames that are not the protocol, or not msgpack, must neither
// crash the process nor hang the connection.
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import t from 'tap';
import { parseBet } from '../rooms/betMessage.ts';
import { lotto649 } from '../games/lotto649.ts';
import { checkLedger, linePricesOf } from '../ledger/invariants.ts';
import { allGames } from '../games/index.ts';
import { MESSAGE_BYTES_MAX } from '../core/limits.ts';
import { until } from './support/wait.ts';
import { newPlayer, openDraw, PlayerConnection, roomDataFrame, startTestServer, type BetReply, type TestServer } from './support/harness.ts';

/** Encodes what JSON cannot: BigInt of any size (extension 0x42), NaN, typed arrays... */
const packr = new Packr({ useRecords: false, useBigIntExtension: true } as any);
const MALFORMED = ['BAD_MESSAGE', 'INVALID_SELECTION'];

let ts: TestServer;
let drawId: string;
let token: string;

t.before(async () => {
  ts = await startTestServer({ env: { BET_RATE_PER_SECOND: '1000', BET_RATE_BURST: '1000' } });
  drawId = (await openDraw(ts.pool)).publicId;
  token = (await newPlayer(ts.httpUrl, 1_000_000)).token;
});
t.afterEach(async () => {
  t.same((await checkLedger(ts.pool, linePricesOf(allGames()))).violations, [], 'ledger invariants hold');
});
t.teardown(() => ts.close());

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const str = (s: string) => {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([Buffer.from([0xa0 | b.length]), b]);
};
/** {requestId: <id>, lines: [<raw msgpack value>]} with the raw bytes spliced in. */
const betWithLine = (id: string, rawLine: Buffer) => Buffer.concat([hex('82'), str('requestId'), str(id), str('lines'), hex('91'), rawLine]);
const betWithNumber = (id: string, rawNumber: Buffer) => betWithLine(id, Buffer.concat([hex('96'), rawNumber, hex('0203040506')]));

/** Each payload is a `bet` message's msgpack bytes; each must be answered once, as malformed. */
const hostile: [string, Buffer][] = [
  ['uint64 in a line', betWithNumber('h-u64', hex('cf 0000000100000000'))],
  ['int64 in a line', betWithNumber('h-i64', hex('d3 8000000000000000'))],
  ['BigInt extension in a line', betWithNumber('h-bigext', hex('d5 42 0105'))],
  ['uint64 quickPick', Buffer.concat([hex('82'), str('requestId'), str('h-qp64'), str('quickPick'), hex('cf 0000000000000002')])],
  ['uint64 requestId', Buffer.concat([hex('82'), str('requestId'), hex('cf ffffffffffffffff'), str('quickPick'), hex('01')])],
  ['NaN in a line', betWithNumber('h-nan', hex('cb 7ff8000000000000'))],
  ['Infinity in a line', betWithNumber('h-inf', hex('cb 7ff0000000000000'))],
  ['-Infinity quickPick', Buffer.concat([hex('82'), str('requestId'), str('h-ninf'), str('quickPick'), hex('cb fff0000000000000')])],
  ['NaN quickPick', Buffer.concat([hex('82'), str('requestId'), str('h-nanqp'), str('quickPick'), hex('cb 7ff8000000000000')])],
  ['a Date in a line', betWithNumber('h-date', hex('d6 ff 00000001'))],
  ['a Set as lines', Buffer.concat([hex('82'), str('requestId'), str('h-set'), str('lines'), hex('d4 73 00 91 01')])],
  ['an Error in a line', betWithNumber('h-err', Buffer.concat([hex('d4 65 00'), hex('93'), str('TypeError'), str('x'), hex('c0')]))],
  ['a RegExp in a line', betWithNumber('h-re', Buffer.concat([hex('d4 78 00 92'), str('a+'), str('g')]))],
  ['a typed array as a line', betWithLine('h-typed', hex('c7 07 74 01 010203040506'))],
  ['a buffer as a line', betWithLine('h-bin', hex('c4 06 010203040506'))],
  ['a map with a numeric key', Buffer.concat([hex('83'), str('requestId'), str('h-numkey'), str('quickPick'), hex('01 01 01')])],
  ['a __proto__ key', Buffer.concat([hex('83'), str('requestId'), str('h-proto'), str('quickPick'), hex('01'), str('__proto__'), hex('81'), str('x'), hex('01')])],
  ['NUL in requestId', packr.pack({ requestId: 'h-nul\u0000', quickPick: 1 })],
  ['a lone surrogate in requestId', packr.pack({ requestId: 'h-sur\ud800', quickPick: 1 })],
  ['invalid UTF-8 in requestId', Buffer.concat([hex('82'), str('requestId'), hex('a4 ed a0 80 41'), str('quickPick'), hex('01')])],
  ['a requestId of 4000 characters', packr.pack({ requestId: 'x'.repeat(3_900), quickPick: 1 })],
  ['3000 lines', packr.pack({ requestId: 'h-many', lines: new Array(3_000).fill(0) })],
  ['a line of 3000 numbers', packr.pack({ requestId: 'h-long', lines: [new Array(3_000).fill(1)] })],
  ['lines nested 3000 deep', Buffer.concat([hex('82'), str('requestId'), str('h-deep'), str('lines'), Buffer.alloc(3_000, 0x91), hex('01')])],
  ['a line element nested 3000 deep', betWithNumber('h-deep2', Buffer.concat([Buffer.alloc(3_000, 0x91), hex('01')]))],
  ['a map nested 1000 deep', Buffer.concat([hex('82'), str('requestId'), str('h-deepmap'), str('lines'), Buffer.concat(Array.from({ length: 1_000 }, () => Buffer.concat([hex('81'), str('a')]))), hex('01')])],
  ['nil', hex('c0')],
  ['a bare BigInt', hex('cf ffffffffffffffff')],
  ['a Date', hex('d6 ff 00000001')],
  ['a Set', hex('d4 73 00 90')],
  ['no payload at all', Buffer.alloc(0)],
];

async function freshConnection(): Promise<PlayerConnection> {
  return PlayerConnection.join(ts.wsUrl, token, drawId);
}

/** Sends frames one by one, each followed by nothing; then waits for `n` replies or fails. */
async function repliesTo(conn: PlayerConnection, n: number): Promise<BetReply[]> {
  await conn.waitForReplies(n, 5_000);
  await until(() => false, 100); // anything more would be a second reply
  return conn.replies;
}

t.test('each hostile bet gets exactly one bet:rejected with BAD_MESSAGE or INVALID_SELECTION', async (t) => {
  const conn = await freshConnection();
  let closed: number | undefined;
  conn.room.onLeave((code: number) => (closed = code));
  for (const [, payload] of hostile) {
    t.ok(payload.length < MESSAGE_BYTES_MAX - 16, 'fits in one message');
    conn.sendRaw(roomDataFrame('bet', payload));
  }
  conn.sendRaw(roomDataFrame('no-such-type', packr.pack({ requestId: 'h-type' })));
  conn.sendRaw(Buffer.concat([hex('0d 07'), packr.pack({ requestId: 'h-numtype' })])); // numeric message type 7
  const expected = hostile.length + 2;
  const replies = await repliesTo(conn, expected).catch(() => conn.replies);
  const names = [...hostile.map(([name]) => name), 'an unknown string type', 'an unknown numeric type'];
  t.equal(closed, undefined, 'the connection stays open');
  t.equal(replies.length, expected, `one reply per message (${replies.length} for ${expected})`);
  for (let i = 0; i < names.length; i++) {
    const r = replies[i];
    t.ok(r && r.type === 'bet:rejected' && MALFORMED.includes(r.code), `${names[i]}: ${r ? `${r.type} ${r.code}` : 'no reply'}`);
  }
  t.same(replies.slice(hostile.length).map((r) => r.requestId), ['h-type', 'h-numtype'], 'an unknown type is answered with its requestId');
  const ok = await conn.bet({ requestId: 'h-after', quickPick: 1 });
  t.equal(ok.type, 'bet:accepted', 'and the connection still takes bets');
  const { rows } = await ts.pool.query(`select request_id from tickets where request_id like 'h-%'`);
  t.same(rows.map((r) => r.request_id), ['h-after'], 'nothing malformed was written');
  await conn.leave();
});

/** Any msgpack value, JSON's and beyond, small enough to stay within one message. */
const anyValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { maxDepth: 4 },
    fc.bigInt(),
    fc.double(),
    fc.integer(),
    fc.string({ maxLength: 12 }),
    fc.constantFrom(null, true, false, Number.NaN, Infinity, -Infinity, new Date(0), new Uint8Array([1, 2])),
    fc.array(tie('value'), { maxLength: 8 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 4 }),
  ),
})).value;
const nearlyANumber = fc.oneof({ arbitrary: fc.integer({ min: 1, max: 49 }), weight: 4 }, { arbitrary: anyValue, weight: 1 });
const nearlyALine = fc.oneof(
  { arbitrary: fc.array(nearlyANumber, { minLength: 6, maxLength: 6 }), weight: 3 },
  { arbitrary: fc.array(nearlyANumber, { maxLength: 8 }), weight: 1 },
);
const anyBet = fc.record(
  {
    requestId: fc.oneof(fc.stringMatching(/^[a-z0-9]{1,12}$/).map((s) => `fc-${s}`), anyValue),
    // Mostly lines of six that are nearly right, so the odd value is met where a number is checked.
    lines: fc.oneof(anyValue, fc.array(nearlyALine, { minLength: 1, maxLength: 3 })),
    quickPick: anyValue,
    extra: anyValue,
  },
  { requiredKeys: [] },
);

t.test('property: any msgpack value sent as a bet gets exactly one reply, and nothing malformed is written', async (t) => {
  const conn = await freshConnection();
  const sent: unknown[] = [];
  await fc.assert(
    fc.asyncProperty(fc.oneof(anyBet, anyValue), async (bet) => {
      let payload: Buffer;
      try {
        payload = packr.pack(bet);
      } catch {
        return; // not encodable: nothing to send
      }
      if (payload.length > MESSAGE_BYTES_MAX - 64) return;
      const before = conn.replies.length;
      conn.sendRaw(roomDataFrame('bet', payload));
      sent.push(bet);
      await conn.waitForReplies(before + 1, 5_000);
      const reply = conn.replies[before];
      if (reply.type === 'bet:rejected' && !MALFORMED.includes(reply.code)) throw new Error(`unexpected code ${reply.code}`);
    }),
    { numRuns: 300 },
  );
  await until(() => false, 200);
  t.equal(conn.replies.length, sent.length, `exactly one reply for each of ${sent.length} messages`);
  const accepted = conn.replies.filter((r) => r.type === 'bet:accepted');
  const { rows } = await ts.pool.query(`select count(*)::int as n from tickets where request_id like 'fc-%'`);
  t.ok(rows[0].n <= accepted.length, `only well-formed bets were written (${rows[0].n} tickets, ${accepted.length} acknowledgements, repeats included)`);
  await conn.leave();
});

t.test('the pure check never throws on any value (10,000 runs)', async (t) => {
  fc.assert(
    fc.property(fc.oneof(anyBet, anyValue), (bet) => {
      const parsed = parseBet(bet);
      if (parsed.ok && parsed.quickPick === undefined) lotto649.validateLines(parsed.lines);
    }),
    { numRuns: 10_000 },
  );
  t.pass('parseBet and validateLines returned for every value');
});

t.test('frames that are not the protocol or not msgpack neither crash the server nor hang a connection', async (t) => {
  let conn = await freshConnection();
  let closes = 0;
  let survived = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.uint8Array({ minLength: 0, maxLength: 64 }),
        fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => Buffer.concat([Buffer.from([13]), b])), // ROOM_DATA + garbage
        fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => Buffer.concat([roomDataFrame('bet'), b])), // bet + garbage msgpack
        fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => Buffer.concat([Buffer.from([21]), b])), // ROOM_REQUEST + garbage
      ),
      async (frame) => {
        const left = new Promise<'closed'>((resolve) => conn.room.onLeave(() => resolve('closed')));
        conn.sendRaw(frame);
        const outcome = await Promise.race([
          conn.bet({ requestId: `probe-${survived + closes}`, quickPick: 1 }).then(() => 'answered' as const),
          left,
          new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 3_000)),
        ]);
        if (outcome === 'hung') throw new Error(`no answer and no close after frame ${Buffer.from(frame).toString('hex')}`);
        if (outcome === 'answered') {
          survived++;
          return;
        }
        closes++;
        conn = await freshConnection();
      },
    ),
    { numRuns: 120 },
  );
  t.comment(`${survived} frames left the connection working, ${closes} closed it`);
  const other = await freshConnection();
  t.equal((await other.bet({ requestId: 'after-garbage', quickPick: 1 })).type, 'bet:accepted', 'the server still serves');
  await other.leave();
  await conn.leave();
});
