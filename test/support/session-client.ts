import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ErrorInfo } from '../../shared/errors';
import { ProfileStore } from '../../main/sessions/profile-store';
import { SessionManager, type SessionManagerOptions } from '../../main/sessions/session-manager';

/** One client (a window or a socket) driving the contract through the dispatcher, as a renderer would. */
export interface ContractClient {
  manager: SessionManager;
  /** The Result envelope exactly as the renderer would receive it. */
  call(name: string, request: unknown): Promise<{ ok: true; value: unknown } | { ok: false; error: ErrorInfo }>;
  /** The value of a call that must succeed (throws with the error otherwise). */
  ok<T = Record<string, unknown>>(name: string, request: unknown): Promise<T>;
  /** The error of a call that must fail (throws if it succeeded). */
  error(name: string, request: unknown): Promise<ErrorInfo>;
  close(): Promise<void>;
}

export function contractClient(opts: Partial<SessionManagerOptions> = {}): ContractClient {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walscope-contract-'));
  const manager = new SessionManager(
    {
      shell: 'serve',
      profiles: new ProfileStore(path.join(dir, 'profiles.json'), undefined),
      demo: () => Promise.reject(new Error('no demo in this test')),
      env: {},
      pollIntervalMs: 500,
      ...opts,
    },
    () => undefined,
  );
  const call: ContractClient['call'] = async (name, request) =>
    (await manager.dispatcher.invoke(name, request)) as Awaited<ReturnType<ContractClient['call']>>;
  return {
    manager,
    call,
    async ok<T>(name: string, request: unknown): Promise<T> {
      const r = await call(name, request);
      if (!r.ok) throw new Error(`${name} failed: [${r.error.code}] ${r.error.message}`);
      return r.value as T;
    },
    async error(name, request) {
      const r = await call(name, request);
      if (r.ok) throw new Error(`${name} succeeded: ${JSON.stringify(r.value)}`);
      return r.error;
    },
    async close() {
      await manager.shutdown();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
