/**
 * The DWARF line reader against modules clang 14 and wasm-ld build from
 * test/fixtures/cdriver/pool.c, before and after binaryen's wasm-opt: the C file:line of the
 * call into an import that throws, for DWARF 4 and 5, through --instrument-memory and --asyncify
 * with a real unwind and rewind.
 */
import { describe, expect } from 'vitest';
import {
  CSite,
  WasmLineTable,
  cFramesOfError,
  formatCFrame,
  readLineSequences,
  readWasmSections,
} from '../../src/cdriver/dwarf-lines.ts';
import { ShadowMemory, memoryInstrumentationImports } from '../../src/cdriver/shadow-memory.ts';
import {
  ASYNCIFY_IMPORTS,
  buildFixture,
  instantiateFixture,
  itWithToolchain,
  markedLines,
  PIPELINE,
  run,
} from '../support/cdriver.ts';
import { tempDirs } from '../support/temp.ts';

const tempDir = tempDirs('wsksim-cdriver-lines-');
const LINES = markedLines('pool.c');
const line = (mark: string): number => {
  const found = LINES.get(mark);
  if (found === undefined) throw new Error(`pool.c has no mark line:${mark}`);
  return found;
};

/** The error Report(Value) throws, with the frames under it. */
function reportError(bytes: Uint8Array, entry: string, value: number): unknown {
  const host = instantiateFixture(bytes, {
    env: memoryInstrumentationImports(new ShadowMemory(), new WasmLineTable(bytes)),
    report: (reported) => {
      throw new Error(`Report(${reported})`);
    },
  });
  try {
    host.callWaiting(entry, value);
  } catch (error) {
    return error;
  }
  throw new Error(`${entry} did not call Report`);
}


