import { describe, expect, it } from 'vitest';
import { Wal2JsonDecoder } from '../decoders/wal2json';
import type { CopyBothChannel } from './copy-both-channel';
import { CopyBothRunner } from './copy-both-runner';
import { ResumeFilter } from './resume-filter';
import { newProgress } from './stream-progress';

/** A CopyBoth channel that records what is sent and lets the test push server frames. */
function fakeChannel(): { channel: CopyBothChannel; push(payload: Buffer): void; sent: Buffer[] } {
  let handler: ((p: Buffer) => void) | undefined;
  let ended: () => void = () => undefined;
  const sent: Buffer[] = [];
  const channel = {
    done: new Promise<void>((resolve) => (ended = resolve)),
    onData: (h: (p: Buffer) => void) => (handler = h),
    send: (b: Buffer) => sent.push(b),
    end: () => ended(), // the server answers CopyDone by ending the command
    pause: () => undefined,
    resume: () => undefined,
    isPaused: false,
  } as unknown as CopyBothChannel;
  return { channel, push: (p) => handler!(p), sent };
}

/** An XLogData frame ('w', walStart, walEnd, sendTime, data). */
function xlogData(walStart: bigint, data: string): Buffer {
  const b = Buffer.alloc(25);
  b[0] = 0x77;
  b.writeBigUInt64BE(walStart, 1);
  b.writeBigUInt64BE(walStart, 9);
  b.writeBigUInt64BE(0n, 17);
  return Buffer.concat([b, Buffer.from(data)]);
}

function run(mode: 'inspect' | 'consume') {
  const { channel, push, sent } = fakeChannel();
  const progress = newProgress();
  const handed: unknown[] = [];
  const runner = new CopyBothRunner({
    channel,
    decoder: new Wal2JsonDecoder(),
    filter: new ResumeFilter(),
    progress,
    mode,
    walSenderTimeoutMs: 60_000,
    sink: { message: (m) => void handed.push(m) },
    onSilence: () => undefined,
  });
  const done = runner.run();
  return { push, sent, progress, handed, stop: () => (runner.stop(), done) };
}

describe('wal2json through the runner', () => {
  it('a format-version 1 document (one per transaction) advances the handed-on position to its LSN', async () => {
    const r = run('consume');
    r.push(xlogData(0x1000n, JSON.stringify({ xid: 7, change: [{ kind: 'insert', table: 't' }] })));
    expect(r.handed).toHaveLength(1);
    expect(r.progress.handedOn).toBe(0x1000n);
    r.push(xlogData(0x2000n, JSON.stringify({ xid: 8, change: [] })));
    expect(r.progress.handedOn).toBe(0x2000n);
    await r.stop();
    // Consume mode confirms it: the last status update's flush field (bytes 9..16) is that position.
    expect(r.sent.at(-1)!.readBigUInt64BE(9)).toBe(0x2000n);
  });

  it('format version 2: only the "C" action ends a transaction', async () => {
    const r = run('inspect');
    r.push(xlogData(0x100n, JSON.stringify({ action: 'B', xid: 9 })));
    r.push(xlogData(0x180n, JSON.stringify({ action: 'I', xid: 9, table: 't', columns: [] })));
    expect(r.progress.handedOn).toBe(0n);
    r.push(xlogData(0x200n, JSON.stringify({ action: 'C', xid: 9 })));
    expect(r.progress.handedOn).toBe(0x200n);
    await r.stop();
  });
});
