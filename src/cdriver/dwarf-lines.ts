/**
 * C file:line for a driver compiled to wasm32: a reader of the module's DWARF line table
 * (.debug_line, DWARF 4 and 5 as clang emits them with -g, "DWARF Debugging Information Format
 * Version 5", section 6.2 "Line Number Information") and of its "name" section (function names,
 * the WebAssembly specification's appendix "Custom Sections", "Name Section").
 *
 * Offsets. DWARF addresses in a wasm module are offsets from the start of the code section's
 * contents, after its id and size ("DWARF for WebAssembly", "Code Addresses",
 * https://yurydelendik.github.io/webassembly-dwarf/). V8 prints a wasm frame as
 * `wasm://wasm/<hash>:wasm-function[N]:0x1a2b`, where
 * 0x1a2b is the byte offset in the whole module (test/cdriver/dwarf-lines.test.ts checks both
 * against a compiled fixture). So
 * `lineAt` takes a code-section offset and `lineAtModuleOffset` a module offset; a caller frame's
 * offset is that of its `call` instruction, which maps to the line of the call.
 *
 * What is not read: .debug_info. A function inlined into another reports the line inside the
 * inlined body (the line table says so) but the name of the wasm function it was inlined into.
 * Rows with line 0 (code the compiler attributes to no line) give no location.
 */

/** A place in the C sources. `file` is the path as compiled, joined with its directory when
 * the line table names one other than the compilation directory. */
export interface CLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** One wasm frame of a JS stack, with its C location when the line table covers it. */
export interface CFrame {
  /** The function's index in the module's function index space (imports first). */
  readonly functionIndex: number;
  /** The function's name from the "name" section, or `wasm-function[N]`. */
  readonly function: string;
  /** The byte offset in the module V8 printed. */
  readonly moduleOffset: number;
  readonly location: CLocation | undefined;
}

const DW_LNS_copy = 1;
const DW_LNS_advance_pc = 2;
const DW_LNS_advance_line = 3;
const DW_LNS_set_file = 4;
const DW_LNS_set_column = 5;
const DW_LNS_negate_stmt = 6;
const DW_LNS_const_add_pc = 8;
const DW_LNS_fixed_advance_pc = 9;
const DW_LNE_end_sequence = 1;
const DW_LNE_set_address = 2;
const DW_LNE_define_file = 3;
const DW_LNCT_path = 1;
const DW_LNCT_directory_index = 2;
const DW_FORM = {
  block: 0x09, data1: 0x0b, data2: 0x05, data4: 0x06, data8: 0x07, data16: 0x1e, string: 0x08,
  strp: 0x0e, lineStrp: 0x1f, udata: 0x0f,
} as const;
/** wasm-ld writes this address for code it discarded (a dead function's line rows). */
const TOMBSTONE = 0xffffffff;
const CODE_SECTION_ID = 10;

/** A little-endian cursor over bytes; every read checks its bounds. */
export class Reader {
  readonly bytes: Uint8Array;
  readonly end: number;
  offset: number;
  constructor(bytes: Uint8Array, offset = 0, end = bytes.length) {
    this.bytes = bytes;
    this.offset = offset;
    this.end = end;
  }
  get done(): boolean {
    return this.offset >= this.end;
  }
  #need(count: number): void {
    if (this.offset + count > this.end) {
      throw new RangeError(`DWARF/wasm read past the end at byte ${this.offset}`);
    }
  }
  u8(): number {
    this.#need(1);
    return this.bytes[this.offset++] as number;
  }
  u16(): number {
    return this.u8() | (this.u8() << 8);
  }
  u32(): number {
    return (this.u16() | (this.u16() << 16)) >>> 0;
  }
  /** A 64-bit value as a number: exact below 2^53, which every offset here is. */
  u64(): number {
    const low = this.u32();
    return low + this.u32() * 2 ** 32;
  }
  uleb(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const byte = this.u8();
      result += (byte & 0x7f) * scale;
      scale *= 128;
      if (byte < 0x80) return result;
    }
  }
  sleb(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const byte = this.u8();
      result += (byte & 0x7f) * scale;
      scale *= 128;
      if (byte < 0x80) return byte & 0x40 ? result - scale : result;
    }
  }
  skip(count: number): void {
    this.#need(count);
    this.offset += count;
  }
  cstring(): string {
    const start = this.offset;
    while (this.u8() !== 0);
    return textOf(this.bytes.subarray(start, this.offset - 1));
  }
}

