/**
 * The Windows-driver-samples WSK echo server (microsoft/Windows-driver-samples,
 * network/wsk/echosrv/wsksmple.c; docs/model.md#the-echo-server-sample), ported to the model: its
 * functions, structures, fields and control flow keep the sample's names and order, its C turned
 * into TypeScript (the comments are ours). One worker thread drains a work queue (an SList whose
 * push signals a synchronization KEVENT when the list was empty; the flushed list is reversed to
 * keep FIFO order); completion routines and the accept callback only enqueue operations. The
 * listening socket is one dual-stack AF_INET6 socket on [::]:40007 with IPV6_V6ONLY 0 and
 * WskAcceptEvent switched on by WSK_SET_STATIC_EVENT_CALLBACKS. Each accepted connection has two
 * operation contexts, each with an IRP and a 2048-byte buffer, looping receive → send → receive; a
 * 0-byte receive leads to a graceful WskDisconnect, its completion to WskCloseSocket, the close's
 * completion to freeing the context (docs/model.md#echo-server-per-connection-flow). Unload closes
 * the listener and waits in WskDeregister until every connection is closed, that is until its
 * client hangs up (docs/model.md#echo-server-unload). A NULL accept indication (a dead listener)
 * makes the sample close the listener and create a new one
 * (docs/model.md#echo-server-per-connection-flow, step 1).
 *
 * One change from the sample, a race it has: WskDeregister returns once every socket is closed,
 * and a WskCloseSocket that returns STATUS_PENDING completes its IRP only after it has closed the
 * socket (PFN_WSK_CLOSE_SOCKET,
 * https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/wsk/nc-wsk-pfn_wsk_close_socket),
 * so the close's completion routine, which queues the context's free, may run after the unload
 * stopped the worker: the context leaks, and on Windows the routine may run in an unloaded
 * image. The port counts the closes whose completion routine has not run, plus one reference
 * the unload drops after WskDeregister, and the unload waits on a notification event the last
 * one sets before it stops the worker (docs/model.md#echo-server-unload).
 *
 * What the model lacks and the port builds on what it has: InterlockedPushEntrySList and
 * InterlockedFlushSList are a list and a KSPIN_LOCK; ExAllocatePoolZero is
 * ExAllocatePoolWithTag with the fields written as RtlZeroMemory would leave them; ExFreePool
 * is ExFreePoolWithTag with the allocation's tag; a data buffer is a pool block carrying its
 * bytes (a Uint8Array for the MDL); MmBuildMdlForNonPagedPool is not needed (mdl.ts);
 * DoTraceMessage writes '<ms> <text>' to the scenario's log, a context named by its order of
 * allocation ('L' the listener, 'c1', 'c2', ...) where the C prints a pointer.
 *
 * The world: the server (10.0.0.2, fd00::2) and its clients on one switch, 2.5 ms a hop; the
 * links of client4 and client6 lose 5% of packets and reorder 2%. The clients are small WSK
 * drivers: WskSocketConnect to port 40007, a receiver thread reading until the FIN, their
 * chunks sent one WskSend at a time, then a graceful WskDisconnect (half-close), the rest of the
 * echo, WskCloseSocket, WskDeregister; or, for the 'abort' client, WskCloseSocket with the
 * connection up (a RST).
 * - client4 (10.0.0.11, at 0 ms) sends 1000 + 3000 + 500 bytes over IPv4 and hangs up.
 * - client6 (fd00::12, at 20 ms) sends 2048 + 10 + 4096 bytes over IPv6, holds its connection
 *   600 ms after its last send, then hangs up.
 * - clientR (10.0.0.13, at 40 ms) sends 1500 bytes and resets its connection 100 ms later. Its
 *   path loses nothing: a RST is never retransmitted, and a lost one would leave the server's
 *   connection open for ever (the sample has no idle timeout) and the unload waiting for it.
 * The driver unloads 100 ms after the server accepted its last client (one still in the
 * handshake would be reset with the listener): the listener closes at once, WskDeregister
 * returns only after client6 hung up. The check: every echo byte for byte and in order, IPv4
 * peers seen as [::ffff:10.0.0.x], one listener, each context freed after its close completed,
 * the unload over after the last hang-up, no violation, leak or open socket on any host.
 * Seed 1: the unload starts at 155 ms; client4 hangs up at 660 ms (a lost segment cost it a
 * retransmission), client6 at 673.6 ms, and the unload ends at 678.6 ms.
 *
 *   npx wsksim run echo-server --seed 1 --trace
 */
import {
  AF_INET6,
  Executive,
  IPPROTO_IPV6,
  IPPROTO_TCP,
  IPV6_V6ONLY,
  IRP,
  KEVENT,
  KSPIN_LOCK,
  KTHREAD,
  KernelMode,
  MAKE_WSK_VERSION,
  MDL,
  NPI_WSK_INTERFACE_ID,
  NT_SUCCESS,
  NonPagedPool,
  NotificationEvent,
  SOCK_STREAM,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_REQUEST_NOT_ACCEPTED,
  STATUS_SUCCESS,
  STATUS_UNSUCCESSFUL,
  SynchronizationEvent,
  WSK_EVENT_ACCEPT,
  WSK_FLAG_LISTEN_SOCKET,
  WSK_INFINITE_WAIT,
  WSK_PROVIDER_NPI,
  WSK_REGISTRATION,
  WSK_SET_STATIC_EVENT_CALLBACKS,
  WskSetOption,
  defineScenario,
  sockaddr,
  sockaddrText,
  statusName,
  type HANDLE,
  type IO_COMPLETION_ROUTINE,
  type KIRQL,
  type Kernel,
  type NTSTATUS,
  type PWSK_SOCKET,
  type SOCKADDR,
  type Simulation,
  type WSK_BUF,
  type WSK_CLIENT_CONNECTION_DISPATCH,
  type WSK_CLIENT_DISPATCH,
  type WSK_CLIENT_LISTEN_DISPATCH,
  type WSK_CLIENT_NPI,
  type WSK_EVENT_CALLBACK_CONTROL,
  type WSK_PROVIDER_BASIC_DISPATCH,
  type WSK_PROVIDER_CONNECTION_DISPATCH,
  type WSK_PROVIDER_DISPATCH,
  type WSK_PROVIDER_LISTEN_DISPATCH,
} from 'wsksim';
import {
  checkNoErrors,
  checkOncePerIrp,
  closeSocket,
  completed,
  register,
  retried,
  sleep,
  syncCaller,
} from './support/driver.ts';

/** The server's addresses and the sample's port. */
export const SERVER = { ipv4: '10.0.0.2', ipv6: 'fd00::2', port: 40007 } as const;

/** One client host and what its driver does. */
export interface EchoClientSpec {
  readonly host: string;
  /** Its address: an IPv4 client connects to 10.0.0.2, an IPv6 one to [fd00::2]. */
  readonly ipv4?: string;
  readonly ipv6?: string;
  /** When its driver loads (ms). */
  readonly at: number;
  /** The sizes of its WskSend calls, in order. */
  readonly chunks: readonly number[];
  /** How long it keeps the connection after its last send completed (ms). @defaultValue 0 */
  readonly hold?: number;
  /**
   * 'graceful': WskDisconnect (half-close), read the rest of the echo up to the FIN, close.
   * 'abort': WskCloseSocket with the connection up, which resets it.
   */
  readonly end: 'graceful' | 'abort';
}

