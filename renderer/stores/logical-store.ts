import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { EventPayload, LinkSnapshot, LogicalSnapshot } from '../../shared/contract';
import { useSessionScope } from './session-context';

/**
 * Logical replication state for the Logical tab: this server's publications/subscriptions, and
 * the links between it and the other connected servers of the window, where a subscription on one
 * is paired with its publisher's slot on the other (main/sessions/logical-link.ts). One per
 * connected server, like its other stores; the other ends are servers of the sidebar.
 */

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
  /** The directions where this server publishes to, or subscribes from, another connected server. */
  links: LinkSnapshot[];
  linkVersion: number;
  applySnapshot(s: EventPayload<'monitor.snapshot'>): void;
  /** Every linked direction of the window (the `logical.link` event); keeps this server's. */
  applyLinks(links: LinkSnapshot[]): void;
  reset(): void;
}

const directionKey = (l: LinkSnapshot): string => `${l.publisherSessionId}>${l.subscriberSessionId}`;

/** The logical store of the server `sessionId`. */
export function createLogicalStore(sessionId: string): StoreApi<LogicalState> {
  return createStore<LogicalState>((set, get) => ({
    linkSeries: new Map(),
    self: null,
    links: [],
    linkVersion: 0,
    applySnapshot(s) {
      set({ self: s.logical ?? null });
    },
    applyLinks(all) {
      const links = all.filter((l) => l.publisherSessionId === sessionId || l.subscriberSessionId === sessionId);
      if (!links.length && !get().links.length) return;
      appendLinks(get().linkSeries, links);
      // Show each direction as read at its publisher's poll (see appendLinks); a direction computed
      // at another server's poll keeps its previous reading, so the figures do not alternate.
      const prev = new Map(get().links.map((l) => [directionKey(l), l]));
      const next = links.map((l) => (l.at === l.polledAt.publisher ? l : (prev.get(directionKey(l)) ?? l)));
      set({ links: next, linkVersion: get().linkVersion + 1 });
    },
    reset() {
      get().linkSeries.clear();
      set({ self: null, links: [], linkVersion: get().linkVersion + 1 });
    },
  }));
}

/** The logical store of the server whose views these are (see SessionContext). */
export function useLogical(): LogicalState;
export function useLogical<T>(selector: (s: LogicalState) => T): T;
export function useLogical<T>(selector?: (s: LogicalState) => T): T | LogicalState {
  return useStore(useSessionScope().stores.logical, selector ?? ((s: LogicalState) => s as T));
}
