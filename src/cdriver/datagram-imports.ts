/**
 * A datagram socket's own members for C drivers (c/runtime/wsk-datagram.c forwards them here):
 * WskSendTo, WskSendMessages, WskReceiveFrom and WskRelease of a datagram indication list (its
 * own import name, WskReleaseDatagramIndicationList, since a connection socket's WskRelease takes
 * another structure); and the driver's WskReceiveFromEvent, called through the runtime's
 * trampoline with the indicated list in C memory. Pages: "WSK_PROVIDER_DATAGRAM_DISPATCH
 * structure (wsk.h)" (its URL in c/runtime/wsk-datagram.c and docs/model.md#datagram-sockets);
 * "WSK_DATAGRAM_INDICATION structure (wsk.h)",
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wsk/ns-wsk-_wsk_datagram_indication;
 * "PFN_WSK_RECEIVE_FROM_EVENT callback function (wsk.h)",
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wsk/nc-wsk-pfn_wsk_receive_from_event.
 *
 * The indicated list (datagram-indications.ts) is written into the bridge's memory for the call:
 * each WSK_DATAGRAM_INDICATION with its Next, its Buffer (a C MDL over a copy of the datagram,
 * the model's MDL behind it), ControlInfo NULL and ControlInfoLength 0 (the model has no control
 * information), and RemoteAddress a SOCKADDR of the socket's family. STATUS_PENDING keeps it until
 * WskRelease; any other answer gives its memory back when the callback returns.
 */
import {
  STATUS_PENDING,
  STATUS_SUCCESS,
  type IRP,
  type NTSTATUS,
  type SOCKADDR,
  type WSK_BUF,
  type WSK_BUF_LIST,
  type WSK_CLIENT_DATAGRAM_DISPATCH,
  type WSK_SOCKET,
} from '../wsk/index.ts';
import type { CDriver } from './c-driver.ts';
import { DatagramIndications } from './datagram-indications.ts';
import { BUF_LIST, CLIENT_DATAGRAM } from './layout.ts';
import type { Mirrors } from './mirrors.ts';

type Import = (...args: never[]) => number | void;

/** What wsk-imports.ts lends: its call of a socket member, and its C argument readers. */
export interface SocketCalls {
  call(
    name: string,
    socket: number,
    irp: number,
    args: (s: WSK_SOCKET, i: IRP | null) => unknown[],
    after?: (i: IRP | null) => void,
  ): number;
  wskBuf(address: number): WSK_BUF;
  outAddress(address: number, i: IRP | null): SOCKADDR | null;
}

type ReceiveFromEvent = (fn: number, ctx: number, flags: number, indication: number) => number;

export function datagramImports(
  d: CDriver,
  m: Mirrors,
  calls: SocketCalls,
  indications: DatagramIndications,
): Record<string, Import> {
  const { call, wskBuf, outAddress } = calls;
  const remote = (address: number): SOCKADDR | null =>
    address === 0 ? null : m.readSockaddr(address);
  return {
    WskSendTo: (
      Socket: number, Buffer: number, Flags: number, RemoteAddress: number,
      ControlInfoLength: number, ControlInfo: number, Irp: number,
    ): number =>
      call('WskSendTo', Socket, Irp, (s, i) => [
        s, wskBuf(Buffer), Flags, remote(RemoteAddress), ControlInfoLength, nullable(ControlInfo),
        i,
      ]),
    WskSendMessages: (
      Socket: number, BufferList: number, Flags: number, RemoteAddress: number,
      ControlInfoLength: number, ControlInfo: number, Irp: number,
    ): number =>
      call('WskSendMessages', Socket, Irp, (s, i) => [
        s, bufList(d, wskBuf, BufferList), Flags, remote(RemoteAddress), ControlInfoLength,
        nullable(ControlInfo), i,
      ]),
    WskReceiveFrom: (
      Socket: number, Buffer: number, Flags: number, RemoteAddress: number,
      ControlLength: number, ControlInfo: number, ControlFlags: number, Irp: number,
    ): number => {
      const length = ControlLength === 0 ? null : { value: d.u32(ControlLength) };
      const flags = ControlFlags === 0 ? null : { value: 0 };
      // What the receive returns through ControlLength and ControlFlags, at its completion.
      const write = (): void => {
        if (length !== null) d.setU32(ControlLength, length.value);
        if (flags !== null) d.setU32(ControlFlags, flags.value);
      };
      return call(
        'WskReceiveFrom', Socket, Irp,
        (s, i) => [
          s, wskBuf(Buffer), Flags, outAddress(RemoteAddress, i), length, nullable(ControlInfo),
          flags, i,
        ],
        write,
      );
    },
    WskReleaseDatagramIndicationList: (Socket: number, DatagramIndication: number): number => {
      const list = indications.model(DatagramIndication);
      const status = call('WskRelease', Socket, 0, (s) => [s, list]);
      if (status === STATUS_SUCCESS) indications.release(DatagramIndication);
      return status;
    },
  };
}

/**
 * The model's table for a WSK_CLIENT_DATAGRAM_DISPATCH the driver passes: WskReceiveFromEvent
 * calls the driver's function pointer with the list written into C memory.
 */
export function datagramClientTable(
  d: CDriver,
  indications: DatagramIndications,
  address: number,
): WSK_CLIENT_DATAGRAM_DISPATCH {
  const receive = d.u32(address + CLIENT_DATAGRAM.WskReceiveFromEvent);
  const trampoline = d.exports['__wsksim_call_receive_from_event'] as ReceiveFromEvent;
  return {
    WskReceiveFromEvent:
      receive === 0
        ? null
        : (SocketContext, Flags, DataIndication) => {
            const head = DataIndication === null ? 0 : indications.write(DataIndication);
            const context = typeof SocketContext === 'number' ? SocketContext : 0;
            const status = d.callback(() => trampoline(receive, context, Flags, head));
            if (status !== STATUS_PENDING && head !== 0) indications.release(head);
            return status as NTSTATUS;
          },
  };
}

/** The C WSK_BUF_LIST at `address` as the model's list (one that loops: the driver's crash). */
function bufList(
  d: CDriver,
  wskBuf: (address: number) => WSK_BUF,
  address: number,
): WSK_BUF_LIST {
  const seen = new Set<number>();
  const items: WSK_BUF_LIST[] = [];
  for (let at = address; at !== 0; at = d.u32(at + BUF_LIST.Next)) {
    if (seen.has(at)) d.crash('WskSendMessages: the WSK_BUF_LIST loops');
    seen.add(at);
    items.push({ Next: null, Buffer: wskBuf(at + BUF_LIST.Buffer) });
  }
  for (let i = 0; i + 1 < items.length; i++) (items[i] as WSK_BUF_LIST).Next = items[i + 1] ?? null;
  return items[0] ?? ({ Next: null, Buffer: { Mdl: null, Offset: 0, Length: 0 } } as WSK_BUF_LIST);
}

/** A PVOID for the model: NULL is null. */
function nullable(value: number): number | null {
  return value === 0 ? null : value;
}
