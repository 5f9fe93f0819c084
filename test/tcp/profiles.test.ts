/**
 * The OS profiles (profiles.ts): exactly the policy table of docs/policies.md#tcp-profile-policies,
 * per-host overrides, and validation that names the option.
 */
import { describe, expect, it } from 'vitest';
import { SimConfigError } from '../../src/sim/index.ts';
import { resolveProfile } from '../../src/tcp/profiles.ts';

const S = 1e9;
const seconds = (list: readonly number[]): number[] => list.map((ns) => ns / S);

describe('tcp: profiles', () => {
  it('windows10 is the default: SYNs at 0, 1, 3, 7, 15 s, 21 s deadline, 4 retries 0.5 s after a RST', () => {
    const p = resolveProfile();
    expect(p.name).toBe('windows10');
    expect(seconds(p.synSchedule)).toEqual([0, 1, 3, 7, 15]);
    expect(p.connectTimeout).toBe(21 * S);
    expect(p.rstRetries).toBe(4);
    expect(p.rstRetryDelay).toBe(0.5 * S);
  });

  it('windows: SYN-ACKs at 0, 1, 3 s, half-open dropped at 7 s; one queue of 200 answered RST; 49152–65535; TIME-WAIT 120 s', () => {
    for (const name of ['windows10', 'windows7'] as const) {
      const p = resolveProfile({ profile: name });
      expect(seconds(p.synAckSchedule)).toEqual([0, 1, 3]);
      expect(p.halfOpenTimeout).toBe(7 * S);
      expect([p.listenQueue, p.listenBacklog, p.closedPortAnswer]).toEqual(['single', 200, 'rst']);
      expect([p.ephemeralPortMin, p.ephemeralPortMax, p.portSharing]).toEqual([49152, 65535, 'exclusive']);
      expect(p.timeWait).toBe(120 * S);
      expect([p.mss, p.windowScale, p.sackPermitted, p.timestamps]).toEqual([1460, 8, true, false]);
      expect(p.offerLifetime).toBe(30 * S);
      expect(p.rejectAnswer).toBe('rst');
    }
  });

  it('windows7: SYNs at 0, 3, 9 s, 21 s deadline', () => {
    const p = resolveProfile({ profile: 'windows7' });
    expect(seconds(p.synSchedule)).toEqual([0, 3, 9]);
    expect(p.connectTimeout).toBe(21 * S);
  });

  it('linux: 11 SYNs to 67 s, 131 s deadline, refused at once; SYN-ACKs to 31 s, dropped at 63 s; accept queue; 32768–60999; 60 s', () => {
    const p = resolveProfile({ profile: 'linux' });
    expect(seconds(p.synSchedule)).toEqual([0, 1, 2, 3, 4, 5, 7, 11, 19, 35, 67]);
    expect(p.connectTimeout).toBe(131 * S);
    expect(p.rstRetries).toBe(0);
    expect(seconds(p.synAckSchedule)).toEqual([0, 1, 3, 7, 15, 31]);
    expect(p.halfOpenTimeout).toBe(63 * S);
    expect([p.listenQueue, p.abortOnOverflow, p.closedPortAnswer]).toEqual(['accept-queue', false, 'rst']);
    expect([p.ephemeralPortMin, p.ephemeralPortMax, p.portSharing]).toEqual([32768, 60999, 'four-tuple']);
    expect(p.timeWait).toBe(60 * S);
    expect([p.mss, p.windowScale, p.sackPermitted, p.timestamps]).toEqual([1460, 7, true, true]);
  });

  it('every value can be overridden; durations are unit strings; the result is frozen', () => {
    const p = resolveProfile({
      profile: 'linux', synSchedule: ['0s', '250ms'], connectTimeout: '2s', closedPortAnswer: 'silent',
      timeWait: '1m', windowScale: null, receiveBuffer: 65535, offerLifetime: '45s', rejectAnswer: 'silent',
    });
    expect(seconds(p.synSchedule)).toEqual([0, 0.25]);
    expect([p.connectTimeout, p.timeWait, p.offerLifetime]).toEqual([2 * S, 60 * S, 45 * S]);
    expect([p.closedPortAnswer, p.windowScale, p.rejectAnswer]).toEqual(['silent', null, 'silent']);
    expect(Object.isFrozen(p)).toBe(true);
    expect(Object.isFrozen(p.synSchedule)).toBe(true);
  });

  it('bad values throw SimConfigError naming the option', () => {
    const cases: [object, RegExp][] = [
      [{ profile: 'freebsd' }, /tcp\.profile/],
      [{ timeWait: 120 }, /tcp\.timeWait.*bare number/],
      [{ connectTimeout: 'soon' }, /tcp\.connectTimeout/],
      [{ synSchedule: ['1s'] }, /tcp\.synSchedule\[0\]/],
      [{ synSchedule: ['0s', '3s', '2s'] }, /tcp\.synSchedule\[2\]/],
      [{ synSchedule: ['0s', '30s'] }, /tcp\.synSchedule.*before the timeout/],
      [{ synAckSchedule: [] }, /tcp\.synAckSchedule/],
      [{ rstRetries: -1 }, /tcp\.rstRetries/],
      [{ ephemeralPortMin: 60000, ephemeralPortMax: 50000 }, /tcp\.ephemeralPortMin/],
      [{ listenQueue: 'double' }, /tcp\.listenQueue/],
      [{ rtoMin: '2s', rtoMax: '1s' }, /tcp\.rtoMin/],
      [{ rtoInitial: '0s' }, /tcp\.rtoInitial/],
      [{ windowScale: 15 }, /tcp\.windowScale/],
      [{ receiveBuffer: 100_000, windowScale: null }, /tcp\.receiveBuffer/],
      [{ abortOnOverflow: 'yes' }, /tcp\.abortOnOverflow/],
      [{ synRetries: 3 }, /tcp\.synRetries.*unknown/],
    ];
    for (const [options, message] of cases) {
      expect(() => resolveProfile(options as never), JSON.stringify(options)).toThrow(SimConfigError);
      expect(() => resolveProfile(options as never)).toThrow(message);
    }
  });
});
