import { describe, expect, it } from 'vitest';
import { Simulator, type TraceRecord } from '../../src/sim/index.ts';
import {
  DISPATCH_LEVEL,
  IRP,
  Kernel,
  PASSIVE_LEVEL,
  STATUS_CANCELLED,
  STATUS_CONNECTION_REFUSED,
  STATUS_INVALID_PARAMETER,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_PENDING,
  STATUS_SUCCESS,
  STATUS_UNSUCCESSFUL,
  type IO_COMPLETION_ROUTINE,
  type KernelOptions,
  type NTSTATUS,
} from '../../src/wsk/index.ts';

function setup(options: KernelOptions = {}): { sim: Simulator; k: Kernel } {
  const sim = new Simulator({ seed: 7, keepTrace: true });
  return { sim, k: new Kernel(sim, 'server', options) };
}

type Mode = 'inline' | 'pend, complete before return' | 'pend, complete after return';

/** A stand-in for a WSK call: takes the IRP and completes it as `mode` says. */
function fakeCall(k: Kernel, Irp: IRP, mode: Mode, status: NTSTATUS, info: unknown): NTSTATUS {
  if (!k.irps.issue(Irp, 'WskFake')) return STATUS_INVALID_PARAMETER;
  if (mode === 'inline') return k.irps.completeInline(Irp, status, info);
  const result = k.irps.pend(Irp);
  if (mode === 'pend, complete before return') k.irps.complete(Irp, status, info);
  else k.sim.schedule(3e6, 'fake completes', () => k.irps.complete(Irp, status, info));
  return result;
}

interface Seen {
  readonly at: number;
  readonly status: NTSTATUS;
  readonly info: unknown;
  readonly pendingReturned: boolean;
  readonly irql: number;
  readonly context: unknown;
}

function recorder(k: Kernel, seen: Seen[]): IO_COMPLETION_ROUTINE {
  return (_device, Irp, Context) => {
    seen.push({
      at: k.sim.now,
      status: Irp.IoStatus.Status,
      info: Irp.IoStatus.Information,
      pendingReturned: Irp.PendingReturned,
      irql: k.KeGetCurrentIrql(),
      context: Context,
    });
    return STATUS_MORE_PROCESSING_REQUIRED;
  };
}

const irpEvents = (sim: Simulator): string[] =>
  sim.trace
    .records()
    .filter((r: TraceRecord) => r.type === 'nt.irp')
    .map((r) => `${r['event']}${r['status'] === undefined ? '' : ` ${r['status']}`}`);

async function expectViolation(sim: Simulator, rule: string): Promise<void> {
  let after = false;
  sim.schedule(1e9, 'after the violation', () => (after = true));
  const outcome = await sim.run();
  expect(outcome.status).toBe('failed');
  expect(outcome.failure?.kind).toBe('violation');
  expect(outcome.failure?.message.startsWith(`${rule}:`)).toBe(true);
  expect(outcome.failure?.message).toContain('host server');
  expect(after).toBe(false);
}