/** The world's options; every field has the scenario's value as its default. */
export interface EchoOptions {
  readonly clients?: readonly EchoClientSpec[];
  /** The options of every client's link (the server's loses nothing). */
  readonly link?: Parameters<Simulation['addLink']>[2];
  /**
   * When the server driver unloads (ms), or 'after-accepts': 100 ms after the server accepted
   * its last client (a client still in the handshake at the unload would be reset with the
   * listener).
   */
  readonly unloadAt?: number | 'after-accepts';
  /** The links of these clients lose nothing (see LOSSLESS). */
  readonly lossless?: readonly string[];
  /** When the transport takes the listening socket away (the invalidate fault verb, ms). */
  readonly invalidateListenerAt?: readonly number[];
}

/** What one client driver saw. */
export interface EchoClient {
  connect: NTSTATUS | null;
  connectedAt: number;
  /** Its socket's local address after the connect. */
  local: string;
  sent: Uint8Array;
  received: Uint8Array;
  /** How its receives ended: 'FIN' (a 0-byte receive) or the failure's status name. */
  receiveEnd: string;
  /** When its receiver saw the end (ms). */
  receiveEndAt: number;
  disconnect: NTSTATUS | null;
  /** When its WskCloseSocket completed (ms). */
  closedAt: number;
  /** When WskDeregister returned (ms). */
  unloadedAt: number;
}

export interface Handles {
  /** The server's DoTraceMessage lines: '<ms> <text>'. */
  readonly log: string[];
  /** Remote addresses WskSampleAcceptEvent took, in order. */
  readonly accepted: string[];
  /** Each client's record, by host. */
  readonly clients: Map<string, EchoClient>;
  /** The server's current listening socket, once set up. */
  listener: PWSK_SOCKET | null;
  /** When the unload routine started and when it returned (ms; -1: not yet). */
  unload: { start: number; end: number };
  /** Completion-routine calls per IRP of the client drivers. */
  readonly calls: Map<IRP, number>;
  /** Run after each accepted connection and each client's unload (the unload trigger). */
  readonly onProgress: (() => void)[];
  /** What the server could not do (DriverEntry failed), in order. */
  readonly errors: string[];
}

/** The unload routine slot, as DriverEntry fills DriverObject->DriverUnload. */
interface DRIVER_OBJECT {
  DriverUnload: ((DriverObject: DRIVER_OBJECT) => PromiseLike<void>) | null;
}

const TRCERROR = 1;
const TRCINFO = 2;

