/**
 * A minimal DEVICE_OBJECT (WDK reference pages "IoCreateDevice function (wdm.h)", "IoDeleteDevice
 * function (wdm.h)"), so a driver has one to hand IoAllocateWorkItem and its completion routines
 * receive, as in Windows.
 * - IoCreateDevice(DriverObject, DeviceExtensionSize, DeviceName, DeviceType,
 *   DeviceCharacteristics, Exclusive, DeviceObject) at PASSIVE_LEVEL stores a new DEVICE_OBJECT
 *   in DeviceObject.value and returns STATUS_SUCCESS; its DeviceExtension is an object of its own
 *   (DeviceExtensionSize bytes in C; fields undefined until written), null when the size is 0.
 *   A DeviceName another device of the host already has is STATUS_OBJECT_NAME_COLLISION. The
 *   driver object is the one `sim.load` passes nothing for: pass `null`, or a DRIVER_OBJECT.
 * - IoDeleteDevice(DeviceObject) at PASSIVE_LEVEL deletes it; deleting it again is
 *   DEVICE-DELETED-TWICE, and IoAllocateWorkItem on a deleted device is DEVICE-USE-AFTER-DELETE.
 * No IRPs are sent to a device (the model has no IRPs from above); DeviceType and
 * DeviceCharacteristics are kept, not used.
 */
import { PASSIVE_LEVEL } from './irql.ts';
import type { KernelCore } from './kernel-core.ts';
import { STATUS_OBJECT_NAME_COLLISION, STATUS_SUCCESS, type NTSTATUS } from './ntstatus.ts';

/** DEVICE_TYPE values drivers of this kind pass (wdm.h / devioctl.h). */
export const FILE_DEVICE_UNKNOWN = 0x22;
export const FILE_DEVICE_NETWORK = 0x12;
export const FILE_DEVICE_SECURE_OPEN = 0x100;

/** The driver object DriverEntry receives (opaque here). */
export class DRIVER_OBJECT {
  DriverExtension: unknown = null;
}
export type PDRIVER_OBJECT = DRIVER_OBJECT | null;

/** UNICODE_STRING as drivers pass names: its text (Buffer) and length in bytes. */
export interface UNICODE_STRING {
  Length: number;
  MaximumLength: number;
  Buffer: string;
}
export type PUNICODE_STRING = UNICODE_STRING;
export type PCUNICODE_STRING = UNICODE_STRING;

/** RtlInitUnicodeString's result, as a value: `RTL_CONSTANT_STRING('\\Device\\Echo')`. */
export function RTL_CONSTANT_STRING(Text: string): UNICODE_STRING {
  return { Length: Text.length * 2, MaximumLength: Text.length * 2 + 2, Buffer: Text };
}

export class DEVICE_OBJECT {
  readonly DriverObject: PDRIVER_OBJECT;
  readonly DeviceType: number;
  readonly Characteristics: number;
  /** The driver's per-device context (DeviceExtensionSize bytes in C). */
  readonly DeviceExtension: Record<string, unknown> | null;
  Flags = 0;
  /** @internal */ readonly name: string | null;
  /** @internal */ deleted = false;
  /** @internal use IoCreateDevice */
  constructor(
    driver: PDRIVER_OBJECT,
    type: number,
    characteristics: number,
    extension: boolean,
    name: string | null,
  ) {
    this.DriverObject = driver;
    this.DeviceType = type;
    this.Characteristics = characteristics;
    this.DeviceExtension = extension ? {} : null;
    this.name = name;
  }
}

export class DeviceManager {
  readonly #k: KernelCore;
  readonly #names = new Set<string>();

  constructor(kernel: KernelCore) {
    this.#k = kernel;
  }

  IoCreateDevice(
    DriverObject: PDRIVER_OBJECT,
    DeviceExtensionSize: number,
    DeviceName: UNICODE_STRING | null,
    DeviceType: number,
    DeviceCharacteristics: number,
    Exclusive: boolean,
    DeviceObject: { value: DEVICE_OBJECT | null },
  ): NTSTATUS {
    void Exclusive;
    const k = this.#k;
    if (!k.requireIrql('IoCreateDevice', PASSIVE_LEVEL)) return STATUS_SUCCESS;
    const name = DeviceName?.Buffer ?? null;
    if (name !== null && this.#names.has(name)) return STATUS_OBJECT_NAME_COLLISION;
    if (name !== null) this.#names.add(name);
    DeviceObject.value = new DEVICE_OBJECT(
      DriverObject,
      DeviceType,
      DeviceCharacteristics,
      DeviceExtensionSize > 0,
      name,
    );
    return STATUS_SUCCESS;
  }

  IoDeleteDevice(DeviceObject: DEVICE_OBJECT): void {
    const k = this.#k;
    if (!k.requireIrql('IoDeleteDevice', PASSIVE_LEVEL)) return;
    if (DeviceObject.deleted) return k.violation('DEVICE-DELETED-TWICE', 'IoDeleteDevice');
    DeviceObject.deleted = true;
    if (DeviceObject.name !== null) this.#names.delete(DeviceObject.name);
  }
}
