/**
 * The MDL as a driver sees it: Next, ByteCount, ByteOffset, over a Uint8Array standing for the
 * described buffer, or over a LinearBytes (a C driver's buffer in its wasm memory). The routines
 * that make and read MDLs are in mdl-routines.ts.
 */
export class MDL {
  Next: MDL | null = null;
  readonly ByteCount: number;
  readonly ByteOffset = 0;
  readonly #bytes: Uint8Array | LinearBytes;
  /** @internal */ freed = false;

  /** @internal use IoAllocateMdl */
  constructor(bytes: Uint8Array | LinearBytes) {
    this.#bytes = bytes;
    this.ByteCount = bytes.length;
  }

  /** @internal the described bytes (over linear memory, a view of its current buffer) */
  get bytes(): Uint8Array {
    return this.#bytes instanceof LinearBytes ? this.#bytes.view() : this.#bytes;
  }
}

/**
 * @internal A buffer in a memory that can move: `length` bytes from `address` of whatever
 * `memory()` returns at the time. A WebAssembly memory that grows detaches every view of its old
 * ArrayBuffer ("WebAssembly.Memory.prototype.grow()", MDN,
 * https://developer.mozilla.org/en-US/docs/WebAssembly/JavaScript_interface/Memory/grow), so
 * an MDL over a C driver's buffer makes its view again at each use.
 */
export class LinearBytes {
  readonly #memory: () => Uint8Array;
  readonly address: number;
  readonly length: number;

  constructor(memory: () => Uint8Array, address: number, length: number) {
    this.#memory = memory;
    this.address = address;
    this.length = length;
  }

  /** Bytes `begin` to `end` of this buffer, as a LinearBytes. */
  subarray(begin: number, end: number): LinearBytes {
    return new LinearBytes(this.#memory, this.address + begin, end - begin);
  }

  view(): Uint8Array {
    return this.#memory().subarray(this.address, this.address + this.length);
  }
}

/** The two values of MmGetSystemAddressForMdlSafe's Priority argument most code passes. */
export const NormalPagePriority = 16;
export const MdlMappingNoExecute = 0x40000000;
