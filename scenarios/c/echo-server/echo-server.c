/*
 * echo-server.c: a WSK echo server driver in C, in the structure of the Windows-driver-samples WSK
 * echo server ("Windows-driver-samples: network/wsk/echosrv",
 * https://github.com/microsoft/Windows-driver-samples/tree/main/network/wsk/echosrv; the file
 * wsksmple.c) and call for call the same as our TypeScript port of it, scenarios/echo-server.ts
 * (its header is the design; docs/model.md#the-echo-server-sample). The code and comments are ours.
 *
 * One worker thread drains a work queue, an SList whose push wakes the worker through a
 * synchronization event when the list was empty; the accept callback and the completion routines
 * only queue operations. The listener is one AF_INET6 socket on [::]:40007 with IPV6_V6ONLY off,
 * its WskAcceptEvent switched on for every listening socket by WSK_SET_STATIC_EVENT_CALLBACKS.
 * Each connection gets two operation contexts, each with an IRP and a 2048-byte buffer, looping
 * receive -> send -> receive; a 0-byte receive leads to a graceful WskDisconnect, its completion
 * to WskCloseSocket, the close's completion to freeing the context. DriverUnload closes the
 * listener and waits in WskDeregister until every connection is closed.
 *
 * As in the TypeScript port, one race of the sample is fixed: a WskCloseSocket that pends
 * completes its IRP after the socket is closed ("PFN_WSK_CLOSE_SOCKET callback function (wsk.h)",
 * https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/wsk/nc-wsk-pfn_wsk_close_socket),
 * so WskDeregister may return before the close's completion routine queued the context's free.
 * WskSampleCloseReferences counts the closes whose completion routine has not run, plus one the
 * unload drops after WskDeregister; the last one sets WskSampleClosesDone, and the unload waits
 * on it before it stops the worker.
 *
 * What the TypeScript port substitutes, the C does as C: the SList is wdm.h's, CONTAINING_RECORD
 * is the macro, the contexts are pool blocks of sizeof() bytes, and a buffer is a pool block
 * described by an MDL. Two differences remain from the sample: MmBuildMdlForNonPagedPool is not
 * called (the model's MDLs describe their buffer from IoAllocateMdl on; it declares no such
 * routine), and WPP's generated header is our echo-server.tmh, whose DoTraceMessage hands each
 * message to the scenario as the TypeScript port's log line (scenarios/echo-server-c.ts).
 *
 * Build: `wsksim build-driver` of this folder's two .c files into one driver (io-manager.c is
 * the I/O manager's part the bridge lacks: keeping the DRIVER_OBJECT, calling DriverUnload). Of
 * what README "Testing your C driver" lists as bridged it uses wdm.h's SLIST_ENTRY, SLIST_HEADER,
 * InitializeSListHead, InterlockedPushEntrySList and InterlockedFlushSList; IoAllocateMdl and
 * IoFreeMdl over linear memory; wsk.h's WSK_SET_STATIC_EVENT_CALLBACKS with WskControlClient;
 * WskSend, WskReceive and WskDisconnect with their WSK_BUF.
 */
#include <ntddk.h>
#include <wsk.h>

/* WPP tracing: DoTraceMessage and its flags, from the stand-in for WPP's generated header. */
#include "echo-server.tmh"

/* Pool tags, written as multi-character constants: the bytes read "wsks" and "wskb". */
#define WSKSAMPLE_SOCKET_POOL_TAG ((ULONG)'sksw')
#define WSKSAMPLE_BUFFER_POOL_TAG ((ULONG)'bksw')

/* Bytes of each data buffer a receive fills and the matching send echoes. */
#define WSKSAMPLE_DATA_BUFFER_LENGTH 2048

/* Operations that can be outstanding on one socket at a time. */
#define WSKSAMPLE_OP_COUNT 2

typedef struct _WSKSAMPLE_SOCKET_OP_CONTEXT WSKSAMPLE_SOCKET_OP_CONTEXT,
    *PWSKSAMPLE_SOCKET_OP_CONTEXT;
typedef struct _WSKSAMPLE_SOCKET_CONTEXT WSKSAMPLE_SOCKET_CONTEXT, *PWSKSAMPLE_SOCKET_CONTEXT;

typedef VOID (*PWSKSAMPLE_OP_HANDLER_FN)(_In_ PWSKSAMPLE_SOCKET_OP_CONTEXT SocketOpContext);

/* A work queue drained by one worker thread; the worker exits when it is empty and Stop is set. */
typedef struct _WSKSAMPLE_WORK_QUEUE {
  SLIST_HEADER Head;
  KEVENT Event;
  BOOLEAN Stop;
  PETHREAD Thread;
} WSKSAMPLE_WORK_QUEUE, *PWSKSAMPLE_WORK_QUEUE;

/* One operation on a socket: its queue link, what to run, its IRP and its data buffer. */
struct _WSKSAMPLE_SOCKET_OP_CONTEXT {
  SLIST_ENTRY QueueEntry;
  PWSKSAMPLE_OP_HANDLER_FN OpHandler;
  PWSKSAMPLE_SOCKET_CONTEXT SocketContext;
  PIRP Irp;
  PVOID DataBuffer;
  PMDL DataMdl;
  ULONG BufferLength;
  ULONG DataLength;
};

/* One socket: the listener's, or an accepted connection's. */
struct _WSKSAMPLE_SOCKET_CONTEXT {
  PWSK_SOCKET Socket;
  PWSKSAMPLE_WORK_QUEUE WorkQueue;
  BOOLEAN Closing;
  /* The peer closed its half; ours is being (or was) disconnected. */
  BOOLEAN Disconnecting;
  /* Listening socket only: the unload asked it to stop. */
  BOOLEAN StopListening;
  WSKSAMPLE_SOCKET_OP_CONTEXT OpContext[WSKSAMPLE_OP_COUNT];
};

