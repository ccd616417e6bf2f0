import { describe, expect, it } from 'vitest';
import { FrameGuard, MAX_SHORT_MESSAGE } from './frame-guard';
import { message, startupDone } from './test-support/fake-server';

/** Feeds `bytes` split at `cut`; returns the first problem reported. */
function feedSplit(bytes: Buffer, cut: number): string | undefined {
  const guard = new FrameGuard();
  return guard.feed(bytes.subarray(0, cut)) ?? guard.feed(bytes.subarray(cut));
}

describe('FrameGuard (message lengths checked before pg waits for them)', () => {
  const valid = Buffer.concat([
    startupDone(),
    message('D', Buffer.alloc(MAX_SHORT_MESSAGE + 100)), // long types may exceed 30000 after start-up
    message('d', Buffer.alloc(3)),
    message('C', Buffer.from('SELECT 1\0')),
    message('Z', Buffer.from('I')),
  ]);

  it('accepts a valid conversation split at every offset', () => {
    for (let cut = 0; cut <= valid.length; cut++) expect(feedSplit(valid, cut)).toBeUndefined();
  });

  it('refuses a 2 GiB DataRow, a length below 4 and a short type over 30000, wherever the chunk ends', () => {
    const bad = [
      message('D', Buffer.alloc(0), 0x8000_0000),
      message('C', Buffer.alloc(0), 3),
      message('S', Buffer.alloc(0), MAX_SHORT_MESSAGE + 1),
    ];
    for (const b of bad) {
      const bytes = Buffer.concat([startupDone(), b]);
      for (let cut = 0; cut <= bytes.length; cut++) expect(feedSplit(bytes, cut)).toMatch(/announced \d+ bytes/);
    }
  });

  it('before ReadyForQuery even an ErrorResponse over 30000 bytes is refused (libpq: MAX_ERRLEN)', () => {
    expect(new FrameGuard().feed(message('E', Buffer.alloc(0), MAX_SHORT_MESSAGE + 1))).toMatch(/'E' announced/);
  });

  it('an SSH banner read as a header is refused', () => {
    expect(new FrameGuard().feed(Buffer.from('SSH-2.0-OpenSSH_9.6\r\n'))).toBe(
      "message type 'S' announced 1397239090 bytes",
    );
  });
});

/** What a guard diverting CopyData hands on: pg's byte stream, and each payload with how much of
 * pg's stream had been handed on when it came (so the order of the two is checked too). */
function route(chunks: Buffer[]): { pg: Buffer; payloads: { data: string; pgBytes: number }[] } {
  const pg: Buffer[] = [];
  let pgBytes = 0;
  const payloads: { data: string; pgBytes: number }[] = [];
  const guard = new FrameGuard((bytes) => {
    pg.push(Buffer.from(bytes));
    pgBytes += bytes.length;
  });
  guard.copyData = (payload) => payloads.push({ data: payload.toString('latin1'), pgBytes });
  for (const c of chunks) expect(guard.feed(c)).toBeUndefined();
  return { pg: Buffer.concat(pg), payloads };
}

describe('FrameGuard diverting CopyData (our CopyBoth framing)', () => {
  const before = Buffer.concat([startupDone(), message('W', Buffer.from([0, 0, 0]))]);
  const notice = message('N', Buffer.from('SWARNING\0Mslow\0\0'));
  const tail = Buffer.concat([
    message('c'),
    message('C', Buffer.from('START_REPLICATION\0')),
    message('Z', Buffer.from('I')),
  ]);
  const big = 'x'.repeat(2_000);
  const conversation = Buffer.concat([
    before,
    message('d', Buffer.from('w-first')),
    message('d'), // an empty CopyData
    message('d', Buffer.from(big)),
    notice,
    message('d', Buffer.from('k-last')),
    tail,
  ]);
  const expected = [
    { data: 'w-first', pgBytes: before.length },
    { data: '', pgBytes: before.length },
    { data: big, pgBytes: before.length },
    { data: 'k-last', pgBytes: before.length + notice.length },
  ];

  it('split at every offset: each payload once, in order, and pg gets every other message intact', () => {
    for (let cut = 0; cut <= conversation.length; cut++) {
      const r = route([conversation.subarray(0, cut), conversation.subarray(cut)]);
      expect(r.payloads).toEqual(expected);
      expect(r.pg.equals(Buffer.concat([before, notice, tail]))).toBe(true);
    }
  });

  it('split in three at every pair of offsets, and fed one byte at a time: the same as one chunk', () => {
    const small = Buffer.concat([
      before,
      message('d', Buffer.from('ab')),
      notice,
      message('d', Buffer.from('c')),
      tail,
    ]);
    const whole = route([small]);
    expect(whole.payloads.map((p) => p.data)).toEqual(['ab', 'c']);
    expect(route([...small].map((x) => Buffer.from([x])))).toEqual(whole);
    for (let i = 0; i <= small.length; i++) {
      for (let j = i; j <= small.length; j++) {
        expect(route([small.subarray(0, i), small.subarray(i, j), small.subarray(j)])).toEqual(whole);
      }
    }
  });

  it('an ErrorResponse in the middle of CopyData goes to pg whole, after the payloads before it', () => {
    const error = message('E', Buffer.from('SERROR\0C58P01\0Mrequested WAL segment has already been removed\0\0'));
    const bytes = Buffer.concat([before, message('d', Buffer.from('one')), error, message('Z', Buffer.from('I'))]);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const r = route([bytes.subarray(0, cut), bytes.subarray(cut)]);
      expect(r.payloads).toEqual([{ data: 'one', pgBytes: before.length }]);
      expect(r.pg.equals(Buffer.concat([before, error, message('Z', Buffer.from('I'))]))).toBe(true);
    }
  });

  it('a payload whole in its chunk is a view of the chunk, not a copy', () => {
    const chunk = Buffer.concat([message('d', Buffer.from('abc')), message('d', Buffer.from('de'))]);
    const seen: Buffer[] = [];
    const guard = new FrameGuard();
    guard.copyData = (p) => seen.push(p);
    guard.feed(chunk);
    expect(seen.map((p) => p.buffer === chunk.buffer)).toEqual([true, true]);
  });

  it('without copyData, CopyData goes to pg with the rest, as the same chunk', () => {
    const chunk = Buffer.concat([message('d', Buffer.from('abc')), message('C', Buffer.from('COPY 1\0'))]);
    const pg: Buffer[] = [];
    new FrameGuard((b) => pg.push(b)).feed(chunk);
    expect(pg).toEqual([chunk]);
    expect(pg[0]).toBe(chunk);
  });

  it('lengths are still checked on diverted CopyData', () => {
    const guard = new FrameGuard();
    guard.copyData = () => undefined;
    guard.feed(startupDone());
    expect(guard.feed(message('d', Buffer.alloc(0), 3))).toMatch(/'d' announced 3 bytes/);
    const other = new FrameGuard();
    other.copyData = () => undefined;
    expect(other.feed(message('d', Buffer.alloc(0), MAX_SHORT_MESSAGE + 1))).toMatch(/'d' announced/);
  });
});
