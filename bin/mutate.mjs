#!/usr/bin/env node
// `npm run mutate [-- name…]`: the mutation checks behind the safety properties (issue 13).
// Each test/mutations/<name>.json injects one bug (an exact, unique `find` → `replace` in one
// source file), runs the test that guards the property, and expects it to FAIL. The file is
// restored afterwards whatever happens. A mutation whose test stays green is reported and the
// run exits 1: that test cannot catch the bug it claims to catch. Each test first runs on the
// code as it is (skip with --no-baseline): a test that fails anyway — broken or flaky — proves
// nothing by failing under the mutation, and is reported as BASELINE and fails the run too.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMutations } from './mutations.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const baseline = !process.argv.includes('--no-baseline');
const mutations = loadMutations(root).filter((m) => wanted.length === 0 || wanted.includes(m.name));
if (mutations.length === 0) {
  console.error('mutate: no mutation matches', wanted.join(' '));
  process.exit(2);
}

function runTest(m) {
  const env = { ...process.env, ...(m.env ?? {}) };
  const isE2e = m.test.endsWith('.spec.ts');
  const args = isE2e
    ? ['playwright', 'test', '-c', 'e2e/playwright.config.ts', m.test, ...(m.grep ? ['-g', m.grep] : [])]
    : ['vitest', 'run', m.test, ...(m.grep ? ['-t', m.grep] : [])];
  const r = spawnSync('npx', args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  // Colours off the text, so the checks below read it as printed.
  // eslint-disable-next-line no-control-regex
  const out = `${r.stdout}\n${r.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
  return { code: r.status ?? 1, out };
}

const notFound = (out) => /No test files found|No tests found/.test(out);

let survived = 0;
for (const m of mutations) {
  const file = path.join(root, m.file);
  const original = fs.readFileSync(file, 'utf8');
  if (m.build) spawnSync('npm', ['run', m.build], { cwd: root, stdio: 'ignore' });
  if (baseline) {
    const clean = runTest(m);
    // Some test must have run and passed: a filter matching nothing exits 0 with every test skipped.
    if (clean.code !== 0 || notFound(clean.out) || !/\b[1-9]\d* passed/.test(clean.out)) {
      survived += 1;
      console.log(`BASELINE ${m.name} — its test fails without the mutation (or matches nothing)`);
      console.log(clean.out.split('\n').slice(-30).join('\n'));
      continue;
    }
  }
  fs.writeFileSync(
    file,
    original.replace(m.find, () => m.replace),
  );
  let result;
  try {
    if (m.build) spawnSync('npm', ['run', m.build], { cwd: root, stdio: 'ignore' });
    result = runTest(m);
  } finally {
    fs.writeFileSync(file, original);
    if (m.build) spawnSync('npm', ['run', m.build], { cwd: root, stdio: 'ignore' });
  }
  const killed = result.code !== 0 && !notFound(result.out);
  if (!killed) survived += 1;
  console.log(`${killed ? 'killed  ' : 'SURVIVED'} ${m.name} — ${m.property}`);
  if (!killed) console.log(result.out.split('\n').slice(-30).join('\n'));
}
console.log(`${mutations.length - survived}/${mutations.length} mutations made their test fail`);
process.exit(survived === 0 ? 0 : 1);
