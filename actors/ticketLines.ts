// actors/ticketLines.ts — a ticket's lines from the text PostgreSQL gives for its jsonb
// column, without building new arrays per ticket: the seal of a million tickets
// (actors/DrawRunner.ts) spent as long collecting the garbage of JSON.parse and per-ticket
// objects as encoding them.
//
// jsonb's text output of an array of arrays of integers is canonical: `[[1, 2, 3], [4, 5]]`
// (", " between elements, no other spaces, integers without sign, exponent or leading
// zero). That exact form is read here digit by digit into arrays kept from one ticket to
// the next; any other text (a decimal, a negative number, a nested value, five digits and
// more) goes to JSON.parse, so the result is always what JSON.parse would give: the leaf
// is encoded by draw/encoding.ts from the same numbers either way.

/** Numbers of more digits than this are left to JSON.parse (a line number is a u16). */
const DIGITS_MAX = 5;
const OPEN = 0x5b; // [
const CLOSE = 0x5d; // ]
const COMMA = 0x2c;
const SPACE = 0x20;
const ZERO = 0x30;
const NINE = 0x39;

/** Reusable arrays for one ticket's lines at a time; `read` returns a view valid until its next call. */
export class LinesReader {
  private readonly pool: number[][] = [];
  private readonly view: number[][] = [];
  /** How many texts were not in the canonical form and went to JSON.parse (for tests and logs). */
  fallbacks = 0;

  /** The lines of `text` (jsonb's output of a ticket's lines), as JSON.parse(text) would give them. */
  read(text: string): unknown {
    const count = this.readCanonical(text);
    if (count < 0) {
      this.fallbacks++;
      return JSON.parse(text);
    }
    this.view.length = count;
    for (let i = 0; i < count; i++) this.view[i] = this.pool[i];
    return this.view;
  }

  /** The number of lines read into the pool, or -1 when `text` is not in the canonical form. */
  private readCanonical(text: string): number {
    const end = text.length;
    if (end < 4 || text.charCodeAt(0) !== OPEN || text.charCodeAt(end - 1) !== CLOSE) return -1;
    let at = 1;
    let lines = 0;
    for (;;) {
      if (text.charCodeAt(at) !== OPEN) return -1;
      const line = this.pool[lines] ?? (this.pool[lines] = []);
      at = this.readLine(text, at + 1, line);
      if (at < 0) return -1;
      lines++;
      const c = text.charCodeAt(at);
      if (c === CLOSE) return at === end - 1 ? lines : -1;
      if (c !== COMMA || text.charCodeAt(at + 1) !== SPACE) return -1;
      at += 2;
    }
  }

  /** Reads `1, 2, 3]` from `at` into `line`; returns the index after `]`, or -1. */
  private readLine(text: string, at: number, line: number[]): number {
    let n = 0;
    if (text.charCodeAt(at) === CLOSE) {
      line.length = 0;
      return at + 1;
    }
    for (;;) {
      const first = text.charCodeAt(at);
      if (first < ZERO || first > NINE) return -1;
      let value = 0;
      let digits = 0;
      for (let c = first; c >= ZERO && c <= NINE; c = text.charCodeAt(at)) {
        value = value * 10 + (c - ZERO);
        digits++;
        at++;
      }
      if (digits > DIGITS_MAX || (digits > 1 && first === ZERO)) return -1;
      line[n++] = value;
      const c = text.charCodeAt(at);
      if (c === CLOSE) {
        line.length = n;
        return at + 1;
      }
      if (c !== COMMA || text.charCodeAt(at + 1) !== SPACE) return -1;
      at += 2;
    }
  }
}
