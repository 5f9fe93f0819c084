/**
 * The one place C memory and the model's objects meet: each model object a C driver holds (an
 * IRP, a WSK_SOCKET, a KEVENT, a pool block, a spin lock) has an address in linear memory, and
 * each C structure the model reads (a SOCKADDR, a WSK_INSPECT_ID) is converted here, both ways.
 *
 * - IRPs: IoAllocateIrp's IRP is a C IRP (c/include/wdm.h) the bridge keeps in step with the
 *   model's: IoStatus, PendingReturned, Cancel, CancelIrql, StackCount and CurrentLocation are
 *   written before a completion or cancel routine runs and after every call that takes the IRP,
 *   with what the call returns through its arguments (an address, an option's value) written
 *   at completion. IoStatus.Information that is a socket becomes its WSK_SOCKET's address.
 *   IoCompleteRequest reads the IoStatus the driver wrote back into the model's IRP
 *   (readIrpStatus).
 * - Sockets: each model WSK_SOCKET gets a C WSK_SOCKET whose Dispatch is the runtime's table of
 *   its category (c/runtime/wsk-dispatch.c).
 * - Dispatcher objects (KEVENT, KTIMER, KMUTEX, FAST_MUTEX), KDPCs and spin locks are keyed by
 *   their C address; one used before its KeInitialize* call is a fresh, uninitialised object, so
 *   the verifier reports it as for TypeScript (OBJECT-NOT-INITIALIZED). Run-down references,
 *   lookaside lists and device objects are object-mirrors.ts's.
 * - SOCKADDRs: network byte order in C, host order in the model (sockaddr.ts).
 * - MDLs: IoAllocateMdl's MDL is a C MDL over the driver's buffer in linear memory; the model's
 *   MDL reads that buffer through a LinearBytes, a view made again at each use (memory that grows
 *   detaches the old views). Next and Irp->MdlAddress are written as the model links them.
 * - SLISTs: the model's SLIST_HEADER and SLIST_ENTRY (src/nt/slists.ts) keyed by C address; each
 *   push, pop and flush writes the C header (first entry, depth) and the pushed entry's Next.
 * - Data indications: each element's C MDL is the model's MDL for the routines (writeMdl), the
 *   list itself written and freed by indications.ts.
 * - Opaque handles (a PWSK_CLIENT) are numbers above the linear memory, so C that dereferences
 *   one traps.
 */
import {
  DispatcherObject,
  FAST_MUTEX,
  IRP,
  KDPC,
  KEVENT,
  KMUTEX,
  KTIMER,
  KSPIN_LOCK,
  LinearBytes,
  MDL,
  WSK_INSPECT_ID,
  WSK_SOCKET,
  type NTSTATUS,
  type SOCKADDR,
} from '../wsk/index.ts';
import { hex, type CDriver } from './c-driver.ts';
import { readSockaddr, writeSockaddr } from './sockaddr.ts';
import {
  DISPATCH_TABLE,
  INSPECT_ID,
  IO_TYPE_IRP,
  IRP_LAYOUT,
  MDL_LAYOUT,
  SOCKET,
} from './layout.ts';
import { ObjectMirrors } from './object-mirrors.ts';
import { SListMirrors } from './slist-mirrors.ts';

/** Where opaque handles start: above any wasm32 memory the build gives a driver. */
const HANDLE_BASE = 0xf000_0000;

export class Mirrors {
  readonly #d: CDriver;
  readonly #irps = new Map<number, IRP>();
  readonly #irpAddress = new WeakMap<IRP, number>();
  /** What a call returns through its arguments, written when its IRP completes. */
  readonly #atCompletion = new WeakMap<IRP, (() => void)[]>();
  readonly #sockets = new Map<number, WSK_SOCKET>();
  readonly #socketAddress = new WeakMap<WSK_SOCKET, number>();
  /** Dispatcher objects (events, timers) by their C address; a thread's is its handle. */
  readonly #objects = new Map<number, DispatcherObject>();
  readonly #dpcs = new Map<number, KDPC>();
  readonly #spinLocks = new Map<number, KSPIN_LOCK>();
  readonly #pool = new Map<number, object>();
  readonly #poolAddress = new WeakMap<object, number>();
  readonly #mdls = new Map<number, MDL>();
  readonly #mdlAddress = new WeakMap<MDL, number>();
  readonly #handles: object[] = [];
  readonly #handleOf = new WeakMap<object, number>();

  /** Run-down references, lookaside lists and devices (object-mirrors.ts). */
  readonly objects: ObjectMirrors;
  /** SLIST headers and entries (slist-mirrors.ts). */
  readonly slists: SListMirrors;

