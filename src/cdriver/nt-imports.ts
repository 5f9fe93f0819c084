/**
 * The wdm.h routines a C driver imports (module "wsksim"), each the model's routine of the same
 * name (src/nt) with its C arguments converted through the mirrors: addresses to objects,
 * BOOLEANs to booleans, a PLARGE_INTEGER to a LARGE_INTEGER, out-parameters written back.
 * MDLs and SLISTs are mdl-imports.ts's and slist-imports.ts's.
 * The waits (KeWaitForSingleObject, KeDelayExecutionThread) unwind the calling thread's C stack
 * while they block (c-driver.ts). The IRP routines are nt-irp-imports.ts's.
 */
import {
  IO_WORKITEM,
  KTHREAD,
  STATUS_TIMEOUT,
  formatDbgPrint,
  type HANDLE,
  type KDEFERRED_ROUTINE,
  type KIRQL,
  type LARGE_INTEGER,
  type NTSTATUS,
  type POOL_TYPE,
} from '../wsk/index.ts';
import { hex, type CDriver } from './c-driver.ts';
import type { Mirrors } from './mirrors.ts';

type Import = (...args: never[]) => number | bigint | void;

/** A zero interval: KeDelayExecutionThread with a NULL Interval yields (the model's reading). */
const NOW: LARGE_INTEGER = Object.freeze({ QuadPart: 0 });

