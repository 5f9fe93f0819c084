/**
 * The seed pages' samples with wsk.h's and wdm.h's own type names (README "Porting from C"):
 * the listening page's ("Listening for and accepting incoming connections") AcceptConnection /
 * AcceptComplete, WskAcceptEvent and WskInspectEvent / WskAbortEvent, and a WskSocketConnect
 * call in the shape of the socket pages' CreateConnectionSocket and its completion routine. Every
 * type is the package's export of the C name (PIRP, PVOID, ULONG, PWSK_SOCKET, PSOCKADDR,
 * PWSK_PROVIDER_LISTEN_DISPATCH, PWSK_CLIENT_CONNECTION_DISPATCH, PWSK_PROVIDER_NPI, ...): no
 * local alias, and `sizeof(WSK_EVENT_CALLBACK_CONTROL)` is `sizeof('WSK_EVENT_CALLBACK_CONTROL')`.
 * The sample's own structure, WSK_APP_SOCKET_CONTEXT, keeps its C typedef.
 *
 * The server listens twice: on port 80 with SO_CONDITIONAL_ACCEPT, WskInspectEvent accepting
 * client1 and WskAcceptEvent taking the socket, and on port 81 with AcceptConnection's IRP, which
 * client2's connect completes. The clients connect with CreateConnectionSocket at 0 and 20 ms, each
 * connected one round trip (10 ms) later; the server inspects client1's request at 5 ms, takes its
 * socket at 15 ms and completes the accept IRP with client2's at 35 ms. At 200 ms everything is
 * closed and every driver deregisters.
 *
 *   npx wsksim run seed-samples --trace
 */
import {
  AF_INET,
  IPPROTO_TCP,
  InspectAccept,
  InspectReject,
  SOCK_STREAM,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_PENDING,
  STATUS_REQUEST_NOT_ACCEPTED,
  STATUS_SUCCESS,
  WSK_FLAG_LISTEN_SOCKET,
  WSK_PROVIDER_NPI,
  WSK_REGISTRATION,
  defineScenario,
  sizeof,
  sockaddr,
  sockaddrText,
  statusName,
  type BOOLEAN,
  type IO_COMPLETION_ROUTINE,
  type Kernel,
  type NTSTATUS,
  type PDEVICE_OBJECT,
  type PIRP,
  type PSOCKADDR,
  type PVOID,
  type PWSK_CLIENT_CONNECTION_DISPATCH,
  type PWSK_CLIENT_LISTEN_DISPATCH,
  type PWSK_INSPECT_ID,
  type PWSK_PROVIDER_LISTEN_DISPATCH,
  type PWSK_PROVIDER_NPI,
  type PWSK_SOCKET,
  type Simulation,
  type ULONG,
  type WSK_INSPECT_ACTION,
  type WSK_INSPECT_ID,
} from 'wsksim';
import {
  QUIET_CONNECTION_DISPATCH,
  checkNoErrors,
  checkOncePerIrp,
  checkUnloaded,
  closeSocket,
  completed,
  conditionalListener,
  register,
  sleep,
  syncCaller,
  type SyncCall,
} from './support/driver.ts';

export const SERVER = '10.0.0.2';
export const CLIENTS = [
  { host: 'client1', ipv4: '10.0.0.11', port: 80, at: 0 },
  { host: 'client2', ipv4: '10.0.0.12', port: 81, at: 20 },
] as const;
/** When every driver closes what it has and unloads, in ms. */
const UNLOAD_MS = 200;

export interface Handles {
  readonly calls: Map<PIRP, number>;
  /** '<ms> <what>' as each driver saw it. */
  readonly seen: string[];
  readonly errors: string[];
  readonly unloaded: Set<string>;
}

// The sample's own context structure, with its C typedef.
interface WSK_APP_SOCKET_CONTEXT {
  Socket: PWSK_SOCKET | null;
}
type PWSK_APP_SOCKET_CONTEXT = WSK_APP_SOCKET_CONTEXT;

