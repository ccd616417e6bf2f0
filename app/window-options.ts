import type { BrowserWindowConstructorOptions } from 'electron';

/**
 * The security settings of every WALscope window, in one place and tested: isolated, sandboxed,
 * no Node in the renderer, no remote content. Electron's security checklist:
 * https://www.electronjs.org/docs/latest/tutorial/security
 */
export function windowOptions(preloadPath: string, dev: boolean): BrowserWindowConstructorOptions {
  return {
    width: 1360,
    height: 860,
    minWidth: 1024,
    minHeight: 700,
    title: 'WALscope',
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      spellcheck: false,
      devTools: dev,
    },
  };
}

/** The CSP the app's pages are served with (no unsafe-inline, no eval, no remote origins). */
export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Only our own bundle may talk to main: the packaged file:// page, or the dev server in development. */
export function isTrustedSenderUrl(url: string, devServerUrl: string | undefined, appRoot: string): boolean {
  try {
    const u = new URL(url);
    if (devServerUrl) return u.origin === new URL(devServerUrl).origin;
    if (u.protocol !== 'file:') return false;
    const file = decodeURIComponent(u.pathname);
    return file.startsWith(appRoot);
  } catch {
    return false;
  }
}
