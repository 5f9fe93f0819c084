/*
 * wdm.h for drivers compiled to wasm32 and run by wsksim: the kernel routines, structures and
 * constants the model implements (src/nt), with Windows' names and the field order C code relies
 * on. A routine the model lacks is not declared, so calling it is a compile error. Written from
 * the WDK reference pages, each named where it is used ("IRP structure (wdm.h)",
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_irp; "IoAllocateIrp
 * function (wdm.h)", https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioallocateirp;
 * "KeWaitForSingleObject function (wdm.h)",
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kewaitforsingleobject).
 *
 * Routines marked WSKSIM_IMPORT are calls into the model; the list and interlocked routines are
 * inline C, as wdm.h itself defines them. The opaque parts of structures (DISPATCHER_HEADER's
 * wait list, an IRP's stack locations) are placeholders of the right size for wasm32: the model
 * keeps the real state, keyed by the structure's address.
 */
#ifndef WSKSIM_WDM_H
#define WSKSIM_WDM_H

#include "ntdef.h"

#define WSKSIM_IMPORT(name) __attribute__((import_module("wsksim"), import_name(#name)))

/* ---- IRQL ("Managing Hardware Priorities",
   https://learn.microsoft.com/windows-hardware/drivers/kernel/managing-hardware-priorities) ---- */
#define PASSIVE_LEVEL 0
#define LOW_LEVEL 0
#define APC_LEVEL 1
#define DISPATCH_LEVEL 2

WSKSIM_IMPORT(KeGetCurrentIrql) KIRQL KeGetCurrentIrql(VOID);
WSKSIM_IMPORT(KeRaiseIrql) VOID KeRaiseIrql(_In_ KIRQL NewIrql, _Out_ PKIRQL OldIrql);
WSKSIM_IMPORT(KeLowerIrql) VOID KeLowerIrql(_In_ KIRQL NewIrql);

/* PAGED_CODE asserts PASSIVE/APC level in checked builds; the verifier checks IRQL per routine. */
#define PAGED_CODE() ((void)0)
#define PAGED_CODE_LOCKED() ((void)0)
#define ASSERT(e) ((void)0)
#define NT_ASSERT(e) ((void)0)

/* ---- debug output ("DbgPrint function (wdm.h)",
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-dbgprint) ---- */
WSKSIM_IMPORT(DbgPrint) ULONG DbgPrint(_In_z_ _Printf_format_string_ PCSTR Format, ...);
WSKSIM_IMPORT(DbgPrintEx)
ULONG DbgPrintEx(_In_ ULONG ComponentId, _In_ ULONG Level, _In_z_ PCSTR Format, ...);
#define KdPrint(_x_) DbgPrint _x_
#define KdPrintEx(_x_) DbgPrintEx _x_
/* DPFLTR_TYPE values of dpfilter.h (WDK), as src/nt/debug-print.ts: IHVDRIVER 77, IHVVIDEO 78,
   IHVAUDIO 79, IHVNETWORK 80. */
#define DPFLTR_IHVDRIVER_ID 77
#define DPFLTR_IHVNETWORK_ID 80
#define DPFLTR_ERROR_LEVEL 0
#define DPFLTR_WARNING_LEVEL 1
#define DPFLTR_TRACE_LEVEL 2
#define DPFLTR_INFO_LEVEL 3

/* ---- memory ---- */
void *memset(void *s, int c, SIZE_T n);
void *memcpy(void *d, const void *s, SIZE_T n);
void *memmove(void *d, const void *s, SIZE_T n);
int memcmp(const void *a, const void *b, SIZE_T n);
#define RtlZeroMemory(Destination, Length) memset((Destination), 0, (Length))
#define RtlFillMemory(Destination, Length, Fill) memset((Destination), (Fill), (Length))
#define RtlCopyMemory(Destination, Source, Length) memcpy((Destination), (Source), (Length))
#define RtlMoveMemory(Destination, Source, Length) memmove((Destination), (Source), (Length))
#define RtlEqualMemory(a, b, Length) (!memcmp((a), (b), (Length)))
SIZE_T RtlCompareMemory(_In_ const VOID *Source1, _In_ const VOID *Source2, _In_ SIZE_T Length);
VOID RtlInitUnicodeString(_Out_ PUNICODE_STRING DestinationString, _In_opt_ PCWSTR SourceString);

/* ---- pool ("ExAllocatePoolWithTag function (wdm.h)",
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exallocatepoolwithtag;
   "ExAllocatePool2 function (wdm.h)",
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exallocatepool2) ---- */
typedef enum _POOL_TYPE { NonPagedPool = 0, PagedPool = 1, NonPagedPoolNx = 512 } POOL_TYPE;
typedef ULONG64 POOL_FLAGS;
#define POOL_FLAG_USE_QUOTA 0x0000000000000001ULL
#define POOL_FLAG_UNINITIALIZED 0x0000000000000002ULL
#define POOL_FLAG_SESSION 0x0000000000000004ULL
#define POOL_FLAG_CACHE_ALIGNED 0x0000000000000008ULL
#define POOL_FLAG_RAISE_ON_FAILURE 0x0000000000000020ULL
#define POOL_FLAG_NON_PAGED 0x0000000000000040ULL
#define POOL_FLAG_NON_PAGED_EXECUTE 0x0000000000000080ULL
#define POOL_FLAG_PAGED 0x0000000000000100ULL

