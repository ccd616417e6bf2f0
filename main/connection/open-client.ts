import type pg from 'pg';
import { WalscopeError } from '../../shared/errors';
import { installFrameGuard } from './frame-guard';
import type { WalscopeClientConfig } from './pg-config';

/**
 * libpq waits forever without connect_timeout; a server that accepts TCP and then says nothing
 * would hang every command. WALscope bounds each connection by default, like pgAdmin (10 s).
 * https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNECT-CONNECT-TIMEOUT
 */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export interface ConnectOptions {
  /** Aborting ends the attempt at once (the socket is destroyed) with a CANCELLED error. */
  signal?: AbortSignal;
  /** The bound when the configuration sets none (tests shorten it). */
  defaultTimeoutMs?: number;
  /** More work that belongs to connecting (e.g. reading settings), run under the same bound. */
  init?: (client: pg.Client) => Promise<void>;
}

/**
 * One deadline for everything connecting does: TCP, TLS, start-up, authentication, the plain-TCP
 * retry of sslmode=prefer and `init`. When it passes (or the signal aborts), the socket in use is
 * destroyed and the caller gets a TIMEOUT (or CANCELLED) error naming host and port.
 */
class ConnectDeadline {
  private readonly expiresAt: number | undefined;

  constructor(
    private readonly timeoutMs: number,
    private readonly where: string,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.expiresAt = timeoutMs > 0 ? Date.now() + timeoutMs : undefined;
  }

  race<T>(work: Promise<T>, kill: () => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const cleanup = (): void => {
        if (timer) clearTimeout(timer);
        this.signal?.removeEventListener('abort', onAbort);
      };
      const fail = (e: WalscopeError): void => {
        cleanup();
        kill();
        reject(e);
      };
      const onAbort = (): void => fail(this.cancelled());
      if (this.signal?.aborted) return fail(this.cancelled());
      if (this.expiresAt !== undefined) {
        const left = this.expiresAt - Date.now();
        if (left <= 0) return fail(this.expired());
        timer = setTimeout(() => fail(this.expired()), left);
      }
      this.signal?.addEventListener('abort', onAbort, { once: true });
      work.then(
        (v) => {
          cleanup();
          resolve(v);
        },
        (e: unknown) => {
          cleanup();
          reject(e);
        },
      );
    });
  }

  private expired(): WalscopeError {
    const seconds = Math.round(this.timeoutMs / 100) / 10;
    return new WalscopeError({
      code: 'TIMEOUT',
      message: `${this.where} did not finish connecting within ${seconds} s (connect_timeout)`,
      hint: 'Check that the host and port point at a PostgreSQL server that answers (not a firewall that drops packets, another service or a stalled proxy). Set connect_timeout=N (seconds) in the connection string to wait longer; 0 waits indefinitely.',
    });
  }

  private cancelled(): WalscopeError {
    return new WalscopeError({ code: 'CANCELLED', message: `connecting to ${this.where} was cancelled` });
  }
}

/** Ends a client whose start-up is still in progress without waiting for the server. */
function destroy(client: pg.Client): void {
  const connection = (client as unknown as { connection: { _ending: boolean; stream: { destroy(): void } } })
    .connection;
  connection._ending = true;
  connection.stream.destroy();
}

function describeTarget(config: pg.ClientConfig): string {
  const host = config.host ?? 'localhost';
  return host.startsWith('/')
    ? `the server at socket ${host}/.s.PGSQL.${config.port ?? 5432}`
    : `${host}:${config.port ?? 5432}`;
}

function notPostgres(where: string, cause: unknown): WalscopeError {
  return new WalscopeError(
    {
      code: 'PROTOCOL',
      message: `${where} does not speak the PostgreSQL protocol: it answered the TLS request (SSLRequest) with neither 'S' nor 'N'`,
      hint: 'Check that the host and port point at a PostgreSQL server, not another service or a proxy.',
    },
    { cause },
  );
}

/**
 * Connects with the bound above, retrying once without TLS when sslmode=prefer met a server
 * without TLS, and puts the message-length guard in front of pg's parser.
 */
export async function connectWithSslFallback<C extends pg.Client>(
  make: (config: pg.ClientConfig) => C,
  config: WalscopeClientConfig,
  opts: ConnectOptions = {},
): Promise<C> {
  const { sslFallback, connectionTimeoutMillis, ...rest } = config;
  const where = describeTarget(rest);
  const deadline = new ConnectDeadline(
    connectionTimeoutMillis ?? opts.defaultTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    where,
    opts.signal,
  );
  const attempt = async (c: pg.ClientConfig): Promise<C> => {
    const client = make(c);
    installFrameGuard(client, where);
    // Errors while connecting surface through connect(); an 'error' event then must not crash.
    const quiet = (): void => undefined;
    client.on('error', quiet);
    try {
      await deadline.race(
        client.connect().then(() => opts.init?.(client)),
        () => destroy(client),
      );
      client.off('error', quiet);
      return client;
    } catch (err) {
      // No goodbye on a failed attempt: end() would wait for a server that may never close its side.
      // The failed client stays quiet: its socket may still report the end it was given.
      destroy(client);
      throw err;
    }
  };
  try {
    return await attempt(rest);
  } catch (err) {
    const message = String((err as Error).message);
    if (sslFallback && /does not support SSL/i.test(message)) return attempt({ ...rest, ssl: false });
    // pg's words when the answer to SSLRequest is neither 'S' nor 'N' (e.g. an SSH or HTTP banner).
    if (/error establishing an SSL connection/i.test(message)) throw notPostgres(where, err);
    throw err;
  }
}
