/**
 * Framing of the contract over the serve-mode WebSocket (one JSON object per text frame, except
 * `stream.batch`, whose rows' JSON texts are spliced after a JSON header line: ws-batch.ts).
 * The socket is authenticated with the random token from the printed URL (`/#token=…`, read by
 * the page), offered as a second subprotocol `walscope.token.<token>` beside `walscope.v1`: the
 * server checks it before the upgrade and answers with `walscope.v1` only. The static page
 * needs no token; the server also checks Host and Origin (docs/decisions/0005-serve-mode-token.md).
 */
import { z } from 'zod';
import type { ErrorInfo } from '../errors';

export const WS_PATH = '/ws';
/** The subprotocol the server selects; the browser fails the socket unless one offered is echoed. */
export const WS_SUBPROTOCOL = 'walscope.v1';
/** Prefix of the subprotocol that carries the access token (never echoed back). */
export const WS_TOKEN_PROTOCOL_PREFIX = 'walscope.token.';
/** What a token looks like: base64url, so it is a valid subprotocol name as it is. */
export const WS_TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

/**
 * Events the page acknowledges (`{"kind":"ack"}`) once it has handled one and the next animation
 * frame has come: the server sends at most MAX_UNACKED_BATCHES of them ahead, so rows wait (and
 * coalesce, or are dropped and counted) in the engine's batcher instead of queueing in the browser.
 */
export const ACKED_EVENTS: ReadonlySet<string> = new Set(['stream.batch', 'wal.batch']);
export const MAX_UNACKED_BATCHES = 4;

export const ClientFrameSchema = z.union([
  z.strictObject({
    kind: z.literal('invoke'),
    id: z.number().int().nonnegative(),
    name: z.string().max(64),
    request: z.unknown(),
  }),
  z.strictObject({ kind: z.literal('ack') }),
]);

export type ServerFrame =
  | { kind: 'hello'; contractVersion: number }
  | { kind: 'result'; id: number; result: { ok: true; value: unknown } | { ok: false; error: ErrorInfo } }
  | { kind: 'event'; name: string; payload: unknown };
