/**
 * Event callbacks of a socket: which are enabled, enabling and disabling them through
 * SO_WSK_EVENT_CALLBACK, and running one (docs/model.md#events-per-category,
 * #rules-for-every-callback, #enabling-and-disabling-events, #static-event-callbacks).
 *
 * - Every event is disabled on a new socket and on a socket WskAccept returns; the client's
 *   static events (WSK_SET_STATIC_EVENT_CALLBACKS) of the socket's category are on from
 *   creation and can be neither disabled nor enabled again (docs/model.md#events-per-category,
 *   #static-event-callbacks).
 * - Enable: any combination valid for the category, without an IRP; a listening socket after
 *   bind, a connection-oriented socket after connect (docs/model.md#enabling-and-disabling-events).
 *   Connection events (RECEIVE, DISCONNECT, SEND_BACKLOG) enabled on a listening socket are
 *   inherited by sockets that WskAcceptEvent hands out and cannot be disabled there (same section).
 *   Each role's events, and which of them it hands on, are in categories.ts's table.
 * - Disable: one event per call (its flag | WSK_EVENT_DISABLE). No callback of it running →
 *   STATUS_SUCCESS; running, with an IRP → STATUS_PENDING, the IRP completing when the running
 *   calls return; running, no IRP → STATUS_EVENT_PENDING
 *   (docs/model.md#enabling-and-disabling-events). A disabled event starts no new callback from the
 *   call on.
 * - Policies [gap, docs/policies.md#socket-bind-and-connect-policies]: an event invalid for the
 *   category, several events in one disable, an IRP on an enable, a fixed event disabled, a
 *   callback whose dispatch entry is NULL, or an enable before bind / connect →
 *   STATUS_INVALID_PARAMETER with an advisory. Disabling an event that is not enabled succeeds.
 * - Callbacks run through the kernel's runCallback (DISPATCH_LEVEL, or PASSIVE by the choice
 *   'callback at PASSIVE'; docs/model.md#rules-for-every-callback) and are counted while they run,
 *   so a disable and WskCloseSocket can wait for them (docs/model.md#wskclosesocket).
 */
import {
  WSK_EVENT_ACCEPT,
  WSK_EVENT_DISABLE,
  WSK_EVENT_DISCONNECT,
  WSK_EVENT_RECEIVE,
  WSK_EVENT_RECEIVE_FROM,
  WSK_EVENT_SEND_BACKLOG,
} from './address.ts';
import {
  STATUS_EVENT_PENDING,
  STATUS_INVALID_PARAMETER,
  STATUS_PENDING,
  STATUS_SUCCESS,
  type IRP,
  type NTSTATUS,
} from '../nt/index.ts';
import { SOCKET_CATEGORIES, roleEvents } from './categories.ts';
import type { SocketCore } from './socket-core.ts';
import type { PendingDisable, SocketState } from './socket-state.ts';
import type { AdvisoryId } from './rules.ts';

/** What runs on a socket now: callbacks by event bit, and the disables and close waiting. */
interface Activity {
  readonly running: Map<number, number>;
  disables: PendingDisable[];
  /** What completes a WskCloseSocket issued while callbacks ran. */
  idle: (() => void) | null;
}

/**
 * Not WSK_EVENT_* flags: the conditional-accept callbacks, run and counted like events (a close
 * waits for them) but never enabled or disabled: SO_CONDITIONAL_ACCEPT turns them on
 * (docs/model.md#events-per-category).
 */
export const INSPECT_CALLBACK = 0x10000;
export const ABORT_CALLBACK = 0x20000;

/** The client callback an event calls, by name in the client's dispatch table. */
const CALLBACK: Readonly<Record<number, string>> = {
  [WSK_EVENT_ACCEPT]: 'WskAcceptEvent',
  [WSK_EVENT_RECEIVE]: 'WskReceiveEvent',
  [WSK_EVENT_DISCONNECT]: 'WskDisconnectEvent',
  [WSK_EVENT_SEND_BACKLOG]: 'WskSendBacklogEvent',
  [WSK_EVENT_RECEIVE_FROM]: 'WskReceiveFromEvent',
  [INSPECT_CALLBACK]: 'WskInspectEvent',
  [ABORT_CALLBACK]: 'WskAbortEvent',
};