WSKSIM_IMPORT(ExAllocatePoolWithTag)
PVOID ExAllocatePoolWithTag(_In_ POOL_TYPE PoolType, _In_ SIZE_T NumberOfBytes, _In_ ULONG Tag);
WSKSIM_IMPORT(ExAllocatePoolZero)
PVOID ExAllocatePoolZero(_In_ POOL_TYPE PoolType, _In_ SIZE_T NumberOfBytes, _In_ ULONG Tag);
WSKSIM_IMPORT(ExAllocatePool2)
PVOID ExAllocatePool2(_In_ POOL_FLAGS Flags, _In_ SIZE_T NumberOfBytes, _In_ ULONG Tag);
WSKSIM_IMPORT(ExFreePoolWithTag) VOID ExFreePoolWithTag(_In_ PVOID P, _In_ ULONG Tag);
WSKSIM_IMPORT(ExFreePool) VOID ExFreePool(_In_ PVOID P);

/* ---- lists ("Singly and Doubly Linked Lists",
   https://learn.microsoft.com/windows-hardware/drivers/kernel/singly-and-doubly-linked-lists):
   inline, as wdm.h defines them ---- */
FORCEINLINE VOID InitializeListHead(_Out_ PLIST_ENTRY ListHead) {
  ListHead->Flink = ListHead->Blink = ListHead;
}
FORCEINLINE BOOLEAN IsListEmpty(_In_ const LIST_ENTRY *ListHead) {
  return (BOOLEAN)(ListHead->Flink == ListHead);
}
FORCEINLINE BOOLEAN RemoveEntryList(_In_ PLIST_ENTRY Entry) {
  PLIST_ENTRY Blink = Entry->Blink, Flink = Entry->Flink;
  Blink->Flink = Flink;
  Flink->Blink = Blink;
  return (BOOLEAN)(Flink == Blink);
}
FORCEINLINE PLIST_ENTRY RemoveHeadList(_Inout_ PLIST_ENTRY ListHead) {
  PLIST_ENTRY Entry = ListHead->Flink, Flink = Entry->Flink;
  ListHead->Flink = Flink;
  Flink->Blink = ListHead;
  return Entry;
}
FORCEINLINE PLIST_ENTRY RemoveTailList(_Inout_ PLIST_ENTRY ListHead) {
  PLIST_ENTRY Entry = ListHead->Blink, Blink = Entry->Blink;
  ListHead->Blink = Blink;
  Blink->Flink = ListHead;
  return Entry;
}
FORCEINLINE VOID InsertTailList(_Inout_ PLIST_ENTRY ListHead, _Out_ PLIST_ENTRY Entry) {
  PLIST_ENTRY Blink = ListHead->Blink;
  Entry->Flink = ListHead;
  Entry->Blink = Blink;
  Blink->Flink = Entry;
  ListHead->Blink = Entry;
}
FORCEINLINE VOID InsertHeadList(_Inout_ PLIST_ENTRY ListHead, _Out_ PLIST_ENTRY Entry) {
  PLIST_ENTRY Flink = ListHead->Flink;
  Entry->Flink = Flink;
  Entry->Blink = ListHead;
  Flink->Blink = Entry;
  ListHead->Flink = Entry;
}
FORCEINLINE VOID PushEntryList(_Inout_ PSINGLE_LIST_ENTRY ListHead, _Inout_ PSINGLE_LIST_ENTRY Entry) {
  Entry->Next = ListHead->Next;
  ListHead->Next = Entry;
}
FORCEINLINE PSINGLE_LIST_ENTRY PopEntryList(_Inout_ PSINGLE_LIST_ENTRY ListHead) {
  PSINGLE_LIST_ENTRY First = ListHead->Next;
  if (First != NULL) ListHead->Next = First->Next;
  return First;
}

/* ---- interlocked singly linked lists: the model's (src/nt/slists.ts), C memory kept in step
   ("InitializeSListHead function (wdm.h)",
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-initializeslisthead;
   "InterlockedPushEntrySList function (wdm.h)",
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-interlockedpushentryslist;
   "InterlockedFlushSList function (wdm.h)",
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-interlockedflushslist;
   "InterlockedPopEntrySList function (wdm.h)",
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-interlockedpopentryslist;
   "ExInterlockedPushEntrySList function (wdm.h)",
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exinterlockedpushentryslist;
   "ExInterlockedPopEntrySList function (wdm.h)",
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exinterlockedpopentryslist;
   "ExInterlockedFlushSList function (wdm.h)",
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exinterlockedflushslist;
   "ExQueryDepthSList function (wdm.h)",
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exquerydepthslist).
   The header is the 32-bit layout: the first entry, the depth, a sequence. The Ex* forms' Lock
   is taken and ignored, as the model does (one processor: every call is atomic). ---- */
typedef SINGLE_LIST_ENTRY SLIST_ENTRY, *PSLIST_ENTRY;
typedef ULONG_PTR KSPIN_LOCK, *PKSPIN_LOCK;
typedef union _SLIST_HEADER {
  ULONGLONG Alignment;
  struct {
    SLIST_ENTRY Next;
    USHORT Depth;
    USHORT Sequence;
  } s;
} SLIST_HEADER, *PSLIST_HEADER;
WSKSIM_IMPORT(InitializeSListHead) VOID InitializeSListHead(_Out_ PSLIST_HEADER SListHead);
WSKSIM_IMPORT(InterlockedPushEntrySList)
PSLIST_ENTRY InterlockedPushEntrySList(_Inout_ PSLIST_HEADER ListHead,
    _Inout_ PSLIST_ENTRY ListEntry);
