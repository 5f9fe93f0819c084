/**
 * SLISTs in C memory (mirrors.ts keeps the other objects): the model's SLIST_HEADERs and entries
 * keyed by their C addresses, and each push, pop and flush written back into the C header (first
 * entry, depth) and the pushed entry's Next, so C code that reads them sees the model's list
 * ("InterlockedPushEntrySList function (wdm.h)",
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-interlockedpushentryslist).
 */
import { SLIST_ENTRY, SLIST_HEADER } from '../wsk/index.ts';
import type { CDriver } from './c-driver.ts';
import { SLIST_HEADER_LAYOUT } from './layout.ts';

export class SListMirrors {
  readonly #d: CDriver;
  readonly #headers = new Map<number, SLIST_HEADER>();
  readonly #entries = new Map<number, SLIST_ENTRY>();
  readonly #entryAddress = new WeakMap<SLIST_ENTRY, number>();

  constructor(driver: CDriver) {
    this.#d = driver;
  }

  /** The SLIST_HEADER at `address`: the one there, else a new, uninitialised one. */
  header(address: number): SLIST_HEADER {
    let header = this.#headers.get(address);
    if (header === undefined) {
      this.#d.u8(address);
      header = new SLIST_HEADER();
      this.#headers.set(address, header);
    }
    return header;
  }

  /** The entry at `address`, the same object each time. */
  entry(address: number): SLIST_ENTRY {
    let entry = this.#entries.get(address);
    if (entry === undefined) {
      this.#d.u32(address);
      entry = new SLIST_ENTRY();
      this.#entries.set(address, entry);
      this.#entryAddress.set(entry, address);
    }
    return entry;
  }

  /** The C address of `entry`; 0 for none. */
  entryAddress(entry: SLIST_ENTRY | null): number {
    return entry === null ? 0 : (this.#entryAddress.get(entry) ?? 0);
  }

  /** Writes the model's header, and the Next of its first entry, into C memory. */
  sync(address: number, header: SLIST_HEADER): void {
    const d = this.#d;
    const first = this.entryAddress(header.first);
    d.setU32(address + SLIST_HEADER_LAYOUT.Next, first);
    d.setU16(address + SLIST_HEADER_LAYOUT.Depth, header.depth);
    if (header.first !== null && first !== 0) {
      d.setU32(first, this.entryAddress(header.first.Next));
    }
  }
}
