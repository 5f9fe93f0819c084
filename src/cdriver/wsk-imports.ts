/**
 * The wsk.h routines a C driver imports: the registration routines (WskRegister ...
 * WskDeregister) and the provider dispatch members the runtime's tables forward
 * (c/runtime/wsk-dispatch.c), each calling the model's member on the socket's own dispatch
 * table with its C arguments converted (mirrors.ts); and the client dispatch tables the driver
 * gives WSK, as model tables whose callbacks call the driver's function pointers through the
 * runtime's trampolines (client-tables.ts).
 *
 * The data path: WskSend, WskReceive and WskDisconnect (its Buffer optional) take a C WSK_BUF,
 * read when called, its Mdl one IoAllocateMdl gave (mirrors.ts) or an indication's; the model
 * reads and writes the buffer's bytes in linear memory. WskRelease takes the head of a list
 * WskReceiveEvent kept (indications.ts; the callback is client-tables.ts's). WskControlClient's
 * buffers are client-control.ts's; a datagram socket's own members and WskReceiveFromEvent are
 * datagram-imports.ts's, name resolution name-imports.ts's.
 *
 * Security descriptors (WSK_CACHE_SD, WSK_RELEASE_SD, the SecurityDescriptor arguments and
 * SO_WSK_SECURITY) and OwningProcess / OwningThread are security.ts's C values.
 * WskConnectEx, WskSendEx and WskReceiveEx, which the model does not have
 * (docs/model.md#provider-dispatch-tables), are not declared at all.
 */
import {
  SO_WSK_EVENT_CALLBACK,
  SO_WSK_SECURITY,
  STATUS_SUCCESS,
  WSK_CLIENT,
  WSK_PROVIDER_CHARACTERISTICS,
  WSK_PROVIDER_NPI,
  WSK_REGISTRATION,
  WskSetOption,
  sockaddr,
  type IRP,
  type NTSTATUS,
  type SOCKADDR,
  type WSK_PROVIDER_DISPATCH,
  type WSK_BUF,
  type WSK_INSPECT_ID,
  type WSK_SOCKET,
} from '../wsk/index.ts';
import type { CDriver } from './c-driver.ts';
import { ClientTables, unbridged } from './client-tables.ts';
import { CIndications } from './indications.ts';
import { cannotBlock } from './nt-imports.ts';
import {
  CLIENT_DISPATCH,
  CLIENT_NPI,
  DISPATCH_TABLE,
  INSPECT_ID,
  PROVIDER_NPI,
  WSK_BUF_LAYOUT,
} from './layout.ts';
import type { Mirrors } from './mirrors.ts';
import { clientControlBuffers, eventCallbackControl } from './client-control.ts';
import { datagramImports } from './datagram-imports.ts';
import { nameImports } from './name-imports.ts';
import { DatagramIndications } from './datagram-indications.ts';
import { CSecurity } from './security.ts';

type Import = (...args: never[]) => number | void;
type Member = (...args: unknown[]) => NTSTATUS;