DRIVER_INITIALIZE DriverEntry;
DRIVER_UNLOAD WskSampleUnload;
KSTART_ROUTINE WskSampleWorkerThread;
IO_COMPLETION_ROUTINE WskSampleSyncIrpCompletionRoutine;
IO_COMPLETION_ROUTINE WskSampleReceiveIrpCompletionRoutine;
IO_COMPLETION_ROUTINE WskSampleSendIrpCompletionRoutine;
IO_COMPLETION_ROUTINE WskSampleDisconnectIrpCompletionRoutine;
IO_COMPLETION_ROUTINE WskSampleCloseIrpCompletionRoutine;

static NTSTATUS WSKAPI WskSampleAcceptEvent(_In_opt_ PVOID SocketContext, _In_ ULONG Flags,
    _In_ PSOCKADDR LocalAddress, _In_ PSOCKADDR RemoteAddress, _In_opt_ PWSK_SOCKET AcceptSocket,
    _Outptr_result_maybenull_ PVOID *AcceptSocketContext,
    _Outptr_result_maybenull_ const WSK_CLIENT_CONNECTION_DISPATCH **AcceptSocketDispatch);

static VOID WskSampleOpStartListen(_In_ PWSKSAMPLE_SOCKET_OP_CONTEXT SocketOpContext);
static VOID WskSampleOpStopListen(_In_ PWSKSAMPLE_SOCKET_OP_CONTEXT SocketOpContext);
static VOID WskSampleOpReceive(_In_ PWSKSAMPLE_SOCKET_OP_CONTEXT SocketOpContext);
static VOID WskSampleOpSend(_In_ PWSKSAMPLE_SOCKET_OP_CONTEXT SocketOpContext);
static VOID WskSampleOpDisconnect(_In_ PWSKSAMPLE_SOCKET_OP_CONTEXT SocketOpContext);
static VOID WskSampleOpClose(_In_ PWSKSAMPLE_SOCKET_OP_CONTEXT SocketOpContext);
static VOID WskSampleOpFree(_In_ PWSKSAMPLE_SOCKET_OP_CONTEXT SocketOpContext);

/* WSK 1.0, no WskClientEvent. */
static const WSK_CLIENT_DISPATCH WskSampleClientDispatch = {MAKE_WSK_VERSION(1, 0), 0, NULL};

static WSK_REGISTRATION WskSampleRegistration;

/* Listening sockets' callbacks: accept only, no conditional accept. */
static const WSK_CLIENT_LISTEN_DISPATCH WskSampleClientListenDispatch = {
    WskSampleAcceptEvent,
    NULL,
    NULL,
};

static PWSKSAMPLE_SOCKET_CONTEXT WskSampleListeningSocketContext = NULL;

static WSKSAMPLE_WORK_QUEUE WskSampleWorkQueue;

/* Not in the sample (see the header): closes whose completion routine has not run, plus one. */
static LONG WskSampleCloseReferences = 1;
static KEVENT WskSampleClosesDone;

/* [::]:40007, the port in network byte order. */
static SOCKADDR_IN6 IPv6ListeningAddress = {AF_INET6, 0x479c, 0, {{{0}}}, 0};

/* ---- helpers of our own ---- */

/*
 * Writes `Address` as text into `Text` for the accept trace: "[v6]:port" with the longest run of
 * two or more zero groups shortened to "::" and an IPv4-mapped address ending in dotted decimal
 * ("A Recommendation for IPv6 Address Text Representation", RFC 5952,
 * https://www.rfc-editor.org/rfc/rfc5952), or "a.b.c.d:port" for AF_INET.
 */
static VOID WskSampleFormatAddress(_In_ PSOCKADDR Address, _Out_writes_(64) PCHAR Text) {
  static const CHAR Hex[] = "0123456789abcdef";
  PCHAR out = Text;
  const UCHAR *bytes;
  USHORT port;
  ULONG i;

#define PUT_DECIMAL(Value)                                  \
  do {                                                      \
    CHAR digits[6];                                         \
    ULONG n = (Value), d = 0;                               \
    do {                                                    \
      digits[d++] = (CHAR)('0' + n % 10);                   \
      n /= 10;                                              \
    } while (n != 0);                                       \
    while (d > 0) *out++ = digits[--d];                     \
  } while (0)

  if (Address->sa_family == AF_INET) {
    PSOCKADDR_IN in = (PSOCKADDR_IN)Address;
    bytes = (const UCHAR *)&in->sin_addr;
    for (i = 0; i < 4; i++) {
      if (i > 0) *out++ = '.';
      PUT_DECIMAL(bytes[i]);
    }
    port = RtlUshortByteSwap(in->sin_port);
  } else {
    PSOCKADDR_IN6 in6 = (PSOCKADDR_IN6)Address;
    USHORT groups[8];
    LONG bestStart = -1, bestLength = 0, runStart = -1, runLength = 0;
    ULONG last = 8;
    BOOLEAN mapped;

    bytes = in6->sin6_addr.u.Byte;
    for (i = 0; i < 8; i++) groups[i] = (USHORT)((bytes[2 * i] << 8) | bytes[2 * i + 1]);
    mapped = groups[0] == 0 && groups[1] == 0 && groups[2] == 0 && groups[3] == 0 &&
             groups[4] == 0 && groups[5] == 0xffff;
    if (mapped) last = 6;
    for (i = 0; i < last; i++) {
      if (groups[i] == 0) {
        if (runStart < 0) runStart = (LONG)i;
        runLength++;
        if (runLength > bestLength) {
          bestStart = runStart;
          bestLength = runLength;
        }
      } else {
        runStart = -1;
        runLength = 0;
      }
    }
    if (bestLength < 2) bestStart = -1;
    *out++ = '[';
    for (i = 0; i < last; i++) {
      if ((LONG)i == bestStart) {
        *out++ = ':';
        *out++ = ':';
        i += (ULONG)bestLength - 1;
        continue;
      }
      if (i > 0 && (LONG)i != bestStart + bestLength) *out++ = ':';
      {
        USHORT g = groups[i];
        BOOLEAN started = FALSE;
        LONG shift;
        for (shift = 12; shift >= 0; shift -= 4) {
          UCHAR nibble = (UCHAR)((g >> shift) & 0xf);
          if (nibble != 0 || started || shift == 0) {
            *out++ = Hex[nibble];
            started = TRUE;
          }
        }
      }
    }
    if (mapped) {
      if (bestStart < 0 || bestStart + bestLength != 6) *out++ = ':';
      for (i = 12; i < 16; i++) {
        if (i > 12) *out++ = '.';
        PUT_DECIMAL(bytes[i]);
      }
    }
    *out++ = ']';
    port = RtlUshortByteSwap(in6->sin6_port);
  }
  *out++ = ':';
  PUT_DECIMAL(port);
  *out = '\0';
#undef PUT_DECIMAL
}

