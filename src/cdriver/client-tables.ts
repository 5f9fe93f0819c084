/**
 * The client dispatch tables a C driver gives WSK (WskSocket's, WskSocketConnect's and
 * WskAccept's Dispatch, WskAcceptEvent's AcceptSocketDispatch) as the model's tables, one per C
 * address, so the model sees the same table each time: each callback calls the driver's function
 * pointer through the runtime's trampoline (c/runtime/runtime.c), its arguments in scratch memory
 * freed when it returns, its return value and out-parameters read back
 * ("WSK_CLIENT_LISTEN_DISPATCH structure (wsk.h)",
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wsk/ns-wsk-_wsk_client_listen_dispatch;
 * and its sibling "WSK_CLIENT_CONNECTION_DISPATCH structure (wsk.h)",
 * docs/model.md#client-dispatch-tables).
 * WskReceiveEvent's list is written into C memory by indications.ts, WskReceiveFromEvent's by
 * datagram-indications.ts.
 */
import {
  WSK_FLAG_CONNECTION_SOCKET,
  WSK_FLAG_DATAGRAM_SOCKET,
  WSK_FLAG_LISTEN_SOCKET,
  WSK_FLAG_STREAM_SOCKET,
  type NTSTATUS,
  type WSK_CLIENT_CONNECTION_DISPATCH,
  type WSK_CLIENT_DATAGRAM_DISPATCH,
  type WSK_CLIENT_LISTEN_DISPATCH,
  type WSK_CLIENT_STREAM_DISPATCH,
  type WSK_INSPECT_ID,
} from '../wsk/index.ts';
import { SimConfigError } from '../sim/index.ts';
import type { CDriver } from './c-driver.ts';
import { datagramClientTable } from './datagram-imports.ts';
import type { DatagramIndications } from './datagram-indications.ts';
import type { CIndications } from './indications.ts';
import {
  CLIENT_CONNECTION,
  CLIENT_LISTEN,
  CLIENT_STREAM,
  INSPECT_ID,
  SOCKADDR_STORAGE_SIZE,
} from './layout.ts';
import type { Mirrors } from './mirrors.ts';

/** The model's tables for the client dispatch tables a driver passes. */
export class ClientTables {
  readonly #d: CDriver;
  readonly #m: Mirrors;
  readonly #listen = new Map<number, WSK_CLIENT_LISTEN_DISPATCH>();
  readonly #connection = new Map<number, WSK_CLIENT_CONNECTION_DISPATCH>();
  readonly #datagram = new Map<number, WSK_CLIENT_DATAGRAM_DISPATCH>();
  readonly #stream = new Map<number, WSK_CLIENT_STREAM_DISPATCH>();
  readonly #indications: CIndications;
  readonly #datagrams: DatagramIndications;

  constructor(
    driver: CDriver,
    mirrors: Mirrors,
    indications: CIndications,
    datagrams: DatagramIndications,
  ) {
    this.#d = driver;
    this.#m = mirrors;
    this.#indications = indications;
    this.#datagrams = datagrams;
  }

  /** WskSocket's Dispatch, by the socket's category (its Flags). */
  forFlags(Flags: number, address: number): object | null {
    if (address === 0) return null;
    if (Flags & WSK_FLAG_LISTEN_SOCKET) return this.listen(address);
    if (Flags & WSK_FLAG_CONNECTION_SOCKET) return this.connection(address);
    if (Flags & WSK_FLAG_DATAGRAM_SOCKET) return this.datagram(address);
    if (Flags & WSK_FLAG_STREAM_SOCKET) return this.stream(address);
    return null;
  }

  /**
   * A WSK_CLIENT_STREAM_DISPATCH: the model's table of the two tables it points at, read when the
   * socket is made (the model takes the one of the role the socket comes to have).
   */
  stream(address: number): WSK_CLIENT_STREAM_DISPATCH {
    let table = this.#stream.get(address);
    if (table === undefined) {
      const d = this.#d;
      table = {
        Listen: this.listen(d.u32(address + CLIENT_STREAM.Listen)),
        Connect: this.connection(d.u32(address + CLIENT_STREAM.Connect)),
      };
      this.#stream.set(address, table);
    }
    return table;
  }

