import { describe, expect, it } from 'vitest';
import { SimConfigError, Simulator } from '../../src/sim/index.ts';
import { Kernel, type KernelOptions } from '../../src/wsk/index.ts';

function setup(options: KernelOptions = {}): { sim: Simulator; k: Kernel } {
  const sim = new Simulator({ seed: 5, keepTrace: true });
  return { sim, k: new Kernel(sim, 'server', options) };
}

describe('wsk: kernel core', () => {
  it('a probability option outside [0, 1] is a SimConfigError naming the option', () => {
    expect(() => setup({ pendingCompletions: 1.5 })).toThrow(SimConfigError);
    expect(() => setup({ acceptCallbackRace: -0.1 })).toThrow(
      /kernel\(server\)\.acceptCallbackRace/,
    );
    expect(() => setup({ poolAllocationFailure: Number.NaN })).toThrow(/poolAllocationFailure/);
    expect(() => setup({ passiveCallbacks: 1, pendingCompletions: 0 })).not.toThrow();
  });

  it('an advisory is recorded and traced, and leaves the run alone', async () => {
    const { sim, k } = setup();
    sim.schedule(1e6, 'driver', () => k.advisory('WSK-OPTION-TIMING', 'something legal but odd'));
    const outcome = await sim.run();
    expect(outcome.status).toBe('quiescent');
    expect(k.advisories).toEqual([
      {
        rule: 'WSK-OPTION-TIMING',
        message: 'WSK-OPTION-TIMING: something legal but odd (host server at 0.001000s)',
        at: 1e6,
        site: expect.stringMatching(/^test\/nt\/kernel-core\.test\.ts:\d+$/),
      },
    ]);
    const records = sim.trace.records().filter((r) => r.type === 'nt.advisory');
    expect(records).toEqual([
      { at: 1e6, type: 'nt.advisory', host: 'server', rule: 'WSK-OPTION-TIMING', info: 'something legal but odd' },
    ]);
    expect(k.violations).toEqual([]);
  });

  it('under strict, the first advisory fails the run; a disabled rule records nothing', async () => {
    const strict = setup({ strict: true });
    strict.sim.schedule(2e6, 'driver', () => strict.k.advisory('WSK-OPTION-TIMING', 'odd'));
    const outcome = await strict.sim.run();
    expect(outcome.status).toBe('failed');
    expect(outcome.failure?.kind).toBe('advisory');
    expect(outcome.failure?.message).toMatch(/^WSK-OPTION-TIMING: odd \(host server at 0.002000s\)/);
    const quiet = setup({ strict: true, disabledRules: ['WSK-OPTION-TIMING'] });
    quiet.k.advisory('WSK-OPTION-TIMING', 'odd');
    expect(quiet.k.advisories).toEqual([]);
    expect((await quiet.sim.run()).status).toBe('quiescent');
  });

  it('a rule id the catalogue lacks, or of the other channel, is a compile error and a model bug', () => {
    const { k } = setup();
    // @ts-expect-error a misspelt id does not type-check
    expect(() => k.violation('NO-SUCH-RULE', 'x')).toThrow(/not in the catalogue/);
    // @ts-expect-error a violation's id is not an advisory's
    expect(() => k.advisory('IRP-COMPLETED-TWICE', 'x')).toThrow(/is violation, reported as/);
    // @ts-expect-error an advisory's id is not a violation's
    expect(() => k.violation('WSK-OPTION-TIMING', 'x')).toThrow(/is advisory, reported as/);
  });
});
