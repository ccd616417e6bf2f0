import { WalscopeError } from '../../shared/errors';

/** The WalscopeError code a promise rejects with (fails the test if it resolves or throws anything else). */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof WalscopeError) return e.code;
    throw e;
  }
  throw new Error('expected a WalscopeError');
}
