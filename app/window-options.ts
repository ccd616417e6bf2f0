import type { BrowserWindowConstructorOptions } from 'electron';
import { APP_ORIGIN } from './app-protocol';

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

/** The parts of Electron's WebFrameMain the check reads (`parent` is null for a main frame). */
export interface SenderFrame {
  url: string;
  parent: unknown;
}

/**
 * Only our own bundle may talk to main: the main frame of a page from the app protocol
 * (`walscope://app/index.html`, compared exactly, not by prefix), or of the dev server's origin in
 * development. Sub-frames are refused whatever their URL. With the custom protocol no file path
 * is compared, so there is no prefix or Windows drive-letter form to get wrong.
 */
export function isTrustedSender(frame: SenderFrame | null | undefined, devServerUrl: string | undefined): boolean {
  if (!frame || frame.parent !== null) return false;
  let u: URL;
  try {
    u = new URL(frame.url);
  } catch {
    return false;
  }
  if (devServerUrl) return u.origin === new URL(devServerUrl).origin;
  // WHATWG URL gives a custom scheme's origin as "null", so the parts are compared one by one.
  return (
    `${u.protocol}//${u.host}` === APP_ORIGIN &&
    u.username === '' &&
    u.password === '' &&
    (u.pathname === '/' || u.pathname === '/index.html')
  );
}
