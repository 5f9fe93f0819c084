/**
 * Name resolution for C drivers (c/runtime/wsk-names.c forwards here): WskGetAddressInfo,
 * WskFreeAddressInfo and WskGetNameInfo on the client's provider dispatch, the model's
 * (src/wsk/name-resolution.ts) with C's UNICODE_STRINGs and ADDRINFOEXWs converted. Pages:
 * "PFN_WSK_GET_ADDRESS_INFO callback function (wsk.h)",
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wsk/nc-wsk-pfn_wsk_get_address_info;
 * "PFN_WSK_GET_NAME_INFO callback function (wsk.h)",
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wsk/nc-wsk-pfn_wsk_get_name_info;
 * "ADDRINFOEXW structure (ws2def.h)",
 * https://learn.microsoft.com/windows/win32/api/ws2def/ns-ws2def-addrinfoexw.
 *
 * - A UNICODE_STRING's text is its Length bytes of UTF-16 at Buffer (WCHAR is 16 bits).
 * - Hints: ai_flags, ai_family, ai_socktype and ai_protocol are read; the rest must be 0 or NULL
 *   on Windows and is not looked at.
 * - The result list is written into the bridge's memory when the IRP completes (before the
 *   completion routine runs) and *Result set to its head: each ADDRINFOEXW with its SOCKADDR and,
 *   on the first with AI_CANONNAME, the name as a NUL-terminated WCHAR string. WskFreeAddressInfo
 *   gives the model the list of that head (an address that is none is the model's
 *   ADDRINFO-FREE-INVALID) and the memory back.
 * - WskGetNameInfo writes the name and the port into the caller's buffers: at most MaximumLength
 *   bytes, Length the bytes written, a NUL after them when it fits. The page asks the caller for
 *   a buffer large enough; a shorter one gets the text cut to it (the model's choice).
 */
import {
  ADDRINFOEXW,
  STATUS_SUCCESS,
  type NTSTATUS,
  type UNICODE_STRING as ModelString,
  type WSK_CLIENT,
} from '../wsk/index.ts';
import type { CDriver } from './c-driver.ts';
import { ADDRINFO, SOCKADDR_STORAGE_SIZE, UNICODE_STRING } from './layout.ts';
import type { Mirrors } from './mirrors.ts';

type Import = (...args: never[]) => number | void;
type Member = (...args: unknown[]) => NTSTATUS | void;

/** What wsk-imports.ts lends: the client of a handle and its provider's members. */
export interface ClientCalls {
  client(handle: number, routine: string): WSK_CLIENT;
  provider(client: WSK_CLIENT, name: string): Member;
  /** An OwningProcess or OwningThread as the model takes it (security.ts). */
  owner(address: number): unknown;
}

export function nameImports(d: CDriver, m: Mirrors, calls: ClientCalls): Record<string, Import> {
  const lists = new AddressLists(d, m);
  const { client, provider, owner } = calls;
  return {
    WskGetAddressInfo: (
      Client: number, NodeName: number, ServiceName: number, NameSpace: number, Provider: number,
      Hints: number, Result: number, OwningProcess: number, OwningThread: number, Irp: number,
    ): number => {
      const c = client(Client, 'WskGetAddressInfo');
      const i = m.irpOrNull(Irp, 'WskGetAddressInfo');
      const result: { value: ADDRINFOEXW | null } = { value: null };
      m.atCompletion(i, () => {
        if (result.value !== null) d.setU32(Result, lists.write(result.value));
      });
      const status = provider(c, 'WskGetAddressInfo')(
        c, readString(d, NodeName), readString(d, ServiceName), NameSpace,
        Provider === 0 ? null : Provider, readHints(d, Hints), result, owner(OwningProcess),
        owner(OwningThread), i,
      ) as NTSTATUS;
      if (i !== null) m.syncIrp(i);
      return status;
    },
    WskFreeAddressInfo: (Client: number, AddrInfo: number): void => {
      const c = client(Client, 'WskFreeAddressInfo');
      provider(c, 'WskFreeAddressInfo')(c, lists.model(AddrInfo));
      lists.release(AddrInfo);
    },
    WskGetNameInfo: (
      Client: number, SockAddr: number, SockAddrLength: number, NodeName: number,
      ServiceName: number, Flags: number, OwningProcess: number, OwningThread: number,
      Irp: number,
    ): number => {
      const c = client(Client, 'WskGetNameInfo');
      const i = m.irpOrNull(Irp, 'WskGetNameInfo');
      const node = NodeName === 0 ? null : emptyString(d, NodeName);
      const service = ServiceName === 0 ? null : emptyString(d, ServiceName);
      m.atCompletion(i, () => {
        if (i?.IoStatus.Status !== STATUS_SUCCESS) return;
        if (node !== null) writeString(d, NodeName, node.Buffer);
        if (service !== null) writeString(d, ServiceName, service.Buffer);
      });
      const status = provider(c, 'WskGetNameInfo')(
        c, m.readSockaddr(SockAddr), SockAddrLength, node, service, Flags, owner(OwningProcess),
        owner(OwningThread), i,
      ) as NTSTATUS;
      if (i !== null) m.syncIrp(i);
      return status;
    },
  };
}

