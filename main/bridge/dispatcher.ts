import { COMMANDS, type CommandName, type CommandResponse, type ParsedCommandRequest } from '../../shared/contract';
import type { Result } from '../../shared/errors';
import { toWalscopeError } from '../stream/pg-errors';

/**
 * The transport-independent entry for every request from a renderer: the command name must be in
 * the contract, the payload must pass its schema (unknown keys rejected), and whatever happens the
 * answer is a Result envelope — thrown errors lose everything but the message across IPC.
 */
export type Handlers = {
  [K in CommandName]: (request: ParsedCommandRequest<K>) => Promise<CommandResponse<K>>;
};

export interface Dispatcher {
  invoke(name: string, request: unknown): Promise<Result<unknown>>;
}

function isCommand(name: string): name is CommandName {
  return Object.prototype.hasOwnProperty.call(COMMANDS, name);
}

export function createDispatcher(handlers: Handlers): Dispatcher {
  return {
    async invoke(name, request) {
      if (typeof name !== 'string' || !isCommand(name)) {
        return {
          ok: false,
          error: { code: 'INVALID_ARGUMENT', message: `unknown command ${JSON.stringify(String(name)).slice(0, 80)}` },
        };
      }
      const parsed = COMMANDS[name].request.safeParse(request);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
        return {
          ok: false,
          error: {
            code: 'INVALID_ARGUMENT',
            message: `invalid ${name} request${where}: ${issue?.message ?? 'malformed'}`,
          },
        };
      }
      try {
        const handler = handlers[name] as (r: unknown) => Promise<unknown>;
        return { ok: true, value: await handler(parsed.data) };
      } catch (err) {
        return { ok: false, error: toWalscopeError(err).toInfo() };
      }
    },
  };
}
