import { isUtf8 } from 'node:buffer';
import type { Lsn } from '../../shared/lsn';
import { ProtocolError } from './protocol-error';

/**
 * A bounds-checked big-endian cursor over one message. Every read checks the remaining length
 * first and throws a ProtocolError naming the message, field, LSN and offset; nothing indexes
 * past the end. Strings are validated as UTF-8 (the server encoding WALscope requires on the
 * wire is UTF-8; anything else is reported, not silently replaced).
 */
export class ByteReader {
  offset: number;
  private readonly end: number;

  constructor(
    readonly buf: Buffer,
    readonly messageName: string,
    readonly lsn?: Lsn,
    start = 0,
    end = buf.length,
    private readonly errorCode: 'PROTOCOL' | 'DECODE' = 'DECODE',
  ) {
    this.offset = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  fail(field: string, reason: string, offset = this.offset): never {
    throw new ProtocolError(
      {
        message: this.messageName,
        field,
        offset,
        reason,
        ...(this.lsn !== undefined ? { lsn: this.lsn } : {}),
      },
      this.errorCode,
    );
  }

  private need(n: number, field: string): void {
    if (this.end - this.offset < n) this.fail(field, `needs ${n} bytes, ${this.end - this.offset} left`);
  }

  u8(field: string): number {
    this.need(1, field);
    return this.buf[this.offset++]!;
  }

  i16(field: string): number {
    this.need(2, field);
    const v = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  u16(field: string): number {
    this.need(2, field);
    const v = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  i32(field: string): number {
    this.need(4, field);
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  u32(field: string): number {
    this.need(4, field);
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  u64(field: string): bigint {
    this.need(8, field);
    const v = this.buf.readBigUInt64BE(this.offset);
    this.offset += 8;
    return v;
  }

  i64(field: string): bigint {
    this.need(8, field);
    const v = this.buf.readBigInt64BE(this.offset);
    this.offset += 8;
    return v;
  }

  /** A NUL-terminated UTF-8 string. */
  cstring(field: string): string {
    const start = this.offset;
    const nul = this.buf.indexOf(0, start);
    if (nul < 0 || nul >= this.end) this.fail(field, 'string has no NUL terminator before the end of the message');
    const s = this.utf8(start, nul, field);
    this.offset = nul + 1;
    return s;
  }

  /** `n` bytes decoded as UTF-8. */
  text(n: number, field: string): string {
    this.lengthOk(n, field);
    const start = this.offset;
    const s = this.utf8(start, start + n, field);
    this.offset += n;
    return s;
  }

  /** Checks that `n` bytes of well-formed UTF-8 follow and steps over them (the value is read later). */
  skipText(n: number, field: string): void {
    this.lengthOk(n, field);
    const start = this.offset;
    const buf = this.buf;
    const end = start + n;
    for (let i = start; i < end; i++) {
      if (buf[i]! >= 0x80) {
        if (!isUtf8(buf.subarray(start, end))) this.fail(field, 'invalid UTF-8', start);
        break;
      }
    }
    this.offset = end;
  }

  /** Steps over `n` bytes. */
  skip(n: number, field: string): void {
    this.lengthOk(n, field);
    this.offset += n;
  }

  /** A view of `n` bytes (shares memory with the message: copy it if it must outlive the read). */
  bytes(n: number, field: string): Buffer {
    this.lengthOk(n, field);
    const b = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return b;
  }

  /** Everything left. */
  rest(): Buffer {
    const b = this.buf.subarray(this.offset, this.end);
    this.offset = this.end;
    return b;
  }

  /** Rejects trailing bytes where the format says the message ends. */
  expectEnd(): void {
    if (this.offset !== this.end) this.fail('end of message', `${this.end - this.offset} unexpected trailing bytes`);
  }

  private lengthOk(n: number, field: string): void {
    if (!Number.isInteger(n) || n < 0) this.fail(field, `invalid length ${n}`);
    this.need(n, field);
  }

  private utf8(start: number, end: number, field: string): string {
    // Pure ASCII is the common case and always valid; only scan with isUtf8 when a high byte shows up.
    const buf = this.buf;
    for (let i = start; i < end; i++) {
      if (buf[i]! >= 0x80) {
        if (!isUtf8(buf.subarray(start, end))) this.fail(field, 'invalid UTF-8', start);
        break;
      }
    }
    return buf.toString('utf8', start, end);
  }
}
