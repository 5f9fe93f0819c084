/**
 * The kernel layer's verifier rules: IRPs, MDLs, pool, IRQL, dispatcher objects and waits,
 * spin locks, work items, system threads, and the kernel's end-of-run checks. Declared `as const`
 * so `k.violation('…')` and `k.advisory('…')` accept only these ids, each in its own channel
 * (catalogue.ts). Order: IRP, MDL, pool, IRQL / Ke / spin locks / work items / threads, then
 * liveness and leaks at the end of a run.
 *
 * WSK-STATUS-IGNORED is reported by the IRP routines (a pended IRP's failure never read), so it
 * sits here, in the layer that reports it; its id keeps the name it shipped with.
 *
 * A rule's `source` is one line: the docs/ sections it rests on, then the Microsoft Learn pages. A
 * page is named by its title without the word for its kind, and names before one header share it:
 * `IoAllocateIrp, IoFreeIrp (wdm.h)` are the pages "IoAllocateIrp function (wdm.h)" and "IoFreeIrp
 * function (wdm.h)". Pages of other kinds keep their whole title: "IrqlKeRaiseLower rule (wdm)",
 * "Bug Check 0xC2: BAD_POOL_CALLER". docs/model.md lists every page named here, with its URL, in
 * the Sources of the section it backs. wsk/rules.ts follows the same convention.
 */
import { catalogueOf, type RuleIdOf, type VerifierRule } from './catalogue.ts';

