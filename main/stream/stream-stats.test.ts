import { describe, expect, it } from 'vitest';
import { newProgress } from './stream-progress';
import { StreamStatsMeter } from './stream-stats';

describe('StreamStatsMeter', () => {
  it('reports positions, lag behind the WAL end, heartbeat age and per-second rates', () => {
    const m = new StreamStatsMeter();
    const p = newProgress();
    p.received = 0x100n;
    p.serverWalEnd = 0x180n;
    p.lastKeepaliveAtMs = 500;
    const first = m.sample(p, 0, 1000);
    expect(first).toMatchObject({
      receivedLsn: '0/100',
      serverWalEnd: '0/180',
      bytesBehind: 128,
      lastKeepaliveAgeMs: 500,
      messagesPerSec: 0,
    });
    p.messages = 2000;
    p.bytes = 1_000_000;
    const second = m.sample(p, 7, 3000);
    expect(second.messagesPerSec).toBe(1000);
    expect(second.bytesPerSec).toBe(500_000);
    expect(second.droppedInView).toBe(7);
    expect(second.confirmedLsn).toBe('0/0');
  });
});
