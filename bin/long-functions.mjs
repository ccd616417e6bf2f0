#!/usr/bin/env node
// `node bin/long-functions.mjs` (part of `npm run lint`): lists every function longer than 60 lines
// (issue 13: long functions hide several responsibilities and make reviews guess). Each finding
// prints `file:line name length`. The run exits 1 when a long function is not in
// bin/long-functions.allow.json (file#name → reason) or when an allow-list entry no longer matches
// a long function, so the list only shrinks. Test-framework callbacks (describe/it/…) are suites,
// not functions, and are not measured themselves; functions inside them are.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const LIMIT = 60;
const EXTENSIONS = /\.(ts|tsx|mts|mjs|js)$/;
/** Generated or vendored paths: nobody edits them by hand. */
const SKIP = [/^node_modules\//, /^out\//, /^dist\//, /\.d\.m?ts$/, /\/fixtures\//];
/** Calls whose callback is a test suite or case, not a function someone designs. */
const SUITE_CALLS = new Set(['describe', 'it', 'test', 'bench']);

function nameOf(node) {
  const n = node.name;
  if (n === undefined) return undefined;
  if (ts.isIdentifier(n) || ts.isPrivateIdentifier(n) || ts.isStringLiteral(n) || ts.isNumericLiteral(n)) return n.text;
  return n.getText();
}

function calleeName(call) {
  const e = call.expression;
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) {
    // it.each(…)(…), test.skip(…), describe.concurrent(…): the suite word is the object.
    let base = e.expression;
    while (ts.isCallExpression(base) || ts.isPropertyAccessExpression(base)) base = base.expression;
    return ts.isIdentifier(base) && SUITE_CALLS.has(base.text) ? base.text : e.name.text;
  }
  if (ts.isCallExpression(e)) return calleeName(e);
  return undefined;
}

/** The name a reader would use for this function, or undefined for a suite callback. */
function functionName(node) {
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const own = nameOf(node);
  if (own !== undefined && !ts.isFunctionExpression(node)) return own;
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) {
    return nameOf(parent);
  }
  if (ts.isCallExpression(parent)) {
    const callee = calleeName(parent) ?? 'call';
    if (SUITE_CALLS.has(callee)) return undefined;
    // `const useStore = create()((set) => …)`: the variable says which callback this is.
    let holder = parent.parent;
    while (ts.isCallExpression(holder)) holder = holder.parent;
    return ts.isVariableDeclaration(holder) ? `${nameOf(holder)}.${callee}()` : `${callee}()`;
  }
  if (ts.isBinaryExpression(parent) && ts.isPropertyAccessExpression(parent.left)) return parent.left.name.text;
  return own ?? '<anonymous>';
}

function isFunctionLike(node) {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node) ||
    ts.isArrowFunction(node) ||
    ts.isFunctionExpression(node)
  );
}

/** Long functions in one source text: [{ line, name, length }], names qualified by their container. */
export function longFunctionsIn(fileName, text, limit = LIMIT) {
  const kind = fileName.endsWith('.tsx')
    ? ts.ScriptKind.TSX
    : fileName.endsWith('.ts')
      ? ts.ScriptKind.TS
      : ts.ScriptKind.JS;
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, kind);
  const found = [];
  const seen = new Map();
  const visit = (node, scope) => {
    let inner = scope;
    if (ts.isClassDeclaration(node) || ts.isClassExpression(node)) {
      inner = [...scope, nameOf(node) ?? '<class>'];
    } else if (isFunctionLike(node) && node.body !== undefined) {
      const name = functionName(node);
      if (name !== undefined) {
        inner = [...scope, name];
        const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
        const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
        const length = end - start + 1;
        if (length > limit) {
          let qualified = inner.join('.');
          const n = (seen.get(qualified) ?? 0) + 1;
          seen.set(qualified, n);
          if (n > 1) qualified += `#${n}`;
          found.push({ line: start + 1, name: qualified, length });
        }
      }
    }
    ts.forEachChild(node, (child) => visit(child, inner));
  };
  visit(source, []);
  return found;
}

/** Compare findings against the allow-list: what fails the run and what is merely reported. */
export function judge(findings, allow) {
  const keys = new Set(findings.map((f) => `${f.file}#${f.name}`));
  const unlisted = findings.filter((f) => allow[`${f.file}#${f.name}`] === undefined);
  const stale = Object.keys(allow).filter((k) => !keys.has(k));
  const reasonless = Object.entries(allow)
    .filter(([, reason]) => typeof reason !== 'string' || reason.trim() === '')
    .map(([k]) => k);
  return { unlisted, stale, reasonless };
}

function trackedFiles(root) {
  const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  });
  return out
    .split('\n')
    .filter((f) => EXTENSIONS.test(f) && !SKIP.some((re) => re.test(f)) && fs.existsSync(path.join(root, f)));
}

function main() {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const allowPath = path.join(root, 'bin/long-functions.allow.json');
  const allow = fs.existsSync(allowPath) ? JSON.parse(fs.readFileSync(allowPath, 'utf8')) : {};
  const findings = trackedFiles(root).flatMap((file) =>
    longFunctionsIn(file, fs.readFileSync(path.join(root, file), 'utf8')).map((f) => ({ file, ...f })),
  );
  findings.sort((a, b) => b.length - a.length);
  const all = process.argv.includes('--all');
  for (const f of findings) {
    const listed = allow[`${f.file}#${f.name}`] !== undefined;
    if (all || !listed) console.log(`${f.file}:${f.line} ${f.name} ${f.length}${listed ? ' (allowed)' : ''}`);
  }
  const { unlisted, stale, reasonless } = judge(findings, allow);
  for (const k of stale) console.log(`stale allow-list entry (no longer over ${LIMIT} lines or gone): ${k}`);
  for (const k of reasonless) console.log(`allow-list entry without a reason: ${k}`);
  const allowed = findings.length - unlisted.length;
  console.log(
    `long-functions: ${findings.length} over ${LIMIT} lines (${allowed} allow-listed, ${unlisted.length} not); ` +
      `${stale.length} stale entries`,
  );
  if (unlisted.length > 0 || stale.length > 0 || reasonless.length > 0) {
    console.log(`Split them by responsibility, or add "file#name": "why" to bin/long-functions.allow.json.`);
    process.exit(1);
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
