/**
 * The `nt.thread` records of a system thread's life (records.ts; threads.ts starts and ends
 * threads, the waits of dispatcher.ts, waits.ts, mutex.ts, rundown.ts and the WSK registration
 * go through `tracedWait`). Apart from threads.ts, so the dispatcher can use it: threads.ts
 * builds on the dispatcher.
 */
import type { Parking, SimThread } from '../sim/index.ts';
import type { KernelCore } from './kernel-core.ts';
import { STATUS_TIMEOUT, statusName, type NTSTATUS } from './ntstatus.ts';

/** @internal An `nt.thread` record of `thread` on `k`'s host. */
export function traceThread(
  k: KernelCore,
  thread: SimThread,
  event: string,
  detail: string | undefined,
  status: string | undefined,
): void {
  const sim = k.sim;
  sim.trace.emit({
    at: sim.now,
    type: 'nt.thread',
    host: k.host,
    thread: thread.id,
    event,
    detail,
    status,
  });
}

/**
 * @internal `parking`, its wait in the trace: 'waiting' now (`what`: the routine and what it
 * waits on), then 'satisfied' or 'timed-out' when the thread resumes, before its code runs on
 * (`onResume` first: parkThread's IRQL, waits.ts). The value is an NTSTATUS, or nothing.
 */
export function tracedWait<T>(
  k: KernelCore,
  parking: Parking<T>,
  what: string,
  onResume?: () => void,
): PromiseLike<T> {
  const thread = parking.thread;
  traceThread(k, thread, 'waiting', what, undefined);
  return {
    then<R1 = T, R2 = never>(
      onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    ): PromiseLike<R1 | R2> {
      return parking.then((value: T) => {
        onResume?.();
        const status =
          typeof value === 'number' ? statusName(value as number as NTSTATUS) : undefined;
        const event = value === STATUS_TIMEOUT ? 'timed-out' : 'satisfied';
        traceThread(k, thread, event, undefined, status);
        return (onFulfilled ? onFulfilled(value) : value) as R1;
      });
    },
  };
}

/** What a wait is on, for its record: 'KEVENT', 'KTHREAD 3' (the thread's number). */
export function waitObjectName(object: object): string {
  const name = object.constructor.name;
  const thread = (object as { simThread?: SimThread | null }).simThread;
  return thread === undefined || thread === null ? name : `${name} ${thread.id}`;
}
