/**
 * A rare bug behind a streak of inline completions: a telemetry collector that bounds the
 * recursion of its receive loop loses the record in hand on the rarely taken deferral path.
 *
 * The driver accepts connections on port 7000 with WskAcceptEvent and reads fixed 32-byte records,
 * each carrying its sequence number, with one WskReceive (WSK_FLAG_WAITALL) at a time: the
 * receive's completion routine processes the record and posts the next receive with the same IRP.
 * When data is already buffered, WSK may complete that receive at once, and the completion routine
 * runs before WskReceive returns ("Using IRPs with Winsock Kernel Functions",
 * https://learn.microsoft.com/en-us/windows-hardware/drivers/network/using-irps-with-winsock-kernel-functions;
 * docs/model.md#inline-or-pending-completion), so a burst of records recurses on one kernel stack,
 * which is small and must not overflow ("Using the Kernel Stack",
 * https://learn.microsoft.com/en-us/windows-hardware/drivers/kernel/using-the-kernel-stack: limit
 * the number of recursive calls a driver can make). The driver therefore allows MAX_INLINE_DEPTH
 * nested re-posts and defers the next one to a work item, which re-posts from a fresh stack at
 * PASSIVE_LEVEL. Two clients connect at 0 and 40 ms and
 * each sends 24 records in one WskSend, then disconnects gracefully; a connection closes from the
 * work item at the FIN; the driver unloads at 1 s.
 *
 * The bug: the depth test sits at the top of the completion routine, before the record is
 * processed, so on the deferral path the record in the buffer is never processed, and the work
 * item's receive overwrites it. The driver's own sequence check counts it: the scenario's check
 * fails with "records lost".
 *
 * Plain seeds almost never see it: the deferral needs MAX_INLINE_DEPTH (16) inline completions in
 * a row, and each re-post of buffered data completes inline or pends by the choice 'IRP pends'
 * (pendingCompletions 0.5): about 2^-16 per chance, 23 chances per client. `wsksim fuzz
 * inline-receive-depth --strategy random --runs 1000` fails on no seed (3 seeds in 20,000, about
 * the 1.5 in 10,000 those odds give). Swarm finds it whenever it draws all-inline completions or
 * a low rate of pended ones (276 of its first 1,000 runs). Either, or by hand:
 *
 *   npx wsksim run inline-receive-depth --strategy swarm --seed 16
 *   npx wsksim run inline-receive-depth --set kernel.server.pendingCompletions=0
 *
 * The twin, inline-receive-depth-fixed, processes the record first and only then decides whether
 * to re-post here or from the work item.
 */
import {
  DelayedWorkQueue,
  IO_WORKITEM,
  IRP,
  MDL,
  NT_SUCCESS,
  NonPagedPool,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_REQUEST_NOT_ACCEPTED,
  STATUS_SUCCESS,
  STATUS_UNSUCCESSFUL,
  WSK_EVENT_ACCEPT,
  WSK_FLAG_WAITALL,
  defineScenario,
  type IO_COMPLETION_ROUTINE,
  type IO_WORKITEM_ROUTINE,
  type Kernel,
  type PWSK_SOCKET,
  type Simulation,
  type WSK_CLIENT_LISTEN_DISPATCH,
  type WSK_PROVIDER_CONNECTION_DISPATCH,
} from 'wsksim';
import {
  addServerAndSenders,
  checkClean,
  checkSent,
  closeSocket,
  listenUntilUnload,
  startServer,
  type SenderHandles,
  type SenderSpec,
} from './support/careful.ts';

const SERVER = '10.0.0.2';
const PORT = 7000;
const RECORD_LENGTH = 32;
const RECORDS_PER_CLIENT = 24;
/** Nested re-posts allowed on one stack before the next one is deferred to the work item. */
const MAX_INLINE_DEPTH = 16;
const CLIENTS: readonly SenderSpec[] = [
  { host: 'client1', ipv4: '10.0.0.11', at: 0, messages: [records(1)] },
  { host: 'client2', ipv4: '10.0.0.12', at: 40e6, messages: [records(2)] },
];
const UNLOAD_AT_MS = 1000;
const CONNECTION_TAG = 'Tlmy';

