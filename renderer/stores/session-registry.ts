import type { EventName, EventPayload } from '../../shared/contract';
import { createLogicalStore } from './logical-store';
import { createMonitorStore } from './monitor-store';
import type { SessionStores } from './session-context';
import { createStreamStore } from './stream-store';
import { createWalStore } from './wal-store';

/**
 * Every connected server's stores, by session id, from connect to disconnect. A server that is not
 * shown keeps receiving its events here, so its stream rows, WAL tail and lag series are all there
 * when it is shown again.
 */
export class SessionRegistry {
  private readonly bySession = new Map<string, SessionStores>();

  /** The stores of `sessionId`, made on first use. */
  ensure(sessionId: string): SessionStores {
    let stores = this.bySession.get(sessionId);
    if (!stores) {
      stores = {
        monitor: createMonitorStore(),
        stream: createStreamStore(),
        wal: createWalStore(),
        logical: createLogicalStore(sessionId),
      };
      this.bySession.set(sessionId, stores);
    }
    return stores;
  }

  get(sessionId: string): SessionStores | undefined {
    return this.bySession.get(sessionId);
  }

  delete(sessionId: string): void {
    this.bySession.delete(sessionId);
  }

  /**
   * Hands an engine event to the stores it belongs to: the session's own by `sessionId` (its
   * stream and WAL stores check their stream id themselves); the window's logical links to every
   * server, which keeps its own. Events of a session with no stores (already disconnected) are
   * dropped.
   */
  route<K extends EventName>(name: K, payload: EventPayload<K>): void {
    const event = { name, payload } as RoutedEvent;
    switch (event.name) {
      case 'monitor.snapshot': {
        const stores = this.get(event.payload.sessionId);
        stores?.monitor.getState().applySnapshot(event.payload);
        stores?.logical.getState().applySnapshot(event.payload);
        return;
      }
      case 'lag.delta':
        this.get(event.payload.sessionId)?.monitor.getState().applyLag(event.payload.points);
        return;
      case 'logical.link':
        for (const s of this.bySession.values()) s.logical.getState().applyLinks(event.payload.links);
        return;
      case 'stream.batch':
        this.get(event.payload.sessionId)?.stream.getState().applyBatch(event.payload);
        return;
      case 'stream.state':
        this.get(event.payload.sessionId)?.stream.getState().applyState(event.payload);
        return;
      case 'stream.stats':
        this.routeStreamStats(event.payload);
        return;
      case 'wal.batch':
        this.get(event.payload.sessionId)?.wal.getState().applyBatch(event.payload);
        return;
      case 'wal.stats':
        this.get(event.payload.sessionId)?.wal.getState().applyStats(event.payload);
        return;
      case 'wal.state':
        this.get(event.payload.sessionId)?.wal.getState().applyState(event.payload);
        return;
      case 'session.state':
      case 'app.error':
      case 'topology.snapshot':
        return; // the connection store's (per server state), nobody's, and the window's topology store
      default: {
        const never: never = event;
        throw new Error(`unrouted event ${String(never)}`);
      }
    }
  }

  private routeStreamStats(p: EventPayload<'stream.stats'>): void {
    const stream = this.get(p.sessionId)?.stream;
    if (stream && p.streamId === stream.getState().streamId) stream.getState().setStats(p.stats);
  }
}

/** An event as a discriminated union, so the switch above is checked for exhaustiveness. */
type RoutedEvent = { [K in EventName]: { name: K; payload: EventPayload<K> } }[EventName];

/** The window's registry. */
export const sessionRegistry = new SessionRegistry();
