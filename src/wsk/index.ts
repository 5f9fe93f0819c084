/** The WSK model, part 1: NTSTATUS and the per-host kernel services (DESIGN.md §3–§5). */
export * from './ntstatus.ts';
export {
  APC_LEVEL,
  DISPATCH_LEVEL,
  PASSIVE_LEVEL,
  type KIRQL,
  type KernelOptions,
  type Violation,
} from './core.ts';
export { Kernel } from './kernel.ts';
export {
  IRP,
  type DRIVER_CANCEL,
  type IO_COMPLETION_ROUTINE,
  type IO_STATUS_BLOCK,
  type PDEVICE_OBJECT,
} from './irp.ts';
export {
  NonPagedPool,
  NonPagedPoolNx,
  PagedPool,
  tagText,
  type POOL_TYPE,
  type PoolLeak,
  type PoolTag,
} from './pool.ts';
export { MDL, MdlMappingNoExecute, NormalPagePriority } from './mdl.ts';
export {
  DispatcherObject,
  Executive,
  IO_NO_INCREMENT,
  KEVENT,
  KTHREAD,
  KernelMode,
  NotificationEvent,
  SynchronizationEvent,
  UserMode,
  type EVENT_TYPE,
  type HANDLE,
  type KSTART_ROUTINE,
  type LARGE_INTEGER,
} from './ke.ts';
export {
  CriticalWorkQueue,
  DelayedWorkQueue,
  HyperCriticalWorkQueue,
  IO_WORKITEM,
  KDPC,
  KSPIN_LOCK,
  KTIMER,
  type IO_WORKITEM_ROUTINE,
  type KDEFERRED_ROUTINE,
} from './deferred.ts';
