import { APP_CSP } from '../shared/csp';

/**
 * Deny-by-default handlers from Electron's security checklist, applied to the session and to every
 * web contents. Written against the few methods used, so they are tested without Electron.
 */
type Headers = Record<string, string | string[]>;

export interface SessionLike {
  setPermissionRequestHandler(
    handler: (wc: unknown, permission: string, callback: (granted: boolean) => void) => void,
  ): void;
  setPermissionCheckHandler(handler: () => boolean): void;
  webRequest: {
    onHeadersReceived(
      listener: (details: { responseHeaders?: Headers }, callback: (r: { responseHeaders: Headers }) => void) => void,
    ): void;
  };
}

export interface ContentsLike {
  on(
    event: 'will-navigate' | 'will-attach-webview' | 'will-redirect',
    listener: (e: { preventDefault(): void }) => void,
  ): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export function hardenSession(session: SessionLike): void {
  // No camera, microphone, notifications, geolocation, clipboard-read…: an inspector needs none.
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [APP_CSP] } });
  });
}

export function hardenContents(contents: ContentsLike): void {
  // The app is one page: no navigation, no redirects, no new windows, no <webview>; WALscope
  // opens no external links, so there is no shell.openExternal path to guard.
  contents.on('will-navigate', (e) => e.preventDefault());
  contents.on('will-redirect', (e) => e.preventDefault());
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}
