/**
 * The listening page's second sample ("Listening for and accepting incoming connections":
 * WskAcceptEvent with a WSK_CLIENT_CONNECTION_DISPATCH for the accepted sockets), ported with
 * syntax changes only, with the enabling page's EnableWskAcceptEvent ("Enabling and Disabling
 * Event Callback Functions"), in the shape of docs/design.md#the-wsk-surface. A server driver
 * registers, creates a WSK_FLAG_LISTEN_SOCKET whose client dispatch is a WSK_CLIENT_LISTEN_DISPATCH
 * { WskAcceptEvent, NULL, NULL }, binds it to port 80 and enables WSK_EVENT_ACCEPT. Each indication
 * allocates a per-connection context with ExAllocatePoolWithTag; the server's kernel injects pool
 * allocation failures (poolAllocationFailure 0.3), and a failed allocation makes the callback
 * return STATUS_REQUEST_NOT_ACCEPTED: WSK closes that socket abortively and its client, whose
 * connect had succeeded, sees a RST (docs/model.md#wskacceptevent). Four client hosts connect with
 * WskSocketConnect at 0, 30, 60 and 90 ms and look at their connection 300 ms later. Seed 2 rejects
 * one connection, seed 1 none, seed 3 two. At the end every socket is closed, every context freed,
 * the NPI released and the client deregistered.
 *
 *   npx wsksim run accept-event --seed 2 --trace
 */
import {
  AF_INET,
  Executive,
  IO_NO_INCREMENT,
  IPPROTO_TCP,
  IRP,
  KEVENT,
  KernelMode,
  NPI_WSK_INTERFACE_ID,
  NonPagedPool,
  NotificationEvent,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_WSK_EVENT_CALLBACK,
  STATUS_REQUEST_NOT_ACCEPTED,
  STATUS_SUCCESS,
  WSK_EVENT_ACCEPT,
  WSK_FLAG_LISTEN_SOCKET,
  WSK_PROVIDER_NPI,
  WSK_REGISTRATION,
  WskSetOption,
  defineScenario,
  sockaddr,
  sockaddrText,
  statusName,
  type Kernel,
  type KernelOptions,
  type NTSTATUS,
  type PWSK_SOCKET,
  type SOCKADDR,
  type Simulation,
  type WSK_CLIENT_CONNECTION_DISPATCH,
  type WSK_CLIENT_LISTEN_DISPATCH,
  type WSK_EVENT_CALLBACK_CONTROL,
  type WSK_PROVIDER_BASIC_DISPATCH,
  type WSK_PROVIDER_DISPATCH,
  type WSK_PROVIDER_LISTEN_DISPATCH,
} from 'wsksim';
import {
  CLIENTS_TIMEOUT,
  addClients,
  checkConnected,
  checkNoErrors,
  checkOncePerIrp,
  checkUnloaded,
  closeSocket,
  completed,
  register,
  sleep,
  syncCaller,
  type ClientConnect,
} from './support/driver.ts';

const SERVER = '10.0.0.2';
const CLIENTS = [
  { host: 'client1', ipv4: '10.0.0.11', at: 0 },
  { host: 'client2', ipv4: '10.0.0.12', at: 30e6 },
  { host: 'client3', ipv4: '10.0.0.13', at: 60e6 },
  { host: 'client4', ipv4: '10.0.0.14', at: 90e6 },
] as const;
/** 2.5 ms a hop, two hops each way through the switch. */
const ROUND_TRIP = 10e6;
/** The server's kernel: ExAllocatePoolWithTag fails with this probability. */
const SERVER_KERNEL: KernelOptions = { poolAllocationFailure: 0.3 };

export interface Handles {
  /** Completion-routine calls per IRP, for every IRP of every driver. */
  readonly calls: Map<IRP, number>;
  /**
   * Each client's connect (status, when, its socket's local address) and its TCP connection's
   * outcome 300 ms later (null: still established).
   */
  readonly connects: Map<string, ClientConnect>;
  /** Remote addresses of the connections WskAcceptEvent took, in order. */
  readonly accepted: string[];
  /** Remote addresses of the connections it rejected (allocation failed), in order. */
  readonly rejected: string[];
  /** Hosts whose driver ran to WskDeregister's return. */
  readonly unloaded: Set<string>;
  /** What the drivers could not do, in order. */
  readonly errors: string[];
}

/** The sample's per-connection context (the page leaves its fields to the application). */
interface WSK_APP_SOCKET_CONTEXT {
  Socket: PWSK_SOCKET;
  Remote: string;
}
type PWSK_APP_SOCKET_CONTEXT = WSK_APP_SOCKET_CONTEXT;