/* Drops one close reference (see the header); the last one sets WskSampleClosesDone. */
static VOID WskSampleReleaseCloseReference(VOID) {
  if (InterlockedDecrement(&WskSampleCloseReferences) == 0) {
    KeSetEvent(&WskSampleClosesDone, 0, FALSE);
  }
}

/* ---- the work queue ---- */

/* Queues an operation on a socket; wakes the worker when the queue was empty. */
static VOID WskSampleEnqueueOp(
    _In_ PWSKSAMPLE_SOCKET_OP_CONTEXT SocketOpContext, _In_ PWSKSAMPLE_OP_HANDLER_FN OpHandler) {
  PWSKSAMPLE_WORK_QUEUE workQueue = SocketOpContext->SocketContext->WorkQueue;

  SocketOpContext->OpHandler = OpHandler;

  if (InterlockedPushEntrySList(&workQueue->Head, &SocketOpContext->QueueEntry) == NULL) {
    KeSetEvent(&workQueue->Event, 0, FALSE);
  }
}

/* The worker: takes the whole queue at once and runs its operations in the order queued. */
VOID WskSampleWorkerThread(_In_ PVOID Context) {
  PWSKSAMPLE_WORK_QUEUE workQueue = (PWSKSAMPLE_WORK_QUEUE)Context;
  PSLIST_ENTRY listEntryRev, listEntry, next;

  for (;;) {
    listEntryRev = InterlockedFlushSList(&workQueue->Head);

    if (listEntryRev == NULL) {
      if (workQueue->Stop) {
        DoTraceMessage(TRCINFO, "WorkerThread: exit");
        break;
      }

      KeWaitForSingleObject(&workQueue->Event, Executive, KernelMode, FALSE, NULL);
      continue;
    }

    /* Pushed last is first: reverse the chain to get the order of the pushes back. */
    listEntry = NULL;
    while (listEntryRev != NULL) {
      next = listEntryRev->Next;
      listEntryRev->Next = listEntry;
      listEntry = listEntryRev;
      listEntryRev = next;
    }

    while (listEntry != NULL) {
      PWSKSAMPLE_SOCKET_OP_CONTEXT socketOpContext =
          CONTAINING_RECORD(listEntry, WSKSAMPLE_SOCKET_OP_CONTEXT, QueueEntry);
      PWSKSAMPLE_OP_HANDLER_FN opHandler = socketOpContext->OpHandler;

      /* Read the link first: the handler may queue the same context again. */
      listEntry = listEntry->Next;

      opHandler(socketOpContext);
    }
  }

  PsTerminateSystemThread(STATUS_SUCCESS);
}

/* Initialises a work queue and starts its worker thread. */
static NTSTATUS WskSampleStartWorkQueue(_Out_ PWSKSAMPLE_WORK_QUEUE WorkQueue) {
  NTSTATUS status;
  HANDLE threadHandle;

  InitializeSListHead(&WorkQueue->Head);
  KeInitializeEvent(&WorkQueue->Event, SynchronizationEvent, FALSE);
  WorkQueue->Stop = FALSE;

  status = PsCreateSystemThread(
      &threadHandle, THREAD_ALL_ACCESS, NULL, NULL, NULL, WskSampleWorkerThread, WorkQueue);

  if (!NT_SUCCESS(status)) {
    return status;
  }

  /* No object type, as the TypeScript port: the model accepts NULL here. */
  status = ObReferenceObjectByHandle(
      threadHandle, THREAD_ALL_ACCESS, NULL, KernelMode, (PVOID *)&WorkQueue->Thread, NULL);

  ZwClose(threadHandle);

  if (!NT_SUCCESS(status)) {
    WorkQueue->Stop = TRUE;
    KeSetEvent(&WorkQueue->Event, 0, FALSE);
  }

  return status;
}

/* Stops a work queue: the worker drains it, then exits; waits for the thread. */
static VOID WskSampleStopWorkQueue(_Inout_ PWSKSAMPLE_WORK_QUEUE WorkQueue) {
  ASSERT(WorkQueue->Stop == FALSE);
  ASSERT(WorkQueue->Thread != NULL);
  WorkQueue->Stop = TRUE;
  KeSetEvent(&WorkQueue->Event, 0, FALSE);
  KeWaitForSingleObject(WorkQueue->Thread, Executive, KernelMode, FALSE, NULL);
  ObDereferenceObject(WorkQueue->Thread);
}