/** A client's batch: RECORDS_PER_CLIENT records, each its sequence number, the client's and 0s. */
function records(client: number): Uint8Array {
  const batch = new Uint8Array(RECORDS_PER_CLIENT * RECORD_LENGTH);
  for (let seq = 0; seq < RECORDS_PER_CLIENT; seq++) {
    batch[seq * RECORD_LENGTH] = seq;
    batch[seq * RECORD_LENGTH + 1] = client;
  }
  return batch;
}

export interface Handles extends SenderHandles {
  /** What the server counted over all connections: records processed and sequence gaps. */
  readonly server: { records: number; lost: number; deferred: number };
}

/** One connection, in pool memory. */
interface CONNECTION {
  Socket: PWSK_SOCKET;
  /** For every receive, then the close. */
  Irp: IRP;
  /** Starts the receive loop, re-posts past MAX_INLINE_DEPTH, and closes: one at a time. */
  WorkItem: IO_WORKITEM;
  Record: Uint8Array;
  Mdl: MDL;
  /** Re-posts nested on the current stack. */
  InlineDepth: number;
  /** The sequence number the next record should carry. */
  NextSeq: number;
}

function serverDriver(h: Handles, fixed: boolean) {
  return async (k: Kernel): Promise<void> => {
    const Server = await startServer(k);
    const { sync, Connections } = Server;

    // ---- the receive loop ----

    function PostReceive(Conn: CONNECTION): void {
      const Connection = Conn.Socket.Dispatch as WSK_PROVIDER_CONNECTION_DISPATCH;
      k.IoReuseIrp(Conn.Irp, STATUS_UNSUCCESSFUL);
      k.IoSetCompletionRoutine(Conn.Irp, ReceiveComplete, Conn, true, true, true);
      const Buffer = { Mdl: Conn.Mdl, Offset: 0, Length: RECORD_LENGTH };
      Connection.WskReceive(Conn.Socket, Buffer, WSK_FLAG_WAITALL, Conn.Irp);
    }

    const ReceiveComplete: IO_COMPLETION_ROUTINE = (DeviceObject, Irp, Context) => {
      void DeviceObject;
      const Conn = Context as CONNECTION;
      const { Status, Information } = Irp.IoStatus;
      if (!NT_SUCCESS(Status) || Information !== RECORD_LENGTH) {
        // The FIN (0 bytes), a partial record before it, or a failure: the connection is over.
        k.IoQueueWorkItem(Conn.WorkItem, CloseWorker, DelayedWorkQueue, Conn);
        return STATUS_MORE_PROCESSING_REQUIRED;
      }
      // The bug: the depth test comes before the record is processed, and the work item's
      // receive overwrites the record in the buffer. The twin processes it first.
      if (!fixed && TooDeep(Conn)) return STATUS_MORE_PROCESSING_REQUIRED;
      ProcessRecord(Conn);
      if (fixed && TooDeep(Conn)) return STATUS_MORE_PROCESSING_REQUIRED;
      Conn.InlineDepth++;
      PostReceive(Conn); // may complete inline: this routine runs again, one level deeper
      Conn.InlineDepth--;
      return STATUS_MORE_PROCESSING_REQUIRED;
    };

    /** Past MAX_INLINE_DEPTH nested re-posts: the work item re-posts from a fresh stack. */
    function TooDeep(Conn: CONNECTION): boolean {
      if (Conn.InlineDepth < MAX_INLINE_DEPTH) return false;
      h.server.deferred++;
      k.IoQueueWorkItem(Conn.WorkItem, RepostWorker, DelayedWorkQueue, Conn);
      return true;
    }

    function ProcessRecord(Conn: CONNECTION): void {
      const Seq = Conn.Record[0] as number;
      h.server.lost += Seq - Conn.NextSeq; // the telemetry's own gap count
      Conn.NextSeq = Seq + 1;
      h.server.records++;
    }

    const StartWorker: IO_WORKITEM_ROUTINE = (DeviceObject, Context) => {
      void DeviceObject;
      PostReceive(Context as CONNECTION);
    };
    const RepostWorker = StartWorker;

    async function CloseWorker(DeviceObject: unknown, Context: unknown): Promise<void> {
      void DeviceObject;
      const Conn = Context as CONNECTION;
      const { Socket, Irp, WorkItem, Mdl } = Conn;
      await closeSocket(k, sync, Socket, Irp);
      k.IoFreeMdl(Mdl);
      k.IoFreeWorkItem(WorkItem);
      k.ExFreePoolWithTag(Conn, CONNECTION_TAG);
      Connections.closed();
    }

    // ---- accepting connections ----

    const WskAcceptEvent: WSK_CLIENT_LISTEN_DISPATCH['WskAcceptEvent'] = (
      SocketContext, Flags, LocalAddress, RemoteAddress, AcceptSocket, AcceptSocketContext,
      AcceptSocketDispatch,
    ) => {
      void SocketContext, void Flags, void LocalAddress, void RemoteAddress;
      if (AcceptSocket === null) return STATUS_SUCCESS; // the listener died; the unload closes it
      const Conn = NewConnection(AcceptSocket);
      if (Conn === null) return STATUS_REQUEST_NOT_ACCEPTED; // WSK closes the socket
      Connections.opened();
      AcceptSocketContext.value = null; // no callbacks on the accepted socket
      AcceptSocketDispatch.value = null;
      // The receive loop starts at PASSIVE_LEVEL, once this callback has returned.
      k.IoQueueWorkItem(Conn.WorkItem, StartWorker, DelayedWorkQueue, Conn);
      return STATUS_SUCCESS;
    };

    /** The connection's context, IRP, work item and MDL, or null (nothing left allocated). */
    function NewConnection(Socket: PWSK_SOCKET): CONNECTION | null {
      const Conn = k.ExAllocatePoolWithTag<CONNECTION>(NonPagedPool, 96, CONNECTION_TAG);
      const Irp = Conn === null ? null : k.IoAllocateIrp(1, false);
      const WorkItem = Irp === null ? null : k.IoAllocateWorkItem(null);
      const Record = new Uint8Array(RECORD_LENGTH);
      const Mdl =
        WorkItem === null ? null : k.IoAllocateMdl(Record, RECORD_LENGTH, false, false, null);
      if (Conn === null || Irp === null || WorkItem === null || Mdl === null) {
        if (WorkItem !== null) k.IoFreeWorkItem(WorkItem);
        if (Irp !== null) k.IoFreeIrp(Irp);
        if (Conn !== null) k.ExFreePoolWithTag(Conn, CONNECTION_TAG);
        return null;
      }
      const Fresh = { InlineDepth: 0, NextSeq: 0 };
      return Object.assign(Conn, { Socket, Irp, WorkItem, Record, Mdl, ...Fresh });
    }

    const ListenDispatch: WSK_CLIENT_LISTEN_DISPATCH = {
      WskAcceptEvent,
      WskInspectEvent: null,
      WskAbortEvent: null,
    };

    // ---- DriverEntry's body, then the unload ----

    await listenUntilUnload(k, Server, ListenDispatch, WSK_EVENT_ACCEPT, PORT, UNLOAD_AT_MS);
    h.unloaded.add('server');
  };
}

