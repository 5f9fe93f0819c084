/**
 * Ctrl-C and `kill`: while a long command runs (a shrink, a campaign), SIGINT and SIGTERM do not
 * end the process at once but ask the command to stop between runs, keep what it has, say so and
 * exit 130 (SIGINT) or 143 (SIGTERM), the codes a shell gives a process those signals end. A
 * second signal ends the process at once, for a run that never comes back.
 */

export type StopSignal = 'SIGINT' | 'SIGTERM';

/** The exit code of a command a signal stopped: 128 + the signal's number, as shells report. */
export const SIGNAL_EXIT: Readonly<Record<StopSignal, number>> = { SIGINT: 130, SIGTERM: 143 };

export class Interrupt {
  /** The signal received, once one has. */
  received: StopSignal | null = null;
  readonly #handlers = new Map<StopSignal, () => void>();

  /** Starts listening; `stop()` must follow (use `withInterrupt`). */
  listen(): void {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const handler = (): void => {
        if (this.received !== null) process.exit(SIGNAL_EXIT[this.received]);
        this.received = signal;
      };
      this.#handlers.set(signal, handler);
      process.on(signal, handler);
    }
  }

  stop(): void {
    for (const [signal, handler] of this.#handlers) process.off(signal, handler);
    this.#handlers.clear();
  }

  /** Whether a signal came. */
  get stopped(): boolean {
    return this.received !== null;
  }

  /** The exit code for `code` when no signal came, else the signal's. */
  exitCode(code: number): number {
    return this.received === null ? code : SIGNAL_EXIT[this.received];
  }
}

/**
 * Lets the event loop turn once (a macrotask), so a signal that arrived while runs were chained
 * as microtasks reaches its handler.
 */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve)); // a real macrotask (CLI), outside any run
}

/** Runs `body` with signals caught by an Interrupt, and stops catching them after. */
export async function withInterrupt<T>(body: (interrupt: Interrupt) => Promise<T>): Promise<T> {
  const interrupt = new Interrupt();
  interrupt.listen();
  try {
    return await body(interrupt);
  } finally {
    interrupt.stop();
  }
}
