// draw/json.ts — the strict JSON reader for proofs, receipts, inclusion proofs and ticket
// lists (draw/README.md §7, "Reading JSON").
//
// JSON.parse accepts what verifiers in other languages read differently: duplicate keys
// (first or last wins?), 25.0 and 2.5e1 (an integer or not?), -0, integers beyond 2^53 (
// silently rounded), a byte-order mark. A document one verifier reads as A and another as
// B is a document two honest verifiers can disagree on, so every such form is refused.
import { describe } from './bytes.ts';

/** Nesting allowed: the deepest document (a ticket list) is 4 levels deep. */
export const JSON_DEPTH_MAX = 64;

const INTEGER = /-?(?:0|[1-9][0-9]*)/y;
const NUMBER_TAIL = /[.eE]/y;
const WHITESPACE = /[ \t\n\r]*/y;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const LONE_SURROGATE = /(?:[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF])/u;

export class StrictJsonError extends Error {}

/**
 * The value of one JSON text (UTF-8 bytes or an already decoded string), or a
 * StrictJsonError naming the rule broken and where. Objects come back with a null
 * prototype, so a key "__proto__" is an ordinary field.
 */
export function parseStrictJson(input: Uint8Array | string): unknown {
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(input);
    } catch {
      throw new StrictJsonError('not valid UTF-8');
    }
  }
  if (text.startsWith('\uFEFF')) throw new StrictJsonError('a byte-order mark is not allowed');
  const reader = new Reader(text);
  reader.skipSpace();
  const value = reader.value(0);
  reader.skipSpace();
  if (reader.at < text.length) reader.fail('unexpected text after the value');
  return value;
}

class Reader {
  at = 0;
  constructor(readonly text: string) {}

  fail(why: string): never {
    throw new StrictJsonError(`${why} at character ${this.at}`);
  }

  skipSpace(): void {
    WHITESPACE.lastIndex = this.at;
    WHITESPACE.test(this.text);
    this.at = WHITESPACE.lastIndex;
  }

  value(depth: number): unknown {
    if (depth >= JSON_DEPTH_MAX) this.fail(`nested deeper than ${JSON_DEPTH_MAX}`);
    const c = this.text[this.at];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length;
        return v;
      }
    }
    return this.integer();
  }

  integer(): number {
    INTEGER.lastIndex = this.at;
    const m = INTEGER.exec(this.text);
    if (m === null) this.fail('expected a value');
    NUMBER_TAIL.lastIndex = this.at + m[0].length;
    if (NUMBER_TAIL.test(this.text)) this.fail('numbers must be integers without fraction or exponent');
    if (m[0] === '-0') this.fail('-0 is not allowed');
    const n = Number(m[0]);
    if (!Number.isSafeInteger(n)) this.fail(`${m[0].slice(0, 30)} is beyond the safe integers (±(2^53 − 1))`);
    this.at += m[0].length;
    return n;
  }

  string(): string {
    let out = '';
    const start = this.at++;
    for (;;) {
      const c = this.text[this.at++];
      if (c === undefined) this.fail('unterminated string');
      if (c === '"') break;
      if (c < ' ') this.fail('a control character must be escaped in a string');
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.text[this.at++];
      if (e === 'u') {
        const hex = this.text.slice(this.at, this.at + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('\\u needs four hex digits');
        out += String.fromCharCode(parseInt(hex, 16));
        this.at += 4;
      } else if (e !== undefined && Object.prototype.hasOwnProperty.call(ESCAPES, e)) out += ESCAPES[e];
      else this.fail(`unknown escape \\${e ?? ''}`);
    }
    if (LONE_SURROGATE.test(out)) {
      this.at = start;
      this.fail('a string must be well-formed Unicode (lone surrogate)');
    }
    return out;
  }

  array(depth: number): unknown[] {
    const out: unknown[] = [];
    this.at++;
    this.skipSpace();
    if (this.text[this.at] === ']') {
      this.at++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      out.push(this.value(depth + 1));
      this.skipSpace();
      const c = this.text[this.at++];
      if (c === ']') return out;
      if (c !== ',') this.fail('expected , or ]');
    }
  }

  object(depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = Object.create(null);
    this.at++;
    this.skipSpace();
    if (this.text[this.at] === '}') {
      this.at++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.at] !== '"') this.fail('expected a string key');
      const keyAt = this.at;
      const key = this.string();
      if (Object.prototype.hasOwnProperty.call(out, key)) {
        this.at = keyAt;
        this.fail(`duplicate key ${describe(key)}`);
      }
      this.skipSpace();
      if (this.text[this.at++] !== ':') this.fail('expected :');
      this.skipSpace();
      out[key] = this.value(depth + 1);
      this.skipSpace();
      const c = this.text[this.at++];
      if (c === '}') return out;
      if (c !== ',') this.fail('expected , or }');
    }
  }
}
