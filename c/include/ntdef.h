/*
 * ntdef.h, basetsd.h and the pieces of ntstatus.h the model returns: the scalar types, NTSTATUS
 * and its values, LIST_ENTRY, UNICODE_STRING, LARGE_INTEGER, CONTAINING_RECORD. Written from
 * "Windows Data Types" (https://learn.microsoft.com/windows/win32/winprog/windows-data-types),
 * "NTSTATUS Values" (https://learn.microsoft.com/openspecs/windows_protocols/ms-erref/596a1078-e883-4972-9bbc-49e60bebca55)
 * and "CONTAINING_RECORD macro (ntdef.h)"
 * (https://learn.microsoft.com/windows/win32/api/ntdef/nf-ntdef-containing_record).
 *
 * Differences from an x64 build: wasm32 has 32-bit pointers, so PVOID, ULONG_PTR, SIZE_T and
 * every structure holding a pointer are smaller than on x64 (sizeof(PVOID) is 4). LONG and ULONG
 * are 32 bits, as on Windows (LLP64), so `long` is never used for them.
 */
#ifndef WSKSIM_NTDEF_H
#define WSKSIM_NTDEF_H

#include "sal.h"

#define NULL ((void *)0)
#define TRUE 1
#define FALSE 0
#define VOID void
#define CONST const
#define IN
#define OUT
#define OPTIONAL
#define UNALIGNED
#define FORCEINLINE static inline __attribute__((always_inline))
#define NTAPI
#define NTSYSAPI
#define NTKERNELAPI
#define DECLSPEC_ALIGN(n) __attribute__((aligned(n)))
#define UNREFERENCED_PARAMETER(P) ((void)(P))
#define DBG_UNREFERENCED_PARAMETER(P) ((void)(P))
#define C_ASSERT(e) _Static_assert(e, #e)
#define ARGUMENT_PRESENT(p) ((p) != NULL)
#define FIELD_OFFSET(type, field) ((LONG)__builtin_offsetof(type, field))
#define RTL_FIELD_SIZE(type, field) (sizeof(((type *)0)->field))
#define RTL_NUMBER_OF(a) (sizeof(a) / sizeof((a)[0]))
#define ARRAYSIZE(a) RTL_NUMBER_OF(a)
#define CONTAINING_RECORD(address, type, field) \
  ((type *)((PCHAR)(address) - (ULONG_PTR)(&((type *)0)->field)))

typedef void *PVOID;
typedef const void *PCVOID;
typedef char CHAR, *PCHAR, *PSTR;
typedef const char *PCSTR, *PCSZ;
typedef signed char CCHAR;
typedef unsigned char UCHAR, *PUCHAR, BYTE, *PBYTE;
typedef unsigned char BOOLEAN, *PBOOLEAN;
typedef short SHORT, *PSHORT, CSHORT;
typedef unsigned short USHORT, *PUSHORT, WCHAR, *PWCHAR, *PWSTR, WORD;
typedef const unsigned short *PCWSTR;
typedef int LONG, *PLONG, INT, BOOL;
typedef unsigned int ULONG, *PULONG, UINT, DWORD, *PDWORD;
typedef long long LONGLONG, LONG64, *PLONGLONG;
typedef unsigned long long ULONGLONG, ULONG64, DWORD64, *PULONGLONG;
typedef unsigned long ULONG_PTR, *PULONG_PTR, SIZE_T, *PSIZE_T, DWORD_PTR;
typedef long LONG_PTR, *PLONG_PTR, SSIZE_T;
typedef PVOID HANDLE, *PHANDLE;
typedef UCHAR KIRQL, *PKIRQL;
typedef CCHAR KPROCESSOR_MODE;
typedef ULONG ACCESS_MASK;
typedef LONG NTSTATUS, *PNTSTATUS;

_Static_assert(sizeof(ULONG) == 4 && sizeof(ULONG_PTR) == sizeof(PVOID), "wasm32 LLP64-like");

#define NT_SUCCESS(Status) (((NTSTATUS)(Status)) >= 0)
#define NT_INFORMATION(Status) ((((ULONG)(Status)) >> 30) == 1)
#define NT_WARNING(Status) ((((ULONG)(Status)) >> 30) == 2)
#define NT_ERROR(Status) ((((ULONG)(Status)) >> 30) == 3)

