/**
 * The WSK scenarios under every completion mode: accept-irp with every call Windows may complete
 * either way completed inline, every such call pended, and the seeded mix; completion routines at
 * DISPATCH_LEVEL and at PASSIVE_LEVEL. Each completion routine runs exactly once per IRP and the
 * driver accepts the same sockets (the same remotes, in the same order) whatever the mode.
 * Beyond the uniform modes, replayed tapes place the pended completions one IRP at a time: each
 * 'IRP pends' choice alone pended (every other call inline), and every prefix of them pended.
 */
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/simulation.ts';
import { buildAcceptIrp, checkAcceptIrp } from '../../scenarios/accept-irp.ts';
import type { Tape } from '../../src/sim/index.ts';
import type { KernelOptions } from '../../src/wsk/index.ts';

async function acceptIrp(seed: number, kernel: KernelOptions, replay?: Tape) {
  const sim = new Simulation({ seed, ...(replay !== undefined && { replay }) });
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

describe('scenario accept-irp: pended completions placed IRP by IRP', () => {
  /** `recorded` up to entry `at`, then an 'IRP pends' of `value`; the rest takes defaults. */
  function tapeWith(recorded: Tape, at: number, value: number): Tape {
    return [...recorded.slice(0, at), { label: 'IRP pends', value }];
  }

  async function recordedRun(replay: Tape) {
    const sim = new Simulation({ seed: 1, replay });
    const handles = buildAcceptIrp(sim, {});
    const outcome = await sim.run({ timeLimit: '1m' });
    expect(outcome.failure).toBeUndefined();
    checkAcceptIrp(sim, handles);
    return { handles, tape: sim.core.choices.tape() };
  }

  it('each IRP pended alone, and every prefix pended: routines once, same remotes', async () => {
    // The empty tape: every choice takes its default, so every call completes inline.
    const inline = await recordedRun([]);
    const pends = inline.tape.flatMap((e, i) => (e.label === 'IRP pends' ? [i] : []));
    expect(pends.length).toBeGreaterThanOrEqual(15);
    expect(inline.tape.every((e) => e.label !== 'IRP pends' || e.value === 0)).toBe(true);
    const reference = inline.handles.accepted;
    let variants = 0;
    for (const at of pends) {
      // Alone: the inline run up to this choice, then pended; later choices default (inline).
      const alone = await recordedRun(tapeWith(inline.tape, at, 1));
      expect(alone.tape[at], `choice ${at}`).toEqual({ label: 'IRP pends', value: 1 });
      const pendedAlone = alone.tape.filter((e) => e.label === 'IRP pends' && e.value === 1);
      expect(pendedAlone, `choice ${at}`).toHaveLength(1);
      expect([...alone.handles.calls.values()].every((n) => n === 1), `choice ${at}`).toBe(true);
      expect(alone.handles.accepted, `choice ${at}`).toEqual(reference);
      variants++;
    }
    // Prefixes: every choice pended up to k, inline after (the path may change as it goes).
    let prefix: Tape = [];
    for (let k = 0; k < 64; k++) {
      const run = await recordedRun(prefix);
      expect([...run.handles.calls.values()].every((n) => n === 1), `prefix ${k}`).toBe(true);
      expect(run.handles.accepted, `prefix ${k}`).toEqual(reference);
      const next = run.tape.findIndex((e, i) => i >= prefix.length && e.label === 'IRP pends');
      if (next < 0) break;
      prefix = tapeWith(run.tape, next, 1);
      variants++;
    }
    expect(variants).toBeGreaterThanOrEqual(30);
  });
});
