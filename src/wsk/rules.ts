/**
 * The verifier's rule catalogue: every rule the WSK model can report, by its stable id.
 *
 * DESIGN.md §4 gives one rule for how a misuse is reported: Windows returns a status (the
 * call's NTSTATUS or the IRP's IoStatus; not a rule here), the documentation forbids it or
 * Windows would bug-check (a 'violation': the run fails), or it is legal but almost always a
 * bug (an 'advisory': recorded in the report, fails the run only under `strict`). DESIGN.md §5:
 * every rule has a stable id (never renamed once shipped), a one-line explanation and the
 * documentation it rests on: a section of reference/wsk.md or reference/tcp.md, and/or the WDK
 * page of the routine.
 *
 * k.violation and k.advisory (core.ts) accept only ids listed here, and only with the channel
 * listed here. Order: IRP, MDL, pool, IRQL / Ke / spin locks / work items / threads, WSK
 * registration, WSK sockets, WSK callbacks, liveness and leaks at the end of a run.
 */

export type RuleChannel = 'violation' | 'advisory';

export interface VerifierRule {
  /** Stable id, e.g. 'IRP-COMPLETED-TWICE'. Never renamed once shipped. */
  readonly id: string;
  readonly channel: RuleChannel;
  /** One line (≤ 100 chars) saying what the driver did wrong, in present tense. */
  readonly summary: string;
  /** The documentation it rests on: a section of reference/wsk.md or tcp.md, and/or WDK pages. */
  readonly source: string;
}

