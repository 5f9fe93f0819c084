/**
 * The race this project exists for (docs/model.md#pitfalls-and-races, pitfall 1;
 * #inspect-pend-complete-abort; docs/tcp.md#abandonment-and-timing): an abort arriving while an
 * inspection is pended. A conditional-accept server pends every connection request, keeps a record
 * per request in pool memory, and decides later, from a work item queued by a timer's DPC, whose
 * delay is a choice point ('decision delay ms', 0 to 40 s).
 *
 * Four windows10 clients connect at 0, 50, 100 and 150 ms. A request decided within 21 s is
 * accepted (the client's SYN retransmissions were absorbed; the SYN-ACK goes when the work
 * item decides). One decided between 21 s and 30 s meets a client that gave up: the SYN-ACK
 * draws a RST and WskAbortEvent follows the work item. One left past the pend lifetime (30 s)
 * is aborted first: WskAbortEvent runs before the work item.
 *
 * The bug: this driver's WskAbortEvent frees the request's record, as "the app should forget
 * the inspection" invites, but the timer and the work item still hold it; the work item then
 * reads the freed record (POOL-USE-AFTER-FREE, caught at the access). It fails only on seeds
 * where some decision comes after the lifetime, so the scenario declares that failure
 * (`expect`, docs/design.md#scenarios-may-not-lower-a-rule) and its twin, inspect-abort-race-fixed,
 * never fails. Find it:
 *
 *   npx wsksim fuzz inspect-abort-race --runs 50
 *   npx wsksim run inspect-abort-race --seed 2 --trace
 */
import {
  DelayedWorkQueue,
  Executive,
  IO_NO_INCREMENT,
  IO_WORKITEM,
  IRP,
  InspectAccept,
  InspectPend,
  InspectReject,
  KDPC,
  KEVENT,
  KSPIN_LOCK,
  KTIMER,
  KernelMode,
  NonPagedPool,
  NotificationEvent,
  PASSIVE_LEVEL,
  STATUS_IO_TIMEOUT,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_SUCCESS,
  WSK_PROVIDER_NPI,
  WSK_REGISTRATION,
  defineScenario,
  statusName,
  type IO_COMPLETION_ROUTINE,
  type KIRQL,
  type Kernel,
  type NTSTATUS,
  type PWSK_INSPECT_ID,
  type PWSK_SOCKET,
  type SOCKADDR,
  type Simulation,
  type WSK_CLIENT_LISTEN_DISPATCH,
  type WSK_INSPECT_ACTION,
  type WSK_INSPECT_ID,
  type WSK_PROVIDER_LISTEN_DISPATCH,
} from 'wsksim';
import {
  QUIET_CONNECTION_DISPATCH,
  addClients,
  checkNoErrors,
  checkOncePerIrp,
  checkUnloaded,
  closeSocket,
  conditionalListener,
  register,
  syncCaller,
  type ClientHandles,
} from './support/driver.ts';

export const SERVER = '10.0.0.2';
export const CLIENTS = [
  { host: 'client1', ipv4: '10.0.0.11', at: 0 },
  { host: 'client2', ipv4: '10.0.0.12', at: 50e6 },
  { host: 'client3', ipv4: '10.0.0.13', at: 100e6 },
  { host: 'client4', ipv4: '10.0.0.14', at: 150e6 },
] as const;
/** The decision delay's range: past the pend lifetime (30 s) on about a quarter of requests. */
const MAX_DELAY_MS = 40_000;

export interface Handles extends ClientHandles {
  /** What became of each request on the server, in order: 'accepted' or 'aborted'. */
  readonly outcomes: string[];
}

/** The per-request record the driver keeps in pool memory. */
interface INSPECT_RECORD {
  Id: WSK_INSPECT_ID;
  Timer: KTIMER;
  Dpc: KDPC;
  WorkItem: IO_WORKITEM;
  /** Set by WskAbortEvent in the fixed driver; the work item frees the record. */
  Aborted: boolean;
}
type PINSPECT_RECORD = INSPECT_RECORD;

const RECORD_TAG = 'Insp';
/**
 * How long the server waits for every request to be decided, 60 s: past the longest decision
 * (MAX_DELAY_MS), so only a client that never came (its own allocation failed) makes it give up.
 */
const DECIDED_TIMEOUT = Object.freeze({ QuadPart: -600_000_000 });