describe('wsk: IRPs complete exactly once through their completion routine', () => {
  it('inline: the routine has run before the call returns its status, PendingReturned FALSE', async () => {
    const { sim, k } = setup();
    const seen: Seen[] = [];
    const Irp = k.IoAllocateIrp(1, false) as IRP;
    k.IoSetCompletionRoutine(Irp, recorder(k, seen), 'ctx', true, true, true);
    const status = fakeCall(k, Irp, 'inline', STATUS_SUCCESS, 42);
    expect(seen).toEqual([
      { at: 0, status: STATUS_SUCCESS, info: 42, pendingReturned: false, irql: DISPATCH_LEVEL, context: 'ctx' },
    ]);
    expect(status).toBe(Irp.IoStatus.Status);
    expect(k.KeGetCurrentIrql()).toBe(PASSIVE_LEVEL);
    expect((await sim.run()).status).toBe('quiescent');
    expect(seen).toHaveLength(1);
    expect(irpEvents(sim)).toEqual(['allocated', 'issued', 'completed STATUS_SUCCESS']);
  });

  for (const mode of ['pend, complete before return', 'pend, complete after return'] as const) {
    it(`${mode}: STATUS_PENDING returned, PendingReturned TRUE, one completion`, async () => {
      const { sim, k } = setup();
      const seen: Seen[] = [];
      const Irp = k.IoAllocateIrp(1, false) as IRP;
      k.IoSetCompletionRoutine(Irp, recorder(k, seen), null, true, true, true);
      const status = fakeCall(k, Irp, mode, STATUS_CONNECTION_REFUSED, 0);
      expect(status).toBe(STATUS_PENDING);
      expect(seen).toHaveLength(mode === 'pend, complete before return' ? 1 : 0);
      expect((await sim.run()).status).toBe('quiescent');
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({
        at: mode === 'pend, complete before return' ? 0 : 3e6,
        status: STATUS_CONNECTION_REFUSED,
        pendingReturned: true,
      });
      expect(irpEvents(sim)).toEqual([
        'allocated',
        'issued',
        'pending',
        'completed STATUS_CONNECTION_REFUSED',
      ]);
    });
  }

  it('honours InvokeOnSuccess / InvokeOnError / InvokeOnCancel (IofCompleteRequest test)', () => {
    const { k } = setup({ disabledRules: ['IRP-COMPLETION-FLAGS'] });
    const calls: string[] = [];
    const run = (flags: [boolean, boolean, boolean], status: NTSTATUS, cancel: boolean): void => {
      const Irp = k.IoAllocateIrp(1, false) as IRP;
      k.IoSetCompletionRoutine(
        Irp,
        (_d, irp) => {
          calls.push(`${flags.join('/')} ${irp.IoStatus.Status.toString(16)}`);
          return STATUS_MORE_PROCESSING_REQUIRED;
        },
        null,
        ...flags,
      );
      k.irps.issue(Irp, 'WskFake');
      k.irps.pend(Irp);
      if (cancel) k.IoCancelIrp(Irp);
      k.irps.complete(Irp, status, 0);
    };
    run([true, false, false], STATUS_SUCCESS, false); // invoked
    run([true, false, false], STATUS_CONNECTION_REFUSED, false); // not invoked
    run([false, true, false], STATUS_CONNECTION_REFUSED, false); // invoked
    run([false, true, false], STATUS_SUCCESS, false); // not invoked
    run([false, false, true], STATUS_SUCCESS, true); // invoked: Cancel set, even on success
    run([false, false, true], STATUS_CANCELLED, false); // not invoked: Cancel not set
    expect(calls).toEqual(['true/false/false 0', 'false/true/false c0000236', 'false/false/true 0']);
  });

  it('flags not all TRUE on a driver-allocated IRP is the violation IRP-COMPLETION-FLAGS', async () => {
    const { sim, k } = setup();
    const Irp = k.IoAllocateIrp(1, false) as IRP;
    k.IoSetCompletionRoutine(Irp, () => STATUS_MORE_PROCESSING_REQUIRED, null, true, true, false);
    k.irps.issue(Irp, 'WskFake');
    await expectViolation(sim, 'IRP-COMPLETION-FLAGS');
  });

  it('a completion routine returning STATUS_SUCCESS for a driver IRP is IRP-COMPLETION-RETURN', async () => {
    const { sim, k } = setup();
    const Irp = k.IoAllocateIrp(1, false) as IRP;
    k.IoSetCompletionRoutine(Irp, () => STATUS_SUCCESS, null, true, true, true);
    fakeCall(k, Irp, 'inline', STATUS_SUCCESS, 0);
    await expectViolation(sim, 'IRP-COMPLETION-RETURN');
  });

  it('callbacks run at PASSIVE_LEVEL when the choice says so', () => {
    const { k } = setup({ passiveCallbacks: 1 });
    const seen: Seen[] = [];
    const Irp = k.IoAllocateIrp(1, false) as IRP;
    k.IoSetCompletionRoutine(Irp, recorder(k, seen), null, true, true, true);
    fakeCall(k, Irp, 'inline', STATUS_SUCCESS, 0);
    expect(seen[0]?.irql).toBe(PASSIVE_LEVEL);
  });
});

