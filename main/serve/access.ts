import { timingSafeEqual } from 'node:crypto';
import net from 'node:net';
import os from 'node:os';
import { WalscopeError } from '../../shared/errors';
import { WS_TOKEN_PROTOCOL_PREFIX } from '../../shared/contract/ws-protocol';

/**
 * Who may use serve mode: the pure checks behind it (token, request target, addresses), kept apart
 * from the sockets so each is tested on its own. See docs/decisions/0005-serve-mode-token.md.
 */

/** Constant-time comparison, so the time to refuse a token says nothing about its prefix. */
export function sameSecret(given: string | undefined, secret: string): boolean {
  if (given === undefined) return false;
  const x = Buffer.from(given);
  const y = Buffer.from(secret);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The token offered in `Sec-WebSocket-Protocol` (`walscope.v1, walscope.token.<token>`). A browser
 * can set no other header on a WebSocket, and unlike a cookie this value is sent only by the page
 * that holds the token, never by the browser on its own to whatever listens on the host.
 */
export function protocolToken(header: string | string[] | undefined): string | undefined {
  const offered = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((p) => p.trim());
  const carrier = offered.find((p) => p.startsWith(WS_TOKEN_PROTOCOL_PREFIX));
  return carrier?.slice(WS_TOKEN_PROTOCOL_PREFIX.length);
}

/**
 * The path a request target names, percent-decoded; undefined when the target is not a URL
 * (`//[`) or its path has bad percent-encoding (`/%E0%A4%A`). Both come from any web page with a
 * no-cors fetch, so they are an answer (400), never an exception (issue 12).
 */
export function targetPath(target: string | undefined): string | undefined {
  try {
    return decodeURIComponent(new URL(target ?? '/', 'http://placeholder').pathname);
  } catch {
    return undefined;
  }
}

export function isLoopbackAddress(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || (net.isIPv4(h) && h.startsWith('127.'));
}

/** An address as it appears in a URL and a Host header (IPv6 in brackets). */
export function urlHost(address: string): string {
  return address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
}

/**
 * The addresses a browser can use to reach a server bound to `bindHost`. A wildcard bind is
 * reachable at each interface address, never at 0.0.0.0 or :: itself; loopback comes first. IPv6
 * link-local addresses are left out: their URL would need a zone id browsers do not accept.
 */
export function reachableAddresses(
  bindHost: string,
  interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]> = os.networkInterfaces(),
): string[] {
  const any4 = bindHost === '0.0.0.0';
  const any6 = bindHost === '::' || bindHost === '[::]';
  if (!any4 && !any6) return [bindHost.replace(/^\[(.*)\]$/, '$1')];
  const found: string[] = [];
  for (const list of Object.values(interfaces)) {
    for (const a of list ?? []) {
      // Node listens dual-stack on ::, so IPv4 addresses answer there too.
      if (a.family === 'IPv4' || (any6 && a.family === 'IPv6' && a.scopeid === 0)) found.push(a.address);
    }
  }
  const unique = [...new Set(found)];
  if (unique.length === 0) return ['127.0.0.1'];
  return [...unique.filter(isLoopbackAddress), ...unique.filter((a) => !isLoopbackAddress(a))];
}

/**
 * Serve mode has no TLS: off loopback, the token crosses the network in clear text and is the only
 * protection. That is refused unless the caller opts in explicitly (`--insecure-listen`).
 */
export function refuseNonLoopback(bindHost: string, insecureListen: boolean | undefined): void {
  if (isLoopbackAddress(bindHost) || insecureListen) return;
  throw new WalscopeError({
    code: 'INVALID_ARGUMENT',
    message: `refusing to listen on ${bindHost} without --insecure-listen: it is not a loopback address, and serve mode has no TLS, so the access token would cross the network in clear text and be the only protection`,
    hint: 'Reach 127.0.0.1 through an SSH tunnel (ssh -L), or add --insecure-listen to accept that risk.',
  });
}

/** The contract version a page declared on its socket (`?v=`), or undefined when it declared none. */
export function declaredContract(target: string | undefined): number | undefined {
  // Read from the raw query text: the target was already checked by targetPath.
  const m = /[?&]v=(\d{1,6})(?:&|$)/.exec(target ?? '');
  return m ? Number(m[1]) : undefined;
}
