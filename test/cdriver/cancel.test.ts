/**
 * Cancellation for C drivers (src/cdriver/nt-irp-imports.ts): IoSetCancelRoutine,
 * IoReleaseCancelSpinLock and IoCompleteRequest beside IoCancelIrp, run by a C driver
 * (test/fixtures/c/cancel.c) that keeps an IRP in its own queue with a cancel routine while
 * another thread cancels it. Each shows what the driver saw (the IRQL in its cancel routine, the
 * C IRP's Cancel, CancelIrql and IoStatus, the previous routine IoSetCancelRoutine returns), the
 * verifier's rules firing for C as for TypeScript, and the TypeScript twin of the same driver
 * (written here, as test/cdriver/kernel-sync.test.ts writes its twins) seeing the same and
 * leaving the same trace hash.
 *
 * The model has no IRPs from above (src/nt/kernel.ts), so an IRP reaches a driver's queue only
 * through the model side: the C driver calls scenario.Take(Irp), which issues and pends the IRP
 * it has just allocated, as the twin does with k.irps.issue / k.irps.pend (test/nt/irp.test.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  APC_LEVEL,
  Executive,
  KEVENT,
  KSPIN_LOCK,
  KernelMode,
  NotificationEvent,
  STATUS_CANCELLED,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_SUCCESS,
  type DRIVER_CANCEL,
  type IRP,
  type KIRQL,
  type Kernel,
  type KSTART_ROUTINE,
} from '../../src/wsk/index.ts';
import { IRP_LAYOUT } from '../../src/cdriver/layout.ts';
import { Simulation, type CDriver, type RunOutcome } from '../../src/index.ts';
import { fixtureDriver, requireToolchain } from '../support/c-toolchain.ts';

const ENTRIES = [
  'CancelEntry', 'ForgetsReleaseEntry', 'ReleasesTwiceEntry', 'ModelRoutineEntry', 'NoRoutineEntry',
];
type Other = 'model routine' | 'no routine';
const OTHER: Record<Other, string> = {
  'model routine': 'ModelRoutineEntry',
  'no routine': 'NoRoutineEntry',
};
type Mode = 'right' | 'forgets release' | 'releases twice';
const ENTRY: Record<Mode, string> = {
  right: 'CancelEntry',
  'forgets release': 'ForgetsReleaseEntry',
  'releases twice': 'ReleasesTwiceEntry',
};

interface Ran {
  readonly sim: Simulation;
  readonly notes: string[];
  readonly outcome: RunOutcome;
}

function host(sim: Simulation): void {
  sim.addHost({ name: 'server', ipv4: '10.0.0.2' });
}

/** The IRP the driver has just allocated, taken and pended as a call from above would. */
function take(k: Kernel, withdraw: ((Irp: IRP) => void) | null = null): IRP {
  const Irp = k.irps.outstanding().at(-1) as IRP;
  expect(k.irps.issue(Irp, 'driver queue')).toBe(true);
  k.irps.pend(Irp, withdraw);
  return Irp;
}

/** take() for the C driver: the C IRP then written as the bridge writes it after a call. */
function takeC(d: CDriver, address: number, withdraw: ((Irp: IRP) => void) | null = null): void {
  const Irp = take(d.kernel, withdraw);
  d.setU32(address + IRP_LAYOUT.IoStatusStatus, Irp.IoStatus.peek());
  d.setU8(address + IRP_LAYOUT.PendingReturned, Irp.PendingReturned ? 1 : 0);
}

async function runC(mode: Mode | Other, seed = 1): Promise<Ran> {
  const sim = new Simulation({ seed, keepTrace: true });
  host(sim);
  const notes: string[] = [];
  const Note = (d: CDriver, what: number, value: number): void =>
    void notes.push(`${sim.now / 1e6}ms ${d.cString(what)} ${value.toString(16)}`);
  // The model's own cancel routine for the IRP (IrpManager.pend's withdraw), noted when it runs.
  const TakeCancellable = (d: CDriver, Irp: number): void =>
    takeC(d, Irp, () => void notes.push(`${sim.now / 1e6}ms withdrawn`));
  sim.loadDriver('server', fixtureDriver('cancel', ENTRIES), {
    entry: mode in OTHER ? OTHER[mode as Other] : ENTRY[mode as Mode],
    name: 'cancel.wasm',
    hooks: { Note, Take: (d: CDriver, Irp: number) => takeC(d, Irp), TakeCancellable },
  });
  return { sim, notes, outcome: await sim.run({ until: '1s' }) };
}

const WAIT = [Executive, KernelMode, false] as const;
const flag = (value: boolean): number => (value ? 1 : 0);

