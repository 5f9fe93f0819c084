/**
 * Datagram sockets (WSK_FLAG_DATAGRAM_SOCKET, SOCK_DGRAM / IPPROTO_UDP) over the host's UDP stack
 * (docs/model.md#datagram-sockets): WskSendTo, WskSendMessages, WskReceiveFrom, WskReceiveFromEvent
 * with its WSK_DATAGRAM_INDICATION lists, WskRelease of those lists, and their part of
 * WskCloseSocket. WskBind, WskGetLocalAddress and WskControlSocket are the shared ones (socket.ts,
 * connection-socket.ts, socket-control.ts); the bind uses UDP's port space (socket-core.ts).
 * Pages (URLs in docs/model.md#datagram-sockets): datagram-types.ts's; "Sending Datagrams over a
 * Datagram Socket" and "Receiving Datagrams over a Datagram Socket" (Winsock Kernel).
 *
 * Statuses and policies (source in brackets; docs/policies.md#datagram-policies lists the gaps):
 * - WskSendTo / WskSendMessages / WskReceiveFrom: Flags are reserved and must be 0 [doc, the PFN
 *   pages] → STATUS_INVALID_PARAMETER with the advisory WSK-RESERVED-FLAGS. An unbound socket
 *   → STATUS_INVALID_DEVICE_STATE with the advisory WSK-DATAGRAM-UNBOUND [gap: the sending and
 *   receiving pages bind first; no code is documented]. A bad WSK_BUF → WSK-BUF-INVALID.
 * - WskSendTo's RemoteAddress NULL: the page takes the fixed destination of
 *   SIO_WSK_SET_REMOTE_ADDRESS, which is not modelled → STATUS_INVALID_PARAMETER with the advisory
 *   WSK-DATAGRAM-NO-ADDRESS; an address of the other family → WSK-FAMILY-MISMATCH. Control
 *   information (ControlInfoLength > 0) is not modelled → STATUS_NOT_SUPPORTED.
 * - Data above the largest datagram (65 507 bytes over IPv4, 65 527 over IPv6, src/udp/payload.ts)
 *   → STATUS_INVALID_BUFFER_SIZE [gap: Winsock's sendto gives WSAEMSGSIZE]. Otherwise the datagram
 *   leaves as one packet and the IRP completes STATUS_SUCCESS with Information = its length
 *   (inline, or pended by the choice point); no route → STATUS_HOST_UNREACHABLE. Sent is not
 *   delivered: loss, duplication and reordering of the links apply, and nothing retransmits.
 * - WskSendMessages: each WSK_BUF_LIST element is one datagram to RemoteAddress, checked all first
 *   and sent in order; Information is the total sent.
 * - WskReceiveFrom: a datagram queued completes it at once, else it pends (cancellable) until one
 *   arrives; pending receives are served in order and before WskReceiveFromEvent [policy, as for
 *   stream sockets]. RemoteAddress (when not NULL) receives the sender; ControlLength is set to 0.
 *   A datagram longer than the buffer: its first bytes, the rest discarded, STATUS_BUFFER_OVERFLOW
 *   and MSG_TRUNC in ControlFlags [policy 'datagram-truncation': Winsock's WSAEMSGSIZE].
 * - Datagrams that find no receive and no enabled callback wait in the socket, up to
 *   DATAGRAM_QUEUE_BYTES of data; beyond, a datagram is dropped (`udp.drop` 'buffer-full')
 *   [policy: AFD's default receive buffer is not documented for WSK].
 * - WskReceiveFromEvent (enabled with SO_WSK_EVENT_CALLBACK WSK_EVENT_RECEIVE_FROM once bound,
 *   or statically): one call indicates every waiting datagram as a list, never re-entered for one
 *   socket. STATUS_SUCCESS: consumed; the list is WSK's again when it returns (its MDLs count as
 *   freed). STATUS_PENDING: retained, the driver's until WskRelease. STATUS_DATA_NOT_ACCEPTED: the
 *   datagrams stay queued for WskReceiveFrom and indications pause until one completes [policy
 *   'datagram-not-accepted', the stream rule's analogue]. Anything else is the violation
 *   WSK-DATAGRAM-RECEIVE-EVENT-RETURN, then as STATUS_DATA_NOT_ACCEPTED. Datagrams waiting when
 *   the event is enabled are indicated on a zero-delay event.
 * - WskRelease: the head of a retained list → STATUS_SUCCESS; any other, or a list released
 *   already → the violation WSK-DATAGRAM-RELEASE-NOT-RETAINED (STATUS_INVALID_PARAMETER).
 *   Retained lists at WskCloseSocket → WSK-DATAGRAM-INDICATION-NOT-RELEASED; on sockets still
 *   open at the end of a run, listed by outstanding.ts under the same rule.
 * - ICMP port unreachable for a datagram this socket sent is not reported to it [policy
 *   'datagram-unreachable': no WSK page documents a status for it; Winsock's SIO_UDP_CONNRESET is
 *   user mode's].
 * - Close: pending receives complete STATUS_CANCELLED, the port is given back.
 */
