/**
 * Reads a CopyBoth socket less often while the reader is ahead of the server.
 *
 * Why: a reader faster than the walsender wakes for every few messages (≈ 90,000 socket reads of
 * ~400 bytes for the 500,000 rows of `npm run bench`), and each wake-up pays a kernel read, a
 * window-update ACK that the loopback delivers on the reader's own core, libuv, Node's stream
 * machinery, the framing loop and the runner. The walsender sends every message as its own TCP
 * segment while its socket is writable, so the kernel's cost of a read grows with the segments
 * queued, and a read that takes few messages pays its fixed costs for few. After a chunk much
 * smaller than one socket read can hold, the reader is ahead: the pacer stops reading the socket
 * for HOLD_MS, so the kernel gathers what the server sends meanwhile and the next read takes it in
 * one chunk (≈ 20 KiB). A large chunk means the reader is behind: it keeps reading without a pause.
 * Measured (docs/BENCHMARKS.md, `npm run bench`): about a third less CPU per row for the CLI, wall
 * time unchanged within the spread (the walsender bounds it either way).
 *
 * Bounds: a message that arrives during a hold waits at most the hold (setTimeout of 1 ms, which
 * libuv's millisecond clock makes 1–2 ms on an idle loop). Nothing else waits: status updates are
 * sent by the runner's own interval timer, and a keepalive asking for a reply is answered as soon
 * as it is read, ≤ 2 ms late, far inside wal_sender_timeout. The first message after a quiet
 * spell is read at once (a hold starts only after a chunk was handled).
 *
 * Mechanism: `socket.pause()` does not stop reading (Node keeps reading into the stream's buffer
 * up to its high-water mark and then emits the buffered chunks one by one), so the hold stops the
 * handle itself (`readStop`/`readStart`, as net.Socket does for backpressure). The handle's
 * `reading` flag is left set, so net.Socket never restarts a held handle behind our back; the
 * pacer restarts it, once, when the hold ends. Backpressure stays the stream's pause(): a socket
 * paused by the sink stays paused when a hold ends (the hold is released on the sink's resume).
 * A socket whose handle lacks these (not a libuv stream) is simply never held, and neither is a TLS
 * socket: Node hands decrypted data on in pieces of at most 16 KiB, so the size of a chunk cannot
 * tell a reader that is ahead from one that is behind, and holding after each would throttle it.
 */

/** A chunk of at least this many bytes means the kernel had plenty queued: we are behind. Node
 * reads at most 64 KiB per read. */
export const BEHIND_CHUNK_BYTES = 32 * 1024;
/** How long a hold asks for; the added latency is at most this plus the clock's 1 ms. */
export const HOLD_MS = 1;

/** The libuv stream handle under a net.Socket or tls.TLSSocket (Node internals). */
interface ReadHandle {
  reading: boolean;
  readStop(): number;
  readStart(): number;
}

/** What the pacer needs of the socket: the stream-level pause/resume and its handle. */
export interface PacedSocket {
  pause(): unknown;
  resume(): unknown;
  readonly destroyed: boolean;
  /** True for a tls.TLSSocket: never held (see above). */
  readonly encrypted?: boolean;
  _handle?: unknown;
}

function readHandleOf(socket: PacedSocket): ReadHandle | undefined {
  const h = socket._handle as Partial<ReadHandle> | null | undefined;
  if (!h || typeof h.readStop !== 'function' || typeof h.readStart !== 'function') return undefined;
  if (typeof h.reading !== 'boolean') return undefined;
  return h as ReadHandle;
}

export class ReadPacer {
  private sinkPaused = false;
  private stopped = false;
  /** The handle this pacer stopped, until it restarts it. */
  private held: ReadHandle | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly socket: PacedSocket) {}

  /** Called after a chunk of `bytes` was handled: holds the next read if the chunk was small. */
  afterChunk(bytes: number): void {
    if (bytes >= BEHIND_CHUNK_BYTES || this.held || this.sinkPaused || this.stopped) return;
    if (this.socket.destroyed || this.socket.encrypted === true) return;
    const handle = readHandleOf(this.socket);
    // Not reading (net.Socket stopped it for its own backpressure): nothing to hold.
    if (!handle?.reading) return;
    handle.readStop();
    this.held = handle;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.sinkPaused) this.release();
    }, HOLD_MS);
  }

  /** Backpressure from the sink: the stream stops emitting until `resumeForSink`. */
  pauseForSink(): void {
    this.sinkPaused = true;
    this.socket.pause();
  }

  resumeForSink(): void {
    this.sinkPaused = false;
    // A hold whose time ran out while the sink was full ends now; a running one ends on its timer.
    if (this.timer === undefined) this.release();
    this.socket.resume();
  }

  /** The stream is ending: no more holds, and a held socket reads again (CopyDone's answer). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.release();
  }

  /** True while a hold keeps the socket from reading (for tests). */
  get holding(): boolean {
    return this.held !== undefined;
  }

  private release(): void {
    const handle = this.held;
    this.held = undefined;
    // A destroyed socket's handle is closed (or replaced); starting it again would be an error.
    if (!handle || this.socket.destroyed || readHandleOf(this.socket) !== handle) return;
    handle.readStart();
  }
}