  constructor(driver: CDriver) {
    this.#d = driver;
    this.objects = new ObjectMirrors(driver);
    this.slists = new SListMirrors(driver);
  }

  // ---- IRPs -----------------------------------------------------------------------------------

  /** A C IRP for the model's `irp` (IoAllocateIrp). */
  newIrp(irp: IRP): number {
    const d = this.#d;
    const address = d.allocate(IRP_LAYOUT.size, 'irp');
    d.setU16(address + IRP_LAYOUT.Type, IO_TYPE_IRP);
    d.setU16(address + IRP_LAYOUT.Size, IRP_LAYOUT.size);
    this.#irps.set(address, irp);
    this.#irpAddress.set(irp, address);
    this.syncIrp(irp);
    return address;
  }

  /** The model's IRP at `address`; a pointer that is none is the driver's crash. */
  irp(address: number, routine: string): IRP {
    const irp = this.#irps.get(address);
    if (irp === undefined) {
      this.#d.crash(`${routine}: ${hex(address)} is not an IRP IoAllocateIrp returned`);
    }
    return irp;
  }

  irpOrNull(address: number, routine: string): IRP | null {
    return address === 0 ? null : this.irp(address, routine);
  }

  /** The C IRP's address of a model IRP. */
  irpAddress(irp: IRP): number {
    return this.#irpAddress.get(irp) ?? 0;
  }

  /**
   * The driver loaded or stored the IoStatus.Status watched at `address` (syncIrp): it has seen
   * the status, as a TypeScript driver's read of `Irp.IoStatus.Status` marks it.
   */
  statusSeen(address: number): void {
    const irp = this.#irps.get(address - IRP_LAYOUT.IoStatusStatus);
    if (irp !== undefined) irp.IoStatus.unread = false;
  }

  /** The model freed `irp`: its C memory goes back to the heap. */
  freeIrp(address: number): void {
    const irp = this.#irps.get(address);
    if (irp === undefined || irp.state !== 'freed') return;
    this.#d.statusWatch?.unwatch(address + IRP_LAYOUT.IoStatusStatus);
    this.#irps.delete(address);
    this.#d.heap.free(address);
  }

  /** Something a call returns through an argument, written when `irp` completes. */
  atCompletion(irp: IRP | null, write: () => void): void {
    if (irp === null) return;
    const list = this.#atCompletion.get(irp);
    if (list === undefined) this.#atCompletion.set(irp, [write]);
    else list.push(write);
  }

