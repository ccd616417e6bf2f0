/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum PostgreSQL stores in every
 * WAL record's xl_crc (src/include/port/pg_crc32c.h). Slicing-by-8 tables: the live decoder checks
 * every record, so this runs over every WAL byte.
 */
const POLY = 0x82f63b78;
const TABLES: Uint32Array[] = (() => {
  const t = Array.from({ length: 8 }, () => new Uint32Array(256));
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[0]![n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[0]![n]!;
    for (let s = 1; s < 8; s++) {
      c = (c >>> 8) ^ t[0]![c & 0xff]!;
      t[s]![n] = c >>> 0;
    }
  }
  return t;
})();

export const CRC32C_INIT = 0xffffffff;

/** Continues a running CRC over buf[start, end) (INIT_CRC32C / COMP_CRC32C). */
export function crc32cUpdate(crc: number, buf: Uint8Array, start = 0, end = buf.length): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES as [
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
  ];
  let c = crc >>> 0;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const a = c ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24));
    c =
      t7[a & 0xff]! ^
      t6[(a >>> 8) & 0xff]! ^
      t5[(a >>> 16) & 0xff]! ^
      t4[a >>> 24]! ^
      t3[buf[i + 4]!]! ^
      t2[buf[i + 5]!]! ^
      t1[buf[i + 6]!]! ^
      t0[buf[i + 7]!]!;
  }
  for (; i < end; i++) c = (c >>> 8) ^ t0[(c ^ buf[i]!) & 0xff]!;
  return c >>> 0;
}

/** FIN_CRC32C. */
export function crc32cFinish(crc: number): number {
  return (crc ^ 0xffffffff) >>> 0;
}

export function crc32c(buf: Uint8Array): number {
  return crc32cFinish(crc32cUpdate(CRC32C_INIT, buf));
}
