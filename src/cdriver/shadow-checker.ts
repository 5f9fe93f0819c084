/**
 * The memory-instrumentation hooks as a small wasm module of their own, so that a driver's load
 * or store calls wasm, not JavaScript: a call from one wasm instance to another's export costs
 * a few nanoseconds, a call into JavaScript about ten times that, and binaryen's
 * --instrument-memory makes two calls per access (the pointer hook and the value hook).
 *
 * The module owns the shadow bytes (its memory 0, one byte per byte of the driver's memory up
 * to the highest pool block, src/cdriver/shadow-memory.ts writes them) and two globals, `low`
 * and `high`, the range any pool byte lies in. load_ptr / store_ptr(id, bytes, offset, pointer)
 * return at once outside [low, high); inside, they read the shadow bytes of the bytes accessed
 * and call the import env.violation(address, bytes, isStore) when one is freed, in a redzone
 * or in a block armed for its next touch (a state with bit 1 set; shadow-memory.ts sorts them
 * out). The value hooks return their value. The module is named
 * `wsksim_shadow` in its name section, so its frames in a V8 stack read
 * `wasm://wasm/wsksim_shadow-<hash>` and are left out of the driver's C frames.
 *
 * Encoding: the WebAssembly specification's binary format (section 5), written out by hand
 * because it is 150 bytes and never changes.
 */

import { HELPER_MODULE_PREFIX } from './dwarf-lines.ts';

/** The module name its frames carry (dwarf-lines.ts skips them). */
export const CHECKER_MODULE_NAME = `${HELPER_MODULE_PREFIX}shadow`;

const I32 = 0x7f;
const I64 = 0x7e;
const F32 = 0x7d;
const F64 = 0x7c;

const op = {
  block: 0x02, loop: 0x03, if: 0x04, end: 0x0b, br: 0x0c, brIf: 0x0d, call: 0x10,
  localGet: 0x20, localSet: 0x21, localTee: 0x22, globalGet: 0x23, i32Load8u: 0x2d,
  i32Const: 0x41, i32LtU: 0x49, i32GtU: 0x4b, i32Add: 0x6a, i32Sub: 0x6b, i32And: 0x71,
  i32Shl: 0x74, i64Load: 0x29, i64Const: 0x42, i64Ne: 0x52, i64And: 0x83, i64ShrU: 0x88,
  i64ExtendI32U: 0xad, void: 0x40,
} as const;

function uleb(value: number): number[] {
  const bytes: number[] = [];
  let rest = value >>> 0;
  do {
    const byte = rest & 0x7f;
    rest >>>= 7;
    bytes.push(rest === 0 ? byte : byte | 0x80);
  } while (rest !== 0);
  return bytes;
}

