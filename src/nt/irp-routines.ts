/**
 * IRPs for WSK (docs/model.md#irps-and-completion-routines; docs/design.md#the-wsk-surface, "Every
 * IRP-taking call completes its IRP exactly once, through its completion routine"; #irp-rules).
 *
 * Driver side (WDK names): IoAllocateIrp, IoFreeIrp, IoReuseIrp, IoSetCompletionRoutine,
 * IoSetCancelRoutine, IoCancelIrp, IoReleaseCancelSpinLock, IoCompleteRequest; fields IoStatus,
 * PendingReturned, Cancel, CancelIrql, CancelRoutine, MdlAddress, StackCount, CurrentLocation.
 *
 * Model side (what a WSK call uses, not part of the WDK surface): `issue` when a call takes the
 * IRP, then either `completeInline` (the routine has run before the call returns, the call
 * returns IoStatus.Status, PendingReturned FALSE — docs/model.md#inline-or-pending-completion) or
 * `pend` (the call returns STATUS_PENDING, PendingReturned TRUE) followed by `complete` — before or
 * after the call returns, both are legal in Windows — or `completeLater` (a completion event after
 * a delay).
 *
 * Sources of each behaviour:
 * - Which routine runs: IofCompleteRequest's test (ReactOS ntoskrnl/io/iomgr/irp.c, as in the
 *   WDK docs of IoSetCompletionRoutine): success && InvokeOnSuccess, or failure && InvokeOnError,
 *   or Irp->Cancel && InvokeOnCancel.
 * - Driver-allocated IRPs: routine mandatory, all three flags TRUE, return
 *   STATUS_MORE_PROCESSING_REQUIRED (docs/model.md#completion-routines).
 * - No reuse, free or second call before the routine ran
 *   (docs/model.md#inline-or-pending-completion); IoReuseIrp reinitialises the IRP, clearing the
 *   completion routine, MdlAddress, Cancel and PendingReturned (IoReuseIrp / IoInitializeIrp docs).
 * - IoCancelIrp: sets Cancel, takes the cancel routine under the cancel spin lock (IRQL raised
 *   to DISPATCH_LEVEL, old IRQL in Irp.CancelIrql), calls it and returns TRUE; without a routine
 *   returns FALSE and the IRP completes normally later (docs/model.md#cancellation). The routine
 *   must release the lock with IoReleaseCancelSpinLock(Irp.CancelIrql).
 *
 * Policies (Windows undocumented): a model-pended IRP is cancellable when the model passes a
 * withdraw hook to `pend`; cancelled IRPs complete with STATUS_CANCELLED
 * (docs/policies.md#completion-and-cancellation-policies). Reissuing a completed IRP without
 * IoReuseIrp is accepted (KSOCKET reuses first; nothing documents the omission as illegal). Whether
 * a call pends is the choice 'IRP pends' (probability `pendingCompletions`, default 0.5; the tape
 * default is inline completion).
 *
 * Lifecycle: every change of Irp.state goes through setIrpState, which asserts the move is in
 * irp-state.ts's table; a misuse is reported before the state would change, and it does not.
 *
 * Violation rule ids: IRP-COMPLETED-TWICE, IRP-COMPLETED-NOT-ISSUED, IRP-COMPLETED-PENDING,
 * IRP-FREED-WHILE-PENDING, IRP-FREED-TWICE, IRP-USE-AFTER-FREE, IRP-REUSED-WHILE-PENDING,
 * IRP-NO-COMPLETION-ROUTINE, IRP-COMPLETION-FLAGS, IRP-COMPLETION-RETURN, IRP-NO-STACK-LOCATION,
 * IRP-CANCEL-LOCK-NOT-RELEASED, CANCEL-SPINLOCK-NOT-HELD.
 */
import { callerSite } from '../sim/index.ts';
import { setIrpState } from './irp-state.ts';
import { IRP, type DRIVER_CANCEL, type IO_COMPLETION_ROUTINE } from './irp.ts';
import { DISPATCH_LEVEL, type KIRQL } from './irql.ts';
import type { KernelCore } from './kernel-core.ts';
import {
  NT_SUCCESS,
  STATUS_CANCELLED,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_PENDING,
  statusName,
  type NTSTATUS,
} from './ntstatus.ts';

export class IrpManager {
  readonly #k: KernelCore;
  #nextId = 1;
  readonly #live = new Set<IRP>();
  #cancelLockHeld = false;

  constructor(kernel: KernelCore) {
    this.#k = kernel;
  }

  // ---- WDK routines -------------------------------------------------------------------------

