import type { Lsn } from '../../shared/lsn';

/**
 * Where a stream stands, kept across reconnects. `received` feeds the status update's write
 * field; `handedOn` (end of the last transaction handed downstream) is where a resumed stream
 * starts and, in consume mode only, what is confirmed as flushed.
 */
export interface StreamProgress {
  received: Lsn;
  handedOn: Lsn;
  /** Last flush position actually reported to the server (0 in inspect mode). */
  confirmed: Lsn;
  /** The server's WAL end from the last keepalive (to show how far behind we are). */
  serverWalEnd: Lsn;
  lastKeepaliveAtMs: number | undefined;
  lastDataAtMs: number | undefined;
  messages: number;
  bytes: number;
  reconnects: number;
}

export function newProgress(): StreamProgress {
  return {
    received: 0n,
    handedOn: 0n,
    confirmed: 0n,
    serverWalEnd: 0n,
    lastKeepaliveAtMs: undefined,
    lastDataAtMs: undefined,
    messages: 0,
    bytes: 0,
    reconnects: 0,
  };
}
