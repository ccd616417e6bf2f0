import os from 'node:os';
import path from 'node:path';

/** Where WALscope keeps profiles and the demo database when Electron's app.getPath is not around. */
export function defaultUserDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['WALSCOPE_USER_DATA']) return env['WALSCOPE_USER_DATA'];
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Application Support', 'WALscope');
  if (process.platform === 'win32') return path.join(env['APPDATA'] ?? os.homedir(), 'WALscope');
  return path.join(env['XDG_DATA_HOME'] ?? path.join(os.homedir(), '.local', 'share'), 'walscope');
}