function serverDriver(sim: Simulation, h: Handles) {
  return async (k: Kernel): Promise<void> => {
    const Registration = new WSK_REGISTRATION();
    const Npi: PWSK_PROVIDER_NPI = new WSK_PROVIDER_NPI();
    await register(k, Registration, Npi);
    const sync: SyncCall = syncCaller(k, h.calls);
    const Accepted: PWSK_SOCKET[] = [];
    const note = (what: string): void => void h.seen.push(`${sim.now / 1e6} server ${what}`);

    // ---- The listening page's AcceptConnection / AcceptComplete ----

    // Function to accept an incoming connection
    function AcceptConnection(
      Socket: PWSK_SOCKET,
      AcceptSocketContext: PVOID,
      AcceptSocketDispatch: PWSK_CLIENT_CONNECTION_DISPATCH | null,
    ): NTSTATUS {
      // Get pointer to the socket's provider dispatch structure
      const Dispatch = Socket.Dispatch as PWSK_PROVIDER_LISTEN_DISPATCH;

      // Allocate an IRP
      const Irp: PIRP | null = k.IoAllocateIrp(1, false);

      // Check result
      if (!Irp) {
        // Return error
        return STATUS_INSUFFICIENT_RESOURCES;
      }

      // Set the completion routine for the IRP
      k.IoSetCompletionRoutine(Irp, AcceptComplete, AcceptSocketContext, true, true, true);

      // Initiate the accept operation on the socket
      const Status = Dispatch.WskAccept(
        Socket,
        0, // No flags
        AcceptSocketContext,
        AcceptSocketDispatch,
        null,
        null,
        Irp,
      );

      // Return the status of the call to WskAccept()
      return Status;
    }

    // The accept IRP's completion routine
    const AcceptComplete: IO_COMPLETION_ROUTINE = (
      DeviceObject: PDEVICE_OBJECT,
      Irp: PIRP,
      Context: PVOID,
    ): NTSTATUS => {
      void DeviceObject; // UNREFERENCED_PARAMETER(DeviceObject);
      h.calls.set(Irp, (h.calls.get(Irp) ?? 0) + 1);

      // Check the result of the accept operation
      if (Irp.IoStatus.Status === STATUS_SUCCESS) {
        // Get the accepted socket object from the IRP
        const Socket = Irp.IoStatus.Information as PWSK_SOCKET;

        // Get the accepted socket's context
        const AcceptSocketContext = Context;
        void AcceptSocketContext;

        // Perform the next operation on the accepted socket: keep it until unload
        Accepted.push(Socket);
        note('AcceptComplete STATUS_SUCCESS');
      }

      // Error status
      else {
        // Handle error: the close of the listening socket cancels a queued accept
        note(`AcceptComplete ${statusName(Irp.IoStatus.Status)}`);
      }

      // Free the IRP
      k.IoFreeIrp(Irp);

      // Always return STATUS_MORE_PROCESSING_REQUIRED to
      // terminate the completion processing of the IRP.
      return STATUS_MORE_PROCESSING_REQUIRED;
    };

    // ---- The listening page's WskAcceptEvent ----

    // A listening socket's WskAcceptEvent event callback function
    function WskAcceptEvent(
      SocketContext: PVOID,
      Flags: ULONG,
      LocalAddress: PSOCKADDR,
      RemoteAddress: PSOCKADDR,
      AcceptSocket: PWSK_SOCKET | null,
      AcceptSocketContext: { value: PVOID },
      AcceptSocketDispatch: { value: PWSK_CLIENT_CONNECTION_DISPATCH | null },
    ): NTSTATUS {
      void SocketContext;
      void Flags;
      void LocalAddress;

      // Check for a valid new socket
      if (AcceptSocket !== null) {
        // Keep the socket (the sample allocates a context here; ours is the list)
        Accepted.push(AcceptSocket);
        note(`WskAcceptEvent ${sockaddrText(RemoteAddress)}`);

        // Set the accepted socket's client context
        AcceptSocketContext.value = null;

        // Set the accepted socket's client connection event callback dispatch table
        AcceptSocketDispatch.value = QUIET_CONNECTION_DISPATCH;

        // Return status indicating that the socket was accepted
        return STATUS_SUCCESS;
      }

      // Error with listening socket
      else {
        // Handle error: never here

        // Return status indicating that no socket was accepted
        return STATUS_REQUEST_NOT_ACCEPTED;
      }
    }

    // ---- The listening page's WskInspectEvent / WskAbortEvent ----

    // Inspect ID for a pending inspection
    let PendingInspectID: WSK_INSPECT_ID | null = null;

    // A listening socket's WskInspectEvent event callback function
    function WskInspectEvent(
      SocketContext: PVOID,
      LocalAddress: PSOCKADDR,
      RemoteAddress: PSOCKADDR,
      InspectID: PWSK_INSPECT_ID | null,
    ): WSK_INSPECT_ACTION {
      void SocketContext;
      void LocalAddress;

      // Check for a valid inspect ID
      if (InspectID !== null) {
        // Inspect local and/or remote address of the incoming
        // connection request to determine if the connection should
        // be accepted or rejected: client1 is.
        note(`WskInspectEvent ${sockaddrText(RemoteAddress)}`);
        return InspectAccept;
      }

      // Error with listening socket
      else {
        // Handle error

        // Return status indicating that a socket was not accepted
        return InspectReject;
      }
    }

    // A listening socket's WskAbortEvent event callback function
    function WskAbortEvent(SocketContext: PVOID, InspectID: PWSK_INSPECT_ID): NTSTATUS {
      void SocketContext;

      // Terminate the inspection for the incoming connection
      // request with a matching inspect ID. To test for a matching
      // inspect ID, the contents of the WSK_INSPECT_ID structures
      // must be compared, not the pointers to the structures.
      if (
        PendingInspectID !== null &&
        PendingInspectID.Key === InspectID.Key &&
        PendingInspectID.SerialNumber === InspectID.SerialNumber
      ) {
        // Terminate the inspection for the incoming connection request
        PendingInspectID = null;
      }
      return STATUS_SUCCESS;
    }

    // Dispatch table of event callback functions for the listening socket
    const ListenDispatch: PWSK_CLIENT_LISTEN_DISPATCH = {
      WskAcceptEvent,
      WskInspectEvent,
      WskAbortEvent,
    };

    // ---- DriverEntry's body ----

    async function IrpListener(): Promise<PWSK_SOCKET | null> {
      const Dispatch = Npi.Dispatch;
      if (Dispatch === null || Npi.Client === null) return null;
      const Client = Npi.Client;
      const made = completed(
        k,
        await sync((Irp: PIRP) =>
          Dispatch.WskSocket(
            Client, AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET, null, null, null,
            null, null, Irp,
          ),
        ),
      );
      if (made.Status !== STATUS_SUCCESS) {
        h.errors.push(`server: WskSocket: ${statusName(made.Status)}`);
        return null;
      }
      const Socket = made.Information as PWSK_SOCKET;
      const Listen = Socket.Dispatch as PWSK_PROVIDER_LISTEN_DISPATCH;
      const bound = completed(
        k,
        await sync((Irp: PIRP) => Listen.WskBind(Socket, sockaddr('0.0.0.0:81'), 0, Irp)),
      );
      if (bound.Status !== STATUS_SUCCESS) {
        h.errors.push(`server: WskBind: ${statusName(bound.Status)}`);
        await closeSocket(k, sync, Socket);
        return null;
      }
      return Socket;
    }

    const Conditional = await conditionalListener(Npi, sync, k, ListenDispatch, h.errors);
    const IrpSocket = await IrpListener();
    if (IrpSocket !== null) {
      const Status = AcceptConnection(IrpSocket, null, QUIET_CONNECTION_DISPATCH);
      if (Status !== STATUS_PENDING && Status !== STATUS_SUCCESS)
        h.errors.push(`server: AcceptConnection: ${statusName(Status)}`);
    }
    // The control structure a call takes the size of, as C passes sizeof().
    if (sizeof('WSK_EVENT_CALLBACK_CONTROL') !== 16) h.errors.push('server: sizeof');

    await sleep(k, UNLOAD_MS - sim.now / 1e6);
    for (const Socket of Accepted) await closeSocket(k, sync, Socket);
    if (IrpSocket !== null) await closeSocket(k, sync, IrpSocket);
    if (Conditional !== null) await closeSocket(k, sync, Conditional);
    k.WskReleaseProviderNPI(Registration);
    await k.WskDeregister(Registration);
    h.unloaded.add('server');
  };
}

