/**
 * A rare bug behind a documented race: an upload server assumes that WskReceiveEvent is never
 * called while its WskReceive is queued, and reuses the receive's IRP when it is.
 *
 * The driver takes uploads on port 8000: each is a 2-byte big-endian length and that many bytes.
 * Its accepted sockets have WskReceiveEvent and WskDisconnectEvent (inherited from the listener,
 * docs/model.md#enabling-and-disabling-events). The receive callback copies what it is shown into
 * the upload's buffer; when the upload is not complete, the connection's work item posts one
 * WskReceive (WSK_FLAG_WAITALL) for the rest, straight into the buffer, with the connection's one
 * receive IRP, and its completion finishes the upload. The work item also closes the connection
 * when the client's FIN, a reset or a failed receive ends it. Two clients connect at 0 and 40 ms
 * and stream two uploads of 3000 bytes each in three WskSends, each sent once the previous one
 * completed; the driver unloads at 1 s.
 *
 * The bug: the callback takes every indication as the start of new data, trusting that a queued
 * receive gets the data first. That is the rule, but not a promise: Microsoft's WskReceiveEvent
 * page ("PFN_WSK_RECEIVE_EVENT callback function (wsk.h)",
 * https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/wsk/nc-wsk-pfn_wsk_receive_event;
 * docs/policies.md#data-path-policies) allows the callback to be called with data while a
 * WskReceive is pending. Then the callback counts the bytes as the upload's next ones, finds it
 * still incomplete and queues the work item, which reuses the IRP the pending WskReceive still
 * holds: IRP-REUSED-WHILE-PENDING.
 *
 * Plain seeds never see it: the model lets a queued receive win unless a run sets
 * receiveCallbackRace (0 by default), so `wsksim fuzz receive-callback-race --strategy random
 * --runs 1000` fails on no seed. Swarm finds it when it draws a race rate (466 of its first 1,000
 * runs): each upload gives the race two chances (the second and third WskSend's data arrive while
 * the receive waits). Either, or by hand:
 *
 *   npx wsksim run receive-callback-race --strategy swarm --seed 16
 *   npx wsksim run receive-callback-race --set kernel.server.receiveCallbackRace=1
 *
 * The twin, receive-callback-race-fixed, answers an indication that comes while its receive is
 * queued with STATUS_DATA_NOT_ACCEPTED: the data stays with the transport, the queued WskReceive
 * takes it, and indications resume once that receive has completed (same page, return values).
 */
import {
  DelayedWorkQueue,
  IO_WORKITEM,
  IRP,
  MDL,
  NT_SUCCESS,
  NonPagedPool,
  STATUS_DATA_NOT_ACCEPTED,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_REQUEST_NOT_ACCEPTED,
  STATUS_SUCCESS,
  STATUS_UNSUCCESSFUL,
  WSK_EVENT_ACCEPT,
  WSK_EVENT_DISCONNECT,
  WSK_EVENT_RECEIVE,
  WSK_FLAG_WAITALL,
  defineScenario,
  type IO_COMPLETION_ROUTINE,
  type Kernel,
  type NTSTATUS,
  type PWSK_SOCKET,
  type Simulation,
  type WSK_CLIENT_CONNECTION_DISPATCH,
  type WSK_CLIENT_LISTEN_DISPATCH,
  type WSK_DATA_INDICATION,
  type WSK_PROVIDER_CONNECTION_DISPATCH,
} from 'wsksim';
import {
  addServerAndSenders,
  checkClean,
  checkSent,
  closeSocket,
  listenUntilUnload,
  startServer,
  text,
  type SenderHandles,
  type SenderSpec,
} from './support/careful.ts';

export const SERVER = '10.0.0.2';
export const PORT = 8000;
const UPLOAD_LENGTH = 3000;
/** The largest upload the 2-byte length allows: the size of each connection's buffer. */
const MAX_UPLOAD = 0xffff;
export const CLIENTS: readonly SenderSpec[] = [
  { host: 'client1', ipv4: '10.0.0.11', at: 0, messages: [...upload(1), ...upload(2)] },
  { host: 'client2', ipv4: '10.0.0.12', at: 40e6, messages: [...upload(3), ...upload(4)] },
];
const UNLOAD_AT_MS = 1000;
const CONNECTION_TAG = 'Upld';

