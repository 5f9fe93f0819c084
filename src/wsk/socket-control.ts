/**
 * WskControlSocket: the socket options of docs/model.md#socket-options-and-control that this part
 * models.
 *
 * WskControlSocket(Socket, RequestType, ControlCode, Level, InputSize, InputBuffer, OutputSize,
 * OutputBuffer, OutputSizeReturned, Irp). A ULONG option value is a holder `{ value }` (C's
 * `&optionValue`, docs/design.md#the-wsk-surface), its size 4; SO_WSK_EVENT_CALLBACK takes a
 * WSK_EVENT_CALLBACK_CONTROL; SO_WSK_SECURITY a holder of a WSK_CACHED_SECURITY_DESCRIPTOR. With an
 * IRP the call completes it (inline or pended, docs/model.md#inline-or-pending-completion),
 * Information = bytes written to the output buffer; without one it returns the status
 * (docs/model.md#socket-options-and-control).
 *
 * Options (level; set / get; categories; when):
 * - SO_REUSEADDR, SO_EXCLUSIVEADDRUSE (SOL_SOCKET): ULONG 0/1, IRP required / ULONG; listening,
 *   connection, stream; before bind.
 * - SO_CONDITIONAL_ACCEPT (SOL_SOCKET): ULONG 0/1, IRP required / ULONG; listening; before
 *   bind (inspect.ts). Turning it on needs WskInspectEvent and WskAbortEvent in the client's
 *   listen dispatch (docs/model.md#turning-conditional-accept-on, step 1); without them
 *   STATUS_INVALID_PARAMETER with the advisory WSK-CONDITIONAL-NO-CALLBACK [gap;
 *   docs/policies.md#conditional-accept-policies].
 * - SIO_WSK_QUERY_INSPECT_ID (WskIoctl): a socket accepted from a conditional listening socket
 *   writes its WSK_INSPECT_ID; any other socket → STATUS_INVALID_DEVICE_REQUEST
 *   (docs/model.md#socket-options-and-control).
 * - SO_WSK_SECURITY (SOL_SOCKET): a cached SD for the CHECK cells of
 *   docs/model.md#address-sharing / —; listening, connection, stream; before bind. One that is
 *   not a cached copy the client holds (from WSK_CACHE_SD, not released) is the violation
 *   WSK-SD-NOT-CACHED (client.ts, uncachedDescriptor); the option is set all the same.
 * - SO_WSK_EVENT_CALLBACK (SOL_SOCKET): socket-events.ts.
 * - IPV6_V6ONLY (IPPROTO_IPV6): ULONG, 0 = dual stack / ULONG; AF_INET6; before bind.
 *
 * Policies [gap; docs/policies.md#socket-bind-and-connect-policies;
 * docs/design.md#status-violation-or-advisory]: set after bind, no IRP where one is required,
 * SO_REUSEADDR with SO_EXCLUSIVEADDRUSE set (or the reverse; the user-mode pages give WSAEINVAL), a
 * malformed or short input → STATUS_INVALID_PARAMETER with an advisory. An option outside its
 * categories or family, an option or IOCTL not modelled (SO_KEEPALIVE, SO_RCVBUF, other SIO_*:
 * later parts) → STATUS_NOT_SUPPORTED. An output buffer under 4 bytes → STATUS_BUFFER_TOO_SMALL.
 * Request types other than the three → STATUS_INVALID_PARAMETER.
 */
