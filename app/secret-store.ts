import type { SecretStore } from '../main/sessions/profile-store';

/** The parts of Electron's safeStorage used, so the decision is tested without Electron. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(cipher: Buffer): string;
  /** Linux only: which password store Chromium picked. */
  getSelectedStorageBackend?(): string;
}

/**
 * Electron's safeStorage as WALscope's SecretStore, saying honestly whether it protects anything.
 * macOS (Keychain) and Windows (DPAPI) tie the key to the user. On Linux the key is protected only
 * by a keyring (gnome_libsecret, kwallet*); without one Chromium falls back to `basic_text`, a
 * hard-coded key, and `unknown` (asked before app ready) cannot be trusted either.
 * https://www.electronjs.org/docs/latest/api/safe-storage
 */
export function secretStoreFor(safe: SafeStorageLike, platform: NodeJS.Platform): SecretStore | undefined {
  if (!safe.isEncryptionAvailable()) return undefined;
  let protectsSecrets = true;
  if (platform === 'linux') {
    const backend = safe.getSelectedStorageBackend?.() ?? 'unknown';
    protectsSecrets = backend !== 'basic_text' && backend !== 'unknown';
  }
  return {
    encrypt: (s) => safe.encryptString(s),
    decrypt: (b) => safe.decryptString(b),
    protectsSecrets,
  };
}
