/**
 * A rare bug on an allocation-failure path: the accept loop of a discard server (RFC 863) leaks the
 * socket it has just accepted when the IRP for the next WskAccept cannot be allocated.
 *
 * The driver keeps one WskAccept queued on a listening socket on port 9, as the listening page's
 * sample does ("Listening for and Accepting Incoming Connections",
 * https://learn.microsoft.com/en-us/windows-hardware/drivers/network/listening-for-and-accepting-incoming-connections):
 * each completion posts the next accept with a new IRP, then hands the accepted socket to a
 * connection that reads and discards until the client's FIN or a failure, and closes from a work
 * item (off the completion's stack: a close while the WskReceive that completed inline has not
 * returned would be illegal, docs/model.md#pitfalls-and-races, pitfall 5). The connection takes
 * over the accept's IRP and reuses it for every request ("IoReuseIrp function (wdm.h)",
 * https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/wdm/nf-wdm-ioreuseirp), so it
 * can always close its socket, whatever allocation fails later. Three clients connect at 0, 30 and
 * 60 ms, send two messages each and disconnect gracefully; the driver unloads at 1 s.
 *
 * The bug: AcceptComplete posts the next accept first, so that the next client does not wait, and
 * when IoAllocateIrp returns NULL it bails out like every other error path of the routine. But the
 * accepted socket is the driver's as soon as the accept succeeds ("PFN_WSK_ACCEPT callback function
 * (wsk.h)", https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/wsk/nc-wsk-pfn_wsk_accept:
 * IoStatus.Information holds the accepted socket object), and nothing closes it: the verifier
 * reports WSK-SOCKET-LEAKED at the end (and WskDeregister, which waits for every socket, never
 * returns).
 *
 * Plain seeds never see it: no allocation fails unless a run asks (irpAllocationFailure is 0), so
 * `wsksim fuzz accept-loop-leak --strategy random --runs 1000` fails on no seed. Swarm finds it
 * when it draws an IRP failure rate and one of the three re-posts draws the failure (46 of its
 * first 1,000 runs); systematic when it fails the re-post's IoAllocateIrp, a site of its own (the
 * first accept's IRP is allocated in DriverEntry, at another line): its 5th run. Either, or by
 * hand:
 *
 *   npx wsksim run accept-loop-leak --strategy swarm --seed 94
 *   npx wsksim fuzz accept-loop-leak --strategy systematic
 *   npx wsksim run accept-loop-leak --set kernel.server.irpAllocationFailure=0.5 --seed 3
 *
 * The twin, accept-loop-leak-fixed, serves the accepted connection whatever the re-post did: a
 * NULL IRP only ends the accept loop (the unload closes the listener anyway).
 */
import {
  DelayedWorkQueue,
  IO_WORKITEM,
  IRP,
  MDL,
  NT_SUCCESS,
  NonPagedPool,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_SUCCESS,
  STATUS_UNSUCCESSFUL,
  defineScenario,
  type IO_COMPLETION_ROUTINE,
  type Kernel,
  type NTSTATUS,
  type PWSK_SOCKET,
  type Simulation,
  type WSK_PROVIDER_BASIC_DISPATCH,
  type WSK_PROVIDER_CONNECTION_DISPATCH,
  type WSK_PROVIDER_LISTEN_DISPATCH,
} from 'wsksim';
import { sleep } from './support/driver.ts';
import {
  addServerAndSenders,
  checkClean,
  checkSent,
  closeSocket,
  openListener,
  startServer,
  text,
  type SenderHandles,
  type SenderSpec,
} from './support/careful.ts';

export const SERVER = '10.0.0.2';
/** The discard service's port (RFC 863). */
export const PORT = 9;
export const CLIENTS: readonly SenderSpec[] = [
  { host: 'client1', ipv4: '10.0.0.11', at: 0, messages: [text(1, 300), text(2, 700)] },
  { host: 'client2', ipv4: '10.0.0.12', at: 30e6, messages: [text(3, 1200), text(4, 50)] },
  { host: 'client3', ipv4: '10.0.0.13', at: 60e6, messages: [text(5, 2000), text(6, 10)] },
];
const UNLOAD_AT_MS = 1000;
const RECEIVE_LENGTH = 1024;
const CONNECTION_TAG = 'Disc';

export interface Handles extends SenderHandles {
  /** What the server saw: connections served and bytes discarded. */
  readonly server: { connections: number; bytes: number };
}

