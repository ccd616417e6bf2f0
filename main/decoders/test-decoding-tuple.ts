import { UNCHANGED_TOAST, type Tuple, type TupleValue } from '../../shared/messages';

/**
 * test_decoding prints a tuple as `name[type]:value …`: names through quote_identifier, values
 * through the type's output function, quoted with '' escapes except numbers, booleans (printed
 * as true/false) and bit strings (B'…'); SQL NULL as `null`, unchanged TOAST as
 * `unchanged-toast-datum`. We turn values back into the server's text form, so they compare
 * equal to pgoutput's. See contrib/test_decoding/test_decoding.c (print_literal, tuple_to_stringinfo).
 */
export class TextCursor {
  pos = 0;
  constructor(readonly s: string) {}

  get done(): boolean {
    return this.pos >= this.s.length;
  }

  startsWith(prefix: string): boolean {
    return this.s.startsWith(prefix, this.pos);
  }

  expect(prefix: string): void {
    if (!this.startsWith(prefix)) throw new SyntaxError(`expected ${JSON.stringify(prefix)} at ${this.pos}`);
    this.pos += prefix.length;
  }

  skipSpaces(): void {
    while (this.s.charCodeAt(this.pos) === 0x20) this.pos++;
  }

  /** A quote_identifier() result: "…" with "" escapes, or bare up to one of `stops`. */
  identifier(stops: string): string {
    if (this.s[this.pos] === '"') {
      let out = '';
      this.pos++;
      for (;;) {
        const q = this.s.indexOf('"', this.pos);
        if (q < 0) throw new SyntaxError('unterminated quoted identifier');
        out += this.s.slice(this.pos, q);
        this.pos = q + 1;
        if (this.s[this.pos] === '"') {
          out += '"';
          this.pos++;
        } else return out;
      }
    }
    const start = this.pos;
    while (this.pos < this.s.length && !stops.includes(this.s[this.pos]!)) this.pos++;
    if (this.pos === start) throw new SyntaxError(`expected an identifier at ${start}`);
    return this.s.slice(start, this.pos);
  }

  /** A '…' literal with '' escapes. */
  quoted(): string {
    this.expect("'");
    let out = '';
    for (;;) {
      const q = this.s.indexOf("'", this.pos);
      if (q < 0) throw new SyntaxError('unterminated string literal');
      out += this.s.slice(this.pos, q);
      this.pos = q + 1;
      if (this.s[this.pos] === "'") {
        out += "'";
        this.pos++;
      } else return out;
    }
  }

  /** Up to the next space (or the end). */
  word(): string {
    const start = this.pos;
    const sp = this.s.indexOf(' ', start);
    this.pos = sp < 0 ? this.s.length : sp;
    return this.s.slice(start, this.pos);
  }
}

function value(c: TextCursor, typeName: string): TupleValue {
  if (c.startsWith("'")) return c.quoted();
  if (c.startsWith("B'")) {
    c.pos++;
    return c.quoted();
  }
  const w = c.word();
  if (w === 'null') return null;
  if (w === 'unchanged-toast-datum') return UNCHANGED_TOAST;
  if (typeName === 'boolean') {
    if (w === 'true') return 't';
    if (w === 'false') return 'f';
  }
  if (w === '') throw new SyntaxError(`missing value at ${c.pos}`);
  return w;
}

/**
 * Reads `name[type]:value` pairs until the end or a word that is not a column (e.g. `new-tuple:`),
 * in the order printed (the relation's column order).
 */
export function readTextTuple(c: TextCursor, stopWords: readonly string[] = []): Tuple {
  const names: string[] = [];
  const values: TupleValue[] = [];
  for (;;) {
    c.skipSpaces();
    if (c.done || stopWords.some((w) => c.startsWith(w))) return { names, values };
    const name = c.identifier('[');
    c.expect('[');
    const end = c.s.indexOf(']:', c.pos);
    if (end < 0) throw new SyntaxError(`unterminated type of column ${name}`);
    const typeName = c.s.slice(c.pos, end);
    c.pos = end + 2;
    names.push(name);
    values.push(value(c, typeName));
  }
}
