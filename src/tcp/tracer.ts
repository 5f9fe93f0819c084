/**
 * The TCP layer's trace records (docs/design.md#simulation-core-time-queue-choices-and-trace),
 * emitted: one method per record type of records.ts, which lists them with their fields. Each is
 * stamped with virtual time and folded into the trace hash whether or not records are kept.
 */
import type { Simulator } from '../sim/index.ts';
import { TcpSegment } from './payload.ts';
import type { Segment } from './segment.ts';
import type { Outcome, TcpState } from './state.ts';

export class TcpTracer {
  readonly #sim: Simulator;
  readonly #host: string;

  constructor(sim: Simulator, host: string) {
    this.#sim = sim;
    this.#host = host;
  }

  transition(conn: number, from: TcpState, to: TcpState, cause: string): void {
    const at = this.#sim.now;
    this.#sim.trace.emit({ at, type: 'tcp.transition', host: this.#host, conn, from, to, cause });
  }

  outcome(conn: number, outcome: Outcome): void {
    const at = this.#sim.now;
    this.#sim.trace.emit({ at, type: 'tcp.outcome', host: this.#host, conn, outcome });
  }

  rejected(conn: number, segment: Segment, reason: string): void {
    const trace = this.#sim.trace;
    trace.emit({
      at: this.#sim.now, type: 'tcp.drop', host: this.#host, conn, reason,
      info: trace.keep && segment instanceof TcpSegment ? segment.describe() : undefined,
    });
  }

  listener(listener: number, event: string, conn: number, detail: string): void {
    const at = this.#sim.now;
    const host = this.#host;
    this.#sim.trace.emit({ at, type: 'tcp.listener', host, listener, event, conn, detail });
  }

  offer(listener: number, offer: number, event: string, detail: string): void {
    const at = this.#sim.now;
    const host = this.#host;
    this.#sim.trace.emit({ at, type: 'tcp.offer', host, listener, offer, event, detail });
  }

  crash(connections: number): void {
    this.#sim.trace.emit({ at: this.#sim.now, type: 'tcp.crash', host: this.#host, connections });
  }
}