typedef union _LARGE_INTEGER {
  struct {
    ULONG LowPart;
    LONG HighPart;
  };
  LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

typedef struct _GUID {
  ULONG Data1;
  USHORT Data2;
  USHORT Data3;
  UCHAR Data4[8];
} GUID, *PGUID;

typedef struct _LIST_ENTRY {
  struct _LIST_ENTRY *Flink;
  struct _LIST_ENTRY *Blink;
} LIST_ENTRY, *PLIST_ENTRY;

typedef struct _SINGLE_LIST_ENTRY {
  struct _SINGLE_LIST_ENTRY *Next;
} SINGLE_LIST_ENTRY, *PSINGLE_LIST_ENTRY;

typedef struct _UNICODE_STRING {
  USHORT Length;
  USHORT MaximumLength;
  PWSTR Buffer;
} UNICODE_STRING, *PUNICODE_STRING;
typedef const UNICODE_STRING *PCUNICODE_STRING;

/* ntstatus.h: the values the model returns (src/nt/ntstatus.ts holds the same list). */
#define STATUS_WAIT_0 ((NTSTATUS)0x00000000L)
#define STATUS_SUCCESS                           ((NTSTATUS)0x00000000L)
#define STATUS_TIMEOUT                           ((NTSTATUS)0x00000102L)
#define STATUS_PENDING                           ((NTSTATUS)0x00000103L)
#define STATUS_EVENT_PENDING                     ((NTSTATUS)0x40000013L)
#define STATUS_BUFFER_OVERFLOW                   ((NTSTATUS)0x80000005L)
#define STATUS_UNSUCCESSFUL                      ((NTSTATUS)0xC0000001L)
#define STATUS_INVALID_PARAMETER                 ((NTSTATUS)0xC000000DL)
#define STATUS_INVALID_DEVICE_REQUEST            ((NTSTATUS)0xC0000010L)
#define STATUS_MORE_PROCESSING_REQUIRED          ((NTSTATUS)0xC0000016L)
#define STATUS_ACCESS_DENIED                     ((NTSTATUS)0xC0000022L)
#define STATUS_BUFFER_TOO_SMALL                  ((NTSTATUS)0xC0000023L)
#define STATUS_OBJECT_NAME_COLLISION             ((NTSTATUS)0xC0000035L)
#define STATUS_INSUFFICIENT_RESOURCES            ((NTSTATUS)0xC000009AL)
#define STATUS_DEVICE_NOT_READY                  ((NTSTATUS)0xC00000A3L)
#define STATUS_IO_TIMEOUT                        ((NTSTATUS)0xC00000B5L)
#define STATUS_FILE_FORCED_CLOSED                ((NTSTATUS)0xC00000B6L)
#define STATUS_NOT_SUPPORTED                     ((NTSTATUS)0xC00000BBL)
#define STATUS_REQUEST_NOT_ACCEPTED              ((NTSTATUS)0xC00000D0L)
#define STATUS_CANCELLED                         ((NTSTATUS)0xC0000120L)
#define STATUS_LOCAL_DISCONNECT                  ((NTSTATUS)0xC000013BL)
#define STATUS_REMOTE_DISCONNECT                 ((NTSTATUS)0xC000013CL)
#define STATUS_INVALID_ADDRESS                   ((NTSTATUS)0xC0000141L)
#define STATUS_INVALID_DEVICE_STATE              ((NTSTATUS)0xC0000184L)
#define STATUS_INVALID_ADDRESS_COMPONENT         ((NTSTATUS)0xC0000207L)
#define STATUS_ADDRESS_ALREADY_EXISTS            ((NTSTATUS)0xC000020AL)
#define STATUS_CONNECTION_DISCONNECTED           ((NTSTATUS)0xC000020CL)
#define STATUS_CONNECTION_RESET                  ((NTSTATUS)0xC000020DL)
#define STATUS_DATA_NOT_ACCEPTED                 ((NTSTATUS)0xC000021BL)
#define STATUS_NOT_FOUND                         ((NTSTATUS)0xC0000225L)
#define STATUS_CONNECTION_REFUSED                ((NTSTATUS)0xC0000236L)
#define STATUS_GRACEFUL_DISCONNECT               ((NTSTATUS)0xC0000237L)
#define STATUS_ADDRESS_ALREADY_ASSOCIATED        ((NTSTATUS)0xC0000238L)
#define STATUS_CONNECTION_INVALID                ((NTSTATUS)0xC000023AL)
#define STATUS_CONNECTION_ACTIVE                 ((NTSTATUS)0xC000023BL)
#define STATUS_NETWORK_UNREACHABLE               ((NTSTATUS)0xC000023CL)
#define STATUS_HOST_UNREACHABLE                  ((NTSTATUS)0xC000023DL)
#define STATUS_PROTOCOL_UNREACHABLE              ((NTSTATUS)0xC000023EL)
#define STATUS_PORT_UNREACHABLE                  ((NTSTATUS)0xC000023FL)
#define STATUS_REQUEST_ABORTED                   ((NTSTATUS)0xC0000240L)
#define STATUS_CONNECTION_ABORTED                ((NTSTATUS)0xC0000241L)
#define STATUS_NOINTERFACE                       ((NTSTATUS)0xC00002B9L)
#define STATUS_HOST_DOWN                         ((NTSTATUS)0xC0000350L)
#define STATUS_INVALID_BUFFER_SIZE               ((NTSTATUS)0xC0000206L)

#endif