function serverDriver(sim: Simulation, handles: Handles, fixed: boolean, recordSize: number) {
  return async (k: Kernel): Promise<void> => {
    const Registration = new WSK_REGISTRATION();
    const Npi = new WSK_PROVIDER_NPI();
    await register(k, Registration, Npi);
    const sync = syncCaller(k, handles.calls);
    const RecordLock = new KSPIN_LOCK();
    k.KeInitializeSpinLock(RecordLock);
    const Records: PINSPECT_RECORD[] = [];
    const Accepted: PWSK_SOCKET[] = [];
    const AllDecided = new KEVENT();
    k.KeInitializeEvent(AllDecided, NotificationEvent, false);
    let ListenSocket: PWSK_SOCKET | null = null;

    // Every request accepted or aborted, and every work item done: unload may go on.
    function NoteOutcome(Outcome: string | null): void {
      if (Outcome !== null) handles.outcomes.push(Outcome);
      if (handles.outcomes.length === CLIENTS.length && Records.length === 0)
        k.KeSetEvent(AllDecided, IO_NO_INCREMENT, false);
    }

    function SameId(A: WSK_INSPECT_ID, B: PWSK_INSPECT_ID): boolean {
      // Compare contents, never pointers (the listening page's WskAbortEvent comment).
      return A.Key === B.Key && A.SerialNumber === B.SerialNumber;
    }

    const InspectCompleted: IO_COMPLETION_ROUTINE = (DeviceObject, Irp, Context) => {
      void DeviceObject;
      void Context;
      handles.calls.set(Irp, (handles.calls.get(Irp) ?? 0) + 1);
      k.IoFreeIrp(Irp);
      return STATUS_MORE_PROCESSING_REQUIRED;
    };

    // The work item: decides the request (always accept, here) and frees its record.
    async function DecideWorkItem(DeviceObject: unknown, Context: unknown): Promise<void> {
      void DeviceObject;
      const Record = Context as PINSPECT_RECORD;
      const OldIrql: { value: KIRQL } = { value: PASSIVE_LEVEL };
      k.KeAcquireSpinLock(RecordLock, OldIrql);
      const Aborted = fixed ? Record.Aborted : false;
      const Index = Records.indexOf(Record);
      if (Index >= 0) Records.splice(Index, 1);
      k.KeReleaseSpinLock(RecordLock, OldIrql.value);
      if (!Aborted) {
        const Irp = k.IoAllocateIrp(1, false);
        if (Irp !== null && ListenSocket !== null) {
          k.IoSetCompletionRoutine(Irp, InspectCompleted, null, true, true, true);
          const Listen = ListenSocket.Dispatch as WSK_PROVIDER_LISTEN_DISPATCH;
          // Reads the record: freed already if WskAbortEvent came first (the bug).
          Listen.WskInspectComplete(ListenSocket, Record.Id, InspectAccept, Irp);
        }
      }
      k.IoFreeWorkItem(Record.WorkItem);
      k.ExFreePoolWithTag(Record, RECORD_TAG);
      NoteOutcome(null);
    }

    function DecisionDpc(Dpc: KDPC, DeferredContext: unknown): void {
      void Dpc;
      const Record = DeferredContext as PINSPECT_RECORD;
      k.IoQueueWorkItem(Record.WorkItem, DecideWorkItem, DelayedWorkQueue, Record);
    }

    function WskInspectEvent(
      SocketContext: unknown,
      LocalAddress: SOCKADDR,
      RemoteAddress: SOCKADDR,
      InspectID: PWSK_INSPECT_ID | null,
    ): WSK_INSPECT_ACTION {
      void SocketContext;
      void LocalAddress;
      void RemoteAddress;
      if (InspectID === null) return InspectReject; // the listening socket is dead
      const Record = k.ExAllocatePoolWithTag<INSPECT_RECORD>(NonPagedPool, recordSize, RECORD_TAG);
      if (Record === null) return InspectReject;
      const WorkItem = k.IoAllocateWorkItem(null);
      if (WorkItem === null) {
        k.ExFreePoolWithTag(Record, RECORD_TAG);
        return InspectReject;
      }
      Record.Id = { ...InspectID }; // a copy: the ID is valid during this call only
      Record.WorkItem = WorkItem;
      Record.Aborted = false;
      Record.Timer = new KTIMER();
      Record.Dpc = new KDPC();
      k.KeInitializeTimer(Record.Timer);
      k.KeInitializeDpc(Record.Dpc, DecisionDpc, Record);
      const OldIrql: { value: KIRQL } = { value: PASSIVE_LEVEL };
      k.KeAcquireSpinLock(RecordLock, OldIrql);
      Records.push(Record);
      k.KeReleaseSpinLock(RecordLock, OldIrql.value);
      const DelayMs = sim.choices.between('decision delay ms', 0, MAX_DELAY_MS);
      k.KeSetTimer(Record.Timer, { QuadPart: -DelayMs * 10_000 }, Record.Dpc);
      return InspectPend;
    }

    function WskAbortEvent(SocketContext: unknown, InspectID: PWSK_INSPECT_ID): NTSTATUS {
      void SocketContext;
      const OldIrql: { value: KIRQL } = { value: PASSIVE_LEVEL };
      k.KeAcquireSpinLock(RecordLock, OldIrql);
      const Record = Records.find((R) => SameId(R.Id, InspectID)) ?? null;
      if (Record !== null && fixed) {
        // The timer and the work item still hold the record: mark it, the work item frees it.
        Record.Aborted = true;
      } else if (Record !== null) {
        // Forget the inspection: off the list and freed. The work item still holds it.
        Records.splice(Records.indexOf(Record), 1);
        k.ExFreePoolWithTag(Record, RECORD_TAG);
      }
      k.KeReleaseSpinLock(RecordLock, OldIrql.value);
      NoteOutcome('aborted');
      return STATUS_SUCCESS;
    }

    const ListenDispatch: WSK_CLIENT_LISTEN_DISPATCH = {
      WskAcceptEvent: (_ctx, _flags, _local, _remote, AcceptSocket, Context, Dispatch) => {
        if (AcceptSocket === null) return STATUS_SUCCESS;
        Accepted.push(AcceptSocket);
        Context.value = null;
        Dispatch.value = QUIET_CONNECTION_DISPATCH;
        NoteOutcome('accepted');
        return STATUS_SUCCESS;
      },
      WskInspectEvent,
      WskAbortEvent,
    };

    // ---- DriverEntry's body: a conditional listening socket on port 80 ----
    const Socket = await conditionalListener(Npi, sync, k, ListenDispatch, handles.errors);
    ListenSocket = Socket;

    // ---- unload, once every request is decided ----
    if (Socket !== null) {
      await k.KeWaitForSingleObject(AllDecided, Executive, KernelMode, false, DECIDED_TIMEOUT);
      for (const Connection of Accepted) await closeSocket(k, sync, Connection);
      await closeSocket(k, sync, Socket);
    }
    k.WskReleaseProviderNPI(Registration);
    await k.WskDeregister(Registration);
    handles.unloaded.add('server');
  };
}

