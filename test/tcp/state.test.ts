/** The state table (state.ts): RFC names, and the moves docs/tcp.md#transitions lists. */
import { describe, expect, it } from 'vitest';
import { TCP_STATES, TRANSITIONS, isLegalTransition, isSynchronized } from '../../src/tcp/state.ts';

describe('tcp: states', () => {
  it('all eleven RFC 9293 states, with their RFC spellings', () => {
    expect(TCP_STATES).toEqual([
      'CLOSED', 'LISTEN', 'SYN-SENT', 'SYN-RECEIVED', 'ESTABLISHED', 'FIN-WAIT-1', 'FIN-WAIT-2',
      'CLOSE-WAIT', 'CLOSING', 'LAST-ACK', 'TIME-WAIT',
    ]);
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...TCP_STATES].sort());
  });

  it('the moves of docs/tcp.md#transitions are legal; shortcuts are not', () => {
    const legal: [string, string][] = [
      ['CLOSED', 'SYN-SENT'], ['LISTEN', 'SYN-RECEIVED'], ['SYN-SENT', 'ESTABLISHED'], ['SYN-SENT', 'SYN-RECEIVED'],
      ['SYN-RECEIVED', 'ESTABLISHED'], ['ESTABLISHED', 'FIN-WAIT-1'], ['ESTABLISHED', 'CLOSE-WAIT'],
      ['FIN-WAIT-1', 'FIN-WAIT-2'], ['FIN-WAIT-1', 'CLOSING'], ['FIN-WAIT-1', 'TIME-WAIT'], ['FIN-WAIT-2', 'TIME-WAIT'],
      ['CLOSE-WAIT', 'LAST-ACK'], ['CLOSING', 'TIME-WAIT'], ['LAST-ACK', 'CLOSED'], ['TIME-WAIT', 'CLOSED'],
    ];
    for (const [from, to] of legal) expect(isLegalTransition(from as never, to as never), `${from}→${to}`).toBe(true);
    const illegal: [string, string][] = [
      ['CLOSED', 'ESTABLISHED'], ['LISTEN', 'ESTABLISHED'], ['SYN-SENT', 'FIN-WAIT-1'], ['TIME-WAIT', 'ESTABLISHED'],
      ['CLOSE-WAIT', 'FIN-WAIT-1'], ['FIN-WAIT-2', 'CLOSING'], ['CLOSED', 'CLOSED'],
    ];
    for (const [from, to] of illegal) expect(isLegalTransition(from as never, to as never), `${from}→${to}`).toBe(false);
    for (const state of TCP_STATES) {
      if (state !== 'CLOSED') expect(isLegalTransition(state, 'CLOSED')).toBe(true);
    }
  });

  it('synchronized states are those after the handshake (RFC 9293 §3.5.2)', () => {
    expect(TCP_STATES.filter(isSynchronized)).toEqual([
      'ESTABLISHED', 'FIN-WAIT-1', 'FIN-WAIT-2', 'CLOSE-WAIT', 'CLOSING', 'LAST-ACK', 'TIME-WAIT',
    ]);
  });
});