function vector(items: readonly number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function text(value: string): number[] {
  const bytes = [...new TextEncoder().encode(value)];
  return [...uleb(bytes.length), ...bytes];
}

function section(id: number, contents: readonly number[]): number[] {
  return [id, ...uleb(contents.length), ...contents];
}

function funcType(params: readonly number[], results: readonly number[]): number[] {
  return [0x60, ...vector(params.map((t) => [t])), ...vector(results.map((t) => [t]))];
}

/** Signed LEB128 of a 64-bit constant. */
function sleb64(value: bigint): number[] {
  const bytes: number[] = [];
  let rest = BigInt.asIntN(64, value);
  for (;;) {
    const byte = Number(rest & 0x7fn);
    rest >>= 7n;
    const done = (rest === 0n && (byte & 0x40) === 0) || (rest === -1n && (byte & 0x40) !== 0);
    bytes.push(done ? byte : byte | 0x80);
    if (done) return bytes;
  }
}

/**
 * Bit 1 of each of 8 shadow bytes: set in FREED (2) and REDZONE (3), clear in outside (0) and
 * LIVE (1), so one 64-bit load and mask checks an access of up to 8 bytes.
 */
const BAD_STATES = 0x0202020202020202n;

/**
 * load_ptr / store_ptr: parameters 0 id, 1 bytes, 2 offset, 3 pointer; locals 4 at. The shadow
 * bytes of [at, at + bytes) are read as one i64 (the shadow memory has 16 bytes of slack past the
 * highest block) masked to `bytes` bytes: BAD_STATES >> 8 * (8 - bytes). An access wider than 8
 * bytes (v128) is checked on its first 8.
 */
function checkBody(isStore: number): number[] {
  const code = [
    // at = pointer + offset; if (at < high && at + bytes > low) { … }
    op.localGet, 3, op.localGet, 2, op.i32Add, op.localTee, 4,
    op.globalGet, 1, op.i32LtU,
    op.localGet, 4, op.localGet, 1, op.i32Add,
    op.globalGet, 0, op.i32GtU,
    op.i32And,
    op.if, op.void,
    // if (load64(at) & (BAD_STATES >> ((8 - bytes) << 3))) violation(at, bytes, isStore)
    op.localGet, 4, op.i64Load, 0, 0,
    op.i64Const, ...sleb64(BAD_STATES),
    op.i32Const, 8, op.localGet, 1, op.i32Sub, op.i32Const, 3, op.i32Shl, op.i64ExtendI32U,
    op.i64ShrU,
    op.i64And, op.i64Const, 0, op.i64Ne,
    op.if, op.void,
    op.localGet, 4, op.localGet, 1, op.i32Const, isStore, op.call, 0,
    op.end,
    op.end,
    op.localGet, 3,
    op.end,
  ];
  const locals = vector([[1, I32]]);
  return [...uleb(locals.length + code.length), ...locals, ...code];
}

function identityBody(): number[] {
  const code = [0, op.localGet, 1, op.end];
  return [...uleb(code.length), ...code];
}

/** The checker module's bytes. */
export function checkerModuleBytes(): Uint8Array {
  const types = section(1, vector([
    funcType([I32, I32, I32, I32], [I32]),
    funcType([I32, I32], [I32]),
    funcType([I32, I64], [I64]),
    funcType([I32, F32], [F32]),
    funcType([I32, F64], [F64]),
    funcType([I32, I32, I32], []),
  ]));
  const imports = section(2, vector([[...text('env'), ...text('violation'), 0x00, 5]]));
  // Functions 1..6 (0 is the import): load_ptr, store_ptr, then the value hooks by type.
  const functions = section(3, vector([[0], [0], [1], [2], [3], [4]]));
  const memory = section(5, vector([[0x00, 1]]));
  // low starts at 0xffffffff and high at 0: no pool block yet, every access returns at once.
  const globals = section(6, vector([
    [I32, 0x01, op.i32Const, 0x7f, op.end],
    [I32, 0x01, op.i32Const, 0x00, op.end],
  ]));
  const exportOf = (name: string, kind: number, index: number): number[] =>
    [...text(name), kind, index];
  const exports = section(7, vector([
    exportOf('load_ptr', 0, 1),
    exportOf('store_ptr', 0, 2),
    exportOf('load_val_i32', 0, 3),
    exportOf('store_val_i32', 0, 3),
    exportOf('load_val_i64', 0, 4),
    exportOf('store_val_i64', 0, 4),
    exportOf('load_val_f32', 0, 5),
    exportOf('store_val_f32', 0, 5),
    exportOf('load_val_f64', 0, 6),
    exportOf('store_val_f64', 0, 6),
    exportOf('memory', 2, 0),
    exportOf('low', 3, 0),
    exportOf('high', 3, 1),
  ]));
  const code = section(10, vector([
    checkBody(0), checkBody(1), identityBody(), identityBody(), identityBody(), identityBody(),
  ]));
  const moduleName = [0, ...uleb(text(CHECKER_MODULE_NAME).length), ...text(CHECKER_MODULE_NAME)];
  const names = section(0, [...text('name'), ...moduleName]);
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...types, ...imports, ...functions, ...memory, ...globals, ...exports, ...code, ...names,
  ]);
}

/** The WebAssembly JS API as used here (the project's lib is ES2022, without DOM's). */
interface WasmGlobal {
  value: number;
}
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}

export interface ShadowChecker {
  /** The hooks to import into the driver: wasm functions, called wasm to wasm. */
  readonly hooks: Readonly<Record<string, unknown>>;
  readonly memory: WasmMemory;
  /** Sets the range of pool bytes; accesses outside it are not looked at. */
  setBounds(low: number, high: number): void;
}

let compiled: object | undefined;

/** A checker instance calling `violation` for each access to a freed or redzone byte. */
export function instantiateChecker(
  violation: (address: number, bytes: number, isStore: number) => void,
): ShadowChecker {
  const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  compiled ??= new wasm.Module(checkerModuleBytes());
  const instance = new wasm.Instance(compiled, { env: { violation } });
  const exports = instance.exports;
  const low = exports['low'] as WasmGlobal;
  const high = exports['high'] as WasmGlobal;
  const hooks: Record<string, unknown> = {};
  for (const kind of ['load', 'store']) {
    hooks[`${kind}_ptr`] = exports[`${kind}_ptr`];
    for (const type of ['i32', 'i64', 'f32', 'f64']) {
      hooks[`${kind}_val_${type}`] = exports[`${kind}_val_${type}`];
    }
  }
  return {
    hooks,
    memory: exports['memory'] as WasmMemory,
    setBounds(lowest, highest) {
      low.value = lowest | 0;
      high.value = highest | 0;
    },
  };
}
