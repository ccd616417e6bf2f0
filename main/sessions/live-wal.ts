import type { EventName, EventPayload, WalRow } from '../../shared/contract';
import { WalscopeError } from '../../shared/errors';
import { formatLsn, type Lsn } from '../../shared/lsn';
import type { WalRecordJson } from '../../shared/wal';
import { RawArena } from '../bridge/raw-arena';
import { StreamBatcher } from '../bridge/stream-batcher';
import type { WalscopeClientConfig } from '../connection';
import { openSqlClient } from '../monitor/sql-client';
import { toWalscopeError } from '../stream/pg-errors';
import { PhysicalStream, type WalServerInfo } from '../stream/physical-stream';
import type { WalsenderReserve } from '../stream/walsender-reserve';
import { RecordEnricher } from '../wal/record-enricher';
import { RelationNames } from '../wal/relation-names';
import { toWalRecordJson } from '../wal/wal-json';
import { decodeWalRecord } from '../wal/wal-record';
import { mergeWindows, WalStatsWindow, type WalWindowStats } from '../wal/wal-stats';

interface LiveWalOptions {
  startLsn?: Lsn;
  windowSeconds: number;
  walsenderReserve?: WalsenderReserve;
}

type WalState = (payload: Omit<EventPayload<'wal.state'>, 'sessionId' | 'walId'>) => void;

type Emit = <K extends EventName>(name: K, payload: EventPayload<K>) => void;

/** Seconds of per-second aggregates kept for the WAL tab's windows (the longest window). */
const HISTORY_SECONDS = 900;
/** Per second and per map: relations and transactions beyond this are folded away (the top stay). */
const KEYS_PER_SECOND = 300;

/**
 * The WAL tab's engine: a PhysicalStream (no slot) decoded and enriched with relation names, turned
 * into rows for the record list (batched, bounded, lossy for the view only), one-second aggregates
 * merged over the chosen window, and the last records' bytes for the detail pane.
 */
export class LiveWal {
  readonly started: Promise<WalServerInfo>;
  readonly done: Promise<void>;
  finished = false;
  private readonly stream: PhysicalStream;
  private readonly batcher: StreamBatcher<WalRow>;
  private readonly raw = new RawArena();
  private readonly positions = new Float64Array(this.raw.rows * 2);
  private readonly history: WalWindowStats[] = [];
  private current = new WalStatsWindow(KEYS_PER_SECOND);
  private secondStats = { bytes: 0, records: 0, fpiBytes: 0, checkpoints: 0, switches: 0 };
  private readonly timer: NodeJS.Timeout;
  private windowSeconds: number;
  private seq = 0;
  private info: WalServerInfo | undefined;
  private names: RelationNames | undefined;
  private enricher: RecordEnricher | undefined;
  private decoded: Lsn = 0n;
  private serverEnd: Lsn | null = null;

  constructor(
    sessionId: string,
    walId: string,
    config: WalscopeClientConfig,
    opts: LiveWalOptions,
    emit: Emit,
    ready?: () => boolean,
  ) {
    this.windowSeconds = opts.windowSeconds;
    this.batcher = new StreamBatcher<WalRow>(
      (rows, dropped) => emit('wal.batch', { sessionId, walId, rows, dropped }),
      5000,
      33,
      ready,
    );
    let resolveStarted!: (i: WalServerInfo) => void;
    let rejectStarted!: (e: WalscopeError) => void;
    this.started = new Promise((res, rej) => {
      resolveStarted = res;
      rejectStarted = rej;
    });
    this.started.catch(() => undefined);
    const state: WalState = (payload) => emit('wal.state', { sessionId, walId, ...payload });
    this.stream = this.openStream(config, opts, state, resolveStarted);
    this.timer = setInterval(() => this.tick(sessionId, walId, emit), 1000);
    this.done = this.run(config, state)
      .catch((e: unknown) => {
        const error = toWalscopeError(e);
        rejectStarted(error);
        state({ state: 'failed', error: error.toInfo() });
      })
      .finally(() => {
        this.finished = true;
        clearInterval(this.timer);
        this.batcher.close();
      });
  }

  /** The physical stream, its records going to the enricher once run() has made one. */
  private openStream(
    config: WalscopeClientConfig,
    opts: LiveWalOptions,
    state: WalState,
    started: (i: WalServerInfo) => void,
  ): PhysicalStream {
    return new PhysicalStream(
      {
        connection: config,
        ...(opts.startLsn !== undefined ? { startLsn: opts.startLsn } : {}),
        ...(opts.walsenderReserve !== undefined ? { walsenderReserve: opts.walsenderReserve } : {}),
      },
      {
        info: (i) => {
          this.info = i;
          started(i);
          state({ state: 'streaming' });
        },
        record: (r) => {
          this.decoded = r.endLsn;
          return this.enricher ? this.enricher.push(r) : true;
        },
        gap: (g) =>
          state({ state: 'streaming', gap: { from: formatLsn(g.from), to: formatLsn(g.to), reason: g.reason } }),
        serverEnd: (lsn) => {
          this.serverEnd = lsn;
        },
      },
    );
  }

