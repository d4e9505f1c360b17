// The seal reads each ticket's lines from jsonb's text with actors/ticketLines.ts instead of
// JSON.parse: the numbers must be exactly JSON.parse's for every text, canonical or not (or
// the seal's root would differ from the one a verifier computes from the published tickets),
// and the fast path must be the one taken for what PostgreSQL and PGlite actually send.
import t from 'tap';
import fc from 'fast-check';
import { LinesReader } from '../actors/ticketLines.ts';
import { startTestServer } from './support/harness.ts';

/** jsonb's text output of an array of arrays of integers. */
const jsonbText = (lines: number[][]) => `[${lines.map((l) => `[${l.join(', ')}]`).join(', ')}]`;
const linesArb = fc.array(fc.array(fc.oneof(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 200_000 })), { maxLength: 12 }), { minLength: 1, maxLength: 12 });

function readOrThrow(reader: LinesReader, text: string): unknown {
  try {
    return structuredClone(reader.read(text));
  } catch (err) {
    return { threw: (err as Error).name };
  }
}

function parseOrThrow(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    return { threw: (err as Error).name };
  }
}

t.test('lines read from canonical jsonb text are JSON.parse\'s, from arrays reused ticket after ticket', async (t) => {
  const reader = new LinesReader();
  fc.assert(
    fc.property(linesArb, linesArb, (a, b) => {
      const first = structuredClone(reader.read(jsonbText(a)));
      const second = structuredClone(reader.read(jsonbText(b)));
      return JSON.stringify(first) === JSON.stringify(JSON.parse(jsonbText(a))) && JSON.stringify(second) === JSON.stringify(b);
    }),
    { numRuns: 2_000 },
  );
});

t.test('any other text gives what JSON.parse gives, or throws as it does', async (t) => {
  const reader = new LinesReader();
  const texts = [
    '[[1,2,3]]', '[[1, 2, 3] ]', '[ [1, 2]]', '[[1, 2],[3]]', '[[1.0, 2]]', '[[1e2, 3]]', '[[-1, 2]]', '[[01, 2]]', '[[100000, 2]]',
    '[]', '[[]]', '[[], []]', '[[1, [2]]]', '[{"a": 1}]', '[[1, 2], 3]', '[["1", 2]]', '[[1, 2]', '[[1, 2]]]', '[[1, 2]] ', 'null', '[[1,  2]]', '[[65535, 0]]',
  ];
  for (const text of texts) t.same(readOrThrow(reader, text), parseOrThrow(text), text);
  fc.assert(
    fc.property(fc.jsonValue(), (v) => {
      const text = JSON.stringify(v);
      return JSON.stringify(readOrThrow(reader, text)) === JSON.stringify(parseOrThrow(text));
    }),
    { numRuns: 2_000 },
  );
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom('[', ']', ',', ' ', '0', '1', '7', '-', '.') }), (text) => JSON.stringify(readOrThrow(reader, text)) === JSON.stringify(parseOrThrow(text))),
    { numRuns: 5_000 },
  );
});

t.test("the database's own text of tickets' lines takes the fast path", async (t) => {
  const ts = await startTestServer();
  t.teardown(() => ts.close());
  const reader = new LinesReader();
  const samples = [[[1, 2, 3, 4, 5, 6]], [[7, 8, 9, 10, 11, 12], [13, 14, 15, 16, 17, 18]], [[0, 0, 9]], [[5, 20, 33, 41, 69], [26]], [[1], [2, 3], []], [[65535, 0, 10000]]];
  for (const lines of samples) {
    const { rows } = await ts.pool.query({ text: `select $1::jsonb as lines`, values: [JSON.stringify(lines)], types: { getTypeParser: () => (v: string) => v } });
    const text: string = rows[0].lines;
    t.same(structuredClone(reader.read(text)), lines, `${ts.databaseKind} sends ${text}`);
  }
  t.equal(reader.fallbacks, 0, 'none went to JSON.parse');
});