WSKSIM_IMPORT(InterlockedFlushSList)
PSLIST_ENTRY InterlockedFlushSList(_Inout_ PSLIST_HEADER ListHead);
WSKSIM_IMPORT(InterlockedPopEntrySList)
PSLIST_ENTRY InterlockedPopEntrySList(_Inout_ PSLIST_HEADER ListHead);
WSKSIM_IMPORT(ExInterlockedPushEntrySList)
PSLIST_ENTRY ExInterlockedPushEntrySList(_Inout_ PSLIST_HEADER ListHead,
    _Inout_ PSLIST_ENTRY ListEntry, _Inout_opt_ PKSPIN_LOCK Lock);
WSKSIM_IMPORT(ExInterlockedPopEntrySList)
PSLIST_ENTRY ExInterlockedPopEntrySList(_Inout_ PSLIST_HEADER ListHead,
    _Inout_opt_ PKSPIN_LOCK Lock);
WSKSIM_IMPORT(ExInterlockedFlushSList)
PSLIST_ENTRY ExInterlockedFlushSList(_Inout_ PSLIST_HEADER ListHead);
WSKSIM_IMPORT(ExQueryDepthSList) USHORT ExQueryDepthSList(_In_ PSLIST_HEADER SListHead);

/* ---- interlocked: one processor is modelled (src/nt/kernel.ts), so plain reads and writes ---- */
FORCEINLINE LONG InterlockedIncrement(_Inout_ LONG volatile *Addend) { return ++*Addend; }
FORCEINLINE LONG InterlockedDecrement(_Inout_ LONG volatile *Addend) { return --*Addend; }
FORCEINLINE LONG InterlockedExchange(_Inout_ LONG volatile *Target, _In_ LONG Value) {
  LONG Old = *Target;
  *Target = Value;
  return Old;
}
FORCEINLINE LONG InterlockedExchangeAdd(_Inout_ LONG volatile *Addend, _In_ LONG Value) {
  LONG Old = *Addend;
  *Addend = Old + Value;
  return Old;
}
FORCEINLINE LONG InterlockedCompareExchange(
    _Inout_ LONG volatile *Destination, _In_ LONG Exchange, _In_ LONG Comperand) {
  LONG Old = *Destination;
  if (Old == Comperand) *Destination = Exchange;
  return Old;
}
FORCEINLINE PVOID InterlockedExchangePointer(_Inout_ PVOID volatile *Target, _In_opt_ PVOID Value) {
  PVOID Old = *Target;
  *Target = Value;
  return Old;
}
FORCEINLINE PVOID InterlockedCompareExchangePointer(
    _Inout_ PVOID volatile *Destination, _In_opt_ PVOID Exchange, _In_opt_ PVOID Comperand) {
  PVOID Old = *Destination;
  if (Old == Comperand) *Destination = Exchange;
  return Old;
}

/* ---- dispatcher objects ("KeInitializeEvent function (wdm.h)",
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keinitializeevent) ---- */
typedef struct _DISPATCHER_HEADER {
  UCHAR Type;
  UCHAR Signalling;
  UCHAR Size;
  UCHAR Reserved1;
  LONG SignalState;
  LIST_ENTRY WaitListHead;
} DISPATCHER_HEADER;

typedef struct _KEVENT {
  DISPATCHER_HEADER Header;
} KEVENT, *PKEVENT, *PRKEVENT;

typedef enum _EVENT_TYPE { NotificationEvent, SynchronizationEvent } EVENT_TYPE;
typedef enum _KWAIT_REASON { Executive = 0 } KWAIT_REASON;
typedef enum _MODE { KernelMode, UserMode } MODE;
typedef LONG KPRIORITY;
#define IO_NO_INCREMENT 0
#define IO_NETWORK_INCREMENT 2

WSKSIM_IMPORT(KeInitializeEvent)
VOID KeInitializeEvent(_Out_ PRKEVENT Event, _In_ EVENT_TYPE Type, _In_ BOOLEAN State);
WSKSIM_IMPORT(KeSetEvent)
LONG KeSetEvent(_Inout_ PRKEVENT Event, _In_ KPRIORITY Increment, _In_ BOOLEAN Wait);
WSKSIM_IMPORT(KeResetEvent) LONG KeResetEvent(_Inout_ PRKEVENT Event);
WSKSIM_IMPORT(KeClearEvent) VOID KeClearEvent(_Inout_ PRKEVENT Event);
WSKSIM_IMPORT(KeReadStateEvent) LONG KeReadStateEvent(_In_ PRKEVENT Event);

/* Waits: the calling system thread parks and the simulation runs on (docs/model.md#system-threads-and-waits). */
WSKSIM_IMPORT(KeWaitForSingleObject)
NTSTATUS KeWaitForSingleObject(_In_ PVOID Object, _In_ KWAIT_REASON WaitReason,
    _In_ KPROCESSOR_MODE WaitMode, _In_ BOOLEAN Alertable, _In_opt_ PLARGE_INTEGER Timeout);
WSKSIM_IMPORT(KeDelayExecutionThread)
NTSTATUS KeDelayExecutionThread(
    _In_ KPROCESSOR_MODE WaitMode, _In_ BOOLEAN Alertable, _In_ PLARGE_INTEGER Interval);

/* "KeWaitForMultipleObjects function (wdm.h)",
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kewaitformultipleobjects:
   WaitAny returns STATUS_WAIT_0 + the index of the object that satisfied it, WaitAll
   STATUS_WAIT_0. More than THREAD_WAIT_OBJECTS objects need a WaitBlockArray of Count blocks
   (the model checks that one is given and keeps the wait's state itself). */