export function ntImports(d: CDriver, m: Mirrors): Record<string, Import> {
  const k = d.kernel;
  const workItem = (handle: number, routine: string): IO_WORKITEM => {
    const item = m.object(handle);
    if (!(item instanceof IO_WORKITEM)) {
      d.crash(`${routine}: ${hex(handle)} is not a work item IoAllocateWorkItem returned`);
    }
    return item;
  };
  const timeout = (address: number): LARGE_INTEGER | null =>
    address === 0 ? null : { QuadPart: d.i64(address) };
  const pool = (block: object | null, bytes: number, tag: number): number =>
    m.newPoolBlock(block, bytes, tag);
  return {

    // ---- pool ----
    ExAllocatePoolWithTag: (PoolType: number, NumberOfBytes: number, Tag: number): number =>
      pool(k.ExAllocatePoolWithTag(PoolType as POOL_TYPE, NumberOfBytes, Tag), NumberOfBytes, Tag),
    ExAllocatePoolZero: (PoolType: number, NumberOfBytes: number, Tag: number): number =>
      pool(k.ExAllocatePoolZero(PoolType as POOL_TYPE, NumberOfBytes, Tag), NumberOfBytes, Tag),
    ExAllocatePool2: (Flags: bigint, NumberOfBytes: number, Tag: number): number =>
      pool(k.ExAllocatePool2(Number(Flags), NumberOfBytes, Tag), NumberOfBytes, Tag),
    ExFreePoolWithTag: (P: number, Tag: number): void => {
      if (d.doubleFree?.(P) === true) return;
      k.ExFreePoolWithTag(m.poolBlock(P, 'ExFreePoolWithTag'), Tag);
      m.freePoolBlock(P);
    },
    ExFreePool: (P: number): void => {
      if (d.doubleFree?.(P) === true) return;
      k.ExFreePool(m.poolBlock(P, 'ExFreePool'));
      m.freePoolBlock(P);
    },

    // ---- events and waits ----
    KeInitializeEvent: (Event: number, Type: number, State: number): void =>
      k.KeInitializeEvent(m.event(Event), Type === 1 ? 1 : 0, State !== 0),
    KeSetEvent: (Event: number, Increment: number, Wait: number): number =>
      k.KeSetEvent(m.event(Event), Increment, Wait !== 0),
    KeResetEvent: (Event: number): number => k.KeResetEvent(m.event(Event)),
    KeClearEvent: (Event: number): void => k.KeClearEvent(m.event(Event)),
    KeReadStateEvent: (Event: number): number => k.KeReadStateEvent(m.event(Event)),
    KeWaitForSingleObject: (
      Object: number, WaitReason: number, WaitMode: number, Alertable: number, Timeout: number,
    ): number =>
      d.waiting(
        () =>
          k.dispatcher.waitForSingleObjectNow(
            m.waitable(Object), WaitReason, WaitMode, Alertable !== 0, timeout(Timeout),
          ),
        (status: NTSTATUS) => status,
        () => cannotBlock(d, 'KeWaitForSingleObject'),
      ),
    KeDelayExecutionThread: (WaitMode: number, Alertable: number, Interval: number): number =>
      d.waiting(
        () => k.KeDelayExecutionThread(WaitMode, Alertable !== 0, timeout(Interval) ?? NOW),
        (status: NTSTATUS) => status,
        () => cannotBlock(d, 'KeDelayExecutionThread'),
      ),

    // ---- timers and DPCs ----
    KeInitializeDpc: (Dpc: number, DeferredRoutine: number, DeferredContext: number): void => {
      const deferred: KDEFERRED_ROUTINE = (_dpc, context, argument1, argument2) =>
        void d.callback(() => {
          d.exports.__wsksim_call_dpc(
            DeferredRoutine, Dpc, word(context), word(argument1), word(argument2),
          );
          return 0;
        });
      k.KeInitializeDpc(m.dpc(Dpc), deferred, nullable(DeferredContext));
    },
    KeInitializeTimer: (Timer: number): void => k.KeInitializeTimer(m.timer(Timer)),
    KeInitializeTimerEx: (Timer: number, Type: number): void =>
      k.KeInitializeTimerEx(m.timer(Timer), Type === 1 ? 1 : 0),
    // A LARGE_INTEGER passed by value is a union: wasm32's C ABI passes the address of a copy.
    KeSetTimer: (Timer: number, DueTime: number, Dpc: number): number =>
      k.KeSetTimer(m.timer(Timer), { QuadPart: d.i64(DueTime) }, Dpc === 0 ? null : m.dpc(Dpc))
        ? 1
        : 0,
    KeSetTimerEx: (Timer: number, DueTime: number, Period: number, Dpc: number): number =>
      k.KeSetTimerEx(
        m.timer(Timer), { QuadPart: d.i64(DueTime) }, Period | 0, Dpc === 0 ? null : m.dpc(Dpc),
      )
        ? 1
        : 0,
    KeCancelTimer: (Timer: number): number => (k.KeCancelTimer(m.timer(Timer)) ? 1 : 0),
    KeReadStateTimer: (Timer: number): number => (k.KeReadStateTimer(m.timer(Timer)) ? 1 : 0),

    // ---- work items and system threads: each routine on a C stack of its own ----
    IoAllocateWorkItem: (DeviceObject: number): number => {
      const device =
        DeviceObject === 0 ? null : m.objects.device(DeviceObject, 'IoAllocateWorkItem');
      const item = k.IoAllocateWorkItem(device);
      return item === null ? 0 : m.handle(item);
    },
    IoQueueWorkItem: (
      IoWorkItem: number, WorkerRoutine: number, QueueType: number, Context: number,
    ): void => {
      const routine = (device: unknown, context: unknown): Promise<void> =>
        ended(
          d.runThread('work item', () => {
            const address = m.objects.deviceAddress(device);
            d.exports.__wsksim_call_work_item(WorkerRoutine, address, word(context));
            return 0;
          }),
        );
      const item = workItem(IoWorkItem, 'IoQueueWorkItem');
      k.IoQueueWorkItem(item, routine, QueueType, nullable(Context));
    },
    IoFreeWorkItem: (IoWorkItem: number): void =>
      k.IoFreeWorkItem(workItem(IoWorkItem, 'IoFreeWorkItem')),
    PsCreateSystemThread: (
      ThreadHandle: number, DesiredAccess: number, ObjectAttributes: number, ProcessHandle: number,
      ClientId: number, StartRoutine: number, StartContext: number,
    ): number => {
      d.u8(ThreadHandle);
      const handle: { value: HANDLE | null } = { value: null };
      const start = (context: unknown): Promise<void> =>
        ended(
          d.runThread('system thread', () => {
            d.exports.__wsksim_call_start_routine(StartRoutine, word(context));
            return 0;
          }),
        );
      const status = k.PsCreateSystemThread(
        handle, DesiredAccess, nullable(ObjectAttributes), nullable(ProcessHandle),
        nullable(ClientId), start, nullable(StartContext),
      );
      d.setU32(ThreadHandle, handle.value === null ? 0 : m.handle(handle.value));
      return status;
    },
    PsTerminateSystemThread: (ExitStatus: number): number => {
      const status = k.PsTerminateSystemThread(ExitStatus as NTSTATUS);
      if (!d.terminateThread()) {
        d.crash('PsTerminateSystemThread in a callback the kernel called: no thread to end');
      }
      return status;
    },
    ObReferenceObjectByHandle: (
      Handle: number, DesiredAccess: number, ObjectType: number, AccessMode: number,
      Object: number, HandleInformation: number,
    ): number => {
      const object = m.object(Handle);
      if (!(object instanceof KTHREAD)) {
        d.crash(`ObReferenceObjectByHandle: ${hex(Handle)} is not a thread's handle`);
      }
      const out = { value: null as unknown };
      const status = k.ObReferenceObjectByHandle(
        object, DesiredAccess, nullable(ObjectType), AccessMode, out, nullable(HandleInformation),
      );
      d.setU32(Object, m.handle(out.value as object));
      return status;
    },
    ObDereferenceObject: (Object: number): void => k.ObDereferenceObject(m.object(Object) ?? null),
    ZwClose: (Handle: number): number => k.ZwClose(m.object(Handle) ?? null),

    // ---- IRQL and spin locks ----
    KeGetCurrentIrql: (): number => k.KeGetCurrentIrql(),
    KeRaiseIrql: (NewIrql: number, OldIrql: number): void => {
      const old = { value: 0 as KIRQL };
      k.KeRaiseIrql(NewIrql as KIRQL, old);
      d.setU8(OldIrql, old.value);
    },
    KeLowerIrql: (NewIrql: number): void => k.KeLowerIrql(NewIrql as KIRQL),
    KeInitializeSpinLock: (SpinLock: number): void => k.KeInitializeSpinLock(m.spinLock(SpinLock)),
    KeAcquireSpinLock: (SpinLock: number, OldIrql: number): void => {
      const old = { value: 0 as KIRQL };
      k.KeAcquireSpinLock(m.spinLock(SpinLock), old);
      d.setU8(OldIrql, old.value);
    },
    KeReleaseSpinLock: (SpinLock: number, NewIrql: number): void =>
      k.KeReleaseSpinLock(m.spinLock(SpinLock), NewIrql as KIRQL),
    KeAcquireSpinLockAtDpcLevel: (SpinLock: number): void =>
      k.KeAcquireSpinLockAtDpcLevel(m.spinLock(SpinLock)),
    KeReleaseSpinLockFromDpcLevel: (SpinLock: number): void =>
      k.KeReleaseSpinLockFromDpcLevel(m.spinLock(SpinLock)),

    // ---- debug output ----
    DbgPrint: (Format: number, Arguments: number): number => {
      const format = d.cString(Format);
      return k.DbgPrint('%s', formatDbgPrint(format, varargs(d, format, Arguments)));
    },
    DbgPrintEx: (ComponentId: number, Level: number, Format: number, Arguments: number): number => {
      const format = d.cString(Format);
      const text = formatDbgPrint(format, varargs(d, format, Arguments));
      return k.DbgPrintEx(ComponentId, Level, '%s', text);
    },
  };
}

