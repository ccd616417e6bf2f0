/**
 * A growable byte buffer that JSON text is written into directly: UTF-8 bytes from the wire are
 * escaped in place (no intermediate JS string), numbers and LSNs are written as digits. The
 * escaping is exactly JSON.stringify's for well-formed text (`"` `\` and the controls below 0x20,
 * with the short forms \b \f \n \r \t and lower-case \u00xx otherwise); everything else, UTF-8
 * included, is copied as is. Text that can be ill-formed (lone surrogates) never comes here: the
 * wire bytes are checked as UTF-8 before they are written, JS strings go through JSON.stringify.
 */
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const HEX = '0123456789abcdef';
const HEX_UPPER = '0123456789ABCDEF';

/** What each byte below 0x80 becomes inside a JSON string: undefined means "copy as is". */
const ESCAPES: (Buffer | undefined)[] = [];
for (let c = 0; c < 0x80; c++) {
  if (c < 0x20 || c === QUOTE || c === BACKSLASH)
    ESCAPES[c] = Buffer.from(JSON.stringify(String.fromCharCode(c)).slice(1, -1));
}
/** 1 where a byte needs escaping, for the fast scan. */
const NEEDS_ESCAPE = new Uint8Array(256);
for (let c = 0; c < 0x80; c++) if (ESCAPES[c]) NEEDS_ESCAPE[c] = 1;

export class JsonBytes {
  buf: Buffer;
  pos = 0;

  constructor(private readonly initial = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** The bytes written so far; the buffer starts afresh (the returned view stays valid). */
  take(): Buffer {
    const out = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(Math.max(this.initial, 1024));
    this.pos = 0;
    return out;
  }

  /** The bytes written so far (valid until the next write after `reset`). */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** Starts over in the same buffer: the caller is done with what `view` returned. */
  reset(): void {
    this.pos = 0;
  }

  /** The bytes written so far as a string; the buffer is reused (or let go when one huge row grew it). */
  takeString(): string {
    const s = this.buf.toString('utf8', 0, this.pos);
    this.pos = 0;
    if (this.buf.length > 4 * Math.max(this.initial, 256 * 1024)) this.buf = Buffer.allocUnsafe(this.initial);
    return s;
  }

  /** A string known to be ASCII (keys, digits, prepared fragments). */
  ascii(s: string): void {
    const n = s.length;
    this.ensure(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** Any string, as UTF-8 (already JSON text, e.g. from JSON.stringify). */
  utf8(s: string): void {
    this.ensure(s.length * 3);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /** Prepared bytes (a fragment built once). */
  bytes(b: Buffer): void {
    const n = b.length;
    this.ensure(n);
    if (n < 32) {
      const buf = this.buf;
      let p = this.pos;
      for (let i = 0; i < n; i++) buf[p++] = b[i]!;
      this.pos = p;
    } else {
      b.copy(this.buf, this.pos);
      this.pos += n;
    }
  }

  byte(c: number): void {
    this.ensure(1);
    this.buf[this.pos++] = c;
  }

  /** A non-negative integer below 2^53. */
  uint(n: number): void {
    if (n < 0 || n > 0xffff_ffff || n !== Math.floor(n)) {
      this.ascii(String(n));
      return;
    }
    this.ensure(10);
    const buf = this.buf;
    let digits = 1;
    for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
    let p = this.pos + digits;
    this.pos = p;
    let x = n;
    do {
      buf[--p] = 0x30 + (x % 10);
      x = Math.floor(x / 10);
    } while (x > 0);
  }

  /** `"X/X"`: an LSN as the server prints it (upper-case hex, unpadded halves), quoted. */
  lsn(v: bigint): void {
    // Number(v) is exact below 2^53 (8 PiB of WAL) and allocates nothing, unlike bigint shifts.
    const n = Number(v);
    const exact = n <= Number.MAX_SAFE_INTEGER && n >= 0;
    const hi = exact ? Math.floor(n / 0x1_0000_0000) : Number(v >> 32n);
    const lo = exact ? n - hi * 0x1_0000_0000 : Number(v & 0xffff_ffffn);
    this.ensure(20);
    this.buf[this.pos++] = QUOTE;
    this.hex32(hi);
    this.buf[this.pos++] = 0x2f; // '/'
    this.hex32(lo);
    this.buf[this.pos++] = QUOTE;
  }

  private hex32(n: number): void {
    let shift = 28;
    while (shift > 0 && ((n >>> shift) & 0xf) === 0) shift -= 4;
    const buf = this.buf;
    for (; shift >= 0; shift -= 4) buf[this.pos++] = HEX_UPPER.charCodeAt((n >>> shift) & 0xf);
  }

  /** `src[start, end)` as lower-case hex, unquoted. */
  hex(src: Buffer, start: number, end: number): void {
    this.ensure((end - start) * 2);
    const buf = this.buf;
    let p = this.pos;
    for (let i = start; i < end; i++) {
      const b = src[i]!;
      buf[p++] = HEX.charCodeAt(b >> 4);
      buf[p++] = HEX.charCodeAt(b & 0xf);
    }
    this.pos = p;
  }

  /** `src[start, end)`, well-formed UTF-8, as a quoted JSON string. */
  utf8String(src: Buffer, start: number, end: number): void {
    // Worst case every byte becomes \u00xx (6 bytes), plus the quotes.
    this.ensure((end - start) * 6 + 2);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = QUOTE;
    for (let i = start; i < end; i++) {
      const c = src[i]!;
      if (NEEDS_ESCAPE[c] === 0) buf[p++] = c;
      else {
        const e = ESCAPES[c]!;
        for (let j = 0; j < e.length; j++) buf[p++] = e[j]!;
      }
    }
    buf[p++] = QUOTE;
    this.pos = p;
  }
}
