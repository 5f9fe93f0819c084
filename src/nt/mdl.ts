/**
 * The MDL as a driver sees it: Next, ByteCount, ByteOffset, over a Uint8Array standing for the
 * described buffer. The routines that make and read MDLs are in mdl-routines.ts.
 */
export class MDL {
  Next: MDL | null = null;
  readonly ByteCount: number;
  readonly ByteOffset = 0;
  /** @internal the described bytes */
  readonly bytes: Uint8Array;
  /** @internal */ freed = false;

  /** @internal use IoAllocateMdl */
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.ByteCount = bytes.length;
  }
}

/** The two values of MmGetSystemAddressForMdlSafe's Priority argument most code passes. */
export const NormalPagePriority = 16;
export const MdlMappingNoExecute = 0x40000000;
