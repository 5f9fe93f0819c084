/**
 * The C name of a place a driver called from, for a fault point's site (src/sim/site.ts): the
 * function and its C file:line, as a crash names a frame (`DriverEntry (driver.c:54)`), with the
 * call's code offset added (`DriverEntry (driver.c:54, wasm 0xeeb)`) when the function has more
 * than one call on that line (two calls on one line, or two copies of an inlined function), so
 * that no two call sites share a name. A fault-injecting strategy keys its decisions by the name
 * (the systematic strategy's sites, swarm's hashed half), so it must tell call sites apart as the
 * code offset alone did.
 *
 * The calls are found by decoding the module's code section ("WebAssembly Core Specification",
 * "Binary Format", "Instructions",
 * https://webassembly.github.io/spec/core/binary/instructions.html):
 * every `call` and `call_indirect`, except calls of the memory instrumentation's imports (module
 * "env", shadow-memory.ts), which are no driver's call and never a site's frame. A module whose
 * code this reader cannot decode (an instruction it does not know, such as SIMD) gets every site
 * with its offset.
 */
import { Reader, type CLocation, type WasmLineTable } from './dwarf-lines.ts';

const IMPORT_SECTION_ID = 2;
const CODE_SECTION_ID = 10;
const CALL = 0x10;
const CALL_INDIRECT = 0x11;

/** Names the call sites of one module; `name` is what site.ts shows for a frame. */
export class CallSiteNames {
  readonly #lines: WasmLineTable;
  /** Calls per function and C line, `index\nfile:line`; null when the code was not decoded. */
  readonly #calls: ReadonlyMap<string, number> | null;

  constructor(bytes: Uint8Array, lines: WasmLineTable) {
    this.#lines = lines;
    this.#calls = lines.hasLines ? countCalls(bytes, lines) : null;
  }

