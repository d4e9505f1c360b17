// The strict JSON reader of draw/README.md §7: one value per document, whoever reads it.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { JSON_DEPTH_MAX, parseStrictJson, StrictJsonError } from '../draw/json.ts';
import { FIXTURE_DIR } from './fixtures/draw/example.ts';

t.test('accepted: RFC 8259 with integers only', async (t) => {
  const cases: [string, unknown][] = [
    ['{"a":1}', { a: 1 }],
    [' \t\r\n[1, -2, 0, 9007199254740991, -9007199254740991] ', [1, -2, 0, 9007199254740991, -9007199254740991]],
    ['"\\u00e9\\ud83d\\ude00\\n\\/\\"\\\\"', 'é😀\n/"\\'],
    ['"é😀"', 'é😀'],
    ['[true,false,null,{},[]]', [true, false, null, {}, []]],
    ['{"__proto__":{"x":1}}', Object.assign(Object.create(null), { ['__proto__']: { x: 1 } })],
    ['['.repeat(JSON_DEPTH_MAX) + ']'.repeat(JSON_DEPTH_MAX), undefined],
  ];
  for (const [text, value] of cases) {
    const parsed = parseStrictJson(text);
    if (value !== undefined) t.same(parsed, value, text.slice(0, 40));
    t.same(parseStrictJson(new TextEncoder().encode(text)), parsed, `${text.slice(0, 40)}: from bytes`);
  }
  const proto = parseStrictJson('{"__proto__":{"x":1}}') as Record<string, unknown>;
  t.equal(Object.getPrototypeOf(proto), null, 'objects have no prototype');
  t.ok(Object.prototype.hasOwnProperty.call(proto, '__proto__'), '__proto__ is an ordinary field');
});

t.test('refused: every form two readers could read differently', async (t) => {
  const cases: [string | Uint8Array, RegExp][] = [
    ['\uFEFF{"a":1}', /byte-order mark/],
    [Uint8Array.of(0xef, 0xbb, 0xbf, 0x31), /byte-order mark/],
    [Uint8Array.of(0x22, 0xff, 0x22), /not valid UTF-8/],
    [Uint8Array.of(0x22, 0xed, 0xa0, 0x80, 0x22), /not valid UTF-8/], // an encoded surrogate
    ['25.0', /without fraction or exponent/],
    ['2.5e1', /without fraction or exponent/],
    ['1E2', /without fraction or exponent/],
    ['1e0', /without fraction or exponent/],
    ['-0', /-0 is not allowed/],
    ['[0,-0]', /-0 is not allowed/],
    ['01', /unexpected text after the value/],
    ['+1', /expected a value/],
    ['9007199254740992', /beyond the safe integers/],
    ['-9007199254740992', /beyond the safe integers/],
    ['{"a":1,"a":1}', /duplicate key "a"/],
    ['{"a":1,"\\u0061":2}', /duplicate key "a"/],
    ['"\\ud800"', /lone surrogate/],
    ['"\\udc00x"', /lone surrogate/],
    ['"a\u0001"', /control character/],
    ['"\\x41"', /unknown escape/],
    ['"\\u12"', /four hex digits/],
    ['[1,]', /expected a value/],
    ['{"a":1,}', /expected a string key/],
    ['NaN', /expected a value/],
    ["'a'", /expected a value/],
    ['[1] x', /unexpected text after the value/],
    ['\u00a01', /expected a value/],
    ['', /expected a value/],
    ['"abc', /unterminated string/],
    ['['.repeat(JSON_DEPTH_MAX + 1) + ']'.repeat(JSON_DEPTH_MAX + 1), /nested deeper than 64/],
  ];
  for (const [input, message] of cases) {
    const label = typeof input === 'string' ? JSON.stringify(input.slice(0, 30)) : `bytes ${Buffer.from(input).toString('hex')}`;
    t.throws(() => parseStrictJson(input), message, label);
    let thrown: unknown;
    try {
      parseStrictJson(input);
    } catch (err) {
      thrown = err;
    }
    t.ok(thrown instanceof StrictJsonError, `${label}: a StrictJsonError`);
  }
});

t.test('every committed example document reads the same as with JSON.parse', async (t) => {
  for (const name of ['proof.json', 'tickets.json', 'receipt.json', 'inclusion.json', 'ed25519-vectors.json']) {
    const bytes = fs.readFileSync(path.join(FIXTURE_DIR, name));
    t.same(parseStrictJson(bytes), JSON.parse(bytes.toString('utf8')), name);
  }
});