export function clientDriver(
  sim: Simulation,
  h: Handles,
  host: string,
  port: number,
  at: number,
) {
  return async (k: Kernel): Promise<void> => {
    const Registration = new WSK_REGISTRATION();
    const Npi: PWSK_PROVIDER_NPI = new WSK_PROVIDER_NPI();
    await register(k, Registration, Npi);
    const sync: SyncCall = syncCaller(k, h.calls);
    const SocketContext: PWSK_APP_SOCKET_CONTEXT = { Socket: null };
    let Done = false as BOOLEAN;

    // ---- A WskSocketConnect call: CreateConnectionSocket and its completion routine ----

    // Function to create and connect a socket
    function CreateConnectionSocket(
      WskProviderNpi: PWSK_PROVIDER_NPI,
      SocketContext: PVOID,
      Dispatch: PWSK_CLIENT_CONNECTION_DISPATCH,
      LocalAddress: PSOCKADDR,
      RemoteAddress: PSOCKADDR,
    ): NTSTATUS {
      // Allocate an IRP
      const Irp: PIRP | null = k.IoAllocateIrp(1, false);

      // Check result
      if (!Irp) {
        // Return error
        return STATUS_INSUFFICIENT_RESOURCES;
      }

      // Set the completion routine for the IRP
      k.IoSetCompletionRoutine(
        Irp, CreateConnectionSocketComplete, SocketContext, true, true, true,
      );

      // Initiate the creation and connection of the socket
      const Status = WskProviderNpi.Dispatch!.WskSocketConnect(
        WskProviderNpi.Client!,
        SOCK_STREAM,
        IPPROTO_TCP,
        LocalAddress,
        RemoteAddress,
        0,
        SocketContext,
        Dispatch,
        null,
        null,
        null,
        Irp,
      );

      // Return the status of the call to WskSocketConnect()
      return Status;
    }

    // Socket creation and connection IoCompletion routine
    const CreateConnectionSocketComplete: IO_COMPLETION_ROUTINE = (
      DeviceObject: PDEVICE_OBJECT,
      Irp: PIRP,
      Context: PVOID,
    ): NTSTATUS => {
      void DeviceObject; // UNREFERENCED_PARAMETER(DeviceObject);
      h.calls.set(Irp, (h.calls.get(Irp) ?? 0) + 1);

      // Check the result of the socket creation
      if (Irp.IoStatus.Status === STATUS_SUCCESS) {
        // Get the socket context
        const SocketContext = Context as PWSK_APP_SOCKET_CONTEXT;

        // Save the socket object for the new socket
        SocketContext.Socket = Irp.IoStatus.Information as PWSK_SOCKET;
        h.seen.push(`${sim.now / 1e6} ${host} connected`);
      }

      // Error status
      else {
        // Handle error
        h.errors.push(`${host}: WskSocketConnect: ${statusName(Irp.IoStatus.Status)}`);
      }
      Done = true;

      // Free the IRP
      k.IoFreeIrp(Irp);

      // Always return STATUS_MORE_PROCESSING_REQUIRED to
      // terminate the completion processing of the IRP.
      return STATUS_MORE_PROCESSING_REQUIRED;
    };

    // ---- DriverEntry's body ----

    await sleep(k, at);
    const Status = CreateConnectionSocket(
      Npi,
      SocketContext,
      QUIET_CONNECTION_DISPATCH,
      sockaddr('0.0.0.0:0'),
      sockaddr(`${SERVER}:${port}`),
    );
    if (Status !== STATUS_PENDING && Status !== STATUS_SUCCESS && !Done)
      h.errors.push(`${host}: CreateConnectionSocket: ${statusName(Status)}`);
    await sleep(k, UNLOAD_MS - sim.now / 1e6);
    if (SocketContext.Socket !== null) await closeSocket(k, sync, SocketContext.Socket);
    k.WskReleaseProviderNPI(Registration);
    await k.WskDeregister(Registration);
    h.unloaded.add(host);
  };
}

