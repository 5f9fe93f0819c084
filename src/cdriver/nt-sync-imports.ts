/**
 * The wdm.h synchronisation routines beside events (nt-imports.ts): KeWaitForMultipleObjects,
 * mutexes and fast mutexes (src/nt/mutex.ts), run-down protection (src/nt/rundown.ts). Each is
 * the model's routine of the same name with its C arguments converted through the mirrors. The
 * routines that can block (KeWaitForMultipleObjects, ExAcquireFastMutex,
 * ExWaitForRundownProtectionRelease) unwind the calling thread's C stack while they do
 * (c-driver.ts), as KeWaitForSingleObject does; from a callback the kernel called synchronously,
 * which cannot unwind, a wait that would block is WAIT-OUTSIDE-THREAD (cannotBlock).
 */
import {
  MAXIMUM_WAIT_OBJECTS,
  KWAIT_BLOCK,
  type DispatcherObject,
  type LARGE_INTEGER,
  type NTSTATUS,
  type WAIT_TYPE,
} from '../wsk/index.ts';
import type { CDriver } from './c-driver.ts';
import type { Mirrors } from './mirrors.ts';
import { cannotBlock } from './nt-imports.ts';

type Import = (...args: never[]) => number | void;

/** sizeof(KWAIT_BLOCK) on wasm32 (c/runtime/layout-check.c). */
const KWAIT_BLOCK_SIZE = 24;

export function ntSyncImports(d: CDriver, m: Mirrors): Record<string, Import> {
  const k = d.kernel;
  const timeout = (address: number): LARGE_INTEGER | null =>
    address === 0 ? null : { QuadPart: d.i64(address) };
  /** A routine that returns nothing once it is over, at once or after blocking. */
  const over = (): number => 0;
  return {
    // ---- KeWaitForMultipleObjects ("KeWaitForMultipleObjects function (wdm.h)",
    // https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kewaitformultipleobjects)
    KeWaitForMultipleObjects: (
      Count: number, Object: number, WaitType: number, WaitReason: number, WaitMode: number,
      Alertable: number, Timeout: number, WaitBlockArray: number,
    ): number =>
      d.waiting(
        () =>
          k.waits.waitForMultipleObjectsNow(
            Count >>> 0, waitObjects(d, m, Object, Count >>> 0), WaitType as WAIT_TYPE,
            WaitReason, WaitMode, Alertable !== 0, timeout(Timeout),
            waitBlocks(d, WaitBlockArray, Count >>> 0),
          ),
        (status: NTSTATUS) => status,
        () => cannotBlock(d, 'KeWaitForMultipleObjects'),
      ),

    // ---- mutexes and fast mutexes ----
    KeInitializeMutex: (Mutex: number, Level: number): void =>
      k.KeInitializeMutex(m.mutex(Mutex), Level),
    KeReleaseMutex: (Mutex: number, Wait: number): number =>
      k.KeReleaseMutex(m.mutex(Mutex), Wait !== 0),
    KeReadStateMutex: (Mutex: number): number => k.KeReadStateMutex(m.mutex(Mutex)),
    ExInitializeFastMutex: (FastMutex: number): void =>
      k.ExInitializeFastMutex(m.fastMutex(FastMutex)),
    ExAcquireFastMutex: (FastMutex: number): number =>
      d.waiting<number | void>(
        () =>
          k.mutexes.acquireFastMutexNow(m.fastMutex(FastMutex)) ?? 0,
        over,
        () => cannotBlock(d, 'ExAcquireFastMutex'),
      ),
    ExTryToAcquireFastMutex: (FastMutex: number): number =>
      k.ExTryToAcquireFastMutex(m.fastMutex(FastMutex)) ? 1 : 0,
    ExReleaseFastMutex: (FastMutex: number): void =>
      k.ExReleaseFastMutex(m.fastMutex(FastMutex)),

    // ---- run-down protection ----
    ExInitializeRundownProtection: (RunRef: number): void =>
      k.ExInitializeRundownProtection(m.objects.rundown(RunRef)),
    ExReInitializeRundownProtection: (RunRef: number): void =>
      k.ExReInitializeRundownProtection(m.objects.rundown(RunRef)),
    ExAcquireRundownProtection: (RunRef: number): number =>
      k.ExAcquireRundownProtection(m.objects.rundown(RunRef)) ? 1 : 0,
    ExReleaseRundownProtection: (RunRef: number): void =>
      k.ExReleaseRundownProtection(m.objects.rundown(RunRef)),
    ExWaitForRundownProtectionRelease: (RunRef: number): number =>
      d.waiting<number | void>(
        () =>
          k.rundown.waitForReleaseNow(m.objects.rundown(RunRef)) ?? 0,
        over,
        () => cannotBlock(d, 'ExWaitForRundownProtectionRelease'),
      ),
    ExRundownCompleted: (RunRef: number): void =>
      k.ExRundownCompleted(m.objects.rundown(RunRef)),
  };
}

/**
 * The objects of a wait's PVOID array: each pointer as the mirrors know it. Past
 * MAXIMUM_WAIT_OBJECTS nothing is read: the model refuses the count before it looks at them.
 */
function waitObjects(d: CDriver, m: Mirrors, array: number, count: number): DispatcherObject[] {
  const objects: DispatcherObject[] = [];
  for (let i = 0; i < Math.min(count, MAXIMUM_WAIT_OBJECTS); i++) {
    objects.push(m.waitable(d.u32(array + 4 * i)));
  }
  return objects;
}

/** A WaitBlockArray of `count` blocks (its last byte must be the driver's), or null for NULL. */
function waitBlocks(d: CDriver, array: number, count: number): KWAIT_BLOCK[] | null {
  if (array === 0) return null;
  const blocks = Math.min(count, MAXIMUM_WAIT_OBJECTS);
  if (blocks > 0) d.u8(array + blocks * KWAIT_BLOCK_SIZE - 1);
  return Array.from({ length: blocks }, () => new KWAIT_BLOCK());
}
