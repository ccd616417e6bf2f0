import fs from 'node:fs/promises';
import path from 'node:path';
import { MIME_TYPES as MIME } from '../main/serve/mime';

/**
 * The renderer is served from `walscope://app/`, a privileged custom protocol, not file:// —
 * Electron's security checklist ("Avoid usage of the file:// protocol and prefer usage of custom
 * protocols"): file:// pages share one origin with every local file, and a CSP sent for them
 * through webRequest is not applied. Plain code, tested without Electron; app/main.ts only
 * registers it.
 */
export const APP_SCHEME = 'walscope';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/**
 * For protocol.registerSchemesAsPrivileged (before app ready). standard: real origin and relative
 * URLs; secure: a secure context like https; supportFetchAPI: the module scripts Vite emits are
 * fetched like fetch(). No bypassCSP, no service workers, no CORS for other origins.
 */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true },
} as const;

/**
 * The file under `root` a `walscope://app/…` URL names, or undefined. Works on the raw URL text
 * and refuses rather than normalises: `..` and `.` segments (also percent-encoded), encoded
 * slashes and backslashes, NUL, absolute and drive-letter paths, any other host.
 */
export function appFileFor(rawUrl: string, root: string): string | undefined {
  const prefix = `${APP_ORIGIN}/`;
  if (!rawUrl.toLowerCase().startsWith(prefix)) return undefined;
  const rawPath = rawUrl.slice(prefix.length).split(/[?#]/, 1)[0]!;
  if (/%2f|%5c|%00|\\/i.test(rawPath)) return undefined;
  let rel: string;
  try {
    rel = decodeURIComponent(rawPath);
  } catch {
    return undefined;
  }
  if (rel === '') rel = 'index.html';
  const segments = rel.split('/');
  if (rel.startsWith('/') || segments.some((s) => s === '' || s === '.' || s === '..' || s.includes(':'))) {
    return undefined;
  }
  const base = path.resolve(root);
  const file = path.resolve(base, ...segments);
  const inside = path.relative(base, file);
  if (inside === '' || inside.startsWith('..') || path.isAbsolute(inside)) return undefined;
  return file;
}

/** The parts of a fetch Request the handler reads (Electron passes a GlobalRequest). */
export interface AppRequest {
  url: string;
  method: string;
}

/**
 * The protocol.handle handler: only GET/HEAD of regular files inside `root` (after resolving
 * symlinks), each with the CSP header; everything else is a bare 404 that reveals nothing.
 */
export function createAppProtocolHandler(root: string, csp: string): (request: AppRequest) => Promise<Response> {
  const notFound = (): Response =>
    new Response('not found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response(null, { status: 405 });
    const file = appFileFor(request.url, root);
    if (!file) return notFound();
    try {
      const [realRoot, real] = await Promise.all([fs.realpath(root), fs.realpath(file)]);
      if (!real.startsWith(realRoot + path.sep) || !(await fs.stat(real)).isFile()) return notFound();
      const body = request.method === 'HEAD' ? null : await fs.readFile(real);
      return new Response(body, {
        status: 200,
        headers: {
          'content-type': MIME[path.extname(real).toLowerCase()] ?? 'application/octet-stream',
          'content-security-policy': csp,
          'x-content-type-options': 'nosniff',
          'cache-control': 'no-cache',
        },
      });
    } catch {
      return notFound();
    }
  };
}
