/**
 * The IRP as a driver sees it (wdm.h names): IoStatus, PendingReturned, Cancel, CancelIrql,
 * CancelRoutine, MdlAddress, StackCount, CurrentLocation; and the model's bookkeeping on it
 * (its lifecycle state, the completion routine, the operation that holds it). The routines
 * that act on it are in irp-routines.ts.
 */
import type { IrpState } from './irp-state.ts';
import type { KIRQL } from './irql.ts';
import type { MDL } from './mdl.ts';
import { STATUS_SUCCESS, type NTSTATUS } from './ntstatus.ts';

/** An opaque device object; the model passes null where Windows passes the device. */
export type PDEVICE_OBJECT = object | null;

export interface IO_STATUS_BLOCK {
  Status: NTSTATUS;
  /** ULONG_PTR: a byte count, or a pointer (the new socket for WskSocket/WskAccept). */
  Information: unknown;
}

export type IO_COMPLETION_ROUTINE = (
  DeviceObject: PDEVICE_OBJECT,
  Irp: IRP,
  Context: unknown,
) => NTSTATUS;
export type DRIVER_CANCEL = (DeviceObject: PDEVICE_OBJECT, Irp: IRP) => void;

export type { IrpState } from './irp-state.ts';

export interface Completion {
  readonly routine: IO_COMPLETION_ROUTINE;
  readonly context: unknown;
  readonly onSuccess: boolean;
  readonly onError: boolean;
  readonly onCancel: boolean;
}

/**
 * IO_STATUS_BLOCK as the model keeps it: a failure that a pended IRP completed with is marked
 * unread until driver code reads Status, for the advisory WSK-STATUS-IGNORED
 * (docs/design.md#status-violation-or-advisory: "a pended IRP's failure status never read"). An
 * inline completion's status is the call's return value, which the driver sees, so only pended
 * completions are marked.
 */
export class IoStatusBlock implements IO_STATUS_BLOCK {
  #status: NTSTATUS = STATUS_SUCCESS;
  Information: unknown = 0;
  /** @internal a pended completion's failure, not yet read by the driver */
  unread = false;

  get Status(): NTSTATUS {
    this.unread = false;
    return this.#status;
  }

  set Status(Status: NTSTATUS) {
    this.#status = Status;
    this.unread = false;
  }

  /** @internal the model's own read, which does not count as the driver's */
  peek(): NTSTATUS {
    return this.#status;
  }
}

export class IRP {
  readonly IoStatus = new IoStatusBlock();
  PendingReturned = false;
  Cancel = false;
  CancelIrql: KIRQL = 0 as KIRQL;
  CancelRoutine: DRIVER_CANCEL | null = null;
  MdlAddress: MDL | null = null;
  readonly StackCount: number;
  CurrentLocation: number;
  /** @internal */ readonly id: number;
  /** @internal written only by setIrpState (irp-state.ts), which checks the move */
  readonly state: IrpState = 'idle';
  /** @internal the virtual time of the last change of `state` (setIrpState) */
  readonly stateSince: number = 0;
  /** @internal */ completion: Completion | null = null;
  /** @internal allocated by the driver with IoAllocateIrp (all are, until IRPs from above). */
  readonly driverOwned: boolean;
  /** @internal the WSK operation that holds it. */
  operation = '';
  /** @internal the cached security descriptor the call holding it was given */
  descriptor: object | null = null;
  /** @internal the driver's file:line at IoAllocateIrp, when sites are recorded */
  site: string | null = null;
  /**
   * @internal a completion event is due for it (IrpManager.completeLater, or a provider's own
   * deferred completion): that event holds it. Bookkeeping for the invariant checker only.
   */
  completionDue = false;

  /** @internal use IoAllocateIrp */
  constructor(id: number, stackCount: number, driverOwned: boolean) {
    this.id = id;
    this.StackCount = stackCount;
    this.CurrentLocation = stackCount + 1;
    this.driverOwned = driverOwned;
  }
}

