/**
 * DriverUnload for a C driver (LoadDriverOptions.unloadAt): as the I/O manager does when a
 * driver is stopped, DriverObject->DriverUnload(DriverObject) is called at PASSIVE_LEVEL in a
 * system thread ("DRIVER_UNLOAD callback function (wdm.h)",
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-driver_unload), once
 * DriverEntry has returned: a driver whose DriverEntry failed was never loaded, and one that set
 * no DriverUnload cannot be unloaded ("Writing an Unload Routine",
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/writing-an-unload-routine), so
 * neither is called. It is called once.
 */
import { Executive, KernelMode, type KTHREAD } from '../nt/index.ts';
import type { Kernel } from '../wsk/index.ts';
import type { CDriver } from './c-driver.ts';
import { DRIVER_OBJECT_UNLOAD } from './layout.ts';

/** What DriverEntry left for DriverUnload. */
interface Loaded {
  /** The DRIVER_OBJECT DriverEntry was given. */
  readonly object: number;
  /** The thread DriverEntry runs on: signalled when it returns. */
  readonly thread: KTHREAD;
  /** What DriverEntry returned, once it has. */
  status: number | null;
}

const loaded = new WeakMap<CDriver, Loaded>();

/** The runtime's trampoline for a PDRIVER_UNLOAD (c/runtime/runtime.c). */
type CallDriverUnload = (routine: number, object: number) => void;

/** DriverEntry of `driver`, given `object`, runs on `thread` and settles with `entered`. */
export function noteDriverEntry(
  driver: CDriver,
  object: number,
  thread: KTHREAD,
  entered: Promise<number>,
): void {
  const state: Loaded = { object, thread, status: null };
  loaded.set(driver, state);
  // A DriverEntry that crashed fails its thread (the run's failure); here it only never loaded.
  entered.then(
    (status) => void (state.status = status),
    () => undefined,
  );
}

/**
 * Starts the system thread `${host}/DriverUnload` that calls the driver's DriverUnload, after
 * DriverEntry has returned (waiting on its thread when it has not), as the module header says.
 */
export function startDriverUnload(k: Kernel, driver: CDriver, host: string): KTHREAD {
  const body = async (): Promise<void> => {
    const state = loaded.get(driver);
    if (state === undefined) return;
    if (state.thread.signalState === 0) {
      await k.KeWaitForSingleObject(state.thread, Executive, KernelMode, false, null);
    }
    const routine = driver.u32(state.object + DRIVER_OBJECT_UNLOAD);
    if (state.status === null || state.status >> 0 < 0 || routine === 0) return;
    loaded.delete(driver);
    const call = driver.exports['__wsksim_call_driver_unload'] as CallDriverUnload;
    await driver.runThread(`${host}/DriverUnload`, () => {
      call(routine, state.object);
      return 0;
    });
  };
  return k.threads.startThread(`${host}/DriverUnload`, body, 'DriverUnload');
}