/**
 * A routine's thread as the kernel takes it: it settles when the C routine returns, its value
 * unread (a KSTART_ROUTINE returns nothing). The promise itself, not a `.then` of it: one more
 * turn would let a TypeScript routine's thread end before the C one's, so a run that stops at a
 * failure in the routine (the thread's 'ended' record then comes after the run's trace hash was
 * taken) would part from its TypeScript twin.
 */
function ended(thread: Promise<number>): Promise<void> {
  return thread as Promise<unknown> as Promise<void>;
}

/** A PVOID for the model: NULL is null. */
function nullable(value: number): number | null {
  return value === 0 ? null : value;
}

/** A context the model hands back, as C's PVOID. */
function word(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

/**
 * A wait from a callback the kernel called synchronously, which cannot unwind, that would block:
 * the model has parked no C code, so the verifier's rule for a wait outside a system thread
 * applies, and the callback gets STATUS_TIMEOUT as the TypeScript kernel answers a misuse.
 */
export function cannotBlock(d: CDriver, routine: string): number {
  d.kernel.violation(
    'WAIT-OUTSIDE-THREAD',
    `${routine} would block in a callback the kernel called synchronously (a C driver's ` +
      'callback cannot wait)',
  );
  return STATUS_TIMEOUT;
}

const CONVERSION = /%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d+))?(ll|l|h|w|I64|I32|I)?([diuxXocsSZp%])/g;

/**
 * The arguments of a C variadic call (clang's wasm32 va_list: each argument in order, aligned to
 * its size) as formatDbgPrint takes them: numbers, and strings for %s, %S / %ws and %wZ.
 */
function varargs(d: CDriver, format: string, address: number): unknown[] {
  const args: unknown[] = [];
  let at = address;
  const take = (size: 4 | 8): number => {
    at = Math.ceil(at / size) * size;
    const value = size === 8 ? d.i64(at) : d.u32(at);
    at += size;
    return value;
  };
  for (const match of format.matchAll(CONVERSION)) {
    const [, , width, precision, size, type] = match;
    if (type === '%') continue;
    if (width === '*') args.push(take(4));
    if (precision === '*') args.push(take(4));
    const value = take(size === 'll' || size === 'I64' ? 8 : 4);
    if (type === 's' && size !== 'w') args.push(value === 0 ? '(null)' : d.cString(value));
    else if (type === 'S' || (type === 's' && size === 'w')) args.push(d.wideString(value));
    else if (type === 'Z') args.push(unicodeString(d, value));
    else if (/[di]/.test(type as string) && size !== 'll' && size !== 'I64') args.push(value | 0);
    else args.push(value);
  }
  return args;
}

function unicodeString(d: CDriver, address: number): { Buffer: string } | null {
  if (address === 0) return null;
  return { Buffer: d.wideString(d.u32(address + 4), d.u16(address) / 2) };
}
