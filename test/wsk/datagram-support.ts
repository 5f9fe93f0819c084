/**
 * Helpers for datagram-socket tests: a datagram socket of a driver, its dispatch, sending and
 * receiving text, and enabling WskReceiveFromEvent.
 */
import { expect } from 'vitest';
import {
  AF_INET,
  IPPROTO_UDP,
  NPI_WSK_INTERFACE_ID,
  SOCK_DGRAM,
  SOL_SOCKET,
  SO_WSK_EVENT_CALLBACK,
  STATUS_SUCCESS,
  WSK_EVENT_RECEIVE_FROM,
  WSK_FLAG_DATAGRAM_SOCKET,
  WskSetOption,
  sockaddr,
  type IRP,
  type NTSTATUS,
  type PWSK_SOCKET,
  type WSK_CLIENT_DATAGRAM_DISPATCH,
  type WSK_PROVIDER_DATAGRAM_DISPATCH,
} from '../../src/wsk/index.ts';
import type { Driver } from './support.ts';

export const D = (Socket: PWSK_SOCKET) => Socket.Dispatch as WSK_PROVIDER_DATAGRAM_DISPATCH;

export const text = (s: string) => new TextEncoder().encode(s);
export const str = (b: Uint8Array) => new TextDecoder().decode(b);

/** A datagram socket of `d`, bound to `local` unless null. */
export function datagramSocket(
  d: Driver,
  local: string | null,
  Dispatch: WSK_CLIENT_DATAGRAM_DISPATCH | null = null,
  family = AF_INET,
): PWSK_SOCKET {
  const Irp = d.irp('socket');
  d.Dispatch.WskSocket(
    d.Npi.Client!, family, SOCK_DGRAM, IPPROTO_UDP, WSK_FLAG_DATAGRAM_SOCKET, null, Dispatch,
    null, null, null, Irp,
  );
  expect(Irp.IoStatus.Status).toBe(STATUS_SUCCESS);
  const Socket = Irp.IoStatus.Information as PWSK_SOCKET;
  if (local !== null) {
    const Bind = d.irp('bind');
    D(Socket).WskBind(Socket, sockaddr(local), 0, Bind);
    expect(Bind.IoStatus.Status).toBe(STATUS_SUCCESS);
  }
  return Socket;
}

/** WskSendTo of `data` to `remote` on a fresh IRP named `name`. */
export function sendTo(d: Driver, Socket: PWSK_SOCKET, remote: string, data: string, name = 'send') {
  const bytes = text(data);
  const Mdl = d.k.IoAllocateMdl(bytes, bytes.length, false, false, null);
  const Irp = d.irp(name);
  const status = D(Socket).WskSendTo(
    Socket, { Mdl, Offset: 0, Length: bytes.length }, 0, sockaddr(remote), 0, null, Irp,
  );
  return { status, Irp };
}

/** A pending or completed WskReceiveFrom into a buffer of `size` bytes. */
export function receiveFrom(d: Driver, Socket: PWSK_SOCKET, size: number, name = 'recv') {
  const bytes = new Uint8Array(size);
  const Mdl = d.k.IoAllocateMdl(bytes, size, false, false, null);
  const Irp: IRP = d.irp(name);
  const Remote = sockaddr('0.0.0.0:0');
  const ControlFlags = { value: -1 };
  const ControlLength = { value: -1 };
  const status: NTSTATUS = D(Socket).WskReceiveFrom(
    Socket, { Mdl, Offset: 0, Length: size }, 0, Remote, ControlLength, null, ControlFlags, Irp,
  );
  const got = () => str(bytes.subarray(0, Irp.IoStatus.Information as number));
  return { status, Irp, Remote, ControlFlags, ControlLength, got };
}

/** Enables WSK_EVENT_RECEIVE_FROM on `Socket` (SO_WSK_EVENT_CALLBACK, no IRP). */
export function enableReceiveFrom(Socket: PWSK_SOCKET): NTSTATUS {
  const control = { NpiId: NPI_WSK_INTERFACE_ID, EventMask: WSK_EVENT_RECEIVE_FROM };
  return D(Socket).WskControlSocket(
    Socket, WskSetOption, SO_WSK_EVENT_CALLBACK, SOL_SOCKET, 16, control, 0, null, null, null,
  );
}
