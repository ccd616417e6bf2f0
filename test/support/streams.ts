import type pg from 'pg';
import type { DecodedMessage } from '../../shared/messages';
import { ChangeStream, type ChangeStreamOptions, type StreamStateEvent } from '../../main/stream/change-stream';
import type { Gap } from '../../main/stream/slot-source';
import type { PgServer } from './postgres';

export { eventually } from './eventually';

export function clientConfig(server: PgServer): pg.ClientConfig {
  return {
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    database: server.database,
  };
}

export interface Capture {
  stream: ChangeStream;
  messages: DecodedMessage[];
  raw: Buffer[];
  states: StreamStateEvent[];
  gaps: Gap[];
  keepalives: number;
  done: Promise<unknown>;
  /** Resolves once `predicate` holds (polled on every message), or rejects after `timeoutMs`. */
  until(predicate: (messages: DecodedMessage[]) => boolean, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Resolves once `predicate` holds over the capture's messages (checked now and on each wake), or
 * rejects after `timeoutMs` with the last message types and states, or when the stream fails.
 */
function untilMessages(
  c: Capture,
  waiters: Set<() => void>,
  predicate: (messages: DecodedMessage[]) => boolean,
  timeoutMs: number,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const check = (): void => {
      if (settled) return;
      if (predicate(c.messages)) {
        settled = true;
        waiters.delete(check);
        clearTimeout(timer);
        resolve();
      }
    };
    const timer = setTimeout(() => {
      settled = true;
      waiters.delete(check);
      reject(
        new Error(
          `timed out after ${timeoutMs} ms; got ${c.messages.length} messages: ${c.messages
            .slice(-5)
            .map((m) => m.type)
            .join(',')}; states ${c.states.map((s) => s.state).join(',')}`,
        ),
      );
    }, timeoutMs);
    waiters.add(check);
    check();
    c.done.catch((e: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(e instanceof Error ? e : new Error(String(e)));
    });
  });
}

/** Starts a ChangeStream and records everything it hands on. */
export function capture(options: ChangeStreamOptions): Capture {
  const messages: DecodedMessage[] = [];
  const raw: Buffer[] = [];
  const states: StreamStateEvent[] = [];
  const gaps: Gap[] = [];
  const waiters = new Set<() => void>();
  const wake = (): void => {
    for (const w of [...waiters]) w();
  };
  const c: Capture = {
    stream: new ChangeStream(options, {
      message: (m, r) => {
        messages.push(m);
        raw.push(Buffer.from(r));
        wake();
      },
      keepalive: () => {
        c.keepalives++;
        wake();
      },
      state: (e) => {
        states.push(e);
        wake();
      },
      gap: (g) => gaps.push(g),
    }),
    messages,
    raw,
    states,
    gaps,
    keepalives: 0,
    done: Promise.resolve(),
    until: (predicate, timeoutMs = 20_000) => untilMessages(c, waiters, predicate, timeoutMs),
    async stop() {
      await c.stream.stop();
      await c.done.catch(() => undefined);
    },
  };
  c.done = c.stream.run();
  c.done.catch(() => undefined);
  return c;
}

export function rows(messages: DecodedMessage[]): DecodedMessage[] {
  return messages.filter((m) => m.type === 'insert' || m.type === 'update' || m.type === 'delete');
}