  /** A WSK_CLIENT_DATAGRAM_DISPATCH (datagram-imports.ts), one model table per address. */
  datagram(address: number): WSK_CLIENT_DATAGRAM_DISPATCH {
    let table = this.#datagram.get(address);
    if (table === undefined) {
      table = datagramClientTable(this.#d, this.#datagrams, address);
      this.#datagram.set(address, table);
    }
    return table;
  }

  listen(address: number): WSK_CLIENT_LISTEN_DISPATCH | null {
    if (address === 0) return null;
    const known = this.#listen.get(address);
    if (known !== undefined) return known;
    const d = this.#d;
    const ex = d.exports;
    const accept = d.u32(address + CLIENT_LISTEN.WskAcceptEvent);
    const inspect = d.u32(address + CLIENT_LISTEN.WskInspectEvent);
    const abort = d.u32(address + CLIENT_LISTEN.WskAbortEvent);
    const table: WSK_CLIENT_LISTEN_DISPATCH = {
      WskAcceptEvent:
        accept === 0
          ? null
          : (SocketContext, Flags, LocalAddress, RemoteAddress, AcceptSocket, context, dispatch) =>
              this.#scratch(2 * SOCKADDR_STORAGE_SIZE + 8, (at) => {
                const [local, remote] = [at, at + SOCKADDR_STORAGE_SIZE];
                const outs = at + 2 * SOCKADDR_STORAGE_SIZE;
                this.#m.writeSockaddr(local, LocalAddress);
                this.#m.writeSockaddr(remote, RemoteAddress);
                const socket = AcceptSocket === null ? 0 : this.#m.socketAddress(AcceptSocket);
                const status = d.callback(() =>
                  ex.__wsksim_call_accept_event(
                    accept, word(SocketContext), Flags, local, remote, socket, outs, outs + 4,
                  ),
                );
                context.value = nullable(d.u32(outs));
                dispatch.value = this.connection(d.u32(outs + 4));
                return status as NTSTATUS;
              }),
      WskInspectEvent:
        inspect === 0
          ? null
          : (SocketContext, LocalAddress, RemoteAddress, InspectID) =>
              this.#scratch(2 * SOCKADDR_STORAGE_SIZE + INSPECT_ID.size, (at) => {
                const [local, remote] = [at, at + SOCKADDR_STORAGE_SIZE];
                const id = at + 2 * SOCKADDR_STORAGE_SIZE;
                this.#m.writeSockaddr(local, LocalAddress);
                this.#m.writeSockaddr(remote, RemoteAddress);
                if (InspectID !== null) this.#m.writeInspectId(id, InspectID);
                const idAddress = InspectID === null ? 0 : id;
                return d.callback(() =>
                  ex.__wsksim_call_inspect_event(
                    inspect, word(SocketContext), local, remote, idAddress,
                  ),
                );
              }),
      WskAbortEvent:
        abort === 0
          ? null
          : (SocketContext, InspectID: WSK_INSPECT_ID) =>
              this.#scratch(INSPECT_ID.size, (id) => {
                this.#m.writeInspectId(id, InspectID);
                return d.callback(() =>
                  ex.__wsksim_call_abort_event(abort, word(SocketContext), id),
                ) as NTSTATUS;
              }),
    };
    this.#listen.set(address, table);
    return table;
  }

  connection(address: number): WSK_CLIENT_CONNECTION_DISPATCH | null {
    if (address === 0) return null;
    const known = this.#connection.get(address);
    if (known !== undefined) return known;
    const d = this.#d;
    const ex = d.exports;
    const receive = d.u32(address + CLIENT_CONNECTION.WskReceiveEvent);
    const disconnect = d.u32(address + CLIENT_CONNECTION.WskDisconnectEvent);
    const backlog = d.u32(address + CLIENT_CONNECTION.WskSendBacklogEvent);
    const table: WSK_CLIENT_CONNECTION_DISPATCH = {
      WskReceiveEvent: receive === 0 ? null : this.#receiveEvent(receive),
      WskDisconnectEvent:
        disconnect === 0
          ? null
          : (SocketContext, Flags) =>
              d.callback(() =>
                ex.__wsksim_call_disconnect_event(disconnect, word(SocketContext), Flags),
              ) as NTSTATUS,
      WskSendBacklogEvent:
        backlog === 0
          ? null
          : (SocketContext, IdealBacklogSize) =>
              d.callback(() =>
                ex.__wsksim_call_send_backlog_event(backlog, word(SocketContext), IdealBacklogSize),
              ) as NTSTATUS,
    };
    this.#connection.set(address, table);
    return table;
  }

  /**
   * WskReceiveEvent: the list written into C memory (indications.ts), *BytesAccepted in scratch
   * memory holding the model's value (BytesIndicated) and read back; the list freed when the
   * callback returns unless it returned STATUS_PENDING.
   */
  #receiveEvent(routine: number): NonNullable<WSK_CLIENT_CONNECTION_DISPATCH['WskReceiveEvent']> {
    const d = this.#d;
    const indications = this.#indications;
    return (SocketContext, Flags, DataIndication, BytesIndicated, BytesAccepted) =>
      this.#scratch(4, (accepted) => {
        d.setU32(accepted, BytesAccepted.value);
        const head = indications.write(DataIndication);
        const status = d.callback(() =>
          d.exports.__wsksim_call_receive_event(
            routine, word(SocketContext), Flags, head, BytesIndicated, accepted,
          ),
        ) as NTSTATUS;
        BytesAccepted.value = d.u32(accepted);
        indications.returned(head, status);
        return status;
      });
  }

  #scratch<R>(size: number, body: (address: number) => R): R {
    const address = this.#d.allocate(size, 'scratch');
    try {
      return body(address);
    } finally {
      this.#d.heap.free(address);
    }
  }
}

/** A PVOID for the model: NULL is null. */
function nullable(value: number): number | null {
  return value === 0 ? null : value;
}

/** A context the model hands back, as C's PVOID. */
function word(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

/** A member the bridge does not carry yet: a scenario this version cannot run (no verdict). */
export function unbridged(what: string): never {
  throw new SimConfigError(
    'loadDriver',
    `${what} is not yet available to C drivers (README "Testing your C driver")`,
  );
}
