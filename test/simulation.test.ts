import { describe, expect, it } from 'vitest';
import { Simulation } from '../src/simulation.ts';

describe('simulation: handle', () => {
  it('tcp(host) makes the host\'s stack once, with its profile, and rejects late options', () => {
    const sim = new Simulation({ seed: 1 });
    sim.addHost({ name: 'w', ipv4: '10.0.0.1' });
    sim.addHost({ name: 'l', ipv4: '10.0.0.2' });
    const windows = sim.tcp('w');
    expect(sim.tcp('w')).toBe(windows);
    expect(windows.profile.ttl).toBe(128);
    expect(sim.tcp('l', { profile: 'linux' }).profile.ttl).toBe(64);
    expect(() => sim.tcp('w', { profile: 'linux' })).toThrow(/option 'tcp\(w\)': the stack exists already/);
    expect(() => sim.tcp('nobody')).toThrow(/nobody/);
    expect(() => sim.tcp('x' as string, { profile: 'bsd' as never })).toThrow(/x|profile/);
  });

  it('ttlOf gives the sender profile\'s TTL, and 64 for a host without a stack', () => {
    const sim = new Simulation({ seed: 1 });
    sim.addHost({ name: 'w', ipv4: '10.0.0.1', ipv6: 'fd00::1' });
    sim.addHost({ name: 'bare', ipv4: '10.0.0.9' });
    sim.tcp('w');
    expect(sim.ttlOf('10.0.0.1')).toBe(128);
    expect(sim.ttlOf('fd00::1')).toBe(128);
    expect(sim.ttlOf('10.0.0.9')).toBe(64);
  });

  it('at(time) runs an action at an absolute virtual time', async () => {
    const sim = new Simulation({ seed: 1 });
    const seen: number[] = [];
    sim.at('1.5s', 'note', () => void seen.push(sim.now));
    await sim.run();
    expect(seen).toEqual([1.5e9]);
  });

  it('kernel() merges kernelOverrides over the options given, \'*\' first, then the host\'s', () => {
    const sim = new Simulation({
      seed: 1,
      kernelOverrides: { '*': { pendingCompletions: 1, strict: true }, a: { pendingCompletions: 0 } },
    });
    sim.addHost({ name: 'a', ipv4: '10.0.0.1' });
    sim.addHost({ name: 'b', ipv4: '10.0.0.2' });
    expect(sim.unusedKernelOverrides()).toEqual(['*', 'a']);
    const a = sim.kernel('a', { pendingCompletions: 0.5, passiveCallbacks: 0.25 });
    expect(a.options).toMatchObject({ pendingCompletions: 0, passiveCallbacks: 0.25, strict: true });
    expect(sim.unusedKernelOverrides()).toEqual([]);
    expect(sim.kernel('b').options).toMatchObject({ pendingCompletions: 1, strict: true });
  });

  it('kernel() rejects option names KernelOptions lacks; kernelOverrides are checked at once', () => {
    const sim = new Simulation({ seed: 1 });
    sim.addHost({ name: 'a', ipv4: '10.0.0.1' });
    expect(() => sim.kernel('a', { pendingCompletion: 1 } as never)).toThrow(
      /option 'kernel\(a\)\.pendingCompletion': unknown kernel option \(known: /,
    );
    expect(() => new Simulation({ seed: 1, kernelOverrides: { a: { wskProviderVersion: 1.5 } } })).toThrow(
      /option 'kernel\.a\.wskProviderVersion': expected an integer/,
    );
    expect(() => new Simulation({ seed: 1, kernelOverrides: { a: { disabledRules: [] } as never } })).toThrow(
      /kernel\.a\.disabledRules/,
    );
  });
});