function build(sim: Simulation): Handles {
  const h: Handles = { calls: new Map(), seen: [], errors: [], unloaded: new Set() };
  sim.addHost({ name: 'server', ipv4: SERVER });
  sim.addSwitch('lan');
  sim.addLink('server', 'lan', { latency: '2500us' });
  sim.load('server', serverDriver(sim, h));
  for (const { host, ipv4, port, at } of CLIENTS) {
    sim.addHost({ name: host, ipv4 });
    sim.addLink(host, 'lan', { latency: '2500us' });
    sim.load(host, clientDriver(sim, h, host, port, at));
  }
  return h;
}

export function check(sim: Simulation, h: Handles): void {
  checkNoErrors(h.errors);
  const seen = h.seen.map((line) => line.replace(/:\d+$/, '')).sort();
  const want = [
    '5 server WskInspectEvent 10.0.0.11',
    '15 server WskAcceptEvent 10.0.0.11',
    '10 client1 connected',
    '30 client2 connected',
    '35 server AcceptComplete STATUS_SUCCESS',
  ].sort();
  if (seen.join() !== want.join()) throw new Error(`seen: ${h.seen.join('; ')}`);
  checkOncePerIrp(h.calls);
  checkUnloaded(sim, ['server', ...CLIENTS.map((c) => c.host)], h.unloaded);
}

export default defineScenario({
  name: 'seed-samples',
  description:
    "The listening page's samples and a WskSocketConnect call, written with wsk.h's own type " +
    'names (PIRP, PVOID, PWSK_PROVIDER_LISTEN_DISPATCH, ...)',
  seeds: [1, 2, 3],
  build: (sim) => build(sim),
  check: ({ sim }, h) => check(sim, h),
  limits: { time: '1m' },
});
