import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ConnectTarget, EventPayload, LinkSnapshot, LogicalSnapshot, ServerOverview } from '../../shared/contract';
import type { ErrorInfo } from '../../shared/errors';
import { getApi } from '../bridge/api';
import { useSessionScope } from './session-context';

/**
 * Logical replication state for the Logical tab: this session's publications/subscriptions, and
 * the "other end", a second session linked to the first (main/sessions/logical-link.ts) so each
 * subscription is paired with its publisher's slot. One per connected server, like its other
 * stores; the other end is a session of its own that is not listed in the server sidebar.
 */
export interface OtherEnd {
  id: string;
  label: string;
  overview: ServerOverview;
  logical: LogicalSnapshot | null;
}

/** One pair's positions over time, bytes behind the publisher (columnar, outside React state). */
export interface LinkSeries {
  t: number[];
  confirmedFlush: (number | null)[];
  received: (number | null)[];
  applied: (number | null)[];
  replayLagMs: (number | null)[];
}

const MAX_POINTS = 3600;

export const pairKey = (publisherSessionId: string, subscription: string): string =>
  `${publisherSessionId}:${subscription}`;

function appendLinks(linkSeries: Map<string, LinkSeries>, links: LinkSnapshot[]): void {
  for (const l of links) {
    // Both ends' polls publish the pair. Chart only the samples taken at the publisher's poll: its
    // current LSN and the slot are read in one statement there, and the subscriber's positions are
    // at most one poll old (never ahead of the publisher's reading, which would clamp lags to 0).
    if (l.at !== l.polledAt.publisher) continue;
    for (const p of l.pairs) {
      const key = pairKey(l.publisherSessionId, p.subscription);
      let s = linkSeries.get(key);
      if (!s) linkSeries.set(key, (s = { t: [], confirmedFlush: [], received: [], applied: [], replayLagMs: [] }));
      if (s.t.length && s.t[s.t.length - 1]! >= l.at / 1000) continue;
      s.t.push(l.at / 1000);
      s.confirmedFlush.push(p.lagBytes.confirmedFlush);
      s.received.push(p.lagBytes.received);
      s.applied.push(p.lagBytes.applied);
      s.replayLagMs.push(p.lagMs.replay);
      if (s.t.length > MAX_POINTS) for (const col of Object.values(s) as unknown[][]) col.splice(0, 1);
    }
  }
}

export interface LogicalState {
  /** Each pair's lag series by pairKey (the same Map for the store's life; see linkVersion). */
  linkSeries: Map<string, LinkSeries>;
  self: LogicalSnapshot | null;
  other: OtherEnd | null;
  connecting: boolean;
  error: ErrorInfo | null;
  links: LinkSnapshot[];
  linkVersion: number;
  /** A snapshot of this server or of its other end; others are ignored. */
  applySnapshot(s: EventPayload<'monitor.snapshot'>): void;
  applyLinks(links: LinkSnapshot[]): void;
  connectOther(target: ConnectTarget): Promise<boolean>;
  disconnectOther(): Promise<void>;
  reset(): void;
}

/** The logical store of the server `mainSessionId`. */
export function createLogicalStore(mainSessionId: string): StoreApi<LogicalState> {
  return createStore<LogicalState>((set, get) => ({
    linkSeries: new Map(),
    self: null,
    other: null,
    connecting: false,
    error: null,
    links: [],
    linkVersion: 0,
    applySnapshot(s) {
      if (s.sessionId === mainSessionId) set({ self: s.logical ?? null });
      const other = get().other;
      if (other && s.sessionId === other.id)
        set({ other: { ...other, overview: s.overview, logical: s.logical ?? null } });
    },
    applyLinks(links) {
      const other = get().other;
      if (!other || !links.some((l) => l.publisherSessionId === other.id || l.subscriberSessionId === other.id)) return;
      appendLinks(get().linkSeries, links);
      // Show each direction as read at its publisher's poll (see appendLinks); a direction computed
      // at the subscriber's poll keeps its previous reading, so the figures do not alternate.
      const key = (l: LinkSnapshot): string => `${l.publisherSessionId}>${l.subscriberSessionId}`;
      const prev = new Map(get().links.map((l) => [key(l), l]));
      const next = links.map((l) => (l.at === l.polledAt.publisher ? l : (prev.get(key(l)) ?? l)));
      set({ links: next, linkVersion: get().linkVersion + 1 });
    },
    async connectOther(target) {
      set({ connecting: true, error: null });
      await get().disconnectOther();
      const r = await getApi().invoke('session.connect', { target });
      if (!r.ok) {
        set({ connecting: false, error: r.error });
        return false;
      }
      set({ other: { id: r.value.sessionId, label: r.value.label, overview: r.value.overview, logical: null } });
      const l = await getApi().invoke('logical.link', { sessionId: mainSessionId, otherSessionId: r.value.sessionId });
      if (!l.ok) set({ connecting: false, error: l.error });
      else {
        appendLinks(get().linkSeries, l.value.links);
        set({ connecting: false, links: l.value.links, linkVersion: get().linkVersion + 1 });
      }
      return l.ok;
    },
    async disconnectOther() {
      const other = get().other;
      get().linkSeries.clear();
      set({ other: null, links: [], linkVersion: get().linkVersion + 1 });
      if (other) await getApi().invoke('session.disconnect', { sessionId: other.id });
    },
    reset() {
      void get().disconnectOther();
      set({ self: null, error: null });
    },
  }));
}

/** The logical store of the server whose views these are (see SessionContext). */
export function useLogical(): LogicalState;
export function useLogical<T>(selector: (s: LogicalState) => T): T;
export function useLogical<T>(selector?: (s: LogicalState) => T): T | LogicalState {
  return useStore(useSessionScope().stores.logical, selector ?? ((s: LogicalState) => s as T));
}
