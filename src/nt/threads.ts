/**
 * System threads (WDK PsCreateSystemThread, PsTerminateSystemThread). Driver code written as
 * `async` functions that `await k.KeWaitForSingleObject(...)` runs as a simulator thread,
 * resumed as ordinary events (docs/model.md#system-threads-and-waits).
 * - PsCreateSystemThread(ThreadHandle, DesiredAccess, ObjectAttributes, ProcessHandle, ClientId,
 *   StartRoutine, StartContext) starts StartRoutine(StartContext) as a simulator thread at
 *   PASSIVE_LEVEL, as an event at the current instant. DesiredAccess, ObjectAttributes,
 *   ProcessHandle and ClientId are accepted and ignored. The handle is the thread object itself:
 *   it is signalled when the thread ends, so `KeWaitForSingleObject` on it (after the no-op
 *   ObReferenceObjectByHandle, objects.ts) waits for the exit, as unload code does.
 * - PsTerminateSystemThread cannot unwind an async function: port `PsTerminateSystemThread(s);`
 *   as `return void PsTerminateSystemThread(s);` (it records the exit status; `void` because a
 *   KSTART_ROUTINE returns nothing).
 * - A thread that ends holding a spin lock or above PASSIVE_LEVEL is SPINLOCK-HELD-ON-RETURN or
 *   IRQL-NOT-RESTORED, as a callback that returns so.
 * - Every thread's life is in the trace (`nt.thread`, records.ts): started, each wait that blocks
 *   (waiting on what, then satisfied or timed out: `tracedWait`), ended with its exit status; a
 *   wait satisfied at the call does not block and is not recorded.
 */
import { noteCrashContext, type SimThread } from '../sim/index.ts';
import { DispatcherObject, type DispatcherManager } from './dispatcher.ts';
import { PASSIVE_LEVEL } from './irql.ts';
import type { KernelCore } from './kernel-core.ts';
import { STATUS_SUCCESS, statusName, type NTSTATUS } from './ntstatus.ts';
import { traceThread } from './thread-records.ts';

/** A system thread; also its HANDLE and its PETHREAD. */
export class KTHREAD extends DispatcherObject {
  /** @internal */ exitStatus: NTSTATUS = STATUS_SUCCESS;
  /** @internal */ simThread: SimThread | null = null;
}
export type HANDLE = KTHREAD;
export type KSTART_ROUTINE = (StartContext: unknown) => void | PromiseLike<void>;

export class ThreadManager {
  readonly #k: KernelCore;
  readonly #dispatcher: DispatcherManager;
  readonly #threads = new Map<SimThread, KTHREAD>();
  #nextThread = 1;

  constructor(kernel: KernelCore, dispatcher: DispatcherManager) {
    this.#k = kernel;
    this.#dispatcher = dispatcher;
  }

  PsCreateSystemThread(
    ThreadHandle: { value: HANDLE | null },
    DesiredAccess: number,
    ObjectAttributes: unknown,
    ProcessHandle: unknown,
    ClientId: unknown,
    StartRoutine: KSTART_ROUTINE,
    StartContext: unknown,
  ): NTSTATUS {
    void DesiredAccess;
    void ObjectAttributes;
    void ProcessHandle;
    void ClientId;
    const name = `${this.#k.host}/system-${this.#nextThread++}`;
    const body = (): void | PromiseLike<void> => StartRoutine(StartContext);
    ThreadHandle.value = this.startThread(name, body, 'system thread start routine');
    return STATUS_SUCCESS;
  }

  /** Records the exit status; the caller returns from its start routine right after. */
  PsTerminateSystemThread(ExitStatus: NTSTATUS): NTSTATUS {
    const current = this.#k.sim.threads.current;
    const thread = current === null ? undefined : this.#threads.get(current);
    if (thread === undefined) {
      this.#k.violation('THREAD-TERMINATE-OUTSIDE-THREAD', 'PsTerminateSystemThread');
    } else thread.exitStatus = ExitStatus;
    return ExitStatus;
  }

  /**
   * A system thread ended: it must have released its spin locks and be back at PASSIVE_LEVEL,
   * as a callback must when it returns (SPINLOCK-HELD-ON-RETURN, IRQL-NOT-RESTORED); the
   * kernel is put back so later code is not blamed for it.
   */
  #checkExit(name: string): void {
    const k = this.#k;
    if (k.spinLocksHeld > 0) {
      k.violation('SPINLOCK-HELD-ON-RETURN', `system thread ${name} ended holding a spin lock`);
      k.spinLocksHeld = 0;
    }
    if (k.irql !== PASSIVE_LEVEL) {
      k.violation('IRQL-NOT-RESTORED', `system thread ${name} ended at IRQL ${k.irql}`);
    }
    k.irql = PASSIVE_LEVEL;
  }

  /**
   * @internal Starts `body` at PASSIVE_LEVEL as a simulator thread (an event at this instant);
   * the returned KTHREAD is signalled when the body's promise settles. `routine` names the body
   * in a report if it throws (a driver crash, sim/crash.ts): 'DriverEntry', 'work item routine'.
   */
  startThread(name: string, body: () => void | PromiseLike<void>, routine: string): KTHREAD {
    const k = this.#k;
    const thread = new KTHREAD();
    thread.initialized = true;
    const crashed = (error: unknown): never => {
      noteCrashContext(error, { routine, host: k.host });
      throw error;
    };
    const short = name.slice(name.indexOf('/') + 1);
    const simThread = k.sim.threads.spawn(name, () => {
      k.irql = PASSIVE_LEVEL;
      traceThread(k, simThread, 'started', short, undefined);
      let started: void | PromiseLike<void> = undefined;
      try {
        started = body();
      } catch (error) {
        crashed(error);
      }
      return Promise.resolve(started).then(() => {
        this.#threads.delete(simThread);
        traceThread(k, simThread, 'ended', undefined, statusName(thread.exitStatus));
        this.#checkExit(name);
        this.#dispatcher.signal(thread);
      }, crashed);
    });
    thread.simThread = simThread;
    this.#threads.set(simThread, thread);
    return thread;
  }
}
