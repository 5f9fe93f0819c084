/**
 * Work items (WDK IoAllocateWorkItem, IoQueueWorkItem, IoFreeWorkItem). A work item runs at
 * PASSIVE_LEVEL as a system thread (so it may wait), started as an event at the instant it was
 * queued; queued twice is WORKITEM-QUEUED-TWICE, freed while queued WORKITEM-FREED-WHILE-QUEUED.
 * Allocation can fail (choice 'work item allocation fails', `workItemAllocationFailure`); on a
 * device IoDeleteDevice deleted it is DEVICE-USE-AFTER-DELETE (device.ts).
 */
import { DEVICE_OBJECT } from './device.ts';
import type { PDEVICE_OBJECT } from './irp.ts';
import { DISPATCH_LEVEL } from './irql.ts';
import type { KernelCore } from './kernel-core.ts';
import type { ThreadManager } from './threads.ts';

/** WORK_QUEUE_TYPE. */
export const CriticalWorkQueue = 0;
export const DelayedWorkQueue = 1;
export const HyperCriticalWorkQueue = 2;

export class IO_WORKITEM {
  /** @internal */ readonly device: PDEVICE_OBJECT;
  /** @internal */ queued = false;
  /** @internal */ freed = false;
  /** @internal use IoAllocateWorkItem */
  constructor(device: PDEVICE_OBJECT) {
    this.device = device;
  }
}
export type IO_WORKITEM_ROUTINE = (
  DeviceObject: PDEVICE_OBJECT,
  Context: unknown,
) => void | PromiseLike<void>;

export class WorkItemManager {
  readonly #k: KernelCore;
  readonly #threads: ThreadManager;

  constructor(kernel: KernelCore, threads: ThreadManager) {
    this.#k = kernel;
    this.#threads = threads;
  }

  IoAllocateWorkItem(DeviceObject: PDEVICE_OBJECT): IO_WORKITEM | null {
    const k = this.#k;
    if (DeviceObject instanceof DEVICE_OBJECT && DeviceObject.deleted) {
      k.violation('DEVICE-USE-AFTER-DELETE', 'IoAllocateWorkItem on a deleted device');
      return null;
    }
    if (k.allocationFails('work item', k.options.workItemAllocationFailure)) return null;
    return new IO_WORKITEM(DeviceObject);
  }

  IoQueueWorkItem(
    IoWorkItem: IO_WORKITEM,
    WorkerRoutine: IO_WORKITEM_ROUTINE,
    QueueType: number,
    Context: unknown,
  ): void {
    void QueueType;
    const k = this.#k;
    if (IoWorkItem.freed) return k.violation('WORKITEM-USE-AFTER-FREE', 'IoQueueWorkItem');
    if (IoWorkItem.queued) return k.violation('WORKITEM-QUEUED-TWICE', 'IoQueueWorkItem');
    if (!k.requireIrql('IoQueueWorkItem', DISPATCH_LEVEL)) return;
    IoWorkItem.queued = true;
    const body = (): void | PromiseLike<void> => {
      IoWorkItem.queued = false;
      return WorkerRoutine(IoWorkItem.device, Context);
    };
    this.#threads.startThread(`${k.host}/work-item`, body, 'work item routine');
  }

  IoFreeWorkItem(IoWorkItem: IO_WORKITEM): void {
    const k = this.#k;
    if (IoWorkItem.freed) return k.violation('WORKITEM-FREED-TWICE', 'IoFreeWorkItem');
    if (IoWorkItem.queued) return k.violation('WORKITEM-FREED-WHILE-QUEUED', 'IoFreeWorkItem');
    IoWorkItem.freed = true;
  }
}
