import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { WalscopeError } from '../../shared/errors';
import { backoffDelayMs } from '../stream/backoff';
import { toWalscopeError } from '../stream/pg-errors';
import { APP_VERSION } from '../version';
import { parseArgs } from './args';
import { FLUSH_PACE_MS, NdjsonWriter } from './ndjson-writer';

describe('parseArgs', () => {
  const spec = { booleans: ['direct'], values: ['slot', 'option'] };
  it('takes --k v, --k=v, repeats and positionals', () => {
    const a = parseArgs(['NAME', '--slot', 's', '--option=a=1', '--option', 'b=2', '--direct'], spec);
    expect(a.positionals).toEqual(['NAME']);
    expect(a.flags.get('slot')).toEqual(['s']);
    expect(a.flags.get('option')).toEqual(['a=1', 'b=2']);
    expect(a.flags.get('direct')).toEqual(['true']);
  });
  it('rejects unknown flags and missing values', () => {
    expect(() => parseArgs(['--slott', 'x'], spec)).toThrow(/unknown option --slott/);
    expect(() => parseArgs(['--slot'], spec)).toThrow(/needs a value/);
    expect(() => parseArgs(['--direct=1'], spec)).toThrow(/takes no value/);
  });
});

describe('NdjsonWriter', () => {
  it('batches lines, reports a full destination and resumes on drain', async () => {
    const out = new PassThrough({ highWaterMark: 16 });
    const writer = new NdjsonWriter(out, 32);
    let drained = 0;
    writer.onDrain = () => drained++;
    let accepted = true;
    for (let i = 0; i < 10; i++) accepted = writer.write({ i, pad: 'x'.repeat(10) }) && accepted;
    expect(accepted).toBe(false);
    const chunks: string[] = [];
    out.on('data', (d: Buffer) => chunks.push(d.toString()));
    await writer.close();
    await new Promise((r) => setImmediate(r));
    const lines = chunks.join('').trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { i: number }).i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(drained).toBeGreaterThan(0);
  });

  it('writes a line after a quiet spell on the next turn, then at most one write per FLUSH_PACE_MS', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setImmediate', 'performance'] });
    try {
      const writes: string[] = [];
      const out = new Writable({
        write(chunk: Buffer, _enc, done) {
          writes.push(chunk.toString());
          done();
        },
      });
      const writer = new NdjsonWriter(out);
      writer.write({ n: 1 });
      vi.advanceTimersToNextTimer(); // the immediate
      expect(writes).toEqual(['{"n":1}\n']);
      for (let n = 2; n <= 5; n++) {
        writer.write({ n });
        vi.advanceTimersByTime(0); // a turn of the event loop: the pace holds the lines back
      }
      expect(writes).toHaveLength(1);
      vi.advanceTimersByTime(FLUSH_PACE_MS);
      expect(writes).toEqual(['{"n":1}\n', '{"n":2}\n{"n":3}\n{"n":4}\n{"n":5}\n']);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('toWalscopeError', () => {
  it('maps SQLSTATEs and socket errors to stable codes with hints', () => {
    const pgErr = Object.assign(new Error('replication slot "x" already exists'), { code: '42710' });
    expect(toWalscopeError(pgErr).code).toBe('SLOT_EXISTS');
    const inUse = Object.assign(new Error('replication slot "x" is active for PID 42'), { code: '55006' });
    expect(toWalscopeError(inUse).code).toBe('SLOT_IN_USE');
    const wal = Object.assign(new Error('logical decoding requires "wal_level" >= "logical"'), { code: '55000' });
    const w = toWalscopeError(wal);
    expect(w.code).toBe('WAL_LEVEL');
    expect(w.hint).toMatch(/wal_level = logical/);
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(toWalscopeError(refused).code).toBe('CONNECTION');
    expect(toWalscopeError(new Error('Connection terminated unexpectedly')).code).toBe('CONNECTION');
    const auth = Object.assign(new Error('password authentication failed for user "u"'), { code: '28P01' });
    expect(toWalscopeError(auth)).toMatchObject({ code: 'AUTH', sqlstate: '28P01' });
    const same = new WalscopeError({ code: 'DECODE', message: 'x' });
    expect(toWalscopeError(same)).toBe(same);
  });
});

describe('backoff', () => {
  it('grows exponentially with jitter inside [exp/2, exp] and caps', () => {
    const p = { initialMs: 100, maxMs: 1000, maxAttempts: Infinity };
    expect(backoffDelayMs(p, 0, () => 0)).toBe(50);
    expect(backoffDelayMs(p, 0, () => 1)).toBe(100);
    expect(backoffDelayMs(p, 3, () => 1)).toBe(800);
    expect(backoffDelayMs(p, 30, () => 1)).toBe(1000);
    expect(backoffDelayMs(p, 30, () => 0)).toBe(500);
  });
});

describe('version', () => {
  it('matches package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(APP_VERSION).toBe(pkg.version);
  });
});