function serverDriver(sim: Simulation, handles: Handles, DriverObject: DRIVER_OBJECT) {
  return async (k: Kernel): Promise<void> => {
    // The names a context gets in the log, in the place of the sample's %p.
    const names = new Map<object, string>();
    const p = (context: object): string => names.get(context) ?? '?';
    const DoTraceMessage = (level: number, text: string): void => {
      handles.log.push(`${sim.now / 1e6} ${level === TRCERROR ? 'ERROR ' : ''}${text}`);
    };

    // ---- The sample, ported ----

    // Pool tags used for memory allocations
    const WSKSAMPLE_SOCKET_POOL_TAG = 'wsks';
    const WSKSAMPLE_BUFFER_POOL_TAG = 'wskb';

    // Default length for data buffers used in send and receive operations
    const WSKSAMPLE_DATA_BUFFER_LENGTH = 2048;

    type PWSKSAMPLE_OP_HANDLER_FN = (SocketOpContext: PWSKSAMPLE_SOCKET_OP_CONTEXT) =>
      void | PromiseLike<void>;

    // An SList entry; Record stands for CONTAINING_RECORD's arithmetic.
    interface SLIST_ENTRY {
      Next: SLIST_ENTRY | null;
      readonly Record: PWSKSAMPLE_SOCKET_OP_CONTEXT;
    }
    interface SLIST_HEADER {
      Next: SLIST_ENTRY | null;
      readonly Lock: KSPIN_LOCK;
    }

    // A work queue drained by one worker thread
    interface WSKSAMPLE_WORK_QUEUE {
      Head: SLIST_HEADER;
      Event: KEVENT;
      // The worker exits only when the queue is empty and Stop is TRUE
      Stop: boolean;
      Thread: KTHREAD | null;
    }

    // The context of one operation on a socket
    interface WSKSAMPLE_SOCKET_OP_CONTEXT {
      QueueEntry: SLIST_ENTRY;
      OpHandler: PWSKSAMPLE_OP_HANDLER_FN | null;
      SocketContext: PWSKSAMPLE_SOCKET_CONTEXT;
      Irp: IRP | null;
      DataBuffer: { Bytes: Uint8Array } | null;
      DataMdl: MDL | null;
      BufferLength: number;
      DataLength: number;
    }
    type PWSKSAMPLE_SOCKET_OP_CONTEXT = WSKSAMPLE_SOCKET_OP_CONTEXT;

    // Operations that can be outstanding on one socket at any time
    const WSKSAMPLE_OP_COUNT = 2;

    // The context of one socket
    interface WSKSAMPLE_SOCKET_CONTEXT {
      Socket: PWSK_SOCKET | null;
      WorkQueue: WSKSAMPLE_WORK_QUEUE;
      Closing: boolean;
      // The peer closed its half; ours is being (or was) disconnected
      Disconnecting: boolean;
      // Listening sockets only
      StopListening: boolean;
      OpContext: WSKSAMPLE_SOCKET_OP_CONTEXT[];
    }
    type PWSKSAMPLE_SOCKET_CONTEXT = WSKSAMPLE_SOCKET_CONTEXT;

    // The model's stand-ins for the interlocked SList routines
    function InterlockedPushEntrySList(
      ListHead: SLIST_HEADER,
      ListEntry: SLIST_ENTRY,
    ): SLIST_ENTRY | null {
      const OldIrql = { value: 0 as KIRQL };
      k.KeAcquireSpinLock(ListHead.Lock, OldIrql);
      const First = ListHead.Next;
      ListEntry.Next = First;
      ListHead.Next = ListEntry;
      k.KeReleaseSpinLock(ListHead.Lock, OldIrql.value);
      return First;
    }
    function InterlockedFlushSList(ListHead: SLIST_HEADER): SLIST_ENTRY | null {
      const OldIrql = { value: 0 as KIRQL };
      k.KeAcquireSpinLock(ListHead.Lock, OldIrql);
      const First = ListHead.Next;
      ListHead.Next = null;
      k.KeReleaseSpinLock(ListHead.Lock, OldIrql.value);
      return First;
    }
    function InitializeSListHead(): SLIST_HEADER {
      const Lock = new KSPIN_LOCK();
      k.KeInitializeSpinLock(Lock);
      return { Next: null, Lock };
    }

    // Client-level callback table: WSK 1.0, no WskClientEvent
    const WskSampleClientDispatch: WSK_CLIENT_DISPATCH = {
      Version: MAKE_WSK_VERSION(1, 0),
      Reserved: 0,
      WskClientEvent: null,
    };

    const WskSampleRegistration = new WSK_REGISTRATION();

    // Socket-level callback table for listening sockets: accept only (no conditional accept)
    const WskSampleClientListenDispatch: WSK_CLIENT_LISTEN_DISPATCH = {
      WskAcceptEvent: WskSampleAcceptEvent,
      WskInspectEvent: null,
      WskAbortEvent: null,
    };

    let WskSampleListeningSocketContext: PWSKSAMPLE_SOCKET_CONTEXT | null = null;

    const WskSampleWorkQueue: WSKSAMPLE_WORK_QUEUE = {
      Head: InitializeSListHead(),
      Event: new KEVENT(),
      Stop: false,
      Thread: null,
    };

    // Not in the sample (see the header): closes whose completion routine has not run yet, plus
    // one reference the unload holds until WskDeregister returned; the event is set when the
    // count drops to 0, that is when the last close's free is queued.
    let WskSampleCloseReferences = 1;
    const WskSampleClosesDone = new KEVENT();

    // Drop one close reference (the C: InterlockedDecrement); the last one sets the event
    function WskSampleReleaseCloseReference(): void {
      if (--WskSampleCloseReferences === 0) {
        k.KeSetEvent(WskSampleClosesDone, 0, false);
      }
    }

    // [::]:40007 (the C writes the port in network byte order, 0x479c)
    const IPv6ListeningAddress: SOCKADDR = sockaddr(`[::]:${SERVER.port}`);

    // DriverEntry
    function DriverEntry(Driver: DRIVER_OBJECT): NTSTATUS {
      let status: NTSTATUS;
      const wskClientNpi: WSK_CLIENT_NPI = { ClientContext: null, Dispatch: null! };

      k.KeInitializeEvent(WskSampleClosesDone, NotificationEvent, false);

      // The listening socket's context, used to queue the operation that sets it up
      WskSampleListeningSocketContext = WskSampleAllocateSocketContext(WskSampleWorkQueue, 0);

      if (WskSampleListeningSocketContext === null) {
        return STATUS_INSUFFICIENT_RESOURCES;
      }

      // Register with WSK.
      wskClientNpi.ClientContext = null;
      wskClientNpi.Dispatch = WskSampleClientDispatch;
      status = k.WskRegister(wskClientNpi, WskSampleRegistration);

      if (!NT_SUCCESS(status)) {
        WskSampleFreeSocketContext(WskSampleListeningSocketContext);
        return status;
      }

      // Start the global work queue
      status = WskSampleStartWorkQueue(WskSampleWorkQueue);

      if (!NT_SUCCESS(status)) {
        void k.WskDeregister(WskSampleRegistration);
        WskSampleFreeSocketContext(WskSampleListeningSocketContext);
        return status;
      }

      // The first operation: set up the listening socket
      WskSampleEnqueueOp(WskSampleListeningSocketContext.OpContext[0]!, WskSampleOpStartListen);

      // Everything started: the driver may be unloaded from now on.
      Driver.DriverUnload = WskSampleUnload;

      DoTraceMessage(TRCINFO, 'LOADED');

      return STATUS_SUCCESS;
    }

    // Driver unload routine
    async function WskSampleUnload(Driver: DRIVER_OBJECT): Promise<void> {
      void Driver;
      handles.unload.start = sim.now / 1e6;
      DoTraceMessage(TRCINFO, 'UNLOAD START');

      // Stop listening (closes the listening socket). Accepted connections stay open until
      // their peers disconnect, and WskDeregister waits for every socket to be closed: unload
      // blocks until the last client hangs up.
      WskSampleEnqueueOp(WskSampleListeningSocketContext!.OpContext[1]!, WskSampleOpStopListen);

      // Returns once the NPI is released and every socket closed. If the worker has not
      // captured the NPI yet, its capture will fail and the queue still drains.
      await k.WskDeregister(WskSampleRegistration);

      // Every socket is closed, but a pended close completes its IRP after closing the socket:
      // wait until each close's completion routine has queued its free (not in the sample).
      WskSampleReleaseCloseReference();
      if (WskSampleCloseReferences > 0) DoTraceMessage(TRCINFO, 'UNLOAD: waiting for closes');
      await k.KeWaitForSingleObject(WskSampleClosesDone, Executive, KernelMode, false, null);

      // No socket is left and every free is queued, so no operation can be queued any more:
      // stop the worker, which drains the queue first.
      await WskSampleStopWorkQueue(WskSampleWorkQueue);

      DoTraceMessage(TRCINFO, 'UNLOAD END');
      handles.unload.end = sim.now / 1e6;
    }

    // Initialise a work queue and start its worker thread
    function WskSampleStartWorkQueue(WorkQueue: WSKSAMPLE_WORK_QUEUE): NTSTATUS {
      let status: NTSTATUS;
      const threadHandle = { value: null as HANDLE | null };

      WorkQueue.Head = InitializeSListHead();
      k.KeInitializeEvent(WorkQueue.Event, SynchronizationEvent, false);
      WorkQueue.Stop = false;

      status = k.PsCreateSystemThread(
        threadHandle, THREAD_ALL_ACCESS, null, null, null, WskSampleWorkerThread, WorkQueue,
      );

      if (!NT_SUCCESS(status)) {
        return status;
      }

      const Thread = { value: null as unknown };
      status = k.ObReferenceObjectByHandle(
        threadHandle.value!, THREAD_ALL_ACCESS, null, KernelMode, Thread, null,
      );
      WorkQueue.Thread = Thread.value as KTHREAD;

      k.ZwClose(threadHandle.value);

      if (!NT_SUCCESS(status)) {
        WorkQueue.Stop = true;
        k.KeSetEvent(WorkQueue.Event, 0, false);
      }

      return status;
    }

    // Stop a work queue and wait for its worker thread to exit
    async function WskSampleStopWorkQueue(WorkQueue: WSKSAMPLE_WORK_QUEUE): Promise<void> {
      ASSERT(WorkQueue.Stop === false);
      ASSERT(WorkQueue.Thread !== null);
      WorkQueue.Stop = true;
      k.KeSetEvent(WorkQueue.Event, 0, false);
      await k.KeWaitForSingleObject(WorkQueue.Thread!, Executive, KernelMode, false, null);
      k.ObDereferenceObject(WorkQueue.Thread);
    }

    // Allocate a socket context, with data buffers when BufferLength > 0
    function WskSampleAllocateSocketContext(
      WorkQueue: WSKSAMPLE_WORK_QUEUE,
      BufferLength: number,
    ): PWSKSAMPLE_SOCKET_CONTEXT | null {
      // ExAllocatePoolZero; the fields are then zeroed as RtlZeroMemory does
      const socketContext = k.ExAllocatePoolWithTag<WSKSAMPLE_SOCKET_CONTEXT>(
        NonPagedPool, SIZEOF_SOCKET_CONTEXT, WSKSAMPLE_SOCKET_POOL_TAG,
      );

      if (socketContext !== null) {
        names.set(socketContext, BufferLength === 0 ? 'L' : `c${names.size}`);
        socketContext.Socket = null;
        socketContext.Closing = false;
        socketContext.Disconnecting = false;
        socketContext.StopListening = false;
        socketContext.OpContext = [];
        for (let i = 0; i < WSKSAMPLE_OP_COUNT; i++) {
          const OpContext = {
            OpHandler: null,
            SocketContext: socketContext,
            Irp: null,
            DataBuffer: null,
            DataMdl: null,
            BufferLength: 0,
            DataLength: 0,
          } as Omit<WSKSAMPLE_SOCKET_OP_CONTEXT, 'QueueEntry'> as WSKSAMPLE_SOCKET_OP_CONTEXT;
          OpContext.QueueEntry = { Next: null, Record: OpContext };
          socketContext.OpContext.push(OpContext);
        }

        socketContext.WorkQueue = WorkQueue;

        let failed = false;
        for (let i = 0; i < WSKSAMPLE_OP_COUNT && !failed; i++) {
          const OpContext = socketContext.OpContext[i]!;
          OpContext.SocketContext = socketContext;

          OpContext.Irp = k.IoAllocateIrp(1, false);
          if (OpContext.Irp === null) {
            failed = true; // goto failure
            break;
          }

          if (BufferLength > 0) {
            OpContext.DataBuffer = k.ExAllocatePoolWithTag<{ Bytes: Uint8Array }>(
              NonPagedPool, BufferLength, WSKSAMPLE_BUFFER_POOL_TAG,
            );
            if (OpContext.DataBuffer === null) {
              failed = true;
              break;
            }
            OpContext.DataBuffer.Bytes = new Uint8Array(BufferLength);
            OpContext.DataMdl = k.IoAllocateMdl(
              OpContext.DataBuffer.Bytes, BufferLength, false, false, null,
            );
            if (OpContext.DataMdl === null) {
              failed = true;
              break;
            }
            OpContext.BufferLength = BufferLength;
          }
        }

        if (!failed) {
          DoTraceMessage(TRCINFO, `AllocateSocketContext: ${p(socketContext)}`);
          return socketContext;
        }
      }

      // failure:
      DoTraceMessage(TRCERROR, 'AllocateSocketContext: FAIL');

      if (socketContext !== null) {
        WskSampleFreeSocketContext(socketContext);
      }

      return null;
    }

    // Free a socket context: only once every WSK call on its socket completed and every
    // operation queued for it was dequeued, so its IRPs, MDLs and buffers are idle.
    function WskSampleFreeSocketContext(SocketContext: PWSKSAMPLE_SOCKET_CONTEXT): void {
      for (let i = 0; i < WSKSAMPLE_OP_COUNT; i++) {
        const OpContext = SocketContext.OpContext[i]!;
        if (OpContext.Irp !== null) {
          k.IoFreeIrp(OpContext.Irp);
          OpContext.Irp = null;
        }
        if (OpContext.DataMdl !== null) {
          k.IoFreeMdl(OpContext.DataMdl);
          OpContext.DataMdl = null;
        }
        if (OpContext.DataBuffer !== null) {
          k.ExFreePoolWithTag(OpContext.DataBuffer, WSKSAMPLE_BUFFER_POOL_TAG);
          OpContext.DataBuffer = null;
        }
      }

      DoTraceMessage(TRCINFO, `FreeSocketContext: ${p(SocketContext)}`);

      k.ExFreePoolWithTag(SocketContext, WSKSAMPLE_SOCKET_POOL_TAG);
    }

    // Enqueue an operation on a socket
    function WskSampleEnqueueOp(
      SocketOpContext: PWSKSAMPLE_SOCKET_OP_CONTEXT,
      OpHandler: PWSKSAMPLE_OP_HANDLER_FN,
    ): void {
      const workQueue = SocketOpContext.SocketContext.WorkQueue;

      SocketOpContext.OpHandler = OpHandler;

      if (null === InterlockedPushEntrySList(workQueue.Head, SocketOpContext.QueueEntry)) {
        // The queue was empty: wake the worker in case it waits for work.
        k.KeSetEvent(workQueue.Event, 0, false);
      }
    }

    // The worker thread: drains the queue and runs each operation, in FIFO order
    async function WskSampleWorkerThread(Context: unknown): Promise<void> {
      const workQueue = Context as WSKSAMPLE_WORK_QUEUE;
      let listEntryRev: SLIST_ENTRY | null;
      let listEntry: SLIST_ENTRY | null;
      let next: SLIST_ENTRY | null;

      for (;;) {
        // Take every queued operation at once
        listEntryRev = InterlockedFlushSList(workQueue.Head);

        if (listEntryRev === null) {
          // Nothing to do: stop if allowed to, else wait for work.
          if (workQueue.Stop) {
            DoTraceMessage(TRCINFO, 'WorkerThread: exit');
            break;
          }

          await k.KeWaitForSingleObject(workQueue.Event, Executive, KernelMode, false, null);
          continue;
        }

        // The SList is LIFO: reverse it to run the operations in the order they were queued.
        listEntry = null;
        while (listEntryRev !== null) {
          next = listEntryRev.Next;
          listEntryRev.Next = listEntry;
          listEntry = listEntryRev;
          listEntryRev = next;
        }

        while (listEntry !== null) {
          const socketOpContext = listEntry.Record; // CONTAINING_RECORD
          const opHandler = socketOpContext.OpHandler!;

          listEntry = listEntry.Next;

          await opHandler(socketOpContext);
        }
      }

      k.PsTerminateSystemThread(STATUS_SUCCESS);
    }

    // Operation: create and set up the listening socket
    async function WskSampleOpStartListen(
      SocketOpContext: PWSKSAMPLE_SOCKET_OP_CONTEXT,
    ): Promise<void> {
      const wskProviderNpi = new WSK_PROVIDER_NPI();

      // The first operation the worker runs; it makes several WSK calls, each waited for,
      // so no other operation runs until it is done.
      const status = await k.WskCaptureProviderNPI(
        WskSampleRegistration, WSK_INFINITE_WAIT, wskProviderNpi,
      );

      if (NT_SUCCESS(status)) {
        await WskSampleSetupListeningSocket(wskProviderNpi, SocketOpContext);

        // The NPI is not kept: the socket works without it.
        k.WskReleaseProviderNPI(WskSampleRegistration);
      } else {
        // Fails when WskDeregister ran (unload) before WSK became ready.
        DoTraceMessage(TRCINFO, `OpStartListen: WskCaptureProviderNPI failed ${statusName(status)}`);
      }
    }

    // Create the listening socket: static accept callback, AF_INET6, dual stack, bind
    async function WskSampleSetupListeningSocket(
      WskProviderNpi: WSK_PROVIDER_NPI,
      SocketOpContext: PWSKSAMPLE_SOCKET_OP_CONTEXT,
    ): Promise<void> {
      let status: NTSTATUS;
      const compEvent = new KEVENT();
      let listeningSocket: PWSK_SOCKET | null = null;
      let dispatch: WSK_PROVIDER_LISTEN_DISPATCH | null = null;
      const socketContext = SocketOpContext.SocketContext;
      const irp = SocketOpContext.Irp!;
      const wait = () => k.KeWaitForSingleObject(compEvent, Executive, KernelMode, false, null);
      const Dispatch = WskProviderNpi.Dispatch as WSK_PROVIDER_DISPATCH;

      k.KeInitializeEvent(compEvent, SynchronizationEvent, false);

      failexit: {
        if (socketContext.Socket !== null) {
          // A socket already: WskAcceptEvent indicated a NULL socket, the listener is dead.
          // Close it and create a new one.

          if (socketContext.StopListening) {
            // Unloading: it is being closed anyway.
            return;
          }

          k.IoReuseIrp(irp, STATUS_UNSUCCESSFUL);

          k.IoSetCompletionRoutine(
            irp, WskSampleSyncIrpCompletionRoutine, compEvent, true, true, true,
          );

          (socketContext.Socket.Dispatch as WSK_PROVIDER_LISTEN_DISPATCH).WskCloseSocket(
            socketContext.Socket, irp,
          );

          await wait();

          ASSERT(NT_SUCCESS(irp.IoStatus.Status));
          socketContext.Socket = null;

          k.IoReuseIrp(irp, STATUS_UNSUCCESSFUL);
        } else {
          // First time: have WskAcceptEvent enabled on every listening socket from creation.
          const callbackControl: WSK_EVENT_CALLBACK_CONTROL = {
            NpiId: NPI_WSK_INTERFACE_ID,
            EventMask: WSK_EVENT_ACCEPT,
          };
          status = Dispatch.WskControlClient(
            WskProviderNpi.Client!, WSK_SET_STATIC_EVENT_CALLBACKS, 16, callbackControl,
            0, null, null, null,
          );
          if (!NT_SUCCESS(status)) {
            DoTraceMessage(
              TRCERROR,
              `SetupListeningSocket: WSK_SET_STATIC_EVENT_CALLBACKS FAIL ${statusName(status)}`,
            );
            break failexit;
          }
        }

        // An AF_INET6 listening socket, made dual-family (IPV6_V6ONLY FALSE) so that it takes
        // IPv4 connections too.

        k.IoSetCompletionRoutine(irp, WskSampleSyncIrpCompletionRoutine, compEvent, true, true, true);

        // The status is read from the IRP once it completed.
        Dispatch.WskSocket(
          WskProviderNpi.Client!, AF_INET6, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET,
          socketContext, WskSampleClientListenDispatch, null, null, null, irp,
        );

        await wait();

        if (!NT_SUCCESS(irp.IoStatus.Status)) {
          DoTraceMessage(
            TRCERROR, `SetupListeningSocket: WskSocket FAIL ${statusName(irp.IoStatus.Status)}`,
          );
          break failexit;
        }

        listeningSocket = irp.IoStatus.Information as PWSK_SOCKET;
        dispatch = listeningSocket.Dispatch as WSK_PROVIDER_LISTEN_DISPATCH;

        // IPV6_V6ONLY FALSE, before the bind
        const optionValue = { value: 0 }; // ULONG, passed by address

        k.IoReuseIrp(irp, STATUS_UNSUCCESSFUL);
        k.IoSetCompletionRoutine(irp, WskSampleSyncIrpCompletionRoutine, compEvent, true, true, true);

        dispatch.WskControlSocket(
          listeningSocket, WskSetOption, IPV6_V6ONLY, IPPROTO_IPV6, 4, optionValue,
          0, null, null, irp,
        );

        await wait();

        if (!NT_SUCCESS(irp.IoStatus.Status)) {
          DoTraceMessage(
            TRCERROR,
            `SetupListeningSocket: IPV6_V6ONLY FAIL ${statusName(irp.IoStatus.Status)}`,
          );
          break failexit;
        }

        // Bind to the wildcard address; from then on WskAcceptEvent runs as connections come.
        k.IoReuseIrp(irp, STATUS_UNSUCCESSFUL);
        k.IoSetCompletionRoutine(irp, WskSampleSyncIrpCompletionRoutine, compEvent, true, true, true);

        dispatch.WskBind(listeningSocket, IPv6ListeningAddress, 0, irp);

        await wait();

        if (!NT_SUCCESS(irp.IoStatus.Status)) {
          DoTraceMessage(
            TRCERROR, `SetupListeningSocket: WskBind FAIL ${statusName(irp.IoStatus.Status)}`,
          );
          break failexit;
        }

        // Keep the socket only now that everything succeeded; on failure it is closed below.
        ASSERT(socketContext.Socket === null);
        socketContext.Socket = listeningSocket;
        handles.listener = listeningSocket;

        DoTraceMessage(TRCINFO, `SetupListeningSocket: ${p(socketContext)}`);

        return;
      }

      // failexit:
      if (listeningSocket !== null) {
        k.IoReuseIrp(irp, STATUS_UNSUCCESSFUL);
        k.IoSetCompletionRoutine(irp, WskSampleSyncIrpCompletionRoutine, compEvent, true, true, true);

        dispatch!.WskCloseSocket(listeningSocket, irp);
        await wait();
      }
    }

    // Completion routine of the waited-for calls: signals the waiter
    const WskSampleSyncIrpCompletionRoutine: IO_COMPLETION_ROUTINE = (Reserved, Irp, Context) => {
      void Reserved;
      void Irp;
      const compEvent = Context as KEVENT;
      k.KeSetEvent(compEvent, 2, false);
      return STATUS_MORE_PROCESSING_REQUIRED;
    };

    // Operation: stop listening (unload)
    function WskSampleOpStopListen(SocketOpContext: PWSKSAMPLE_SOCKET_OP_CONTEXT): void {
      const socketContext = SocketOpContext.SocketContext;

      DoTraceMessage(TRCINFO, `OpStopListen: ${p(socketContext)}`);

      socketContext.StopListening = true;

      if (socketContext.Socket === null) {
        // No listening socket was created: only the context is left to free.
        WskSampleEnqueueOp(SocketOpContext, WskSampleOpFree);
      } else {
        WskSampleEnqueueOp(SocketOpContext, WskSampleOpClose);
      }
    }

    // The listening socket's WskAcceptEvent: a new connection, or a NULL socket (listener dead)
    function WskSampleAcceptEvent(
      SocketContext: unknown,
      Flags: number,
      LocalAddress: SOCKADDR,
      RemoteAddress: SOCKADDR,
      AcceptSocket: PWSK_SOCKET | null,
      AcceptSocketContext: { value: unknown },
      AcceptSocketDispatch: { value: WSK_CLIENT_CONNECTION_DISPATCH | null },
    ): NTSTATUS {
      let socketContext: PWSKSAMPLE_SOCKET_CONTEXT | null = null;

      void Flags;
      void LocalAddress;

      const listeningSocketContext = SocketContext as PWSKSAMPLE_SOCKET_CONTEXT;

      if (AcceptSocket === null) {
        // The listening socket no longer works. WSK indicates this only once, so operation
        // context #0, which set the listener up, is free to queue its re-creation: start
        // listen closes the dead socket and creates a new one.
        DoTraceMessage(TRCINFO, `AcceptEvent: ${p(listeningSocketContext)} NULL`);
        WskSampleEnqueueOp(listeningSocketContext.OpContext[0]!, WskSampleOpStartListen);
        return STATUS_REQUEST_NOT_ACCEPTED;
      }

      socketContext = WskSampleAllocateSocketContext(
        WskSampleWorkQueue, WSKSAMPLE_DATA_BUFFER_LENGTH,
      );

      if (socketContext === null) {
        return STATUS_REQUEST_NOT_ACCEPTED;
      }

      socketContext.Socket = AcceptSocket;

      // (The sample leaves RemoteAddress unreferenced; the scenario records it.)
      handles.accepted.push(sockaddrText(RemoteAddress));
      for (const hook of handles.onProgress) hook();
      DoTraceMessage(TRCINFO, `AcceptEvent: ${p(socketContext)} ${sockaddrText(RemoteAddress)}`);

      // Two receives on the new socket; each completed receive is echoed by a send, each
      // completed send is followed by a new receive, until the peer closes.
      for (let i = 0; i < WSKSAMPLE_OP_COUNT; i++) {
        WskSampleEnqueueOp(socketContext.OpContext[i]!, WskSampleOpReceive);
      }

      // No callbacks on accepted sockets: no context, no dispatch table.
      AcceptSocketContext.value = null;
      AcceptSocketDispatch.value = null;

      return STATUS_SUCCESS;
    }

    // Operation: WskReceive on a connected socket
    function WskSampleOpReceive(SocketOpContext: PWSKSAMPLE_SOCKET_OP_CONTEXT): void {
      const socketContext = SocketOpContext.SocketContext;

      if (socketContext.Closing || socketContext.Disconnecting) {
        // Not while disconnecting or closing; this operation context is done.
        DoTraceMessage(TRCINFO, `OpReceive: ${p(socketContext)} SKIP`);
      } else {
        const dispatch = socketContext.Socket!.Dispatch as WSK_PROVIDER_CONNECTION_DISPATCH;

        const wskbuf: WSK_BUF = {
          Offset: 0,
          Length: SocketOpContext.BufferLength,
          Mdl: SocketOpContext.DataMdl,
        };

        k.IoReuseIrp(SocketOpContext.Irp!, STATUS_UNSUCCESSFUL);
        k.IoSetCompletionRoutine(
          SocketOpContext.Irp!, WskSampleReceiveIrpCompletionRoutine, SocketOpContext,
          true, true, true,
        );

        DoTraceMessage(TRCINFO, `OpReceive: ${p(socketContext)} ${wskbuf.Length}`);

        // The completion routine acts on the status.
        dispatch.WskReceive(socketContext.Socket!, wskbuf, 0, SocketOpContext.Irp!);
      }
    }

    // WskReceive's completion: close on failure, disconnect on 0 bytes, else echo
    const WskSampleReceiveIrpCompletionRoutine: IO_COMPLETION_ROUTINE = (Reserved, Irp, Context) => {
      void Reserved;
      const socketOpContext = Context as PWSKSAMPLE_SOCKET_OP_CONTEXT;
      const socketContext = socketOpContext.SocketContext;

      DoTraceMessage(
        TRCINFO,
        `ReceiveIrpCompletionRoutine: ${p(socketContext)} ${statusName(Irp.IoStatus.Status)} ` +
          `${String(Irp.IoStatus.Information)}`,
      );

      if (!NT_SUCCESS(Irp.IoStatus.Status)) {
        WskSampleEnqueueOp(socketOpContext, WskSampleOpClose);
      } else {
        if (Irp.IoStatus.Information === 0) {
          // 0 bytes: the peer closed its half gracefully; disconnect ours.
          WskSampleEnqueueOp(socketOpContext, WskSampleOpDisconnect);
        } else {
          // Send the data back from the same buffer: remember how much arrived.
          socketOpContext.DataLength = Irp.IoStatus.Information as number;
          WskSampleEnqueueOp(socketOpContext, WskSampleOpSend);
        }
      }

      return STATUS_MORE_PROCESSING_REQUIRED;
    };

    // Operation: WskSend of what the receive got
    function WskSampleOpSend(SocketOpContext: PWSKSAMPLE_SOCKET_OP_CONTEXT): void {
      const socketContext = SocketOpContext.SocketContext;

      if (socketContext.Closing || socketContext.Disconnecting) {
        DoTraceMessage(TRCINFO, `OpSend: ${p(socketContext)} SKIP`);
      } else {
        const dispatch = socketContext.Socket!.Dispatch as WSK_PROVIDER_CONNECTION_DISPATCH;

        const wskbuf: WSK_BUF = {
          Offset: 0,
          Length: SocketOpContext.DataLength,
          Mdl: SocketOpContext.DataMdl,
        };

        k.IoReuseIrp(SocketOpContext.Irp!, STATUS_UNSUCCESSFUL);
        k.IoSetCompletionRoutine(
          SocketOpContext.Irp!, WskSampleSendIrpCompletionRoutine, SocketOpContext,
          true, true, true,
        );

        DoTraceMessage(TRCINFO, `OpSend: ${p(socketContext)} ${wskbuf.Length}`);

        dispatch.WskSend(socketContext.Socket!, wskbuf, 0, SocketOpContext.Irp!);
      }
    }

    // WskSend's completion: close on failure, else receive again
    const WskSampleSendIrpCompletionRoutine: IO_COMPLETION_ROUTINE = (Reserved, Irp, Context) => {
      void Reserved;
      const socketOpContext = Context as PWSKSAMPLE_SOCKET_OP_CONTEXT;
      const socketContext = socketOpContext.SocketContext;

      DoTraceMessage(
        TRCINFO,
        `SendIrpCompletionRoutine: ${p(socketContext)} ${statusName(Irp.IoStatus.Status)} ` +
          `${String(Irp.IoStatus.Information)}`,
      );

      if (!NT_SUCCESS(Irp.IoStatus.Status)) {
        WskSampleEnqueueOp(socketOpContext, WskSampleOpClose);
      } else {
        WskSampleEnqueueOp(socketOpContext, WskSampleOpReceive);
      }

      return STATUS_MORE_PROCESSING_REQUIRED;
    };

    // Operation: graceful WskDisconnect
    function WskSampleOpDisconnect(SocketOpContext: PWSKSAMPLE_SOCKET_OP_CONTEXT): void {
      const socketContext = SocketOpContext.SocketContext;

      if (socketContext.Closing || socketContext.Disconnecting) {
        // Both receives complete with 0 bytes after the FIN: this can be queued twice.
        DoTraceMessage(TRCINFO, `OpDisconnect: ${p(socketContext)} SKIP`);
      } else {
        const dispatch = socketContext.Socket!.Dispatch as WSK_PROVIDER_CONNECTION_DISPATCH;

        socketContext.Disconnecting = true;

        k.IoReuseIrp(SocketOpContext.Irp!, STATUS_UNSUCCESSFUL);
        k.IoSetCompletionRoutine(
          SocketOpContext.Irp!, WskSampleDisconnectIrpCompletionRoutine, SocketOpContext,
          true, true, true,
        );

        DoTraceMessage(TRCINFO, `OpDisconnect: ${p(socketContext)}`);

        dispatch.WskDisconnect(socketContext.Socket!, null, 0, SocketOpContext.Irp!);
      }
    }

    // WskDisconnect's completion: close, whatever the status
    const WskSampleDisconnectIrpCompletionRoutine: IO_COMPLETION_ROUTINE = (
      Reserved,
      Irp,
      Context,
    ) => {
      void Reserved;
      const socketOpContext = Context as PWSKSAMPLE_SOCKET_OP_CONTEXT;
      const socketContext = socketOpContext.SocketContext;

      DoTraceMessage(
        TRCINFO,
        `DisconnectIrpCompletionRoutine: ${p(socketContext)} ${statusName(Irp.IoStatus.Status)}`,
      );

      WskSampleEnqueueOp(socketOpContext, WskSampleOpClose);

      return STATUS_MORE_PROCESSING_REQUIRED;
    };

    // Operation: WskCloseSocket
    function WskSampleOpClose(SocketOpContext: PWSKSAMPLE_SOCKET_OP_CONTEXT): void {
      const socketContext = SocketOpContext.SocketContext;

      if (socketContext.Closing) {
        // Several failing operations may each queue a close.
        DoTraceMessage(TRCINFO, `OpClose: ${p(socketContext)} SKIP`);
      } else {
        socketContext.Closing = true;

        const dispatch = socketContext.Socket!.Dispatch as WSK_PROVIDER_BASIC_DISPATCH;

        k.IoReuseIrp(SocketOpContext.Irp!, STATUS_UNSUCCESSFUL);
        k.IoSetCompletionRoutine(
          SocketOpContext.Irp!, WskSampleCloseIrpCompletionRoutine, SocketOpContext,
          true, true, true,
        );

        DoTraceMessage(TRCINFO, `OpClose: ${p(socketContext)}`);

        // Not in the sample: the unload waits for this close's completion routine
        WskSampleCloseReferences++;

        dispatch.WskCloseSocket(socketContext.Socket!, SocketOpContext.Irp!);
      }
    }

    // WskCloseSocket's completion: queue the free behind whatever is still queued for the
    // socket (those operations see Closing and do nothing); nothing can be queued after it,
    // since only completions on the socket queue operations and the close ended them all.
    const WskSampleCloseIrpCompletionRoutine: IO_COMPLETION_ROUTINE = (Reserved, Irp, Context) => {
      void Reserved;
      const socketOpContext = Context as PWSKSAMPLE_SOCKET_OP_CONTEXT;
      const socketContext = socketOpContext.SocketContext;

      // Close never fails.
      ASSERT(NT_SUCCESS(Irp.IoStatus.Status));

      DoTraceMessage(
        TRCINFO,
        `CloseIrpCompletionRoutine: ${p(socketContext)} ${statusName(Irp.IoStatus.Status)}`,
      );

      WskSampleEnqueueOp(socketOpContext, WskSampleOpFree);
      WskSampleReleaseCloseReference();

      return STATUS_MORE_PROCESSING_REQUIRED;
    };

    // Operation: free a closed socket's context
    function WskSampleOpFree(SocketOpContext: PWSKSAMPLE_SOCKET_OP_CONTEXT): void {
      const socketContext = SocketOpContext.SocketContext;

      DoTraceMessage(TRCINFO, `OpFree: ${p(socketContext)}`);

      ASSERT(socketContext.Closing || socketContext.StopListening);
      WskSampleFreeSocketContext(socketContext);
    }

    // ---- End of the sample ----

    // A DriverEntry that fails has released what it took; the driver is not loaded.
    const status = DriverEntry(DriverObject);
    if (status !== STATUS_SUCCESS) handles.errors.push(`server: DriverEntry: ${statusName(status)}`);
  };
}

