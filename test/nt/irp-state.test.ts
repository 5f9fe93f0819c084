/** The IRP lifecycle table (src/nt/irp-state.ts) and its asserted setter. */
import { describe, expect, it } from 'vitest';
import {
  IRP_STATES,
  IRP_TRANSITIONS,
  isLegalIrpTransition,
  setIrpState,
  type IrpState,
} from '../../src/nt/irp-state.ts';
import { NtKernel, STATUS_MORE_PROCESSING_REQUIRED, STATUS_SUCCESS } from '../../src/nt/index.ts';
import { AssertionError, Simulator } from '../../src/sim/index.ts';

describe('nt: the IRP lifecycle table', () => {
  it('names every state, and freed is final', () => {
    expect(Object.keys(IRP_TRANSITIONS).sort()).toEqual([...IRP_STATES].sort());
    expect(IRP_TRANSITIONS.freed).toEqual([]);
  });

  it('allows what the IRP routines do, and nothing that skips a step', () => {
    const legal: [IrpState, IrpState][] = [
      ['idle', 'issued'], ['issued', 'pending'], ['issued', 'completed'], ['pending', 'completed'],
      ['completed', 'idle'], ['completed', 'issued'], ['completed', 'freed'], ['idle', 'freed'],
      ['idle', 'idle'],
    ];
    for (const [from, to] of legal) {
      expect(isLegalIrpTransition(from, to), `${from}→${to}`).toBe(true);
    }
    const illegal: [IrpState, IrpState][] = [
      ['idle', 'pending'], ['idle', 'completed'], ['pending', 'issued'], ['pending', 'freed'],
      ['issued', 'freed'], ['completed', 'completed'], ['completed', 'pending'], ['freed', 'idle'],
      ['freed', 'issued'],
    ];
    for (const [from, to] of illegal) {
      expect(isLegalIrpTransition(from, to), `${from}→${to}`).toBe(false);
    }
  });

  it('the setter\'s bit table says exactly what the table says, for every pair', () => {
    for (const from of IRP_STATES) {
      for (const to of IRP_STATES) {
        const listed = IRP_TRANSITIONS[from].includes(to);
        expect(isLegalIrpTransition(from, to), `${from}→${to}`).toBe(listed);
      }
    }
  });

  it('the setter asserts the move, naming the IRP, leaves the state as it was, keeps since when', () => {
    const irp = { id: 9, state: 'pending' as IrpState, stateSince: 5 };
    expect(() => setIrpState(irp, 'freed', 7)).toThrow(AssertionError);
    const message = 'irp: illegal transition pending → freed (IRP #9)';
    expect(() => setIrpState(irp, 'freed', 7)).toThrow(message);
    expect(irp).toMatchObject({ state: 'pending', stateSince: 5 });
    setIrpState(irp, 'completed', 8);
    expect(irp).toMatchObject({ state: 'completed', stateSince: 8 });
  });

  it('a driver misuse is a violation, and the state does not move', () => {
    const sim = new Simulator({ seed: 1 });
    const k = new NtKernel(sim, 'host', {});
    const irp = k.IoAllocateIrp(1, false);
    if (irp === null) throw new Error('no IRP');
    k.IoSetCompletionRoutine(irp, () => STATUS_MORE_PROCESSING_REQUIRED, null, true, true, true);
    expect(k.irps.issue(irp, 'Fake')).toBe(true);
    k.irps.pend(irp);
    k.IoFreeIrp(irp); // IRP-FREED-WHILE-PENDING: reported, the IRP stays pending
    expect(k.violations.map((v) => v.rule)).toEqual(['IRP-FREED-WHILE-PENDING']);
    expect(irp.state).toBe('pending');
    k.irps.complete(irp, STATUS_SUCCESS);
    k.irps.complete(irp, STATUS_SUCCESS); // IRP-COMPLETED-TWICE: no move
    expect(irp.state).toBe('completed');
    k.IoFreeIrp(irp);
    k.IoFreeIrp(irp); // IRP-FREED-TWICE: no move
    expect(irp.state).toBe('freed');
    expect(k.violations.map((v) => v.rule)).toEqual([
      'IRP-FREED-WHILE-PENDING', 'IRP-COMPLETED-TWICE', 'IRP-FREED-TWICE',
    ]);
  });
});
