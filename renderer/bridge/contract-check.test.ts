import { describe, expect, it } from 'vitest';
import { CONTRACT_VERSION, type WalscopeApi } from '../../shared/contract';
import type { Result } from '../../shared/errors';
import { withContractCheck } from './contract-check';

/** A fake preload API recording each request; `info` answers app.info. */
function fakeApi(info: (request: unknown) => Result<unknown>) {
  const calls: [string, unknown][] = [];
  const api = {
    invoke: async (name: string, request: unknown) => {
      calls.push([name, request]);
      return name === 'app.info' ? info(request) : { ok: true, value: [] };
    },
    on: () => () => undefined,
  } as unknown as WalscopeApi;
  return { api, calls };
}

describe('desktop API contract check, the page side of both ends', () => {
  it("declares this page's contract version in its first request, app.info", async () => {
    const { api, calls } = fakeApi(() => ({ ok: true, value: { contractVersion: CONTRACT_VERSION } }));
    expect(await withContractCheck(api).invoke('profiles.list', {})).toEqual({ ok: true, value: [] });
    expect(calls).toEqual([
      ['app.info', { contractVersion: CONTRACT_VERSION }],
      ['profiles.list', {}],
    ]);
  });

  it('still learns the version of an engine that refuses the declaration, and refuses to talk to it', async () => {
    const old = CONTRACT_VERSION - 1;
    const { api, calls } = fakeApi((r) =>
      Object.keys(r as object).length
        ? { ok: false, error: { code: 'INVALID_ARGUMENT', message: 'unrecognized key' } }
        : { ok: true, value: { contractVersion: old } },
    );
    expect(await withContractCheck(api).invoke('profiles.list', {})).toMatchObject({
      ok: false,
      error: { code: 'CONTRACT', message: expect.stringContaining(`engine speaks ${old}`) },
    });
    expect(calls.map(([name]) => name)).toEqual(['app.info', 'app.info']);
  });
});
