/**
 * C mirrors of the model's kernel objects that are not dispatcher objects (mirrors.ts has those):
 * run-down references and lookaside lists keyed by their C address, as a KEVENT is (one used
 * before its initialisation is a fresh object the model finds uninitialised), lookaside entries a
 * driver's own Allocate routine made, and device objects, each a C DEVICE_OBJECT
 * ("DEVICE_OBJECT structure (wdm.h)",
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_device_object) the bridge
 * fills and the model's DEVICE_OBJECT it stands for.
 */
import { DEVICE_OBJECT, EX_RUNDOWN_REF, NPAGED_LOOKASIDE_LIST } from '../wsk/index.ts';
import { hex, type CDriver } from './c-driver.ts';
import { DEVICE_OBJECT_LAYOUT, IO_TYPE_DEVICE } from './layout.ts';

/** Where a device's extension starts: after the DEVICE_OBJECT, 8-aligned for a LONGLONG. */
const EXTENSION_AT = Math.ceil(DEVICE_OBJECT_LAYOUT.size / 8) * 8;
/** DRIVER_OBJECT.DeviceObject, the head of the driver's devices (wdm.h). */
const DRIVER_DEVICE_OBJECT = 4;
/** DEVICE_OBJECT.NextDevice (wdm.h). */
const NEXT_DEVICE = 12;

export class ObjectMirrors {
  readonly #d: CDriver;
  readonly #rundowns = new Map<number, EX_RUNDOWN_REF>();
  readonly #lookasides = new Map<number, NPAGED_LOOKASIDE_LIST>();
  /** Entries a driver's Allocate routine returned that are not the bridge's pool blocks. */
  readonly #entries = new Map<number, object>();
  readonly #entryAddress = new WeakMap<object, number>();
  readonly #devices = new Map<number, DEVICE_OBJECT>();
  readonly #deviceAddress = new WeakMap<DEVICE_OBJECT, number>();

  constructor(driver: CDriver) {
    this.#d = driver;
  }

  rundown(address: number): EX_RUNDOWN_REF {
    return this.#keyed(this.#rundowns, address, () => new EX_RUNDOWN_REF());
  }

  lookaside(address: number): NPAGED_LOOKASIDE_LIST {
    return this.#keyed(this.#lookasides, address, () => new NPAGED_LOOKASIDE_LIST());
  }

  /** The model's entry for an address a driver's Allocate routine returned (made once). */
  entryAt(address: number): object {
    let entry = this.#entries.get(address);
    if (entry === undefined) {
      entry = { lookasideEntry: address };
      this.#entries.set(address, entry);
      this.#entryAddress.set(entry, address);
    }
    return entry;
  }

  /** The address of an entry entryAt made, or undefined. */
  entryAddress(entry: object): number | undefined {
    return this.#entryAddress.get(entry);
  }

  /** A known entry at `address`, or undefined. */
  knownEntry(address: number): object | undefined {
    return this.#entries.get(address);
  }

  // ---- devices --------------------------------------------------------------------------------

  /**
   * A C DEVICE_OBJECT for the model's `device`, with `extensionSize` zeroed bytes after it, linked
   * at the head of the C driver object's DeviceObject list when there is one.
   */
  newDevice(device: DEVICE_OBJECT, driverObject: number, extensionSize: number): number {
    const d = this.#d;
    const size = EXTENSION_AT + extensionSize;
    const address = d.allocate(size, 'object');
    const at = DEVICE_OBJECT_LAYOUT;
    d.bytes.fill(0, address, address + size);
    d.setU16(address + at.Type, IO_TYPE_DEVICE);
    d.setU16(address + at.Size, DEVICE_OBJECT_LAYOUT.size + extensionSize);
    d.setU32(address + at.DriverObject, driverObject);
    d.setU32(address + at.Flags, device.Flags);
    d.setU32(address + at.Characteristics, device.Characteristics);
    d.setU32(address + at.DeviceExtension, extensionSize > 0 ? address + EXTENSION_AT : 0);
    d.setU32(address + at.DeviceType, device.DeviceType);
    d.setU8(address + at.StackSize, 1);
    if (driverObject !== 0) {
      d.setU32(address + NEXT_DEVICE, d.u32(driverObject + DRIVER_DEVICE_OBJECT));
      d.setU32(driverObject + DRIVER_DEVICE_OBJECT, address);
    }
    this.#devices.set(address, device);
    this.#deviceAddress.set(device, address);
    return address;
  }

  /** The model's device at `address`; a pointer that is none is the driver's crash. */
  device(address: number, routine: string): DEVICE_OBJECT {
    const device = this.#devices.get(address);
    if (device === undefined) {
      this.#d.crash(`${routine}: ${hex(address)} is not a device IoCreateDevice returned`);
    }
    return device;
  }

  deviceAddress(device: unknown): number {
    return device instanceof DEVICE_OBJECT ? (this.#deviceAddress.get(device) ?? 0) : 0;
  }

  /**
   * The model deleted the device at `address` for the first time: it leaves its driver object's
   * list and its memory goes back to the heap. The address stays known, so a second
   * IoDeleteDevice is the model's DEVICE-DELETED-TWICE.
   */
  deleteDevice(address: number): void {
    const d = this.#d;
    const driverObject = d.u32(address + DEVICE_OBJECT_LAYOUT.DriverObject);
    if (driverObject !== 0) {
      let link = driverObject + DRIVER_DEVICE_OBJECT;
      // Bounded: a list the driver broke into a cycle is left as it is.
      for (let n = 0; n < this.#devices.size && d.u32(link) !== 0 && d.u32(link) !== address; n++) {
        link = d.u32(link) + NEXT_DEVICE;
      }
      if (d.u32(link) === address) d.setU32(link, d.u32(address + NEXT_DEVICE));
    }
    if (d.heap.kindAt(address) === 'object') d.heap.free(address);
  }

  #keyed<T>(map: Map<number, T>, address: number, make: () => T): T {
    let object = map.get(address);
    if (object === undefined) {
      this.#d.u8(address);
      object = make();
      map.set(address, object);
    }
    return object;
  }
}
