import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatFindings, scanSource, scanTree } from './support/tidy.ts';

const SRC = fileURLToPath(new URL('../src', import.meta.url));

describe('tidy', () => {
  it('src/ outside src/cli uses no clock, randomness, timer, environment or socket, imports downward, keeps to 100 columns', () => {
    const findings = scanTree(SRC);
    expect(findings, `\n${formatFindings(findings)}\n`).toEqual([]);
  });

  it('the scanner catches each banned construct with file:line', () => {
    const bad = [
      'const a = Math.random();',
      'const b = Date.now();',
      'const c = performance.now();',
      'const d = process.hrtime.bigint();',
      "import { randomBytes } from 'node:crypto';",
      'setTimeout(() => 1, 5);',
      'queueMicrotask(() => 1);',
      'const e = process.env.SEED;',
      "import net from 'node:net';",
      "import { x } from '../wsk/irp.ts';",
      'async function f() { await g(); }',
      '// Math.random in a comment is fine',
      `const long = '${'x'.repeat(100)}';`,
    ].join('\n');
    const findings = scanSource('src/tcp/bad.ts', bad, 'tcp');
    expect(findings.map((f) => f.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13]);
    expect(findings[11]?.rule).toBe('line over 100 columns (116)');
    expect(findings[0]).toMatchObject({ file: 'src/tcp/bad.ts', line: 1, rule: expect.stringContaining('choice-source') });
    expect(findings[9]?.rule).toBe('import direction: tcp must not import wsk (order: sim → topology → tcp → wsk → explore → report → cli)');
  });

  it('src/cli may touch the outside world; the marked thread host may await', () => {
    expect(scanSource('src/cli/main.ts', 'const t = Date.now(); process.env.CI;', 'cli')).toEqual([]);
    expect(scanSource('src/sim/threads.ts', '// tidy: async-host\nasync function pump() { await x; }', 'sim')).toEqual([]);
  });
});
