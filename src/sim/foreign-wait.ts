/**
 * Waiting outside the simulation. A driver's code runs between two simulated events, and its
 * threads may await only simulator waits (threads.ts); a real timer would fire after the run, in
 * the wall-clock world, and keep the process alive. So while a run runs, the real timers
 * (setTimeout, setInterval, setImmediate) are trapped: a call from a driver's or a scenario's
 * code throws ForeignWaitError at the driver's line, which the run reports as that driver's crash
 * (crash.ts), naming the line and the routine that was running; a call from a dependency or from
 * Node itself passes through untouched. A thread that awaits some other outside promise (I/O, a
 * foreign library's) is caught by the pump's turn limit (threads.ts) and reported the same way,
 * naming the thread. What a driver waits on instead is simulated: a KTIMER, a wait with a
 * timeout (KeWaitForSingleObject), or a sleep (KeDelayExecutionThread).
 *
 * tidy: timer-trap — this file names the real timers to trap them; it never starts one.
 */
import { callerIsDriver } from './site.ts';

/** A driver waited on something outside the simulation: the driver's failure, not the model's. */
export class ForeignWaitError extends Error {
  override readonly name = 'ForeignWaitError';
}

// Not a use of real timers: the names of the three a run traps so a driver cannot start one.
const TRAPPED = ['setTimeout', 'setInterval', 'setImmediate'] as const; // names only, none started
type Timers = Pick<typeof globalThis, (typeof TRAPPED)[number]>;

/** Runs trapped, counted so nested runs (a run inside a run's check) restore once. */
let depth = 0;
let saved: Timers | null = null;

/** Traps the real timers until the function returned is called (see the module header). */
export function trapTimers(): () => void {
  if (depth++ === 0) {
    // Kept aside to be put back after the run, and called by the trap for Node's own callers.
    const real = Object.fromEntries(TRAPPED.map((name) => [name, globalThis[name]])) as Timers;
    saved = real;
    for (const name of TRAPPED) Object.assign(globalThis, { [name]: trap(name, real[name]) });
  }
  return () => {
    if (--depth === 0 && saved !== null) {
      Object.assign(globalThis, saved);
      saved = null;
    }
  };
}

function trap<F extends (...args: never[]) => unknown>(name: string, real: F): F {
  const trapped = function (this: unknown, ...args: Parameters<F>): unknown {
    if (!callerIsDriver(new Error().stack ?? '')) return real.apply(this, args);
    const error = new ForeignWaitError(
      `${name} called during a run: a driver waits on simulated time only ` +
        '(a KTIMER, KeWaitForSingleObject with a timeout, KeDelayExecutionThread)',
    );
    // The driver's frame on top, so the crash names its line (crash.ts).
    Error.captureStackTrace(error, trapped);
    throw error;
  };
  return trapped as unknown as F;
}