import {
  AF_INET6,
  IPPROTO_IPV6,
  IPV6_V6ONLY,
  SOL_SOCKET,
  SO_CONDITIONAL_ACCEPT,
  SO_EXCLUSIVEADDRUSE,
  SO_REUSEADDR,
  SO_WSK_EVENT_CALLBACK,
  SO_WSK_SECURITY,
  SIO_WSK_QUERY_INSPECT_ID,
  WSK_EVENT_ACCEPT,
  WskGetOption,
  WskIoctl,
  WskSetOption,
  type WSK_CONTROL_SOCKET_TYPE,
} from './address.ts';
import {
  STATUS_BUFFER_TOO_SMALL,
  STATUS_FILE_FORCED_CLOSED,
  STATUS_INVALID_PARAMETER,
  STATUS_NOT_SUPPORTED,
  STATUS_SUCCESS,
  STATUS_UNSUCCESSFUL,
  holderValue,
  isHolder,
  type IRP,
  type NTSTATUS,
} from '../nt/index.ts';
import { hasMember } from './categories.ts';
import { uncachedDescriptor } from './client.ts';
import type { ConditionalAccept } from './inspect.ts';
import type { ConnectionData } from './connection-data.ts';
import type { DatagramSockets } from './datagram-socket.ts';
import type { ListenSockets } from './listen-socket.ts';
import { writableOptions, type SocketCore } from './socket-core.ts';
import { ABORT_CALLBACK, INSPECT_CALLBACK, type SocketEvents } from './socket-events.ts';
import { dataIoctl } from './socket-ioctl.ts';
import type { PWSK_SOCKET, SocketState } from './socket-state.ts';
import type { AdvisoryId } from './rules.ts';

const ULONG = 4;

/** One request as the option handlers see it. */
interface Request {
  readonly call: string;
  readonly state: SocketState;
  readonly code: number;
  readonly input: unknown;
  readonly inputSize: number;
  readonly irp: IRP | null;
}

export class SocketControl {
  readonly #core: SocketCore;
  readonly #events: SocketEvents;
  readonly #listen: ListenSockets;
  readonly #conditional: ConditionalAccept;
  readonly #data: ConnectionData;
  /** Datagram sockets (socket.ts sets it once both exist). */
  datagrams: DatagramSockets | null = null;

  constructor(
    core: SocketCore,
    events: SocketEvents,
    listen: ListenSockets,
    conditional: ConditionalAccept,
    data: ConnectionData,
  ) {
    this.#core = core;
    this.#events = events;
    this.#listen = listen;
    this.#conditional = conditional;
    this.#data = data;
  }