import type { UdpEndpoint, UdpPort, UdpSendFailure } from '../udp/port.ts';
import { MAX_DATA_IPV4, MAX_DATA_IPV6 } from '../udp/payload.ts';
import {
  WSK_EVENT_RECEIVE_FROM,
  WSK_FLAG_AT_DISPATCH_LEVEL,
  sockaddrFamily,
  type SOCKADDR,
} from './address.ts';
import {
  DISPATCH_LEVEL,
  MDL,
  STATUS_BUFFER_OVERFLOW,
  STATUS_CANCELLED,
  STATUS_DATA_NOT_ACCEPTED,
  STATUS_HOST_UNREACHABLE,
  STATUS_INVALID_BUFFER_SIZE,
  STATUS_INVALID_DEVICE_STATE,
  STATUS_INVALID_PARAMETER,
  STATUS_NOT_SUPPORTED,
  STATUS_PENDING,
  STATUS_SUCCESS,
  STATUS_UNSUCCESSFUL,
  statusName,
  type IRP,
  type NTSTATUS,
} from '../nt/index.ts';
import type { WSK_BUF } from './data-types.ts';
import {
  MSG_TRUNC,
  WSK_DATAGRAM_INDICATION,
  type PFN_WSK_RECEIVE_FROM_EVENT,
  type WSK_BUF_LIST,
} from './datagram-types.ts';
import { bufFreed, bufProblem, bufRead, bufWrite } from './wsk-buf.ts';
import {
  endpointOf,
  newSockaddr,
  socketEndpoint,
  transportAddress,
  writeSockaddr,
  dualStack,
} from './socket-address.ts';
import type { SocketCore } from './socket-core.ts';
import type { SocketEvents } from './socket-events.ts';
import type { PWSK_SOCKET, SocketState } from './socket-state.ts';

/** Data a socket keeps waiting for a receive or an indication (policy, module header). */
export const DATAGRAM_QUEUE_BYTES = 65536;

/** A datagram that arrived, as the socket's family shows its sender. */
interface Received {
  readonly from: UdpEndpoint;
  readonly data: Uint8Array;
}

interface PendingReceiveFrom {
  readonly irp: IRP;
  readonly buffer: WSK_BUF;
  readonly remote: SOCKADDR | null;
  readonly controlLength: { value: number } | null;
  readonly controlFlags: { value: number } | null;
}

/** One datagram socket's state (the SocketState holds the bind). */
class DatagramState {
  port: UdpPort | null = null;
  readonly queue: Received[] = [];
  queued = 0;
  readonly receives: PendingReceiveFrom[] = [];
  /** Retained indication lists (their heads), with the time each was retained. */
  readonly retained = new Map<WSK_DATAGRAM_INDICATION, number>();
  indicating = false;
  /** STATUS_DATA_NOT_ACCEPTED was returned: no indication until a WskReceiveFrom completes. */
  paused = false;
  /** An indication is due on a zero-delay event. */
  scheduled = false;
}

