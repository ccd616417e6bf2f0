import { WS_TOKEN_PATTERN } from '../../shared/contract/ws-protocol';

/** The parts of the browser the token handling touches, so it is tested without a DOM. */
export interface AddressBar {
  location: { pathname: string; search: string; hash: string };
  history: { state: unknown; replaceState(data: unknown, unused: string, url: string): void };
  /** sessionStorage; undefined (or throwing) where the browser refuses storage. */
  storage: { getItem(key: string): string | null; setItem(key: string, value: string): void } | undefined;
}

const STORAGE_KEY = 'walscope.serveToken';
const PREFIX = 'token=';

/**
 * Serve mode's access token (docs/decisions/0005-serve-mode-token.md). The printed URL carries it
 * in the fragment (`#token=…`, never sent to any server); it is read once, kept in sessionStorage
 * (this tab and this origin, port included: a server on another local port cannot read it) and
 * taken out of the address bar with replaceState, so it is neither on screen nor in the browser's
 * history. A reload of the tab finds it in sessionStorage. Other fragment parts (`demo`) stay.
 */
export function takeServeToken(bar: AddressBar): string | undefined {
  const parts = bar.location.hash.replace(/^#/, '').split('&').filter(Boolean);
  const carrier = parts.find((p) => p.startsWith(PREFIX));
  if (carrier === undefined) return valid(stored(bar));
  const rest = parts.filter((p) => p !== carrier);
  const { pathname, search } = bar.location;
  bar.history.replaceState(bar.history.state, '', `${pathname}${search}${rest.length ? `#${rest.join('&')}` : ''}`);
  const token = valid(carrier.slice(PREFIX.length));
  if (token === undefined) return valid(stored(bar));
  try {
    bar.storage?.setItem(STORAGE_KEY, token);
  } catch {
    // Storage refused: the token still lives in memory for this page.
  }
  return token;
}

function stored(bar: AddressBar): string | undefined {
  try {
    return bar.storage?.getItem(STORAGE_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Only a well-formed token is used: anything else could not even be offered as a subprotocol. */
function valid(token: string | undefined): string | undefined {
  return token !== undefined && WS_TOKEN_PATTERN.test(token) ? token : undefined;
}

let taken: { token: string | undefined } | undefined;

/** The token of this page, read from the address bar on first use (main.tsx calls it at start). */
export function serveToken(): string | undefined {
  if (!taken) {
    let storage: AddressBar['storage'];
    try {
      storage = window.sessionStorage;
    } catch {
      storage = undefined;
    }
    taken = { token: takeServeToken({ location: window.location, history: window.history, storage }) };
  }
  return taken.token;
}
