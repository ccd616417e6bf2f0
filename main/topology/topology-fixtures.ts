/** Monitor snapshots for the topology's unit tests: a server with only what each test sets. */
import type { ServerOverview, SlotView, StandbyView } from '../../shared/contract/dto';
import type { LogicalSnapshot, SubscriptionView, WalReceiver } from '../../shared/contract/logical';
import type { TopologyMember } from './graph';

export function overview(over: Partial<ServerOverview> = {}): ServerOverview {
  return {
    systemId: '7000000000000000001',
    timeline: 1,
    serverVersion: '18.0',
    serverVersionNum: 180000,
    walLevel: 'logical',
    currentLsn: '0/5000',
    inRecovery: false,
    maxSlotWalKeepSize: '-1',
    walSenderTimeout: '60s',
    synchronousStandbyNames: '',
    clusterName: '',
    database: 'app',
    user: 'dba',
    canReplicate: true,
    host: 'local socket',
    plugins: ['pgoutput'],
    publications: [],
    slotCount: 0,
    standbyCount: 0,
    ...over,
  };
}

export function logical(over: Partial<LogicalSnapshot> = {}): LogicalSnapshot {
  return {
    port: null,
    logicalDecodingWorkMem: '64MB',
    publications: [],
    decodingStats: [],
    subscriptions: [],
    copyProgress: [],
    walReceiver: null,
    slotConsumers: [],
    notes: [],
    ...over,
  };
}

export function slot(name: string, over: Partial<SlotView> = {}): SlotView {
  return {
    name,
    columns: {},
    slotType: 'physical',
    plugin: null,
    database: null,
    active: true,
    activePid: 100,
    consumer: null,
    temporary: false,
    restartLsn: '0/4000',
    confirmedFlushLsn: null,
    retainedBytes: 4096,
    pendingBytes: null,
    safeWalSize: null,
    walStatus: 'reserved',
    status: 'active',
    inactiveSinceMs: null,
    ownedByWalscope: false,
    ...over,
  };
}

export function walsender(applicationName: string, over: Partial<StandbyView> = {}): StandbyView {
  return {
    pid: 100,
    applicationName,
    clientAddr: null,
    state: 'streaming',
    syncState: 'async',
    sentLsn: '0/5000',
    writeLsn: '0/4F00',
    flushLsn: '0/4E00',
    replayLsn: '0/4D00',
    writeLagBytes: 256,
    flushLagBytes: 512,
    replayLagBytes: 768,
    writeLagMs: 1,
    flushLagMs: 2,
    replayLagMs: 3,
    replyTime: null,
    slotName: null,
    ...over,
  };
}

export function receiver(over: Partial<WalReceiver> = {}): WalReceiver {
  return {
    pid: 200,
    status: 'streaming',
    senderHost: '/run/pg',
    senderPort: 5432,
    slotName: null,
    receivedLsn: '0/5000',
    flushedLsn: '0/5000',
    latestEndLsn: '0/5000',
    latestEndTime: null,
    lastMsgReceiptTime: null,
    replayLsn: '0/4D00',
    replayLagBytes: 768,
    replayLagMs: 500,
    conninfo: null,
    ...over,
  };
}

export function subscription(name: string, over: Partial<SubscriptionView> = {}): SubscriptionView {
  return {
    oid: 16400,
    name,
    owner: 'dba',
    enabled: true,
    slotName: name,
    publications: ['p'],
    conninfo: 'host=/run/pg port=5432 dbname=app',
    target: { host: '/run/pg', port: 5432, dbname: 'app' },
    options: {},
    workers: [],
    tables: [],
    stats: null,
    appliedLsn: '0/4C00',
    ...over,
  };
}

/** A connected server: `label` names its session, `port` is how it was reached (host /run/pg). */
export function member(
  label: string,
  port: number,
  parts: {
    overview?: Partial<ServerOverview>;
    slots?: SlotView[];
    standbys?: StandbyView[];
    logical?: Partial<LogicalSnapshot>;
    alerts?: TopologyMember['snapshot']['alerts'];
    demo?: TopologyMember['demo'];
    host?: string;
  } = {},
): TopologyMember {
  return {
    sessionId: label,
    label,
    via: { host: parts.host ?? '/run/pg', port, database: 'app', user: 'dba' },
    demo: parts.demo ?? null,
    snapshot: {
      at: 1000,
      overview: overview(parts.overview),
      slots: parts.slots ?? [],
      standbys: parts.standbys ?? [],
      alerts: parts.alerts ?? [],
      orphans: [],
      logical: logical(parts.logical),
    },
  };
}