/** The datagram sockets' retained lists, as the end-of-run check lists them (socket.ts). */
export interface RetainedDatagrams {
  readonly state: SocketState;
  readonly count: number;
  readonly since: number;
}

export class DatagramSockets {
  readonly #core: SocketCore;
  readonly #events: SocketEvents;
  readonly #states = new Map<SocketState, DatagramState>();

  constructor(core: SocketCore, events: SocketEvents) {
    this.#core = core;
    this.#events = events;
  }

  WskSendTo(
    Socket: PWSK_SOCKET,
    Buffer: WSK_BUF,
    Flags: number,
    RemoteAddress: SOCKADDR | null,
    ControlInfoLength: number,
    ControlInfo: unknown,
    Irp: IRP,
  ): NTSTATUS {
    void ControlInfo;
    const list = { Next: null, Buffer };
    return this.#send('WskSendTo', Socket, list, Flags, RemoteAddress, ControlInfoLength, Irp);
  }

  WskSendMessages(
    Socket: PWSK_SOCKET,
    DatagramList: WSK_BUF_LIST,
    Flags: number,
    RemoteAddress: SOCKADDR | null,
    ControlInfoLength: number,
    ControlInfo: unknown,
    Irp: IRP,
  ): NTSTATUS {
    void ControlInfo;
    const call = 'WskSendMessages';
    return this.#send(call, Socket, DatagramList, Flags, RemoteAddress, ControlInfoLength, Irp);
  }

  WskReceiveFrom(
    Socket: PWSK_SOCKET,
    Buffer: WSK_BUF,
    Flags: number,
    RemoteAddress: SOCKADDR | null,
    ControlLength: { value: number } | null,
    ControlInfo: unknown,
    ControlFlags: { value: number } | null,
    Irp: IRP,
  ): NTSTATUS {
    void ControlInfo;
    const call = 'WskReceiveFrom';
    const core = this.#core;
    const state = core.enter(Socket, call, Irp);
    if (typeof state === 'number') return state;
    if (Flags !== 0) return core.invalid(call, Irp, 'WSK-RESERVED-FLAGS', 'Flags must be 0');
    const bad = this.#badBuffer(call, Irp, Buffer);
    if (bad !== null) return bad;
    const dgram = this.#states.get(state);
    if (dgram === undefined) return this.#unbound(call, state, Irp);
    const entry = {
      irp: Irp,
      buffer: Buffer,
      remote: RemoteAddress,
      controlLength: ControlLength,
      controlFlags: ControlFlags,
    };
    const first = dgram.receives.length === 0 ? dgram.queue.shift() : undefined;
    if (first !== undefined) {
      dgram.queued -= first.data.length;
      const status = this.#fill(state, entry, first);
      dgram.paused = false;
      return core.finish(call, Irp, status, Math.min(first.data.length, Buffer.Length));
    }
    dgram.receives.push(entry);
    core.irps.pend(Irp, () => {
      const index = dgram.receives.indexOf(entry);
      if (index >= 0) dgram.receives.splice(index, 1);
    });
    return core.trace(call, STATUS_PENDING);
  }

  /** WskRelease of a datagram socket (PFN_WSK_RELEASE_DATAGRAM_INDICATION_LIST). */
  WskRelease(Socket: PWSK_SOCKET, DatagramIndication: WSK_DATAGRAM_INDICATION): NTSTATUS {
    const call = 'WskRelease';
    const core = this.#core;
    const state = core.check(Socket, call);
    if (state === null) return STATUS_UNSUCCESSFUL;
    const retained = this.#states.get(state)?.retained;
    if (retained === undefined || !retained.has(DatagramIndication)) {
      const detail = `${call}: not the head of a list WskReceiveFromEvent retained (or twice)`;
      core.k.violation('WSK-DATAGRAM-RELEASE-NOT-RETAINED', detail, { socket: state.id });
      return core.trace(call, STATUS_INVALID_PARAMETER);
    }
    retained.delete(DatagramIndication);
    revoke(DatagramIndication);
    return core.trace(call, STATUS_SUCCESS);
  }

