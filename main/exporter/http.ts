import http from 'node:http';
import type net from 'node:net';
import { sameSecret } from '../serve/access';
import { CONTENT_TYPES, negotiateFormat, render, type MetricFamily } from './exposition';

export interface MetricsServerOptions {
  host: string;
  port: number;
  /** When set, every request needs `Authorization: Bearer <token>`. */
  token?: string;
  families: () => MetricFamily[];
}

export interface MetricsServer {
  address: { host: string; port: number };
  close(): Promise<void>;
}

/** The bearer token of an Authorization header (RFC 6750: scheme case-insensitive). */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer +([^\s]+)\s*$/i.exec(header ?? '');
  return m?.[1];
}

/**
 * The answer to one request, apart from the socket so it is tested on its own: /metrics in the
 * format the scraper asks for, a one-line index at /, nothing else; with a token, nothing at all
 * without it.
 */
export function respond(
  req: { method?: string | undefined; url?: string | undefined; headers: http.IncomingHttpHeaders },
  opts: Pick<MetricsServerOptions, 'token' | 'families'>,
): { status: number; headers: Record<string, string>; body: string } {
  const text = (status: number, body: string, extra: Record<string, string> = {}): ReturnType<typeof respond> => ({
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', ...extra },
    body,
  });
  if (opts.token !== undefined && !sameSecret(bearerToken(req.headers.authorization), opts.token)) {
    return text(401, 'a bearer token is required\n', { 'www-authenticate': 'Bearer realm="walscope exporter"' });
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return text(405, 'only GET\n', { allow: 'GET, HEAD' });
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/') return text(200, 'walscope exporter: metrics at /metrics\n');
  if (path !== '/metrics') return text(404, 'not found; metrics are at /metrics\n');
  const format = negotiateFormat(req.headers.accept);
  return { status: 200, headers: { 'content-type': CONTENT_TYPES[format] }, body: render(opts.families(), format) };
}

export function startMetricsServer(opts: MetricsServerOptions): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    let answer: ReturnType<typeof respond>;
    try {
      answer = respond(req, opts);
    } catch {
      answer = { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'internal error\n' };
    }
    res.writeHead(answer.status, { ...answer.headers, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : answer.body);
  });
  // Scrapes are small and quick; a client that sends nothing is not kept around.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      const a = server.address() as net.AddressInfo;
      resolve({
        address: { host: a.address, port: a.port },
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
