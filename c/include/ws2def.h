/*
 * ws2def.h and ws2ipdef.h: the address structures WSK calls take. Written from "SOCKADDR_IN
 * structure (ws2def.h)" (https://learn.microsoft.com/windows/win32/api/ws2def/ns-ws2def-sockaddr_in),
 * "SOCKADDR_IN6 structure (ws2ipdef.h)"
 * (https://learn.microsoft.com/windows/win32/api/ws2ipdef/ns-ws2ipdef-sockaddr_in6_lh) and
 * "SOCKADDR_STORAGE structure (ws2def.h)"
 * (https://learn.microsoft.com/windows/win32/api/ws2def/ns-ws2def-sockaddr_storage_lh).
 * Ports and addresses are in network byte order, as on Windows (RtlUshortByteSwap / htons).
 */
#ifndef WSKSIM_WS2DEF_H
#define WSKSIM_WS2DEF_H
#include "ntdef.h"

typedef USHORT ADDRESS_FAMILY;
#define AF_UNSPEC 0
#define AF_INET 2
#define AF_INET6 23
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_RAW 3
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define IPPROTO_IPV6 41
#define SOL_SOCKET 0xffff
#define SO_REUSEADDR 0x0004
#define SO_EXCLUSIVEADDRUSE ((int)(~SO_REUSEADDR))
#define SO_CONDITIONAL_ACCEPT 0x3002
#define IPV6_V6ONLY 27
#define INADDR_ANY ((ULONG)0x00000000)
/* The ControlFlags WskReceiveFrom returns ("PFN_WSK_RECEIVE_FROM callback function (wsk.h)",
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wsk/nc-wsk-pfn_wsk_receive_from). */
#define MSG_TRUNC 0x0100
#define MSG_CTRUNC 0x0200

typedef struct sockaddr {
  ADDRESS_FAMILY sa_family;
  CHAR sa_data[14];
} SOCKADDR, *PSOCKADDR;

typedef struct in_addr {
  union {
    struct { UCHAR s_b1, s_b2, s_b3, s_b4; } S_un_b;
    struct { USHORT s_w1, s_w2; } S_un_w;
    ULONG S_addr;
  } S_un;
} IN_ADDR, *PIN_ADDR;
#define s_addr S_un.S_addr

typedef struct sockaddr_in {
  ADDRESS_FAMILY sin_family;
  USHORT sin_port;
  IN_ADDR sin_addr;
  CHAR sin_zero[8];
} SOCKADDR_IN, *PSOCKADDR_IN;

typedef struct in6_addr {
  union {
    UCHAR Byte[16];
    USHORT Word[8];
  } u;
} IN6_ADDR, *PIN6_ADDR;

typedef struct sockaddr_in6 {
  ADDRESS_FAMILY sin6_family;
  USHORT sin6_port;
  ULONG sin6_flowinfo;
  IN6_ADDR sin6_addr;
  ULONG sin6_scope_id;
} SOCKADDR_IN6, *PSOCKADDR_IN6;

typedef struct sockaddr_storage {
  ADDRESS_FAMILY ss_family;
  CHAR __ss_pad1[6];
  LONGLONG __ss_align;
  CHAR __ss_pad2[112];
} SOCKADDR_STORAGE, *PSOCKADDR_STORAGE;

/* "ADDRINFOEXW structure (ws2def.h)",
   https://learn.microsoft.com/windows/win32/api/ws2def/ns-ws2def-addrinfoexw: an entry of the list
   WskGetAddressInfo returns, and its Hints. */
typedef struct addrinfoexW {
  int ai_flags;
  int ai_family;
  int ai_socktype;
  int ai_protocol;
  SIZE_T ai_addrlen;
  PWSTR ai_canonname;
  struct sockaddr *ai_addr;
  void *ai_blob;
  SIZE_T ai_bufferlen;
  GUID *ai_provider;
  struct addrinfoexW *ai_next;
} ADDRINFOEXW, *PADDRINFOEXW, *LPADDRINFOEXW;

#define AI_PASSIVE 0x01
#define AI_CANONNAME 0x02
#define AI_NUMERICHOST 0x04
#define NI_NOFQDN 0x01
#define NI_NUMERICHOST 0x02
#define NI_NAMEREQD 0x04
#define NI_NUMERICSERV 0x08
#define NI_DGRAM 0x10
#define NS_ALL 0
#define NS_DNS 12

_Static_assert(sizeof(SOCKADDR_IN) == 16, "SOCKADDR_IN is 16 bytes");
_Static_assert(sizeof(SOCKADDR_IN6) == 28, "SOCKADDR_IN6 is 28 bytes");
_Static_assert(sizeof(SOCKADDR_STORAGE) == 128, "SOCKADDR_STORAGE is 128 bytes");

/* Byte order: wasm32 is little-endian, as x64 is. */
FORCEINLINE USHORT RtlUshortByteSwap(USHORT Source) { return (USHORT)((Source << 8) | (Source >> 8)); }
FORCEINLINE ULONG RtlUlongByteSwap(ULONG Source) { return __builtin_bswap32(Source); }
#define htons(x) RtlUshortByteSwap(x)
#define ntohs(x) RtlUshortByteSwap(x)
#define htonl(x) RtlUlongByteSwap(x)
#define ntohl(x) RtlUlongByteSwap(x)

#endif