/** An upload as a client streams it: the length and a first third, then the other two thirds. */
function upload(seed: number): Uint8Array[] {
  const body = text(seed, UPLOAD_LENGTH);
  const third = UPLOAD_LENGTH / 3;
  const first = new Uint8Array(2 + third);
  first.set([UPLOAD_LENGTH >> 8, UPLOAD_LENGTH & 0xff]);
  first.set(body.subarray(0, third), 2);
  return [first, body.slice(third, 2 * third), body.slice(2 * third)];
}

/** An upload's fingerprint: its length and a checksum of its bytes. */
export function fingerprint(body: Uint8Array): string {
  let sum = 0;
  for (const byte of body) sum = (sum * 31 + byte) >>> 0;
  return `${body.length}:${sum.toString(16)}`;
}

export interface Handles extends SenderHandles {
  /** Each upload the server completed, as its fingerprint. */
  readonly uploads: string[];
}

/** One connection, in pool memory. */
interface CONNECTION {
  Socket: PWSK_SOCKET;
  /** The one receive IRP, for the rest of an upload's bytes. */
  Irp: IRP;
  CloseIrp: IRP;
  /** Posts the receive, or closes: at PASSIVE_LEVEL, queued at most once at a time. */
  WorkItem: IO_WORKITEM;
  WorkQueued: boolean;
  /** The upload being received: its length's bytes, its length, its buffer and what it holds. */
  Header: Uint8Array;
  HeaderHave: number;
  Expected: number;
  Body: Uint8Array;
  BodyMdl: MDL;
  Have: number;
  /** A WskReceive for the rest of the upload is queued. */
  ReceivePosted: boolean;
  Closing: boolean;
}

