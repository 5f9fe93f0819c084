import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  importCycles,
  importGraph,
  importsOf,
  LAYERS,
  layerOf,
  upwardImports,
  type ImportEdge,
} from './support/imports.ts';
import { formatFindings, scanSource, scanTree } from './support/tidy.ts';

const SRC = fileURLToPath(new URL('../src', import.meta.url));

describe('tidy', () => {
  it('src/ outside src/cli uses no clock, randomness, timer, environment or socket, keeps to 100 columns', () => {
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
      'async function f() { await g(); }',
      '// Math.random in a comment is fine',
      `const long = '${'x'.repeat(100)}';`,
    ].join('\n');
    const findings = scanSource('src/tcp/bad.ts', bad, 'tcp');
    expect(findings.map((f) => f.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12]);
    expect(findings[10]?.rule).toBe('line over 100 columns (116)');
    expect(findings[0]).toMatchObject({ file: 'src/tcp/bad.ts', line: 1, rule: expect.stringContaining('choice-source') });
  });

  it('src/cli may touch the outside world; the marked thread host may await', () => {
    expect(scanSource('src/cli/main.ts', 'const t = Date.now(); process.env.CI;', 'cli')).toEqual([]);
    expect(scanSource('src/sim/threads.ts', '// tidy: async-host\nasync function pump() { await x; }', 'sim')).toEqual([]);
  });
});

describe('layers', () => {
  const edges = importGraph(SRC);
  const format = (findings: readonly { file: string; line: number; rule: string }[]): string =>
    findings.map((f) => `${f.file}:${f.line}: ${f.rule}`).join('\n');

  it('every file of src/ belongs to a layer of the order', () => {
    const layers = new Set(edges.flatMap((edge) => [layerOf(edge.from), layerOf(edge.to)]));
    const known = new Set(LAYERS.flat());
    expect([...layers].filter((layer) => !known.has(layer))).toEqual([]);
    expect(layers).toEqual(new Set(['sim', 'topology', 'tcp', 'udp', 'nt', 'wsk', 'cdriver', 'simulation', 'report',
      'explore', 'index', 'cli']));
  });

  it('no import in src/ points up the layer order or sideways', () => {
    const findings = upwardImports(edges);
    expect(findings, `\n${format(findings)}\n`).toEqual([]);
  });

  it('no import cycle anywhere in src/, type-only imports included', () => {
    expect(importCycles(edges)).toEqual([]);
  });

  it('src/nt imports only src/sim and itself', () => {
    const reached = edges.filter((edge) => layerOf(edge.from) === 'nt').map((edge) => layerOf(edge.to));
    expect(new Set(reached)).toEqual(new Set(['sim', 'nt']));
  });

  it('reads type-only, multi-line and re-export statements', () => {
    const text = [
      "import type { A } from './a.ts';",
      'import {',
      '  B,',
      '  type C,',
      "} from '../tcp/c.ts';",
      "export * from './d.ts';",
      "export { E } from '../nt/e.ts';",
      "const s = 'import x from \\'./no.ts\\'';",
    ].join('\n');
    const found = importsOf('/r', '/r/src/wsk/x.ts', text).map((e) => `${e.line} ${e.to}`);
    expect(found).toEqual([
      '1 src/wsk/a.ts',
      '2 src/tcp/c.ts',
      '6 src/wsk/d.ts',
      '7 src/nt/e.ts',
    ]);
  });

  it('catches a planted cycle and a planted upward import, naming the files', () => {
    const planted: ImportEdge[] = [
      ...edges,
      { from: 'src/nt/irp.ts', to: 'src/wsk/socket.ts', line: 3 },
      { from: 'src/sim/trace.ts', to: 'src/sim/simulator.ts', line: 9 },
    ];
    const upward = upwardImports(planted);
    expect(upward).toEqual([
      expect.objectContaining({ file: 'src/nt/irp.ts', line: 3,
        rule: expect.stringContaining('nt must not import wsk') }),
    ]);
    const cycles = importCycles(planted);
    expect(cycles.some((cycle) => cycle.includes('src/sim/trace.ts') &&
      cycle.includes('src/sim/simulator.ts'))).toBe(true);
    expect(cycles.some((cycle) => cycle.includes('src/nt/irp.ts'))).toBe(true);
  });
});
