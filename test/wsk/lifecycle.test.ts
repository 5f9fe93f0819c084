/**
 * The WSK provider's lifecycle tables (src/wsk/lifecycle.ts): what each allows, and that its
 * setter rejects an illegal move with a message naming it and leaves the record as it was.
 */
import { describe, expect, it } from 'vitest';
import {
  CLOSED,
  CONNECTED,
  DEAD,
  INSPECTION_TRANSITIONS,
  LISTENING,
  REGISTRATION_TRANSITIONS,
  SOCKET_FLAGS,
  SOCKET_MOVES,
  isLegalSocketMove,
  setInspectionPhase,
  setRegistrationPhase,
  socketFlagNames,
  type InspectionPhase,
  type RegistrationPhase,
} from '../../src/wsk/lifecycle.ts';
import { SocketState } from '../../src/wsk/socket-state.ts';
import { AF_INET, type PWSK_CLIENT } from '../../src/wsk/index.ts';
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
    const registration = { phase: 'registered' as RegistrationPhase, stateSince: 0 };
    const skip = (): void => setRegistrationPhase(registration, 'deregistered', 5);
    expect(skip).toThrow(AssertionError);
    expect(skip).toThrow('wsk: illegal registration transition registered → deregistered');
    expect(registration).toEqual({ phase: 'registered', stateSince: 0 });
    setRegistrationPhase(registration, 'deregistering', 7);
    expect(registration).toEqual({ phase: 'deregistering', stateSince: 7 });
    setRegistrationPhase(registration, 'deregistered', 9);
    expect(() => setRegistrationPhase(registration, 'registered', 11)).toThrow(
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
    const inspection = { phase: 'pended' as InspectionPhase, stateSince: 0 };
    setInspectionPhase(inspection, 'aborted', 3, 7, 4);
    setInspectionPhase(inspection, 'finished', 3, 7, 6);
    const again = (): void => setInspectionPhase(inspection, 'aborted', 3, 7, 8);
    expect(again).toThrow(AssertionError);
    const message = 'wsk: illegal inspection transition finished → aborted (socket #3, request 7)';
    expect(again).toThrow(message);
    expect(inspection).toEqual({ phase: 'finished', stateSince: 6 });
  });
});

/** The clock the test sockets read when their state changes. */
const clock = { now: 0 };

function socket(id: number): SocketState {
  const options = {
    share: 'none',
    v6only: true,
    conditionalAccept: false,
    securityDescriptor: null,
  } as const;
  const spec = {
    client: { clock } as PWSK_CLIENT,
    family: AF_INET,
    context: null,
    clientDispatch: null,
    owner: null,
    options,
  } as const;
  return new SocketState(id, 'stream', spec, [], 0);
}

describe('wsk: the socket lifecycle', () => {
  it('has a rule for raising and for lowering each flag; closing and connecting are final', () => {
    expect(Object.keys(SOCKET_MOVES)).toEqual([...SOCKET_FLAGS]);
    expect(SOCKET_MOVES.closed.clear).toBeNull();
    expect(SOCKET_MOVES.dead.clear).toBeNull();
    expect(SOCKET_MOVES.connected.clear).toBeNull();
    expect(socketFlagNames(CLOSED | LISTENING)).toBe('{closed, listening}');
  });

  it('the setter\'s flattened table says what SOCKET_MOVES says, in every combination', () => {
    SOCKET_FLAGS.forEach((flag, i) => {
      for (let flags = 0; flags < 1 << SOCKET_FLAGS.length; flags++) {
        for (const on of [false, true]) {
          const rule = on ? SOCKET_MOVES[flag].set : SOCKET_MOVES[flag].clear;
          const { requires, forbids } = rule ?? { requires: -1, forbids: 0 };
          const allowed = rule !== null && (flags & requires) === requires && !(flags & forbids);
          expect(isLegalSocketMove(flags, 1 << i, on), `${flag} ${on} in ${flags}`).toBe(allowed);
        }
      }
    });
  });

  it('allows the moves the provider makes, and not their opposites', () => {
    expect(isLegalSocketMove(0, LISTENING, true)).toBe(true);
    expect(isLegalSocketMove(LISTENING, DEAD, true)).toBe(true);
    expect(isLegalSocketMove(LISTENING | DEAD, LISTENING, false)).toBe(true);
    expect(isLegalSocketMove(LISTENING | CLOSED, LISTENING, false)).toBe(true);
    expect(isLegalSocketMove(CONNECTED, CLOSED, true)).toBe(true);
    expect(isLegalSocketMove(CONNECTED, LISTENING, true)).toBe(false);
    expect(isLegalSocketMove(LISTENING, CONNECTED, true)).toBe(false);
    expect(isLegalSocketMove(CLOSED, DEAD, true)).toBe(false);
    expect(isLegalSocketMove(CLOSED, CLOSED, false)).toBe(false);
    expect(isLegalSocketMove(DEAD, CONNECTED, true)).toBe(false);
  });

  it("SocketState's setters assert the move and leave the flags as they were", () => {
    const s = socket(5);
    s.connected = true;
    s.closed = true;
    s.closed = true; // a write that changes nothing is no move
    expect(() => (s.closed = false)).toThrow(AssertionError);
    expect(() => (s.closed = false)).toThrow(
      'wsk: illegal socket transition: clear closed in {closed, connected} (socket #5)',
    );
    expect(() => (s.listening = true)).toThrow(
      'wsk: illegal socket transition: set listening in {closed, connected} (socket #5)',
    );
    expect([s.closed, s.connected, s.listening]).toEqual([true, true, false]);
    const t = socket(6);
    expect(() => (t.deathIndicated = true)).toThrow(
      'wsk: illegal socket transition: set deathIndicated in {} (socket #6)',
    );
  });

  it('a socket keeps the time its flags last changed, and names its state in one word', () => {
    clock.now = 3;
    const s = socket(7);
    expect([s.stateName, s.stateSince]).toEqual(['open', 3]);
    clock.now = 10;
    s.holdsPort = true;
    expect([s.stateName, s.stateSince]).toEqual(['bound', 10]);
    clock.now = 20;
    s.holdsPort = true; // no move: the time stays
    expect(s.stateSince).toBe(10);
    s.listening = true;
    expect([s.stateName, s.stateSince]).toEqual(['listening', 20]);
    clock.now = 30;
    s.dead = true;
    expect([s.stateName, s.stateSince]).toEqual(['dead', 30]);
    s.closed = true;
    expect(s.stateName).toBe('closed');
  });
});
