/**
 * A connection socket's data indications in a C driver's memory (WskReceiveEvent and WskRelease;
 * the model's side is src/wsk/receive-indications.ts). The model indicates a WSK_DATA_INDICATION
 * list whose MDLs are over copies of the transport's bytes; the driver walks a C list: each
 * element is one block of the bridge's heap holding its WSK_DATA_INDICATION (Next, Buffer), the C
 * MDL its Buffer.Mdl points at (MappedSystemVa and StartVa the bytes, ByteCount, ByteOffset 0)
 * and the indicated bytes, copied when the callback is called ("WSK_DATA_INDICATION structure
 * (wsk.h)",
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wsk/ns-wsk-_wsk_data_indication).
 *
 * Lifetime, as the callback's page says ("PFN_WSK_RECEIVE_EVENT callback function (wsk.h)",
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wsk/nc-wsk-pfn_wsk_receive_event):
 * a list the callback returned STATUS_PENDING for is the driver's until WskRelease gives it back
 * ("PFN_WSK_RELEASE_DATA_INDICATION_LIST callback function (wsk.h)", its address in
 * docs/model.md#wskrelease),
 * when its blocks are freed; any other answer frees them when the callback returns. Each C MDL
 * stays the model's MDL for the routines, so MmGetSystemAddressForMdlSafe on one given back is
 * the model's MDL-USE-AFTER-FREE (the model revokes it), not a read of freed memory.
 *
 * The model's MDL keeps its own copy: a driver that writes into an indicated buffer and then
 * sends it with WskSend sends the bytes as indicated (a driver may not write into WSK's buffers).
 */
import {
  STATUS_PENDING,
  STATUS_SUCCESS,
  type MDL,
  type NTSTATUS,
  type WSK_DATA_INDICATION,
} from '../wsk/index.ts';
import type { CDriver } from './c-driver.ts';
import { DATA_INDICATION, MDL_LAYOUT } from './layout.ts';
import type { Mirrors } from './mirrors.ts';

/** Where an element's MDL and bytes sit in its block, after its WSK_DATA_INDICATION. */
const MDL_AT = DATA_INDICATION.size;
const BYTES_AT = Math.ceil((MDL_AT + MDL_LAYOUT.size) / 16) * 16;

/** A list written into C memory: the model's list and the blocks of its elements. */
interface CList {
  readonly indication: WSK_DATA_INDICATION;
  readonly blocks: readonly number[];
}

export class CIndications {
  readonly #d: CDriver;
  readonly #m: Mirrors;
  /** The lists in C memory, by their head's address. */
  readonly #lists = new Map<number, CList>();

  constructor(driver: CDriver, mirrors: Mirrors) {
    this.#d = driver;
    this.#m = mirrors;
  }

  /** Writes the model's list into C memory; the head's address, 0 for NULL. */
  write(indication: WSK_DATA_INDICATION | null): number {
    if (indication === null) return 0;
    const blocks: number[] = [];
    for (let item: WSK_DATA_INDICATION | null = indication; item !== null; item = item.Next) {
      blocks.push(this.#element(item));
    }
    blocks.forEach((block, i) => this.#d.setU32(block + DATA_INDICATION.Next, blocks[i + 1] ?? 0));
    const head = blocks[0] as number;
    this.#lists.set(head, { indication, blocks });
    return head;
  }

  /** The callback returned `status`: the list stays for WskRelease after STATUS_PENDING only. */
  returned(head: number, status: NTSTATUS): void {
    if (status !== STATUS_PENDING) this.#free(head);
  }

  /**
   * WskRelease's DataIndication as the model takes it: the list written at `head`, or for any
   * other pointer (one given back already) an object that is none of the model's lists, which
   * the model reports as WSK-RELEASE-NOT-RETAINED.
   */
  list(head: number): WSK_DATA_INDICATION {
    const known = this.#lists.get(head)?.indication;
    return known ?? ({ notAnIndication: head } as unknown as WSK_DATA_INDICATION);
  }

  /** WskRelease returned `status`: a list given back is freed. */
  released(head: number, status: NTSTATUS): void {
    if (status === STATUS_SUCCESS) this.#free(head);
  }

  /** One element's block: its WSK_DATA_INDICATION, its MDL and a copy of the bytes. */
  #element(item: WSK_DATA_INDICATION): number {
    const d = this.#d;
    const mdl = item.Buffer.Mdl as MDL | null;
    const bytes = mdl === null ? new Uint8Array(0) : mdl.bytes;
    const block = d.allocate(BYTES_AT + bytes.length, 'object');
    d.bytes.set(bytes, block + BYTES_AT);
    if (mdl !== null) this.#m.writeMdl(block + MDL_AT, mdl, block + BYTES_AT);
    d.setU32(block + DATA_INDICATION.Mdl, mdl === null ? 0 : block + MDL_AT);
    d.setU32(block + DATA_INDICATION.Offset, item.Buffer.Offset);
    d.setU32(block + DATA_INDICATION.Length, item.Buffer.Length);
    return block;
  }

  #free(head: number): void {
    const list = this.#lists.get(head);
    if (list === undefined) return;
    this.#lists.delete(head);
    for (const block of list.blocks) this.#d.heap.free(block);
  }
}
