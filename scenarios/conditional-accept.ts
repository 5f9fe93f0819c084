/**
 * Conditional accept, the listening page's sample ("Listening for and accepting incoming
 * connections": WskInspectEvent and WskAbortEvent, with the PendingInspectID global) ported
 * with syntax changes only; docs/model.md#conditional-accept; docs/tcp.md#deferred-accept,
 * #scenario-expectations (S8, S10).
 *
 * The server sets SO_CONDITIONAL_ACCEPT on a listening socket before binding it to port 80
 * and enables WskAcceptEvent for what it accepts. Its WskInspectEvent fills the sample's three
 * `if (...)` with a rule by remote address: client1 is accepted, client2 rejected, client3
 * pended; the driver decides client3 250 ms after the inspection, with WskInspectComplete.
 * What the clients see (windows10, 10 ms round trip through the switch):
 * - client1 (connects at 0): SYN-ACK at once, connected at 10 ms.
 * - client2 (at 30 ms): RST,ACK to each SYN; it retries 0.5 s after its previous SYN, so the
 *   server inspects (and rejects) five requests from it, and its connect is refused at 2.04 s.
 * - client3 (at 60 ms): nothing until the decision at 315 ms; connected at 320 ms.
 * Every callback's result is in the trace ('wsk.callback' records). At 3 s the server closes
 * what it accepted and its listening socket, and deregisters.
 *
 *   npx wsksim run conditional-accept --trace
 */
import {
  Executive,
  IO_NO_INCREMENT,
  IRP,
  InspectAccept,
  InspectPend,
  InspectReject,
  KEVENT,
  KernelMode,
  NotificationEvent,
  STATUS_SUCCESS,
  WSK_INSPECT_ID,
  WSK_PROVIDER_NPI,
  WSK_REGISTRATION,
  WskInspectAccept,
  defineScenario,
  sockaddrText,
  statusName,
  type Kernel,
  type NTSTATUS,
  type PWSK_INSPECT_ID,
  type PWSK_SOCKET,
  type SOCKADDR,
  type SOCKADDR_IN,
  type Simulation,
  type WSK_CLIENT_LISTEN_DISPATCH,
  type WSK_INSPECT_ACTION,
  type WSK_PROVIDER_LISTEN_DISPATCH,
} from 'wsksim';
import {
  CLIENTS_TIMEOUT,
  QUIET_CONNECTION_DISPATCH,
  addClients,
  checkNoErrors,
  checkOncePerIrp,
  checkUnloaded,
  closeSocket,
  completed,
  conditionalListener,
  register,
  sleep,
  syncCaller,
  type ClientHandles,
} from './support/driver.ts';

const SERVER = '10.0.0.2';
const CLIENTS = [
  { host: 'client1', ipv4: '10.0.0.11', at: 0 },
  { host: 'client2', ipv4: '10.0.0.12', at: 30e6 },
  { host: 'client3', ipv4: '10.0.0.13', at: 60e6 },
] as const;
const ACCEPTED_PEER = '10.0.0.11';
const REJECTED_PEER = '10.0.0.12';
/** How long the server takes to decide a pended request. */
const DECISION_MS = 250;

export interface Handles extends ClientHandles {
  /** The server's view: '<ms> <remote address> <action>' per WskInspectEvent, in order. */
  readonly inspections: string[];
  /** '<ms> <what>' per WskAbortEvent, WskInspectComplete and WskAcceptEvent, in order. */
  readonly events: string[];
}

const ACTIONS = ['InspectReject', 'InspectAccept', 'InspectPend'];

