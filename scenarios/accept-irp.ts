/**
 * The listening page's first sample ("Listening for and accepting incoming connections":
 * AcceptConnection and its AcceptComplete routine), ported with syntax changes only, in the
 * shape of docs/design.md#the-wsk-surface. A server driver registers, captures the provider NPI,
 * creates a WSK_FLAG_LISTEN_SOCKET, binds it to port 80 (a listening socket listens on bind) and
 * posts an accept IRP; each completion takes the accepted socket from IoStatus.Information, posts
 * the next accept, frees its IRP and returns STATUS_MORE_PROCESSING_REQUIRED. Three client hosts
 * connect with WskSocketConnect at 0, 40 and 90 ms. Whether each WSK call completes inline or pends
 * is the kernel's seeded choice, so the seeds run both paths. At the end every socket is closed
 * (the close cancels the accept still queued), the NPI released and the client deregistered.
 *
 *   npx wsksim run accept-irp --seed 2 --trace --pcap accept.pcap
 */
import {
  AF_INET,
  Executive,
  IO_NO_INCREMENT,
  IPPROTO_TCP,
  IRP,
  KEVENT,
  KernelMode,
  NotificationEvent,
  SOCK_STREAM,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_PENDING,
  STATUS_SUCCESS,
  WSK_FLAG_LISTEN_SOCKET,
  WSK_PROVIDER_NPI,
  WSK_REGISTRATION,
  defineScenario,
  sockaddr,
  sockaddrText,
  statusName,
  type IO_COMPLETION_ROUTINE,
  type Kernel,
  type KernelOptions,
  type NTSTATUS,
  type PWSK_SOCKET,
  type Simulation,
  type WSK_PROVIDER_CONNECTION_DISPATCH,
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
  syncCaller,
  type ClientConnect,
} from './support/driver.ts';

const SERVER = '10.0.0.2';
const CLIENTS = [
  { host: 'client1', ipv4: '10.0.0.11', at: 0 },
  { host: 'client2', ipv4: '10.0.0.12', at: 40e6 },
  { host: 'client3', ipv4: '10.0.0.13', at: 90e6 },
] as const;
/** 2.5 ms a hop, two hops each way through the switch. */
const ROUND_TRIP = 10e6;

export interface Handles {
  /** Completion-routine calls per IRP, for every IRP of every driver. */
  readonly calls: Map<IRP, number>;
  /** Each client's connect: status, when, and its socket's local address. */
  readonly connects: Map<string, ClientConnect>;
  /** Remote address of each socket the server accepted, in accept order. */
  readonly accepted: string[];
  /** Accept IRPs that completed with a failure status (the one the listener's close cancels). */
  readonly failedAccepts: string[];
  /** Hosts whose driver ran to WskDeregister's return. */
  readonly unloaded: Set<string>;
  /** What the drivers could not do, in order. */
  readonly errors: string[];
}