typedef enum _WAIT_TYPE { WaitAll, WaitAny } WAIT_TYPE;
#define MAXIMUM_WAIT_OBJECTS 64
#define THREAD_WAIT_OBJECTS 3
typedef struct _KWAIT_BLOCK {
  LIST_ENTRY WaitListEntry;
  UCHAR WaitType;
  UCHAR BlockState;
  USHORT WaitKey;
  PVOID Thread;
  PVOID Object;
  PVOID SparePtr;
} KWAIT_BLOCK, *PKWAIT_BLOCK, *PRKWAIT_BLOCK;
WSKSIM_IMPORT(KeWaitForMultipleObjects)
NTSTATUS KeWaitForMultipleObjects(_In_ ULONG Count, _In_reads_(Count) PVOID Object[],
    _In_ WAIT_TYPE WaitType, _In_ KWAIT_REASON WaitReason, _In_ KPROCESSOR_MODE WaitMode,
    _In_ BOOLEAN Alertable, _In_opt_ PLARGE_INTEGER Timeout,
    _Out_opt_ PKWAIT_BLOCK WaitBlockArray);

/* ---- mutexes: the model's (src/nt/mutex.ts), keyed by address ("KeInitializeMutex function
   (wdm.h)", https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keinitializemutex;
   "KeReleaseMutex function (wdm.h)",
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kereleasemutex;
   "ExAcquireFastMutex function (wdm.h)",
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exacquirefastmutex). A
   KMUTEX is acquired by KeWaitForSingleObject / KeWaitForMultipleObjects, recursively by its
   owner; ExAcquireFastMutex blocks the calling system thread while another holds the mutex. ---- */
typedef struct _KMUTANT {
  DISPATCHER_HEADER Header;
  LIST_ENTRY MutantListEntry;
  struct _KTHREAD *OwnerThread;
  BOOLEAN Abandoned;
  UCHAR ApcDisable;
} KMUTANT, *PKMUTANT, *PRKMUTANT, KMUTEX, *PKMUTEX, *PRKMUTEX;
WSKSIM_IMPORT(KeInitializeMutex) VOID KeInitializeMutex(_Out_ PRKMUTEX Mutex, _In_ ULONG Level);
WSKSIM_IMPORT(KeReleaseMutex) LONG KeReleaseMutex(_Inout_ PRKMUTEX Mutex, _In_ BOOLEAN Wait);
WSKSIM_IMPORT(KeReadStateMutex) LONG KeReadStateMutex(_In_ PRKMUTEX Mutex);

typedef struct _FAST_MUTEX {
  LONG Count;
  PVOID Owner;
  ULONG Contention;
  KEVENT Event;
  ULONG OldIrql;
} FAST_MUTEX, *PFAST_MUTEX;
WSKSIM_IMPORT(ExInitializeFastMutex) VOID ExInitializeFastMutex(_Out_ PFAST_MUTEX FastMutex);
WSKSIM_IMPORT(ExAcquireFastMutex) VOID ExAcquireFastMutex(_Inout_ PFAST_MUTEX FastMutex);
WSKSIM_IMPORT(ExTryToAcquireFastMutex)
BOOLEAN ExTryToAcquireFastMutex(_Inout_ PFAST_MUTEX FastMutex);
WSKSIM_IMPORT(ExReleaseFastMutex) VOID ExReleaseFastMutex(_Inout_ PFAST_MUTEX FastMutex);

/* ---- run-down protection: the model's (src/nt/rundown.ts), keyed by address
   ("ExAcquireRundownProtection function (wdm.h)",
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exacquirerundownprotection;
   "ExWaitForRundownProtectionRelease function (wdm.h)",
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exwaitforrundownprotectionrelease).
   The wait blocks the calling system thread until the last release. ---- */
typedef struct _EX_RUNDOWN_REF {
  union {
    ULONG_PTR Count;
    PVOID Ptr;
  };
} EX_RUNDOWN_REF, *PEX_RUNDOWN_REF;
WSKSIM_IMPORT(ExInitializeRundownProtection)
VOID ExInitializeRundownProtection(_Out_ PEX_RUNDOWN_REF RunRef);
WSKSIM_IMPORT(ExReInitializeRundownProtection)
VOID ExReInitializeRundownProtection(_Inout_ PEX_RUNDOWN_REF RunRef);
WSKSIM_IMPORT(ExAcquireRundownProtection)
BOOLEAN ExAcquireRundownProtection(_Inout_ PEX_RUNDOWN_REF RunRef);
WSKSIM_IMPORT(ExReleaseRundownProtection)
VOID ExReleaseRundownProtection(_Inout_ PEX_RUNDOWN_REF RunRef);
WSKSIM_IMPORT(ExWaitForRundownProtectionRelease)
VOID ExWaitForRundownProtectionRelease(_Inout_ PEX_RUNDOWN_REF RunRef);
WSKSIM_IMPORT(ExRundownCompleted) VOID ExRundownCompleted(_Out_ PEX_RUNDOWN_REF RunRef);

/* ---- timers and DPCs ("KeSetTimer function (wdm.h)",
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kesettimer;
   "KeInitializeDpc function (wdm.h)",
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keinitializedpc) ---- */
struct _KDPC;
typedef VOID KDEFERRED_ROUTINE(_In_ struct _KDPC *Dpc, _In_opt_ PVOID DeferredContext,
    _In_opt_ PVOID SystemArgument1, _In_opt_ PVOID SystemArgument2);
