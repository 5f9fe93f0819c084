/**
 * A rare bug of IRQL: a log collector's WskReceiveEvent takes its spin lock with
 * KeAcquireSpinLockAtDpcLevel, which is right only when the callback runs at DISPATCH_LEVEL.
 *
 * The driver collects text lines from clients on port 601 (syslog over TCP): its listening socket
 * has WskAcceptEvent, and WskReceiveEvent and WskDisconnectEvent enabled for the sockets it accepts
 * (connection events enabled on a listener are inherited,
 * docs/model.md#enabling-and-disabling-events).
 * Every connection appends what it receives to one log, counted in bytes and lines under one spin
 * lock; a client's FIN (or reset) closes its connection with a close IRP allocated at accept time.
 * Three clients connect at 0, 30 and 60 ms, send a few lines each and disconnect gracefully; the
 * driver unloads at 1 s.
 *
 * The bug: WskReceiveEvent was written for DISPATCH_LEVEL, where the model runs callbacks by
 * default and where the developer saw them run, so it takes the log's lock with
 * KeAcquireSpinLockAtDpcLevel. But WSK promises only IRQL <= DISPATCH_LEVEL ("PFN_WSK_RECEIVE_EVENT
 * callback function (wsk.h)",
 * https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/wsk/nc-wsk-pfn_wsk_receive_event:
 * WSK_FLAG_AT_DISPATCH_LEVEL is set only when the call is at DISPATCH_LEVEL for certain), and
 * KeAcquireSpinLockAtDpcLevel requires DISPATCH_LEVEL ("KeAcquireSpinLockAtDpcLevel function
 * (wdm.h)", https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/wdm/nf-wdm-keacquirespinlockatdpclevel):
 * at PASSIVE_LEVEL it leaves the thread preemptible while it holds the lock. The verifier stops the
 * first callback that runs at PASSIVE_LEVEL: IRQL-NOT-DISPATCH.
 *
 * Plain seeds never see it: callbacks run at PASSIVE_LEVEL only when a run sets passiveCallbacks
 * (0 by default), so `wsksim fuzz receive-event-dpc-lock --strategy random --runs 1000` fails on
 * no seed. Swarm finds it in any run that draws a passiveCallbacks rate above 0 (one receive
 * indication at PASSIVE_LEVEL is enough: 626 of its first 1,000 runs). Either, or by hand:
 *
 *   npx wsksim run receive-event-dpc-lock --strategy swarm --seed 55
 *   npx wsksim run receive-event-dpc-lock --set kernel.server.passiveCallbacks=1
 *
 * The twin, receive-event-dpc-lock-fixed, takes the lock with KeAcquireSpinLock, which raises to
 * DISPATCH_LEVEL from wherever it is called and restores the IRQL at KeReleaseSpinLock (a driver
 * that wants the cheaper call may use it when Flags has WSK_FLAG_AT_DISPATCH_LEVEL).
 */
import {
  IRP,
  KSPIN_LOCK,
  MDL,
  NonPagedPool,
  PASSIVE_LEVEL,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_REQUEST_NOT_ACCEPTED,
  STATUS_SUCCESS,
  WSK_EVENT_ACCEPT,
  WSK_EVENT_DISCONNECT,
  WSK_EVENT_RECEIVE,
  defineScenario,
  type IO_COMPLETION_ROUTINE,
  type KIRQL,
  type Kernel,
  type NTSTATUS,
  type PWSK_SOCKET,
  type Simulation,
  type WSK_CLIENT_CONNECTION_DISPATCH,
  type WSK_CLIENT_LISTEN_DISPATCH,
  type WSK_DATA_INDICATION,
  type WSK_PROVIDER_BASIC_DISPATCH,
} from 'wsksim';
import {
  addServerAndSenders,
  checkClean,
  checkSent,
  listenUntilUnload,
  startServer,
  text,
  type SenderHandles,
  type SenderSpec,
} from './support/careful.ts';