  /** A datagram socket was bound (WskBind): its UDP port opens. */
  bound(state: SocketState): NTSTATUS {
    const transport = this.#core.datagramTransport();
    const local = state.bound;
    if (transport === null || local === null) return STATUS_NOT_SUPPORTED;
    const dgram = new DatagramState();
    const sockets = this;
    dgram.port = transport.bind(
      {
        address: transportAddress(state, local.address),
        port: local.port,
        dualStack: dualStack(state),
        user: state,
      },
      {
        datagram(source, _target, data) {
          return sockets.#arrived(state, dgram, source, data);
        },
      },
    );
    this.#states.set(state, dgram);
    return STATUS_SUCCESS;
  }

  /** SO_WSK_EVENT_CALLBACK enabled WSK_EVENT_RECEIVE_FROM: waiting datagrams are indicated. */
  eventsEnabled(state: SocketState): void {
    const dgram = this.#states.get(state);
    if (dgram === undefined || dgram.queue.length === 0) return;
    this.#scheduleIndication(state, dgram);
  }

  /** WskCloseSocket's part (module header). */
  close(state: SocketState): void {
    const dgram = this.#states.get(state);
    if (dgram === undefined) return;
    this.#states.delete(state);
    if (dgram.retained.size > 0) {
      const detail =
        `WskCloseSocket on socket #${state.id} with ${dgram.retained.size} retained ` +
        'datagram indication list(s) not released with WskRelease';
      this.#core.k.violation('WSK-DATAGRAM-INDICATION-NOT-RELEASED', detail, { socket: state.id });
    }
    for (const receive of dgram.receives.splice(0)) {
      this.#core.irps.complete(receive.irp, STATUS_CANCELLED, 0);
    }
    dgram.port?.close();
    dgram.port = null;
  }

  /** Open datagram sockets holding retained lists (outstanding.ts). */
  retained(): RetainedDatagrams[] {
    const list: RetainedDatagrams[] = [];
    for (const [state, dgram] of this.#states) {
      if (dgram.retained.size === 0 || state.closed) continue;
      const since = dgram.retained.values().next().value as number;
      list.push({ state, count: dgram.retained.size, since });
    }
    return list;
  }

  /** @internal Pending WskReceiveFrom IRPs by socket id (the invariant checker). */
  pendingReceives(): [number, IRP][] {
    const list: [number, IRP][] = [];
    for (const [state, dgram] of this.#states) {
      for (const receive of dgram.receives) list.push([state.id, receive.irp]);
    }
    return list;
  }

  // ---- sending -------------------------------------------------------------------------------