const THREAD_ALL_ACCESS = 0x1fffff;
/** sizeof(WSKSAMPLE_SOCKET_CONTEXT) on x64: 8 + 8 + 3 + pad + 2 × 64. */
const SIZEOF_SOCKET_CONTEXT = 152;

/** The sample's ASSERT: a failed one is a bug in the port or the model; the run stops. */
function ASSERT(condition: boolean): void {
  if (!condition) throw new Error('ASSERT failed in the echo server');
}

// ---- The clients ----

/** The bytes a client sends: a pattern that differs from client to client and never repeats
 * within 256 bytes of itself, so a reordered or duplicated chunk shows. */
export function content(index: number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i + (i >>> 8) * 7 + index * 61) & 0xff;
  return bytes;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** The client driver's receive buffer. */
const CLIENT_RECEIVE_LENGTH = 1024;

/**
 * A client driver: WskSocketConnect to the server's port 40007 (over the client's family), a
 * receiver thread reading until the FIN or a failure, the chunks sent one WskSend at a time,
 * then the end the spec asks for, WskCloseSocket, WskDeregister.
 */
function clientDriver(sim: Simulation, spec: EchoClientSpec, index: number, handles: Handles) {
  const ms = () => sim.now / 1e6;
  return async (k: Kernel): Promise<void> => {
    const record: EchoClient = {
      connect: null, connectedAt: -1, local: '', sent: new Uint8Array(0),
      received: new Uint8Array(0), receiveEnd: '', receiveEndAt: -1, disconnect: null,
      closedAt: -1, unloadedAt: -1,
    };
    handles.clients.set(spec.host, record);
    const Registration = new WSK_REGISTRATION();
    const Npi = new WSK_PROVIDER_NPI();
    await register(k, Registration, Npi);
    const Dispatch = Npi.Dispatch as WSK_PROVIDER_DISPATCH;
    const sync = syncCaller(k, handles.calls);
    const ipv6 = spec.ipv4 === undefined;
    const Local = sockaddr(ipv6 ? '[::]:0' : '0.0.0.0:0');
    const Remote = sockaddr(
      ipv6 ? `[${SERVER.ipv6}]:${SERVER.port}` : `${SERVER.ipv4}:${SERVER.port}`,
    );
    const connected = completed(
      k,
      await sync((Irp) =>
        Dispatch.WskSocketConnect(
          Npi.Client!, SOCK_STREAM, IPPROTO_TCP, Local, Remote, 0, null, null, null, null, null,
          Irp,
        ),
      ),
    );
    record.connect = connected.Status;
    record.connectedAt = ms();
    const Socket = connected.Information as PWSK_SOCKET;
    if (record.connect === STATUS_SUCCESS) {
      const Connection = Socket.Dispatch as WSK_PROVIDER_CONNECTION_DISPATCH;
      completed(k, await sync((Irp) => Connection.WskGetLocalAddress(Socket, Local, Irp)));
      record.local = sockaddrText(Local);

      // The receiver: WskReceive after WskReceive until a 0-byte one (the FIN) or a failure.
      const Receiver = { value: null as HANDLE | null };
      let Closing = false;
      k.PsCreateSystemThread(Receiver, 0, null, null, null, async () => {
        const Buffer = new Uint8Array(CLIENT_RECEIVE_LENGTH);
        const Mdl = k.IoAllocateMdl(Buffer, Buffer.length, false, false, null);
        const parts: Uint8Array[] = [];
        // No MDL, no receive: the receiver ends at once.
        if (!Mdl) record.receiveEnd = 'no MDL';
        for (; Mdl; ) {
          // The socket is being closed: no WskReceive after WskCloseSocket.
          if (Closing) {
            record.receiveEnd = 'closed';
            break;
          }
          const wskbuf: WSK_BUF = { Mdl, Offset: 0, Length: Buffer.length };
          const { Status, Information } = completed(
            k,
            await sync((Irp) => Connection.WskReceive(Socket, wskbuf, 0, Irp)),
          );
          if (!NT_SUCCESS(Status) || Information === 0) {
            record.receiveEnd = NT_SUCCESS(Status) ? 'FIN' : statusName(Status);
            break;
          }
          parts.push(Buffer.slice(0, Information as number));
        }
        record.receiveEndAt = ms();
        record.received = concat(parts);
        if (Mdl) k.IoFreeMdl(Mdl);
      }, null);

      const sent: Uint8Array[] = [];
      let offset = 0;
      const all = content(index, spec.chunks.reduce((n, size) => n + size, 0));
      for (const size of spec.chunks) {
        const Chunk = all.slice(offset, offset + size);
        offset += size;
        // No MDL, no send: the chunk is left out.
        const Mdl = k.IoAllocateMdl(Chunk, Chunk.length, false, false, null);
        if (!Mdl) continue;
        const wskbuf: WSK_BUF = { Mdl, Offset: 0, Length: Chunk.length };
        const { Status } = completed(
          k,
          await sync((Irp) => Connection.WskSend(Socket, wskbuf, 0, Irp)),
        );
        if (Status === STATUS_SUCCESS) sent.push(Chunk);
        k.IoFreeMdl(Mdl);
      }
      record.sent = concat(sent);
      await sleep(k, spec.hold ?? 0);

      const wait = (Thread: HANDLE) =>
        k.KeWaitForSingleObject(Thread, Executive, KernelMode, false, null);
      if (spec.end === 'graceful') {
        // Half-close, then read the rest of the echo up to the server's FIN.
        // Tried again while no IRP can be had: the close's reset instead could be lost.
        record.disconnect = (
          await retried(k, sync, (Irp) => Connection.WskDisconnect(Socket, null, 0, Irp))
        ).Status;
        // Not half-closed: no FIN will come back, the close resets instead.
        if (record.disconnect === STATUS_SUCCESS) await wait(Receiver.value!);
      }
      // With the connection up (the 'abort' end) the close resets it and cancels the receive.
      Closing = true;
      await closeSocket(k, sync, Socket);
      record.closedAt = ms();
      await wait(Receiver.value!);
    }
    k.WskReleaseProviderNPI(Registration);
    await k.WskDeregister(Registration);
    record.unloadedAt = ms();
    for (const hook of handles.onProgress) hook();
  };
}

