/**
 * The wdm.h IRP routines a C driver imports (module "wsksim"), each the model's routine of the
 * same name (src/nt/irp-routines.ts) with its C arguments converted through the mirrors: the C
 * IRP kept in step with the model's (mirrors.ts), and the driver's completion and cancel routines
 * called through the runtime's trampolines (c/runtime/runtime.c).
 *
 * Cancel routines ("IoSetCancelRoutine function (wdm.h)",
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iosetcancelroutine): the
 * model holds one DRIVER_CANCEL function per C routine, made on the routine's first use and kept
 * with its C pointer both ways, so IoSetCancelRoutine returns the C pointer the driver set. A
 * routine the model set itself (a pended WSK call's) is returned as an opaque handle, which traps
 * if called and which IoSetCancelRoutine takes back as that routine.
 */
import {
  type DRIVER_CANCEL,
  type IO_COMPLETION_ROUTINE,
  type IRP,
  type KIRQL,
  type NTSTATUS,
} from '../wsk/index.ts';
import type { CDriver } from './c-driver.ts';
import type { Mirrors } from './mirrors.ts';

type Import = (...args: never[]) => number | void;

export function ntIrpImports(d: CDriver, m: Mirrors): Record<string, Import> {
  const k = d.kernel;
  /** The model's completion routine for C's `routine`: the C IRP in step, then the call. */
  const completion = (routine: number): IO_COMPLETION_ROUTINE | null =>
    routine === 0
      ? null
      : (_device, irp, context) => {
          m.syncIrp(irp);
          const c = typeof context === 'number' ? context : 0;
          const address = m.irpAddress(irp);
          const call = (): number => d.exports.__wsksim_call_completion(routine, 0, address, c);
          return d.callback(call) as NTSTATUS;
        };
  const cancel = cancelRoutines(d, m);
  return {
    IoAllocateIrp: (StackSize: number, ChargeQuota: number): number => {
      const irp = k.IoAllocateIrp(StackSize, ChargeQuota !== 0);
      return irp === null ? 0 : m.newIrp(irp);
    },
    IoFreeIrp: (Irp: number): void => {
      k.IoFreeIrp(m.irp(Irp, 'IoFreeIrp'));
      m.freeIrp(Irp);
    },
    IoReuseIrp: (Irp: number, Status: number): void => {
      const irp = m.irp(Irp, 'IoReuseIrp');
      k.IoReuseIrp(irp, Status as NTSTATUS);
      m.syncIrp(irp);
    },
    IoSetCompletionRoutine: (
      Irp: number, Routine: number, Context: number, OnSuccess: number, OnError: number,
      OnCancel: number,
    ): void => {
      const irp = m.irp(Irp, 'IoSetCompletionRoutine');
      const context = Context === 0 ? null : Context;
      k.IoSetCompletionRoutine(
        irp, completion(Routine), context, OnSuccess !== 0, OnError !== 0, OnCancel !== 0,
      );
    },
    IoCancelIrp: (Irp: number): number => {
      const irp = m.irp(Irp, 'IoCancelIrp');
      const cancelled = k.IoCancelIrp(irp);
      m.syncIrp(irp);
      return cancelled ? 1 : 0;
    },
    IoSetCancelRoutine: (Irp: number, CancelRoutine: number): number => {
      const irp = m.irp(Irp, 'IoSetCancelRoutine');
      return cancel.address(k.IoSetCancelRoutine(irp, cancel.routine(CancelRoutine)));
    },
    IoReleaseCancelSpinLock: (Irql: number): void => k.IoReleaseCancelSpinLock(Irql as KIRQL),
    // The status the driver wrote in Irp->IoStatus is the one the IRP completes with.
    IoCompleteRequest: (Irp: number, PriorityBoost: number): void => {
      const irp = m.irp(Irp, 'IoCompleteRequest');
      m.readIrpStatus(irp);
      k.IoCompleteRequest(irp, (PriorityBoost << 24) >> 24); // a CCHAR
      m.syncIrp(irp);
    },
  };
}

interface CancelRoutines {
  /** The model's routine for the C pointer `address` (NULL: null). */
  routine(address: number): DRIVER_CANCEL | null;
  /** The C pointer of the model's `routine` (null: NULL). */
  address(routine: DRIVER_CANCEL | null): number;
}

/**
 * The driver's cancel routines both ways. The model's routine for a C pointer writes Cancel and
 * CancelIrql into the C IRP, then calls the C routine through the runtime's trampoline, with the
 * cancel spin lock held as IoCancelIrp holds it ("DRIVER_CANCEL callback function (wdm.h)",
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-driver_cancel).
 */
function cancelRoutines(d: CDriver, m: Mirrors): CancelRoutines {
  const byAddress = new Map<number, DRIVER_CANCEL>();
  const addressOf = new WeakMap<DRIVER_CANCEL, number>();
  const make = (address: number): DRIVER_CANCEL => {
    const routine: DRIVER_CANCEL = (_device, irp: IRP) => {
      m.syncIrp(irp);
      const call = (): number => {
        d.exports.__wsksim_call_cancel(address, 0, m.irpAddress(irp));
        return 0;
      };
      d.callback(call);
    };
    byAddress.set(address, routine);
    addressOf.set(routine, address);
    return routine;
  };
  return {
    routine: (address) => {
      if (address === 0) return null;
      const known = byAddress.get(address) ?? m.object(address);
      if (typeof known === 'function') return known as DRIVER_CANCEL;
      return make(address);
    },
    address: (routine) => {
      if (routine === null) return 0;
      return addressOf.get(routine) ?? m.handle(routine);
    },
  };
}
