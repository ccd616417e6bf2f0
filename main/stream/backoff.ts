/**
 * Jittered exponential backoff ("equal jitter"): half the delay is fixed, half random, so a fleet
 * of clients that lost the same server does not reconnect in lockstep.
 */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /**
   * Reconnection attempts after a running stream was lost, before giving up with an error
   * (0: never reconnect; Infinity: never give up). The count starts again once streaming resumes.
   */
  maxAttempts: number;
}

/** About three minutes of attempts (each also bounded by the connect timeout), then an error. */
export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 250, maxMs: 15_000, maxAttempts: 20 };

export function backoffDelayMs(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(exp / 2 + (exp / 2) * random());
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
