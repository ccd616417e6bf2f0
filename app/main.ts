// The Electron shell: lifecycle, windows, IPC binding and safeStorage. Everything else is main/.
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, safeStorage, session } from 'electron';
import path from 'node:path';
import { startDemoDatabase, type DemoHandle } from '../main/demo/demo-database';
import { ProfileStore } from '../main/sessions/profile-store';
import { RecentConnections } from '../main/sessions/recent-connections';
import { secretStoreFor } from './secret-store';
import { SessionManager } from '../main/sessions/session-manager';
import { clientLimitsFrom, type ClientLimits } from '../main/sessions/client-limits';
import { toWalscopeError } from '../main/stream/pg-errors';
import { bindIpc, eventSender } from './ipc';
import { hardenContents, hardenSession, type ContentsLike, type SessionLike } from './hardening';
import { isTrustedSender, windowOptions } from './window-options';
import { APP_CSP } from '../shared/csp';
import { APP_INDEX_URL, APP_SCHEME, APP_SCHEME_PRIVILEGES, createAppProtocolHandler } from './app-protocol';

const dev = !app.isPackaged && process.env['ELECTRON_RENDERER_URL'] !== undefined;
const devServerUrl = dev ? process.env['ELECTRON_RENDERER_URL'] : undefined;
const rendererRoot = path.join(__dirname, '../renderer');
const managers = new Map<number, SessionManager>();
let demo: Promise<DemoHandle> | undefined;

// Must happen before the app is ready.
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

/** The WALSCOPE_* limits, read once: a bad value stops the app with its message, not each window. */
let limits: ClientLimits | undefined;
try {
  limits = clientLimitsFrom(process.env);
} catch (e) {
  const err = toWalscopeError(e);
  void app.whenReady().then(() => {
    dialog.showErrorBox('WALscope cannot start', `${err.message}${err.hint ? `\n\n${err.hint}` : ''}`);
    app.exit(2);
  });
}

function createWindow(): void {
  const win = new BrowserWindow(windowOptions(path.join(__dirname, '../preload/index.cjs'), dev));
  const contents = win.webContents;
  const manager = new SessionManager(
    {
      shell: 'electron',
      profiles: new ProfileStore(
        path.join(app.getPath('userData'), 'profiles.json'),
        secretStoreFor(safeStorage, process.platform),
      ),
      demo: () => (demo ??= startDemoDatabase({ userDataDir: app.getPath('userData') })),
      recent: new RecentConnections(path.join(app.getPath('userData'), 'recent.json')),
      ...(limits ? { limits } : {}),
    },
    eventSender(contents),
  );
  managers.set(contents.id, manager);
  win.on('closed', () => {
    managers.delete(contents.id);
    void manager.shutdown();
  });
  win.once('ready-to-show', () => win.show());
  if (devServerUrl) void win.loadURL(`${devServerUrl}#demo`);
  else void win.loadURL(`${APP_INDEX_URL}${process.argv.includes('--no-demo') ? '' : '#demo'}`);
}

void app.whenReady().then(() => {
  Menu.setApplicationMenu(null);
  hardenSession(session.defaultSession as unknown as SessionLike);
  protocol.handle(APP_SCHEME, createAppProtocolHandler(rendererRoot, APP_CSP));
  bindIpc(
    ipcMain,
    (senderId) => managers.get(senderId)?.dispatcher,
    (frame) => isTrustedSender(frame, devServerUrl),
  );
  if (!limits) return;
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

// Every web contents, including any a bug might create, gets the deny-by-default handlers.
app.on('web-contents-created', (_e, contents) => hardenContents(contents as unknown as ContentsLike));

app.on('window-all-closed', () => app.quit());

let quitting = false;
app.on('before-quit', (e) => {
  if (quitting) return;
  quitting = true;
  e.preventDefault();
  void (async () => {
    await Promise.all([...managers.values()].map((m) => m.shutdown()));
    if (demo) await (await demo).stop().catch(() => undefined);
    app.exit(0);
  })();
});