/* ---- socket contexts ---- */

/* Frees a context once nothing of its socket is in flight: its IRPs, MDLs and buffers are idle. */
static VOID WskSampleFreeSocketContext(_In_ PWSKSAMPLE_SOCKET_CONTEXT SocketContext) {
  ULONG i;

  for (i = 0; i < WSKSAMPLE_OP_COUNT; i++) {
    PWSKSAMPLE_SOCKET_OP_CONTEXT opContext = &SocketContext->OpContext[i];
    if (opContext->Irp != NULL) {
      IoFreeIrp(opContext->Irp);
      opContext->Irp = NULL;
    }
    if (opContext->DataMdl != NULL) {
      IoFreeMdl(opContext->DataMdl);
      opContext->DataMdl = NULL;
    }
    if (opContext->DataBuffer != NULL) {
      ExFreePoolWithTag(opContext->DataBuffer, WSKSAMPLE_BUFFER_POOL_TAG);
      opContext->DataBuffer = NULL;
    }
  }

  DoTraceMessage(TRCINFO, "FreeSocketContext: %p", SocketContext);

  ExFreePoolWithTag(SocketContext, WSKSAMPLE_SOCKET_POOL_TAG);
}

/* Allocates a socket context with an IRP per operation, and data buffers when BufferLength > 0. */
static PWSKSAMPLE_SOCKET_CONTEXT WskSampleAllocateSocketContext(
    _In_ PWSKSAMPLE_WORK_QUEUE WorkQueue, _In_ ULONG BufferLength) {
  PWSKSAMPLE_SOCKET_CONTEXT socketContext;
  ULONG i;

  socketContext = (PWSKSAMPLE_SOCKET_CONTEXT)ExAllocatePoolWithTag(
      NonPagedPool, sizeof(WSKSAMPLE_SOCKET_CONTEXT), WSKSAMPLE_SOCKET_POOL_TAG);

  if (socketContext == NULL) {
    goto failure;
  }

  RtlZeroMemory(socketContext, sizeof(WSKSAMPLE_SOCKET_CONTEXT));
  socketContext->WorkQueue = WorkQueue;

  for (i = 0; i < WSKSAMPLE_OP_COUNT; i++) {
    PWSKSAMPLE_SOCKET_OP_CONTEXT opContext = &socketContext->OpContext[i];
    opContext->SocketContext = socketContext;

    opContext->Irp = IoAllocateIrp(1, FALSE);
    if (opContext->Irp == NULL) {
      goto failure;
    }

    if (BufferLength > 0) {
      opContext->DataBuffer =
          ExAllocatePoolWithTag(NonPagedPool, BufferLength, WSKSAMPLE_BUFFER_POOL_TAG);
      if (opContext->DataBuffer == NULL) {
        goto failure;
      }
      opContext->DataMdl = IoAllocateMdl(opContext->DataBuffer, BufferLength, FALSE, FALSE, NULL);
      if (opContext->DataMdl == NULL) {
        goto failure;
      }
      opContext->BufferLength = BufferLength;
    }
  }

  DoTraceMessage(TRCINFO, "AllocateSocketContext: %p", socketContext);
  return socketContext;

failure:
  DoTraceMessage(TRCERROR, "AllocateSocketContext: FAIL");

  if (socketContext != NULL) {
    WskSampleFreeSocketContext(socketContext);
  }

  return NULL;
}

/* ---- the listening socket ---- */

/* The waited-for calls' completion routine: wakes the waiter. */
NTSTATUS WskSampleSyncIrpCompletionRoutine(
    _In_ PDEVICE_OBJECT Reserved, _In_ PIRP Irp, _In_reads_opt_(_Inexpressible_("varies"))
    PVOID Context) {
  PKEVENT compEvent = (PKEVENT)Context;
  UNREFERENCED_PARAMETER(Reserved);
  UNREFERENCED_PARAMETER(Irp);
  KeSetEvent(compEvent, 2, FALSE);
  return STATUS_MORE_PROCESSING_REQUIRED;
}

