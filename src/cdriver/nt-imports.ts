/**
 * The wdm.h routines a C driver imports (module "wsksim"), each the model's routine of the same
 * name (src/nt) with its C arguments converted through the mirrors: addresses to objects,
 * BOOLEANs to booleans, a PLARGE_INTEGER to a LARGE_INTEGER, out-parameters written back.
 * The waits (KeWaitForSingleObject, KeDelayExecutionThread) unwind the calling thread's C stack
 * while they block (c-driver.ts).
 */
import {
  STATUS_TIMEOUT,
  formatDbgPrint,
  type IO_COMPLETION_ROUTINE,
  type KIRQL,
  type LARGE_INTEGER,
  type NTSTATUS,
  type POOL_TYPE,
} from '../wsk/index.ts';
import type { CDriver } from './c-driver.ts';
import type { Mirrors } from './mirrors.ts';

type Import = (...args: never[]) => number | bigint | void;

/** A zero interval: KeDelayExecutionThread with a NULL Interval yields (the model's reading). */
const NOW: LARGE_INTEGER = Object.freeze({ QuadPart: 0 });

export function ntImports(d: CDriver, m: Mirrors): Record<string, Import> {
  const k = d.kernel;
  const timeout = (address: number): LARGE_INTEGER | null =>
    address === 0 ? null : { QuadPart: d.i64(address) };
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
  const pool = (block: object | null, bytes: number): number => m.newPoolBlock(block, bytes);
  return {
    // ---- IRPs ----
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
    IoCancelIrp: (Irp: number): number => (k.IoCancelIrp(m.irp(Irp, 'IoCancelIrp')) ? 1 : 0),

    // ---- pool ----
    ExAllocatePoolWithTag: (PoolType: number, NumberOfBytes: number, Tag: number): number =>
      pool(k.ExAllocatePoolWithTag(PoolType as POOL_TYPE, NumberOfBytes, Tag), NumberOfBytes),
    ExAllocatePoolZero: (PoolType: number, NumberOfBytes: number, Tag: number): number =>
      pool(k.ExAllocatePoolZero(PoolType as POOL_TYPE, NumberOfBytes, Tag), NumberOfBytes),
    ExAllocatePool2: (Flags: bigint, NumberOfBytes: number, Tag: number): number =>
      pool(k.ExAllocatePool2(Number(Flags), NumberOfBytes, Tag), NumberOfBytes),
    ExFreePoolWithTag: (P: number, Tag: number): void => {
      k.ExFreePoolWithTag(m.poolBlock(P, 'ExFreePoolWithTag'), Tag);
      m.freePoolBlock(P);
    },
    ExFreePool: (P: number): void => {
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
            m.event(Object), WaitReason, WaitMode, Alertable !== 0, timeout(Timeout),
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
