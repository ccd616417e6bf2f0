// Loads and checks test/mutations/*.json (see bin/mutate.mjs). Shared with the unit test that keeps
// every mutation applicable as the code changes.
import fs from 'node:fs';
import path from 'node:path';

const FIELDS = ['property', 'file', 'find', 'replace', 'test'];

/** @returns {{name:string, property:string, file:string, find:string, replace:string, test:string, grep?:string, env?:Record<string,string>, build?:string}[]} */
export function loadMutations(root) {
  const dir = path.join(root, 'test/mutations');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const m = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
      for (const k of FIELDS) if (typeof m[k] !== 'string') throw new Error(`${f}: field ${k} missing`);
      return { name: f.replace(/\.json$/, ''), ...m };
    });
}

/** Problems that would make a mutation meaningless: its text no longer occurs exactly once, or its test is gone. */
export function mutationProblems(root, m) {
  const problems = [];
  const file = path.join(root, m.file);
  if (!fs.existsSync(file)) return [`${m.name}: ${m.file} does not exist`];
  const count = fs.readFileSync(file, 'utf8').split(m.find).length - 1;
  if (count !== 1) problems.push(`${m.name}: 'find' occurs ${count} times in ${m.file} (must be exactly once)`);
  if (m.find === m.replace) problems.push(`${m.name}: replace equals find`);
  if (!fs.existsSync(path.join(root, m.test))) problems.push(`${m.name}: test ${m.test} does not exist`);
  return problems;
}