/** One served connection, in pool memory. */
interface CONNECTION {
  Socket: PWSK_SOCKET;
  /** The accept's IRP, reused for each receive and for the close. */
  Irp: IRP;
  /** Closes the socket at PASSIVE_LEVEL, off the completion routine's stack. */
  WorkItem: IO_WORKITEM;
  Buffer: Uint8Array;
  Mdl: MDL;
}

function serverDriver(h: Handles, fixed: boolean) {
  return async (k: Kernel): Promise<void> => {
    const Server = await startServer(k);
    const { Registration, Npi, sync, Connections } = Server;

    // ---- the accept loop ----

    function AcceptConnection(Listener: PWSK_SOCKET, Irp: IRP): NTSTATUS {
      const Listen = Listener.Dispatch as WSK_PROVIDER_LISTEN_DISPATCH;
      k.IoSetCompletionRoutine(Irp, AcceptComplete, Listener, true, true, true);
      return Listen.WskAccept(Listener, 0, null, null, null, null, Irp);
    }

    const AcceptComplete: IO_COMPLETION_ROUTINE = (DeviceObject, Irp, Context) => {
      void DeviceObject;
      const Listener = Context as PWSK_SOCKET;
      if (Irp.IoStatus.Status !== STATUS_SUCCESS) {
        // The listener closed (STATUS_CANCELLED) or died: the loop ends.
        k.IoFreeIrp(Irp);
        return STATUS_MORE_PROCESSING_REQUIRED;
      }
      const AcceptSocket = Irp.IoStatus.Information as PWSK_SOCKET;
      // Keep the listener fed first, so that the next client does not wait behind this one.
      const NextIrp = k.IoAllocateIrp(1, false);
      if (NextIrp === null && !fixed) {
        // Out of IRPs: give up, as on any failure. The bug: AcceptSocket is the driver's
        // already, and nothing will ever close it.
        k.IoFreeIrp(Irp);
        return STATUS_MORE_PROCESSING_REQUIRED;
      }
      // The twin: no IRP only ends the accept loop; this connection is served all the same.
      if (NextIrp !== null) AcceptConnection(Listener, NextIrp);
      StartConnection(AcceptSocket, Irp);
      return STATUS_MORE_PROCESSING_REQUIRED;
    };

    // ---- one connection: receive and discard until the FIN, then close ----

    function StartConnection(Socket: PWSK_SOCKET, Irp: IRP): void {
      const Conn = k.ExAllocatePoolWithTag<CONNECTION>(NonPagedPool, 96, CONNECTION_TAG);
      const WorkItem = Conn === null ? null : k.IoAllocateWorkItem(null);
      const Buffer = new Uint8Array(RECEIVE_LENGTH);
      const Mdl =
        WorkItem === null ? null : k.IoAllocateMdl(Buffer, RECEIVE_LENGTH, false, false, null);
      if (Conn === null || WorkItem === null || Mdl === null) {
        if (WorkItem !== null) k.IoFreeWorkItem(WorkItem);
        if (Conn !== null) k.ExFreePoolWithTag(Conn, CONNECTION_TAG);
        return CloseUnwanted(Socket, Irp);
      }
      Object.assign(Conn, { Socket, Irp, WorkItem, Buffer, Mdl });
      Connections.opened();
      h.server.connections++;
      PostReceive(Conn);
    }

    function PostReceive(Conn: CONNECTION): void {
      const Connection = Conn.Socket.Dispatch as WSK_PROVIDER_CONNECTION_DISPATCH;
      k.IoReuseIrp(Conn.Irp, STATUS_UNSUCCESSFUL);
      k.IoSetCompletionRoutine(Conn.Irp, ReceiveComplete, Conn, true, true, true);
      const Buffer = { Mdl: Conn.Mdl, Offset: 0, Length: RECEIVE_LENGTH };
      Connection.WskReceive(Conn.Socket, Buffer, 0, Conn.Irp);
    }

    const ReceiveComplete: IO_COMPLETION_ROUTINE = (DeviceObject, Irp, Context) => {
      void DeviceObject;
      const Conn = Context as CONNECTION;
      const { Status, Information } = Irp.IoStatus;
      if (NT_SUCCESS(Status) && (Information as number) > 0) {
        h.server.bytes += Information as number;
        PostReceive(Conn);
      } else {
        // The FIN (0 bytes) or a failure: close from a work item.
        k.IoQueueWorkItem(Conn.WorkItem, CloseConnection, DelayedWorkQueue, Conn);
      }
      return STATUS_MORE_PROCESSING_REQUIRED;
    };

    async function CloseConnection(DeviceObject: unknown, Context: unknown): Promise<void> {
      void DeviceObject;
      const Conn = Context as CONNECTION;
      const { Socket, Irp, WorkItem, Mdl } = Conn;
      await closeSocket(k, sync, Socket, Irp);
      k.IoFreeMdl(Mdl);
      k.IoFreeWorkItem(WorkItem);
      k.ExFreePoolWithTag(Conn, CONNECTION_TAG);
      Connections.closed();
    }

    /** A connection that could not be set up: closed at once with the accept's IRP. */
    function CloseUnwanted(Socket: PWSK_SOCKET, Irp: IRP): void {
      const Basic = Socket.Dispatch as WSK_PROVIDER_BASIC_DISPATCH;
      k.IoReuseIrp(Irp, STATUS_UNSUCCESSFUL);
      k.IoSetCompletionRoutine(Irp, UnwantedClosed, null, true, true, true);
      Basic.WskCloseSocket(Socket, Irp);
    }

    const UnwantedClosed: IO_COMPLETION_ROUTINE = (DeviceObject, Irp, Context) => {
      void DeviceObject, void Context;
      void Irp.IoStatus.Status; // a close always succeeds; read, as every status should be
      k.IoFreeIrp(Irp);
      return STATUS_MORE_PROCESSING_REQUIRED;
    };

    /** The listener and its first WskAccept; null, nothing left allocated, when a step fails. */
    async function StartListening(): Promise<{ Socket: PWSK_SOCKET; CloseIrp: IRP } | null> {
      const CloseIrp = k.IoAllocateIrp(1, false);
      const FirstAcceptIrp = k.IoAllocateIrp(1, false);
      if (CloseIrp === null || FirstAcceptIrp === null) {
        if (CloseIrp !== null) k.IoFreeIrp(CloseIrp);
        if (FirstAcceptIrp !== null) k.IoFreeIrp(FirstAcceptIrp);
        return null;
      }
      const Socket = await openListener(k, Npi, sync, null, 0, PORT, CloseIrp);
      if (Socket === null) {
        k.IoFreeIrp(FirstAcceptIrp); // openListener freed CloseIrp
        return null;
      }
      AcceptConnection(Socket, FirstAcceptIrp);
      return { Socket, CloseIrp };
    }

    // ---- DriverEntry's body, then the unload ----

    const Listener = await StartListening();
    if (Listener !== null) {
      await sleep(k, UNLOAD_AT_MS);
      // The close completes the queued accept (STATUS_CANCELLED) before itself.
      await closeSocket(k, sync, Listener.Socket, Listener.CloseIrp);
      await Connections.drain();
    }
    k.WskReleaseProviderNPI(Registration);
    await k.WskDeregister(Registration);
    h.unloaded.add('server');
  };
}

