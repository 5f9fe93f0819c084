/**
 * The WSK provider's lifecycle tables (src/wsk/lifecycle.ts): what each allows, and that its
 * setter rejects an illegal move with a message naming it and leaves the record as it was.
 */
import { describe, expect, it } from 'vitest';
import {
  INSPECTION_TRANSITIONS,
  REGISTRATION_TRANSITIONS,
  setInspectionPhase,
  setRegistrationPhase,
  type InspectionPhase,
  type RegistrationPhase,
} from '../../src/wsk/lifecycle.ts';
import { AssertionError } from '../../src/sim/index.ts';

describe('wsk: the registration lifecycle', () => {
  it('registered → deregistering → deregistered, and nothing else', () => {
    expect(REGISTRATION_TRANSITIONS).toEqual({
      registered: ['deregistering'],
      deregistering: ['deregistered'],
      deregistered: [],
    });
  });

  it('the setter rejects a skipped or backward step', () => {
    const registration = { phase: 'registered' as RegistrationPhase };
    const skip = (): void => setRegistrationPhase(registration, 'deregistered');
    expect(skip).toThrow(AssertionError);
    expect(skip).toThrow('wsk: illegal registration transition registered → deregistered');
    expect(registration.phase).toBe('registered');
    setRegistrationPhase(registration, 'deregistering');
    setRegistrationPhase(registration, 'deregistered');
    expect(() => setRegistrationPhase(registration, 'registered')).toThrow(
      'wsk: illegal registration transition deregistered → registered',
    );
  });
});

describe('wsk: the inspection lifecycle', () => {
  it('a pended request is decided or aborted, then finished by the other', () => {
    expect(INSPECTION_TRANSITIONS).toEqual({
      pended: ['decided', 'aborted'],
      decided: ['finished'],
      aborted: ['finished'],
      finished: [],
    });
  });

  it('the setter rejects a move out of finished, naming the socket and the request', () => {
    const inspection = { phase: 'pended' as InspectionPhase };
    setInspectionPhase(inspection, 'aborted', 3, 7);
    setInspectionPhase(inspection, 'finished', 3, 7);
    const again = (): void => setInspectionPhase(inspection, 'aborted', 3, 7);
    expect(again).toThrow(AssertionError);
    const message = 'wsk: illegal inspection transition finished → aborted (socket #3, request 7)';
    expect(again).toThrow(message);
    expect(inspection.phase).toBe('finished');
  });
});