const decoder = new TextDecoder();
function textOf(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** The parts of a wasm module this file reads. */
export interface WasmSections {
  /** Module offset of the code section's contents: DWARF address 0. */
  readonly codeStart: number;
  readonly codeSize: number;
  readonly custom: ReadonlyMap<string, Uint8Array>;
}

/** Splits a wasm binary into the code section's place and the custom sections by name. */
export function readWasmSections(bytes: Uint8Array): WasmSections {
  const reader = new Reader(bytes);
  const magic = reader.u32();
  const version = reader.u32();
  if (magic !== 0x6d736100 || version !== 1) throw new Error('not a wasm module (version 1)');
  const custom = new Map<string, Uint8Array>();
  let codeStart = -1;
  let codeSize = 0;
  while (!reader.done) {
    const id = reader.u8();
    const size = reader.uleb();
    const start = reader.offset;
    if (id === 0) {
      const length = reader.uleb();
      const name = textOf(bytes.subarray(reader.offset, reader.offset + length));
      reader.skip(length);
      custom.set(name, bytes.subarray(reader.offset, start + size));
    } else if (id === CODE_SECTION_ID) {
      codeStart = start;
      codeSize = size;
    }
    reader.offset = start;
    reader.skip(size);
  }
  return { codeStart, codeSize, custom };
}

/** Function names by index from the "name" section's subsection 1. */
export function readFunctionNames(section: Uint8Array | undefined): Map<number, string> {
  const names = new Map<number, string>();
  if (section === undefined) return names;
  const reader = new Reader(section);
  while (!reader.done) {
    const id = reader.u8();
    const size = reader.uleb();
    const end = reader.offset + size;
    if (id === 1) {
      const count = reader.uleb();
      for (let i = 0; i < count; i++) {
        const index = reader.uleb();
        const length = reader.uleb();
        names.set(index, textOf(section.subarray(reader.offset, reader.offset + length)));
        reader.skip(length);
      }
    }
    reader.offset = end;
  }
  return names;
}

/** One line program's rows between a set_address and its end_sequence, addresses ascending. */
interface Sequence {
  readonly start: number;
  readonly end: number;
  readonly addresses: Uint32Array;
  readonly lines: Uint32Array;
  readonly columns: Uint32Array;
  readonly files: readonly string[];
}

interface StringSections {
  readonly str: Uint8Array | undefined;
  readonly lineStr: Uint8Array | undefined;
}

/** Every sequence of every line program in a .debug_line section. */
export function readLineSequences(
  debugLine: Uint8Array,
  strings: StringSections = { str: undefined, lineStr: undefined },
): Sequence[] {
  const sequences: Sequence[] = [];
  const reader = new Reader(debugLine);
  while (!reader.done) {
    let length = reader.u32();
    let offsetSize = 4;
    if (length === 0xffffffff) {
      length = reader.u64();
      offsetSize = 8;
    }
    const end = reader.offset + length;
    readProgram(new Reader(debugLine, reader.offset, end), offsetSize, strings, sequences);
    reader.offset = end;
  }
  return sequences;
}

interface Header {
  readonly version: number;
  readonly minimumInstructionLength: number;
  readonly defaultIsStmt: boolean;
  readonly lineBase: number;
  readonly lineRange: number;
  readonly opcodeBase: number;
  readonly standardOpcodeLengths: readonly number[];
  readonly files: string[];
}

function readHeader(reader: Reader, offsetSize: number, strings: StringSections): Header {
  const version = reader.u16();
  if (version < 2 || version > 5) throw new Error(`.debug_line version ${version} not supported`);
  if (version >= 5) reader.skip(2); // address_size, segment_selector_size
  const headerLength = offsetSize === 8 ? reader.u64() : reader.u32();
  const programStart = reader.offset + headerLength;
  const minimumInstructionLength = reader.u8();
  if (version >= 4) reader.u8(); // maximum_operations_per_instruction: 1 outside VLIW
  const defaultIsStmt = reader.u8() !== 0;
  const lineBase = (reader.u8() << 24) >> 24;
  const lineRange = reader.u8();
  const opcodeBase = reader.u8();
  const standardOpcodeLengths = [0];
  for (let i = 1; i < opcodeBase; i++) standardOpcodeLengths.push(reader.u8());
  const files =
    version >= 5
      ? readFileTable5(reader, offsetSize, strings)
      : readFileTable4(reader);
  reader.offset = programStart;
  return {
    version, minimumInstructionLength, defaultIsStmt, lineBase, lineRange, opcodeBase,
    standardOpcodeLengths, files,
  };
}

/**
 * A file's name as reports show it: joined with its directory unless that is entry 0, the
 * compilation directory (DWARF 5's directory 0; DWARF 4's implicit one), or the name is absolute.
 */
function joinPath(directories: readonly string[], index: number, name: string): string {
  if (index === 0 || name.startsWith('/')) return name;
  const directory = directories[index];
  return directory === undefined || directory === '' ? name : `${directory}/${name}`;
}

/** DWARF 2-4: include_directories then file_names, each list ended by an empty string. */
function readFileTable4(reader: Reader): string[] {
  const directories = [''];
  for (let directory = reader.cstring(); directory !== ''; directory = reader.cstring()) {
    directories.push(directory);
  }
  // File numbers start at 1 in DWARF 4; index 0 is never used.
  const files = [''];
  for (let name = reader.cstring(); name !== ''; name = reader.cstring()) {
    const directory = reader.uleb();
    reader.uleb(); // modification time
    reader.uleb(); // length
    files.push(joinPath(directories, directory, name));
  }
  return files;
}

/** DWARF 5: self-describing entry formats for directories, then file names (6.2.4 items 14-20). */
function readFileTable5(reader: Reader, offsetSize: number, strings: StringSections): string[] {
  const directories = readEntries(reader, offsetSize, strings).map((entry) => entry.path);
  return readEntries(reader, offsetSize, strings).map((entry) =>
    joinPath(directories, entry.directory, entry.path),
  );
}

function readEntries(
  reader: Reader,
  offsetSize: number,
  strings: StringSections,
): { path: string; directory: number }[] {
  const formatCount = reader.u8();
  const formats: [number, number][] = [];
  for (let i = 0; i < formatCount; i++) formats.push([reader.uleb(), reader.uleb()]);
  const count = reader.uleb();
  const entries: { path: string; directory: number }[] = [];
  for (let i = 0; i < count; i++) {
    let path = '';
    let directory = 0;
    for (const [content, form] of formats) {
      const value = readForm(reader, form, offsetSize, strings);
      if (content === DW_LNCT_path) path = String(value);
      if (content === DW_LNCT_directory_index) directory = Number(value);
    }
    entries.push({ path, directory });
  }
  return entries;
}

function readForm(
  reader: Reader,
  form: number,
  offsetSize: number,
  strings: StringSections,
): string | number {
  const offset = (): number => (offsetSize === 8 ? reader.u64() : reader.u32());
  switch (form) {
    case DW_FORM.string:
      return reader.cstring();
    case DW_FORM.lineStrp:
      return stringAt(strings.lineStr, offset(), '.debug_line_str');
    case DW_FORM.strp:
      return stringAt(strings.str, offset(), '.debug_str');
    case DW_FORM.udata:
      return reader.uleb();
    case DW_FORM.data1:
      return reader.u8();
    case DW_FORM.data2:
      return reader.u16();
    case DW_FORM.data4:
      return reader.u32();
    case DW_FORM.data8:
      return reader.u64();
    case DW_FORM.data16:
      reader.skip(16); // an MD5 digest
      return 0;
    case DW_FORM.block:
      reader.skip(reader.uleb());
      return 0;
    default:
      throw new Error(`.debug_line entry form 0x${form.toString(16)} not supported`);
  }
}

function stringAt(section: Uint8Array | undefined, offset: number, name: string): string {
  if (section === undefined) throw new Error(`.debug_line names ${name}, which is missing`);
  return new Reader(section, offset).cstring();
}

/** Runs one line program (6.2.5), appending its sequences. */
function readProgram(
  reader: Reader,
  offsetSize: number,
  strings: StringSections,
  sequences: Sequence[],
): void {
  const header = readHeader(reader, offsetSize, strings);
  const { lineBase, lineRange, opcodeBase, minimumInstructionLength } = header;
  // The file register starts at 1 in every version (6.2.2, Table 6.4), though DWARF 5 numbers
  // its files from 0: clang 14 leaves a sequence in file 1 without a set_file.
  const firstFile = 1;
  let rows: { address: number; line: number; column: number; file: number }[] = [];
  let address = 0;
  let file = firstFile;
  let line = 1;
  let column = 0;
  const emit = (): void => void rows.push({ address, line, column, file });
  const reset = (): void => {
    address = 0;
    file = firstFile;
    line = 1;
    column = 0;
  };
  while (!reader.done) {
    const opcode = reader.u8();
    if (opcode >= opcodeBase) {
      const adjusted = opcode - opcodeBase;
      address += Math.floor(adjusted / lineRange) * minimumInstructionLength;
      line += lineBase + (adjusted % lineRange);
      emit();
      continue;
    }
    switch (opcode) {
      case 0: {
        const length = reader.uleb();
        const end = reader.offset + length;
        const sub = reader.u8();
        if (sub === DW_LNE_end_sequence) {
          emit();
          sequences.push(sequenceOf(rows, header.files));
          rows = [];
          reset();
        } else if (sub === DW_LNE_set_address) {
          address = length - 1 === 8 ? reader.u64() : reader.u32();
        } else if (sub === DW_LNE_define_file) {
          header.files.push(reader.cstring());
        }
        reader.offset = end;
        break;
      }
      case DW_LNS_copy:
        emit();
        break;
      case DW_LNS_advance_pc:
        address += reader.uleb() * minimumInstructionLength;
        break;
      case DW_LNS_advance_line:
        line += reader.sleb();
        break;
      case DW_LNS_set_file:
        file = reader.uleb();
        break;
      case DW_LNS_set_column:
        column = reader.uleb();
        break;
      case DW_LNS_negate_stmt:
        break;
      case DW_LNS_const_add_pc:
        address += Math.floor((255 - opcodeBase) / lineRange) * minimumInstructionLength;
        break;
      case DW_LNS_fixed_advance_pc:
        address += reader.u16();
        break;
      default:
        // Any other standard opcode (set_basic_block, prologue_end, set_isa, and ones a later
        // producer adds) is skipped by its declared count of ULEB128 operands.
        for (let i = 0; i < (header.standardOpcodeLengths[opcode] ?? 0); i++) reader.uleb();
    }
  }
}

function sequenceOf(
  rows: readonly { address: number; line: number; column: number; file: number }[],
  files: readonly string[],
): Sequence {
  // A producer may emit rows out of address order inside one sequence; lookups need order.
  const sorted = rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => a.row.address - b.row.address || a.index - b.index)
    .map((entry) => entry.row);
  const names = sorted.map((row) => files[row.file] ?? `<file ${row.file}>`);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  return {
    start: first?.address ?? 0,
    end: last?.address ?? 0,
    addresses: Uint32Array.from(sorted, (row) => row.address),
    lines: Uint32Array.from(sorted, (row) => row.line),
    columns: Uint32Array.from(sorted, (row) => row.column),
    files: names,
  };
}