  #send(
    call: string,
    Socket: PWSK_SOCKET,
    List: WSK_BUF_LIST,
    Flags: number,
    RemoteAddress: SOCKADDR | null,
    ControlInfoLength: number,
    Irp: IRP,
  ): NTSTATUS {
    const core = this.#core;
    const state = core.enter(Socket, call, Irp);
    if (typeof state === 'number') return state;
    if (Flags !== 0) return core.invalid(call, Irp, 'WSK-RESERVED-FLAGS', 'Flags must be 0');
    const buffers: WSK_BUF[] = [];
    for (let item: WSK_BUF_LIST | null = List; item !== null; item = item.Next ?? null) {
      const bad = this.#badBuffer(call, Irp, item.Buffer);
      if (bad !== null) return bad;
      buffers.push(item.Buffer);
    }
    const dgram = this.#states.get(state);
    if (dgram === undefined || dgram.port === null) return this.#unbound(call, state, Irp);
    if (RemoteAddress === null || typeof RemoteAddress !== 'object') {
      const detail = 'RemoteAddress NULL (SIO_WSK_SET_REMOTE_ADDRESS is not modelled)';
      return core.invalid(call, Irp, 'WSK-DATAGRAM-NO-ADDRESS', detail);
    }
    if (sockaddrFamily(RemoteAddress) !== state.family) {
      return core.invalid(call, Irp, 'WSK-FAMILY-MISMATCH', 'address family differs');
    }
    if (ControlInfoLength !== 0) return core.finish(call, Irp, STATUS_NOT_SUPPORTED);
    const remote = endpointOf(RemoteAddress);
    const target = { address: transportAddress(state, remote.address), port: remote.port };
    const limit = target.address.includes(':') ? MAX_DATA_IPV6 : MAX_DATA_IPV4;
    if (buffers.some((buffer) => buffer.Length > limit)) {
      return core.finish(call, Irp, STATUS_INVALID_BUFFER_SIZE);
    }
    let sent = 0;
    for (const buffer of buffers) {
      const failure = dgram.port.send(target, bufRead(buffer));
      if (failure !== null) return core.finish(call, Irp, sendFailureStatus(failure), sent);
      sent += buffer.Length;
    }
    return core.finish(call, Irp, STATUS_SUCCESS, sent);
  }

  // ---- receiving -----------------------------------------------------------------------------

  #arrived(state: SocketState, dgram: DatagramState, source: UdpEndpoint, data: Uint8Array) {
    if (state.closed) return false;
    if (dgram.queued + data.length > DATAGRAM_QUEUE_BYTES) return false;
    dgram.queue.push({ from: socketEndpoint(state.family, source), data });
    dgram.queued += data.length;
    this.#serve(state, dgram);
    return true;
  }

  /** Pending receives take the queue first; what is left is indicated when it may be. */
  #serve(state: SocketState, dgram: DatagramState): void {
    const irps = this.#core.irps;
    while (dgram.receives.length > 0 && dgram.queue.length > 0) {
      const entry = dgram.receives.shift() as PendingReceiveFrom;
      const datagram = dgram.queue.shift() as Received;
      dgram.queued -= datagram.data.length;
      const status = this.#fill(state, entry, datagram);
      dgram.paused = false;
      irps.complete(entry.irp, status, Math.min(datagram.data.length, entry.buffer.Length));
    }
    if (dgram.queue.length > 0 && this.#canIndicate(state, dgram)) this.#indicate(state, dgram);
  }

  /** Copies a datagram into a receive's buffer and out-parameters; its status. */
  #fill(state: SocketState, entry: PendingReceiveFrom, datagram: Received): NTSTATUS {
    const length = entry.buffer.Length;
    const truncated = datagram.data.length > length;
    bufWrite(entry.buffer, 0, truncated ? datagram.data.subarray(0, length) : datagram.data);
    if (entry.remote !== null) writeSockaddr(entry.remote, state.family, datagram.from);
    if (entry.controlLength !== null) entry.controlLength.value = 0;
    if (entry.controlFlags !== null) entry.controlFlags.value = truncated ? MSG_TRUNC : 0;
    return truncated ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
  }

  #canIndicate(state: SocketState, dgram: DatagramState): boolean {
    if (state.closed || dgram.indicating || dgram.paused) return false;
    if ((state.events & WSK_EVENT_RECEIVE_FROM) === 0) return false;
    return this.#events.callback(state, WSK_EVENT_RECEIVE_FROM) !== null;
  }

  #scheduleIndication(state: SocketState, dgram: DatagramState): void {
    if (dgram.scheduled) return;
    dgram.scheduled = true;
    this.#core.k.sim.schedule(0, 'WskReceiveFromEvent', () => {
      dgram.scheduled = false;
      if (this.#states.get(state) === dgram) this.#serve(state, dgram);
    });
  }

  /** Indicates every waiting datagram as one list and settles the answer (module header). */
  #indicate(state: SocketState, dgram: DatagramState): void {
    const taken = dgram.queue.splice(0);
    let head: WSK_DATAGRAM_INDICATION | null = null;
    for (let i = taken.length - 1; i >= 0; i--) {
      const { from, data } = taken[i] as Received;
      const bytes = data.slice();
      const Buffer = { Mdl: new MDL(bytes), Offset: 0, Length: bytes.length };
      head = new WSK_DATAGRAM_INDICATION(head, Buffer, newSockaddr(state.family, from));
    }
    const indication = head as WSK_DATAGRAM_INDICATION;
    const callback = this.#events.callback(
      state, WSK_EVENT_RECEIVE_FROM,
    ) as PFN_WSK_RECEIVE_FROM_EVENT;
    const k = this.#core.k;
    const flags = k.irql >= DISPATCH_LEVEL ? WSK_FLAG_AT_DISPATCH_LEVEL : 0;
    dgram.indicating = true;
    let status: NTSTATUS;
    try {
      status = this.#events.invoke(state, WSK_EVENT_RECEIVE_FROM, () =>
        callback(state.context, flags, indication),
      );
    } finally {
      dgram.indicating = false;
    }
    this.#events.traced(state, 'WskReceiveFromEvent', statusName(status));
    if (status === STATUS_PENDING) {
      dgram.queued -= sum(taken);
      dgram.retained.set(indication, k.sim.now);
      return;
    }
    if (status === STATUS_SUCCESS) {
      dgram.queued -= sum(taken);
      revoke(indication);
      return;
    }
    if (status !== STATUS_DATA_NOT_ACCEPTED) {
      const detail =
        `WskReceiveFromEvent returned ${statusName(status)}, which the documentation does not ` +
        'allow';
      k.violation('WSK-DATAGRAM-RECEIVE-EVENT-RETURN', detail, { socket: state.id });
    }
    revoke(indication);
    dgram.queue.unshift(...taken);
    dgram.paused = true;
    // A WskReceiveFrom posted from inside the callback takes them now.
    if (dgram.receives.length > 0) this.#serve(state, dgram);
  }

  #unbound(call: string, state: SocketState, Irp: IRP): NTSTATUS {
    this.#core.k.advisory('WSK-DATAGRAM-UNBOUND', `${call}: socket #${state.id} is not bound`);
    return this.#core.finish(call, Irp, STATUS_INVALID_DEVICE_STATE);
  }

  #badBuffer(call: string, Irp: IRP, Buffer: WSK_BUF): NTSTATUS | null {
    const problem = bufProblem(Buffer);
    if (problem !== null) return this.#core.invalid(call, Irp, 'WSK-BUF-INVALID', problem);
    if (!bufFreed(Buffer)) return null;
    this.#core.k.violation('MDL-USE-AFTER-FREE', `${call} with a WSK_BUF over a freed MDL`);
    return this.#core.finish(call, Irp, STATUS_INVALID_PARAMETER);
  }
}

function sum(list: readonly Received[]): number {
  let total = 0;
  for (const { data } of list) total += data.length;
  return total;
}

function sendFailureStatus(failure: UdpSendFailure): NTSTATUS {
  return failure === 'closed' ? STATUS_INVALID_DEVICE_STATE : STATUS_HOST_UNREACHABLE;
}

/** The list's buffers are WSK's again: their MDLs count as freed. */
function revoke(indication: WSK_DATAGRAM_INDICATION): void {
  for (let item: WSK_DATAGRAM_INDICATION | null = indication; item !== null; item = item.Next) {
    const Mdl = item.Buffer.Mdl;
    if (Mdl !== null) Mdl.freed = true;
  }
}