/* Creates the listener: static accept callback, AF_INET6 made dual-stack, bound to [::]:40007. */
static VOID WskSampleSetupListeningSocket(
    _In_ PWSK_PROVIDER_NPI WskProviderNpi, _In_ PWSKSAMPLE_SOCKET_OP_CONTEXT SocketOpContext) {
  NTSTATUS status;
  WSK_EVENT_CALLBACK_CONTROL callbackControl;
  KEVENT compEvent;
  ULONG optionValue;
  PWSK_SOCKET listeningSocket = NULL;
  const WSK_PROVIDER_LISTEN_DISPATCH *dispatch = NULL;
  PWSKSAMPLE_SOCKET_CONTEXT socketContext = SocketOpContext->SocketContext;
  PIRP irp = SocketOpContext->Irp;

  KeInitializeEvent(&compEvent, SynchronizationEvent, FALSE);

  if (socketContext->Socket != NULL) {
    /* The accept callback was told of a dead listener: close it, then make a new one. */

    if (socketContext->StopListening) {
      /* Unloading: the listener is being closed anyway. */
      return;
    }

    IoReuseIrp(irp, STATUS_UNSUCCESSFUL);
    IoSetCompletionRoutine(irp, WskSampleSyncIrpCompletionRoutine, &compEvent, TRUE, TRUE, TRUE);

    ((const WSK_PROVIDER_LISTEN_DISPATCH *)socketContext->Socket->Dispatch)
        ->Basic.WskCloseSocket(socketContext->Socket, irp);

    KeWaitForSingleObject(&compEvent, Executive, KernelMode, FALSE, NULL);

    ASSERT(NT_SUCCESS(irp->IoStatus.Status));
    socketContext->Socket = NULL;

    IoReuseIrp(irp, STATUS_UNSUCCESSFUL);
  } else {
    /* The first listener: WskAcceptEvent enabled on every listening socket from its creation. */
    callbackControl.NpiId = (PNPIID)&NPI_WSK_INTERFACE_ID;
    callbackControl.EventMask = WSK_EVENT_ACCEPT;
    status = WskProviderNpi->Dispatch->WskControlClient(WskProviderNpi->Client,
        WSK_SET_STATIC_EVENT_CALLBACKS, sizeof(callbackControl), &callbackControl, 0, NULL, NULL,
        NULL);
    if (!NT_SUCCESS(status)) {
      DoTraceMessage(TRCERROR,
          "SetupListeningSocket: WSK_SET_STATIC_EVENT_CALLBACKS FAIL %!STATUS!", status);
      goto failexit;
    }
  }

  /* AF_INET6; IPV6_V6ONLY off below lets it take IPv4 connections too. */
  IoSetCompletionRoutine(irp, WskSampleSyncIrpCompletionRoutine, &compEvent, TRUE, TRUE, TRUE);

  WskProviderNpi->Dispatch->WskSocket(WskProviderNpi->Client, AF_INET6, SOCK_STREAM, IPPROTO_TCP,
      WSK_FLAG_LISTEN_SOCKET, socketContext, &WskSampleClientListenDispatch, NULL, NULL, NULL,
      irp);

  KeWaitForSingleObject(&compEvent, Executive, KernelMode, FALSE, NULL);

  if (!NT_SUCCESS(irp->IoStatus.Status)) {
    DoTraceMessage(TRCERROR, "SetupListeningSocket: WskSocket FAIL %!STATUS!",
        irp->IoStatus.Status);
    goto failexit;
  }

  listeningSocket = (PWSK_SOCKET)irp->IoStatus.Information;
  dispatch = (const WSK_PROVIDER_LISTEN_DISPATCH *)listeningSocket->Dispatch;

  /* IPV6_V6ONLY off, before the bind. */
  optionValue = 0;

  IoReuseIrp(irp, STATUS_UNSUCCESSFUL);
  IoSetCompletionRoutine(irp, WskSampleSyncIrpCompletionRoutine, &compEvent, TRUE, TRUE, TRUE);

  dispatch->Basic.WskControlSocket(listeningSocket, WskSetOption, IPV6_V6ONLY, IPPROTO_IPV6,
      sizeof(optionValue), &optionValue, 0, NULL, NULL, irp);

  KeWaitForSingleObject(&compEvent, Executive, KernelMode, FALSE, NULL);

  if (!NT_SUCCESS(irp->IoStatus.Status)) {
    DoTraceMessage(TRCERROR, "SetupListeningSocket: IPV6_V6ONLY FAIL %!STATUS!",
        irp->IoStatus.Status);
    goto failexit;
  }

  /* Bind to the wildcard: from then on WskAcceptEvent runs as connections arrive. */
  IoReuseIrp(irp, STATUS_UNSUCCESSFUL);
  IoSetCompletionRoutine(irp, WskSampleSyncIrpCompletionRoutine, &compEvent, TRUE, TRUE, TRUE);

  dispatch->WskBind(listeningSocket, (PSOCKADDR)&IPv6ListeningAddress, 0, irp);

  KeWaitForSingleObject(&compEvent, Executive, KernelMode, FALSE, NULL);

  if (!NT_SUCCESS(irp->IoStatus.Status)) {
    DoTraceMessage(TRCERROR, "SetupListeningSocket: WskBind FAIL %!STATUS!", irp->IoStatus.Status);
    goto failexit;
  }

  /* Kept only now that every step succeeded; on a failure it is closed below. */
  ASSERT(socketContext->Socket == NULL);
  socketContext->Socket = listeningSocket;

  DoTraceMessage(TRCINFO, "SetupListeningSocket: %p", socketContext);

  return;

failexit:
  if (listeningSocket != NULL) {
    IoReuseIrp(irp, STATUS_UNSUCCESSFUL);
    IoSetCompletionRoutine(irp, WskSampleSyncIrpCompletionRoutine, &compEvent, TRUE, TRUE, TRUE);

    dispatch->Basic.WskCloseSocket(listeningSocket, irp);
    KeWaitForSingleObject(&compEvent, Executive, KernelMode, FALSE, NULL);
  }
}

/* Operation: capture the provider NPI and set the listener up (the worker's first). */
static VOID WskSampleOpStartListen(_In_ PWSKSAMPLE_SOCKET_OP_CONTEXT SocketOpContext) {
  NTSTATUS status;
  WSK_PROVIDER_NPI wskProviderNpi;

  /* Each WSK call below is waited for, so nothing else runs on the worker until this is done. */
  status = WskCaptureProviderNPI(&WskSampleRegistration, WSK_INFINITE_WAIT, &wskProviderNpi);

  if (NT_SUCCESS(status)) {
    WskSampleSetupListeningSocket(&wskProviderNpi, SocketOpContext);

    /* Sockets outlive the NPI: it is not kept. */
    WskReleaseProviderNPI(&WskSampleRegistration);
  } else {
    /* WskDeregister (the unload) came before WSK was ready. */
    DoTraceMessage(TRCINFO, "OpStartListen: WskCaptureProviderNPI failed %!STATUS!", status);
  }
}

