/*
 * The datagram socket's members of WSK_PROVIDER_DATAGRAM_DISPATCH that are not shared with the
 * other categories (WskSendTo, WskReceiveFrom, WskRelease of a datagram indication list,
 * WskSendMessages), each forwarding to the bridge's import of the same name
 * (src/cdriver/datagram-imports.ts), and the trampoline the bridge calls a driver's
 * WskReceiveFromEvent through. wsk-dispatch.c puts them in its DatagramDispatch table. Pages:
 * "WSK_PROVIDER_DATAGRAM_DISPATCH structure (wsk.h)",
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wsk/ns-wsk-_wsk_provider_datagram_dispatch;
 * "PFN_WSK_RECEIVE_FROM_EVENT callback function (wsk.h)",
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wsk/nc-wsk-pfn_wsk_receive_from_event.
 */
#include <wsk.h>

#define IMPORT(name) __attribute__((import_module("wsksim"), import_name(#name)))
#define EXPORT(name) __attribute__((export_name(#name)))

IMPORT(WskSendTo)
NTSTATUS ImportWskSendTo(PWSK_SOCKET, PWSK_BUF, ULONG, PSOCKADDR, ULONG, PVOID, PIRP);
IMPORT(WskReceiveFrom)
NTSTATUS ImportWskReceiveFrom(PWSK_SOCKET, PWSK_BUF, ULONG, PSOCKADDR, PULONG, PVOID, PULONG,
                              PIRP);
/* Its own import name: a connection socket's WskRelease takes another structure. */
IMPORT(WskReleaseDatagramIndicationList)
NTSTATUS ImportWskReleaseDatagrams(PWSK_SOCKET, PWSK_DATAGRAM_INDICATION);
IMPORT(WskSendMessages)
NTSTATUS ImportWskSendMessages(PWSK_SOCKET, PWSK_BUF_LIST, ULONG, PSOCKADDR, ULONG, PVOID, PIRP);

NTSTATUS WSKAPI ShimWskSendTo(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags,
    PSOCKADDR RemoteAddress, ULONG ControlInfoLength, PVOID ControlInfo, PIRP Irp) {
  return ImportWskSendTo(Socket, Buffer, Flags, RemoteAddress, ControlInfoLength, ControlInfo,
                         Irp);
}

NTSTATUS WSKAPI ShimWskReceiveFrom(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags,
    PSOCKADDR RemoteAddress, PULONG ControlLength, PVOID ControlInfo, PULONG ControlFlags,
    PIRP Irp) {
  return ImportWskReceiveFrom(Socket, Buffer, Flags, RemoteAddress, ControlLength, ControlInfo,
                              ControlFlags, Irp);
}

NTSTATUS WSKAPI ShimWskReleaseDatagrams(PWSK_SOCKET Socket,
                                        PWSK_DATAGRAM_INDICATION DatagramIndication) {
  return ImportWskReleaseDatagrams(Socket, DatagramIndication);
}

NTSTATUS WSKAPI ShimWskSendMessages(PWSK_SOCKET Socket, PWSK_BUF_LIST BufferList, ULONG Flags,
    PSOCKADDR RemoteAddress, ULONG ControlInfoLength, PVOID ControlInfo, PIRP Irp) {
  return ImportWskSendMessages(Socket, BufferList, Flags, RemoteAddress, ControlInfoLength,
                               ControlInfo, Irp);
}

EXPORT(__wsksim_call_receive_from_event)
NTSTATUS WsksimCallReceiveFromEvent(PFN_WSK_RECEIVE_FROM_EVENT Routine, PVOID SocketContext,
                                    ULONG Flags, PWSK_DATAGRAM_INDICATION DataIndication) {
  return Routine(SocketContext, Flags, DataIndication);
}