  /**
   * Writes the model's IRP into its C IRP, and what its completed call returns through its
   * arguments. Writing the status is no read of it: a pended failure the driver has not read
   * (IoStatusBlock.unread) is watched in the C IRP (CDriver.statusWatch), and the driver's load
   * of it there is the read (`statusSeen`), for the advisory WSK-STATUS-IGNORED.
   */
  syncIrp(irp: IRP): void {
    const d = this.#d;
    const address = this.#irpAddress.get(irp);
    if (address === undefined || this.#irps.get(address) !== irp) return;
    const status = address + IRP_LAYOUT.IoStatusStatus;
    d.setU32(status, irp.IoStatus.peek());
    if (irp.IoStatus.unread) d.statusWatch?.watch(status);
    else d.statusWatch?.unwatch(status);
    d.setU32(address + IRP_LAYOUT.IoStatusInformation, this.information(irp.IoStatus.Information));
    d.setU8(address + IRP_LAYOUT.PendingReturned, irp.PendingReturned ? 1 : 0);
    d.setU8(address + IRP_LAYOUT.StackCount, irp.StackCount);
    d.setU8(address + IRP_LAYOUT.CurrentLocation, irp.CurrentLocation);
    d.setU8(address + IRP_LAYOUT.Cancel, irp.Cancel ? 1 : 0);
    d.setU8(address + IRP_LAYOUT.CancelIrql, irp.CancelIrql);
    // Only an MDL IoAllocateMdl chained to the IRP is written: a driver's own MdlAddress stays.
    if (irp.MdlAddress !== null) {
      d.setU32(address + IRP_LAYOUT.MdlAddress, this.#syncMdlChain(irp.MdlAddress));
    }
    if (irp.state !== 'completed') return;
    const writes = this.#atCompletion.get(irp);
    if (writes === undefined) return;
    this.#atCompletion.delete(irp);
    for (const write of writes) write();
  }

  /**
   * Reads the C IRP's IoStatus into the model's, as the driver wrote it before IoCompleteRequest
   * (an Information that is still the model's value as C reads it keeps the model's object).
   */
  readIrpStatus(irp: IRP): void {
    const d = this.#d;
    const address = this.irpAddress(irp);
    if (address === 0) return;
    irp.IoStatus.Status = d.u32(address + IRP_LAYOUT.IoStatusStatus) as NTSTATUS;
    const information = d.u32(address + IRP_LAYOUT.IoStatusInformation);
    if (information !== this.information(irp.IoStatus.Information)) {
      irp.IoStatus.Information = information;
    }
  }

  /** IoStatus.Information as C reads it: a count, or a socket's address. */
  information(value: unknown): number {
    if (typeof value === 'number') return value;
    if (value instanceof WSK_SOCKET) return this.socketAddress(value);
    if (value === null || value === undefined) return 0;
    return this.handle(value as object);
  }

  // ---- sockets --------------------------------------------------------------------------------

  /** The C WSK_SOCKET of a model socket, made on first sight. */
  socketAddress(socket: WSK_SOCKET): number {
    const known = this.#socketAddress.get(socket);
    if (known !== undefined) return known;
    const d = this.#d;
    const address = d.allocate(SOCKET.size, 'socket');
    const table = DISPATCH_TABLE[socket.state.category];
    d.setU32(address + SOCKET.Dispatch, d.exports.__wsksim_dispatch_table(table));
    this.#sockets.set(address, socket);
    this.#socketAddress.set(socket, address);
    return address;
  }

  socket(address: number, routine: string): WSK_SOCKET {
    const socket = this.#sockets.get(address);
    if (socket === undefined) {
      this.#d.crash(`${routine}: ${hex(address)} is not a socket WSK gave the driver`);
    }
    return socket;
  }

  // ---- dispatcher objects, spin locks, pool ---------------------------------------------------

  /** The KEVENT at `address`: the one there, else a new, uninitialised one. */
  event(address: number): KEVENT {
    return this.#dispatcherOf(address, KEVENT, () => new KEVENT());
  }

  timer(address: number): KTIMER {
    return this.#dispatcherOf(address, KTIMER, () => new KTIMER());
  }

  mutex(address: number): KMUTEX {
    return this.#dispatcherOf(address, KMUTEX, () => new KMUTEX());
  }

  fastMutex(address: number): FAST_MUTEX {
    return this.#dispatcherOf(address, FAST_MUTEX, () => new FAST_MUTEX());
  }

  /** What a wait's Object points at: an event, a timer, a mutex, a thread (by its handle). */
  waitable(address: number): DispatcherObject {
    const object = this.object(address) ?? this.#objects.get(address);
    return object instanceof DispatcherObject ? object : this.event(address);
  }

  dpc(address: number): KDPC {
    let dpc = this.#dpcs.get(address);
    if (dpc === undefined) {
      this.#d.u8(address);
      dpc = new KDPC();
      this.#dpcs.set(address, dpc);
    }
    return dpc;
  }

  /**
   * The object of class `kind` at `address`; one of another kind there (a stack slot reused) is
   * replaced by a fresh one.
   */
  #dispatcherOf<T extends DispatcherObject>(
    address: number,
    kind: new () => T,
    make: () => T,
  ): T {
    const known = this.#objects.get(address);
    if (known instanceof kind) return known;
    this.#d.u8(address);
    const object = make();
    this.#objects.set(address, object);
    return object;
  }

  spinLock(address: number): KSPIN_LOCK {
    let lock = this.#spinLocks.get(address);
    if (lock === undefined) {
      this.#d.u8(address);
      lock = new KSPIN_LOCK();
      this.#spinLocks.set(address, lock);
    }
    return lock;
  }

  /** A pool block's C memory for the model's block `block` (null: the allocation failed). */
  newPoolBlock(block: object | null, size: number, tag: number): number {
    if (block === null) return 0;
    const address = this.#d.allocate(size, 'pool', tag);
    this.#pool.set(address, block);
    this.#poolAddress.set(block, address);
    return address;
  }

  /** The C address of the model's pool block `block`, if the bridge made one for it. */
  poolAddress(block: object): number | undefined {
    return this.#poolAddress.get(block);
  }

  /** The model's block at `address`, freed or not, or undefined when there is none. */
  poolBlockAt(address: number): object | undefined {
    return this.#pool.get(address);
  }

  /** The model's block at `address`; a pointer that is none is the driver's crash. */
  poolBlock(address: number, routine: string): object {
    const block = this.#pool.get(address);
    if (block === undefined) {
      this.#d.crash(`${routine}: ${hex(address)} is not a pool block (BAD_POOL_CALLER)`);
    }
    return block;
  }

  /** The model freed the block at `address` (a second free keeps it, so the model sees it). */
  freePoolBlock(address: number): void {
    if (this.#d.heap.kindAt(address) === 'pool') this.#d.heap.free(address);
  }

  // ---- MDLs ---------------------------------------------------------------------------------

  /** The bytes from `address` on, `length` of them, as the model's MDLs read them. */
  linearBytes(address: number, length: number): LinearBytes {
    const d = this.#d;
    return new LinearBytes(() => d.bytes, address, length);
  }

  /** A C MDL for the model's `mdl` over `length` bytes at `virtualAddress` (IoAllocateMdl). */
  newMdl(mdl: MDL, virtualAddress: number): number {
    const address = this.#d.allocate(MDL_LAYOUT.size, 'object');
    this.writeMdl(address, mdl, virtualAddress);
    return address;
  }

  /**
   * Writes a C MDL at `address` for the model's `mdl` over the bytes at `virtualAddress`, and
   * makes it the MDL the routines find there (IoAllocateMdl's, or a data indication's).
   */
  writeMdl(address: number, mdl: MDL, virtualAddress: number): void {
    const d = this.#d;
    d.bytes.fill(0, address, address + MDL_LAYOUT.size);
    d.setU16(address + MDL_LAYOUT.Size, MDL_LAYOUT.size);
    d.setU32(address + MDL_LAYOUT.MappedSystemVa, virtualAddress);
    d.setU32(address + MDL_LAYOUT.StartVa, virtualAddress);
    d.setU32(address + MDL_LAYOUT.ByteCount, mdl.ByteCount);
    d.setU32(address + MDL_LAYOUT.ByteOffset, mdl.ByteOffset);
    this.#mdls.set(address, mdl);
    this.#mdlAddress.set(mdl, address);
  }

  /** The model's MDL at `address`; a pointer that is none is the driver's crash. */
  mdl(address: number, routine: string): MDL {
    const mdl = this.#mdls.get(address);
    if (mdl === undefined) {
      this.#d.crash(`${routine}: ${hex(address)} is not an MDL IoAllocateMdl returned`);
    }
    return mdl;
  }

  /**
   * A WSK_BUF's Mdl: the model's MDL, null for NULL, or for any other pointer an object that is
   * no MDL, so the model answers it (WSK-BUF-INVALID) as a TypeScript driver's bad buffer.
   */
  mdlOrOther(address: number): MDL | object | null {
    if (address === 0) return null;
    return this.#mdls.get(address) ?? { notAnMdl: address };
  }

  /**
   * The model freed the MDL at `address` for the first time: its C memory goes back to the heap.
   * The address stays known, so a second IoFreeMdl is the model's MDL-FREED-TWICE.
   */
  freeMdl(address: number): void {
    if (this.#d.heap.kindAt(address) === 'object') this.#d.heap.free(address);
  }

  /** Writes each C MDL's Next along the model's chain from `first`; returns `first`'s address. */
  #syncMdlChain(first: MDL | null): number {
    const d = this.#d;
    for (let mdl = first; mdl !== null; mdl = mdl.Next) {
      const address = this.#mdlAddress.get(mdl);
      if (address === undefined || this.#mdls.get(address) !== mdl) break;
      const next = mdl.Next === null ? 0 : (this.#mdlAddress.get(mdl.Next) ?? 0);
      d.setU32(address + MDL_LAYOUT.Next, next);
    }
    return first === null ? 0 : (this.#mdlAddress.get(first) ?? 0);
  }

  // ---- opaque handles -------------------------------------------------------------------------

  handle(object: object): number {
    let handle = this.#handleOf.get(object);
    if (handle === undefined) {
      handle = HANDLE_BASE + 16 * this.#handles.length;
      this.#handles.push(object);
      this.#handleOf.set(object, handle);
    }
    return handle;
  }

  object(value: number): object | undefined {
    const handle = value >>> 0;
    if (handle < HANDLE_BASE || (handle - HANDLE_BASE) % 16 !== 0) return undefined;
    return this.#handles[(handle - HANDLE_BASE) / 16];
  }

  // ---- SOCKADDR and WSK_INSPECT_ID ------------------------------------------------------------

  /** The model's SOCKADDR for the C one at `address` (sockaddr.ts). */
  readSockaddr(address: number): SOCKADDR {
    return readSockaddr(this.#d, address);
  }

  /** Writes the model's SOCKADDR into C memory at `address` (sockaddr.ts). */
  writeSockaddr(address: number, value: SOCKADDR): void {
    writeSockaddr(this.#d, address, value);
  }

  readInspectId(address: number): WSK_INSPECT_ID {
    const d = this.#d;
    const key = d.u32(address + INSPECT_ID.Key);
    return new WSK_INSPECT_ID(key, d.u32(address + INSPECT_ID.SerialNumber));
  }

  writeInspectId(address: number, id: { Key: number; SerialNumber: number }): void {
    this.#d.setU32(address + INSPECT_ID.Key, id.Key);
    this.#d.setU32(address + INSPECT_ID.SerialNumber, id.SerialNumber);
  }
}