function serverDriver(h: Handles, fixed: boolean) {
  return async (k: Kernel): Promise<void> => {
    const Server = await startServer(k);
    const { sync, Connections } = Server;

    // ---- the receive side: the callback, then a WskReceive for the rest ----

    const WskReceiveEvent = (
      SocketContext: unknown,
      Flags: number,
      DataIndication: WSK_DATA_INDICATION | null,
      BytesIndicated: number,
      BytesAccepted: { value: number },
    ): NTSTATUS => {
      void Flags, void BytesIndicated, void BytesAccepted;
      const Conn = SocketContext as CONNECTION;
      if (DataIndication === null) return StartClose(Conn); // the socket is dead
      if (Conn.Closing) return STATUS_SUCCESS; // discarded
      if (fixed && Conn.ReceivePosted) {
        // Called although our WskReceive is queued (the race the page allows): the data stays
        // with the transport, and the queued receive takes it next.
        return STATUS_DATA_NOT_ACCEPTED;
      }
      // The bug's assumption: no receive is queued, so this data starts where we left off.
      for (let Entry: WSK_DATA_INDICATION | null = DataIndication; Entry; Entry = Entry.Next) {
        const { Mdl, Offset, Length } = Entry.Buffer;
        const Bytes = k.MmGetSystemAddressForMdlSafe(Mdl as MDL, 0) as Uint8Array;
        Consume(Conn, Bytes.subarray(Offset, Offset + Length));
      }
      if (UploadUnfinished(Conn)) QueueWork(Conn); // the rest comes through a WskReceive
      return STATUS_SUCCESS; // every byte consumed
    };

    /** Copies indicated bytes into the upload: its length first, then its body. */
    function Consume(Conn: CONNECTION, Bytes: Uint8Array): void {
      let Offset = 0;
      while (Offset < Bytes.length) {
        if (Conn.HeaderHave < 2) {
          Conn.Header[Conn.HeaderHave++] = Bytes[Offset++] as number;
          if (Conn.HeaderHave === 2) Conn.Expected = UploadLength(Conn.Header);
          continue;
        }
        const Take = Math.min(Conn.Expected - Conn.Have, Bytes.length - Offset);
        Conn.Body.set(Bytes.subarray(Offset, Offset + Take), Conn.Have);
        Conn.Have += Take;
        Offset += Take;
        if (Conn.Have === Conn.Expected) UploadDone(Conn);
      }
    }

    function UploadLength(Header: Uint8Array): number {
      return (Header[0] as number) * 256 + (Header[1] as number);
    }

    function UploadUnfinished(Conn: CONNECTION): boolean {
      return Conn.HeaderHave === 2 && Conn.Have < Conn.Expected;
    }

    function UploadDone(Conn: CONNECTION): void {
      h.uploads.push(fingerprint(Conn.Body.subarray(0, Conn.Expected)));
      Conn.HeaderHave = 0;
      Conn.Expected = 0;
      Conn.Have = 0;
    }

    function PostReceive(Conn: CONNECTION): void {
      const Connection = Conn.Socket.Dispatch as WSK_PROVIDER_CONNECTION_DISPATCH;
      k.IoReuseIrp(Conn.Irp, STATUS_UNSUCCESSFUL);
      k.IoSetCompletionRoutine(Conn.Irp, ReceiveComplete, Conn, true, true, true);
      Conn.ReceivePosted = true;
      const Buffer = { Mdl: Conn.BodyMdl, Offset: Conn.Have, Length: Conn.Expected - Conn.Have };
      Connection.WskReceive(Conn.Socket, Buffer, WSK_FLAG_WAITALL, Conn.Irp);
    }

    const ReceiveComplete: IO_COMPLETION_ROUTINE = (DeviceObject, Irp, Context) => {
      void DeviceObject;
      const Conn = Context as CONNECTION;
      Conn.ReceivePosted = false;
      const { Status, Information } = Irp.IoStatus;
      if (!NT_SUCCESS(Status) || Information !== Conn.Expected - Conn.Have) {
        StartClose(Conn); // the FIN before the upload's end, a reset, or the close cancelled it
      } else {
        Conn.Have += Information as number;
        UploadDone(Conn);
      }
      return STATUS_MORE_PROCESSING_REQUIRED;
    };

    // ---- the work item: the receive for the rest of an upload, or the close ----

    function QueueWork(Conn: CONNECTION): void {
      if (Conn.WorkQueued) return;
      Conn.WorkQueued = true;
      k.IoQueueWorkItem(Conn.WorkItem, ConnectionWorker, DelayedWorkQueue, Conn);
    }

    async function ConnectionWorker(DeviceObject: unknown, Context: unknown): Promise<void> {
      void DeviceObject;
      const Conn = Context as CONNECTION;
      Conn.WorkQueued = false;
      if (Conn.Closing) return CloseConnection(Conn);
      if (UploadUnfinished(Conn)) PostReceive(Conn);
    }

    /** Once, from any path that ends the connection (the FIN, a reset, a NULL indication). */
    function StartClose(Conn: CONNECTION): NTSTATUS {
      if (!Conn.Closing) {
        Conn.Closing = true;
        QueueWork(Conn);
      }
      return STATUS_SUCCESS;
    }

    async function CloseConnection(Conn: CONNECTION): Promise<void> {
      const { Socket, Irp, CloseIrp, WorkItem, BodyMdl } = Conn;
      await closeSocket(k, sync, Socket, CloseIrp); // completes a queued receive first
      k.IoFreeIrp(Irp);
      k.IoFreeMdl(BodyMdl);
      k.IoFreeWorkItem(WorkItem);
      k.ExFreePoolWithTag(Conn, CONNECTION_TAG);
      Connections.closed();
    }

    const ConnectionDispatch: WSK_CLIENT_CONNECTION_DISPATCH = {
      WskReceiveEvent,
      WskDisconnectEvent: (SocketContext) => StartClose(SocketContext as CONNECTION),
      WskSendBacklogEvent: null,
    };

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
      AcceptSocketContext.value = Conn;
      AcceptSocketDispatch.value = ConnectionDispatch;
      return STATUS_SUCCESS;
    };

    /** The connection's context, IRPs, work item and buffer's MDL, or null (nothing left). */
    function NewConnection(Socket: PWSK_SOCKET): CONNECTION | null {
      const Conn = k.ExAllocatePoolWithTag<CONNECTION>(NonPagedPool, 128, CONNECTION_TAG);
      const Irp = Conn === null ? null : k.IoAllocateIrp(1, false);
      const CloseIrp = Irp === null ? null : k.IoAllocateIrp(1, false);
      const WorkItem = CloseIrp === null ? null : k.IoAllocateWorkItem(null);
      const Body = new Uint8Array(MAX_UPLOAD);
      const BodyMdl =
        WorkItem === null ? null : k.IoAllocateMdl(Body, MAX_UPLOAD, false, false, null);
      if (Conn === null || Irp === null || CloseIrp === null || !WorkItem || !BodyMdl) {
        if (WorkItem !== null) k.IoFreeWorkItem(WorkItem);
        if (CloseIrp !== null) k.IoFreeIrp(CloseIrp);
        if (Irp !== null) k.IoFreeIrp(Irp);
        if (Conn !== null) k.ExFreePoolWithTag(Conn, CONNECTION_TAG);
        return null;
      }
      return Object.assign(Conn, {
        Socket, Irp, CloseIrp, WorkItem, WorkQueued: false, Header: new Uint8Array(2),
        HeaderHave: 0, Expected: 0, Body, BodyMdl, Have: 0, ReceivePosted: false, Closing: false,
      });
    }

    const ListenDispatch: WSK_CLIENT_LISTEN_DISPATCH = {
      WskAcceptEvent,
      WskInspectEvent: null,
      WskAbortEvent: null,
    };

    // ---- DriverEntry's body, then the unload ----

    const Events = WSK_EVENT_ACCEPT | WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT;
    await listenUntilUnload(k, Server, ListenDispatch, Events, PORT, UNLOAD_AT_MS);
    h.unloaded.add('server');
  };
}

