import { describe, expect, it } from 'vitest';
import { takeServeToken, type AddressBar } from './serve-token';
import { createWsApi, type SocketLike } from './ws-transport';

const TOKEN = 'AbCdEfGhIjKlMnOpQrStUvWx_-0123456';

function addressBar(hash: string, stored: Record<string, string> = {}) {
  const replaced: string[] = [];
  const bar: AddressBar = {
    location: { pathname: '/', search: '', hash },
    history: { state: { keep: 1 }, replaceState: (_d, _u, url) => replaced.push(url) },
    storage: { getItem: (k) => stored[k] ?? null, setItem: (k, v) => (stored[k] = v) },
  };
  return { bar, replaced, stored };
}

describe('serve-mode token in the page', () => {
  it('reads #token=…, keeps it in sessionStorage and replaces the address with one without it', () => {
    const { bar, replaced, stored } = addressBar(`#token=${TOKEN}`);
    expect(takeServeToken(bar)).toBe(TOKEN);
    expect(replaced).toEqual(['/']);
    expect(Object.values(stored)).toEqual([TOKEN]);
  });

  it('keeps the other fragment parts (#demo) when it removes the token', () => {
    const { bar, replaced } = addressBar(`#token=${TOKEN}&demo`);
    bar.location.search = '?x=1';
    expect(takeServeToken(bar)).toBe(TOKEN);
    expect(replaced).toEqual(['/?x=1#demo']);
  });

  it('finds the token in sessionStorage after a reload, without touching the address', () => {
    const first = addressBar(`#token=${TOKEN}`);
    takeServeToken(first.bar);
    const reload = addressBar('', first.stored);
    expect(takeServeToken(reload.bar)).toBe(TOKEN);
    expect(reload.replaced).toEqual([]);
  });

  it('removes a malformed token from the address but does not use it', () => {
    const { bar, replaced, stored } = addressBar('#token=<script>');
    expect(takeServeToken(bar)).toBeUndefined();
    expect(replaced).toEqual(['/']);
    expect(stored).toEqual({});
  });

  it('still returns the token when the browser refuses storage', () => {
    const { bar } = addressBar(`#token=${TOKEN}`);
    bar.storage = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('SecurityError');
      },
    };
    expect(takeServeToken(bar)).toBe(TOKEN);
  });
});

describe('WebSocket transport after the socket closed', () => {
  function fakeSocket() {
    const listeners: Record<string, ((ev: { data?: unknown }) => void)[]> = {};
    const socket: SocketLike = {
      readyState: 0,
      send: () => undefined,
      addEventListener: (t, fn) => (listeners[t] ??= []).push(fn),
    };
    const fire = (t: string): void => listeners[t]!.forEach((f) => f({}));
    return { socket, fire };
  }

  it('a socket refused before it opened answers every call with "no valid access token"', async () => {
    const { socket, fire } = fakeSocket();
    const api = createWsApi(socket);
    const queued = api.invoke('app.info', {});
    socket.readyState = 3;
    fire('close');
    expect(await queued).toMatchObject({ ok: false, error: { code: 'CONNECTION', message: /no valid access token/ } });
    // Calls made afterwards are answered at once instead of waiting forever in the queue.
    expect(await api.invoke('profiles.list', {})).toMatchObject({ ok: false, error: { code: 'CONNECTION' } });
  });

  it('a socket that was open and closed says the connection was lost', async () => {
    const { socket, fire } = fakeSocket();
    const api = createWsApi(socket);
    socket.readyState = 1;
    fire('open');
    fire('close');
    expect(await api.invoke('app.info', {})).toMatchObject({ ok: false, error: { message: /lost the connection/ } });
  });
});