  /** Streams until stopped, with a SQL connection for relation names alongside. */
  private async run(config: WalscopeClientConfig, state: WalState): Promise<void> {
    const sql = await openSqlClient(config);
    try {
      const db = await sql.query(`SELECT oid FROM pg_database WHERE datname = current_database()`);
      this.names = new RelationNames(async (q, p) => (await sql.query(q, p)).rows, Number(db.rows[0]?.oid));
      this.enricher = new RecordEnricher(
        this.names,
        (r) => this.onRecord(toWalRecordJson(r, this.info!.major, this.names), r.bytes, r.lsn, r.endLsn),
        () => void this.stream.stop(),
      );
      this.enricher.onIdle = () => this.stream.resume();
      await this.stream.run();
      state({ state: 'stopped' });
    } finally {
      await sql.end().catch(() => undefined);
    }
  }

  private onRecord(json: WalRecordJson, bytes: Buffer, lsn: Lsn, end: Lsn): void {
    const seq = this.seq++;
    this.raw.put(seq, bytes);
    const slot = (seq % this.raw.rows) * 2;
    this.positions[slot] = Number(lsn);
    this.positions[slot + 1] = Number(end);
    this.current.add(json);
    const s = this.secondStats;
    s.bytes += json.recordLength;
    s.records += 1;
    s.fpiBytes += json.fpiLength;
    if (json.rmgr === 'XLOG' && json.recordType.startsWith('CHECKPOINT')) s.checkpoints += 1;
    if (json.rmgr === 'XLOG' && json.recordType === 'SWITCH') s.switches += 1;
    const first = json.blocks[0];
    this.batcher.push({
      seq,
      lsn: json.lsn,
      rmgr: json.rmgr,
      recordType: json.recordType,
      length: json.recordLength,
      fpi: json.fpiLength,
      xid: json.toplevelXid ?? json.xid,
      relation: first ? (first.relation ?? `${first.tablespace}/${first.database}/${first.relfilenode}`) : '',
      description: json.description ?? '',
    });
  }

  private tick(sessionId: string, walId: string, emit: Emit): void {
    this.history.push(this.current.snapshot(KEYS_PER_SECOND));
    if (this.history.length > HISTORY_SECONDS) this.history.shift();
    this.current = new WalStatsWindow(KEYS_PER_SECOND);
    const second = { at: Date.now(), ...this.secondStats };
    this.secondStats = { bytes: 0, records: 0, fpiBytes: 0, checkpoints: 0, switches: 0 };
    const window = mergeWindows(this.history.slice(-this.windowSeconds));
    emit('wal.stats', {
      sessionId,
      walId,
      second,
      window: {
        seconds: this.windowSeconds,
        records: window.records,
        bytes: window.bytes,
        fpiBytes: window.fpiBytes,
        fpiRecords: window.fpiRecords,
        byRecordType: window.byRecordType,
        byRmgr: window.byRmgr,
        topRelations: window.topRelations,
        topTransactions: window.topTransactions,
        checkpoints: window.checkpoints.slice(-50),
        segmentSwitches: window.segmentSwitches.slice(-50),
      },
      decodedLsn: formatLsn(this.decoded),
      serverLsn: this.serverEnd !== null ? formatLsn(this.serverEnd) : null,
      behindBytes: this.serverEnd !== null && this.serverEnd > this.decoded ? Number(this.serverEnd - this.decoded) : 0,
      droppedInView: this.batcher.totalDropped,
    });
  }

  setWindow(seconds: number): void {
    this.windowSeconds = seconds;
  }

  /** One record in full, decoded again from the bytes main still holds. */
  record(seq: number): { record: WalRecordJson; hex: string } {
    const bytes = this.raw.get(seq);
    const slot = (seq % this.raw.rows) * 2;
    if (!bytes || !this.info) {
      throw new WalscopeError({
        code: 'INVALID_ARGUMENT',
        message: `record ${seq} is no longer held`,
        hint: 'WALscope keeps the bytes of the last 100,000 records (up to 16 MB); the list still shows it.',
      });
    }
    const framed = { lsn: BigInt(this.positions[slot]!), endLsn: BigInt(this.positions[slot + 1]!), bytes };
    const record = decodeWalRecord(framed, { major: this.info.major, blockSize: this.info.blockSize });
    return { record: toWalRecordJson(record, this.info.major, this.names), hex: bytes.toString('hex') };
  }

  async stop(): Promise<void> {
    await this.stream.stop();
    await this.done;
  }
}
