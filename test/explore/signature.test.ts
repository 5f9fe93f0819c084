import { describe, expect, it } from 'vitest';
import { resultSignature as failureSignature } from '../../src/explore/signature.ts';
import { compareTapes, nonDefaultCount, trimDefaults } from '../../src/explore/tape-order.ts';
import type { Failure } from '../../src/sim/index.ts';

const failure = (fields: Partial<Failure>): { failure: Failure } => ({
  failure: { kind: 'violation', message: 'm', seed: 1, at: 0, ...fields } as Failure,
});

describe('explore: failure signatures', () => {
  it('a passed run has none', () => {
    expect(failureSignature({})).toBeNull();
  });

  it('is kind, rule and driver site; the message and the seed do not count', () => {
    const site = 'scenarios/x.ts:12';
    const a = failure({ message: 'one', seed: 3, details: { rule: 'POOL-USE-AFTER-FREE', site } });
    const b = failure({ message: 'two', seed: 4, details: { rule: 'POOL-USE-AFTER-FREE', site } });
    expect(failureSignature(a)).toBe('violation POOL-USE-AFTER-FREE at scenarios/x.ts:12');
    expect(failureSignature(b)).toBe(failureSignature(a));
    const elsewhere = failure({ details: { rule: 'POOL-USE-AFTER-FREE', site: 'x.ts:13' } });
    expect(failureSignature(elsewhere)).not.toBe(failureSignature(a));
    expect(failureSignature(failure({ kind: 'livelock', message: 'no event for 30 s' }))).toBe(
      'livelock: no event for ## s',
    );
  });

  it('a failed check is its message with digits masked', () => {
    const a = failure({ kind: 'check', message: 'delay 3 is 812' });
    const b = failure({ kind: 'check', message: 'delay 5 is 700' });
    expect(failureSignature(a)).toBe('check: delay # is ###');
    expect(failureSignature(failure({ kind: 'check', message: 'x' }))).toBe('check: x');
    expect(failureSignature(b)).toBe(failureSignature(a));
  });
});

describe('explore: the shortlex order on tapes', () => {
  const tape = (...values: (number | null)[]) => values.map((value) => ({ label: 'x', value }));

  it('shorter first, then the first differing value, a default below any number', () => {
    expect(compareTapes(tape(9), tape(0, 0))).toBeLessThan(0);
    expect(compareTapes(tape(1, 5), tape(2, 0))).toBeLessThan(0);
    expect(compareTapes(tape(null, 5), tape(0, 5))).toBeLessThan(0);
    expect(compareTapes(tape(3, 4), tape(3, 4))).toBe(0);
  });

  it('cuts trailing defaults and counts the rest that are not default', () => {
    expect(trimDefaults(tape(null, 2, null, null))).toEqual(tape(null, 2));
    expect(nonDefaultCount(tape(null, 2, 0))).toBe(2);
  });
});