export const SERVER = '10.0.0.2';
/** Syslog over TCP (RFC 6587). */
export const PORT = 601;
export const CLIENTS: readonly SenderSpec[] = [
  { host: 'client1', ipv4: '10.0.0.11', at: 0, messages: [line(1, 80), line(2, 120), line(3, 40)] },
  { host: 'client2', ipv4: '10.0.0.12', at: 30e6, messages: [line(4, 200), line(5, 60)] },
  { host: 'client3', ipv4: '10.0.0.13', at: 60e6, messages: [line(6, 1500), line(7, 30)] },
];
const UNLOAD_AT_MS = 1000;
const CONNECTION_TAG = 'SysL';

/** `length` bytes of text ending in a newline. */
function line(seed: number, length: number): Uint8Array {
  const bytes = text(seed, length);
  bytes[length - 1] = 0x0a;
  return bytes;
}

export interface Handles extends SenderHandles {
  /** The collected log, as the server counted it, and the connections it accepted. */
  readonly log: { bytes: number; lines: number; connections: number };
}

/** One accepted connection, in pool memory. */
interface CONNECTION {
  Socket: PWSK_SOCKET;
  /** Allocated at accept time, so the close cannot fail for want of an IRP. */
  CloseIrp: IRP;
  Closing: boolean;
}