typedef KDEFERRED_ROUTINE *PKDEFERRED_ROUTINE;

typedef struct _KDPC {
  UCHAR Type;
  UCHAR Importance;
  volatile USHORT Number;
  LIST_ENTRY DpcListEntry;
  PKDEFERRED_ROUTINE DeferredRoutine;
  PVOID DeferredContext;
  PVOID SystemArgument1;
  PVOID SystemArgument2;
  PVOID DpcData;
} KDPC, *PKDPC, *PRKDPC;

typedef struct _KTIMER {
  DISPATCHER_HEADER Header;
  ULONGLONG DueTime;
  LIST_ENTRY TimerListEntry;
  struct _KDPC *Dpc;
  LONG Period;
} KTIMER, *PKTIMER, *PRKTIMER;

typedef enum _TIMER_TYPE { NotificationTimer, SynchronizationTimer } TIMER_TYPE;

WSKSIM_IMPORT(KeInitializeDpc)
VOID KeInitializeDpc(_Out_ PRKDPC Dpc, _In_ PKDEFERRED_ROUTINE DeferredRoutine,
    _In_opt_ PVOID DeferredContext);
WSKSIM_IMPORT(KeInitializeTimer) VOID KeInitializeTimer(_Out_ PKTIMER Timer);
WSKSIM_IMPORT(KeInitializeTimerEx) VOID KeInitializeTimerEx(_Out_ PKTIMER Timer, _In_ TIMER_TYPE Type);
WSKSIM_IMPORT(KeSetTimer)
BOOLEAN KeSetTimer(_Inout_ PKTIMER Timer, _In_ LARGE_INTEGER DueTime, _In_opt_ PKDPC Dpc);
WSKSIM_IMPORT(KeSetTimerEx)
BOOLEAN KeSetTimerEx(_Inout_ PKTIMER Timer, _In_ LARGE_INTEGER DueTime, _In_ LONG Period,
    _In_opt_ PKDPC Dpc);
WSKSIM_IMPORT(KeCancelTimer) BOOLEAN KeCancelTimer(_Inout_ PKTIMER Timer);
WSKSIM_IMPORT(KeReadStateTimer) BOOLEAN KeReadStateTimer(_In_ PKTIMER Timer);

/* ---- spin locks ("KeAcquireSpinLock macro (wdm.h)",
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keacquirespinlock) ---- */
/* KSPIN_LOCK is declared with the SLISTs, whose Ex forms take one. */
WSKSIM_IMPORT(KeInitializeSpinLock) VOID KeInitializeSpinLock(_Out_ PKSPIN_LOCK SpinLock);
WSKSIM_IMPORT(KeAcquireSpinLock)
VOID KeAcquireSpinLock(_Inout_ PKSPIN_LOCK SpinLock, _Out_ PKIRQL OldIrql);
WSKSIM_IMPORT(KeReleaseSpinLock)
VOID KeReleaseSpinLock(_Inout_ PKSPIN_LOCK SpinLock, _In_ KIRQL NewIrql);
WSKSIM_IMPORT(KeAcquireSpinLockAtDpcLevel)
VOID KeAcquireSpinLockAtDpcLevel(_Inout_ PKSPIN_LOCK SpinLock);
WSKSIM_IMPORT(KeReleaseSpinLockFromDpcLevel)
VOID KeReleaseSpinLockFromDpcLevel(_Inout_ PKSPIN_LOCK SpinLock);

/* ---- non-paged lookaside lists: the model's (src/nt/lookaside.ts), keyed by address; an entry
   is a pool block of the driver's heap, checked as ExAllocatePoolWithTag's are
   ("ExInitializeNPagedLookasideList function (wdm.h)",
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exinitializenpagedlookasidelist;
   "ExAllocateFromNPagedLookasideList function (wdm.h)",
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exallocatefromnpagedlookasidelist;
   "ExFreeToNPagedLookasideList function (wdm.h)",
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exfreetonpagedlookasidelist;
   "ExDeleteNPagedLookasideList function (wdm.h)",
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exdeletenpagedlookasidelist).
   The list's fields are the model's to keep: C code does not read them. ---- */
typedef PVOID ALLOCATE_FUNCTION(_In_ POOL_TYPE PoolType, _In_ SIZE_T NumberOfBytes, _In_ ULONG Tag);
typedef ALLOCATE_FUNCTION *PALLOCATE_FUNCTION;
typedef VOID FREE_FUNCTION(_In_ PVOID Buffer);
typedef FREE_FUNCTION *PFREE_FUNCTION;
typedef struct _GENERAL_LOOKASIDE {
  SLIST_HEADER ListHead;
  USHORT Depth;
  USHORT MaximumDepth;
  ULONG TotalAllocates;
  ULONG AllocateMisses;
  ULONG TotalFrees;
  ULONG FreeMisses;
  POOL_TYPE Type;
  ULONG Tag;
  ULONG Size;
  PALLOCATE_FUNCTION Allocate;
  PFREE_FUNCTION Free;
  LIST_ENTRY ListEntry;
  ULONG LastTotalAllocates;
  ULONG LastAllocateMisses;
  ULONG Future[2];
} GENERAL_LOOKASIDE, *PGENERAL_LOOKASIDE;
typedef struct _NPAGED_LOOKASIDE_LIST {
  GENERAL_LOOKASIDE L;
  KSPIN_LOCK Lock__ObsoleteButDoNotDelete;
} NPAGED_LOOKASIDE_LIST, *PNPAGED_LOOKASIDE_LIST;
WSKSIM_IMPORT(ExInitializeNPagedLookasideList)
VOID ExInitializeNPagedLookasideList(_Out_ PNPAGED_LOOKASIDE_LIST Lookaside,
    _In_opt_ PALLOCATE_FUNCTION Allocate, _In_opt_ PFREE_FUNCTION Free, _In_ ULONG Flags,
    _In_ SIZE_T Size, _In_ ULONG Tag, _In_ USHORT Depth);