// ---- The world and the check ----

/** The scenario's clients (see the header). */
export const CLIENTS: readonly EchoClientSpec[] = [
  { host: 'client4', ipv4: '10.0.0.11', at: 0, chunks: [1000, 3000, 500], end: 'graceful' },
  {
    host: 'client6', ipv6: 'fd00::12', at: 20, chunks: [2048, 10, 4096], hold: 600,
    end: 'graceful',
  },
  { host: 'clientR', ipv4: '10.0.0.13', at: 40, chunks: [1500], hold: 100, end: 'abort' },
];
/** 2.5 ms a hop; 5% loss and 2% reordering (5 ms late): the links of client4 and client6. */
export const LINK = { latency: '2500us', loss: 0.05, reorder: 0.02, reorderDelay: '5ms' } as const;
/** 2.5 ms a hop, nothing lost. */
const CLEAN = { latency: '2500us' } as const;
/**
 * Clients whose path to the server loses nothing: a RST is sent once and never retransmitted,
 * so clientR's, lost, would leave the server's connection open for ever (the sample has no idle
 * timeout, docs/model.md#echo-server-design) and the unload waiting for it.
 */
const LOSSLESS: readonly string[] = ['clientR'];

/**
 * Loads the server's driver on host 'server' and gives back its unload: what the I/O manager runs
 * (in a system thread of its own) to call the DriverUnload that DriverEntry set, if it set one.
 */