function serverDriver(sim: Simulation, handles: Handles) {
  return async (k: Kernel): Promise<void> => {
    const Registration = new WSK_REGISTRATION();
    const Npi = new WSK_PROVIDER_NPI();
    await register(k, Registration, Npi);
    const sync = syncCaller(k, handles.calls);
    const Pended = new KEVENT();
    k.KeInitializeEvent(Pended, NotificationEvent, false);
    const Accepted: PWSK_SOCKET[] = [];
    const now = (): string => `${sim.now / 1e6}`;

    // ---- The sample, ported with syntax changes only ----

    // Inspect ID for a pending inspection
    let PendingInspectID: WSK_INSPECT_ID | null = null;

    // A listening socket's WskInspectEvent event callback function
    function WskInspectEvent(
      SocketContext: unknown,
      LocalAddress: SOCKADDR,
      RemoteAddress: SOCKADDR,
      InspectID: PWSK_INSPECT_ID | null,
    ): WSK_INSPECT_ACTION {
      void SocketContext;
      void LocalAddress;
      const Action = Inspect(RemoteAddress, InspectID);
      const Remote = (RemoteAddress as SOCKADDR_IN).sin_addr;
      handles.inspections.push(`${now()} ${Remote} ${ACTIONS[Action] ?? Action}`);
      return Action;
    }

    function Inspect(
      RemoteAddress: SOCKADDR,
      InspectID: PWSK_INSPECT_ID | null,
    ): WSK_INSPECT_ACTION {
      // Check for a valid inspect ID
      if (InspectID !== null) {
        // Inspect local and/or remote address of the incoming
        // connection request to determine if the connection should
        // be accepted or rejected.
        const Remote = (RemoteAddress as SOCKADDR_IN).sin_addr;

        // If the incoming connection should be accepted
        if (Remote === ACCEPTED_PEER) {
          // Return status indicating that the incoming
          // connection request was accepted
          return InspectAccept;
        }

        // If the incoming connection should be rejected
        else if (Remote === REJECTED_PEER) {
          // Return status indicating that the incoming
          // connection request was rejected
          return InspectReject;
        }

        // Cannot determine immediately
        else {
          // Save the inspect ID while the inspection is pending.
          // This will be passed to WskInspectComplete when the
          // inspection process is completed.
          PendingInspectID = { ...InspectID };
          k.KeSetEvent(Pended, IO_NO_INCREMENT, false);

          // Return status indicating that the result of the
          // inspection process for the incoming connection
          // request is pending
          return InspectPend;
        }
      }

      // Error with listening socket
      else {
        // Handle error: this scenario never invalidates the listening socket

        // Return status indicating that a socket was not accepted
        return InspectReject;
      }
    }

    // A listening socket's WskAbortEvent event callback function
    function WskAbortEvent(SocketContext: unknown, InspectID: PWSK_INSPECT_ID): NTSTATUS {
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
        PendingInspectID = null;
      }
      handles.events.push(`${now()} WskAbortEvent`);
      return STATUS_SUCCESS;
    }

    // ---- The rest of the driver: accepted sockets through WskAcceptEvent ----

    const ListenDispatch: WSK_CLIENT_LISTEN_DISPATCH = {
      WskAcceptEvent: (_ctx, _flags, _local, RemoteAddress, AcceptSocket, Context, Dispatch) => {
        if (AcceptSocket === null) return STATUS_SUCCESS;
        handles.events.push(`${now()} WskAcceptEvent ${sockaddrText(RemoteAddress)}`);
        Accepted.push(AcceptSocket);
        Context.value = null;
        Dispatch.value = QUIET_CONNECTION_DISPATCH;
        return STATUS_SUCCESS;
      },
      WskInspectEvent,
      WskAbortEvent,
    };

    async function Serve(ListenSocket: PWSK_SOCKET): Promise<void> {
      const Listen = ListenSocket.Dispatch as WSK_PROVIDER_LISTEN_DISPATCH;

      // The pended request: decided DECISION_MS later, with the saved ID's copy.
      await k.KeWaitForSingleObject(Pended, Executive, KernelMode, false, CLIENTS_TIMEOUT);
      await sleep(k, DECISION_MS);
      const Id = PendingInspectID as WSK_INSPECT_ID | null;
      if (Id !== null) {
        const { Status } = completed(
          k,
          await sync((Irp) => Listen.WskInspectComplete(ListenSocket, Id, WskInspectAccept, Irp)),
        );
        handles.events.push(`${now()} WskInspectComplete ${statusName(Status)}`);
        if (Status !== STATUS_SUCCESS)
          handles.errors.push(`server: WskInspectComplete: ${statusName(Status)}`);
        PendingInspectID = null;
      }

      // Unload at 3 s: what was accepted, then the listening socket.
      await sleep(k, 3000 - sim.now / 1e6);
      for (const Socket of Accepted) await closeSocket(k, sync, Socket);
    }

    const ListenSocket = await conditionalListener(Npi, sync, k, ListenDispatch, handles.errors);
    if (ListenSocket !== null) {
      await Serve(ListenSocket);
      await closeSocket(k, sync, ListenSocket);
    }
    k.WskReleaseProviderNPI(Registration);
    await k.WskDeregister(Registration);
    handles.unloaded.add('server');
  };
}