WSKSIM_IMPORT(ExAllocateFromNPagedLookasideList)
PVOID ExAllocateFromNPagedLookasideList(_Inout_ PNPAGED_LOOKASIDE_LIST Lookaside);
WSKSIM_IMPORT(ExFreeToNPagedLookasideList)
VOID ExFreeToNPagedLookasideList(_Inout_ PNPAGED_LOOKASIDE_LIST Lookaside, _In_ PVOID Entry);
WSKSIM_IMPORT(ExDeleteNPagedLookasideList)
VOID ExDeleteNPagedLookasideList(_Inout_ PNPAGED_LOOKASIDE_LIST Lookaside);

/* ---- MDLs ("MDL structure (wdm.h)",
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_mdl) ---- */
typedef struct _MDL {
  struct _MDL *Next;
  CSHORT Size;
  CSHORT MdlFlags;
  struct _EPROCESS *Process;
  PVOID MappedSystemVa;
  PVOID StartVa;
  ULONG ByteCount;
  ULONG ByteOffset;
} MDL, *PMDL;

/* ---- objects ---- */
typedef struct _DEVICE_OBJECT *PDEVICE_OBJECT;
typedef struct _EPROCESS *PEPROCESS;
typedef struct _ETHREAD *PETHREAD;
typedef struct _KTHREAD *PKTHREAD;
/* A security descriptor is opaque to the model: SECURITY_DESCRIPTOR is declared incomplete
   (RtlCreateSecurityDescriptor and the Rtl routines that build one are not modelled, so they stay
   undeclared) and PSECURITY_DESCRIPTOR is wdm.h's PVOID; a driver may pass any buffer as the
   descriptor WSK_CACHE_SD caches ("SECURITY_DESCRIPTOR structure (ntifs.h)",
   https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/ns-ntifs-_security_descriptor). */
typedef struct _SECURITY_DESCRIPTOR SECURITY_DESCRIPTOR;
typedef PVOID PSECURITY_DESCRIPTOR;

typedef struct _DRIVER_OBJECT DRIVER_OBJECT, *PDRIVER_OBJECT;
typedef VOID DRIVER_UNLOAD(_In_ struct _DRIVER_OBJECT *DriverObject);
typedef DRIVER_UNLOAD *PDRIVER_UNLOAD;
typedef NTSTATUS DRIVER_INITIALIZE(
    _In_ struct _DRIVER_OBJECT *DriverObject, _In_ PUNICODE_STRING RegistryPath);
typedef DRIVER_INITIALIZE *PDRIVER_INITIALIZE;

/* "DRIVER_OBJECT structure (wdm.h)",
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_driver_object: the
   fields a DriverEntry touches; MajorFunction is there for its size only (no IRPs from above). */
struct _DRIVER_OBJECT {
  CSHORT Type;
  CSHORT Size;
  PDEVICE_OBJECT DeviceObject;
  ULONG Flags;
  PVOID DriverStart;
  ULONG DriverSize;
  PVOID DriverSection;
  PVOID DriverExtension;
  UNICODE_STRING DriverName;
  PUNICODE_STRING HardwareDatabase;
  PVOID FastIoDispatch;
  PDRIVER_INITIALIZE DriverInit;
  PVOID DriverStartIo;
  PDRIVER_UNLOAD DriverUnload;
  PVOID MajorFunction[28];
};

/* "DEVICE_OBJECT structure (wdm.h)",
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_device_object: the fields
   up to StackSize, which IoCreateDevice fills (Type IO_TYPE_DEVICE, Size, DriverObject, Flags,
   Characteristics, DeviceExtension: DeviceExtensionSize zeroed bytes, DeviceType, StackSize 1);
   the rest is the model's. "IoCreateDevice function (wdm.h)",
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iocreatedevice;
   "IoDeleteDevice function (wdm.h)",
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iodeletedevice. */
typedef ULONG DEVICE_TYPE;
#define FILE_DEVICE_NETWORK 0x00000012
#define FILE_DEVICE_UNKNOWN 0x00000022
#define FILE_DEVICE_SECURE_OPEN 0x00000100
#define IO_TYPE_DEVICE 3
#define DO_DEVICE_INITIALIZING 0x00000080
typedef struct _DEVICE_OBJECT {
  CSHORT Type;
  USHORT Size;
  LONG ReferenceCount;
  struct _DRIVER_OBJECT *DriverObject;
  struct _DEVICE_OBJECT *NextDevice;
  struct _DEVICE_OBJECT *AttachedDevice;
  struct _IRP *CurrentIrp;
  PVOID Timer;
  ULONG Flags;
  ULONG Characteristics;
  PVOID Vpb;
  PVOID DeviceExtension;
  DEVICE_TYPE DeviceType;
  CCHAR StackSize;
} DEVICE_OBJECT;
WSKSIM_IMPORT(IoCreateDevice)
NTSTATUS IoCreateDevice(_In_ PDRIVER_OBJECT DriverObject, _In_ ULONG DeviceExtensionSize,
    _In_opt_ PUNICODE_STRING DeviceName, _In_ DEVICE_TYPE DeviceType,
    _In_ ULONG DeviceCharacteristics, _In_ BOOLEAN Exclusive, _Out_ PDEVICE_OBJECT *DeviceObject);
