/*
 * The provider dispatch tables of wsk.h, in the runtime compiled into every driver: each member
 * is a function of the member's type that forwards its arguments to the bridge's import of the
 * same name (src/cdriver/wsk-imports.ts), so the driver reaches the model through the function
 * pointer, as it reaches the WSK subsystem on Windows. A member the bridge does not carry yet
 * calls __wsksim_unbridged with its name, and the run fails naming it.
 */
#include <wsk.h>

#define IMPORT(name) __attribute__((import_module("wsksim"), import_name(#name)))
#define EXPORT(name) __attribute__((export_name(#name)))

IMPORT(unbridged) void WsksimUnbridged(const char *Member);

/* ---- the model's routines, as the bridge imports them ---- */

IMPORT(WskSocket)
NTSTATUS ImportWskSocket(PWSK_CLIENT, ADDRESS_FAMILY, USHORT, ULONG, ULONG, PVOID, const VOID *,
                         PEPROCESS, PETHREAD, PSECURITY_DESCRIPTOR, PIRP);
IMPORT(WskSocketConnect)
NTSTATUS ImportWskSocketConnect(PWSK_CLIENT, USHORT, ULONG, PSOCKADDR, PSOCKADDR, ULONG, PVOID,
                                const WSK_CLIENT_CONNECTION_DISPATCH *, PEPROCESS, PETHREAD,
                                PSECURITY_DESCRIPTOR, PIRP);
IMPORT(WskControlSocket)
NTSTATUS ImportWskControlSocket(PWSK_SOCKET, WSK_CONTROL_SOCKET_TYPE, ULONG, ULONG, SIZE_T, PVOID,
                                SIZE_T, PVOID, SIZE_T *, PIRP);
IMPORT(WskCloseSocket) NTSTATUS ImportWskCloseSocket(PWSK_SOCKET, PIRP);
IMPORT(WskBind) NTSTATUS ImportWskBind(PWSK_SOCKET, PSOCKADDR, ULONG, PIRP);
IMPORT(WskAccept)
NTSTATUS ImportWskAccept(PWSK_SOCKET, ULONG, PVOID, const WSK_CLIENT_CONNECTION_DISPATCH *,
                         PSOCKADDR, PSOCKADDR, PIRP);
IMPORT(WskInspectComplete)
NTSTATUS ImportWskInspectComplete(PWSK_SOCKET, PWSK_INSPECT_ID, WSK_INSPECT_ACTION, PIRP);
IMPORT(WskGetLocalAddress) NTSTATUS ImportWskGetLocalAddress(PWSK_SOCKET, PSOCKADDR, PIRP);
IMPORT(WskGetRemoteAddress) NTSTATUS ImportWskGetRemoteAddress(PWSK_SOCKET, PSOCKADDR, PIRP);
IMPORT(WskConnect) NTSTATUS ImportWskConnect(PWSK_SOCKET, PSOCKADDR, ULONG, PIRP);
IMPORT(WskListen) NTSTATUS ImportWskListen(PWSK_SOCKET, PIRP);
IMPORT(WskControlClient)
NTSTATUS ImportWskControlClient(PWSK_CLIENT, ULONG, SIZE_T, PVOID, SIZE_T, PVOID, SIZE_T *, PIRP);
IMPORT(WskSend) NTSTATUS ImportWskSend(PWSK_SOCKET, PWSK_BUF, ULONG, PIRP);
IMPORT(WskReceive) NTSTATUS ImportWskReceive(PWSK_SOCKET, PWSK_BUF, ULONG, PIRP);
IMPORT(WskDisconnect) NTSTATUS ImportWskDisconnect(PWSK_SOCKET, PWSK_BUF, ULONG, PIRP);
IMPORT(WskRelease) NTSTATUS ImportWskRelease(PWSK_SOCKET, PWSK_DATA_INDICATION);

/* ---- members: forwarders ---- */

static NTSTATUS WSKAPI ShimWskSocket(PWSK_CLIENT Client, ADDRESS_FAMILY AddressFamily,
    USHORT SocketType, ULONG Protocol, ULONG Flags, PVOID SocketContext, const VOID *Dispatch,
    PEPROCESS OwningProcess, PETHREAD OwningThread, PSECURITY_DESCRIPTOR SecurityDescriptor,
    PIRP Irp) {
  return ImportWskSocket(Client, AddressFamily, SocketType, Protocol, Flags, SocketContext,
                         Dispatch, OwningProcess, OwningThread, SecurityDescriptor, Irp);
}