export function buildConditionalAccept(sim: Simulation): Handles {
  sim.addHost({ name: 'server', ipv4: SERVER });
  sim.addSwitch('lan');
  sim.addLink('server', 'lan', { latency: '2500us' });
  sim.tcp('server');
  sim.kernel('server', {});
  const handles: Handles = {
    calls: new Map<IRP, number>(),
    connects: new Map(),
    inspections: [],
    events: [],
    unloaded: new Set(),
    errors: [],
  };
  sim.load('server', serverDriver(sim, handles));
  addClients(sim, CLIENTS, SERVER, {}, handles);
  return handles;
}

/** Both views, client and server, with their virtual times. */
export function checkConditionalAccept(sim: Simulation, handles: Handles): void {
  checkNoErrors(handles.errors);
  const view = CLIENTS.map(({ host }) => {
    const connect = handles.connects.get(host);
    if (connect === undefined) return `${host} none`;
    return `${host} ${statusName(connect.status)} ${connect.at / 1e6}`;
  });
  const expected = [
    'client1 STATUS_SUCCESS 10',
    'client2 STATUS_CONNECTION_REFUSED 2040',
    `client3 STATUS_SUCCESS ${65 + DECISION_MS + 5}`,
  ];
  if (view.join() !== expected.join()) throw new Error(`clients: ${view.join('; ')}`);
  const inspected = [
    `5 ${ACCEPTED_PEER} InspectAccept`,
    `35 ${REJECTED_PEER} InspectReject`,
    `65 10.0.0.13 InspectPend`,
    ...[535, 1035, 1535, 2035].map((ms) => `${ms} ${REJECTED_PEER} InspectReject`),
  ].sort();
  const seen = [...handles.inspections].sort();
  if (seen.join() !== inspected.join())
    throw new Error(`inspections: ${handles.inspections.join('; ')}`);
  const decided = `${65 + DECISION_MS} WskInspectComplete STATUS_SUCCESS`;
  const events = handles.events.map((e) => e.replace(/:\d+$/, ''));
  const third = `${65 + DECISION_MS + 5 + 5} WskAcceptEvent 10.0.0.13`;
  const want = ['15 WskAcceptEvent 10.0.0.11', decided, third];
  if (events.join() !== want.join()) throw new Error(`server events: ${handles.events.join('; ')}`);
  checkOncePerIrp(handles.calls);
  checkUnloaded(sim, ['server', ...CLIENTS.map((c) => c.host)], handles.unloaded);
}

export default defineScenario({
  name: 'conditional-accept',
  description:
    "The listening page's WskInspectEvent/WskAbortEvent sample: one client accepted, one " +
    'rejected (RST to each of its five SYNs), one pended then accepted',
  seeds: [1, 2, 3],
  build: (sim) => buildConditionalAccept(sim),
  check: ({ sim }, handles) => checkConditionalAccept(sim, handles),
  limits: { time: '1m' },
});