  WskControlSocket(
    Socket: PWSK_SOCKET,
    RequestType: WSK_CONTROL_SOCKET_TYPE,
    ControlCode: number,
    Level: number,
    InputSize: number,
    InputBuffer: unknown,
    OutputSize: number,
    OutputBuffer: unknown,
    OutputSizeReturned: { value: number } | null,
    Irp: IRP | null,
  ): NTSTATUS {
    const core = this.#core;
    const call = `WskControlSocket(${optionName(ControlCode >>> 0)})`;
    const state = core.check(Socket, call);
    if (state === null) return STATUS_UNSUCCESSFUL;
    if (Irp !== null && !core.irps.issue(Irp, call)) return STATUS_UNSUCCESSFUL;
    const answer = (status: NTSTATUS, written = 0): NTSTATUS => {
      if (OutputSizeReturned !== null && status === STATUS_SUCCESS) {
        OutputSizeReturned.value = written;
      }
      return Irp === null ? core.trace(call, status) : core.finish(call, Irp, status, written);
    };
    if (state.dead) return answer(STATUS_FILE_FORCED_CLOSED);
    const code = ControlCode >>> 0;
    const request = { call, state, code, input: InputBuffer, inputSize: InputSize, irp: Irp };
    switch (RequestType) {
      case WskSetOption: {
        if (code === SO_WSK_EVENT_CALLBACK && Level === SOL_SOCKET) {
          return this.#eventCallback(request);
        }
        return answer(this.#set(request, Level));
      }
      case WskGetOption: {
        // An option the socket lacks → STATUS_NOT_SUPPORTED (header policy,
        // docs/model.md#socket-options-and-control); #get says so with null, since an NTSTATUS is a
        // number like the option's value.
        const value = this.#get(state, code, Level);
        if (value === null) return answer(STATUS_NOT_SUPPORTED);
        if (code === SO_CONDITIONAL_ACCEPT && Irp === null) {
          // docs/model.md#socket-options-and-control: SO_CONDITIONAL_ACCEPT needs an IRP for get as
          // for set.
          core.k.advisory('WSK-OPTION-NO-IRP', `${call}: this option needs an IRP`);
          return answer(STATUS_INVALID_PARAMETER);
        }
        if (OutputSize < ULONG || !isHolder(OutputBuffer)) return answer(STATUS_BUFFER_TOO_SMALL);
        OutputBuffer.value = value;
        return answer(STATUS_SUCCESS, ULONG);
      }
      case WskIoctl: {
        if (code === SIO_WSK_QUERY_INSPECT_ID) {
          return answer(...this.#conditional.queryInspectId(state, OutputSize, OutputBuffer));
        }
        return answer(...dataIoctl(state, code, OutputSize, OutputBuffer));
      }
      default:
        return answer(STATUS_INVALID_PARAMETER);
    }
  }

  #eventCallback(request: Request): NTSTATUS {
    const { call, state, input, irp } = request;
    const control = input as { NpiId?: unknown; EventMask?: unknown } | null;
    if (typeof control !== 'object' || control === null || typeof control.EventMask !== 'number') {
      this.#core.k.advisory('WSK-OPTION-INPUT', `${call}: no WSK_EVENT_CALLBACK_CONTROL`);
      if (irp === null) return this.#core.trace(call, STATUS_INVALID_PARAMETER);
      return this.#core.finish(call, irp, STATUS_INVALID_PARAMETER);
    }
    const mask = control.EventMask >>> 0;
    const status = this.#events.control(call, state, mask, irp);
    if (status === STATUS_SUCCESS && (mask & WSK_EVENT_ACCEPT) !== 0 && mask < 0x80000000) {
      this.#listen.acceptEnabled(state);
    }
    if (status === STATUS_SUCCESS && state.role === 'connection' && mask < 0x80000000) {
      this.#data.eventsEnabled(state, mask);
    }
    if (status === STATUS_SUCCESS && state.role === 'datagram' && mask < 0x80000000) {
      this.datagrams?.eventsEnabled(state);
    }
    return status;
  }

  #set(request: Request, Level: number): NTSTATUS {
    const { call, state, code, irp } = request;
    const k = this.#core.k;
    const bad = (rule: AdvisoryId, detail: string): NTSTATUS => {
      k.advisory(rule, `${call}: ${detail}`);
      return STATUS_INVALID_PARAMETER;
    };
    if (!applies(state, code, Level)) return STATUS_NOT_SUPPORTED;
    const needsIrp = code !== IPV6_V6ONLY && code !== SO_WSK_SECURITY;
    if (needsIrp && irp === null) return bad('WSK-OPTION-NO-IRP', 'this option needs an IRP');
    if (state.bound !== null) return bad('WSK-OPTION-TIMING', 'set after bind, it does nothing');
    if (code === SO_WSK_SECURITY) {
      const cached = holderValue(request.input);
      if (typeof cached !== 'object' || cached === null) {
        return bad('WSK-OPTION-INPUT', 'SO_WSK_SECURITY needs a cached security descriptor');
      }
      const problem = uncachedDescriptor(state.client, cached);
      if (problem !== null) {
        k.violation('WSK-SD-NOT-CACHED', `${call}: ${problem}`, { socket: state.id });
      }
      writableOptions(state).securityDescriptor = cached;
      if (irp !== null) irp.descriptor = cached;
      return STATUS_SUCCESS;
    }
    const value = holderValue(request.input);
    if (request.inputSize < ULONG || typeof value !== 'number') {
      return bad('WSK-OPTION-INPUT', 'a ULONG option value is expected');
    }
    return this.#setUlong(state, code, value !== 0, bad);
  }

