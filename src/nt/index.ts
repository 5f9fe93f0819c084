/**
 * The NT kernel layer: the kernel services drivers use (IRPs, MDLs, pool, IRQL, dispatcher
 * objects and waits, system threads, timers and DPCs, work items, spin locks), NTSTATUS, the
 * kernel's verifier rules and its end-of-run checks. It depends on src/sim only; the WSK
 * provider (src/wsk) builds on it (docs/model.md#the-nt-kernel).
 */
export * from './ntstatus.ts';
export { APC_LEVEL, DISPATCH_LEVEL, PASSIVE_LEVEL, type KIRQL } from './irql.ts';
export {
  catalogueOf,
  type LayeredRule,
  type RuleChannel,
  type RuleIdOf,
  type VerifierRule,
} from './catalogue.ts';
export { NT_RULE_LIST, NT_RULES, type NtAdvisoryId, type NtViolationId } from './rules.ts';
export {
  NT_KERNEL_OPTION_NAMES,
  NT_PROBABILITIES,
  checkNtOptions,
  type NtKernelOptions,
} from './options.ts';
export { KernelCore, type Advisory, type Violation, type ViolationPlace } from './kernel-core.ts';
export type { NtRecord } from './records.ts';
export { NT_ROUTINES, NtKernel, type NtManagers, type NtRoutines } from './kernel.ts';
export { defineRoutines, type RoutinesOf, type TableRoutines } from './routines.ts';
export {
  IRP,
  IoStatusBlock,
  type DRIVER_CANCEL,
  type IO_COMPLETION_ROUTINE,
  type IO_STATUS_BLOCK,
  type IrpState,
  type PDEVICE_OBJECT,
} from './irp.ts';
export { IrpManager } from './irp-routines.ts';
export {
  NonPagedPool,
  NonPagedPoolNx,
  PagedPool,
  POOL_FLAG_CACHE_ALIGNED,
  POOL_FLAG_NON_PAGED,
  POOL_FLAG_NON_PAGED_EXECUTE,
  POOL_FLAG_PAGED,
  POOL_FLAG_RAISE_ON_FAILURE,
  POOL_FLAG_SESSION,
  POOL_FLAG_UNINITIALIZED,
  POOL_FLAG_USE_QUOTA,
  PoolManager,
  type POOL_FLAGS,
  tagText,
  type POOL_TYPE,
  type PoolLeak,
  type PoolTag,
} from './pool.ts';
export { LinearBytes, MDL, MdlMappingNoExecute, NormalPagePriority } from './mdl.ts';
export { MdlManager } from './mdl-routines.ts';
export { IrqlManager } from './irql-routines.ts';
export {
  DispatcherManager,
  DispatcherObject,
  Executive,
  IO_NO_INCREMENT,
  KEVENT,
  KernelMode,
  NotificationEvent,
  SynchronizationEvent,
  UserMode,
  type EVENT_TYPE,
  type LARGE_INTEGER,
} from './dispatcher.ts';
export { KTHREAD, ThreadManager, type HANDLE, type KSTART_ROUTINE } from './threads.ts';
export { tracedWait } from './thread-records.ts';
export { ObjectManager } from './objects.ts';
export {
  KDPC,
  KTIMER,
  NotificationTimer,
  SynchronizationTimer,
  TimerManager,
  type KDEFERRED_ROUTINE,
  type TIMER_TYPE,
} from './timers.ts';
export {
  CriticalWorkQueue,
  DelayedWorkQueue,
  HyperCriticalWorkQueue,
  IO_WORKITEM,
  WorkItemManager,
  type IO_WORKITEM_ROUTINE,
} from './work-items.ts';
export { KSPIN_LOCK, SpinLockManager } from './spin-locks.ts';
export { isHolder, holderValue } from './holder.ts';
export { IrpHolders, checkNtInvariants, type CheckedKernel } from './invariants.ts';
export {
  addOutstanding,
  outstandingIrps,
  outstandingPool,
  outstandingWaits,
  type Outstanding,
} from './outstanding.ts';
export { CONTAINING_RECORD, LIST_ENTRY, ListLink, ListManager, type PLIST_ENTRY } from './lists.ts';
export {
  SINGLE_LIST_ENTRY,
  SLIST_ENTRY,
  SLIST_HEADER,
  SListManager,
  type PSLIST_ENTRY,
  type PSLIST_HEADER,
} from './slists.ts';
export {
  InterlockedCompareExchange,
  InterlockedCompareExchangePointer,
  InterlockedDecrement,
  InterlockedExchange,
  InterlockedExchangeAdd,
  InterlockedExchangePointer,
  InterlockedIncrement,
  InterlockedRoutines,
} from './interlocked.ts';
export { EX_RUNDOWN_REF, RundownManager, type PEX_RUNDOWN_REF } from './rundown.ts';
export {
  KWAIT_BLOCK,
  MAXIMUM_WAIT_OBJECTS,
  THREAD_WAIT_OBJECTS,
  WaitAll,
  WaitAny,
  WaitManager,
  type WAIT_TYPE,
} from './waits.ts';
export {
  FAST_MUTEX,
  KMUTEX,
  MutexManager,
  type PFAST_MUTEX,
  type PKMUTEX,
  type PRKMUTEX,
} from './mutex.ts';
export {
  LOOKASIDE_DEPTH,
  LookasideManager,
  NPAGED_LOOKASIDE_LIST,
  type PALLOCATE_FUNCTION,
  type PFREE_FUNCTION,
  type PNPAGED_LOOKASIDE_LIST,
} from './lookaside.ts';
export {
  DEVICE_OBJECT,
  DRIVER_OBJECT,
  DeviceManager,
  FILE_DEVICE_NETWORK,
  FILE_DEVICE_SECURE_OPEN,
  FILE_DEVICE_UNKNOWN,
  RTL_CONSTANT_STRING,
  type PCUNICODE_STRING,
  type PDRIVER_OBJECT,
  type PUNICODE_STRING,
  type UNICODE_STRING,
} from './device.ts';
export {
  DPFLTR_DEFAULT_ID,
  DPFLTR_ERROR_LEVEL,
  DPFLTR_IHVDRIVER_ID,
  DPFLTR_IHVNETWORK_ID,
  DPFLTR_INFO_LEVEL,
  DPFLTR_TRACE_LEVEL,
  DPFLTR_WARNING_LEVEL,
  DebugPrintManager,
  formatDbgPrint,
} from './debug-print.ts';
