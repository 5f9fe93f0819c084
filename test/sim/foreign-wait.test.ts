/**
 * A driver that waits on something outside the simulation (sim/foreign-wait.ts): a real timer
 * started from a DriverEntry or a callback is that driver's crash, at its line, and the timer
 * never starts (nothing keeps the process alive after the run); a thread awaiting a foreign
 * promise is the driver's failure too, naming the thread; timers from outside a run still work.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defineScenario, runScenario } from '../../src/explore/scenario.ts';

const FILE = 'test/sim/foreign-wait.test.ts';
const SOURCE = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
const lineOf = (mark: string): string =>
  `${FILE}:${SOURCE.findIndex((l) => l.endsWith(`// ${mark}`)) + 1}`;

let fired = 0;

const sleepsForReal = defineScenario({
  name: 'sleeps-for-real',
  description: 'a DriverEntry that awaits a real setTimeout',
  build(sim) {
    sim.addHost({ name: 'server', ipv4: '10.0.0.2' });
    sim.load('server', async () => {
      await new Promise((resolve) => setTimeout(resolve, 50)); // real timer
      fired++;
    });
    return {};
  },
});

const callbackSchedules = defineScenario({
  name: 'callback-schedules',
  description: 'a timer callback of the simulation that starts a real setImmediate',
  build(sim) {
    sim.addHost({ name: 'server', ipv4: '10.0.0.2' });
    sim.at('1ms', 'tick', () => void setImmediate(() => fired++)); // immediate
    return {};
  },
});

const awaitsForeign = defineScenario({
  name: 'awaits-foreign',
  description: 'a DriverEntry that awaits a promise nothing in the simulation settles',
  build(sim) {
    sim.addHost({ name: 'server', ipv4: '10.0.0.2' });
    sim.load('server', async () => {
      await new Promise(() => {});
    });
    return {};
  },
});

describe('a driver waiting outside the simulation', () => {
  it('a real setTimeout in a DriverEntry is the driver crash at its line; the timer never runs', async () => {
    const result = await runScenario(sleepsForReal, { seed: 1 });
    expect(result.status).toBe('failed');
    expect(result.failure?.kind).toBe('driver-crash');
    expect(result.failure?.message).toMatch(/^driver crash in DriverEntry: ForeignWaitError: setTimeout called during a run/);
    expect(result.failure?.details).toMatchObject({ rule: 'DRIVER-CRASH', site: lineOf('real timer') });
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(fired).toBe(0);
  });

  it('a setImmediate in a simulated timer callback is a crash at its line too', async () => {
    const result = await runScenario(callbackSchedules, { seed: 1 });
    expect([result.failure?.kind, result.failure?.details?.site]).toEqual(['driver-crash', lineOf('immediate')]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(fired).toBe(0);
  });

  it('awaiting a foreign promise is the driver failure of its thread, not a simulator assertion', async () => {
    const result = await runScenario(awaitsForeign, { seed: 1 });
    expect(result.failure?.kind).toBe('driver-crash');
    expect(result.failure?.message).toMatch(/thread server\/DriverEntry did not reach a simulator wait/);
  });

  it('the same runs twice give the same trace hash; timers work again after a run', async () => {
    const [a, b] = [await runScenario(sleepsForReal, { seed: 3 }), await runScenario(sleepsForReal, { seed: 3 })];
    expect(a.traceHash).toBe(b.traceHash);
    let ran = false;
    await new Promise<void>((resolve) => setTimeout(() => { ran = true; resolve(); }, 1));
    expect(ran).toBe(true);
  });
});
