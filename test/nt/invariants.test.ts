/**
 * The NT kernel's invariant checker (src/nt/invariants.ts): a healthy run passes it after every
 * event, and each planted inconsistency fails the run as an assertion naming it.
 */
import { describe, expect, it } from 'vitest';
import {
  DISPATCH_LEVEL,
  IrpHolders,
  KDPC,
  KSPIN_LOCK,
  KTIMER,
  NtKernel,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_SUCCESS,
  checkNtInvariants,
  type IRP,
} from '../../src/nt/index.ts';
import { Simulator, type RunOutcome } from '../../src/sim/index.ts';

function setup(): { sim: Simulator; k: NtKernel } {
  const sim = new Simulator({ seed: 5 });
  const k = new NtKernel(sim, 'h', {});
  return { sim, k };
}

function newIrp(k: NtKernel): IRP {
  const irp = k.IoAllocateIrp(1, false);
  if (irp === null) throw new Error('no IRP');
  k.IoSetCompletionRoutine(irp, () => STATUS_MORE_PROCESSING_REQUIRED, null, true, true, true);
  return irp;
}

/** Runs `sim` with the checker after every event; the first failure's kind and message. */
async function checked(sim: Simulator, k: NtKernel, holders?: () => IrpHolders): Promise<string> {
  sim.betweenEvents = () => checkNtInvariants(k, holders?.() ?? new IrpHolders(k.host));
  const outcome: RunOutcome = await sim.run();
  const failure = outcome.failure;
  return failure === undefined ? 'passed' : `${failure.kind}: ${failure.message}`;
}

describe('nt: the invariant checker', () => {
  it('passes a run that pends, defers and completes IRPs and locks inside a DPC', async () => {
    const { sim, k } = setup();
    const irp = newIrp(k);
    const Lock = new KSPIN_LOCK();
    const Timer = new KTIMER();
    const Dpc = new KDPC();
    k.KeInitializeSpinLock(Lock);
    k.KeInitializeTimer(Timer);
    k.KeInitializeDpc(Dpc, () => {
      k.KeAcquireSpinLockAtDpcLevel(Lock);
      k.KeReleaseSpinLockFromDpcLevel(Lock);
    }, null);
    sim.schedule(1, 'call', () => {
      k.irps.issue(irp, 'Fake');
      k.irps.completeLater(irp, 5, STATUS_SUCCESS); // held by its completion event meanwhile
      k.KeSetTimer(Timer, { QuadPart: -10 }, Dpc);
    });
    expect(await checked(sim, k)).toBe('passed');
    expect(irp.state).toBe('completed');
  });

  it('a spin lock held across events', async () => {
    const { sim, k } = setup();
    const Lock = new KSPIN_LOCK();
    k.KeInitializeSpinLock(Lock);
    // Driver code run from a plain event: no routine hears it return still holding the lock.
    sim.schedule(1, 'lock', () => k.KeAcquireSpinLock(Lock, { value: k.irql }));
    expect(await checked(sim, k)).toBe('assertion: host h: 1 spin lock(s) held between events');
  });

  it('an IRQL left raised between events', async () => {
    const { sim, k } = setup();
    sim.schedule(1, 'raise', () => k.KeRaiseIrql(DISPATCH_LEVEL, { value: k.irql }));
    expect(await checked(sim, k)).toBe('assertion: host h: IRQL 2 between events, not PASSIVE');
  });

  it('an IRP a call pended and nothing holds, and one left issued', async () => {
    const { sim, k } = setup();
    const irp = newIrp(k);
    sim.schedule(1, 'lost', () => {
      k.irps.issue(irp, 'Fake');
      k.irps.pend(irp);
    });
    expect(await checked(sim, k)).toBe('assertion: host h: IRP #1 (Fake) held by none');
    const other = setup();
    const issued = newIrp(other.k);
    other.sim.schedule(1, 'half', () => other.k.irps.issue(issued, 'Half'));
    const message = 'assertion: host h: IRP #1 (Half) still issued between events';
    expect(await checked(other.sim, other.k)).toBe(message);
  });

  it('an IRP with two holders, and a completed IRP a holder still lists', async () => {
    const { sim, k } = setup();
    const irp = newIrp(k);
    sim.schedule(1, 'call', () => {
      k.irps.issue(irp, 'Fake');
      k.irps.pend(irp);
    });
    sim.schedule(2, 'done', () => k.irps.complete(irp, STATUS_SUCCESS));
    const twice = (): IrpHolders => {
      const holders = new IrpHolders(k.host);
      if (irp.state !== 'pending') return holders;
      holders.hold(irp, 'the fake queue');
      holders.hold(irp, 'the fake wait');
      return holders;
    };
    const message =
      'assertion: host h: IRP #1 (Fake) held by both the fake queue and the fake wait';
    expect(await checked(sim, k, twice)).toBe(message);
    const again = setup();
    const done = newIrp(again.k);
    again.sim.schedule(1, 'call', () => {
      again.k.irps.issue(done, 'Fake');
      again.k.irps.completeInline(done, STATUS_SUCCESS);
    });
    const stale = (): IrpHolders => {
      const holders = new IrpHolders(again.k.host);
      if (done.state !== 'idle') holders.hold(done, 'the fake queue');
      return holders;
    };
    const completed = 'assertion: host h: IRP #1 (Fake) is completed, yet the fake queue holds it';
    expect(await checked(again.sim, again.k, stale)).toBe(completed);
  });
});