describe('wsk: IRP cancellation', () => {
  it('with a cancel routine: IoCancelIrp returns TRUE and the IRP completes STATUS_CANCELLED', async () => {
    const { sim, k } = setup();
    const seen: Seen[] = [];
    const withdrawn: number[] = [];
    const Irp = k.IoAllocateIrp(1, false) as IRP;
    k.IoSetCompletionRoutine(Irp, recorder(k, seen), null, true, true, true);
    k.irps.issue(Irp, 'WskAccept');
    expect(k.irps.pend(Irp, () => withdrawn.push(sim.now))).toBe(STATUS_PENDING);
    sim.schedule(2e6, 'driver cancels', () => {
      expect(k.IoCancelIrp(Irp)).toBe(true);
      expect(k.KeGetCurrentIrql()).toBe(PASSIVE_LEVEL);
    });
    expect((await sim.run()).status).toBe('quiescent');
    expect(withdrawn).toEqual([2e6]);
    expect(seen).toMatchObject([{ at: 2e6, status: STATUS_CANCELLED, pendingReturned: true }]);
    expect(Irp.Cancel).toBe(true);
    expect(irpEvents(sim).slice(-2)).toEqual(['cancel', 'cancelled STATUS_CANCELLED']);
  });

  it('without a cancel routine: FALSE, Cancel set, and the IRP completes normally later', async () => {
    const { sim, k } = setup();
    const seen: Seen[] = [];
    const Irp = k.IoAllocateIrp(1, false) as IRP;
    k.IoSetCompletionRoutine(Irp, recorder(k, seen), null, true, true, true);
    fakeCall(k, Irp, 'pend, complete after return', STATUS_SUCCESS, 7);
    sim.schedule(1e6, 'driver cancels', () => expect(k.IoCancelIrp(Irp)).toBe(false));
    expect((await sim.run()).status).toBe('quiescent');
    expect(Irp.Cancel).toBe(true);
    expect(seen).toMatchObject([{ at: 3e6, status: STATUS_SUCCESS, info: 7 }]);
  });

  it('IoCancelIrp before the call pends it: cancelled as soon as it becomes cancellable', () => {
    const { k } = setup();
    const seen: Seen[] = [];
    const Irp = k.IoAllocateIrp(1, false) as IRP;
    k.IoSetCompletionRoutine(Irp, recorder(k, seen), null, true, true, true);
    expect(k.IoCancelIrp(Irp)).toBe(false);
    k.irps.issue(Irp, 'WskReceive');
    expect(k.irps.pend(Irp, () => undefined)).toBe(STATUS_PENDING);
    expect(seen).toMatchObject([{ status: STATUS_CANCELLED, pendingReturned: true }]);
  });

  it('a driver cancel routine completes the IRP itself with IoCompleteRequest', () => {
    const { k } = setup();
    const seen: Seen[] = [];
    const Irp = k.IoAllocateIrp(1, false) as IRP;
    k.IoSetCompletionRoutine(Irp, recorder(k, seen), null, true, true, true);
    k.irps.issue(Irp, 'driver queue');
    k.irps.pend(Irp);
    k.IoSetCancelRoutine(Irp, (_d, irp) => {
      expect(k.KeGetCurrentIrql()).toBe(DISPATCH_LEVEL);
      k.IoReleaseCancelSpinLock(irp.CancelIrql);
      irp.IoStatus.Status = STATUS_CANCELLED;
      irp.IoStatus.Information = 0;
      k.IoCompleteRequest(irp, 0);
    });
    expect(k.IoCancelIrp(Irp)).toBe(true);
    expect(seen).toMatchObject([{ status: STATUS_CANCELLED }]);
    expect(k.KeGetCurrentIrql()).toBe(PASSIVE_LEVEL);
  });

  it('a cancel routine that keeps the cancel spin lock is IRP-CANCEL-LOCK-NOT-RELEASED', async () => {
    const { sim, k } = setup();
    const Irp = k.IoAllocateIrp(1, false) as IRP;
    k.IoSetCompletionRoutine(Irp, () => STATUS_MORE_PROCESSING_REQUIRED, null, true, true, true);
    k.irps.issue(Irp, 'driver queue');
    k.irps.pend(Irp);
    k.IoSetCancelRoutine(Irp, () => undefined);
    k.IoCancelIrp(Irp);
    expect(k.KeGetCurrentIrql()).toBe(PASSIVE_LEVEL);
    await expectViolation(sim, 'IRP-CANCEL-LOCK-NOT-RELEASED');
  });
});