/** The TypeScript twin of cancel.c's Run: the same calls in the same order, the same notes. */
async function runTs(mode: Mode, seed = 1): Promise<Ran> {
  const sim = new Simulation({ seed, keepTrace: true });
  host(sim);
  const notes: string[] = [];
  const note = (what: string, value: number): void =>
    void notes.push(`${sim.now / 1e6}ms ${what} ${(value >>> 0).toString(16)}`);
  sim.load('server', async (k) => {
    const QueueLock = new KSPIN_LOCK();
    const Queue: IRP[] = [];
    const Completed = new KEVENT();
    const CancelQueued: DRIVER_CANCEL = (_device, Irp) => {
      note('cancel routine irql', k.KeGetCurrentIrql());
      note('cancel routine Cancel', flag(Irp.Cancel));
      note('cancel routine CancelIrql', Irp.CancelIrql);
      if (mode !== 'forgets release') k.IoReleaseCancelSpinLock(Irp.CancelIrql);
      if (mode === 'releases twice') k.IoReleaseCancelSpinLock(Irp.CancelIrql);
      note('released, irql', k.KeGetCurrentIrql());
      const old = { value: 0 as KIRQL };
      k.KeAcquireSpinLock(QueueLock, old);
      Queue.splice(Queue.indexOf(Irp), 1);
      k.KeReleaseSpinLock(QueueLock, old.value);
      Irp.IoStatus.Status = STATUS_CANCELLED;
      Irp.IoStatus.Information = 0;
      k.IoCompleteRequest(Irp, 0);
      note('after IoCompleteRequest, IoStatus', Irp.IoStatus.Status);
    };
    k.KeInitializeSpinLock(QueueLock);
    k.KeInitializeEvent(Completed, NotificationEvent, false);
    const Irp = k.IoAllocateIrp(1, false) as IRP;
    k.IoSetCompletionRoutine(Irp, (_device, irp) => {
      note('completion sees', irp.IoStatus.Status);
      note('completion sees Cancel', flag(irp.Cancel));
      k.KeSetEvent(Completed, 0, false);
      return STATUS_MORE_PROCESSING_REQUIRED;
    }, Completed, true, true, true);
    take(k);
    const first = k.IoSetCancelRoutine(Irp, CancelQueued);
    note('first IoSetCancelRoutine returns NULL', flag(first === null));
    const second = k.IoSetCancelRoutine(Irp, CancelQueued);
    note('second returns CancelQueued', flag(second === CancelQueued));
    const old = { value: 0 as KIRQL };
    k.KeAcquireSpinLock(QueueLock, old);
    Queue.push(Irp);
    k.KeReleaseSpinLock(QueueLock, old.value);
    note('queued, Cancel', flag(Irp.Cancel));
    start(k, async () => {
      await k.KeDelayExecutionThread(KernelMode, false, { QuadPart: -10_000 });
      const raised = { value: 0 as KIRQL };
      k.KeRaiseIrql(APC_LEVEL, raised);
      note('IoCancelIrp', flag(k.IoCancelIrp(Irp)));
      note('after IoCancelIrp, irql', k.KeGetCurrentIrql());
      k.KeLowerIrql(raised.value);
    });
    await k.KeWaitForSingleObject(Completed, ...WAIT, null);
    note('queue empty', flag(Queue.length === 0));
    note('after the wait, IoStatus', Irp.IoStatus.Status);
    note('after the wait, Cancel', flag(Irp.Cancel));
    note('routine after cancel', flag(k.IoSetCancelRoutine(Irp, null) === null));
    k.IoFreeIrp(Irp);
  });
  return { sim, notes, outcome: await sim.run({ until: '1s' }) };
}

function start(k: Kernel, routine: () => Promise<void>): void {
  const handle = { value: null as unknown };
  const body: KSTART_ROUTINE = async () => {
    await routine();
    return void k.PsTerminateSystemThread(STATUS_SUCCESS);
  };
  k.PsCreateSystemThread(handle as never, 0x1fffff, null, null, null, body, null);
  k.ZwClose(handle.value as never);
}

function rules(sim: Simulation): string[] {
  return sim.kernel('server').violations.map((v) => v.rule);
}