static NTSTATUS WSKAPI ShimWskSocketConnect(PWSK_CLIENT Client, USHORT SocketType, ULONG Protocol,
    PSOCKADDR LocalAddress, PSOCKADDR RemoteAddress, ULONG Flags, PVOID SocketContext,
    const WSK_CLIENT_CONNECTION_DISPATCH *Dispatch, PEPROCESS OwningProcess,
    PETHREAD OwningThread, PSECURITY_DESCRIPTOR SecurityDescriptor, PIRP Irp) {
  return ImportWskSocketConnect(Client, SocketType, Protocol, LocalAddress, RemoteAddress, Flags,
                                SocketContext, Dispatch, OwningProcess, OwningThread,
                                SecurityDescriptor, Irp);
}

static NTSTATUS WSKAPI ShimWskControlSocket(PWSK_SOCKET Socket, WSK_CONTROL_SOCKET_TYPE RequestType,
    ULONG ControlCode, ULONG Level, SIZE_T InputSize, PVOID InputBuffer, SIZE_T OutputSize,
    PVOID OutputBuffer, SIZE_T *OutputSizeReturned, PIRP Irp) {
  return ImportWskControlSocket(Socket, RequestType, ControlCode, Level, InputSize, InputBuffer,
                                OutputSize, OutputBuffer, OutputSizeReturned, Irp);
}

static NTSTATUS WSKAPI ShimWskCloseSocket(PWSK_SOCKET Socket, PIRP Irp) {
  return ImportWskCloseSocket(Socket, Irp);
}

static NTSTATUS WSKAPI ShimWskBind(PWSK_SOCKET Socket, PSOCKADDR LocalAddress, ULONG Flags, PIRP Irp) {
  return ImportWskBind(Socket, LocalAddress, Flags, Irp);
}

static NTSTATUS WSKAPI ShimWskAccept(PWSK_SOCKET ListenSocket, ULONG Flags,
    PVOID AcceptSocketContext, const WSK_CLIENT_CONNECTION_DISPATCH *AcceptSocketDispatch,
    PSOCKADDR LocalAddress, PSOCKADDR RemoteAddress, PIRP Irp) {
  return ImportWskAccept(ListenSocket, Flags, AcceptSocketContext, AcceptSocketDispatch,
                         LocalAddress, RemoteAddress, Irp);
}

static NTSTATUS WSKAPI ShimWskInspectComplete(PWSK_SOCKET ListenSocket, PWSK_INSPECT_ID InspectID,
    WSK_INSPECT_ACTION Action, PIRP Irp) {
  return ImportWskInspectComplete(ListenSocket, InspectID, Action, Irp);
}

static NTSTATUS WSKAPI ShimWskGetLocalAddress(PWSK_SOCKET Socket, PSOCKADDR LocalAddress, PIRP Irp) {
  return ImportWskGetLocalAddress(Socket, LocalAddress, Irp);
}

static NTSTATUS WSKAPI ShimWskGetRemoteAddress(PWSK_SOCKET Socket, PSOCKADDR RemoteAddress,
                                               PIRP Irp) {
  return ImportWskGetRemoteAddress(Socket, RemoteAddress, Irp);
}

static NTSTATUS WSKAPI ShimWskConnect(PWSK_SOCKET Socket, PSOCKADDR RemoteAddress, ULONG Flags,
                                      PIRP Irp) {
  return ImportWskConnect(Socket, RemoteAddress, Flags, Irp);
}

static NTSTATUS WSKAPI ShimWskListen(PWSK_SOCKET Socket, PIRP Irp) {
  return ImportWskListen(Socket, Irp);
}

/* ---- WskControlClient and the data path; UNBRIDGED is for a member the bridge does not carry
   (none today); the slots of WskConnectEx, WskSendEx and WskReceiveEx, which the model does not
   have, are NULL ---- */

#define UNBRIDGED(Member) \
  do { \
    WsksimUnbridged(Member); \
    return STATUS_NOT_SUPPORTED; \
  } while (0)