/** Builds the world; `fixed` loads the twin's driver. */
export function buildInlineReceiveDepth(sim: Simulation, fixed: boolean): Handles {
  const h: Handles = {
    senders: new Map(),
    unloaded: new Set(),
    server: { records: 0, lost: 0, deferred: 0 },
  };
  addServerAndSenders(sim, SERVER, PORT, serverDriver(h, fixed), CLIENTS, h);
  return h;
}

/** Every record of every client was processed, none lost, and every host unloaded clean. */
export function checkInlineReceiveDepth(sim: Simulation, h: Handles): void {
  checkSent(CLIENTS, h.senders);
  const { records: processed, lost } = h.server;
  const sent = CLIENTS.length * RECORDS_PER_CLIENT;
  if (lost > 0 || processed !== sent)
    throw new Error(`${lost} records lost: ${processed} of ${sent} processed`);
  checkClean(sim, CLIENTS, h);
}

export default defineScenario({
  name: 'inline-receive-depth',
  description:
    'A telemetry collector defers its receive loop to a work item after 16 nested inline ' +
    "completions and loses the record in hand on that path (expected: 'records lost')",
  seeds: [1, 2, 3],
  expect: 'records lost',
  // A swarm run that fails so: wsksim run inline-receive-depth --strategy swarm --seed 16
  failingRuns: [{ strategy: 'swarm', seed: 16 }],
  build: (sim) => buildInlineReceiveDepth(sim, false),
  check: ({ sim }, h) => checkInlineReceiveDepth(sim, h),
  // The clients are the test's harness: a campaign varies the server's kernel only.
  fuzz: { hosts: ['server'] },
  limits: { time: '1m' },
});
