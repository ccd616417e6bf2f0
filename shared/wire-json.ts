/**
 * Parses the JSON text of a message (`messageJson`, a wire row's `json`) back into the wire object
 * form. `JSON.parse` cannot be used for the row images: a JS object moves integer-like keys ahead
 * of the others, so `new`/`old`/`key` at the top level are read in text order into a `Tuple`.
 * Other objects become plain objects (a `__proto__` key stays an own property). Decision 0009.
 */
import type { WireMessage } from './contract/dto';
import type { Tuple, TupleValue } from './messages';

const TUPLE_KEYS = new Set(['new', 'old', 'key']);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

class JsonText {
  pos = 0;
  constructor(private readonly s: string) {}

  fail(what: string): never {
    throw new SyntaxError(`${what} at offset ${this.pos} of the message JSON`);
  }

  space(): void {
    for (;;) {
      const c = this.s.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else return;
    }
  }

  /** The next non-space character, not consumed. */
  peek(): string {
    this.space();
    return this.s[this.pos] ?? '';
  }

  take(ch: string): void {
    if (this.peek() !== ch) this.fail(`expected ${JSON.stringify(ch)}`);
    this.pos++;
  }

  string(): string {
    if (this.peek() !== '"') this.fail('expected a string');
    const start = this.pos;
    let escaped = false;
    for (let i = start + 1; i < this.s.length; i++) {
      const c = this.s.charCodeAt(i);
      if (c === 0x5c) {
        escaped = true;
        i++;
      } else if (c === 0x22) {
        this.pos = i + 1;
        // Escapes are rare: the engine's own decoder handles them where present.
        return escaped ? (JSON.parse(this.s.slice(start, i + 1)) as string) : this.s.slice(start + 1, i);
      }
    }
    return this.fail('unterminated string');
  }

  value(): unknown {
    const c = this.peek();
    if (c === '"') return this.string();
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    for (const [word, v] of [
      ['null', null],
      ['true', true],
      ['false', false],
    ] as const) {
      if (this.s.startsWith(word, this.pos)) {
        this.pos += word.length;
        return v;
      }
    }
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.s);
    if (!m) return this.fail('unexpected character');
    this.pos += m[0].length;
    return Number(m[0]);
  }

  array(): unknown[] {
    this.take('[');
    const out: unknown[] = [];
    if (this.peek() === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      if (this.peek() !== ',') break;
      this.pos++;
    }
    this.take(']');
    return out;
  }

  /** `{…}` as `[key, value]` pairs in text order; `top` reads row images as tuples. */
  entries(top: boolean): [string, unknown][] {
    this.take('{');
    const out: [string, unknown][] = [];
    if (this.peek() === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      const key = this.string();
      this.take(':');
      out.push([key, top && TUPLE_KEYS.has(key) && this.peek() === '{' ? this.tuple() : this.value()]);
      if (this.peek() !== ',') break;
      this.pos++;
    }
    this.take('}');
    return out;
  }

  object(top = false): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of this.entries(top)) {
      // Assignment to `__proto__` would set the prototype instead of adding the key.
      Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }

  tuple(): Tuple {
    const pairs = this.entries(false);
    return { names: pairs.map(([n]) => n), values: pairs.map(([, v]) => v as TupleValue) };
  }
}

/** A message's JSON text as its wire object, row images as ordered `Tuple`s. Throws SyntaxError. */
export function parseMessageJson(text: string): WireMessage {
  const p = new JsonText(text);
  const m = p.object(true);
  if (p.peek() !== '') p.fail('trailing characters');
  return m as WireMessage;
}