/** The lists WskGetAddressInfo returned, in C memory, by their heads' addresses. */
class AddressLists {
  readonly #d: CDriver;
  readonly #m: Mirrors;
  /** A head's address → the model's head (kept after the free, for a second free's answer). */
  readonly #heads = new Map<number, ADDRINFOEXW>();
  /** A live list's head address → its blocks. */
  readonly #blocks = new Map<number, number[]>();

  constructor(driver: CDriver, mirrors: Mirrors) {
    this.#d = driver;
    this.#m = mirrors;
  }

  /** Writes the model's list into C memory; its head's address. */
  write(head: ADDRINFOEXW): number {
    const d = this.#d;
    const blocks: number[] = [];
    for (let entry: ADDRINFOEXW | null = head; entry !== null; entry = entry.ai_next) {
      const name = entry.ai_canonname;
      const text = name === null ? 0 : 2 * name.length + 2;
      const size = ADDRINFO.size + 4 + SOCKADDR_STORAGE_SIZE + text;
      blocks.push(this.#entry(d.allocate(size, 'object'), entry));
    }
    blocks.forEach((block, i) => d.setU32(block + ADDRINFO.ai_next, blocks[i + 1] ?? 0));
    const first = blocks[0] as number;
    this.#heads.set(first, head);
    this.#blocks.set(first, blocks);
    return first;
  }

  model(address: number): ADDRINFOEXW | object {
    return this.#heads.get(address) ?? { notAnAddressList: address };
  }

  release(address: number): void {
    const blocks = this.#blocks.get(address);
    if (blocks === undefined) return;
    this.#blocks.delete(address);
    for (const block of blocks) this.#d.heap.free(block);
  }

  #entry(block: number, entry: ADDRINFOEXW): number {
    const d = this.#d;
    const sockaddr = block + ADDRINFO.size + 4;
    d.setU32(block + ADDRINFO.ai_flags, entry.ai_flags);
    d.setU32(block + ADDRINFO.ai_family, entry.ai_family);
    d.setU32(block + ADDRINFO.ai_socktype, entry.ai_socktype);
    d.setU32(block + ADDRINFO.ai_protocol, entry.ai_protocol);
    d.setU32(block + ADDRINFO.ai_addrlen, entry.ai_addrlen);
    if (entry.ai_addr !== null) {
      this.#m.writeSockaddr(sockaddr, entry.ai_addr);
      d.setU32(block + ADDRINFO.ai_addr, sockaddr);
    }
    if (entry.ai_canonname !== null) {
      const name = sockaddr + SOCKADDR_STORAGE_SIZE;
      writeWide(d, name, entry.ai_canonname, entry.ai_canonname.length + 1);
      d.setU32(block + ADDRINFO.ai_canonname, name);
    }
    return block;
  }
}

/** The C UNICODE_STRING at `address` as the model's (NULL, or a NULL Buffer, is null). */
function readString(d: CDriver, address: number): ModelString | null {
  if (address === 0) return null;
  const buffer = d.u32(address + UNICODE_STRING.Buffer);
  if (buffer === 0) return null;
  const length = d.u16(address + UNICODE_STRING.Length);
  return {
    Length: length,
    MaximumLength: d.u16(address + UNICODE_STRING.MaximumLength),
    Buffer: d.wideString(buffer, length >> 1),
  };
}

/** An output UNICODE_STRING for the model to fill (its text written back at completion). */
function emptyString(d: CDriver, address: number): ModelString {
  return { Length: 0, MaximumLength: d.u16(address + UNICODE_STRING.MaximumLength), Buffer: '' };
}

/** Writes `text` into the C UNICODE_STRING's own buffer, cut to its MaximumLength. */
function writeString(d: CDriver, address: number, text: string): void {
  const maximum = d.u16(address + UNICODE_STRING.MaximumLength);
  const buffer = d.u32(address + UNICODE_STRING.Buffer);
  const units = Math.min(text.length, maximum >> 1);
  if (buffer !== 0) writeWide(d, buffer, text, Math.min(text.length + 1, maximum >> 1));
  d.setU16(address + UNICODE_STRING.Length, buffer === 0 ? 0 : 2 * units);
}

/** `count` UTF-16 units of `text` at `address`, a NUL for each unit past its end. */
function writeWide(d: CDriver, address: number, text: string, count: number): void {
  for (let i = 0; i < count; i++) {
    d.setU16(address + 2 * i, i < text.length ? text.charCodeAt(i) : 0);
  }
}

/** The C Hints as the model's ADDRINFOEXW (NULL is null). */
function readHints(d: CDriver, address: number): ADDRINFOEXW | null {
  if (address === 0) return null;
  const hints = new ADDRINFOEXW();
  hints.ai_flags = d.i32(address + ADDRINFO.ai_flags);
  hints.ai_family = d.i32(address + ADDRINFO.ai_family);
  hints.ai_socktype = d.i32(address + ADDRINFO.ai_socktype);
  hints.ai_protocol = d.i32(address + ADDRINFO.ai_protocol);
  return hints;
}
