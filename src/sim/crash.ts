/**
 * Driver crashes (docs/design.md#driver-crashes): driver code that throws, the analogue of a bug
 * check in Windows (a NULL dereference in a WskAcceptEvent is a TypeError here, a
 * KMODE_EXCEPTION_NOT_HANDLED there). The failure names the driver's file:line, its frames, and
 * the routine or callback that was running with its host, socket and IRP where the model knew them.
 *
 * The rule that tells a driver's crash from a simulator bug is the innermost located frame of the
 * error's stack, Node's and dependencies' frames skipped:
 * - an AssertionError is always a simulator bug (kind 'assertion'), whoever threw it;
 * - a throw whose innermost frame is outside wsksim's src/ (a driver, or a scenario's own code) is
 *   a driver crash (kind 'driver-crash');
 * - a throw whose innermost frame is in wsksim's src/ is a simulator bug (kind 'assertion'): the
 *   model must turn a driver's bad argument into a violation or a status, never into a TypeError;
 * - a throw with no located frame (a string thrown, a stack cut off) stays an 'error'.
 *
 * Context: the kernel notes, on the way out of a callback or a system thread, which routine was
 * running (noteCrashContext); the innermost note wins, so a completion routine called from a
 * DriverEntry is named, not the DriverEntry. Nothing is recorded unless something throws.
 */
import { AssertionError } from './assert.ts';
import { frameSites } from './site.ts';

/** What was running when driver code threw, as the kernel knew it. */
export interface CrashContext {
  /** The routine or callback, e.g. 'WskAcceptEvent', 'completion routine of IRP #4'. */
  readonly routine: string;
  readonly host?: string;
  readonly socket?: number;
  readonly irp?: number;
}

/** A driver's crash: where it threw, its driver frames, and what was running. */
export interface DriverCrash extends Partial<CrashContext> {
  /** The driver's file:line where it threw (the innermost frame, source-mapped). */
  readonly site: string;
  /** The frames outside wsksim's src/, innermost first: `name (file:line)` or `file:line`. */
  readonly stack: readonly string[];
}

/**
 * A crash in driver code that JavaScript stack frames do not locate, located by whoever caught it:
 * a C driver's trap or bad argument in WebAssembly (src/cdriver), named by its wasm function and,
 * where the module's DWARF says, its C file:line. Always the driver's, whatever threw it.
 */
export class LocatedDriverError extends Error {
  /** The innermost driver frame: `file.c:line` or `function (wasm-function[n]:0xoffset)`. */
  readonly site: string;
  /** The driver's frames, innermost first. */
  readonly frames: readonly string[];

  constructor(message: string, site: string, frames: readonly string[]) {
    super(message);
    this.name = 'DriverTrap';
    this.site = site;
    this.frames = frames;
  }
}

/** Who threw an error, by the module header's rule. */
export type Thrower = 'driver' | 'simulator' | 'unknown';

const contexts = new WeakMap<object, CrashContext>();

/** Notes what was running when `error` went by; the first (innermost) note is kept. */
export function noteCrashContext(error: unknown, context: CrashContext): void {
  if (typeof error !== 'object' || error === null || contexts.has(error)) return;
  contexts.set(error, context);
}

/** Who threw `error`, by the module header's rule. */
export function throwerOf(error: unknown): Thrower {
  if (error instanceof AssertionError) return 'simulator';
  if (error instanceof LocatedDriverError) return 'driver';
  if (!(error instanceof Error)) return 'unknown';
  const top = frameSites(error.stack ?? '')[0];
  if (top === undefined) return 'unknown';
  return top.own ? 'simulator' : 'driver';
}

/** The driver crash `error` is, or null when the driver did not throw it. */
export function driverCrashOf(error: unknown): DriverCrash | null {
  if (throwerOf(error) !== 'driver') return null;
  if (error instanceof LocatedDriverError) {
    return { site: error.site, stack: error.frames, ...contexts.get(error) };
  }
  const frames = frameSites((error as Error).stack ?? '').filter((frame) => !frame.own);
  const stack = frames.map((f) => (f.name === null ? f.site : `${f.name} (${f.site})`));
  const site = (frames[0] as { site: string }).site;
  return { site, stack, ...contexts.get(error as object) };
}

/** One line for a crash's message: what was thrown, and in which routine. */
export function crashMessage(error: unknown, crash: DriverCrash): string {
  const thrown = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return `driver crash in ${crash.routine ?? 'driver code'}: ${thrown}`;
}