describe('cdriver: a cancel routine for an IRP in the driver\'s own queue', () => {
  it('IoCancelIrp from another thread: the routine at DISPATCH_LEVEL releases at CancelIrql, completes with STATUS_CANCELLED', async (context) => {
    requireToolchain(context);
    const { sim, notes, outcome } = await runC('right');
    expect(outcome.failure).toBeUndefined();
    expect(notes).toEqual([
      '0ms first IoSetCancelRoutine returns NULL 1',
      '0ms second returns CancelQueued 1',
      '0ms queued, Cancel 0',
      '1ms cancel routine irql 2',
      '1ms cancel routine Cancel 1',
      '1ms cancel routine CancelIrql 1',
      '1ms released, irql 1',
      '1ms completion sees c0000120',
      '1ms completion sees Cancel 1',
      '1ms after IoCompleteRequest, IoStatus c0000120',
      '1ms IoCancelIrp 1',
      '1ms after IoCancelIrp, irql 1',
      '1ms queue empty 1',
      '1ms after the wait, IoStatus c0000120',
      '1ms after the wait, Cancel 1',
      '1ms routine after cancel 1',
    ]);
    expect(rules(sim)).toEqual([]);
    const irp = sim.records().filter((r) => r.type === 'nt.irp');
    const event = (r: unknown): string => {
      const { event: name, status } = r as { event: string; status?: string };
      return status === undefined ? name : `${name} ${status}`;
    };
    expect(irp.map(event)).toEqual([
      'allocated', 'issued', 'pending', 'cancel', 'cancelled STATUS_CANCELLED', 'freed',
    ]);
    const twin = await runTs('right');
    expect(twin.outcome.failure).toBeUndefined();
    expect(twin.notes).toEqual(notes);
    expect(sim.traceHash()).toBe(twin.sim.traceHash());
  });

  it('a cancel routine that forgets IoReleaseCancelSpinLock → IRP-CANCEL-LOCK-NOT-RELEASED, as for TypeScript', async (context) => {
    requireToolchain(context);
    const { sim, notes, outcome } = await runC('forgets release');
    expect(outcome.failure).toMatchObject({
      kind: 'violation',
      message: expect.stringContaining(
        'the cancel routine of IRP #1 returned holding the cancel spin lock',
      ),
      details: { rule: 'IRP-CANCEL-LOCK-NOT-RELEASED' },
    });
    expect(notes).toContain('1ms released, irql 2');
    expect(rules(sim)).toEqual(['IRP-CANCEL-LOCK-NOT-RELEASED']);
    const twin = await runTs('forgets release');
    expect(twin.notes).toEqual(notes);
    expect(rules(twin.sim)).toEqual(rules(sim));
    expect(twin.sim.kernel('server').violations.map((v) => v.message)).toEqual(
      sim.kernel('server').violations.map((v) => v.message),
    );
    expect(sim.traceHash()).toBe(twin.sim.traceHash());
  });

  it('a cancel routine that releases the cancel spin lock twice → CANCEL-SPINLOCK-NOT-HELD, as for TypeScript', async (context) => {
    requireToolchain(context);
    const { sim, notes, outcome } = await runC('releases twice');
    expect(outcome.failure).toMatchObject({
      kind: 'violation',
      message: expect.stringContaining('IoReleaseCancelSpinLock without the lock'),
      details: { rule: 'CANCEL-SPINLOCK-NOT-HELD' },
    });
    expect(rules(sim)).toEqual(['CANCEL-SPINLOCK-NOT-HELD']);
    const twin = await runTs('releases twice');
    expect(twin.notes).toEqual(notes);
    expect(twin.sim.kernel('server').violations.map((v) => v.message)).toEqual(
      sim.kernel('server').violations.map((v) => v.message),
    );
    expect(sim.traceHash()).toBe(twin.sim.traceHash());
  });

  it('a routine the model set comes back from IoSetCancelRoutine as a handle it takes back', async (context) => {
    requireToolchain(context);
    const { sim, notes, outcome } = await runC('model routine');
    expect(outcome.failure).toBeUndefined();
    expect(notes).toEqual([
      "0ms the model's routine 1",
      '0ms taken back, previous NULL 1',
      '0ms returned again 1',
      '0ms withdrawn',
      '0ms completion sees c0000120',
      '0ms completion sees Cancel 1',
      '0ms IoCancelIrp 1',
      '0ms after IoCancelIrp, IoStatus c0000120',
      '0ms completed 1',
    ]);
    expect(rules(sim)).toEqual([]);
  });

  it('IoCancelIrp without a routine: FALSE, Cancel set in C; IoCompleteRequest takes the status C wrote', async (context) => {
    requireToolchain(context);
    const { sim, notes, outcome } = await runC('no routine');
    expect(outcome.failure).toBeUndefined();
    expect(notes).toEqual([
      '0ms IoCancelIrp 0',
      '0ms Cancel 1',
      '0ms irql 0',
      '0ms completion sees 0',
      '0ms completion sees Cancel 1',
      '0ms Information 7',
    ]);
    expect(rules(sim)).toEqual([]);
    const twin = new Simulation({ seed: 1, keepTrace: true });
    host(twin);
    twin.load('server', async (k) => {
      const Completed = new KEVENT();
      k.KeInitializeEvent(Completed, NotificationEvent, false);
      const Irp = k.IoAllocateIrp(1, false) as IRP;
      k.IoSetCompletionRoutine(Irp, () => {
        k.KeSetEvent(Completed, 0, false);
        return STATUS_MORE_PROCESSING_REQUIRED;
      }, Completed, true, true, true);
      take(k);
      k.IoCancelIrp(Irp);
      Irp.IoStatus.Status = STATUS_SUCCESS;
      Irp.IoStatus.Information = 7;
      k.IoCompleteRequest(Irp, 2);
      k.IoFreeIrp(Irp);
    });
    await twin.run({ until: '1s' });
    expect(sim.traceHash()).toBe(twin.traceHash());
  });

  it('each entry run twice with a seed has one trace hash', async (context) => {
    requireToolchain(context);
    for (const mode of [...Object.keys(ENTRY), ...Object.keys(OTHER)] as (Mode | Other)[]) {
      for (const seed of [1, 2]) {
        const [a, b] = [await runC(mode, seed), await runC(mode, seed)];
        expect(a.sim.traceHash(), `${mode} seed ${seed}`).toBe(b.sim.traceHash());
        expect(a.notes).toEqual(b.notes);
      }
    }
  });
});
