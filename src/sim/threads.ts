/**
 * Kernel threads written as async functions, hosted deterministically
 * (docs/design.md#determinism-contract).
 *
 * Mechanism: an awaitable run. A thread body is an ordinary `async` function. It may await only
 * simulator waits (`Parking`, which kernel objects such as KEVENT build on) or promises that
 * settle through them. A thread starts, and every wake resumes it, as an ordinary simulator
 * event; after that event the run loop yields to the microtask queue until the thread has parked
 * on its next wait or returned, and only then fires the next event. So exactly one thread runs at
 * a time, between two events, and a resume is ordered with every other event (the same-instant
 * choice can reorder it like any other). Runs without threads never leave the synchronous loop.
 *
 * Why not generators: `yield*` would keep the loop synchronous, but C driver code ports to
 * `await KeWaitForSingleObject(...)` line by line, and to `yield*` it would not.
 *
 * tidy: async-host — this file and simulator.ts's run() are the only places in src/sim that
 * may await, because they are the mechanism that makes awaiting deterministic.
 */
import { AssertionError, assert } from './assert.ts';
import { ForeignWaitError } from './foreign-wait.ts';

/** Microtask turns a resumed thread may take to reach its next wait before the run fails. */
const TURN_LIMIT = 10_000;

export type ThreadState = 'starting' | 'running' | 'parked' | 'finished';

export class SimThread {
  readonly id: number;
  readonly name: string;
  state: ThreadState = 'starting';
  /** What the body threw, if it threw. */
  error: unknown = undefined;

  constructor(id: number, name: string) {
    this.id = id;
    this.name = name;
  }
}

/** The scheduling services the host needs from the simulator. */
export interface ThreadScheduler {
  scheduleNow<T>(label: string, fire: (arg: T) => void, arg: T): void;
  failThread(thread: SimThread, error: unknown): void;
}

/** A wait a thread can `await`; `wake(value)` resumes the thread as a simulator event. */
export class Parking<T = void> implements PromiseLike<T> {
  readonly #host: ThreadHost;
  readonly #thread: SimThread;
  #resume: ((value: T) => void) | null = null;
  #woken = false;
  #value: T | undefined = undefined;

  constructor(host: ThreadHost, thread: SimThread) {
    this.#host = host;
    this.#thread = thread;
  }

  get thread(): SimThread {
    return this.#thread;
  }

  /** Called by `await`: the thread is parked here until woken. */
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
  ): PromiseLike<R1 | R2> {
    assert(this.#resume === null, 'a Parking was awaited twice');
    this.#resume = (onFulfilled ?? ((): void => undefined)) as (value: T) => void;
    this.#thread.state = 'parked';
    if (this.#woken) this.#host.resumeLater(this.#thread, this.#resume, this.#value as T);
    return undefined as unknown as PromiseLike<R1 | R2>;
  }

  /** Wakes the thread with `value`; it resumes as the next event at the current instant. */
  wake(value: T): void {
    if (this.#woken) return;
    this.#woken = true;
    this.#value = value;
    if (this.#resume !== null) this.#host.resumeLater(this.#thread, this.#resume, value);
  }

  get isWoken(): boolean {
    return this.#woken;
  }
}

interface Resumption {
  readonly thread: SimThread;
  readonly resume: (value: unknown) => void;
  readonly value: unknown;
}

export class ThreadHost {
  readonly #scheduler: ThreadScheduler;
  readonly #threads: SimThread[] = [];
  /** The thread whose code is running now, or null in event handlers. */
  current: SimThread | null = null;
  /** @internal Set by an event that resumed a thread: the run loop must pump it. */
  pumping: SimThread | null = null;

  constructor(scheduler: ThreadScheduler) {
    this.#scheduler = scheduler;
  }

  /** Starts `body` as a thread at the current instant (as an event, not inline). */
  spawn(name: string, body: () => Promise<void>): SimThread {
    const thread = new SimThread(this.#threads.length + 1, name);
    this.#threads.push(thread);
    this.#scheduler.scheduleNow(
      `thread ${name} start`,
      (t: SimThread) => this.#start(t, body),
      thread,
    );
    return thread;
  }

  /** A wait for the current thread; only thread code may block. */
  park<T = void>(): Parking<T> {
    const thread = this.current;
    if (thread === null)
      throw new AssertionError('park() outside a thread: only thread code may block');
    return new Parking<T>(this, thread);
  }

  get threads(): readonly SimThread[] {
    return this.#threads;
  }

  /** @internal */
  resumeLater<T>(thread: SimThread, resume: (value: T) => void, value: T): void {
    const step: Resumption = { thread, resume: resume as (value: unknown) => void, value };
    this.#scheduler.scheduleNow(`thread ${thread.name} wake`, this.#resumeNow, step);
  }

  readonly #resumeNow = (step: Resumption): void => {
    step.thread.state = 'running';
    this.current = step.thread;
    this.pumping = step.thread;
    step.resume(step.value);
  };

  #start(thread: SimThread, body: () => Promise<void>): void {
    thread.state = 'running';
    this.current = thread;
    this.pumping = thread;
    body().then(
      () => {
        thread.state = 'finished';
      },
      (error: unknown) => {
        thread.state = 'finished';
        thread.error = error;
        this.#scheduler.failThread(thread, error);
      },
    );
  }

  /** @internal Lets the pumped thread run until it parks or returns. */
  async pump(): Promise<void> {
    const thread = this.pumping;
    assert(thread !== null, 'pump() without a resumed thread');
    try {
      for (let turn = 0; turn < TURN_LIMIT; turn++) {
        if (thread.state === 'parked' || thread.state === 'finished') return;
        await undefined;
      }
      throw new ForeignWaitError(
        `thread ${thread.name} did not reach a simulator wait within ${TURN_LIMIT} microtask ` +
          'turns: it awaits something outside the simulation (I/O, a foreign promise)',
      );
    } finally {
      this.current = null;
      this.pumping = null;
    }
  }
}
