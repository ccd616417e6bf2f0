import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WalscopeError } from '../../shared/errors';
import { formatLsn, lsnDiff, parseLsn } from '../../shared/lsn';
import { formatPgMicros, PG_EPOCH_UNIX_MICROS, pgMicrosFromUnixMs, unixMsFromPgMicros } from '../../shared/pgtime';
import {
  parseCreateReplicationSlot,
  parseIdentifySystem,
  parseTimelineHistory,
  parseTimelineHistoryFile,
} from './command-results';
import {
  createReplicationSlotSql,
  dropReplicationSlotSql,
  quoteIdent,
  quoteLiteral,
  readReplicationSlotSql,
  startLogicalReplicationSql,
  startPhysicalReplicationSql,
  validateSlotName,
} from './commands';
import { parseLogicalCopyData, parseServerCopyData } from './copy-messages';
import { buildStandbyStatusUpdate, feedbackIntervalMs, parseStandbyStatusUpdate, statusFieldsFor } from './feedback';
import { ProtocolError } from './protocol-error';

/** CI runs a time-boxed pass; `npm run fuzz` a long one. */
const FUZZ_RUNS = Number(process.env['WALSCOPE_FUZZ_RUNS'] ?? 3000);

describe('LSN and PostgreSQL time', () => {
  it('formats like the server: upper-case hex, unpadded', () => {
    expect(formatLsn(0x16b3748n)).toBe('0/16B3748');
    expect(formatLsn((0xan << 32n) | 0xffn)).toBe('A/FF');
    expect(parseLsn('0/16b3748')).toBe(0x16b3748n);
    expect(lsnDiff(parseLsn('1/0'), parseLsn('0/FFFFFFFF'))).toBe(1n);
    expect(() => parseLsn('16B3748')).toThrow(/not an LSN/);
    expect(() => parseLsn('1/123456789')).toThrow(/not an LSN/);
  });
  it('round-trips every 64-bit position', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (n) => {
        expect(parseLsn(formatLsn(n))).toBe(n);
      }),
    );
  });
  it('uses 2000-01-01 as the epoch', () => {
    expect(PG_EPOCH_UNIX_MICROS).toBe(946_684_800n * 1_000_000n);
    expect(formatPgMicros(0n)).toBe('2000-01-01T00:00:00.000000Z');
    expect(formatPgMicros(1_500_001n)).toBe('2000-01-01T00:00:01.500001Z');
    expect(unixMsFromPgMicros(pgMicrosFromUnixMs(1_700_000_000_123))).toBe(1_700_000_000_123);
  });
});