/** The last index in `sorted` whose value is ≤ `key`, or -1. */
function floorIndex(sorted: ArrayLike<number>, key: number): number {
  let low = 0;
  let high = sorted.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if ((sorted[middle] as number) <= key) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found;
}

/** A compiled driver's line table and function names, read once from its wasm bytes. */
export class WasmLineTable {
  readonly codeStart: number;
  readonly #sequences: readonly Sequence[];
  readonly #starts: Float64Array;
  readonly #names: ReadonlyMap<number, string>;

  constructor(bytes: Uint8Array) {
    const sections = readWasmSections(bytes);
    this.codeStart = sections.codeStart;
    const debugLine = sections.custom.get('.debug_line');
    const strings = {
      str: sections.custom.get('.debug_str'),
      lineStr: sections.custom.get('.debug_line_str'),
    };
    const all = debugLine === undefined ? [] : readLineSequences(debugLine, strings);
    this.#sequences = all
      .filter((sequence) => sequence.start !== TOMBSTONE && sequence.start < sections.codeSize)
      .sort((a, b) => a.start - b.start);
    this.#starts = Float64Array.from(this.#sequences, (sequence) => sequence.start);
    this.#names = readFunctionNames(sections.custom.get('name'));
  }

  /** Whether the module carries a line table (compiled with -g, not stripped). */
  get hasLines(): boolean {
    return this.#sequences.length > 0;
  }

