/*
 * WSK_PROVIDER_DISPATCH's name resolution members (WskGetAddressInfo, WskFreeAddressInfo,
 * WskGetNameInfo), each forwarding to the bridge's import of the same name
 * (src/cdriver/name-imports.ts); wsk-dispatch.c puts them in its ProviderDispatch table.
 * Pages: "PFN_WSK_GET_ADDRESS_INFO callback function (wsk.h)",
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wsk/nc-wsk-pfn_wsk_get_address_info;
 * "PFN_WSK_GET_NAME_INFO callback function (wsk.h)",
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wsk/nc-wsk-pfn_wsk_get_name_info.
 */
#include <wsk.h>

#define IMPORT(name) __attribute__((import_module("wsksim"), import_name(#name)))

IMPORT(WskGetAddressInfo)
NTSTATUS ImportWskGetAddressInfo(PWSK_CLIENT, PUNICODE_STRING, PUNICODE_STRING, ULONG, GUID *,
                                 PADDRINFOEXW, PADDRINFOEXW *, PEPROCESS, PETHREAD, PIRP);
IMPORT(WskFreeAddressInfo) VOID ImportWskFreeAddressInfo(PWSK_CLIENT, PADDRINFOEXW);
IMPORT(WskGetNameInfo)
NTSTATUS ImportWskGetNameInfo(PWSK_CLIENT, PSOCKADDR, ULONG, PUNICODE_STRING, PUNICODE_STRING,
                              ULONG, PEPROCESS, PETHREAD, PIRP);

NTSTATUS WSKAPI ShimWskGetAddressInfo(PWSK_CLIENT Client, PUNICODE_STRING NodeName,
    PUNICODE_STRING ServiceName, ULONG NameSpace, GUID *Provider, PADDRINFOEXW Hints,
    PADDRINFOEXW *Result, PEPROCESS OwningProcess, PETHREAD OwningThread, PIRP Irp) {
  return ImportWskGetAddressInfo(Client, NodeName, ServiceName, NameSpace, Provider, Hints, Result,
                                 OwningProcess, OwningThread, Irp);
}

VOID WSKAPI ShimWskFreeAddressInfo(PWSK_CLIENT Client, PADDRINFOEXW AddrInfo) {
  ImportWskFreeAddressInfo(Client, AddrInfo);
}

NTSTATUS WSKAPI ShimWskGetNameInfo(PWSK_CLIENT Client, PSOCKADDR SockAddr, ULONG SockAddrLength,
    PUNICODE_STRING NodeName, PUNICODE_STRING ServiceName, ULONG Flags, PEPROCESS OwningProcess,
    PETHREAD OwningThread, PIRP Irp) {
  return ImportWskGetNameInfo(Client, SockAddr, SockAddrLength, NodeName, ServiceName, Flags,
                              OwningProcess, OwningThread, Irp);
}