/* Operation: stop listening (the unload). */
static VOID WskSampleOpStopListen(_In_ PWSKSAMPLE_SOCKET_OP_CONTEXT SocketOpContext) {
  PWSKSAMPLE_SOCKET_CONTEXT socketContext = SocketOpContext->SocketContext;

  DoTraceMessage(TRCINFO, "OpStopListen: %p", socketContext);

  socketContext->StopListening = TRUE;

  if (socketContext->Socket == NULL) {
    /* No listener was made: only the context is left to free. */
    WskSampleEnqueueOp(SocketOpContext, WskSampleOpFree);
  } else {
    WskSampleEnqueueOp(SocketOpContext, WskSampleOpClose);
  }
}

/* The listener's WskAcceptEvent: a new connection, or a NULL socket when the listener died. */
static NTSTATUS WSKAPI WskSampleAcceptEvent(_In_opt_ PVOID SocketContext, _In_ ULONG Flags,
    _In_ PSOCKADDR LocalAddress, _In_ PSOCKADDR RemoteAddress, _In_opt_ PWSK_SOCKET AcceptSocket,
    _Outptr_result_maybenull_ PVOID *AcceptSocketContext,
    _Outptr_result_maybenull_ const WSK_CLIENT_CONNECTION_DISPATCH **AcceptSocketDispatch) {
  PWSKSAMPLE_SOCKET_CONTEXT listeningSocketContext = (PWSKSAMPLE_SOCKET_CONTEXT)SocketContext;
  PWSKSAMPLE_SOCKET_CONTEXT socketContext;
  CHAR remote[64];
  ULONG i;

  UNREFERENCED_PARAMETER(Flags);
  UNREFERENCED_PARAMETER(LocalAddress);

  if (AcceptSocket == NULL) {
    /* The listener no longer works, indicated once: operation context #0, which set it up, is
       idle, so it queues the re-creation, which closes the dead socket and makes a new one. */
    DoTraceMessage(TRCINFO, "AcceptEvent: %p NULL", listeningSocketContext);
    WskSampleEnqueueOp(&listeningSocketContext->OpContext[0], WskSampleOpStartListen);
    return STATUS_REQUEST_NOT_ACCEPTED;
  }

  socketContext = WskSampleAllocateSocketContext(&WskSampleWorkQueue, WSKSAMPLE_DATA_BUFFER_LENGTH);

  if (socketContext == NULL) {
    return STATUS_REQUEST_NOT_ACCEPTED;
  }

  socketContext->Socket = AcceptSocket;

  /* The sample leaves RemoteAddress unreferenced; the scenario reads the peer from this line. */
  WskSampleFormatAddress(RemoteAddress, remote);
  DoTraceMessage(TRCINFO, "AcceptEvent: %p %s", socketContext, remote);

  /* Two receives; each completed one is echoed by a send, each completed send receives again. */
  for (i = 0; i < WSKSAMPLE_OP_COUNT; i++) {
    WskSampleEnqueueOp(&socketContext->OpContext[i], WskSampleOpReceive);
  }

  /* Accepted sockets get no callbacks: no context, no dispatch table. */
  *AcceptSocketContext = NULL;
  *AcceptSocketDispatch = NULL;

  return STATUS_SUCCESS;
}

/* ---- the connection's operations ---- */

/* Operation: WskReceive into the context's buffer. */
static VOID WskSampleOpReceive(_In_ PWSKSAMPLE_SOCKET_OP_CONTEXT SocketOpContext) {
  PWSKSAMPLE_SOCKET_CONTEXT socketContext = SocketOpContext->SocketContext;
  const WSK_PROVIDER_CONNECTION_DISPATCH *dispatch;
  WSK_BUF wskbuf;

  if (socketContext->Closing || socketContext->Disconnecting) {
    /* Not while disconnecting or closing: this operation context is done. */
    DoTraceMessage(TRCINFO, "OpReceive: %p SKIP", socketContext);
  } else {
    dispatch = (const WSK_PROVIDER_CONNECTION_DISPATCH *)socketContext->Socket->Dispatch;

    wskbuf.Offset = 0;
    wskbuf.Length = SocketOpContext->BufferLength;
    wskbuf.Mdl = SocketOpContext->DataMdl;

    IoReuseIrp(SocketOpContext->Irp, STATUS_UNSUCCESSFUL);
    IoSetCompletionRoutine(SocketOpContext->Irp, WskSampleReceiveIrpCompletionRoutine,
        SocketOpContext, TRUE, TRUE, TRUE);

    DoTraceMessage(TRCINFO, "OpReceive: %p %u", socketContext, (ULONG)wskbuf.Length);

    /* The completion routine acts on the status. */
    dispatch->WskReceive(socketContext->Socket, &wskbuf, 0, SocketOpContext->Irp);
  }
}

/* WskReceive's completion: close on a failure, disconnect on 0 bytes, else echo. */
NTSTATUS WskSampleReceiveIrpCompletionRoutine(
    _In_ PDEVICE_OBJECT Reserved, _In_ PIRP Irp, _In_reads_opt_(_Inexpressible_("varies"))
    PVOID Context) {
  PWSKSAMPLE_SOCKET_OP_CONTEXT socketOpContext = (PWSKSAMPLE_SOCKET_OP_CONTEXT)Context;
  PWSKSAMPLE_SOCKET_CONTEXT socketContext = socketOpContext->SocketContext;

  UNREFERENCED_PARAMETER(Reserved);

  DoTraceMessage(TRCINFO, "ReceiveIrpCompletionRoutine: %p %!STATUS! %u", socketContext,
      Irp->IoStatus.Status, (ULONG)Irp->IoStatus.Information);

  if (!NT_SUCCESS(Irp->IoStatus.Status)) {
    WskSampleEnqueueOp(socketOpContext, WskSampleOpClose);
  } else if (Irp->IoStatus.Information == 0) {
    /* 0 bytes: the peer closed its half gracefully; disconnect ours. */
    WskSampleEnqueueOp(socketOpContext, WskSampleOpDisconnect);
  } else {
    /* Echo from the same buffer: remember how much arrived. */
    socketOpContext->DataLength = (ULONG)Irp->IoStatus.Information;
    WskSampleEnqueueOp(socketOpContext, WskSampleOpSend);
  }

  return STATUS_MORE_PROCESSING_REQUIRED;
}

