// Which failures are `format` (draw/README.md §7, "Field ranges"; §3, ticket records; §7,
// times): a value outside its field's range, or an index not below the size it indexes,
// fails `format`; what needs a hash, signature or other document fails its named check.
import t from 'tap';
import { verifyDrawProof, verifyInclusionProof, verifyReceipt, type Check } from '../draw/verify.ts';
import { exampleDraw } from './fixtures/draw/example.ts';

const draw = exampleDraw();
const failing = (checks: Check[]) => checks.filter((c) => !c.ok && !c.detail.startsWith('not checked')).map((c) => c.name);
const formatDetail = (checks: Check[]) => checks.find((c) => c.name === 'format')?.detail ?? '';

function edited<T>(doc: T, edit: (copy: any) => void): T {
  const copy = structuredClone(doc);
  edit(copy);
  return copy;
}

t.test('receipts: batch size beyond 65,536 and index ≥ size are format; a wrong path length is batch inclusion', async (t) => {
  const r = draw.receipts[0];
  const cases: [string, (x: any) => void, string[], RegExp?][] = [
    ['size 65,537', (x) => (x.batch.size = 65_537), ['format'], /batch\.size must be an integer from 1 to 65536/],
    ['size 0', (x) => (x.batch.size = 0), ['format'], /batch\.size/],
    ['index = size', (x) => (x.batch.index = x.batch.size), ['format'], /batch\.index must be an integer from 0 to/],
    ['index -0', (x) => (x.batch.index = -0), r.batch.index === 0 ? ['format'] : ['format'], /got -0/],
    ['65 path nodes', (x) => (x.batch.path = Array(65).fill(x.batch.path[0])), ['format'], /batch\.path must have 0 to 64/],
    ['one path node too few', (x) => x.batch.path.pop(), ['batch inclusion']],
    ['size 65,536 (in range, wrong)', (x) => (x.batch.size = 65_536), ['batch inclusion', 'signature']],
  ];
  for (const [what, edit, expected, detail] of cases) {
    const checks = verifyReceipt(edited(r, edit));
    t.same(failing(checks), expected, what);
    if (detail) t.match(formatDetail(checks), detail, `${what}: detail`);
  }
});

t.test('inclusion proofs: tree size beyond 2^25 and leafIndex ≥ treeSize are format', async (t) => {
  const p = draw.inclusion;
  const cases: [string, (x: any) => void, string[], RegExp?][] = [
    ['treeSize 2^25 + 1', (x) => (x.treeSize = 2 ** 25 + 1), ['format'], /treeSize must be an integer from 1 to 33554432/],
    ['leafIndex = treeSize', (x) => (x.leafIndex = x.treeSize), ['format'], /leafIndex must be an integer from 0 to/],
    ['treeSize 2^25 (in range, wrong)', (x) => (x.treeSize = 2 ** 25), ['inclusion']],
  ];
  for (const [what, edit, expected, detail] of cases) {
    const checks = verifyInclusionProof(edited(p, edit));
    t.same(failing(checks), expected, what);
    if (detail) t.match(formatDetail(checks), detail, `${what}: detail`);
  }
});

t.test('draw proofs: tickets.count beyond 2^25, -0 and out-of-range values are format', async (t) => {
  const cases: [string, (x: any) => void, RegExp][] = [
    ['tickets.count 2^25 + 1', (x) => (x.tickets.count = 2 ** 25 + 1), /tickets\.count must be an integer from 0 to 33554432/],
    ['stake -0', (x) => (x.tickets.stakeTotalMinor = -0), /got -0/],
    ['a number 2^32', (x) => (x.numbers[0][0] = 2 ** 32), /numbers\[0\]\[0\]/],
    ['beacon value 1,025 bytes', (x) => (x.reveals.beacon = { ...x.commitments.beacon, value: 'ab'.repeat(1025) }), /reveals\.beacon\.value must be 1 to 1024 bytes/],
    ['drum count above the balls', (x) => (x.drums[0].count = 50), /drums\[0\]\.count/],
  ];
  for (const [what, edit, detail] of cases) {
    const checks = verifyDrawProof(edited(draw.proof, edit));
    t.same(failing(checks), ['format'], what);
    t.match(formatDetail(checks), detail, `${what}: detail`);
  }
  t.same(failing(verifyDrawProof(edited(draw.proof, (x) => x.numbers.push([1])))), ['numbers', 'signature'], 'numbers of the wrong shape: numbers, not format');
});

