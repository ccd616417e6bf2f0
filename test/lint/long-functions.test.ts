import { describe, expect, it } from 'vitest';
import { judge, longFunctionsIn } from '../../bin/long-functions.mjs';

// bin/long-functions.mjs (npm run lint) measured on probe sources: what counts as one function,
// the name it is reported under, and when the allow-list makes the run fail.
const body = (lines: number): string => Array.from({ length: lines - 2 }, (_, i) => `  const v${i} = ${i};`).join('\n');
const fn = (head: string, lines: number): string => `${head} {\n${body(lines)}\n}`;

describe('long-functions', () => {
  it('reports a 61-line function with its line and length, and not a 60-line one', () => {
    const src = `${fn('function short()', 60)}\n${fn('function long()', 61)}\n`;
    expect(longFunctionsIn('probe.ts', src)).toEqual([{ line: 61, name: 'long', length: 61 }]);
  });

  it('names arrows by their variable, methods by their class and callbacks by their callee', () => {
    const src = [
      `const View = () => ${fn('', 61).trim()};`,
      fn('class Box {\n  method()', 62) + '\n}',
      `const store = create(() => ${fn('', 61).trim()});`,
      `const obj = { handler: ${fn('function ()', 61)} };`,
    ].join('\n');
    expect(longFunctionsIn('probe.tsx', src).map((f) => f.name)).toEqual([
      'View',
      'Box.method',
      'store.create()',
      'handler',
    ]);
  });

  it('does not measure describe/it callbacks but does measure functions inside them', () => {
    const src = `describe('x', () => {\n  it('y', () => {\n${fn('    function helper()', 61)}\n  });\n});\n`;
    expect(longFunctionsIn('probe.test.ts', src).map((f) => f.name)).toEqual(['helper']);
  });

  it('fails on unlisted findings, stale allow-list entries and entries without a reason', () => {
    const findings = [
      { file: 'a.ts', line: 1, name: 'listed', length: 70 },
      { file: 'a.ts', line: 9, name: 'unlisted', length: 70 },
    ];
    const verdict = judge(findings, { 'a.ts#listed': 'why', 'a.ts#gone': 'why', 'b.ts#x': '' });
    expect(verdict.unlisted.map((f) => f.name)).toEqual(['unlisted']);
    expect(verdict.stale).toEqual(['a.ts#gone', 'b.ts#x']);
    expect(verdict.reasonless).toEqual(['b.ts#x']);
  });
});