function serverDriver(h: Handles, fixed: boolean) {
  return async (k: Kernel): Promise<void> => {
    const Server = await startServer(k);
    const { Connections } = Server;
    const LogLock = new KSPIN_LOCK();
    k.KeInitializeSpinLock(LogLock);

    // ---- the log, shared by every connection ----

    function AppendToLog(DataIndication: WSK_DATA_INDICATION | null): void {
      for (let Entry = DataIndication; Entry !== null; Entry = Entry.Next) {
        const { Mdl, Offset, Length } = Entry.Buffer;
        const Bytes = k.MmGetSystemAddressForMdlSafe(Mdl as MDL, 0) as Uint8Array;
        h.log.bytes += Length;
        for (const Byte of Bytes.subarray(Offset, Offset + Length)) {
          if (Byte === 0x0a) h.log.lines++;
        }
      }
    }

    const WskReceiveEvent = (
      SocketContext: unknown,
      Flags: number,
      DataIndication: WSK_DATA_INDICATION | null,
      BytesIndicated: number,
      BytesAccepted: { value: number },
    ): NTSTATUS => {
      void Flags, void BytesIndicated, void BytesAccepted;
      const Conn = SocketContext as CONNECTION;
      if (DataIndication === null) return CloseConnection(Conn); // the socket is dead
      if (fixed) {
        // Any IRQL up to DISPATCH_LEVEL: KeAcquireSpinLock raises to DISPATCH_LEVEL and back.
        const OldIrql: { value: KIRQL } = { value: PASSIVE_LEVEL };
        k.KeAcquireSpinLock(LogLock, OldIrql);
        AppendToLog(DataIndication);
        k.KeReleaseSpinLock(LogLock, OldIrql.value);
      } else {
        // The bug: "callbacks run at DISPATCH_LEVEL", so the cheaper call. Not at PASSIVE_LEVEL.
        k.KeAcquireSpinLockAtDpcLevel(LogLock);
        AppendToLog(DataIndication);
        k.KeReleaseSpinLockFromDpcLevel(LogLock);
      }
      return STATUS_SUCCESS; // every byte consumed
    };

    const WskDisconnectEvent = (SocketContext: unknown, Flags: number): NTSTATUS => {
      void Flags; // graceful (the FIN) or abortive: the connection is done either way
      return CloseConnection(SocketContext as CONNECTION);
    };

    const ConnectionDispatch: WSK_CLIENT_CONNECTION_DISPATCH = {
      WskReceiveEvent,
      WskDisconnectEvent,
      WskSendBacklogEvent: null,
    };

    // ---- accepting and closing connections ----

    const WskAcceptEvent: WSK_CLIENT_LISTEN_DISPATCH['WskAcceptEvent'] = (
      SocketContext, Flags, LocalAddress, RemoteAddress, AcceptSocket, AcceptSocketContext,
      AcceptSocketDispatch,
    ) => {
      void SocketContext, void Flags, void LocalAddress, void RemoteAddress;
      if (AcceptSocket === null) return STATUS_SUCCESS; // the listener died; the unload closes it
      const Conn = k.ExAllocatePoolWithTag<CONNECTION>(NonPagedPool, 32, CONNECTION_TAG);
      const CloseIrp = Conn === null ? null : k.IoAllocateIrp(1, false);
      if (Conn === null || CloseIrp === null) {
        if (Conn !== null) k.ExFreePoolWithTag(Conn, CONNECTION_TAG);
        return STATUS_REQUEST_NOT_ACCEPTED; // WSK closes the socket
      }
      Object.assign(Conn, { Socket: AcceptSocket, CloseIrp, Closing: false });
      Connections.opened();
      h.log.connections++;
      AcceptSocketContext.value = Conn;
      AcceptSocketDispatch.value = ConnectionDispatch;
      return STATUS_SUCCESS;
    };

    /** Closes once (the FIN, a reset and a NULL indication may all come). */
    function CloseConnection(Conn: CONNECTION): NTSTATUS {
      if (Conn.Closing) return STATUS_SUCCESS;
      Conn.Closing = true;
      const Basic = Conn.Socket.Dispatch as WSK_PROVIDER_BASIC_DISPATCH;
      k.IoSetCompletionRoutine(Conn.CloseIrp, CloseComplete, Conn, true, true, true);
      Basic.WskCloseSocket(Conn.Socket, Conn.CloseIrp);
      return STATUS_SUCCESS;
    }

    const CloseComplete: IO_COMPLETION_ROUTINE = (DeviceObject, Irp, Context) => {
      void DeviceObject;
      void Irp.IoStatus.Status; // a close always succeeds; read, as every status should be
      k.IoFreeIrp(Irp);
      k.ExFreePoolWithTag(Context as CONNECTION, CONNECTION_TAG);
      Connections.closed();
      return STATUS_MORE_PROCESSING_REQUIRED;
    };

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
  return { senders: new Map(), unloaded: new Set(), log: { bytes: 0, lines: 0, connections: 0 } };
}

/** Builds the world; `fixed` loads the twin's driver. */
export function buildReceiveEventDpcLock(sim: Simulation, fixed: boolean): Handles {
  const h = newHandles();
  addServerAndSenders(sim, SERVER, PORT, serverDriver(h, fixed), CLIENTS, h);
  return h;
}

/** Every line every client sent is in the log, and every host unloaded clean. */
export function checkReceiveEventDpcLock(sim: Simulation, h: Handles): void {
  checkSent(CLIENTS, h.senders);
  const messages = CLIENTS.flatMap((c) => c.messages);
  const bytes = messages.reduce((n, m) => n + m.length, 0);
  const { log } = h;
  if (log.connections !== CLIENTS.length || log.bytes !== bytes || log.lines !== messages.length) {
    throw new Error(
      `log: ${log.lines} lines, ${log.bytes} bytes from ${log.connections} connections; ` +
        `sent ${messages.length} lines, ${bytes} bytes`,
    );
  }
  checkClean(sim, CLIENTS, h);
}

export default defineScenario({
  name: 'receive-event-dpc-lock',
  description:
    "A log collector's WskReceiveEvent takes its lock with KeAcquireSpinLockAtDpcLevel, wrong " +
    'when the callback runs at PASSIVE_LEVEL (expected: IRQL-NOT-DISPATCH)',
  seeds: [1, 2, 3],
  expect: 'IRQL-NOT-DISPATCH',
  // A swarm run that fails so: wsksim run receive-event-dpc-lock --strategy swarm --seed 55
  failingRuns: [{ strategy: 'swarm', seed: 55 }],
  build: (sim) => buildReceiveEventDpcLock(sim, false),
  check: ({ sim }, h) => checkReceiveEventDpcLock(sim, h),
  // The clients are the test's harness: a campaign varies the server's kernel only.
  fuzz: { hosts: ['server'] },
  limits: { time: '1m' },
});