static NTSTATUS WSKAPI ShimWskControlClient(PWSK_CLIENT Client, ULONG ControlCode, SIZE_T InputSize,
    PVOID InputBuffer, SIZE_T OutputSize, PVOID OutputBuffer, SIZE_T *OutputSizeReturned,
    PIRP Irp) {
  return ImportWskControlClient(Client, ControlCode, InputSize, InputBuffer, OutputSize,
                                OutputBuffer, OutputSizeReturned, Irp);
}
static NTSTATUS WSKAPI ShimWskSend(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags, PIRP Irp) {
  return ImportWskSend(Socket, Buffer, Flags, Irp);
}
static NTSTATUS WSKAPI ShimWskReceive(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags, PIRP Irp) {
  return ImportWskReceive(Socket, Buffer, Flags, Irp);
}
static NTSTATUS WSKAPI ShimWskDisconnect(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags,
                                         PIRP Irp) {
  return ImportWskDisconnect(Socket, Buffer, Flags, Irp);
}
static NTSTATUS WSKAPI ShimWskRelease(PWSK_SOCKET Socket, PWSK_DATA_INDICATION DataIndication) {
  return ImportWskRelease(Socket, DataIndication);
}

/* ---- name resolution (wsk-names.c) ---- */

NTSTATUS WSKAPI ShimWskGetAddressInfo(PWSK_CLIENT, PUNICODE_STRING, PUNICODE_STRING, ULONG, GUID *,
                                      PADDRINFOEXW, PADDRINFOEXW *, PEPROCESS, PETHREAD, PIRP);
VOID WSKAPI ShimWskFreeAddressInfo(PWSK_CLIENT, PADDRINFOEXW);
NTSTATUS WSKAPI ShimWskGetNameInfo(PWSK_CLIENT, PSOCKADDR, ULONG, PUNICODE_STRING,
                                   PUNICODE_STRING, ULONG, PEPROCESS, PETHREAD, PIRP);

/* ---- the datagram socket's own members (wsk-datagram.c) ---- */

NTSTATUS WSKAPI ShimWskSendTo(PWSK_SOCKET, PWSK_BUF, ULONG, PSOCKADDR, ULONG, PVOID, PIRP);
NTSTATUS WSKAPI ShimWskReceiveFrom(PWSK_SOCKET, PWSK_BUF, ULONG, PSOCKADDR, PULONG, PVOID, PULONG,
                                   PIRP);
NTSTATUS WSKAPI ShimWskReleaseDatagrams(PWSK_SOCKET, PWSK_DATAGRAM_INDICATION);
NTSTATUS WSKAPI ShimWskSendMessages(PWSK_SOCKET, PWSK_BUF_LIST, ULONG, PSOCKADDR, ULONG, PVOID,
                                    PIRP);

/* ---- the tables ---- */

static const WSK_PROVIDER_DISPATCH ProviderDispatch = {
    MAKE_WSK_VERSION(1, 0), 0, ShimWskSocket, ShimWskSocketConnect, ShimWskControlClient,
    ShimWskGetAddressInfo, ShimWskFreeAddressInfo, ShimWskGetNameInfo};

#define BASIC {ShimWskControlSocket, ShimWskCloseSocket}

static const WSK_PROVIDER_BASIC_DISPATCH BasicDispatch = BASIC;

static const WSK_PROVIDER_LISTEN_DISPATCH ListenDispatch = {
    BASIC, ShimWskBind, ShimWskAccept, ShimWskInspectComplete, ShimWskGetLocalAddress};

static const WSK_PROVIDER_DATAGRAM_DISPATCH DatagramDispatch = {
    BASIC, ShimWskBind, ShimWskSendTo, ShimWskReceiveFrom, ShimWskReleaseDatagrams,
    ShimWskGetLocalAddress, ShimWskSendMessages};

static const WSK_PROVIDER_CONNECTION_DISPATCH ConnectionDispatch = {
    BASIC, ShimWskBind, ShimWskConnect, ShimWskGetLocalAddress, ShimWskGetRemoteAddress,
    ShimWskSend, ShimWskReceive, ShimWskDisconnect, ShimWskRelease, NULL, NULL, NULL};

static const WSK_PROVIDER_STREAM_DISPATCH StreamDispatch = {
    BASIC, ShimWskBind, ShimWskAccept, ShimWskConnect, ShimWskListen, ShimWskSend,
    ShimWskReceive, ShimWskDisconnect, ShimWskRelease, ShimWskGetLocalAddress,
    ShimWskGetRemoteAddress, NULL, NULL, NULL};

/* The table of a category, by the index src/cdriver/layout.ts gives it. */
EXPORT(__wsksim_dispatch_table) const VOID *WsksimDispatchTable(int Category) {
  switch (Category) {
    case 0: return &ProviderDispatch;
    case 1: return &BasicDispatch;
    case 2: return &ListenDispatch;
    case 3: return &ConnectionDispatch;
    case 4: return &DatagramDispatch;
    case 5: return &StreamDispatch;
    default: return NULL;
  }
}
