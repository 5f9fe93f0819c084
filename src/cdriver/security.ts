/**
 * Security descriptors and owners as a C driver passes them to WSK: the C values the model takes
 * for a PSECURITY_DESCRIPTOR, a PEPROCESS and a PETHREAD.
 *
 * - A descriptor (WSK_CACHE_SD's input, WskSocket's and WskSocketConnect's SecurityDescriptor,
 *   SO_WSK_SECURITY's input, WSK_RELEASE_SD's input): NULL is null; the handle WSK_CACHE_SD wrote
 *   is the model's WSK_CACHED_SECURITY_DESCRIPTOR (also once released, so a released copy is the
 *   model's "released already"); any other pointer is the descriptor itself, a plain object, one
 *   per address, which the model treats as opaque ("WSK_CACHE_SD",
 *   https://learn.microsoft.com/windows-hardware/drivers/network/wsk-cache-sd: the variable
 *   "contains a pointer to the SECURITY_DESCRIPTOR structure"). Its bytes are never read: the
 *   model has no access checks on them (src/wsk/sharing.ts), so any buffer serves.
 * - OwningProcess and OwningThread: NULL is null; a handle the bridge gave (a PETHREAD from
 *   ObReferenceObjectByHandle is the model's KTHREAD) is its object; any other value is an opaque
 *   object, one per address. The model ignores OwningThread and compares OwningProcess by identity
 *   (src/wsk/socket.ts), as it does a TypeScript driver's objects.
 */
import { WSK_CACHED_SECURITY_DESCRIPTOR } from '../wsk/index.ts';
import type { Mirrors } from './mirrors.ts';

/** What a C pointer the model has no object for stands for: its address, nothing more. */
export interface CPointer {
  readonly pointer: number;
}

export class CSecurity {
  readonly #m: Mirrors;
  readonly #pointers = new Map<number, CPointer>();

  constructor(m: Mirrors) {
    this.#m = m;
  }

  /** A PSECURITY_DESCRIPTOR value as the model's descriptor (see the file's comment). */
  descriptor(address: number): object | null {
    if (address === 0) return null;
    const object = this.#m.object(address);
    if (object instanceof WSK_CACHED_SECURITY_DESCRIPTOR) return object;
    return this.#pointer(address);
  }

  /** An OwningProcess or OwningThread value as the model's object (see the file's comment). */
  owner(address: number): object | null {
    if (address === 0) return null;
    return this.#m.object(address) ?? this.#pointer(address);
  }

  /** The handle C gets for a cached copy WSK_CACHE_SD returned (0 when it returned none). */
  handle(cached: unknown): number {
    return cached instanceof WSK_CACHED_SECURITY_DESCRIPTOR ? this.#m.handle(cached) : 0;
  }

  #pointer(address: number): CPointer {
    const key = address >>> 0;
    let known = this.#pointers.get(key);
    if (known === undefined) {
      known = Object.freeze({ pointer: key });
      this.#pointers.set(key, known);
    }
    return known;
  }
}
