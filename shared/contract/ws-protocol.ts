/**
 * Framing of the contract over the serve-mode WebSocket (one JSON object per text frame).
 * The page and the socket both need the random token from the printed URL
 * (`/?token=…` for the page, `/ws?token=…` for the socket); the server also checks Origin.
 */
import { z } from 'zod';
import type { ErrorInfo } from '../errors';

export const WS_PATH = '/ws';

export const ClientFrameSchema = z.strictObject({
  kind: z.literal('invoke'),
  id: z.number().int().nonnegative(),
  name: z.string().max(64),
  request: z.unknown(),
});

export type ServerFrame =
  | { kind: 'hello'; contractVersion: number }
  | { kind: 'result'; id: number; result: { ok: true; value: unknown } | { ok: false; error: ErrorInfo } }
  | { kind: 'event'; name: string; payload: unknown };
