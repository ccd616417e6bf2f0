import type { StreamStats } from '../../shared/contract/dto';
import { formatLsn } from '../../shared/lsn';
import type { StreamProgress } from './stream-progress';

/**
 * Figures for our own stream: positions, how far behind the server's WAL end (from the last
 * keepalive) we are, heartbeat age and rates. Rates are computed between successive samples, so
 * sampling once a second gives per-second figures without keeping any history.
 */
export class StreamStatsMeter {
  private last: { at: number; messages: number; bytes: number } | undefined;

  sample(p: StreamProgress, droppedInView: number, now = Date.now()): StreamStats {
    const prev = this.last;
    const seconds = prev ? (now - prev.at) / 1000 : 0;
    const rate = (cur: number, before: number | undefined): number =>
      prev && seconds > 0 ? Math.max(0, (cur - (before ?? 0)) / seconds) : 0;
    const stats: StreamStats = {
      receivedLsn: formatLsn(p.received),
      handedOnLsn: formatLsn(p.handedOn),
      confirmedLsn: formatLsn(p.confirmed),
      serverWalEnd: formatLsn(p.serverWalEnd),
      bytesBehind: p.serverWalEnd > p.received ? Number(p.serverWalEnd - p.received) : 0,
      lastKeepaliveAgeMs: p.lastKeepaliveAtMs !== undefined ? now - p.lastKeepaliveAtMs : null,
      messages: p.messages,
      bytes: p.bytes,
      messagesPerSec: rate(p.messages, prev?.messages),
      bytesPerSec: rate(p.bytes, prev?.bytes),
      reconnects: p.reconnects,
      droppedInView,
    };
    this.last = { at: now, messages: p.messages, bytes: p.bytes };
    return stats;
  }
}
