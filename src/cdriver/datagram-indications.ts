/**
 * The WSK_DATAGRAM_INDICATION lists WskReceiveFromEvent hands a C driver, in its linear memory
 * ("WSK_DATAGRAM_INDICATION structure (wsk.h)",
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wsk/ns-wsk-_wsk_datagram_indication).
 * Each element is one block of the bridge's memory: the structure (Next, Buffer, ControlInfo
 * NULL, ControlInfoLength 0, RemoteAddress), then a C MDL over the datagram's bytes (the model's
 * MDL behind it, so a use after the list went back to WSK is the model's MDL-USE-AFTER-FREE), the
 * SOCKADDR, and the bytes. Every element's address stays known after its list is given back, so a
 * second WskRelease of a head is the model's WSK-DATAGRAM-RELEASE-NOT-RETAINED, not a crash.
 */
import type { MDL, WSK_DATAGRAM_INDICATION } from '../wsk/index.ts';
import type { CDriver } from './c-driver.ts';
import { DATAGRAM_INDICATION, MDL_LAYOUT, WSK_BUF_LAYOUT } from './layout.ts';
import type { Mirrors } from './mirrors.ts';

/** Where the MDL, the SOCKADDR and the bytes sit in an element's block. */
const MDL_AT = 32;
const SOCKADDR_AT = MDL_AT + MDL_LAYOUT.size + 4;
const SOCKADDR_SIZE = 28;
const BYTES_AT = SOCKADDR_AT + 32;

export class DatagramIndications {
  readonly #d: CDriver;
  readonly #m: Mirrors;
  /** Each element's C address → the model's element (kept after the list is given back). */
  readonly #items = new Map<number, WSK_DATAGRAM_INDICATION>();
  /** A live list's head address → its elements' blocks. */
  readonly #lists = new Map<number, number[]>();

  constructor(driver: CDriver, mirrors: Mirrors) {
    this.#d = driver;
    this.#m = mirrors;
  }

  /** Writes the model's list into C memory; the head's address. */
  write(head: WSK_DATAGRAM_INDICATION): number {
    const d = this.#d;
    const blocks: number[] = [];
    for (let item: WSK_DATAGRAM_INDICATION | null = head; item !== null; item = item.Next) {
      const mdl = item.Buffer.Mdl as MDL;
      const block = d.allocate(BYTES_AT + Math.max(mdl.ByteCount, 1), 'object');
      this.#element(block, item, mdl);
      blocks.push(block);
    }
    blocks.forEach((block, i) => d.setU32(block + DATAGRAM_INDICATION.Next, blocks[i + 1] ?? 0));
    const first = blocks[0] as number;
    this.#lists.set(first, blocks);
    return first;
  }

  /** The model's element at `address`, or an object that is none (the model says so). */
  model(address: number): WSK_DATAGRAM_INDICATION | object {
    return this.#items.get(address) ?? { notAnIndication: address };
  }

  /** The list whose head is at `address` is WSK's again: its memory goes back to the heap. */
  release(address: number): void {
    const blocks = this.#lists.get(address);
    if (blocks === undefined) return;
    this.#lists.delete(address);
    for (const block of blocks) this.#d.heap.free(block);
  }

  #element(block: number, item: WSK_DATAGRAM_INDICATION, mdl: MDL): void {
    const d = this.#d;
    const bytes = block + BYTES_AT;
    d.bytes.set(mdl.bytes, bytes);
    this.#m.writeMdl(block + MDL_AT, mdl, bytes);
    const buffer = block + DATAGRAM_INDICATION.Buffer;
    d.setU32(buffer + WSK_BUF_LAYOUT.Mdl, block + MDL_AT);
    d.setU32(buffer + WSK_BUF_LAYOUT.Offset, item.Buffer.Offset);
    d.setU32(buffer + WSK_BUF_LAYOUT.Length, item.Buffer.Length);
    d.setU32(block + DATAGRAM_INDICATION.ControlInfo, 0);
    d.setU32(block + DATAGRAM_INDICATION.ControlInfoLength, item.ControlInfoLength);
    d.bytes.fill(0, block + SOCKADDR_AT, block + SOCKADDR_AT + SOCKADDR_SIZE);
    this.#m.writeSockaddr(block + SOCKADDR_AT, item.RemoteAddress);
    d.setU32(block + DATAGRAM_INDICATION.RemoteAddress, block + SOCKADDR_AT);
    this.#items.set(block, item);
  }
}
