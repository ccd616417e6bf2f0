import { CONTRACT_VERSION, contractMismatch, type WalscopeApi } from '../../shared/contract';
import type { ErrorInfo } from '../../shared/errors';

/**
 * The desktop app's API checked against this page's contract version, at both ends: the renderer
 * bundle is built apart from the shell (out/renderer), so a stale one can meet a newer engine.
 * The page declares its version in `app.info` (main refuses the other commands from a page that
 * differs, app/ipc.ts) and compares the engine's answer; until it has answered, requests wait; on
 * a mismatch every request gets the CONTRACT error instead of reaching the engine.
 */
export function withContractCheck(inner: WalscopeApi): WalscopeApi {
  const verdict: Promise<ErrorInfo | undefined> = engineVersion(inner).then((engine) =>
    engine !== undefined && engine !== CONTRACT_VERSION ? contractMismatch(CONTRACT_VERSION, engine) : undefined,
  );
  return {
    async invoke(name, request) {
      const mismatch = await verdict;
      if (mismatch) return { ok: false, error: mismatch };
      return inner.invoke(name, request);
    },
    on: (name, handler) => inner.on(name, handler),
  };
}

/**
 * The engine's contract version, ours declared on the way. An engine older than the declaration
 * refuses the field as INVALID_ARGUMENT: asked again without it, it still says its version.
 */
async function engineVersion(api: WalscopeApi): Promise<number | undefined> {
  const declared = await api.invoke('app.info', { contractVersion: CONTRACT_VERSION });
  if (declared.ok) return declared.value.contractVersion;
  if (declared.error.code !== 'INVALID_ARGUMENT') return undefined;
  const plain = await api.invoke('app.info', {});
  return plain.ok ? plain.value.contractVersion : undefined;
}