  /** `f (file:line)`, `f (file:line, wasm 0x…)`, or null when the line table does not say. */
  name(functionName: string, functionIndex: number, moduleOffset: number): string | null {
    const at = this.#lines.lineAtModuleOffset(moduleOffset);
    if (at === undefined) return null;
    const line = `${at.file}:${at.line}`;
    const shared = (this.#calls?.get(key(functionIndex, at)) ?? 2) > 1;
    const offset = shared ? `, wasm 0x${moduleOffset.toString(16)}` : '';
    return `${functionName} (${line}${offset})`;
  }
}

function key(functionIndex: number, at: CLocation): string {
  return `${functionIndex}\n${at.file}:${at.line}`;
}

/** How many calls each function makes from each C line; null when the code is not decodable. */
function countCalls(bytes: Uint8Array, lines: WasmLineTable): Map<string, number> | null {
  const counts = new Map<string, number>();
  try {
    const { instrumentation, imported, code } = readModule(bytes);
    if (code === null) return counts;
    const reader = new Reader(bytes, code.start, code.end);
    const functions = reader.uleb();
    for (let i = 0; i < functions; i++) {
      const size = reader.uleb();
      const end = reader.offset + size;
      const body = new Reader(bytes, reader.offset, end);
      for (const call of callsOf(body, instrumentation)) {
        const at = lines.lineAt(call - lines.codeStart);
        if (at === undefined) continue;
        const calls = key(imported + i, at);
        counts.set(calls, (counts.get(calls) ?? 0) + 1);
      }
      reader.offset = end;
    }
    return counts;
  } catch {
    return null;
  }
}

interface ModuleParts {
  /** Function indices of the `env` imports (the memory instrumentation). */
  readonly instrumentation: ReadonlySet<number>;
  /** How many functions are imported: the first defined function's index. */
  readonly imported: number;
  readonly code: { readonly start: number; readonly end: number } | null;
}

function readModule(bytes: Uint8Array): ModuleParts {
  const reader = new Reader(bytes, 8);
  let parts: ModuleParts = { instrumentation: new Set(), imported: 0, code: null };
  while (!reader.done) {
    const id = reader.u8();
    const size = reader.uleb();
    const end = reader.offset + size;
    if (id === IMPORT_SECTION_ID) {
      parts = { ...parts, ...readImports(new Reader(bytes, reader.offset, end)) };
    }
    if (id === CODE_SECTION_ID) parts = { ...parts, code: { start: reader.offset, end } };
    reader.offset = end;
  }
  return parts;
}

function readImports(reader: Reader): Omit<ModuleParts, 'code'> {
  const instrumentation = new Set<number>();
  let imported = 0;
  const count = reader.uleb();
  for (let i = 0; i < count; i++) {
    const module = name(reader);
    name(reader);
    const kind = reader.u8();
    if (kind === 0) {
      reader.uleb();
      if (module === 'env') instrumentation.add(imported);
      imported++;
    } else if (kind === 1) {
      reader.u8();
      limits(reader);
    } else if (kind === 2) {
      limits(reader);
    } else if (kind === 3) {
      reader.skip(2);
    } else {
      throw new Error(`import kind ${kind}`);
    }
  }
  return { instrumentation, imported };
}

function name(reader: Reader): string {
  const length = reader.uleb();
  const text = reader.bytes.subarray(reader.offset, reader.offset + length);
  reader.skip(length);
  return new TextDecoder().decode(text);
}

function limits(reader: Reader): void {
  const flags = reader.u8();
  reader.uleb();
  if (flags & 1) reader.uleb();
}

/** The module offsets of a body's calls, instrumentation's left out. */
function callsOf(body: Reader, instrumentation: ReadonlySet<number>): number[] {
  const calls: number[] = [];
  const groups = body.uleb();
  for (let i = 0; i < groups; i++) {
    body.uleb();
    body.u8();
  }
  while (!body.done) {
    const at = body.offset;
    const opcode = body.u8();
    if (opcode === CALL) {
      if (!instrumentation.has(body.uleb())) calls.push(at);
    } else if (opcode === CALL_INDIRECT) {
      body.uleb();
      body.uleb();
      calls.push(at);
    } else {
      skipImmediates(body, opcode);
    }
  }
  return calls;
}

/** Skips the immediates of every instruction clang and binaryen emit for wasm32 but SIMD's. */
function skipImmediates(body: Reader, opcode: number): void {
  if (opcode <= 0x01 || opcode === 0x05 || opcode === 0x0b || opcode === 0x0f) return;
  if (opcode >= 0x02 && opcode <= 0x04) return void body.sleb();
  if (opcode === 0x0c || opcode === 0x0d) return void body.uleb();
  if (opcode === 0x0e) {
    const targets = body.uleb();
    for (let i = 0; i <= targets; i++) body.uleb();
    return;
  }
  if (opcode === 0x1a || opcode === 0x1b) return;
  if (opcode === 0x1c) return void body.skip(body.uleb());
  if (opcode >= 0x20 && opcode <= 0x26) return void body.uleb();
  if (opcode >= 0x28 && opcode <= 0x3e) {
    body.uleb();
    return void body.uleb();
  }
  if (opcode === 0x3f || opcode === 0x40) return void body.u8();
  if (opcode === 0x41 || opcode === 0x42) return void skipLeb(body);
  if (opcode === 0x43) return body.skip(4);
  if (opcode === 0x44) return body.skip(8);
  if (opcode >= 0x45 && opcode <= 0xc4) return;
  if (opcode === 0xd0) return void body.u8();
  if (opcode === 0xd1) return;
  if (opcode === 0xd2) return void body.uleb();
  if (opcode === 0xfc) return skipPrefixed(body);
  throw new Error(`opcode 0x${opcode.toString(16)}`);
}

/** A LEB128 of any width (an i64.const's may pass 2^53). */
function skipLeb(body: Reader): void {
  while (body.u8() & 0x80);
}

/** The 0xfc instructions: saturating truncations, bulk memory, tables. */
function skipPrefixed(body: Reader): void {
  const op = body.uleb();
  if (op <= 7) return;
  if (op === 8) {
    body.uleb();
    return void body.u8();
  }
  if (op === 10) return body.skip(2);
  if (op === 11) return void body.u8();
  if (op === 12 || op === 14) {
    body.uleb();
    return void body.uleb();
  }
  if (op === 9 || op === 13 || (op >= 15 && op <= 17)) return void body.uleb();
  throw new Error(`opcode 0xfc ${op}`);
}