export const NT_RULE_LIST = [
  // ---- IRP (docs/model.md#irps-and-completion-routines) -------------------------------------
  {
    id: 'IRP-COMPLETED-TWICE',
    channel: 'violation',
    summary: 'An IRP is completed a second time.',
    source:
      'docs/model.md#completion-routines; docs/design.md#irp-rules; IoCompleteRequest (wdm.h)',
  },
  {
    id: 'IRP-COMPLETED-NOT-ISSUED',
    channel: 'violation',
    summary: 'An IRP that no call holds is completed (or pended).',
    source:
      'docs/model.md#obtaining-an-irp, #inline-or-pending-completion; IoCompleteRequest (wdm.h)',
  },
  {
    id: 'IRP-COMPLETED-PENDING',
    channel: 'violation',
    summary: 'An IRP is completed with STATUS_PENDING in IoStatus.Status.',
    source: 'docs/model.md#completion-routines; CompleteRequestStatusCheck rule (wdm)',
  },
  {
    id: 'IRP-FREED-WHILE-PENDING',
    channel: 'violation',
    summary: 'IoFreeIrp frees an IRP that a call still holds (its completion routine has not run).',
    source:
      'docs/model.md#inline-or-pending-completion; docs/design.md#irp-rules; IoFreeIrp (wdm.h)',
  },
  {
    id: 'IRP-FREED-TWICE',
    channel: 'violation',
    summary: 'IoFreeIrp frees an IRP that was freed already.',
    source: 'docs/model.md#irps-and-completion-routines; IoFreeIrp (wdm.h)',
  },
  {
    id: 'IRP-USE-AFTER-FREE',
    channel: 'violation',
    summary: 'An IRP is used (passed to a call, reused, cancelled, completed) after IoFreeIrp.',
    source: 'docs/model.md#irps-and-completion-routines; IoFreeIrp (wdm.h)',
  },
  {
    id: 'IRP-REUSED-WHILE-PENDING',
    channel: 'violation',
    summary: 'An IRP is reused or passed to another call before its completion routine has run.',
    source:
      'docs/model.md#inline-or-pending-completion; docs/design.md#irp-rules; IoReuseIrp (wdm.h)',
  },
  {
    id: 'IRP-NO-COMPLETION-ROUTINE',
    channel: 'violation',
    summary: 'A driver-allocated IRP is passed to a WSK call without a completion routine.',
    source:
      'docs/model.md#completion-routines; docs/design.md#irp-rules; IoSetCompletionRoutine (wdm.h)',
  },
  {
    id: 'IRP-COMPLETION-FLAGS',
    channel: 'violation',
    summary:
      "A driver-allocated IRP's completion routine is not set for success, error and cancel.",
    source:
      'docs/model.md#completion-routines; docs/design.md#irp-rules; IoSetCompletionRoutine (wdm.h)',
  },
  {
    id: 'IRP-COMPLETION-RETURN',
    channel: 'violation',
    summary:
      "A driver-allocated IRP's completion routine returns other than MORE_PROCESSING_REQUIRED.",
    source:
      'docs/model.md#completion-routines; docs/design.md#irp-rules; IoSetCompletionRoutine (wdm.h)',
  },
  {
    id: 'IRP-NO-STACK-LOCATION',
    channel: 'violation',
    summary: 'An IRP without a stack location is passed to a WSK call.',
    source: 'docs/model.md#obtaining-an-irp; IoAllocateIrp (wdm.h)',
  },
  {
    id: 'IRP-CANCEL-LOCK-NOT-RELEASED',
    channel: 'violation',
    summary: 'A cancel routine returns without releasing the cancel spin lock.',
    source:
      'docs/model.md#cancellation; IoCancelIrp, DRIVER_CANCEL, IoReleaseCancelSpinLock (wdm.h)',
  },
  {
    id: 'CANCEL-SPINLOCK-NOT-HELD',
    channel: 'violation',
    summary: 'IoReleaseCancelSpinLock is called without the cancel spin lock held.',
    source: 'docs/model.md#cancellation; IoReleaseCancelSpinLock (wdm.h)',
  },

  // ---- MDL (docs/model.md#mdls; WSK_BUF: #the-data-path) -------------------------------------
  {
    id: 'MDL-BAD-LENGTH',
    channel: 'violation',
    summary: 'IoAllocateMdl is asked for a Length of 0 or past the end of the buffer.',
    source: 'docs/model.md#mdls, #wsksend, #wskreceive (WSK_BUF); IoAllocateMdl (wdm.h)',
  },
  {
    id: 'MDL-FREED-TWICE',
    channel: 'violation',
    summary: 'IoFreeMdl frees an MDL that was freed already.',
    source: 'docs/model.md#mdls; IoFreeMdl (wdm.h)',
  },
  {
    id: 'MDL-USE-AFTER-FREE',
    channel: 'violation',
    summary: 'An MDL is used after IoFreeMdl.',
    source: 'docs/model.md#mdls; IoFreeMdl, MmGetSystemAddressForMdlSafe (wdm.h)',
  },

  // ---- pool (docs/design.md#the-wsk-surface, "Pool memory"; docs/model.md#pool) --------------
  {
    id: 'POOL-USE-AFTER-FREE',
    channel: 'violation',
    summary: 'A pool block is read or written after ExFreePoolWithTag.',
    source:
      'docs/design.md#the-wsk-surface, #status-violation-or-advisory; ExFreePoolWithTag (wdm.h)',
  },
  {
    id: 'POOL-DOUBLE-FREE',
    channel: 'violation',
    summary: 'ExFreePoolWithTag frees a pool block that was freed already.',
    source: 'docs/model.md#pool; ExFreePoolWithTag (wdm.h)',
  },
  {
    id: 'POOL-TAG-MISMATCH',
    channel: 'violation',
    summary: 'ExFreePoolWithTag frees a block with another tag than it was allocated with.',
    source: 'docs/model.md#pool; ExFreePoolWithTag (wdm.h); Bug Check 0xC2: BAD_POOL_CALLER',
  },
  {
    id: 'POOL-FREE-FOREIGN',
    channel: 'violation',
    summary: 'ExFreePoolWithTag frees memory that did not come from the pool.',
    source: 'docs/model.md#pool; ExFreePoolWithTag (wdm.h); Bug Check 0xC2: BAD_POOL_CALLER',
  },
  {
    id: 'POOL-OUT-OF-BOUNDS',
    channel: 'violation',
    summary:
      "A C driver's load or store lands in the redzone just outside a pool block (an overrun " +
      'or underrun), found by the pool checks of its linear memory.',
    source:
      'README.md#c-drivers-locations-and-pool-checks; ExAllocatePoolWithTag (wdm.h); ' +
      'Driver Verifier: Special Pool',
  },
  {
    id: 'POOL-PAGED-AT-DISPATCH',
    channel: 'violation',
    summary: 'Paged pool is touched at IRQL >= DISPATCH_LEVEL.',
    source: 'docs/model.md#pool, #pitfalls-and-races (pitfall 25); ExAllocatePoolWithTag (wdm.h)',
  },

  // ---- IRQL, Ke, spin locks, work items, threads ---------------------------------------------
  {
    id: 'IRQL-TOO-HIGH',
    channel: 'violation',
    summary: 'A routine is called above the highest IRQL its documentation allows.',
    source: "docs/model.md#irql, #rules-common-to-every-call; the IRQL of each routine's page",
  },
  {
    id: 'IRQL-RAISE-LOWER',
    channel: 'violation',
    summary: 'KeRaiseIrql is asked for an IRQL below the current one.',
    source: 'docs/model.md#irql; KeRaiseIrql (wdm.h); IrqlKeRaiseLower rule (wdm)',
  },
  {
    id: 'IRQL-LOWER-RAISE',
    channel: 'violation',
    summary: 'KeLowerIrql is asked for an IRQL above the current one.',
    source: 'docs/model.md#irql; KeLowerIrql (wdm.h); IrqlKeRaiseLower rule (wdm)',
  },
  {
    id: 'IRQL-NOT-RESTORED',
    channel: 'violation',
    summary: 'A callback or completion routine returns at another IRQL than it was called at.',
    source: 'docs/model.md#rules-for-every-callback, #irql; KeRaiseIrql, KeLowerIrql (wdm.h)',
  },
  {
    id: 'IRQL-NOT-DISPATCH',
    channel: 'violation',
    summary: 'KeAcquireSpinLockAtDpcLevel is called below DISPATCH_LEVEL.',
    source: 'docs/model.md#spin-locks; KeAcquireSpinLockAtDpcLevel (wdm.h)',
  },
  {
    id: 'SPINLOCK-RECURSIVE-ACQUIRE',
    channel: 'violation',
    summary: 'A spin lock is acquired while already held (a deadlock).',
    source: 'docs/design.md#kernel-rules; docs/model.md#spin-locks; KeAcquireSpinLock (wdm.h)',
  },
  {
    id: 'SPINLOCK-RELEASE-NOT-HELD',
    channel: 'violation',
    summary: 'A spin lock is released that is not held.',
    source: 'docs/design.md#kernel-rules; docs/model.md#spin-locks; KeReleaseSpinLock (wdm.h)',
  },
  {
    id: 'SPINLOCK-RELEASE-NOT-OWNER',
    channel: 'violation',
    summary: 'A spin lock is released by a callback or thread other than the one that took it.',
    source: 'docs/design.md#kernel-rules; docs/model.md#spin-locks; KeReleaseSpinLock (wdm.h)',
  },
  {
    id: 'SPINLOCK-HELD-ON-RETURN',
    channel: 'violation',
    summary: 'A callback or completion routine returns still holding a spin lock it acquired.',
    source: 'docs/model.md#rules-for-every-callback, #spin-locks; KeAcquireSpinLock (wdm.h)',
  },
  {
    id: 'SPINLOCK-HELD-ACROSS-WAIT',
    channel: 'violation',
    summary: 'A wait (KeWaitForSingleObject, ...) that may block is made holding a spin lock.',
    source: 'docs/design.md#kernel-rules; KeAcquireSpinLock, KeWaitForSingleObject (wdm.h)',
  },
  {
    id: 'WAIT-OUTSIDE-THREAD',
    channel: 'violation',
    summary: 'A wait that must block is made outside a system thread (in a callback or DPC).',
    source: 'docs/model.md#system-threads-and-waits; KeWaitForSingleObject (wdm.h)',
  },
  {
    id: 'OBJECT-NOT-INITIALIZED',
    channel: 'violation',
    summary: 'A dispatcher object is used before its KeInitialize* call.',
    source: 'docs/design.md#kernel-rules; KeInitializeEvent, KeInitializeTimer (wdm.h)',
  },
  {
    id: 'THREAD-TERMINATE-OUTSIDE-THREAD',
    channel: 'violation',
    summary: 'PsTerminateSystemThread is called outside a system thread.',
    source: 'docs/model.md#system-threads-and-waits; PsTerminateSystemThread (wdm.h)',
  },
  {
    id: 'WORKITEM-QUEUED-TWICE',
    channel: 'violation',
    summary: 'IoQueueWorkItem queues a work item that is queued already.',
    source: 'docs/model.md#work-items; IoQueueWorkItem (wdm.h)',
  },
  {
    id: 'WORKITEM-FREED-WHILE-QUEUED',
    channel: 'violation',
    summary: 'IoFreeWorkItem frees a work item that is still queued.',
    source: 'docs/model.md#work-items; IoFreeWorkItem, IoQueueWorkItem (wdm.h)',
  },
  {
    id: 'WORKITEM-FREED-TWICE',
    channel: 'violation',
    summary: 'IoFreeWorkItem frees a work item that was freed already.',
    source: 'docs/model.md#work-items; IoFreeWorkItem (wdm.h)',
  },
  {
    id: 'WORKITEM-USE-AFTER-FREE',
    channel: 'violation',
    summary: 'IoQueueWorkItem queues a work item after IoFreeWorkItem.',
    source: 'docs/model.md#work-items; IoFreeWorkItem, IoQueueWorkItem (wdm.h)',
  },

  // ---- lists, rundown, mutexes, lookaside lists, devices (issue 18) --------------------------
  {
    id: 'LIST-HEAD-NOT-INITIALIZED',
    channel: 'violation',
    summary: 'A list routine is given a LIST_ENTRY or SLIST_HEADER head never initialised.',
    source:
      'docs/model.md#kernel-routines-around-wsk; InitializeListHead, InitializeSListHead (wdm.h)',
  },
  {
    id: 'LIST-ENTRY-INSERTED-TWICE',
    channel: 'violation',
    summary: 'InsertHeadList or InsertTailList inserts an entry that is already on a list.',
    source:
      'docs/model.md#kernel-routines-around-wsk; InsertTailList (wdm.h); ' +
      'Bug Check 0x139: KERNEL_SECURITY_CHECK_FAILURE',
  },
  {
    id: 'LIST-ENTRY-REMOVED-TWICE',
    channel: 'violation',
    summary: 'RemoveEntryList removes an entry that is on no list (removed already, or never in).',
    source:
      'docs/model.md#kernel-routines-around-wsk; RemoveEntryList (wdm.h); ' +
      'Bug Check 0x139: KERNEL_SECURITY_CHECK_FAILURE',
  },
  {
    id: 'SLIST-ENTRY-PUSHED-TWICE',
    channel: 'violation',
    summary: 'An entry already on an SLIST is pushed again (a cycle in the list).',
    source:
      'docs/model.md#kernel-routines-around-wsk; ' +
      'ExInterlockedPushEntrySList, PushEntryList (wdm.h)',
  },
  {
    id: 'RUNDOWN-RELEASE-NOT-ACQUIRED',
    channel: 'violation',
    summary: 'ExReleaseRundownProtection is called more times than ExAcquireRundownProtection.',
    source:
      'docs/model.md#kernel-routines-around-wsk; ' +
      'ExAcquireRundownProtection, ExReleaseRundownProtection (wdm.h)',
  },
  {
    id: 'MUTEX-RELEASE-NOT-OWNER',
    channel: 'violation',
    summary: 'KeReleaseMutex releases a mutex the calling thread does not own.',
    source: 'docs/model.md#kernel-routines-around-wsk; KeReleaseMutex, KeInitializeMutex (wdm.h)',
  },
  {
    id: 'FAST-MUTEX-RECURSIVE-ACQUIRE',
    channel: 'violation',
    summary: 'ExAcquireFastMutex acquires a fast mutex its caller holds (a deadlock).',
    source: 'docs/model.md#kernel-routines-around-wsk; ExAcquireFastMutex (wdm.h)',
  },
  {
    id: 'FAST-MUTEX-RELEASE-NOT-OWNER',
    channel: 'violation',
    summary: 'ExReleaseFastMutex releases a fast mutex its caller does not hold.',
    source: 'docs/model.md#kernel-routines-around-wsk; ExReleaseFastMutex (wdm.h)',
  },
  {
    id: 'LOOKASIDE-FREE-WRONG-LIST',
    channel: 'violation',
    summary: 'ExFreeToNPagedLookasideList frees an entry that came from another list.',
    source: 'docs/model.md#kernel-routines-around-wsk; ExFreeToNPagedLookasideList (wdm.h)',
  },
  {
    id: 'LOOKASIDE-FREE-TWICE',
    channel: 'violation',
    summary: 'ExFreeToNPagedLookasideList frees an entry that is already back on the list.',
    source: 'docs/model.md#kernel-routines-around-wsk; ExFreeToNPagedLookasideList (wdm.h)',
  },
  {
    id: 'LOOKASIDE-USE-AFTER-DELETE',
    channel: 'violation',
    summary: 'A lookaside list is used after ExDeleteNPagedLookasideList.',
    source: 'docs/model.md#kernel-routines-around-wsk; ExDeleteNPagedLookasideList (wdm.h)',
  },
  {
    id: 'DEVICE-DELETED-TWICE',
    channel: 'violation',
    summary: 'IoDeleteDevice deletes a device object that was deleted already.',
    source: 'docs/model.md#kernel-routines-around-wsk; IoDeleteDevice (wdm.h)',
  },
  {
    id: 'DEVICE-USE-AFTER-DELETE',
    channel: 'violation',
    summary: 'A device object is used (IoAllocateWorkItem) after IoDeleteDevice.',
    source: 'docs/model.md#kernel-routines-around-wsk; IoDeleteDevice, IoAllocateWorkItem (wdm.h)',
  },
  {
    id: 'POOL-FLAGS-INVALID',
    channel: 'violation',
    summary: 'ExAllocatePool2 is given no pool type flag, two of them, or a zero tag.',
    source:
      'docs/model.md#kernel-routines-around-wsk; ExAllocatePool2 (wdm.h); ' +
      'Bug Check 0xC2: BAD_POOL_CALLER',
  },
  {
    id: 'WAIT-TOO-MANY-OBJECTS',
    channel: 'violation',
    summary:
      'KeWaitForMultipleObjects waits on more than 64 objects, or on more than 3 without a ' +
      'WaitBlockArray.',
    source:
      'docs/model.md#kernel-routines-around-wsk; KeWaitForMultipleObjects (wdm.h); ' +
      'Bug Check 0xC: MAXIMUM_WAIT_OBJECTS_EXCEEDED',
  },

  {
    id: 'WSK-STATUS-IGNORED',
    channel: 'advisory',
    summary: 'An IRP completed with a failure is freed or reused without IoStatus.Status read.',
    source:
      'docs/model.md#completion-routines; docs/design.md#status-violation-or-advisory (third row)',
  },
  // ---- liveness and leaks at the end of a run -----------------------------------------------
  {
    id: 'IRP-LEAKED',
    channel: 'violation',
    summary: 'An IRP allocated with IoAllocateIrp is never freed.',
    source:
      'docs/design.md#irp-rules; docs/model.md#obtaining-an-irp; IoAllocateIrp, IoFreeIrp (wdm.h)',
  },
  {
    id: 'IRP-NEVER-COMPLETED',
    channel: 'violation',
    summary: 'An IRP a WSK call took has still not completed after the settle phase.',
    source: 'docs/design.md#liveness-at-the-end-of-a-run; docs/model.md#registration-and-capture',
  },
  {
    id: 'WAIT-NEVER-SATISFIED',
    channel: 'violation',
    summary:
      'A system thread is still blocked at the end of the run in a wait with no timeout ' +
      '(a deadlock or a lost wake-up).',
    source:
      'docs/design.md#liveness-at-the-end-of-a-run; docs/model.md#system-threads-and-waits; ' +
      'KeWaitForSingleObject, KeWaitForMultipleObjects, ExWaitForRundownProtectionRelease (wdm.h)',
  },
  {
    id: 'POOL-LEAKED',
    channel: 'violation',
    summary: 'A pool allocation is never freed (reported by tag and size).',
    source: 'docs/design.md#kernel-rules; ExAllocatePoolWithTag, ExFreePoolWithTag (wdm.h)',
  },
] as const satisfies readonly VerifierRule[];

export type NtViolationId = RuleIdOf<typeof NT_RULE_LIST, 'violation'>;
export type NtAdvisoryId = RuleIdOf<typeof NT_RULE_LIST, 'advisory'>;

export const NT_RULES = catalogueOf('nt', NT_RULE_LIST);
