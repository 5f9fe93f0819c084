/**
 * Reading and writing the bytes a WSK_BUF describes: `Length` bytes starting `Offset` bytes into
 * the first MDL, continuing through the chain's Next links (wsk.h WSK_BUF;
 * docs/model.md#the-data-path, #wsksend, #wskreceive). The MDLs are mdl.ts's: their bytes are views
 * of the driver's buffers, so a receive's data reaches the driver's memory.
 *
 * Checks (docs/policies.md#data-path-policies, the caller turns a problem into
 * STATUS_INVALID_PARAMETER with the advisory WSK-BUF-INVALID): a non-zero Length needs an MDL;
 * Offset must be an integer inside the first MDL (wsk.h: "required to lie entirely within the first
 * MDL"); Length must fit in the chain from Offset on. An MDL already freed is the violation
 * MDL-USE-AFTER-FREE (mdl.ts's rule), reported by the caller.
 */
import type { WSK_BUF } from './data-types.ts';
import { MDL } from '../nt/index.ts';

/** What is wrong with `buffer`, or null when it describes `Length` readable/writable bytes. */
export function bufProblem(buffer: unknown): string | null {
  if (typeof buffer !== 'object' || buffer === null) return 'Buffer is not a WSK_BUF';
  const { Mdl, Offset, Length } = buffer as WSK_BUF;
  if (!Number.isSafeInteger(Length) || Length < 0) return `Length ${String(Length)}`;
  if (!Number.isSafeInteger(Offset) || Offset < 0) return `Offset ${String(Offset)}`;
  if (Mdl === null || Mdl === undefined) return Length === 0 ? null : 'no MDL for the Length';
  if (!(Mdl instanceof MDL)) return 'Mdl is not an MDL';
  if (Offset > 0 && Offset >= Mdl.ByteCount) return `Offset ${Offset} outside the first MDL`;
  let room = -Offset;
  for (let mdl: MDL | null = Mdl; mdl !== null; mdl = mdl.Next) room += mdl.ByteCount;
  return Length <= room ? null : `Length ${Length} beyond the ${room} bytes of the MDL chain`;
}

/** True when an MDL of the chain was freed (the driver's MDL-USE-AFTER-FREE). */
export function bufFreed(buffer: WSK_BUF): boolean {
  for (let mdl = buffer.Mdl; mdl !== null; mdl = mdl.Next) if (mdl.freed) return true;
  return false;
}

/** A copy of the bytes `buffer` describes (a send's data; the driver may reuse its buffer). */
export function bufRead(buffer: WSK_BUF): Uint8Array {
  const out = new Uint8Array(buffer.Length);
  let skip = buffer.Offset;
  let filled = 0;
  for (let mdl = buffer.Mdl; mdl !== null && filled < out.length; mdl = mdl.Next) {
    const part = mdl.bytes.subarray(skip, skip + out.length - filled);
    out.set(part, filled);
    filled += part.length;
    skip = 0;
  }
  return out;
}

/** Writes `bytes` into `buffer` starting `at` bytes into what it describes. */
export function bufWrite(buffer: WSK_BUF, at: number, bytes: Uint8Array): void {
  let skip = buffer.Offset + at;
  let written = 0;
  for (let mdl = buffer.Mdl; mdl !== null && written < bytes.length; mdl = mdl.Next) {
    if (skip >= mdl.ByteCount) {
      skip -= mdl.ByteCount;
      continue;
    }
    const part = bytes.subarray(written, written + mdl.ByteCount - skip);
    mdl.bytes.set(part, skip);
    written += part.length;
    skip = 0;
  }
}
