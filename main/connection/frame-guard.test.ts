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