describe('wsk: IRP reuse, allocation failure and the IRP rules', () => {
  it('IoReuseIrp resets status, flags and the completion routine for the next call', () => {
    const { k } = setup();
    const seen: Seen[] = [];
    const Irp = k.IoAllocateIrp(1, false) as IRP;
    k.IoSetCompletionRoutine(Irp, recorder(k, seen), 1, true, true, true);
    fakeCall(k, Irp, 'pend, complete before return', STATUS_SUCCESS, 0);
    k.IoCancelIrp(Irp);
    k.IoReuseIrp(Irp, STATUS_UNSUCCESSFUL);
    expect(Irp.IoStatus.Status).toBe(STATUS_UNSUCCESSFUL);
    expect(Irp.PendingReturned).toBe(false);
    expect(Irp.Cancel).toBe(false);
    k.IoSetCompletionRoutine(Irp, recorder(k, seen), 2, true, true, true);
    expect(fakeCall(k, Irp, 'inline', STATUS_CONNECTION_REFUSED, 0)).toBe(STATUS_CONNECTION_REFUSED);
    expect(seen.map((s) => [s.context, s.pendingReturned])).toEqual([[1, true], [2, false]]);
    k.IoFreeIrp(Irp);
    expect(k.violations).toEqual([]);
    expect(k.irps.outstanding()).toEqual([]);
  });

  it('after IoReuseIrp without a new completion routine, the next call is IRP-NO-COMPLETION-ROUTINE', async () => {
    const { sim, k } = setup();
    const Irp = k.IoAllocateIrp(1, false) as IRP;
    k.IoSetCompletionRoutine(Irp, () => STATUS_MORE_PROCESSING_REQUIRED, null, true, true, true);
    fakeCall(k, Irp, 'inline', STATUS_SUCCESS, 0);
    k.IoReuseIrp(Irp, STATUS_UNSUCCESSFUL);
    expect(fakeCall(k, Irp, 'inline', STATUS_SUCCESS, 0)).toBe(STATUS_INVALID_PARAMETER);
    await expectViolation(sim, 'IRP-NO-COMPLETION-ROUTINE');
  });

  it('IoAllocateIrp returns null when the failure probability is 1, and the choice is labelled', () => {
    const sim = new Simulator({ seed: 1, record: true });
    const k = new Kernel(sim, 'server', { irpAllocationFailure: 1 });
    expect(k.IoAllocateIrp(1, false)).toBeNull();
    const k2 = new Kernel(sim, 'client', { irpAllocationFailure: 0.5 });
    k2.IoAllocateIrp(1, false);
    expect(sim.choices.tape()).toEqual([{ label: 'irp allocation fails', value: expect.any(Number) }]);
  });

  it('completing twice ends the run with IRP-COMPLETED-TWICE and one routine call', async () => {
    const { sim, k } = setup();
    const seen: Seen[] = [];
    const Irp = k.IoAllocateIrp(1, false) as IRP;
    k.IoSetCompletionRoutine(Irp, recorder(k, seen), null, true, true, true);
    fakeCall(k, Irp, 'pend, complete after return', STATUS_SUCCESS, 0);
    sim.schedule(5e6, 'model bug', () => k.irps.complete(Irp, STATUS_SUCCESS, 0));
    await expectViolation(sim, 'IRP-COMPLETED-TWICE');
    expect(seen).toHaveLength(1);
    expect(sim.failure?.at).toBe(5e6);
  });

  it('IoFreeIrp while pending is IRP-FREED-WHILE-PENDING, and the IRP is not freed', async () => {
    const { sim, k } = setup();
    const Irp = k.IoAllocateIrp(1, false) as IRP;
    k.IoSetCompletionRoutine(Irp, () => STATUS_MORE_PROCESSING_REQUIRED, null, true, true, true);
    fakeCall(k, Irp, 'pend, complete after return', STATUS_SUCCESS, 0);
    k.IoFreeIrp(Irp);
    expect(k.irps.outstanding()).toEqual([Irp]);
    await expectViolation(sim, 'IRP-FREED-WHILE-PENDING');
  });

  it('IoReuseIrp while pending is IRP-REUSED-WHILE-PENDING', async () => {
    const { sim, k } = setup();
    const Irp = k.IoAllocateIrp(1, false) as IRP;
    k.IoSetCompletionRoutine(Irp, () => STATUS_MORE_PROCESSING_REQUIRED, null, true, true, true);
    fakeCall(k, Irp, 'pend, complete after return', STATUS_SUCCESS, 0);
    k.IoReuseIrp(Irp, STATUS_UNSUCCESSFUL);
    await expectViolation(sim, 'IRP-REUSED-WHILE-PENDING');
  });

  it('passing a pending IRP to a second call is IRP-REUSED-WHILE-PENDING', async () => {
    const { sim, k } = setup();
    const Irp = k.IoAllocateIrp(1, false) as IRP;
    k.IoSetCompletionRoutine(Irp, () => STATUS_MORE_PROCESSING_REQUIRED, null, true, true, true);
    fakeCall(k, Irp, 'pend, complete after return', STATUS_SUCCESS, 0);
    expect(k.irps.issue(Irp, 'WskOther')).toBe(false);
    await expectViolation(sim, 'IRP-REUSED-WHILE-PENDING');
  });

  it('an IRP without a completion routine is IRP-NO-COMPLETION-ROUTINE', async () => {
    const { sim, k } = setup();
    const Irp = k.IoAllocateIrp(1, false) as IRP;
    expect(k.irps.issue(Irp, 'WskFake')).toBe(false);
    await expectViolation(sim, 'IRP-NO-COMPLETION-ROUTINE');
  });

  it('an IRP freed twice, or used after IoFreeIrp, is reported', async () => {
    const { sim, k } = setup();
    const Irp = k.IoAllocateIrp(1, false) as IRP;
    k.IoFreeIrp(Irp);
    k.IoFreeIrp(Irp);
    await expectViolation(sim, 'IRP-FREED-TWICE');
    const second = setup();
    const Irp2 = second.k.IoAllocateIrp(1, false) as IRP;
    second.k.IoFreeIrp(Irp2);
    second.k.irps.issue(Irp2, 'WskFake');
    await expectViolation(second.sim, 'IRP-USE-AFTER-FREE');
  });

  it('outstanding() lists IRPs not freed (a completed one too); inFlight() those a call holds', async () => {
    const { sim, k } = setup();
    const done = k.IoAllocateIrp(1, false) as IRP;
    const held = k.IoAllocateIrp(1, false) as IRP;
    for (const Irp of [done, held]) {
      k.IoSetCompletionRoutine(Irp, () => STATUS_MORE_PROCESSING_REQUIRED, null, true, true, true);
    }
    fakeCall(k, done, 'inline', STATUS_SUCCESS, 0);
    fakeCall(k, held, 'pend, complete after return', STATUS_SUCCESS, 0);
    expect(k.irps.outstanding()).toEqual([done, held]);
    expect(k.irps.inFlight()).toEqual([held]);
    await sim.run();
    expect(k.irps.inFlight()).toEqual([]);
    k.IoFreeIrp(held);
    expect(k.irps.outstanding()).toEqual([done]);
  });

  it('the verifier reports a violation once the event returns, with the host and time', async () => {
    const { sim, k } = setup();
    const Irp = k.IoAllocateIrp(1, false) as IRP;
    sim.schedule(4e6, 'driver', () => {
      k.irps.issue(Irp, 'WskFake');
      k.irps.issue(Irp, 'WskFake');
    });
    const outcome = await sim.run();
    expect(outcome.failure?.message).toMatch(/^IRP-NO-COMPLETION-ROUTINE: .*host server at 0.004000s/);
    expect(outcome.failure?.event).toBe('driver');
    expect(k.violations.map((v) => v.rule)).toEqual(['IRP-NO-COMPLETION-ROUTINE', 'IRP-NO-COMPLETION-ROUTINE']);
  });
});