export class SocketEvents {
  readonly #core: SocketCore;
  /** Sockets with a callback running (most sockets have none), with what waits for them. */
  readonly #activity = new Map<SocketState, Activity>();

  constructor(core: SocketCore) {
    this.#core = core;
  }

  /** A client callback of `state` for `event`, or null (no dispatch, or a NULL entry). */
  callback(state: SocketState, event: number): ((...args: never[]) => unknown) | null {
    const name = CALLBACK[event];
    const table = clientTable(state);
    if (name === undefined || table === null) return null;
    const entry = (table as Record<string, unknown>)[name];
    return typeof entry === 'function' ? (entry as (...args: never[]) => unknown) : null;
  }

  /** SO_WSK_EVENT_CALLBACK with `mask` (already read from the control structure). */
  control(call: string, state: SocketState, mask: number, Irp: IRP | null): NTSTATUS {
    if ((mask & WSK_EVENT_DISABLE) !== 0) return this.#disable(call, state, mask, Irp);
    const core = this.#core;
    const fail = (rule: AdvisoryId, detail: string): NTSTATUS => {
      core.k.advisory(rule, `${call}: ${detail}`);
      return this.#answer(call, Irp, STATUS_INVALID_PARAMETER);
    };
    if (Irp !== null) {
      // docs/model.md#enabling-and-disabling-events: an enable is made "without an IRP" [doc]; the
      // verifier's violation.
      core.k.violation('WSK-EVENT-ENABLE-IRP', `${call}: an enable takes no IRP`, {
        socket: state.id,
      });
      return this.#answer(call, Irp, STATUS_INVALID_PARAMETER);
    }
    const role = state.role;
    if (role === null || mask === 0 || (mask & ~roleEvents(role)) !== 0) {
      return fail('WSK-EVENT-INVALID', `event mask 0x${mask.toString(16)} for this socket`);
    }
    // A listening or datagram socket once bound, a connection once connected.
    const ready = role === 'connection' ? state.connected : state.bound !== null;
    if (!ready) return fail('WSK-OPTION-TIMING', 'events enabled before bind / connect');
    const fixed = mask & state.fixedEvents & ~state.inherited;
    if (fixed !== 0) return fail('WSK-EVENT-STATIC', 'a static event cannot be enabled again');
    const { events, inherits } = SOCKET_CATEGORIES[role];
    const own = mask & events;
    for (let bit = 1; bit !== 0 && bit <= own; bit <<= 1) {
      if ((own & bit) !== 0 && this.callback(state, bit) === null) {
        return fail('WSK-EVENT-NO-CALLBACK', `the client dispatch has no ${CALLBACK[bit]}`);
      }
    }
    // A listening socket's connection events are its accepted sockets'
    // (docs/model.md#enabling-and-disabling-events).
    state.inherited |= mask & inherits;
    state.fixedEvents |= mask & inherits;
    state.events |= mask;
    return core.trace(call, STATUS_SUCCESS);
  }

  /**
   * Runs the client callback of `event` on `state` at callback IRQL, counted as running; returns
   * what it returned.
   */
  invoke<R>(state: SocketState, event: number, body: () => R): R {
    let activity = this.#activity.get(state);
    if (activity === undefined) {
      activity = { running: new Map(), disables: [], idle: null };
      this.#activity.set(state, activity);
    }
    const running = activity.running;
    running.set(event, (running.get(event) ?? 0) + 1);
    try {
      return this.#core.k.runCallback(body, CALLBACK[event], state.id);
    } finally {
      const left = (running.get(event) ?? 1) - 1;
      if (left === 0) running.delete(event);
      else running.set(event, left);
      if (left === 0) this.#settle(state, activity, event);
    }
  }

  /**
   * Traces what a client callback of `state` returned: `result` is the status's name (or
   * WskInspectEvent's action), `request` the conditional-accept request it was about.
   */
  traced(state: SocketState, callback: string, result: string, request?: number): void {
    const k = this.#core.k;
    const sim = k.sim;
    sim.trace.emit({
      at: sim.now,
      type: 'wsk.callback',
      host: k.host,
      socket: state.id,
      callback,
      status: result,
      request,
    });
  }

