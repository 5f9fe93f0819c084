/**
 * Who threw (src/sim/crash.ts): the innermost located frame decides, Node's and dependencies'
 * frames skipped; an AssertionError is always the simulator's; a throw with no frame is unknown.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  AssertionError,
  driverCrashOf,
  noteCrashContext,
  throwerOf,
} from '../../src/sim/index.ts';

const SRC = fileURLToPath(new URL('../../src/nt/pool.ts', import.meta.url));
const DRIVER = fileURLToPath(new URL('../fixtures/driver.ts', import.meta.url));

function thrown(frames: readonly string[], type: new (m: string) => Error = TypeError): Error {
  const error = new type('boom');
  error.stack = [`${type.name}: boom`, ...frames.map((frame) => `    at ${frame}`)].join('\n');
  return error;
}

describe('crash: who threw', () => {
  it('a driver frame innermost (past Node and node_modules) is a driver crash', () => {
    const error = thrown([
      'JSON.parse (<anonymous>)',
      'next (node:internal/x:1:1)',
      `WskAcceptEvent (${DRIVER}:12:5)`,
      `Object.runAt (${SRC}:40:3)`,
      `DriverEntry (${DRIVER}:30:1)`,
    ]);
    expect(throwerOf(error)).toBe('driver');
    noteCrashContext(error, { routine: 'WskAcceptEvent', host: 'h', socket: 2 });
    noteCrashContext(error, { routine: 'DriverEntry', host: 'h' });
    expect(driverCrashOf(error)).toEqual({
      site: 'test/fixtures/driver.ts:12',
      stack: ['WskAcceptEvent (test/fixtures/driver.ts:12)', 'DriverEntry (test/fixtures/driver.ts:30)'],
      routine: 'WskAcceptEvent',
      host: 'h',
      socket: 2,
    });
  });

  it("a frame of wsksim's src/ innermost is a simulator bug, as is any AssertionError", () => {
    expect(throwerOf(thrown([`f (${SRC}:1:1)`, `g (${DRIVER}:2:2)`]))).toBe('simulator');
    expect(driverCrashOf(thrown([`f (${SRC}:1:1)`]))).toBeNull();
    expect(throwerOf(thrown([`g (${DRIVER}:2:2)`], AssertionError))).toBe('simulator');
  });

  it('a throw with no located frame is nobody\'s', () => {
    expect(throwerOf('a string')).toBe('unknown');
    expect(throwerOf(thrown([]))).toBe('unknown');
  });
});
