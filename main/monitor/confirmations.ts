import { randomBytes } from 'node:crypto';
import { WalscopeError } from '../../shared/errors';

/**
 * One-time confirmation tokens for the operations that lose data (drop, advance): step 1 shows
 * what would be lost and issues a token bound to the operation, the slot and what was shown;
 * step 2 runs only with that token, once, within its lifetime. A token for one slot or one
 * operation is worthless for another.
 */
export type Confirmable = { op: 'drop'; slot: string } | { op: 'advance'; slot: string; target: bigint };

export const TOKEN_TTL_MS = 120_000;

export class Confirmations {
  private readonly tokens = new Map<string, { subject: Confirmable; expires: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  issue(subject: Confirmable): { token: string; expiresAtMs: number } {
    this.sweep();
    const token = randomBytes(16).toString('hex');
    const expiresAtMs = this.now() + TOKEN_TTL_MS;
    this.tokens.set(token, { subject, expires: expiresAtMs });
    return { token, expiresAtMs };
  }

  /** Uses the token up (whatever happens next) and returns what it confirmed, or throws. */
  take<K extends Confirmable['op']>(token: string, op: K, slot: string): Extract<Confirmable, { op: K }> {
    const t = this.tokens.get(token);
    this.tokens.delete(token);
    if (!t || t.subject.op !== op || t.subject.slot !== slot || t.expires < this.now()) {
      throw new WalscopeError({
        code: 'INVALID_ARGUMENT',
        message: `no valid confirmation for ${op === 'drop' ? 'dropping' : 'advancing'} slot "${slot}"`,
        hint: `Review the slot again (${op === 'drop' ? 'describe the drop' : 'preview the advance'}) and confirm within two minutes.`,
      });
    }
    return t.subject as Extract<Confirmable, { op: K }>;
  }

  /** Expired tokens go, so a client asking for previews without confirming cannot grow the map. */
  private sweep(): void {
    const now = this.now();
    for (const [token, t] of this.tokens) if (t.expires < now) this.tokens.delete(token);
  }
}