function serverDriver(sim: Simulation, handles: Handles) {
  const { calls, accepted, failedAccepts, errors } = handles;
  return async (k: Kernel): Promise<void> => {
    const Registration = new WSK_REGISTRATION();
    const Npi = new WSK_PROVIDER_NPI();
    await register(k, Registration, Npi);
    const Dispatch = Npi.Dispatch as WSK_PROVIDER_DISPATCH;
    const sync = syncCaller(k, calls);
    const AllAccepted = new KEVENT();
    k.KeInitializeEvent(AllAccepted, NotificationEvent, false);
    const AcceptedSockets: PWSK_SOCKET[] = [];
    let ListenSocket: PWSK_SOCKET | null = null;

    // ---- The sample, ported with syntax changes only ----

    // Function to accept an incoming connection
    function AcceptConnection(
      Socket: PWSK_SOCKET,
      AcceptSocketContext: unknown,
      AcceptSocketDispatch: null,
    ): NTSTATUS {
      // Get pointer to the socket's provider dispatch structure
      const Dispatch = Socket.Dispatch as WSK_PROVIDER_LISTEN_DISPATCH;

      // Allocate an IRP
      const Irp = k.IoAllocateIrp(1, false);

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
    const AcceptComplete: IO_COMPLETION_ROUTINE = (DeviceObject, Irp, Context) => {
      void DeviceObject; // UNREFERENCED_PARAMETER(DeviceObject);
      calls.set(Irp, (calls.get(Irp) ?? 0) + 1);

      // Check the result of the accept operation
      if (Irp.IoStatus.Status === STATUS_SUCCESS) {
        // Get the accepted socket object from the IRP
        const Socket = Irp.IoStatus.Information as PWSK_SOCKET;

        // Get the accepted socket's context
        const AcceptSocketContext = Context;

        // Perform the next operation on the accepted socket: keep it, accept the next one
        AcceptedSockets.push(Socket);
        void AcceptSocketContext;
        if (AcceptedSockets.length === CLIENTS.length)
          k.KeSetEvent(AllAccepted, IO_NO_INCREMENT, false);
        else AcceptConnection(ListenSocket as PWSK_SOCKET, null, null);
      }

      // Error status
      else {
        // Handle error
        failedAccepts.push(`${statusName(Irp.IoStatus.Status)} @${sim.now}`);
      }

      // Free the IRP
      k.IoFreeIrp(Irp);

      // Always return STATUS_MORE_PROCESSING_REQUIRED to
      // terminate the completion processing of the IRP.
      return STATUS_MORE_PROCESSING_REQUIRED;
    };

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

      // One accept queued at a time; each completion posts the next until all clients are in.
      const Status = AcceptConnection(ListenSocket, null, null);
      if (Status !== STATUS_PENDING && Status !== STATUS_SUCCESS)
        return failed('AcceptConnection', Status);
      // Not for ever: when a completion could not post the next accept (no IRP), or a client
      // never came, the wait times out and the driver closes what it accepted.
      await k.KeWaitForSingleObject(AllAccepted, Executive, KernelMode, false, CLIENTS_TIMEOUT);

      // One more accept stays queued: closing the listener cancels it.
      AcceptConnection(ListenSocket, null, null);

      for (const Socket of AcceptedSockets) {
        const Connection = Socket.Dispatch as WSK_PROVIDER_CONNECTION_DISPATCH;
        const Remote = sockaddr('0.0.0.0:0');
        const named = completed(
          k,
          await sync((Irp) => Connection.WskGetRemoteAddress(Socket, Remote, Irp)),
        );
        if (named.Status === STATUS_SUCCESS) accepted.push(sockaddrText(Remote));
        else failed('WskGetRemoteAddress', named.Status);
        await closeSocket(k, sync, Socket);
      }
    }

    const made = completed(
      k,
      await sync((Irp) =>
        Dispatch.WskSocket(
          Npi.Client!, AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET,
          null, null, null, null, null, Irp,
        ),
      ),
    );
    if (made.Status === STATUS_SUCCESS) {
      ListenSocket = made.Information as PWSK_SOCKET;
      await Serve(ListenSocket);
      await closeSocket(k, sync, ListenSocket);
    } else failed('WskSocket', made.Status);
    k.WskReleaseProviderNPI(Registration);
    await k.WskDeregister(Registration);
    handles.unloaded.add('server');
  };
}

/**
 * Builds the world with the given kernel options on every host (test/wsk/scenarios.test.ts runs
 * it with every call inline and every call pended).
 */
export function buildAcceptIrp(sim: Simulation, kernel: KernelOptions = {}): Handles {
  sim.addHost({ name: 'server', ipv4: SERVER });
  sim.addSwitch('lan');
  sim.addLink('server', 'lan', { latency: '2500us' });
  sim.tcp('server');
  sim.kernel('server', kernel);
  const handles: Handles = {
    calls: new Map(),
    connects: new Map(),
    accepted: [],
    failedAccepts: [],
    unloaded: new Set(),
    errors: [],
  };
  sim.load('server', serverDriver(sim, handles));
  addClients(sim, CLIENTS, SERVER, kernel, handles);
  return handles;
}

/** The scenario's checks, for the scenario and for the tests. */
export function checkAcceptIrp(
  sim: Simulation,
  { calls, connects, accepted, failedAccepts, unloaded, errors }: Handles,
): void {
  checkNoErrors(errors);
  const locals = checkConnected(CLIENTS, connects, ROUND_TRIP).map((c) => c.local);
  if (JSON.stringify(accepted) !== JSON.stringify(locals))
    throw new Error(`accepted ${JSON.stringify(accepted)}, clients ${JSON.stringify(locals)}`);
  if (JSON.stringify(failedAccepts) !== JSON.stringify(['STATUS_CANCELLED @105000000']))
    throw new Error(`failed accepts: ${JSON.stringify(failedAccepts)}`);
  checkOncePerIrp(calls);
  checkUnloaded(sim, ['server', ...CLIENTS.map((c) => c.host)], unloaded);
}

export default defineScenario({
  name: 'accept-irp',
  description:
    "The listening page's AcceptConnection / AcceptComplete sample accepts three " +
    'WskSocketConnect clients',
  seeds: [1, 2, 3],
  build: (sim) => buildAcceptIrp(sim),
  check: ({ sim }, handles) => checkAcceptIrp(sim, handles),
  limits: { time: '1m' },
});