/** What the check reads, empty: the drivers fill it in. */
export function newHandles(): Handles {
  return { senders: new Map(), unloaded: new Set(), server: { connections: 0, bytes: 0 } };
}

/** Builds the world; `fixed` loads the twin's driver. */
export function buildAcceptLoopLeak(sim: Simulation, fixed: boolean): Handles {
  const h = newHandles();
  addServerAndSenders(sim, SERVER, PORT, serverDriver(h, fixed), CLIENTS, h);
  return h;
}

/** Every client's bytes were discarded, one connection each, and every host unloaded clean. */
export function checkAcceptLoopLeak(sim: Simulation, h: Handles): void {
  checkSent(CLIENTS, h.senders);
  const bytes = CLIENTS.flatMap((c) => c.messages).reduce((n, m) => n + m.length, 0);
  const { connections, bytes: discarded } = h.server;
  if (connections !== CLIENTS.length || discarded !== bytes)
    throw new Error(`server served ${connections} connections, ${discarded} of ${bytes} bytes`);
  checkClean(sim, CLIENTS, h);
}

export default defineScenario({
  name: 'accept-loop-leak',
  description:
    "A discard server's accept loop bails out when the IRP for the next WskAccept cannot be " +
    'allocated and leaks the socket it has just accepted (expected: WSK-SOCKET-LEAKED)',
  seeds: [1, 2, 3],
  expect: 'WSK-SOCKET-LEAKED',
  // A swarm run that fails so: wsksim run accept-loop-leak --strategy swarm --seed 94
  failingRuns: [{ strategy: 'swarm', seed: 94 }],
  build: (sim) => buildAcceptLoopLeak(sim, false),
  check: ({ sim }, h) => checkAcceptLoopLeak(sim, h),
  // The clients are the test's harness: a campaign varies the server's kernel only.
  fuzz: { hosts: ['server'] },
  limits: { time: '1m' },
});