describe('CopyData from the server', () => {
  it('parses XLogData and keepalives', () => {
    const w = Buffer.alloc(25 + 3);
    w[0] = 0x77;
    w.writeBigUInt64BE(0x10n, 1);
    w.writeBigUInt64BE(0x20n, 9);
    w.writeBigInt64BE(5n, 17);
    w.write('abc', 25);
    const x = parseServerCopyData(w);
    expect(x).toMatchObject({ kind: 'xlogdata', walStart: 0x10n, walEnd: 0x20n, sendTime: 5n });
    expect(x.kind === 'xlogdata' && x.data.toString()).toBe('abc');
    const k = Buffer.alloc(18);
    k[0] = 0x6b;
    k.writeBigUInt64BE(0x30n, 1);
    k.writeBigInt64BE(6n, 9);
    k[17] = 1;
    expect(parseServerCopyData(k)).toEqual({ kind: 'keepalive', walEnd: 0x30n, sendTime: 6n, replyRequested: true });
  });
  it('the logical hot path reads the same walStart and payload, and fails the same way', () => {
    // Both short frames and frames long enough for an XLogData header (fast-check favours short ones).
    const frames = fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ minLength: 25, maxLength: 64 }));
    fc.assert(
      fc.property(frames, fc.boolean(), (bytes, xlog) => {
        const b = Buffer.from(bytes);
        if (xlog && b.length > 0) b[0] = 0x77;
        let full: ReturnType<typeof parseServerCopyData> | Error;
        try {
          full = parseServerCopyData(b);
        } catch (e) {
          full = e as Error;
        }
        if (full instanceof Error) expect(() => parseLogicalCopyData(b)).toThrow(full.message);
        else if (full.kind === 'keepalive') expect(parseLogicalCopyData(b)).toEqual(full);
        else expect(parseLogicalCopyData(b)).toEqual({ kind: 'xlogdata', walStart: full.walStart, data: full.data });
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
  it('any bytes: a message or a ProtocolError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          parseServerCopyData(Buffer.from(bytes));
        } catch (e) {
          expect(e).toBeInstanceOf(ProtocolError);
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
    expect(() => parseServerCopyData(Buffer.from([0x77, 1, 2]))).toThrow(/XLogData header/);
    expect(() => parseServerCopyData(Buffer.from([0x68]))).toThrow(/unknown CopyData message 0x68/);
  });
});

describe('standby status updates', () => {
  it('writes each field at its offset, 34 bytes', () => {
    const b = buildStandbyStatusUpdate({ write: 0x0102n, flush: 0n, apply: 0n }, 0x0a0bn, true);
    expect(b.length).toBe(34);
    expect(b[0]).toBe(0x72);
    expect(b.readBigUInt64BE(1)).toBe(0x0102n);
    expect(b.readBigUInt64BE(9)).toBe(0n);
    expect(b.readBigUInt64BE(17)).toBe(0n);
    expect(b.readBigInt64BE(25)).toBe(0x0a0bn);
    expect(b[33]).toBe(1);
  });
  it('inspect never reports a flush position; consume reports what was handed on', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 63n }),
        fc.bigInt({ min: 0n, max: 2n ** 63n }),
        (received, handedOn) => {
          expect(statusFieldsFor('inspect', { received, handedOn })).toEqual({ write: received, flush: 0n, apply: 0n });
          expect(statusFieldsFor('consume', { received, handedOn })).toEqual({
            write: received,
            flush: handedOn,
            apply: handedOn,
          });
          const built = buildStandbyStatusUpdate({ write: received, flush: handedOn, apply: 0n }, 1n);
          expect(parseStandbyStatusUpdate(built)).toMatchObject({ write: received, flush: handedOn, apply: 0n });
        },
      ),
    );
  });
  it('replies well inside wal_sender_timeout', () => {
    expect(feedbackIntervalMs(60_000)).toBe(10_000);
    expect(feedbackIntervalMs(1_000)).toBe(500);
    expect(feedbackIntervalMs(0)).toBe(10_000);
    expect(feedbackIntervalMs(50)).toBe(100);
  });
});