/* Operation: WskSend of what the receive got. */
static VOID WskSampleOpSend(_In_ PWSKSAMPLE_SOCKET_OP_CONTEXT SocketOpContext) {
  PWSKSAMPLE_SOCKET_CONTEXT socketContext = SocketOpContext->SocketContext;
  const WSK_PROVIDER_CONNECTION_DISPATCH *dispatch;
  WSK_BUF wskbuf;

  if (socketContext->Closing || socketContext->Disconnecting) {
    DoTraceMessage(TRCINFO, "OpSend: %p SKIP", socketContext);
  } else {
    dispatch = (const WSK_PROVIDER_CONNECTION_DISPATCH *)socketContext->Socket->Dispatch;

    wskbuf.Offset = 0;
    wskbuf.Length = SocketOpContext->DataLength;
    wskbuf.Mdl = SocketOpContext->DataMdl;

    IoReuseIrp(SocketOpContext->Irp, STATUS_UNSUCCESSFUL);
    IoSetCompletionRoutine(SocketOpContext->Irp, WskSampleSendIrpCompletionRoutine,
        SocketOpContext, TRUE, TRUE, TRUE);

    DoTraceMessage(TRCINFO, "OpSend: %p %u", socketContext, (ULONG)wskbuf.Length);

    dispatch->WskSend(socketContext->Socket, &wskbuf, 0, SocketOpContext->Irp);
  }
}

/* WskSend's completion: close on a failure, else receive again. */
NTSTATUS WskSampleSendIrpCompletionRoutine(
    _In_ PDEVICE_OBJECT Reserved, _In_ PIRP Irp, _In_reads_opt_(_Inexpressible_("varies"))
    PVOID Context) {
  PWSKSAMPLE_SOCKET_OP_CONTEXT socketOpContext = (PWSKSAMPLE_SOCKET_OP_CONTEXT)Context;
  PWSKSAMPLE_SOCKET_CONTEXT socketContext = socketOpContext->SocketContext;

  UNREFERENCED_PARAMETER(Reserved);

  DoTraceMessage(TRCINFO, "SendIrpCompletionRoutine: %p %!STATUS! %u", socketContext,
      Irp->IoStatus.Status, (ULONG)Irp->IoStatus.Information);

  if (!NT_SUCCESS(Irp->IoStatus.Status)) {
    WskSampleEnqueueOp(socketOpContext, WskSampleOpClose);
  } else {
    WskSampleEnqueueOp(socketOpContext, WskSampleOpReceive);
  }

  return STATUS_MORE_PROCESSING_REQUIRED;
}

/* Operation: graceful WskDisconnect. */
static VOID WskSampleOpDisconnect(_In_ PWSKSAMPLE_SOCKET_OP_CONTEXT SocketOpContext) {
  PWSKSAMPLE_SOCKET_CONTEXT socketContext = SocketOpContext->SocketContext;
  const WSK_PROVIDER_CONNECTION_DISPATCH *dispatch;

  if (socketContext->Closing || socketContext->Disconnecting) {
    /* Both receives see the FIN as 0 bytes, so this may be queued twice. */
    DoTraceMessage(TRCINFO, "OpDisconnect: %p SKIP", socketContext);
  } else {
    dispatch = (const WSK_PROVIDER_CONNECTION_DISPATCH *)socketContext->Socket->Dispatch;

    socketContext->Disconnecting = TRUE;

    IoReuseIrp(SocketOpContext->Irp, STATUS_UNSUCCESSFUL);
    IoSetCompletionRoutine(SocketOpContext->Irp, WskSampleDisconnectIrpCompletionRoutine,
        SocketOpContext, TRUE, TRUE, TRUE);

    DoTraceMessage(TRCINFO, "OpDisconnect: %p", socketContext);

    dispatch->WskDisconnect(socketContext->Socket, NULL, 0, SocketOpContext->Irp);
  }
}

/* WskDisconnect's completion: close, whatever the status. */
NTSTATUS WskSampleDisconnectIrpCompletionRoutine(
    _In_ PDEVICE_OBJECT Reserved, _In_ PIRP Irp, _In_reads_opt_(_Inexpressible_("varies"))
    PVOID Context) {
  PWSKSAMPLE_SOCKET_OP_CONTEXT socketOpContext = (PWSKSAMPLE_SOCKET_OP_CONTEXT)Context;
  PWSKSAMPLE_SOCKET_CONTEXT socketContext = socketOpContext->SocketContext;

  UNREFERENCED_PARAMETER(Reserved);

  DoTraceMessage(TRCINFO, "DisconnectIrpCompletionRoutine: %p %!STATUS!", socketContext,
      Irp->IoStatus.Status);

  WskSampleEnqueueOp(socketOpContext, WskSampleOpClose);

  return STATUS_MORE_PROCESSING_REQUIRED;
}