/** The record's pool size; the C twin's record is 96 bytes (scenarios/c/inspect-abort-race.c). */
export const RECORD_BYTES = 64;

/** What the check reads, empty: the drivers fill it in. */
export function newHandles(): Handles {
  return {
    calls: new Map<IRP, number>(),
    connects: new Map(),
    outcomes: [],
    unloaded: new Set(),
    errors: [],
  };
}

/**
 * The world: the server host, where `loadServer` loads its driver, and the four clients, each
 * 2.5 ms from one switch.
 */
export function inspectAbortRaceWorld(
  sim: Simulation,
  handles: Handles,
  loadServer: () => void,
): void {
  sim.addHost({ name: 'server', ipv4: SERVER });
  sim.addSwitch('lan');
  sim.addLink('server', 'lan', { latency: '2500us' });
  sim.tcp('server');
  sim.kernel('server', {});
  loadServer();
  addClients(sim, CLIENTS, SERVER, {}, handles);
}

/**
 * Builds the world; `fixed` loads the twin's driver. `recordSize` is the record's pool size
 * (the C twin's, to compare traces; 64 otherwise).
 */
export function buildInspectAbortRace(
  sim: Simulation,
  fixed: boolean,
  recordSize = RECORD_BYTES,
): Handles {
  const handles = newHandles();
  const server = serverDriver(sim, handles, fixed, recordSize);
  inspectAbortRaceWorld(sim, handles, () => void sim.load('server', server));
  return handles;
}

/** Each client connected (accepted) or timed out at 21 s (aborted), as the server saw it. */
export function checkInspectAbortRace(sim: Simulation, handles: Handles): void {
  checkNoErrors(handles.errors);
  const statuses = CLIENTS.map(({ host }) => handles.connects.get(host)?.status);
  const connected = statuses.filter((s) => s === STATUS_SUCCESS).length;
  const timedOut = statuses.filter((s) => s === STATUS_IO_TIMEOUT).length;
  if (connected + timedOut !== CLIENTS.length) {
    const names = statuses.map((s) => (s === undefined ? 'none' : statusName(s)));
    throw new Error(`client connects ${names.join(', ')}`);
  }
  const accepted = handles.outcomes.filter((o) => o === 'accepted').length;
  if (accepted !== connected || handles.outcomes.length !== CLIENTS.length)
    throw new Error(`server outcomes ${handles.outcomes.join(', ')}; ${connected} connected`);
  checkOncePerIrp(handles.calls);
  checkUnloaded(sim, ['server', ...CLIENTS.map((c) => c.host)], handles.unloaded);
}

export default defineScenario({
  name: 'inspect-abort-race',
  description:
    'A conditional-accept server pends every request and decides from a work item; its ' +
    'WskAbortEvent frees the record the work item still uses (expected: POOL-USE-AFTER-FREE)',
  seeds: [1, 2, 3, 4, 5, 6, 7, 8],
  expect: 'POOL-USE-AFTER-FREE',
  build: (sim) => buildInspectAbortRace(sim, false),
  check: ({ sim }, handles) => checkInspectAbortRace(sim, handles),
  limits: { time: '5m' },
});
