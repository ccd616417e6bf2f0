/**
 * Builds pgoutput messages byte by byte, for golden tests and property tests. Kept deliberately
 * naive (one push per field) so it is an independent reading of the format, not a copy of the
 * decoder. https://www.postgresql.org/docs/current/protocol-logicalrep-message-formats.html
 */
export class FrameBuilder {
  private parts: Buffer[] = [];

  byte(c: string | number): this {
    this.parts.push(Buffer.from([typeof c === 'string' ? c.charCodeAt(0) : c]));
    return this;
  }
  int16(n: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(n);
    this.parts.push(b);
    return this;
  }
  int32(n: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n >>> 0);
    this.parts.push(b);
    return this;
  }
  int64(n: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt.asIntN(64, n));
    this.parts.push(b);
    return this;
  }
  cstring(s: string): this {
    this.parts.push(Buffer.from(s, 'utf8'), Buffer.from([0]));
    return this;
  }
  raw(b: Buffer): this {
    this.parts.push(b);
    return this;
  }
  /** TupleData from values: string → 't', null → 'n', undefined → 'u' (unchanged TOAST). */
  tuple(values: (string | null | undefined)[]): this {
    this.int16(values.length);
    for (const v of values) {
      if (v === null) this.byte('n');
      else if (v === undefined) this.byte('u');
      else {
        const b = Buffer.from(v, 'utf8');
        this.byte('t').int32(b.length).raw(b);
      }
    }
    return this;
  }
  build(): Buffer {
    return Buffer.concat(this.parts);
  }
}

export const frame = (): FrameBuilder => new FrameBuilder();

export function relationFrame(
  id: number,
  schema: string,
  table: string,
  columns: { name: string; key?: boolean; typeOid?: number }[],
  streamXid?: number,
): Buffer {
  const f = frame().byte('R');
  if (streamXid !== undefined) f.int32(streamXid);
  f.int32(id).cstring(schema).cstring(table).byte('d').int16(columns.length);
  for (const c of columns)
    f.byte(c.key ? 1 : 0)
      .cstring(c.name)
      .int32(c.typeOid ?? 25)
      .int32(-1);
  return f.build();
}