function serverDriver(handles: Handles) {
  const { calls, accepted, rejected, errors } = handles;
  return async (k: Kernel): Promise<void> => {
    const Registration = new WSK_REGISTRATION();
    const Npi = new WSK_PROVIDER_NPI();
    await register(k, Registration, Npi);
    const Dispatch = Npi.Dispatch as WSK_PROVIDER_DISPATCH;
    const sync = syncCaller(k, calls);
    const AllIndicated = new KEVENT();
    k.KeInitializeEvent(AllIndicated, NotificationEvent, false);
    const AcceptedContexts: PWSK_APP_SOCKET_CONTEXT[] = [];
    const indicated = (): void => {
      if (accepted.length + rejected.length === CLIENTS.length)
        k.KeSetEvent(AllIndicated, IO_NO_INCREMENT, false);
    };

    // ---- The sample, ported with syntax changes only ----
    // The accepted sockets' callbacks are stubs that return STATUS_SUCCESS: the model delivers
    // receive, disconnect and send-backlog events with the data path, a later part.

    // A connection socket's WskReceiveEvent event callback function (stub)
    const WskReceiveEvent = (): NTSTATUS => STATUS_SUCCESS;
    // A connection socket's WskDisconnectEvent event callback function (stub)
    const WskDisconnectEvent = (): NTSTATUS => STATUS_SUCCESS;
    // A connection socket's WskSendBacklogEvent event callback function (stub)
    const WskSendBacklogEvent = (): NTSTATUS => STATUS_SUCCESS;

    // Dispatch table of event callback functions for accepted sockets
    const ConnectionDispatch: WSK_CLIENT_CONNECTION_DISPATCH = {
      WskReceiveEvent,
      WskDisconnectEvent,
      WskSendBacklogEvent,
    };

    // Pool tag used for allocating the socket context
    const SOCKET_CONTEXT_POOL_TAG = 'tpcs';

    // A listening socket's WskAcceptEvent event callback function
    // (The sample declares a local of the first parameter's name, which C rejects as well; the
    // parameter is ListenSocketContext here.)
    function WskAcceptEvent(
      ListenSocketContext: unknown,
      Flags: number,
      LocalAddress: SOCKADDR,
      RemoteAddress: SOCKADDR,
      AcceptSocket: PWSK_SOCKET | null,
      AcceptSocketContext: { value: unknown },
      AcceptSocketDispatch: { value: WSK_CLIENT_CONNECTION_DISPATCH | null },
    ): NTSTATUS {
      void ListenSocketContext;
      void Flags;
      void LocalAddress;
      let SocketContext: PWSK_APP_SOCKET_CONTEXT | null;

      // Check for a valid new socket
      if (AcceptSocket !== null) {
        // Allocate the socket context
        SocketContext = k.ExAllocatePoolWithTag<WSK_APP_SOCKET_CONTEXT>(
          NonPagedPool,
          16, // sizeof(WSK_APP_SOCKET_CONTEXT)
          SOCKET_CONTEXT_POOL_TAG,
        );

        // Check result of allocation
        if (SocketContext === null) {
          // Reject the socket
          rejected.push(sockaddrText(RemoteAddress));
          indicated();
          return STATUS_REQUEST_NOT_ACCEPTED;
        }

        // Initialize the socket context
        SocketContext.Socket = AcceptSocket;
        SocketContext.Remote = sockaddrText(RemoteAddress);

        // Set the accepted socket's client context
        AcceptSocketContext.value = SocketContext;

        // Set the accepted socket's client connection event callback dispatch table
        AcceptSocketDispatch.value = ConnectionDispatch;

        // Perform additional operations on the accepted socket: keep it until unload
        AcceptedContexts.push(SocketContext);
        accepted.push(SocketContext.Remote);
        indicated();

        // Return status indicating that the socket was accepted
        return STATUS_SUCCESS;
      }

      // Error with listening socket
      else {
        // Handle error: this scenario never invalidates the listening socket

        // Return status indicating that no socket was accepted
        return STATUS_REQUEST_NOT_ACCEPTED;
      }
    }

    // Dispatch table of event callback functions for the listening socket
    const ListenDispatch: WSK_CLIENT_LISTEN_DISPATCH = {
      WskAcceptEvent,
      WskInspectEvent: null, // WskInspectEvent is required only if conditional accept is used.
      WskAbortEvent: null, // WskAbortEvent is required only if conditional accept is used.
    };

    // Function to enable the WskAcceptEvent callback function (the enabling page's sample)
    function EnableWskAcceptEvent(Socket: PWSK_SOCKET): NTSTATUS {
      // Specify the WSK NPI identifier, and set the event flags for the event callback
      // functions that are to be enabled on the socket
      const EventCallbackControl: WSK_EVENT_CALLBACK_CONTROL = {
        NpiId: NPI_WSK_INTERFACE_ID,
        EventMask: WSK_EVENT_ACCEPT,
      };

      // Initiate the control operation on the socket
      const Status = (Socket.Dispatch as WSK_PROVIDER_BASIC_DISPATCH).WskControlSocket(
        Socket,
        WskSetOption,
        SO_WSK_EVENT_CALLBACK,
        SOL_SOCKET,
        16, // sizeof(WSK_EVENT_CALLBACK_CONTROL)
        EventCallbackControl,
        0,
        null,
        null,
        null, // No IRP for this control operation
      );

      // Return the status of the call to WskControlSocket()
      return Status;
    }

    // ---- DriverEntry's body ----

    // A step that failed is noted; the driver then releases what it holds and unloads.
    const failed = (what: string, Status: NTSTATUS): void =>
      void errors.push(`server: ${what}: ${statusName(Status)}`);

    async function Serve(ListenSocket: PWSK_SOCKET): Promise<void> {
      const Listen = ListenSocket.Dispatch as WSK_PROVIDER_LISTEN_DISPATCH;
      const bound = completed(
        k,
        await sync((Irp) => Listen.WskBind(ListenSocket, sockaddr('0.0.0.0:80'), 0, Irp)),
      );
      if (bound.Status !== STATUS_SUCCESS) return failed('WskBind', bound.Status);
      const Status = EnableWskAcceptEvent(ListenSocket);
      if (Status !== STATUS_SUCCESS) return failed('EnableWskAcceptEvent', Status);

      // Every client indicated; the clients look at their connections first, then unload.
      await k.KeWaitForSingleObject(AllIndicated, Executive, KernelMode, false, CLIENTS_TIMEOUT);
      await sleep(k, 1000);
    }

    const made = completed(
      k,
      await sync((Irp) =>
        Dispatch.WskSocket(
          Npi.Client!, AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET,
          null, ListenDispatch, null, null, null, Irp,
        ),
      ),
    );
    if (made.Status === STATUS_SUCCESS) {
      const ListenSocket = made.Information as PWSK_SOCKET;
      await Serve(ListenSocket);
      for (const SocketContext of AcceptedContexts) {
        await closeSocket(k, sync, SocketContext.Socket);
        k.ExFreePoolWithTag(SocketContext, SOCKET_CONTEXT_POOL_TAG);
      }
      await closeSocket(k, sync, ListenSocket);
    } else failed('WskSocket', made.Status);
    k.WskReleaseProviderNPI(Registration);
    await k.WskDeregister(Registration);
    handles.unloaded.add('server');
  };
}

