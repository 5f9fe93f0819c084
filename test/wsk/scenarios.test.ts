/**
 * The WSK scenarios under every completion mode: accept-irp with every call Windows may complete
 * either way completed inline, every such call pended, and the seeded mix; completion routines at
 * DISPATCH_LEVEL and at PASSIVE_LEVEL. Each completion routine runs exactly once per IRP and the
 * driver accepts the same sockets (the same remotes, in the same order) whatever the mode.
 */
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/simulation.ts';
import { buildAcceptIrp, checkAcceptIrp } from '../../scenarios/accept-irp.ts';
import type { KernelOptions } from '../../src/wsk/index.ts';

async function acceptIrp(seed: number, kernel: KernelOptions) {
  const sim = new Simulation({ seed });
  const handles = buildAcceptIrp(sim, kernel);
  const outcome = await sim.run({ timeLimit: '1m' });
  expect(outcome.failure).toBeUndefined();
  checkAcceptIrp(sim, handles);
  return handles;
}

describe('scenario accept-irp: every completion mode', () => {
  const modes: [string, KernelOptions][] = [];
  for (const pendingCompletions of [0, 0.5, 1]) {
    for (const passiveCallbacks of [0, 1]) {
      modes.push([
        `pendingCompletions ${pendingCompletions}, passiveCallbacks ${passiveCallbacks}`,
        { pendingCompletions, passiveCallbacks },
      ]);
    }
  }

  it('each completion routine runs once per IRP; the same remotes are accepted', async () => {
    let reference: string[] | undefined;
    for (const [mode, kernel] of modes) {
      for (const seed of [1, 2, 3]) {
        const { calls, accepted, failedAccepts } = await acceptIrp(seed, kernel);
        expect([...calls.values()].every((n) => n === 1), `${mode}, seed ${seed}`).toBe(true);
        // WskSocket, WskBind, 4 accepts, 3 × (remote, close), close: 13 server IRPs;
        // per client: connect, local address, close.
        expect(calls.size, `${mode}, seed ${seed}`).toBe(13 + 3 * 3);
        expect(failedAccepts).toEqual(['STATUS_CANCELLED @105000000']);
        reference ??= accepted;
        expect(accepted, `${mode}, seed ${seed}`).toEqual(reference);
      }
    }
    expect(reference).toEqual(['10.0.0.11:49152', '10.0.0.12:49152', '10.0.0.13:49152']);
  });
});