t.test('ticket records: T<serial> ids and 32-hex pseudonyms, in every document', async (t) => {
  const badIds = ['T0', 'T01', 't1', 'T', 'T1 ', 'T9007199254740992', 'T12345678901234567', 'X1', 'T+1'];
  const goodIds = ['T1', 'T9007199254740991'];
  const badPlayers = ['', 'ab', '0123456789ABCDEF0123456789abcdef', '0123456789abcdef0123456789abcdef0', 'g123456789abcdef0123456789abcdef'];
  for (const ticketId of badIds) {
    t.same(failing(verifyReceipt(edited(draw.receipts[0], (x) => (x.ticket.ticketId = ticketId)))), ['format'], `receipt ticketId ${JSON.stringify(ticketId)}`);
    t.same(failing(verifyInclusionProof(edited(draw.inclusion, (x) => (x.ticket.ticketId = ticketId)))), ['format'], `inclusion ticketId ${JSON.stringify(ticketId)}`);
    const list = edited(draw.tickets, (x) => (x[0].ticketId = ticketId));
    t.same(failing(verifyDrawProof(draw.proof, { tickets: list })), ['tickets format'], `ticket list ticketId ${JSON.stringify(ticketId)}`);
  }
  for (const ticketId of goodIds) {
    t.notOk(failing(verifyReceipt(edited(draw.receipts[0], (x) => (x.ticket.ticketId = ticketId)))).includes('format'), `ticketId ${ticketId} is well-formed`);
  }
  for (const player of badPlayers) {
    t.same(failing(verifyReceipt(edited(draw.receipts[0], (x) => (x.ticket.player = player)))), ['format'], `player ${JSON.stringify(player)}`);
  }
  const unsorted = edited(draw.receipts[0], (x) => x.ticket.lines[0].reverse());
  t.same(failing(verifyReceipt(unsorted)), ['batch inclusion'], 'an unsorted line is not a format error: it is another encoding');
});

t.test('times: exactly YYYY-MM-DDTHH:mm:ss.sssZ, years 0000–9999, real dates (the vectors of §7)', async (t) => {
  const accepted = ['2026-11-25T15:00:00.000Z', '0000-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z', '2024-02-29T12:00:00.000Z'];
  const refused = [
    '+010000-01-01T00:00:00.000Z',
    '-000001-01-01T00:00:00.000Z',
    '2023-02-29T00:00:00.000Z',
    '2026-11-25T24:00:00.000Z',
    '2026-11-25T15:00:60.000Z',
    '2026-11-25T15:00:00Z',
    '2026-11-25T15:00:00.000+00:00',
    '2026-11-25t15:00:00.000z',
    '2026-11-25 15:00:00.000Z',
    '2026-13-01T00:00:00.000Z',
  ];
  for (const time of accepted) {
    const checks = verifyDrawProof(edited(draw.proof, (x) => (x.schedule.openAt = time)));
    t.notOk(failing(checks).includes('format'), `${time} accepted`);
  }
  for (const time of refused) {
    const checks = verifyDrawProof(edited(draw.proof, (x) => (x.schedule.openAt = time)));
    t.same(failing(checks), ['format'], `${time} refused`);
    t.match(formatDetail(checks), /schedule\.openAt must be an ISO-8601 UTC time/);
  }
});
