/**
 * The WSK provider's lifecycle tables (src/wsk/lifecycle.ts): what each allows, and that its
 * setter rejects an illegal move with a message naming it and leaves the record as it was.
 */
import { describe, expect, it } from 'vitest';
import {
  REGISTRATION_TRANSITIONS,
  setRegistrationPhase,
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
