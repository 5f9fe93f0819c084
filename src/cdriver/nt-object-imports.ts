/**
 * The wdm.h routines of lookaside lists (src/nt/lookaside.ts) and device objects
 * (src/nt/device.ts), each the model's routine of the same name with its C arguments converted
 * through the mirrors (object-mirrors.ts).
 *
 * Lookaside entries are pool: an entry the model allocates (no Allocate routine) is a block of the
 * driver's heap made as ExAllocatePoolWithTag's are, so the shadow map checks it; it stays
 * allocated while the list caches it, and goes back to the heap when the model frees it (the list
 * is full, or deleted), after which a read of it is POOL-USE-AFTER-FREE. A driver's own Allocate
 * and Free routines are called through the runtime's trampolines (c/runtime/runtime.c).
 */
import {
  type DEVICE_OBJECT,
  type NPAGED_LOOKASIDE_LIST,
  type PALLOCATE_FUNCTION,
  type PFREE_FUNCTION,
  type UNICODE_STRING,
} from '../wsk/index.ts';
import type { CDriver } from './c-driver.ts';
import { UNICODE_STRING as UNICODE_STRING_LAYOUT } from './layout.ts';
import type { Mirrors } from './mirrors.ts';

type Import = (...args: never[]) => number | void;

export function ntObjectImports(d: CDriver, m: Mirrors): Record<string, Import> {
  const k = d.kernel;
  const o = m.objects;
  /** The C address of a model lookaside entry: a bridge pool block, or an Allocate's answer. */
  const entryAddress = (entry: object): number =>
    m.poolAddress(entry) ?? o.entryAddress(entry) ?? 0;
  /** The model's entry for a C pointer; one the bridge never saw is an object of no list. */
  const entryOf = (address: number): object =>
    m.poolBlockAt(address) ?? o.knownEntry(address) ?? { notAnEntry: address };
  /** Entries the model gave back to the pool (a list with no Free routine): their C memory. */
  const released = (list: NPAGED_LOOKASIDE_LIST, entries: readonly object[]): void => {
    if (list.free !== null) return;
    for (const entry of entries) {
      const address = m.poolAddress(entry);
      if (address !== undefined && !k.pool.isLive(entry)) m.freePoolBlock(address);
    }
  };
  return {
    ExInitializeNPagedLookasideList: (
      Lookaside: number, Allocate: number, Free: number, Flags: number, Size: number, Tag: number,
      Depth: number,
    ): void =>
      k.ExInitializeNPagedLookasideList(
        o.lookaside(Lookaside), allocateRoutine(d, m, Allocate), freeRoutine(d, Free, entryAddress),
        Flags, Size, Tag, Depth,
      ),
    ExAllocateFromNPagedLookasideList: (Lookaside: number): number => {
      const list = o.lookaside(Lookaside);
      const entry = k.ExAllocateFromNPagedLookasideList<object>(list);
      if (entry === null) return 0;
      const known = entryAddress(entry);
      return known !== 0 ? known : m.newPoolBlock(entry, list.size, Number(list.tag));
    },
    ExFreeToNPagedLookasideList: (Lookaside: number, Entry: number): void => {
      const list = o.lookaside(Lookaside);
      const entry = entryOf(Entry);
      k.ExFreeToNPagedLookasideList(list, entry);
      released(list, [entry]);
    },
    ExDeleteNPagedLookasideList: (Lookaside: number): void => {
      const list = o.lookaside(Lookaside);
      const cached = [...list.cached];
      k.ExDeleteNPagedLookasideList(list);
      released(list, cached);
    },

    // ---- device objects ----
    IoCreateDevice: (
      DriverObject: number, DeviceExtensionSize: number, DeviceName: number, DeviceType: number,
      DeviceCharacteristics: number, Exclusive: number, DeviceObject: number,
    ): number => {
      d.u32(DeviceObject);
      const out: { value: DEVICE_OBJECT | null } = { value: null };
      const size = DeviceExtensionSize >>> 0;
      // The model's driver object is the one sim.load passes nothing for (src/nt/device.ts).
      const status = k.IoCreateDevice(
        null, size, unicodeString(d, DeviceName), DeviceType >>> 0, DeviceCharacteristics >>> 0,
        Exclusive !== 0, out,
      );
      if (out.value !== null) d.setU32(DeviceObject, o.newDevice(out.value, DriverObject, size));
      return status;
    },
    IoDeleteDevice: (DeviceObject: number): void => {
      const device = o.device(DeviceObject, 'IoDeleteDevice');
      const first = !device.deleted;
      k.IoDeleteDevice(device);
      if (first && device.deleted) o.deleteDevice(DeviceObject);
    },
  };
}

/** The model's Allocate for a C ALLOCATE_FUNCTION, or null for NULL (the model's pool). */
function allocateRoutine(d: CDriver, m: Mirrors, routine: number): PALLOCATE_FUNCTION | null {
  if (routine === 0) return null;
  return (PoolType, NumberOfBytes, Tag) => {
    const call = (): number =>
      d.exports.__wsksim_call_allocate(routine, PoolType, NumberOfBytes, Number(Tag));
    const address = d.callback(call);
    return address === 0 ? null : (m.poolBlockAt(address) ?? m.objects.entryAt(address));
  };
}

/** The model's Free for a C FREE_FUNCTION, or null for NULL (the model's ExFreePool). */
function freeRoutine(
  d: CDriver,
  routine: number,
  addressOf: (entry: object) => number,
): PFREE_FUNCTION | null {
  if (routine === 0) return null;
  return (Buffer) =>
    void d.callback(() => {
      d.exports.__wsksim_call_free(routine, addressOf(Buffer));
      return 0;
    });
}

/** A PUNICODE_STRING's text, or null for NULL. */
function unicodeString(d: CDriver, address: number): UNICODE_STRING | null {
  if (address === 0) return null;
  const Length = d.u16(address + UNICODE_STRING_LAYOUT.Length);
  const MaximumLength = d.u16(address + UNICODE_STRING_LAYOUT.MaximumLength);
  const Buffer = d.wideString(d.u32(address + UNICODE_STRING_LAYOUT.Buffer), Length / 2);
  return { Length, MaximumLength, Buffer };
}
