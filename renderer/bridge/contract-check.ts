import { CONTRACT_VERSION, contractMismatch, type WalscopeApi } from '../../shared/contract';
import type { ErrorInfo } from '../../shared/errors';

/**
 * The desktop app's API checked against this page's contract version: the renderer bundle is
 * built apart from the shell (out/renderer), so a stale one can meet a newer engine. The engine's
 * version comes from `app.info`; until it has answered, requests wait; on a mismatch every request
 * gets the CONTRACT error instead of reaching the engine.
 */
export function withContractCheck(inner: WalscopeApi): WalscopeApi {
  const verdict: Promise<ErrorInfo | undefined> = inner
    .invoke('app.info', {})
    .then((r) =>
      r.ok && r.value.contractVersion !== CONTRACT_VERSION
        ? contractMismatch(CONTRACT_VERSION, r.value.contractVersion)
        : undefined,
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