  /** @internal Sockets with a callback running, or a disable or close waiting for one. */
  get busySockets(): number {
    return this.#activity.size;
  }

  /** Callbacks of `state` running now. */
  runningCount(state: SocketState): number {
    let count = 0;
    const activity = this.#activity.get(state);
    if (activity !== undefined) for (const n of activity.running.values()) count += n;
    return count;
  }

  /** Calls `done` once no callback of `state` runs (now, or when the last returns). */
  whenIdle(state: SocketState, done: () => void): void {
    const activity = this.#activity.get(state);
    if (activity === undefined) done();
    else activity.idle = done;
  }

  #disable(call: string, state: SocketState, mask: number, Irp: IRP | null): NTSTATUS {
    const core = this.#core;
    const event = (mask & ~WSK_EVENT_DISABLE) >>> 0;
    const single = event !== 0 && (event & (event - 1)) === 0;
    if (event !== 0 && !single) {
      // docs/model.md#enabling-and-disabling-events: one event per disable [doc]; the verifier's
      // violation.
      core.k.violation('WSK-EVENT-DISABLE-SEVERAL', `${call}: mask 0x${event.toString(16)}`, {
        socket: state.id,
      });
      return this.#answer(call, Irp, STATUS_INVALID_PARAMETER);
    }
    let problem: string | null = null;
    if (!single || (event & roleEvents(state.role)) === 0) {
      problem = 'disable one event of the socket per call';
    } else if ((state.fixedEvents & event) !== 0) {
      problem = 'a static or inherited event cannot be disabled';
    }
    if (problem !== null) {
      core.k.advisory('WSK-EVENT-INVALID', `${call}: ${problem}`);
      return this.#answer(call, Irp, STATUS_INVALID_PARAMETER);
    }
    state.events &= ~event;
    const activity = this.#activity.get(state);
    if (activity === undefined || (activity.running.get(event) ?? 0) === 0) {
      return this.#answer(call, Irp, STATUS_SUCCESS);
    }
    activity.disables.push({ event, irp: Irp });
    if (Irp === null) return core.trace(call, STATUS_EVENT_PENDING);
    core.irps.pend(Irp);
    return core.trace(call, STATUS_PENDING);
  }

  /** The last running callback of `event` returned: waiting disables and a close go on. */
  #settle(state: SocketState, activity: Activity, event: number): void {
    if (activity.disables.length > 0) this.#settleDisables(activity, event);
    if (activity.running.size > 0) return;
    // No callback of the socket runs any more: every disable has settled; a close may go on.
    this.#activity.delete(state);
    activity.idle?.();
  }

  /** Completes the disables of `event` that waited for its callbacks to return. */
  #settleDisables(activity: Activity, event: number): void {
    const waiting = activity.disables.filter((d) => d.event === event);
    if (waiting.length > 0) {
      activity.disables = activity.disables.filter((d) => d.event !== event);
      for (const { irp } of waiting) {
        if (irp !== null) this.#core.irps.complete(irp, STATUS_SUCCESS);
      }
    }
  }

  #answer(call: string, Irp: IRP | null, Status: NTSTATUS): NTSTATUS {
    if (Irp === null) return this.#core.trace(call, Status);
    return this.#core.finish(call, Irp, Status);
  }
}

/** The client dispatch table that holds `state`'s callbacks (a stream socket's by role). */
function clientTable(state: SocketState): object | null {
  const dispatch = state.clientDispatch;
  if (typeof dispatch !== 'object' || dispatch === null) return null;
  // A stream socket's callbacks are in its role's table of WSK_CLIENT_STREAM_DISPATCH.
  const client = SOCKET_CATEGORIES[state.category].clientDispatch;
  if (client !== 'WSK_CLIENT_STREAM_DISPATCH') return dispatch;
  const stream = dispatch as { Listen?: unknown; Connect?: unknown };
  const table = state.role === 'listen' ? stream.Listen : stream.Connect;
  return typeof table === 'object' && table !== null ? table : null;
}