/** Builds the world; `kernel` is every host's kernel options, the server's merged over them. */
export function buildAcceptEvent(sim: Simulation, kernel: KernelOptions = {}): Handles {
  sim.addHost({ name: 'server', ipv4: SERVER });
  sim.addSwitch('lan');
  sim.addLink('server', 'lan', { latency: '2500us' });
  sim.tcp('server');
  sim.kernel('server', { ...kernel, ...SERVER_KERNEL });
  const handles: Handles = {
    calls: new Map(),
    connects: new Map(),
    accepted: [],
    rejected: [],
    unloaded: new Set(),
    errors: [],
  };
  sim.load('server', serverDriver(handles));
  addClients(sim, CLIENTS, SERVER, kernel, handles);
  return handles;
}

/** The scenario's checks. */
export function checkAcceptEvent(
  sim: Simulation,
  { calls, connects, accepted, rejected, unloaded, errors }: Handles,
): void {
  checkNoErrors(errors);
  const reset: string[] = [];
  const kept: string[] = [];
  for (const { local, outcome } of checkConnected(CLIENTS, connects, ROUND_TRIP)) {
    if (outcome === 'reset') reset.push(local);
    else if (outcome === null) kept.push(local);
    else throw new Error(`the connection from ${local} ended ${outcome}`);
  }
  if (accepted.length + rejected.length !== CLIENTS.length)
    throw new Error(`accepted ${accepted.length} + rejected ${rejected.length} connections`);
  if (JSON.stringify(rejected) !== JSON.stringify(reset))
    throw new Error(`rejected ${JSON.stringify(rejected)}, reset ${JSON.stringify(reset)}`);
  if (JSON.stringify(accepted) !== JSON.stringify(kept))
    throw new Error(`accepted ${JSON.stringify(accepted)}, kept ${JSON.stringify(kept)}`);
  checkOncePerIrp(calls);
  checkUnloaded(sim, ['server', ...CLIENTS.map((c) => c.host)], unloaded);
}

export default defineScenario({
  name: 'accept-event',
  description:
    "The listening page's WskAcceptEvent sample takes four WskSocketConnect clients; failed " +
    'context allocations reject some (RST)',
  seeds: [2, 1, 3],
  build: (sim) => buildAcceptEvent(sim),
  check: ({ sim }, handles) => checkAcceptEvent(sim, handles),
  limits: { time: '1m' },
});