/** Handles with nothing recorded yet. */
export function newHandles(): Handles {
  return { senders: new Map(), unloaded: new Set(), uploads: [] };
}

/** Builds the world; `fixed` loads the twin's driver. */
export function buildReceiveCallbackRace(sim: Simulation, fixed: boolean): Handles {
  const h = newHandles();
  addServerAndSenders(sim, SERVER, PORT, serverDriver(h, fixed), CLIENTS, h);
  return h;
}

/** Every upload arrived whole, and every host unloaded clean. */
export function checkReceiveCallbackRace(sim: Simulation, h: Handles): void {
  checkSent(CLIENTS, h.senders);
  const expected = [1, 2, 3, 4].map((seed) => fingerprint(text(seed, UPLOAD_LENGTH))).sort();
  const got = [...h.uploads].sort();
  if (JSON.stringify(got) !== JSON.stringify(expected))
    throw new Error(`uploads ${got.join(', ')}; expected ${expected.join(', ')}`);
  checkClean(sim, CLIENTS, h);
}

export default defineScenario({
  name: 'receive-callback-race',
  description:
    'An upload server takes every receive indication as new data, although WSK may indicate ' +
    'while its WskReceive is queued, and reuses that IRP (expected: IRP-REUSED-WHILE-PENDING)',
  seeds: [1, 2, 3],
  expect: 'IRP-REUSED-WHILE-PENDING',
  // A swarm run that fails so: wsksim run receive-callback-race --strategy swarm --seed 16
  failingRuns: [{ strategy: 'swarm', seed: 16 }],
  build: (sim) => buildReceiveCallbackRace(sim, false),
  check: ({ sim }, h) => checkReceiveCallbackRace(sim, h),
  // The clients are the test's harness: a campaign varies the server's kernel only.
  fuzz: { hosts: ['server'] },
  limits: { time: '1m' },
});