describe('replication command SQL', () => {
  it('validates slot names before they reach SQL', () => {
    expect(validateSlotName('a_1')).toBe('a_1');
    for (const bad of ['', 'A', 'a-b', 'a b', 'x'.repeat(64), 'a";DROP']) {
      expect(() => validateSlotName(bad)).toThrow(WalscopeError);
    }
  });
  it('quotes identifiers and literals so nothing escapes', () => {
    const unquote = (q: string, c: string): string =>
      q
        .slice(1, -1)
        .split(c + c)
        .join(c);
    fc.assert(
      fc.property(
        fc.string().filter((s) => !s.includes('\0') && !s.includes('\\')),
        (s) => {
          const qi = quoteIdent(s);
          expect(qi.startsWith('"') && qi.endsWith('"')).toBe(true);
          expect(qi.slice(1, -1).replace(/""/g, '')).not.toContain('"');
          expect(unquote(qi, '"')).toBe(s);
          const ql = quoteLiteral(s);
          expect(ql.slice(1, -1).replace(/''/g, '')).not.toContain("'");
          expect(unquote(ql, "'")).toBe(s);
        },
      ),
    );
    expect(() => quoteLiteral('a\\b')).toThrow(/backslash/);
    expect(() => quoteIdent('a\0')).toThrow(/NUL/);
  });
  it.each([
    [
      180000,
      {
        name: 's',
        kind: 'logical',
        plugin: 'pgoutput',
        temporary: true,
        twoPhase: true,
        failover: true,
        snapshot: 'nothing',
      },
      `CREATE_REPLICATION_SLOT "s" TEMPORARY LOGICAL "pgoutput" (TWO_PHASE true, FAILOVER true, SNAPSHOT 'nothing')`,
    ],
    [
      150000,
      { name: 's', kind: 'logical', plugin: 'test_decoding' },
      `CREATE_REPLICATION_SLOT "s" LOGICAL "test_decoding"`,
    ],
    [
      150000,
      { name: 's', kind: 'physical', reserveWal: true },
      `CREATE_REPLICATION_SLOT "s" PHYSICAL (RESERVE_WAL true)`,
    ],
    [
      140000,
      { name: 's', kind: 'logical', plugin: 'pgoutput', twoPhase: true, temporary: true, snapshot: 'nothing' },
      // 14's replication grammar has no TWO_PHASE: the SQL function, its columns named as the command's.
      `SELECT slot_name::text AS slot_name, lsn::text AS consistent_point, NULL::text AS snapshot_name, ` +
        `'pgoutput'::text AS output_plugin FROM pg_create_logical_replication_slot('s', 'pgoutput', true, true)`,
    ],
    [
      140000,
      { name: 's', kind: 'logical', plugin: 'pgoutput', snapshot: 'nothing' },
      `CREATE_REPLICATION_SLOT "s" LOGICAL "pgoutput" NOEXPORT_SNAPSHOT`,
    ],
    [
      120000,
      { name: 's', kind: 'physical', reserveWal: true, temporary: true },
      `CREATE_REPLICATION_SLOT "s" TEMPORARY PHYSICAL RESERVE_WAL`,
    ],
  ] as const)('CREATE_REPLICATION_SLOT on %i', (version, options, sql) => {
    expect(createReplicationSlotSql({ ...options }, version)).toBe(sql);
  });
  it('refuses what the server version lacks', () => {
    expect(() => createReplicationSlotSql({ name: 's', kind: 'logical', plugin: 'p', failover: true }, 160000)).toThrow(
      /17/,
    );
    expect(() => createReplicationSlotSql({ name: 's', kind: 'logical', plugin: 'p', twoPhase: true }, 130000)).toThrow(
      /14/,
    );
    expect(() =>
      createReplicationSlotSql({ name: 's', kind: 'logical', plugin: 'p', twoPhase: true, snapshot: 'export' }, 140000),
    ).toThrow(/snapshot/);
    expect(() => readReplicationSlotSql('s', 140000)).toThrow(/15/);
    expect(() => createReplicationSlotSql({ name: 's', kind: 'logical', plugin: 'Bad' }, 180000)).toThrow(/plugin/);
  });
  it('START_REPLICATION and DROP', () => {
    expect(startLogicalReplicationSql('s', 0x16b3748n, { proto_version: '4', publication_names: `"a","b'c"` })).toBe(
      `START_REPLICATION SLOT "s" LOGICAL 0/16B3748 ("proto_version" '4', "publication_names" '"a","b''c"')`,
    );
    expect(() => startLogicalReplicationSql('s', 0n, { 'bad name)': 'x' })).toThrow(/option name/);
    expect(startPhysicalReplicationSql('p', 0x1000000n, 2)).toBe(
      'START_REPLICATION SLOT "p" PHYSICAL 0/1000000 TIMELINE 2',
    );
    expect(startPhysicalReplicationSql(undefined, 0n)).toBe('START_REPLICATION PHYSICAL 0/0');
    expect(dropReplicationSlotSql('s', true)).toBe('DROP_REPLICATION_SLOT "s" WAIT');
  });
});

describe('command results', () => {
  it('parses results and rejects wrong shapes', () => {
    expect(parseIdentifySystem({ fields: [], rows: [['7', '1', '0/16B3748', 'db']] })).toEqual({
      systemId: '7',
      timeline: 1,
      xlogpos: 0x16b3748n,
      dbname: 'db',
    });
    expect(() => parseIdentifySystem({ fields: [], rows: [] })).toThrow(ProtocolError);
    expect(() => parseIdentifySystem({ fields: [], rows: [['7', 'x', '0/1', null]] })).toThrow(/timeline/);
    expect(parseCreateReplicationSlot({ fields: [], rows: [['s', '0/1', null, 'pgoutput']] })).toMatchObject({
      consistentPoint: 1n,
      snapshotName: null,
    });
    const hex = '\\x' + Buffer.from('1\t0/3000000\tno recovery target specified\n').toString('hex');
    const h = parseTimelineHistory({ fields: [], rows: [['00000002.history', hex]] });
    expect(parseTimelineHistoryFile(h.content)).toEqual([
      { timeline: 1, switchLsn: 0x3000000n, reason: 'no recovery target specified' },
    ]);
  });
});