/* Operation: WskCloseSocket. */
static VOID WskSampleOpClose(_In_ PWSKSAMPLE_SOCKET_OP_CONTEXT SocketOpContext) {
  PWSKSAMPLE_SOCKET_CONTEXT socketContext = SocketOpContext->SocketContext;
  const WSK_PROVIDER_BASIC_DISPATCH *dispatch;

  if (socketContext->Closing) {
    /* Several failed operations may each queue a close. */
    DoTraceMessage(TRCINFO, "OpClose: %p SKIP", socketContext);
  } else {
    socketContext->Closing = TRUE;

    dispatch = (const WSK_PROVIDER_BASIC_DISPATCH *)socketContext->Socket->Dispatch;

    IoReuseIrp(SocketOpContext->Irp, STATUS_UNSUCCESSFUL);
    IoSetCompletionRoutine(SocketOpContext->Irp, WskSampleCloseIrpCompletionRoutine,
        SocketOpContext, TRUE, TRUE, TRUE);

    DoTraceMessage(TRCINFO, "OpClose: %p", socketContext);

    /* Not in the sample: the unload waits for this close's completion routine. */
    InterlockedIncrement(&WskSampleCloseReferences);

    dispatch->WskCloseSocket(socketContext->Socket, SocketOpContext->Irp);
  }
}

/* WskCloseSocket's completion: queue the free behind whatever is still queued for the socket
   (those operations see Closing and do nothing); nothing is queued after it, as only the socket's
   completions queue operations and the close ended them all. */
NTSTATUS WskSampleCloseIrpCompletionRoutine(
    _In_ PDEVICE_OBJECT Reserved, _In_ PIRP Irp, _In_reads_opt_(_Inexpressible_("varies"))
    PVOID Context) {
  PWSKSAMPLE_SOCKET_OP_CONTEXT socketOpContext = (PWSKSAMPLE_SOCKET_OP_CONTEXT)Context;
  PWSKSAMPLE_SOCKET_CONTEXT socketContext = socketOpContext->SocketContext;

  UNREFERENCED_PARAMETER(Reserved);

  /* A close does not fail. */
  ASSERT(NT_SUCCESS(Irp->IoStatus.Status));

  DoTraceMessage(TRCINFO, "CloseIrpCompletionRoutine: %p %!STATUS!", socketContext,
      Irp->IoStatus.Status);

  WskSampleEnqueueOp(socketOpContext, WskSampleOpFree);
  WskSampleReleaseCloseReference();

  return STATUS_MORE_PROCESSING_REQUIRED;
}

/* Operation: free a closed socket's context. */
static VOID WskSampleOpFree(_In_ PWSKSAMPLE_SOCKET_OP_CONTEXT SocketOpContext) {
  PWSKSAMPLE_SOCKET_CONTEXT socketContext = SocketOpContext->SocketContext;

  DoTraceMessage(TRCINFO, "OpFree: %p", socketContext);

  ASSERT(socketContext->Closing || socketContext->StopListening);
  WskSampleFreeSocketContext(socketContext);
}

/* ---- load and unload ---- */

NTSTATUS DriverEntry(_In_ PDRIVER_OBJECT DriverObject, _In_ PUNICODE_STRING RegistryPath) {
  NTSTATUS status;
  WSK_CLIENT_NPI wskClientNpi;

  UNREFERENCED_PARAMETER(RegistryPath);

  KeInitializeEvent(&WskSampleClosesDone, NotificationEvent, FALSE);

  /* The listener's context: its first operation sets the listener up. */
  WskSampleListeningSocketContext = WskSampleAllocateSocketContext(&WskSampleWorkQueue, 0);

  if (WskSampleListeningSocketContext == NULL) {
    return STATUS_INSUFFICIENT_RESOURCES;
  }

  wskClientNpi.ClientContext = NULL;
  wskClientNpi.Dispatch = &WskSampleClientDispatch;
  status = WskRegister(&wskClientNpi, &WskSampleRegistration);

  if (!NT_SUCCESS(status)) {
    WskSampleFreeSocketContext(WskSampleListeningSocketContext);
    return status;
  }

  status = WskSampleStartWorkQueue(&WskSampleWorkQueue);

  if (!NT_SUCCESS(status)) {
    WskDeregister(&WskSampleRegistration);
    WskSampleFreeSocketContext(WskSampleListeningSocketContext);
    return status;
  }

  WskSampleEnqueueOp(&WskSampleListeningSocketContext->OpContext[0], WskSampleOpStartListen);

  /* Everything started: the driver may be unloaded from now on. */
  DriverObject->DriverUnload = WskSampleUnload;

  DoTraceMessage(TRCINFO, "LOADED");

  return STATUS_SUCCESS;
}

VOID WskSampleUnload(_In_ PDRIVER_OBJECT DriverObject) {
  UNREFERENCED_PARAMETER(DriverObject);

  DoTraceMessage(TRCINFO, "UNLOAD START");

  /* Close the listener. Accepted connections stay until their peers hang up, and WskDeregister
     waits for every socket to be closed: the unload lasts until the last client is gone. */
  WskSampleEnqueueOp(&WskSampleListeningSocketContext->OpContext[1], WskSampleOpStopListen);

  /* If the worker has not captured the NPI yet, its capture fails and the queue still drains. */
  WskDeregister(&WskSampleRegistration);

  /* Every socket is closed, but a pended close's completion may not have queued its free yet. */
  WskSampleReleaseCloseReference();
  if (WskSampleCloseReferences > 0) DoTraceMessage(TRCINFO, "UNLOAD: waiting for closes");
  KeWaitForSingleObject(&WskSampleClosesDone, Executive, KernelMode, FALSE, NULL);

  /* No socket left and every free queued: nothing more can be queued. Stop the worker, which
     drains the queue first. */
  WskSampleStopWorkQueue(&WskSampleWorkQueue);

  DoTraceMessage(TRCINFO, "UNLOAD END");
}