export function wskImports(d: CDriver, m: Mirrors): Record<string, Import> {
  const k = d.kernel;
  const registrations = new Map<number, WSK_REGISTRATION>();
  const registration = (address: number): WSK_REGISTRATION => {
    let known = registrations.get(address);
    if (known === undefined) {
      d.u8(address);
      known = new WSK_REGISTRATION();
      registrations.set(address, known);
    }
    return known;
  };
  const indications = new CIndications(d, m);
  const datagrams = new DatagramIndications(d, m);
  const tables = new ClientTables(d, m, indications, datagrams);
  /** Each client's provider dispatch, from the capture that gave the driver its handle. */
  const providers = new Map<WSK_CLIENT, WSK_PROVIDER_DISPATCH>();
  const provider = (c: WSK_CLIENT, name: string): Member => {
    const member = providers.get(c)?.[name as keyof WSK_PROVIDER_DISPATCH] as Member | undefined;
    if (member === undefined) d.crash(`${name}: Client is not a captured NPI's Client`);
    return member;
  };

  /** Calls `member` of the socket's model dispatch table, its IRP kept in step with C. */
  const call = (
    name: string,
    socket: number,
    irp: number,
    args: (s: WSK_SOCKET, i: IRP | null) => unknown[],
    after?: (i: IRP | null) => void,
  ): number => {
    const s = m.socket(socket, name);
    const i = m.irpOrNull(irp, name);
    const member = (s.Dispatch as Record<string, Member | undefined>)[name];
    if (member === undefined) d.crash(`${name} is not a member of this socket's dispatch table`);
    if (after !== undefined) m.atCompletion(i, () => after(i));
    const status = member(...args(s, i));
    if (i !== null) m.syncIrp(i);
    return status;
  };
  /** An address the call fills in, written to C when its IRP completes. */
  const outAddress = (address: number, i: IRP | null): SOCKADDR | null => {
    if (address === 0) return null;
    const value = sockaddr('0.0.0.0:0');
    m.atCompletion(i, () => m.writeSockaddr(address, value));
    return value;
  };
  const client = (handle: number, routine: string): WSK_CLIENT => {
    const object = m.object(handle);
    if (!(object instanceof WSK_CLIENT)) d.crash(`${routine}: Client is not the NPI's Client`);
    return object;
  };
  /** The C WSK_BUF at `address` as the model's (an Mdl that is no MDL stays one, for the model). */
  const wskBuf = (address: number): WSK_BUF => ({
    Mdl: m.mdlOrOther(d.u32(address + WSK_BUF_LAYOUT.Mdl)) as WSK_BUF['Mdl'],
    Offset: d.u32(address + WSK_BUF_LAYOUT.Offset),
    Length: d.u32(address + WSK_BUF_LAYOUT.Length),
  });
  const security = new CSecurity(m);
  /** OwningProcess, OwningThread and SecurityDescriptor as the model takes them. */
  const owners = (process: number, thread: number, sd: number): [unknown, unknown, unknown] => [
    security.owner(process), security.owner(thread), security.descriptor(sd),
  ];

  return {
    // ---- registration ----
    WskRegister: (ClientNpi: number, Registration: number): number => {
      const dispatch = d.u32(ClientNpi + CLIENT_NPI.Dispatch);
      const npi = {
        ClientContext: nullable(d.u32(ClientNpi + CLIENT_NPI.ClientContext)),
        Dispatch:
          dispatch === 0
            ? null
            : {
                Version: d.u16(dispatch + CLIENT_DISPATCH.Version),
                Reserved: d.u16(dispatch + CLIENT_DISPATCH.Reserved),
                WskClientEvent: null,
              },
      };
      return k.WskRegister(npi, registration(Registration));
    },
    WskDeregister: (Registration: number): number =>
      d.waiting(
        () => k.WskDeregister(registration(Registration)),
        () => 0,
        () => cannotBlock(d, 'WskDeregister'),
      ),
    WskCaptureProviderNPI: (Registration: number, WaitTimeout: number, ProviderNpi: number) => {
      const npi = new WSK_PROVIDER_NPI();
      d.u8(ProviderNpi);
      return d.waiting(
        () => k.WskCaptureProviderNPI(registration(Registration), WaitTimeout, npi),
        (status: NTSTATUS) => {
          if (status === STATUS_SUCCESS && npi.Client !== null && npi.Dispatch !== null) {
            providers.set(npi.Client, npi.Dispatch);
            d.setU32(ProviderNpi + PROVIDER_NPI.Client, m.handle(npi.Client));
            const table = d.exports.__wsksim_dispatch_table(DISPATCH_TABLE.provider);
            d.setU32(ProviderNpi + PROVIDER_NPI.Dispatch, table);
          }
          return status;
        },
        () => cannotBlock(d, 'WskCaptureProviderNPI'),
      );
    },
    WskReleaseProviderNPI: (Registration: number): void =>
      k.WskReleaseProviderNPI(registration(Registration)),
    WskQueryProviderCharacteristics: (Registration: number, Characteristics: number): number => {
      const out = new WSK_PROVIDER_CHARACTERISTICS();
      const status = k.WskQueryProviderCharacteristics(registration(Registration), out);
      d.setU16(Characteristics, out.HighestVersion);
      d.setU16(Characteristics + 2, out.LowestVersion);
      return status;
    },

    // ---- the provider dispatch (client level) ----
    WskSocket: (
      Client: number, AddressFamily: number, SocketType: number, Protocol: number, Flags: number,
      SocketContext: number, Dispatch: number, OwningProcess: number, OwningThread: number,
      SecurityDescriptor: number, Irp: number,
    ): number => {
      const c = client(Client, 'WskSocket');
      const i = m.irpOrNull(Irp, 'WskSocket');
      const table = tables.forFlags(Flags, Dispatch);
      const status = provider(c, 'WskSocket')(
        c, AddressFamily, SocketType, Protocol, Flags, nullable(SocketContext), table,
        ...owners(OwningProcess, OwningThread, SecurityDescriptor), i,
      );
      if (i !== null) m.syncIrp(i);
      return status;
    },
    WskSocketConnect: (
      Client: number, SocketType: number, Protocol: number, LocalAddress: number,
      RemoteAddress: number, Flags: number, SocketContext: number, Dispatch: number,
      OwningProcess: number, OwningThread: number, SecurityDescriptor: number, Irp: number,
    ): number => {
      const c = client(Client, 'WskSocketConnect');
      const i = m.irpOrNull(Irp, 'WskSocketConnect');
      const status = provider(c, 'WskSocketConnect')(
        c, SocketType, Protocol, m.readSockaddr(LocalAddress), m.readSockaddr(RemoteAddress),
        Flags, nullable(SocketContext), tables.connection(Dispatch),
        ...owners(OwningProcess, OwningThread, SecurityDescriptor), i,
      );
      if (i !== null) m.syncIrp(i);
      return status;
    },
    WskControlClient: (
      Client: number, ControlCode: number, InputSize: number, InputBuffer: number,
      OutputSize: number, OutputBuffer: number, OutputSizeReturned: number, Irp: number,
    ): number => {
      const c = client(Client, 'WskControlClient');
      const buffers = clientControlBuffers(
        d, ControlCode, InputBuffer, OutputSize, OutputBuffer, security,
      );
      const i = m.irpOrNull(Irp, 'WskControlClient');
      const returned = OutputSizeReturned === 0 ? null : { value: 0 };
      const status = provider(c, 'WskControlClient')(
        c, ControlCode, InputSize, buffers.input, OutputSize, buffers.output, returned, i,
      );
      buffers.write();
      if (returned !== null) d.setU32(OutputSizeReturned, returned.value);
      if (i !== null) m.syncIrp(i);
      return status;
    },

    // ---- socket members ----
    WskControlSocket: (
      Socket: number, RequestType: number, ControlCode: number, Level: number, InputSize: number,
      InputBuffer: number, OutputSize: number, OutputBuffer: number, OutputSizeReturned: number,
      Irp: number,
    ): number => {
      const set = RequestType === WskSetOption;
      // SO_WSK_SECURITY's input is a PSECURITY_DESCRIPTOR variable holding a cached copy
      // ("SO_WSK_SECURITY",
      // https://learn.microsoft.com/windows-hardware/drivers/network/so-wsk-security).
      const input =
        InputBuffer === 0
          ? null
          : set && ControlCode === SO_WSK_EVENT_CALLBACK
            ? eventCallbackControl(d, InputBuffer)
            : set && ControlCode === SO_WSK_SECURITY
              ? { value: security.descriptor(d.u32(InputBuffer)) }
              : { value: InputSize >= 4 ? d.u32(InputBuffer) : d.u8(InputBuffer) };
      const output: Record<string, unknown> | null = OutputBuffer === 0 ? null : {};
      const returned = OutputSizeReturned === 0 ? null : { value: 0 };
      const write = (): void => {
        if (output !== null) writeOutput(d, m, OutputBuffer, OutputSize, output);
        if (returned !== null) d.setU32(OutputSizeReturned, returned.value);
      };
      const args = (s: WSK_SOCKET, i: IRP | null): unknown[] => [
        s, RequestType, ControlCode, Level, InputSize, input, OutputSize, output, returned, i,
      ];
      const status = call('WskControlSocket', Socket, Irp, args, write);
      if (Irp === 0) write();
      return status;
    },
    WskCloseSocket: (Socket: number, Irp: number): number =>
      call('WskCloseSocket', Socket, Irp, (s, i) => [s, i]),
    WskBind: (Socket: number, LocalAddress: number, Flags: number, Irp: number): number =>
      call('WskBind', Socket, Irp, (s, i) => [s, m.readSockaddr(LocalAddress), Flags, i]),
    WskConnect: (Socket: number, RemoteAddress: number, Flags: number, Irp: number): number =>
      call('WskConnect', Socket, Irp, (s, i) => [s, m.readSockaddr(RemoteAddress), Flags, i]),
    WskListen: (Socket: number, Irp: number): number =>
      call('WskListen', Socket, Irp, (s, i) => [s, i]),
    WskAccept: (
      ListenSocket: number, Flags: number, AcceptSocketContext: number,
      AcceptSocketDispatch: number, LocalAddress: number, RemoteAddress: number, Irp: number,
    ): number =>
      call('WskAccept', ListenSocket, Irp, (s, i) => [
        s, Flags, nullable(AcceptSocketContext), tables.connection(AcceptSocketDispatch),
        outAddress(LocalAddress, i), outAddress(RemoteAddress, i), i,
      ]),
    WskInspectComplete: (ListenSocket: number, InspectID: number, Action: number, Irp: number) =>
      call('WskInspectComplete', ListenSocket, Irp, (s, i) => [
        s, m.readInspectId(InspectID), Action, i,
      ]),
    WskGetLocalAddress: (Socket: number, LocalAddress: number, Irp: number): number =>
      call('WskGetLocalAddress', Socket, Irp, (s, i) => [s, outAddress(LocalAddress, i), i]),
    WskGetRemoteAddress: (Socket: number, RemoteAddress: number, Irp: number): number =>
      call('WskGetRemoteAddress', Socket, Irp, (s, i) => [s, outAddress(RemoteAddress, i), i]),
    WskSend: (Socket: number, Buffer: number, Flags: number, Irp: number): number =>
      call('WskSend', Socket, Irp, (s, i) => [s, wskBuf(Buffer), Flags, i]),
    WskReceive: (Socket: number, Buffer: number, Flags: number, Irp: number): number =>
      call('WskReceive', Socket, Irp, (s, i) => [s, wskBuf(Buffer), Flags, i]),
    WskDisconnect: (Socket: number, Buffer: number, Flags: number, Irp: number): number =>
      call('WskDisconnect', Socket, Irp, (s, i) => [
        s, Buffer === 0 ? null : wskBuf(Buffer), Flags, i,
      ]),
    WskRelease: (Socket: number, DataIndication: number): number => {
      const status = call('WskRelease', Socket, 0, (s) => [s, indications.list(DataIndication)]);
      indications.released(DataIndication, status as NTSTATUS);
      return status;
    },
    ...datagramImports(d, m, { call, wskBuf, outAddress }, datagrams),
    ...nameImports(d, m, {
      client,
      provider,
      owner: (address) => security.owner(address),
    }),
    unbridged: (Member: number): void => unbridged(d.cString(Member)),
  };
}

/** What WskControlSocket returned through OutputBuffer, written to C. */
function writeOutput(
  d: CDriver,
  m: Mirrors,
  address: number,
  size: number,
  output: Record<string, unknown>,
): void {
  if (typeof output['Key'] === 'number' && size >= INSPECT_ID.size) {
    m.writeInspectId(address, output as unknown as WSK_INSPECT_ID);
  } else if (typeof output['value'] === 'number' && size >= 4) {
    d.setU32(address, output['value']);
  }
}

/** A PVOID for the model: NULL is null. */
function nullable(value: number): number | null {
  return value === 0 ? null : value;
}