  IoAllocateIrp(StackSize: number, ChargeQuota: boolean): IRP | null {
    void ChargeQuota;
    const k = this.#k;
    if (k.allocationFails('irp', k.options.irpAllocationFailure)) {
      this.#trace(null, 'allocation-failed');
      return null;
    }
    const irp = new IRP(this.#nextId++, StackSize, true);
    if (k.sim.recordSites) irp.site = callerSite();
    this.#live.add(irp);
    this.#trace(irp, 'allocated');
    return irp;
  }

  IoFreeIrp(Irp: IRP): void {
    if (Irp.state === 'freed')
      return this.#k.violation('IRP-FREED-TWICE', this.#name(Irp), { irp: Irp.id });
    if (Irp.state === 'issued' || Irp.state === 'pending') {
      return this.#k.violation(
        'IRP-FREED-WHILE-PENDING',
        `${this.#name(Irp)} freed while ${Irp.operation} holds it`,
        { irp: Irp.id },
      );
    }
    this.#noteIgnored(Irp, 'IoFreeIrp');
    setIrpState(Irp, 'freed', this.#k.sim.now);
    this.#live.delete(Irp);
    this.#trace(Irp, 'freed');
  }

  IoReuseIrp(Irp: IRP, Status: NTSTATUS): void {
    if (!this.#usable(Irp, 'IoReuseIrp')) return;
    this.#noteIgnored(Irp, 'IoReuseIrp');
    Irp.IoStatus.Status = Status;
    Irp.IoStatus.Information = 0;
    Irp.PendingReturned = false;
    Irp.Cancel = false;
    Irp.CancelRoutine = null;
    Irp.MdlAddress = null;
    Irp.CurrentLocation = Irp.StackCount + 1;
    Irp.completion = null;
    Irp.operation = '';
    setIrpState(Irp, 'idle', this.#k.sim.now);
    this.#trace(Irp, 'reused', Status);
  }

  IoSetCompletionRoutine(
    Irp: IRP,
    CompletionRoutine: IO_COMPLETION_ROUTINE | null,
    Context: unknown,
    InvokeOnSuccess: boolean,
    InvokeOnError: boolean,
    InvokeOnCancel: boolean,
  ): void {
    if (!this.#usable(Irp, 'IoSetCompletionRoutine')) return;
    Irp.completion =
      CompletionRoutine === null
        ? null
        : {
            routine: CompletionRoutine,
            context: Context,
            onSuccess: InvokeOnSuccess,
            onError: InvokeOnError,
            onCancel: InvokeOnCancel,
          };
  }

  /** Atomically exchanges the cancel routine; returns the previous one. */
  IoSetCancelRoutine(Irp: IRP, CancelRoutine: DRIVER_CANCEL | null): DRIVER_CANCEL | null {
    const previous = Irp.CancelRoutine;
    Irp.CancelRoutine = CancelRoutine;
    return previous;
  }

  IoCancelIrp(Irp: IRP): boolean {
    const k = this.#k;
    if (Irp.state === 'freed') {
      k.violation('IRP-USE-AFTER-FREE', `IoCancelIrp on freed ${this.#name(Irp)}`, { irp: Irp.id });
      return false;
    }
    if (!k.requireIrql('IoCancelIrp', DISPATCH_LEVEL)) return false;
    Irp.CancelIrql = k.irql;
    k.irql = DISPATCH_LEVEL;
    this.#cancelLockHeld = true;
    Irp.Cancel = true;
    const routine = this.IoSetCancelRoutine(Irp, null);
    this.#trace(Irp, routine === null ? 'cancel-flagged' : 'cancel');
    if (routine === null) {
      this.IoReleaseCancelSpinLock(Irp.CancelIrql);
      return false;
    }
    routine(null, Irp);
    if (this.#cancelLockHeld) {
      k.violation(
        'IRP-CANCEL-LOCK-NOT-RELEASED',
        `the cancel routine of ${this.#name(Irp)} returned holding the cancel spin lock`,
        { irp: Irp.id },
      );
      this.IoReleaseCancelSpinLock(Irp.CancelIrql);
    }
    return true;
  }

  IoReleaseCancelSpinLock(Irql: KIRQL): void {
    if (!this.#cancelLockHeld) {
      this.#k.violation('CANCEL-SPINLOCK-NOT-HELD', 'IoReleaseCancelSpinLock without the lock');
      return;
    }
    this.#cancelLockHeld = false;
    this.#k.irql = Irql;
  }

  /** Completes with the status already in Irp.IoStatus (a cancel routine's usual ending). */
  IoCompleteRequest(Irp: IRP, PriorityBoost: number): void {
    void PriorityBoost;
    this.complete(Irp, Irp.IoStatus.peek(), Irp.IoStatus.Information);
  }

  // ---- model side ---------------------------------------------------------------------------

  /** A WSK call takes `Irp`; false (with a violation reported) when the IRP cannot be used. */
  issue(Irp: IRP, operation: string): boolean {
    const k = this.#k;
    if (Irp.state !== 'idle' && Irp.state !== 'completed') {
      this.#unissuable(Irp, operation);
      return false;
    }
    if (Irp.StackCount < 1) {
      k.violation(
        'IRP-NO-STACK-LOCATION',
        `${this.#name(Irp)} has no stack location for ${operation}`,
        { irp: Irp.id },
      );
      return false;
    }
    const completion = Irp.completion;
    if (completion === null && Irp.driverOwned) {
      k.violation(
        'IRP-NO-COMPLETION-ROUTINE',
        `${this.#name(Irp)} passed to ${operation} without one`,
        { irp: Irp.id },
      );
      return false;
    }
    if (
      completion !== null &&
      Irp.driverOwned &&
      !(completion.onSuccess && completion.onError && completion.onCancel)
    ) {
      k.violation(
        'IRP-COMPLETION-FLAGS',
        `${this.#name(Irp)}: a driver-allocated IRP's completion routine must be invoked on ` +
          'success, error and cancel',
        { irp: Irp.id },
      );
    }
    setIrpState(Irp, 'issued', this.#k.sim.now);
    Irp.descriptor = null;
    Irp.operation = operation;
    Irp.PendingReturned = false;
    Irp.IoStatus.Status = STATUS_PENDING;
    this.#trace(Irp, 'issued');
    return true;
  }

  /** The violation of an IRP passed to a call while freed, or held by another call. */
  #unissuable(Irp: IRP, operation: string): void {
    const k = this.#k;
    const name = this.#name(Irp);
    if (Irp.state === 'freed') {
      k.violation('IRP-USE-AFTER-FREE', `${name} passed to ${operation} after IoFreeIrp`, {
        irp: Irp.id,
      });
    } else {
      k.violation(
        'IRP-REUSED-WHILE-PENDING',
        `${name} passed to ${operation} while ${Irp.operation} still holds it`,
        { irp: Irp.id },
      );
    }
  }

  /**
   * The call will return STATUS_PENDING: PendingReturned is set. With `withdraw`, the IRP is
   * cancellable: IoCancelIrp calls withdraw(Irp) and completes it with STATUS_CANCELLED.
   */
  pend(Irp: IRP, withdraw: ((Irp: IRP) => void) | null = null): NTSTATUS {
    if (Irp.state !== 'issued') {
      this.#k.violation('IRP-COMPLETED-NOT-ISSUED', `${this.#name(Irp)} pended in ${Irp.state}`, {
        irp: Irp.id,
      });
      return STATUS_PENDING;
    }
    setIrpState(Irp, 'pending', this.#k.sim.now);
    Irp.PendingReturned = true;
    this.#trace(Irp, 'pending');
    if (withdraw !== null) {
      Irp.CancelRoutine = (_device, irp) => {
        this.IoReleaseCancelSpinLock(irp.CancelIrql);
        withdraw(irp);
        this.complete(irp, STATUS_CANCELLED, 0);
      };
      // IoCancelIrp before the IRP reached us: cancel at once (IoSetCancelRoutine docs).
      if (Irp.Cancel) this.IoCancelIrp(Irp);
    }
    return STATUS_PENDING;
  }

  /** Completes inline: the routine runs now and the call returns `Status`. */
  completeInline(Irp: IRP, Status: NTSTATUS, Information: unknown = 0): NTSTATUS {
    this.complete(Irp, Status, Information);
    return Status;
  }

  /** Pends now and completes as an event `delay` ns later; returns STATUS_PENDING. */
  completeLater(Irp: IRP, delay: number, Status: NTSTATUS, Information: unknown = 0): NTSTATUS {
    this.pend(Irp);
    Irp.completionDue = true;
    this.#k.sim.schedule(delay, `${this.#k.host} irp ${Irp.id} completes`, () => {
      Irp.completionDue = false;
      if (Irp.state === 'pending') this.complete(Irp, Status, Information);
    });
    return STATUS_PENDING;
  }

  /** The choice point 'IRP pends' where Windows may complete a call either way. */
  choosePending(): boolean {
    const k = this.#k;
    return k.choices.chance('IRP pends', k.options.pendingCompletions ?? 0.5);
  }

  /** Completes `Irp` exactly once through its completion routine (IofCompleteRequest). */
  complete(Irp: IRP, Status: NTSTATUS, Information: unknown = 0): void {
    const k = this.#k;
    if ((Irp.state !== 'issued' && Irp.state !== 'pending') || Status === STATUS_PENDING) {
      return this.#uncompletable(Irp);
    }
    Irp.PendingReturned = Irp.state === 'pending';
    setIrpState(Irp, 'completed', this.#k.sim.now);
    Irp.CancelRoutine = null;
    Irp.IoStatus.Status = Status;
    Irp.IoStatus.Information = Information;
    Irp.IoStatus.unread = Irp.PendingReturned && !NT_SUCCESS(Status);
    Irp.CurrentLocation = Irp.StackCount + 1;
    this.#trace(Irp, Status === STATUS_CANCELLED ? 'cancelled' : 'completed', Status);
    const c = Irp.completion;
    if (c === null) return;
    const invoke =
      (NT_SUCCESS(Status) && c.onSuccess) ||
      (!NT_SUCCESS(Status) && c.onError) ||
      (Irp.Cancel && c.onCancel);
    if (!invoke) return;
    const routine = (): NTSTATUS => c.routine(null, Irp, c.context);
    const result = k.runCallback(routine, 'completion routine', undefined, Irp.id);
    if (Irp.driverOwned && result !== STATUS_MORE_PROCESSING_REQUIRED) {
      k.violation(
        'IRP-COMPLETION-RETURN',
        `the completion routine of driver-allocated ${this.#name(Irp)} returned ` +
          `${statusName(result)}, not STATUS_MORE_PROCESSING_REQUIRED`,
        { irp: Irp.id },
      );
    }
  }

  /** The violation of completing an IRP no call holds, or with STATUS_PENDING. */
  #uncompletable(Irp: IRP): void {
    const k = this.#k;
    const name = this.#name(Irp);
    if (Irp.state === 'completed') {
      return k.violation('IRP-COMPLETED-TWICE', `${name} (${Irp.operation}) completed again`, {
        irp: Irp.id,
      });
    }
    const place = { irp: Irp.id };
    if (Irp.state === 'freed') return k.violation('IRP-USE-AFTER-FREE', `${name} completed`, place);
    if (Irp.state === 'idle') {
      const detail = `${name} completed before any call took it`;
      return k.violation('IRP-COMPLETED-NOT-ISSUED', detail, place);
    }
    k.violation('IRP-COMPLETED-PENDING', `${name} completed with STATUS_PENDING`, place);
  }

  /** The advisory WSK-STATUS-IGNORED when `Irp`'s failure was never read (IoStatusBlock). */
  #noteIgnored(Irp: IRP, routine: string): void {
    if (!Irp.IoStatus.unread) return;
    Irp.IoStatus.unread = false;
    const status = statusName(Irp.IoStatus.peek());
    this.#k.advisory(
      'WSK-STATUS-IGNORED',
      `${routine} on ${this.#name(Irp)}: ${Irp.operation} failed with ${status}, never read`,
    );
  }

  /** @internal The cancel spin lock is held (IoCancelIrp until IoReleaseCancelSpinLock). */
  get cancelLockHeld(): boolean {
    return this.#cancelLockHeld;
  }

  /** IRPs allocated and not freed, in allocation order (for leak reports). */
  outstanding(): readonly IRP[] {
    return [...this.#live];
  }

  /** IRPs a call holds: issued or pending, not yet completed (for liveness checks). */
  inFlight(): readonly IRP[] {
    return [...this.#live].filter((irp) => irp.state === 'issued' || irp.state === 'pending');
  }

  #usable(Irp: IRP, routine: string): boolean {
    if (Irp.state === 'freed') {
      this.#k.violation('IRP-USE-AFTER-FREE', `${routine} on freed ${this.#name(Irp)}`, {
        irp: Irp.id,
      });
      return false;
    }
    if (Irp.state === 'issued' || Irp.state === 'pending') {
      this.#k.violation(
        'IRP-REUSED-WHILE-PENDING',
        `${routine} on ${this.#name(Irp)} while ${Irp.operation} holds it`,
        { irp: Irp.id },
      );
      return false;
    }
    return true;
  }

  #name(Irp: IRP): string {
    return `IRP #${Irp.id}`;
  }

  /** One fixed-shape record per IRP event (absent fields undefined: neither hashed nor shown). */
  #trace(Irp: IRP | null, event: string, Status?: NTSTATUS): void {
    const sim = this.#k.sim;
    sim.trace.emit({
      at: sim.now,
      type: 'nt.irp',
      host: this.#k.host,
      irp: Irp === null ? 0 : Irp.id,
      event,
      op: Irp !== null && Irp.operation !== '' ? Irp.operation : undefined,
      status: Status === undefined ? undefined : statusName(Status),
    });
  }
}