WSKSIM_IMPORT(IoDeleteDevice) VOID IoDeleteDevice(_In_ PDEVICE_OBJECT DeviceObject);

/* ---- IRPs ("IRP structure (wdm.h)", https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_irp) ---- */
typedef struct _IO_STATUS_BLOCK {
  union {
    NTSTATUS Status;
    PVOID Pointer;
  };
  ULONG_PTR Information;
} IO_STATUS_BLOCK, *PIO_STATUS_BLOCK;

struct _IRP;
typedef NTSTATUS IO_COMPLETION_ROUTINE(
    _In_ PDEVICE_OBJECT DeviceObject, _In_ struct _IRP *Irp, _In_opt_ PVOID Context);
typedef IO_COMPLETION_ROUTINE *PIO_COMPLETION_ROUTINE;
typedef VOID DRIVER_CANCEL(_Inout_ PDEVICE_OBJECT DeviceObject, _Inout_ struct _IRP *Irp);
typedef DRIVER_CANCEL *PDRIVER_CANCEL;

typedef struct _IRP {
  CSHORT Type;
  USHORT Size;
  PMDL MdlAddress;
  ULONG Flags;
  union {
    struct _IRP *MasterIrp;
    LONG IrpCount;
    PVOID SystemBuffer;
  } AssociatedIrp;
  LIST_ENTRY ThreadListEntry;
  IO_STATUS_BLOCK IoStatus;
  KPROCESSOR_MODE RequestorMode;
  BOOLEAN PendingReturned;
  CHAR StackCount;
  CHAR CurrentLocation;
  BOOLEAN Cancel;
  KIRQL CancelIrql;
  CCHAR ApcEnvironment;
  UCHAR AllocationFlags;
  PIO_STATUS_BLOCK UserIosb;
  PKEVENT UserEvent;
  union {
    struct {
      PVOID UserApcRoutine;
      PVOID UserApcContext;
    } AsynchronousParameters;
    LARGE_INTEGER AllocationSize;
  } Overlay;
  PDRIVER_CANCEL CancelRoutine;
  PVOID UserBuffer;
  union {
    struct {
      PVOID DriverContext[4];
      PETHREAD Thread;
      PCHAR AuxiliaryBuffer;
      LIST_ENTRY ListEntry;
      PVOID CurrentStackLocation;
      PVOID OriginalFileObject;
    } Overlay;
  } Tail;
} IRP, *PIRP;

/* ---- work items ("IoQueueWorkItem function (wdm.h)",
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioqueueworkitem): the
   routine runs in a system thread of its own, so it may wait ---- */
typedef struct _IO_WORKITEM *PIO_WORKITEM;
typedef VOID IO_WORKITEM_ROUTINE(_In_ PDEVICE_OBJECT DeviceObject, _In_opt_ PVOID Context);
typedef IO_WORKITEM_ROUTINE *PIO_WORKITEM_ROUTINE;
typedef enum _WORK_QUEUE_TYPE { CriticalWorkQueue, DelayedWorkQueue, HyperCriticalWorkQueue }
    WORK_QUEUE_TYPE;
WSKSIM_IMPORT(IoAllocateWorkItem) PIO_WORKITEM IoAllocateWorkItem(_In_ PDEVICE_OBJECT DeviceObject);
WSKSIM_IMPORT(IoQueueWorkItem)
VOID IoQueueWorkItem(_Inout_ PIO_WORKITEM IoWorkItem, _In_ PIO_WORKITEM_ROUTINE WorkerRoutine,
    _In_ WORK_QUEUE_TYPE QueueType, _In_opt_ PVOID Context);
WSKSIM_IMPORT(IoFreeWorkItem) VOID IoFreeWorkItem(_In_ PIO_WORKITEM IoWorkItem);

/* ---- system threads ("PsCreateSystemThread function (wdm.h)",
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-pscreatesystemthread):
   each has a C stack of its own; PsTerminateSystemThread does not return ---- */
typedef VOID KSTART_ROUTINE(_In_ PVOID StartContext);
typedef KSTART_ROUTINE *PKSTART_ROUTINE;
typedef struct _OBJECT_ATTRIBUTES *POBJECT_ATTRIBUTES;
typedef struct _CLIENT_ID *PCLIENT_ID;
typedef PVOID POBJECT_TYPE;
#define THREAD_ALL_ACCESS 0x001FFFFF
#define SYNCHRONIZE 0x00100000
#define OBJ_KERNEL_HANDLE 0x00000200
WSKSIM_IMPORT(PsCreateSystemThread)
NTSTATUS PsCreateSystemThread(_Out_ PHANDLE ThreadHandle, _In_ ULONG DesiredAccess,
    _In_opt_ POBJECT_ATTRIBUTES ObjectAttributes, _In_opt_ HANDLE ProcessHandle,
    _Out_opt_ PCLIENT_ID ClientId, _In_ PKSTART_ROUTINE StartRoutine, _In_opt_ PVOID StartContext);
WSKSIM_IMPORT(PsTerminateSystemThread)
__attribute__((noreturn)) NTSTATUS PsTerminateSystemThread(_In_ NTSTATUS ExitStatus);
WSKSIM_IMPORT(ObReferenceObjectByHandle)
NTSTATUS ObReferenceObjectByHandle(_In_ HANDLE Handle, _In_ ACCESS_MASK DesiredAccess,
    _In_opt_ POBJECT_TYPE ObjectType, _In_ KPROCESSOR_MODE AccessMode, _Out_ PVOID *Object,
    _Out_opt_ PVOID HandleInformation);