  /** The C location of a code-section offset (a DWARF address), or undefined. */
  lineAt(codeOffset: number): CLocation | undefined {
    // Sequences of different functions do not overlap; the innermost one starting at or before
    // the offset is the only candidate.
    const index = floorIndex(this.#starts, codeOffset);
    const sequence = this.#sequences[index];
    if (sequence === undefined || codeOffset >= sequence.end) return undefined;
    const row = floorIndex(sequence.addresses, codeOffset);
    const line = sequence.lines[row] ?? 0;
    if (line === 0) return undefined;
    const file = sequence.files[row] ?? '';
    return { file, line, column: sequence.columns[row] ?? 0 };
  }

  /** The C location of a module offset, as V8 prints it in a wasm stack frame. */
  lineAtModuleOffset(moduleOffset: number): CLocation | undefined {
    return this.lineAt(moduleOffset - this.codeStart);
  }

  /** The function's name from the "name" section, or `wasm-function[N]`. */
  functionName(index: number): string {
    return this.#names.get(index) ?? `wasm-function[${index}]`;
  }
}

const WASM_FRAME = /wasm-function\[(\d+)\]:0x([0-9a-fA-F]+)/;
/**
 * wsksim's own wasm helpers (the shadow checker) name their module with this prefix, so their
 * frames read `wasm://wasm/wsksim_<name>-<hash>` and are no driver's.
 */
export const HELPER_MODULE_PREFIX = 'wsksim_';
const HELPER_FRAME = `wasm://wasm/${HELPER_MODULE_PREFIX}`;

/**
 * The wasm frames of a V8 stack, innermost first, each with its C location. Every wasm frame is
 * taken to be of the module `lines` was read from: a stack crossing two drivers' modules needs
 * one table per module (the frames' `wasm://wasm/<hash>` prefixes tell them apart). Frames of
 * wsksim's own helper modules are left out.
 */
export function cFramesOfStack(stack: string, lines: WasmLineTable): CFrame[] {
  const frames: CFrame[] = [];
  for (const text of stack.split('\n')) {
    const match = WASM_FRAME.exec(text);
    if (match === null || text.includes(HELPER_FRAME)) continue;
    const functionIndex = Number(match[1]);
    const moduleOffset = Number.parseInt(match[2] ?? '', 16);
    frames.push({
      functionIndex,
      function: lines.functionName(functionIndex),
      moduleOffset,
      location: lines.lineAtModuleOffset(moduleOffset),
    });
  }
  return frames;
}

/** `file:line (function)` of a frame, or `function+0xoffset` without a line. */
export function formatCFrame(frame: CFrame): string {
  const where = frame.location;
  if (where === undefined) return `${frame.function}+0x${frame.moduleOffset.toString(16)}`;
  return `${where.file}:${where.line} (${frame.function})`;
}

/**
 * Frames kept when capturing a site: the import's own JS frames and a dozen C frames under them.
 * Capture cost grows with it: about 1 µs per site at 16, about 9 µs at 64 (Node 20).
 */
export const CAPTURE_DEPTH = 16;

/**
 * Where a C driver is now, as a lazily resolved site: the Error is captured at once (cheap: V8
 * formats its stack on first read) and read into C frames only when a report shows the site.
 * Call it from inside an import the driver called (an allocation, a memory check).
 */
export class CSite {
  readonly #error: Error;
  readonly #lines: WasmLineTable;
  #frames: readonly CFrame[] | undefined;

  /** `depth`: stack frames kept, JS ones included (an import deep in the bridge needs more). */
  constructor(lines: WasmLineTable, depth = CAPTURE_DEPTH) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = depth;
    this.#error = new Error('C site');
    Error.stackTraceLimit = limit;
    this.#lines = lines;
  }

  /** The wasm frames, innermost first. */
  get frames(): readonly CFrame[] {
    this.#frames ??= cFramesOfStack(this.#error.stack ?? '', this.#lines);
    return this.#frames;
  }

  /** The innermost frame with a C line, or the innermost wasm frame. */
  get innermost(): CFrame | undefined {
    return this.frames.find((frame) => frame.location !== undefined) ?? this.frames[0];
  }

  /** `file:line (function)` of the innermost frame, or `(no C frame)`. */
  toString(): string {
    const frame = this.innermost;
    return frame === undefined ? '(no C frame)' : formatCFrame(frame);
  }
}

/** The C frames of an error thrown inside an import the driver called, innermost first. */
export function cFramesOfError(error: unknown, lines: WasmLineTable): CFrame[] {
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  return cFramesOfStack(stack, lines);
}
