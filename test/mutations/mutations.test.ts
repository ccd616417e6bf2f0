import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadMutations, mutationProblems } from '../../bin/mutations.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('mutation checks (npm run mutate)', () => {
  it('every mutation still applies to exactly one place and names an existing test', () => {
    const all = loadMutations(root);
    const problems = all.flatMap((m) => mutationProblems(root, m));
    expect(problems).toEqual([]);
  });
});