const LIST: readonly VerifierRule[] = [
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

  // ---- WSK registration (wsk.md §1, §3.3) ----------------------------------------------------
  {
    id: 'WSK-REGISTRATION-INVALID',
    channel: 'violation',
    summary: 'A WSK_REGISTRATION not registered on this host is used.',
    source: 'wsk.md §1.1, §1.2; WDK WskRegister, WskReleaseProviderNPI',
  },
  {
    id: 'WSK-REGISTRATION-IN-USE',
    channel: 'violation',
    summary: 'WskRegister is called on a WSK_REGISTRATION that is still registered.',
    source: 'wsk.md §1.2; WDK WskRegister',
  },
  {
    id: 'WSK-REGISTER-INPUT',
    channel: 'advisory',
    summary: 'WskRegister is given a NULL client Dispatch, or a non-zero Reserved field.',
    source: 'wsk.md §1.1; DESIGN §3 (bad arguments), §4',
  },
  {
    id: 'WSK-DEREGISTER-TWICE',
    channel: 'violation',
    summary: 'WskDeregister is called a second time for one WskRegister.',
    source: 'wsk.md §1.2; WDK WskDeregister',
  },
  {
    id: 'WSK-RELEASE-WITHOUT-CAPTURE',
    channel: 'violation',
    summary: 'WskReleaseProviderNPI is called with no successful capture outstanding.',
    source: 'wsk.md §1.2; WDK WskReleaseProviderNPI',
  },
  {
    id: 'WSK-CALL-AFTER-RELEASE',
    channel: 'violation',
    summary: 'A WSK_PROVIDER_DISPATCH function is called after its capture was released.',
    source: 'wsk.md §1.2; WDK WskReleaseProviderNPI',
  },
  {
    id: 'WSK-CLIENT-INVALID',
    channel: 'violation',
    summary: "A Client argument is not a PWSK_CLIENT of this host's registrations.",
    source: 'wsk.md §1.1 (WSK_PROVIDER_NPI)',
  },
  {
    id: 'WSK-CONTROL-CLIENT-INPUT',
    channel: 'advisory',
    summary: 'WskControlClient is given a bad argument (an IRP that must be NULL, a bad buffer).',
    source: 'wsk.md §3.3; DESIGN §3 (bad arguments), §4',
  },
  {
    id: 'WSK-RELEASE-SD-UNKNOWN',
    channel: 'violation',
    summary: 'WSK_RELEASE_SD releases a descriptor the client has not cached, or released already.',
    source: 'wsk.md §3.3',
  },
  {
    id: 'WSK-SD-RELEASED-IN-USE',
    channel: 'violation',
    summary: 'WSK_RELEASE_SD releases a cached descriptor while an IRP given it is still pending.',
    source: 'wsk.md §3.1, §3.3',
  },

  // ---- WSK sockets (wsk.md §2, §3, §6.5, §7) -------------------------------------------------
  {
    id: 'WSK-SOCKET-INVALID',
    channel: 'violation',
    summary: "A Socket argument is not one of this host's WSK_SOCKETs.",
    source: 'wsk.md §3.0, §3.13',
  },
  {
    id: 'WSK-CALL-AFTER-CLOSE',
    channel: 'violation',
    summary: 'A socket function is called after WskCloseSocket on that socket.',
    source: 'wsk.md §3.13, §6.5, §9.5; DESIGN §5',
  },
  {
    id: 'WSK-CLOSE-DURING-CALL',
    channel: 'violation',
    summary: 'WskCloseSocket is called while another call on the socket has not returned.',
    source: 'wsk.md §3.13, §6.5, §9.5; DESIGN §5',
  },
  {
    id: 'WSK-WRONG-DISPATCH',
    channel: 'violation',
    summary: "A socket function is called through another category's dispatch table.",
    source: 'wsk.md §2.2, §9.10; DESIGN §5',
  },
  {
    id: 'WSK-RESERVED-FLAGS',
    channel: 'advisory',
    summary: 'A reserved Flags argument is not 0.',
    source: 'wsk.md §3.0; DESIGN §3 (bad arguments), §4',
  },
  {
    id: 'WSK-SOCKET-FLAGS',
    channel: 'advisory',
    summary: 'WskSocket is given Flags that are not one socket category.',
    source: 'wsk.md §2.1, §3.1; DESIGN §3 (bad arguments), §4',
  },
  {
    id: 'WSK-FAMILY-MISMATCH',
    channel: 'advisory',
    summary: "An address argument is not of the socket's address family.",
    source: 'wsk.md §3.2, §3.6, §7.1, §7.2; DESIGN §3 (bad arguments), §4',
  },
  {
    id: 'WSK-DOUBLE-BIND',
    channel: 'advisory',
    summary: 'WskBind is called on a socket that is bound already.',
    source: 'wsk.md §3.4; DESIGN §3 (bad arguments), §4',
  },
  {
    id: 'WSK-CONNECT-TWICE',
    channel: 'advisory',
    summary: 'WskConnect is called on a socket that has connected already.',
    source: 'wsk.md §3.6; DESIGN §3 (bad arguments), §4',
  },
  {
    id: 'WSK-OPTION-NO-IRP',
    channel: 'advisory',
    summary: 'WskControlSocket sets or gets an option that needs an IRP without one.',
    source: 'wsk.md §3.12; DESIGN §3 (bad arguments), §4',
  },
  {
    id: 'WSK-OPTION-TIMING',
    channel: 'advisory',
    summary: 'An option is set after bind, or event callbacks are enabled before bind / connect.',
    source: 'wsk.md §3.12, §4.7, §9.19; DESIGN §4 (third row)',
  },
  {
    id: 'WSK-OPTION-INPUT',
    channel: 'advisory',
    summary: 'WskControlSocket is given a malformed or short option value.',
    source: 'wsk.md §3.12; DESIGN §3 (bad arguments), §4',
  },
  {
    id: 'WSK-OPTION-CONFLICT',
    channel: 'advisory',
    summary: 'SO_REUSEADDR and SO_EXCLUSIVEADDRUSE are both set on one socket.',
    source: 'wsk.md §3.12, §7.3; DESIGN §3 (bad arguments), §4',
  },
  {
    id: 'WSK-STATUS-IGNORED',
    channel: 'advisory',
    summary: 'An IRP completed with a failure is freed or reused without IoStatus.Status read.',
    source: 'wsk.md §3.0, §6.2; DESIGN §4 (third row)',
  },
  {
    id: 'WSK-DATA-FLAGS',
    channel: 'advisory',
    summary: 'WskSend, WskReceive or WskDisconnect gets Flags it does not document, or a bad mix.',
    source: 'wsk.md §3.9–§3.11; DESIGN §3 (bad arguments), §4',
  },
  {
    id: 'WSK-BUF-INVALID',
    channel: 'advisory',
    summary: 'A WSK_BUF has no MDL, an Offset outside its first MDL or a Length past its chain.',
    source: 'wsk.md §3.0, §3.9, §3.10; wsk.h WSK_BUF; DESIGN §3 (bad arguments), §4',
  },
  {
    id: 'WSK-RELEASE-NOT-RETAINED',
    channel: 'violation',
    summary: 'WskRelease gets a list WskReceiveEvent did not retain, or one released already.',
    source: 'wsk.md §3.15, §4.5; WDK PFN_WSK_RELEASE_DATA_INDICATION_LIST',
  },
  {
    id: 'WSK-INDICATION-NOT-RELEASED',
    channel: 'violation',
    summary: 'Receive indications retained with STATUS_PENDING are never given back by WskRelease.',
    source: 'wsk.md §3.13, §3.15, §9.15; DESIGN §5 (socket)',
  },

  // ---- WSK callbacks (wsk.md §4) -------------------------------------------------------------
  {
    id: 'WSK-EVENT-ENABLE-IRP',
    channel: 'violation',
    summary: 'SO_WSK_EVENT_CALLBACK enables events with an IRP.',
    source: 'wsk.md §4.7, §9.19',
  },
  {
    id: 'WSK-EVENT-DISABLE-SEVERAL',
    channel: 'violation',
    summary: 'SO_WSK_EVENT_CALLBACK disables more than one event in one call.',
    source: 'wsk.md §4.7, §9.19',
  },
  {
    id: 'WSK-EVENT-INVALID',
    channel: 'advisory',
    summary: "An event mask is invalid for the socket's category, or disables a fixed event.",
    source: 'wsk.md §2.4, §4.7, §4.8; DESIGN §3 (bad arguments), §4',
  },
  {
    id: 'WSK-EVENT-STATIC',
    channel: 'advisory',
    summary: 'SO_WSK_EVENT_CALLBACK enables a static (or inherited) event again.',
    source: 'wsk.md §4.7, §4.8; DESIGN §3 (bad arguments), §4',
  },
  {
    id: 'WSK-EVENT-NO-CALLBACK',
    channel: 'advisory',
    summary: "An event is enabled whose entry in the client's dispatch table is NULL.",
    source: 'wsk.md §2.3, §4.7; DESIGN §3 (bad arguments), §4',
  },
  {
    id: 'WSK-ACCEPT-EVENT-RETURN',
    channel: 'violation',
    summary: 'WskAcceptEvent returns other than STATUS_SUCCESS or STATUS_REQUEST_NOT_ACCEPTED.',
    source: 'wsk.md §4.2; DESIGN §5 (callbacks)',
  },
  {
    id: 'WSK-RECEIVE-EVENT-RETURN',
    channel: 'violation',
    summary: 'WskReceiveEvent returns a status or BytesAccepted the documentation does not allow.',
    source: 'wsk.md §4.5; wsk.h PFN_WSK_RECEIVE_EVENT; DESIGN §5 (callbacks)',
  },
  {
    id: 'WSK-DISCONNECT-EVENT-RETURN',
    channel: 'violation',
    summary: 'WskDisconnectEvent returns other than STATUS_SUCCESS.',
    source: 'wsk.md §4.6; wsk.h PFN_WSK_DISCONNECT_EVENT; DESIGN §5 (callbacks)',
  },
  {
    id: 'WSK-SEND-BACKLOG-EVENT-RETURN',
    channel: 'violation',
    summary: 'WskSendBacklogEvent returns other than STATUS_SUCCESS.',
    source: 'wsk.md §4.6; wsk.h PFN_WSK_SEND_BACKLOG_EVENT; DESIGN §5 (callbacks)',
  },
  {
    id: 'WSK-CALLBACK-ADDRESS-AFTER-RETURN',
    channel: 'violation',
    summary: 'An address a callback was given is read or written after the callback returned.',
    source: 'wsk.md §4.2; DESIGN §5 (callbacks)',
  },


  // ---- conditional accept (wsk.md §4.3, §4.4, §5) --------------------------------------------
  {
    id: 'WSK-CONDITIONAL-NO-CALLBACK',
    channel: 'advisory',
    summary: 'SO_CONDITIONAL_ACCEPT is set on a socket without WskInspectEvent and WskAbortEvent.',
    source: 'wsk.md §2.3, §5.1; DESIGN §3 (bad arguments), §4',
  },
  {
    id: 'WSK-INSPECT-EVENT-RETURN',
    channel: 'violation',
    summary: 'WskInspectEvent returns other than WskInspectAccept, WskInspectReject or Pend.',
    source: 'wsk.md §4.3; DESIGN §5 (callbacks)',
  },
  {
    id: 'WSK-ABORT-EVENT-RETURN',
    channel: 'violation',
    summary: 'WskAbortEvent returns other than STATUS_SUCCESS.',
    source: 'wsk.md §4.4; DESIGN §5 (callbacks)',
  },
  {
    id: 'WSK-INSPECT-ID-AFTER-RETURN',
    channel: 'violation',
    summary: 'An inspect ID a callback was given is used after it returned (kept, not copied).',
    source: 'wsk.md §5.2, §9.1; DESIGN §5 (conditional accept)',
  },
  {
    id: 'WSK-INSPECT-COMPLETE-TWICE',
    channel: 'violation',
    summary: 'WskInspectComplete is called a second time for one inspect ID.',
    source: 'wsk.md §5.2; DESIGN §5 (conditional accept)',
  },
  {
    id: 'WSK-INSPECT-COMPLETE-ACTION',
    channel: 'violation',
    summary: 'WskInspectComplete is given an action other than accept or reject.',
    source: 'wsk.md §3.8; DESIGN §5 (conditional accept)',
  },
  {
    id: 'WSK-INSPECT-UNKNOWN-ID',
    channel: 'advisory',
    summary: 'WskInspectComplete names an inspect ID the listening socket never left pended.',
    source: 'wsk.md §5.2, §11.2; DESIGN §3 (unknown ID: STATUS_SUCCESS, nothing established)',
  },

  // ---- liveness and leaks at the end of a run (DESIGN §5) ------------------------------------
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
  {
    id: 'WSK-INSPECTION-PENDED',
    channel: 'violation',
    summary: 'An inspection left pended is neither completed nor aborted after the settle phase.',
    source: 'DESIGN §5 (liveness: no inspection is pended); wsk.md §5.2',
  },
  {
    id: 'WSK-SOCKET-LEAKED',
    channel: 'violation',
    summary: 'A socket is still open after the settle phase.',
    source: 'DESIGN §5 (liveness); wsk.md §1.2, §6.5',
  },
  {
    id: 'WSK-NOT-DEREGISTERED',
    channel: 'violation',
    summary: 'A WskRegister has no WskDeregister that returned by the end of the settle phase.',
    source: 'DESIGN §5 (liveness); wsk.md §1.2',
  },
];

export const RULES: ReadonlyMap<string, VerifierRule> = new Map(
  LIST.map((rule) => [rule.id, rule]),
);

if (RULES.size !== LIST.length) throw new Error('rules.ts: a rule id is listed twice');

/** The rule with `id`, or undefined when the catalogue has none. */
export function ruleOf(id: string): VerifierRule | undefined {
  return RULES.get(id);
}
