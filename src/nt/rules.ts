/**
 * The kernel layer's verifier rules: IRPs, MDLs, pool, IRQL, dispatcher objects and waits,
 * spin locks, work items, system threads, and the kernel's end-of-run checks. Declared `as const`
 * so `k.violation('…')` and `k.advisory('…')` accept only these ids, each in its own channel
 * (catalogue.ts). Order: IRP, MDL, pool, IRQL / Ke / spin locks / work items / threads, then
 * liveness and leaks at the end of a run.
 *
 * WSK-STATUS-IGNORED is reported by the IRP routines (a pended IRP's failure never read), so it
 * sits here, in the layer that reports it; its id keeps the name it shipped with.
 */
import { catalogueOf, type RuleIdOf, type VerifierRule } from './catalogue.ts';

export const NT_RULE_LIST = [
  // ---- IRP (wsk.md §6) ----------------------------------------------------------------------
  {
    id: 'IRP-COMPLETED-TWICE',
    channel: 'violation',
    summary: 'An IRP is completed a second time.',
    source: 'wsk.md §6.3; DESIGN §3, §5; WDK IoCompleteRequest',
  },
  {
    id: 'IRP-COMPLETED-NOT-ISSUED',
    channel: 'violation',
    summary: 'An IRP that no call holds is completed (or pended).',
    source: 'wsk.md §6.1, §6.3; WDK IoCompleteRequest',
  },
  {
    id: 'IRP-COMPLETED-PENDING',
    channel: 'violation',
    summary: 'An IRP is completed with STATUS_PENDING in IoStatus.Status.',
    source: 'wsk.md §6.3; WDK IoCompleteRequest, SDV rule CompleteRequestStatusCheck',
  },
  {
    id: 'IRP-FREED-WHILE-PENDING',
    channel: 'violation',
    summary: 'IoFreeIrp frees an IRP that a call still holds (its completion routine has not run).',
    source: 'wsk.md §6.3; DESIGN §5; WDK IoFreeIrp',
  },
  {
    id: 'IRP-FREED-TWICE',
    channel: 'violation',
    summary: 'IoFreeIrp frees an IRP that was freed already.',
    source: 'wsk.md §6.1; WDK IoFreeIrp',
  },
  {
    id: 'IRP-USE-AFTER-FREE',
    channel: 'violation',
    summary: 'An IRP is used (passed to a call, reused, cancelled, completed) after IoFreeIrp.',
    source: 'wsk.md §6.1–§6.3; WDK IoFreeIrp',
  },
  {
    id: 'IRP-REUSED-WHILE-PENDING',
    channel: 'violation',
    summary: 'An IRP is reused or passed to another call before its completion routine has run.',
    source: 'wsk.md §6.3, §9.11; DESIGN §5; WDK IoReuseIrp',
  },
  {
    id: 'IRP-NO-COMPLETION-ROUTINE',
    channel: 'violation',
    summary: 'A driver-allocated IRP is passed to a WSK call without a completion routine.',
    source: 'wsk.md §6.2; DESIGN §5; WDK IoSetCompletionRoutine',
  },
  {
    id: 'IRP-COMPLETION-FLAGS',
    channel: 'violation',
    summary:
      "A driver-allocated IRP's completion routine is not set for success, error and cancel.",
    source: 'wsk.md §6.2; DESIGN §5; WDK IoSetCompletionRoutine',
  },
  {
    id: 'IRP-COMPLETION-RETURN',
    channel: 'violation',
    summary:
      "A driver-allocated IRP's completion routine returns other than MORE_PROCESSING_REQUIRED.",
    source: 'wsk.md §6.2, §9.12; DESIGN §5; WDK IoSetCompletionRoutine',
  },
  {
    id: 'IRP-NO-STACK-LOCATION',
    channel: 'violation',
    summary: 'An IRP without a stack location is passed to a WSK call.',
    source: 'wsk.md §6.1; WDK IoAllocateIrp',
  },
  {
    id: 'IRP-CANCEL-LOCK-NOT-RELEASED',
    channel: 'violation',
    summary: 'A cancel routine returns without releasing the cancel spin lock.',
    source: 'wsk.md §6.4; WDK IoCancelIrp, DRIVER_CANCEL, IoReleaseCancelSpinLock',
  },
  {
    id: 'CANCEL-SPINLOCK-NOT-HELD',
    channel: 'violation',
    summary: 'IoReleaseCancelSpinLock is called without the cancel spin lock held.',
    source: 'wsk.md §6.4; WDK IoReleaseCancelSpinLock',
  },

  // ---- MDL (wsk.md §3.9–§3.10 WSK_BUF) -------------------------------------------------------
  {
    id: 'MDL-BAD-LENGTH',
    channel: 'violation',
    summary: 'IoAllocateMdl is asked for a Length of 0 or past the end of the buffer.',
    source: 'wsk.md §3.9, §3.10 (WSK_BUF); WDK IoAllocateMdl',
  },
  {
    id: 'MDL-FREED-TWICE',
    channel: 'violation',
    summary: 'IoFreeMdl frees an MDL that was freed already.',
    source: 'WDK IoFreeMdl',
  },
  {
    id: 'MDL-USE-AFTER-FREE',
    channel: 'violation',
    summary: 'An MDL is used after IoFreeMdl.',
    source: 'WDK IoFreeMdl, MmGetSystemAddressForMdlSafe',
  },

  // ---- pool (DESIGN §3 "Pool memory") --------------------------------------------------------
  {
    id: 'POOL-USE-AFTER-FREE',
    channel: 'violation',
    summary: 'A pool block is read or written after ExFreePoolWithTag.',
    source: 'DESIGN §3 (pool memory), §4; WDK ExFreePoolWithTag',
  },
  {
    id: 'POOL-DOUBLE-FREE',
    channel: 'violation',
    summary: 'ExFreePoolWithTag frees a pool block that was freed already.',
    source: 'WDK ExFreePoolWithTag',
  },
  {
    id: 'POOL-TAG-MISMATCH',
    channel: 'violation',
    summary: 'ExFreePoolWithTag frees a block with another tag than it was allocated with.',
    source: 'WDK ExFreePoolWithTag (bug check BAD_POOL_CALLER)',
  },
  {
    id: 'POOL-FREE-FOREIGN',
    channel: 'violation',
    summary: 'ExFreePoolWithTag frees memory that did not come from the pool.',
    source: 'WDK ExFreePoolWithTag (bug check BAD_POOL_CALLER)',
  },
  {
    id: 'POOL-PAGED-AT-DISPATCH',
    channel: 'violation',
    summary: 'Paged pool is touched at IRQL >= DISPATCH_LEVEL.',
    source: 'DESIGN §3 (pool memory); wsk.md §9.25; WDK ExAllocatePoolWithTag (PagedPool)',
  },

  // ---- IRQL, Ke, spin locks, work items, threads ---------------------------------------------
  {
    id: 'IRQL-TOO-HIGH',
    channel: 'violation',
    summary: 'A routine is called above the highest IRQL its documentation allows.',
    source: 'wsk.md §1.2, §3.0, §3.12; DESIGN §5 (kernel); WDK IRQL of each routine',
  },
  {
    id: 'IRQL-RAISE-LOWER',
    channel: 'violation',
    summary: 'KeRaiseIrql is asked for an IRQL below the current one.',
    source: 'WDK KeRaiseIrql, DDI rule IrqlKeRaiseLower',
  },
  {
    id: 'IRQL-LOWER-RAISE',
    channel: 'violation',
    summary: 'KeLowerIrql is asked for an IRQL above the current one.',
    source: 'WDK KeLowerIrql, DDI rule IrqlKeRaiseLower',
  },
  {
    id: 'IRQL-NOT-RESTORED',
    channel: 'violation',
    summary: 'A callback or completion routine returns at another IRQL than it was called at.',
    source: 'wsk.md §4.1, §6.3; WDK KeRaiseIrql, KeLowerIrql',
  },
  {
    id: 'IRQL-NOT-DISPATCH',
    channel: 'violation',
    summary: 'KeAcquireSpinLockAtDpcLevel is called below DISPATCH_LEVEL.',
    source: 'WDK KeAcquireSpinLockAtDpcLevel',
  },
  {
    id: 'SPINLOCK-RECURSIVE-ACQUIRE',
    channel: 'violation',
    summary: 'A spin lock is acquired while already held (a deadlock).',
    source: 'DESIGN §5 (spin lock misuse); WDK KeAcquireSpinLock',
  },
  {
    id: 'SPINLOCK-RELEASE-NOT-HELD',
    channel: 'violation',
    summary: 'A spin lock is released that is not held.',
    source: 'DESIGN §5 (spin lock misuse); WDK KeReleaseSpinLock',
  },
  {
    id: 'SPINLOCK-RELEASE-NOT-OWNER',
    channel: 'violation',
    summary: 'A spin lock is released by a callback or thread other than the one that took it.',
    source: 'DESIGN §5 (spin lock misuse); WDK KeReleaseSpinLock',
  },
  {
    id: 'SPINLOCK-HELD-ON-RETURN',
    channel: 'violation',
    summary: 'A callback or completion routine returns still holding a spin lock it acquired.',
    source: 'DESIGN §5 (spin lock misuse); wsk.md §4.1; WDK KeAcquireSpinLock',
  },
  {
    id: 'SPINLOCK-HELD-ACROSS-WAIT',
    channel: 'violation',
    summary: 'KeWaitForSingleObject with a non-zero timeout is called while holding a spin lock.',
    source: 'DESIGN §5 (spin lock misuse); WDK KeAcquireSpinLock, KeWaitForSingleObject',
  },
  {
    id: 'WAIT-OUTSIDE-THREAD',
    channel: 'violation',
    summary: 'A wait that must block is made outside a system thread (in a callback or DPC).',
    source: 'wsk.md §1.2, §4.1, §9.6; WDK KeWaitForSingleObject',
  },
  {
    id: 'OBJECT-NOT-INITIALIZED',
    channel: 'violation',
    summary: 'A dispatcher object is used before its KeInitialize* call.',
    source: 'WDK KeInitializeEvent, KeInitializeTimer',
  },
  {
    id: 'THREAD-TERMINATE-OUTSIDE-THREAD',
    channel: 'violation',
    summary: 'PsTerminateSystemThread is called outside a system thread.',
    source: 'WDK PsTerminateSystemThread',
  },
  {
    id: 'WORKITEM-QUEUED-TWICE',
    channel: 'violation',
    summary: 'IoQueueWorkItem queues a work item that is queued already.',
    source: 'WDK IoQueueWorkItem',
  },
  {
    id: 'WORKITEM-FREED-WHILE-QUEUED',
    channel: 'violation',
    summary: 'IoFreeWorkItem frees a work item that is still queued.',
    source: 'WDK IoFreeWorkItem, IoQueueWorkItem',
  },
  {
    id: 'WORKITEM-FREED-TWICE',
    channel: 'violation',
    summary: 'IoFreeWorkItem frees a work item that was freed already.',
    source: 'WDK IoFreeWorkItem',
  },
  {
    id: 'WORKITEM-USE-AFTER-FREE',
    channel: 'violation',
    summary: 'IoQueueWorkItem queues a work item after IoFreeWorkItem.',
    source: 'WDK IoFreeWorkItem, IoQueueWorkItem',
  },

  {
    id: 'WSK-STATUS-IGNORED',
    channel: 'advisory',
    summary: 'An IRP completed with a failure is freed or reused without IoStatus.Status read.',
    source: 'wsk.md §3.0, §6.2; DESIGN §4 (third row)',
  },
  // ---- liveness and leaks at the end of a run -----------------------------------------------
  {
    id: 'IRP-LEAKED',
    channel: 'violation',
    summary: 'An IRP allocated with IoAllocateIrp is never freed.',
    source: 'DESIGN §5; wsk.md §6.1, §6.2; WDK IoAllocateIrp, IoFreeIrp',
  },
  {
    id: 'IRP-NEVER-COMPLETED',
    channel: 'violation',
    summary: 'An IRP a WSK call took has still not completed after the settle phase.',
    source: 'DESIGN §5 (liveness); wsk.md §6.5',
  },
  {
    id: 'POOL-LEAKED',
    channel: 'violation',
    summary: 'A pool allocation is never freed (reported by tag and size).',
    source: 'DESIGN §5 (kernel); WDK ExAllocatePoolWithTag, ExFreePoolWithTag',
  },
] as const satisfies readonly VerifierRule[];

export type NtViolationId = RuleIdOf<typeof NT_RULE_LIST, 'violation'>;
export type NtAdvisoryId = RuleIdOf<typeof NT_RULE_LIST, 'advisory'>;

export const NT_RULES = catalogueOf('nt', NT_RULE_LIST);