export type LoadEchoServer = (sim: Simulation, handles: Handles) => () => PromiseLike<void>;

/** The TypeScript port of the sample (serverDriver above). */
export const loadTsEchoServer: LoadEchoServer = (sim, handles) => {
  const DriverObject: DRIVER_OBJECT = { DriverUnload: null };
  sim.load('server', serverDriver(sim, handles, DriverObject));
  return async () => {
    await DriverObject.DriverUnload?.(DriverObject);
  };
};

/**
 * Builds the world: the server, its driver (by default the TypeScript port; echo-server-c.ts
 * loads the C build), the clients, the unload, any listener deaths.
 */
export function buildEchoServer(
  sim: Simulation,
  options: EchoOptions = {},
  loadServer: LoadEchoServer = loadTsEchoServer,
): Handles {
  const link = options.link ?? LINK;
  sim.addHost({ name: 'server', ipv4: SERVER.ipv4, ipv6: SERVER.ipv6 });
  sim.addSwitch('lan');
  sim.addLink('server', 'lan', CLEAN);
  sim.tcp('server');
  sim.kernel('server');
  const handles: Handles = {
    log: [],
    accepted: [],
    clients: new Map(),
    listener: null,
    unload: { start: -1, end: -1 },
    calls: new Map(),
    onProgress: [],
    errors: [],
  };
  const driverUnload = loadServer(sim, handles);
  const clients = options.clients ?? CLIENTS;
  const lossless = options.lossless ?? LOSSLESS;
  clients.forEach((spec, index) => {
    const { host, ipv4, ipv6 } = spec;
    sim.addHost({
      name: host,
      ...(ipv4 !== undefined && { ipv4 }),
      ...(ipv6 !== undefined && { ipv6 }),
    });
    sim.addLink(host, 'lan', lossless.includes(host) ? CLEAN : link);
    sim.tcp(host);
    sim.kernel(host);
    const driver = clientDriver(sim, spec, index, handles);
    sim.at(`${spec.at}ms`, `load ${host}`, () => void sim.load(host, driver));
  });
  // The I/O manager calls DriverUnload at PASSIVE_LEVEL in a system thread.
  const unload = () => {
    void sim.load('server', driverUnload);
  };
  const unloadAt = options.unloadAt ?? 'after-accepts';
  if (unloadAt !== 'after-accepts') sim.at(`${unloadAt}ms`, 'unload server', unload);
  else {
    // Every client accepted, or gone without (its connect or the server's accept failed).
    let scheduled = false;
    const accountedFor = (spec: EchoClientSpec): boolean =>
      peersOf(handles).includes(mapped(spec)) ||
      (handles.clients.get(spec.host)?.unloadedAt ?? -1) >= 0;
    handles.onProgress.push(() => {
      if (scheduled || !clients.every(accountedFor)) return;
      scheduled = true;
      sim.at(`${sim.now / 1e6 + 100}ms`, 'unload server', unload);
    });
  }
  for (const at of options.invalidateListenerAt ?? []) {
    sim.at(`${at}ms`, 'invalidate the listener', () => {
      if (handles.listener !== null) sim.kernel('server').wsk.sockets.invalidate(handles.listener);
    });
  }
  return handles;
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** The addresses of the peers the server accepted, in order (without their ports). */
function peersOf(handles: Handles): string[] {
  return handles.accepted.map((a) => a.replace(/^\[(.*)\]:\d+$/, '$1'));
}

/** The server's view of a client's address: IPv4 peers as IPv4-mapped IPv6 addresses. */
export function mapped(spec: EchoClientSpec): string {
  return spec.ipv4 !== undefined ? `::ffff:${spec.ipv4}` : (spec.ipv6 as string);
}

/**
 * The checks: each client connected; a graceful client got its bytes back, all and in order,
 * then the FIN; an aborting one got a prefix of them; the server accepted each client once,
 * IPv4 peers as IPv4-mapped addresses; `listeners` listening sockets were set up; each
 * connection's context was freed after its close completed; the unload ended after the last
 * client hung up; no host has a violation, an open socket or a pool block left.
 */
export function checkEchoServer(
  sim: Simulation,
  handles: Handles,
  clients: readonly EchoClientSpec[] = CLIENTS,
  listeners = 1,
): void {
  const fail = (what: string): never => {
    throw new Error(what);
  };
  checkNoErrors(handles.errors);
  let lastHangUp = 0;
  for (const spec of clients) {
    const c = handles.clients.get(spec.host) ?? fail(`${spec.host}: never ran`);
    if (c.connect !== STATUS_SUCCESS) fail(`${spec.host}: connect ${statusName(c.connect ?? STATUS_UNSUCCESSFUL)}`);
    const total = spec.chunks.reduce((n, size) => n + size, 0);
    if (c.sent.length !== total) fail(`${spec.host}: sent ${c.sent.length} of ${total} bytes`);
    const echoed = spec.end === 'graceful' ? c.received : c.sent.subarray(0, c.received.length);
    if (!same(echoed, c.received) || (spec.end === 'graceful' && !same(c.sent, c.received))) {
      const bad = c.received.findIndex((byte, i) => byte !== c.sent[i]);
      fail(`${spec.host}: echo of ${c.received.length} bytes differs at byte ${bad}`);
    }
    if (spec.end === 'graceful') {
      if (c.receiveEnd !== 'FIN') fail(`${spec.host}: receives ended ${c.receiveEnd}`);
      if (c.disconnect !== STATUS_SUCCESS)
        fail(`${spec.host}: disconnect ${statusName(c.disconnect ?? STATUS_UNSUCCESSFUL)}`);
    }
    if (c.unloadedAt < 0) fail(`${spec.host}: did not deregister`);
    lastHangUp = Math.max(lastHangUp, c.closedAt);
  }
  const peers = peersOf(handles);
  const expected = clients.map(mapped);
  if (JSON.stringify([...peers].sort()) !== JSON.stringify([...expected].sort()))
    fail(`accepted ${JSON.stringify(peers)}, expected ${JSON.stringify(expected)}`);
  const count = (text: string) => handles.log.filter((line) => line.endsWith(text)).length;
  if (count('SetupListeningSocket: L') !== listeners)
    fail(`${count('SetupListeningSocket: L')} listening sockets set up, expected ${listeners}`);
  for (let n = 1; n <= handles.accepted.length; n++) {
    const closed = handles.log.findIndex((l) => l.includes(`CloseIrpCompletionRoutine: c${n} `));
    const freed = handles.log.findIndex((l) => l.endsWith(`OpFree: c${n}`));
    if (closed < 0 || freed < closed) fail(`c${n}: freed at line ${freed}, closed at ${closed}`);
  }
  if (handles.unload.end < lastHangUp)
    fail(`unload ended at ${handles.unload.end} ms, before the last hang-up at ${lastHangUp} ms`);
  for (const host of ['server', ...clients.map((c) => c.host)]) {
    const k = sim.kernel(host);
    if (k.violations.length > 0) fail(`${host}: ${JSON.stringify(k.violations)}`);
    if (k.wsk.sockets.openSockets !== 0) fail(`${host}: sockets left open`);
    if (k.leaks().length > 0) fail(`${host}: pool leaks ${JSON.stringify(k.leaks())}`);
  }
  checkOncePerIrp(handles.calls);
}

export default defineScenario({
  name: 'echo-server',
  description:
    "The Windows-driver-samples WSK echo server on a dual-stack [::]:40007: IPv4, IPv6 and " +
    'resetting clients under loss; unload waits for the last client',
  seeds: [1, 2, 3],
  build: (sim) => buildEchoServer(sim),
  check: ({ sim }, handles) => checkEchoServer(sim, handles),
  limits: { time: '5m' },
});