WSKSIM_IMPORT(ObDereferenceObject) VOID ObDereferenceObject(_In_ PVOID Object);
WSKSIM_IMPORT(ZwClose) NTSTATUS ZwClose(_In_ HANDLE Handle);
#define ObDereferenceObjectWithTag(Object, Tag) ObDereferenceObject(Object)

WSKSIM_IMPORT(IoAllocateIrp) PIRP IoAllocateIrp(_In_ CCHAR StackSize, _In_ BOOLEAN ChargeQuota);
WSKSIM_IMPORT(IoFreeIrp) VOID IoFreeIrp(_In_ PIRP Irp);
WSKSIM_IMPORT(IoReuseIrp) VOID IoReuseIrp(_Inout_ PIRP Irp, _In_ NTSTATUS Iostatus);
WSKSIM_IMPORT(IoSetCompletionRoutine)
VOID IoSetCompletionRoutine(_In_ PIRP Irp, _In_opt_ PIO_COMPLETION_ROUTINE CompletionRoutine,
    _In_opt_ PVOID Context, _In_ BOOLEAN InvokeOnSuccess, _In_ BOOLEAN InvokeOnError,
    _In_ BOOLEAN InvokeOnCancel);
WSKSIM_IMPORT(IoCancelIrp) BOOLEAN IoCancelIrp(_In_ PIRP Irp);
/* Cancellation ("IoSetCancelRoutine function (wdm.h)",
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iosetcancelroutine;
   "DRIVER_CANCEL callback function (wdm.h)",
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-driver_cancel;
   "IoReleaseCancelSpinLock function (wdm.h)",
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioreleasecancelspinlock;
   "IoCompleteRequest function (wdm.h)",
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iocompleterequest):
   IoSetCancelRoutine returns the previous routine; IoCancelIrp calls the routine at
   DISPATCH_LEVEL holding the cancel spin lock, with Irp->Cancel set and the old IRQL in
   Irp->CancelIrql, and the routine releases it with IoReleaseCancelSpinLock(Irp->CancelIrql).
   IoCompleteRequest completes with the status the driver wrote in Irp->IoStatus; PriorityBoost
   is accepted. Both are calls into the model here (the WDK's wdm.h exchanges
   Irp->CancelRoutine inline and maps IoCompleteRequest to IofCompleteRequest). Unlike Windows,
   the routine's DeviceObject is NULL (the model has no device below the IRP) and the model, not
   Irp->CancelRoutine in C memory, holds the routine: read it through IoSetCancelRoutine. */
WSKSIM_IMPORT(IoSetCancelRoutine)
PDRIVER_CANCEL IoSetCancelRoutine(_Inout_ PIRP Irp, _In_opt_ PDRIVER_CANCEL CancelRoutine);
WSKSIM_IMPORT(IoReleaseCancelSpinLock) VOID IoReleaseCancelSpinLock(_In_ KIRQL Irql);
WSKSIM_IMPORT(IoCompleteRequest) VOID IoCompleteRequest(_In_ PIRP Irp, _In_ CCHAR PriorityBoost);

/* The model's MDLs (src/nt/mdl-routines.ts) over the driver's linear memory: StartVa and
   MappedSystemVa are VirtualAddress, ByteOffset 0 (no pages are modelled); with an Irp the MDL
   becomes Irp->MdlAddress, or with SecondaryBuffer joins its chain ("IoAllocateMdl function
   (wdm.h)", https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioallocatemdl;
   "IoFreeMdl function (wdm.h)",
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iofreemdl). */
WSKSIM_IMPORT(IoAllocateMdl)
PMDL IoAllocateMdl(_In_opt_ PVOID VirtualAddress, _In_ ULONG Length, _In_ BOOLEAN SecondaryBuffer,
    _In_ BOOLEAN ChargeQuota, _Inout_opt_ PIRP Irp);
WSKSIM_IMPORT(IoFreeMdl) VOID IoFreeMdl(_In_ PMDL Mdl);
/* The model's readers of an MDL (src/nt/mdl-routines.ts): calls, not wdm.h's macro and inline
   function, so that one on an MDL freed (IoFreeMdl) or given back (an indication after its
   WskReceiveEvent returned, or after WskRelease) is the verifier's MDL-USE-AFTER-FREE, and
   MmGetSystemAddressForMdlSafe then returns NULL. Otherwise it returns MappedSystemVa (no pages
   are modelled, so every MDL is mapped) and MmGetMdlByteCount ByteCount
   ("MmGetSystemAddressForMdlSafe macro (wdm.h)",
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmgetsystemaddressformdlsafe;
   "MmGetMdlByteCount macro (wdm.h)",
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmgetmdlbytecount). */
typedef enum _MM_PAGE_PRIORITY {
  LowPagePriority,
  NormalPagePriority = 16,
  HighPagePriority = 32
} MM_PAGE_PRIORITY;
#define MdlMappingNoWrite 0x80000000
#define MdlMappingNoExecute 0x40000000
WSKSIM_IMPORT(MmGetSystemAddressForMdlSafe)
PVOID MmGetSystemAddressForMdlSafe(_Inout_ PMDL Mdl, _In_ ULONG Priority);
WSKSIM_IMPORT(MmGetMdlByteCount) ULONG MmGetMdlByteCount(_In_ PMDL Mdl);

#endif