describe('cdriver: DWARF line table of a linked module', () => {
  for (const dwarf of ['-gdwarf-4', '-gdwarf-5']) {
    itWithToolchain(`an import's throw → the C lines of both calls under it (${dwarf}, -O1)`, () => {
      const bytes = buildFixture(tempDir(), 'pool.c', { cflags: [dwarf, '-O1'] });
      const lines = new WasmLineTable(bytes);
      expect(lines.hasLines).toBe(true);
      const frames = cFramesOfError(reportError(bytes, 'Nested', 4), lines);
      expect(frames.map(formatCFrame)).toEqual([
        `pool.c:${line('deep')} (Deep)`,
        `pool.c:${line('nested')} (Nested)`,
      ]);
      expect(frames[0]?.location?.column).toBe(3);
    });
  }

  const header = markedLines('include/report.h').get('header');
  const fromHeader = markedLines('header.c').get('from-header');
  for (const [dwarf, wasmOpt] of [['-gdwarf-4', undefined], ['-gdwarf-5', undefined],
    ['-gdwarf-4', PIPELINE]] as const) {
    const after = wasmOpt === undefined ? 'linked' : 'after the pipeline';
    itWithToolchain(`a function in a header → its include directory and name (${dwarf}, ${after})`, () => {
      const bytes = buildFixture(tempDir(), 'header.c', { cflags: [dwarf, '-O1'],
        ...(wasmOpt === undefined ? {} : { wasmOpt }) });
      const frames = cFramesOfError(reportError(bytes, 'FromHeader', 2), new WasmLineTable(bytes));
      expect(frames.map(formatCFrame)).toEqual([
        `include/report.h:${header} (ReportFromHeader)`,
        `header.c:${fromHeader} (FromHeader)`,
      ]);
    });
  }

  for (const wasmOpt of [undefined, PIPELINE]) {
    const after = wasmOpt === undefined ? 'linked' : 'after the pipeline';
    itWithToolchain(`two C files linked into one module → a line program each, both read (${after})`, () => {
      const bytes = buildFixture(tempDir(), ['pool.c', 'header.c'],
        wasmOpt === undefined ? {} : { wasmOpt });
      const lines = new WasmLineTable(bytes);
      const debugLine = readWasmSections(bytes).custom.get('.debug_line');
      const starts = readLineSequences(debugLine ?? new Uint8Array()).map((q) => q.start);
      // wasm-ld writes the dropped Unused at the tombstone; wasm-opt -g leaves it out.
      expect(starts.includes(0xffffffff)).toBe(wasmOpt === undefined);
      expect(cFramesOfError(reportError(bytes, 'Nested', 1), lines).map(formatCFrame)).toEqual([
        `pool.c:${line('deep')} (Deep)`,
        `pool.c:${line('nested')} (Nested)`,
      ]);
      expect(cFramesOfError(reportError(bytes, 'FromHeader', 1), lines).map(formatCFrame)).toEqual([
        `include/report.h:${header} (ReportFromHeader)`,
        `header.c:${fromHeader} (FromHeader)`,
      ]);
    });
  }

  itWithToolchain("V8's frame offset is module-relative; DWARF's is code-section-relative", () => {
    const bytes = buildFixture(tempDir(), 'pool.c');
    const lines = new WasmLineTable(bytes);
    const [deep] = cFramesOfError(reportError(bytes, 'Nested', 1), lines);
    expect(deep).toBeDefined();
    const moduleOffset = deep?.moduleOffset ?? 0;
    const { codeStart } = readWasmSections(bytes);
    expect(codeStart).toBeGreaterThan(0);
    expect(lines.lineAt(moduleOffset - codeStart)?.line).toBe(line('deep'));
    // The offset taken as code-relative lands elsewhere (or nowhere): not line:deep.
    expect(lines.lineAt(moduleOffset)?.line).not.toBe(line('deep'));
    // The call instruction's byte is 0x10 (`call`) at that module offset.
    expect(bytes[moduleOffset]).toBe(0x10);
  });

  itWithToolchain('wasm-opt without -g drops the line table: frames keep function index and offset', () => {
    const bytes = buildFixture(tempDir(), 'pool.c', { wasmOpt: ['--asyncify', ASYNCIFY_IMPORTS] });
    const lines = new WasmLineTable(bytes);
    expect(lines.hasLines).toBe(false);
    const frames = cFramesOfError(reportError(bytes, 'Nested', 1), lines);
    expect(frames[0]?.location).toBeUndefined();
    expect(formatCFrame(frames[0] ?? expect.fail('no frame'))).toMatch(/^wasm-function\[\d+\]\+0x/);
  });
});

describe('cdriver: lines through the wasm-opt pipeline', () => {
  for (const level of ['-O0', '-O1', '-O2']) {
    itWithToolchain(`instrument-memory then asyncify, unwound and rewound → the wait's and the call's lines (${level})`, () => {
      const bytes = buildFixture(tempDir(), 'pool.c', { cflags: ['-gdwarf-4', level], wasmOpt: PIPELINE });
      const lines = new WasmLineTable(bytes);
      const waits: string[] = [];
      let thrown: unknown;
      const host = instantiateFixture(bytes, {
        env: memoryInstrumentationImports(new ShadowMemory(), lines),
        waiting: () => void waits.push(new CSite(lines).toString()),
        report: (value) => {
          throw new Error(`Report(${value})`);
        },
      });
      try {
        host.callWaiting('WaitThenReport', 5);
      } catch (error) {
        thrown = error;
      }
      expect(host.unwinds).toBe(1);
      expect(waits).toEqual([`pool.c:${line('wait')} (WaitThenReport)`]);
      expect(cFramesOfError(thrown, lines).map(formatCFrame)).toEqual([
        `pool.c:${line('report')} (WaitThenReport)`,
      ]);
    });
  }

  itWithToolchain('binaryen 108 cannot rewrite DWARF 5 (wasm-opt -g fails): the pipeline uses -gdwarf-4', () => {
    const directory = tempDir();
    buildFixture(directory, 'pool.c', { cflags: ['-gdwarf-5', '-O1'] });
    expect(() => run('wasm-opt', ['linked.wasm', ...PIPELINE, '-o', 'out.wasm'], directory)).toThrow();
  });
});