  #setUlong(
    state: SocketState,
    code: number,
    on: boolean,
    bad: (rule: AdvisoryId, detail: string) => NTSTATUS,
  ): NTSTATUS {
    const options = writableOptions(state);
    switch (code) {
      case SO_REUSEADDR:
      case SO_EXCLUSIVEADDRUSE: {
        const mode = code === SO_REUSEADDR ? 'reuse' : 'exclusive';
        if (on && options.share !== 'none' && options.share !== mode) {
          return bad('WSK-OPTION-CONFLICT', 'SO_REUSEADDR and SO_EXCLUSIVEADDRUSE together');
        }
        if (on) options.share = mode;
        else if (options.share === mode) options.share = 'none';
        return STATUS_SUCCESS;
      }
      case SO_CONDITIONAL_ACCEPT:
        if (on && !this.#hasInspectCallbacks(state)) {
          return bad('WSK-CONDITIONAL-NO-CALLBACK', 'the client dispatch lacks the callbacks');
        }
        options.conditionalAccept = on;
        return STATUS_SUCCESS;
      default:
        options.v6only = on;
        return STATUS_SUCCESS;
    }
  }

  /**
   * Whether the client's listen dispatch has WskInspectEvent and WskAbortEvent
   * (docs/model.md#turning-conditional-accept-on).
   */
  #hasInspectCallbacks(state: SocketState): boolean {
    const events = this.#events;
    return (
      events.callback(state, INSPECT_CALLBACK) !== null &&
      events.callback(state, ABORT_CALLBACK) !== null
    );
  }

  /** The ULONG value of an option, or null when the socket has no such option to read. */
  #get(state: SocketState, code: number, Level: number): number | null {
    if (!applies(state, code, Level) || code === SO_WSK_SECURITY) return null;
    const options = state.options;
    switch (code) {
      case SO_REUSEADDR:
        return options.share === 'reuse' ? 1 : 0;
      case SO_EXCLUSIVEADDRUSE:
        return options.share === 'exclusive' ? 1 : 0;
      case SO_CONDITIONAL_ACCEPT:
        return options.conditionalAccept ? 1 : 0;
      default:
        return options.v6only ? 1 : 0;
    }
  }
}

/**
 * Whether an option (other than SO_WSK_EVENT_CALLBACK) exists for the socket (header table).
 * The SOL_SOCKET ones govern the bind: they exist where the category's table has WskBind, and
 * SO_CONDITIONAL_ACCEPT where it has WskInspectComplete (categories.ts).
 */
function applies(state: SocketState, code: number, Level: number): boolean {
  const category = state.category;
  if (Level === IPPROTO_IPV6) return code === IPV6_V6ONLY && state.family === AF_INET6;
  if (Level !== SOL_SOCKET || !hasMember(category, 'WskBind')) return false;
  switch (code) {
    case SO_REUSEADDR:
    case SO_EXCLUSIVEADDRUSE:
    case SO_WSK_SECURITY:
      return true;
    case SO_CONDITIONAL_ACCEPT:
      return hasMember(category, 'WskInspectComplete');
    default:
      return false;
  }
}

function optionName(code: number): string {
  switch (code) {
    case SO_REUSEADDR:
      return 'SO_REUSEADDR';
    case SO_EXCLUSIVEADDRUSE:
      return 'SO_EXCLUSIVEADDRUSE';
    case SO_CONDITIONAL_ACCEPT:
      return 'SO_CONDITIONAL_ACCEPT';
    case SO_WSK_SECURITY:
      return 'SO_WSK_SECURITY';
    case SO_WSK_EVENT_CALLBACK:
      return 'SO_WSK_EVENT_CALLBACK';
    case IPV6_V6ONLY:
      return 'IPV6_V6ONLY';
    case SIO_WSK_QUERY_INSPECT_ID:
      return 'SIO_WSK_QUERY_INSPECT_ID';
    default:
      return `0x${code.toString(16)}`;
  }
}
