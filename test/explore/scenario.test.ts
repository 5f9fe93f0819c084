import { describe, expect, it } from 'vitest';
import acceptIrp from '../../scenarios/accept-irp.ts';
import showcase from '../../scenarios/showcase.ts';
import { defineScenario, runScenario } from '../../src/explore/scenario.ts';
import { SimConfigError, type Tape, type TapeEntry } from '../../src/sim/index.ts';
import { KSPIN_LOCK } from '../../src/wsk/index.ts';
import { packetRecords, type PacketRecord } from '../../src/topology/index.ts';

/** (id, phase, time, reason) of every packet record, for comparing runs packet by packet. */
function packets(records: readonly PacketRecord[]): string[] {
  return records.map((r) => `${r.id} ${r.phase} ${r.at}${r.reason === undefined ? '' : ` ${r.reason}`}`);
}

async function recorded(seed: number): Promise<{ tape: Tape; hash: string; packets: PacketRecord[] }> {
  const result = await runScenario(showcase, { seed, record: true, keepTrace: true });
  return { tape: result.tape ?? [], hash: result.traceHash, packets: packetRecords(result.trace ?? []) };
}

describe('explore: determinism of a scenario', () => {
  it('the same seed gives the same trace hash; different seeds differ under jitter', async () => {
    const hashes = await Promise.all([1, 1, 2, 3].map(async (seed) => (await runScenario(showcase, { seed })).traceHash));
    expect(hashes[1]).toBe(hashes[0]);
    expect(new Set(hashes).size).toBe(3);
  });

  it('keeping records or recording the tape does not change the hash', async () => {
    const plain = await runScenario(showcase, { seed: 4 });
    const full = await runScenario(showcase, { seed: 4, keepTrace: true, record: true });
    expect(full.traceHash).toBe(plain.traceHash);
    expect(full.status).toBe('passed');
  });

  it('a recorded tape replays to the same hash, whatever the seed of the replay', async () => {
    const original = await recorded(5);
    expect(original.tape.length).toBeGreaterThan(40);
    const replay = await runScenario(showcase, { seed: 777, replay: original.tape });
    expect(replay.traceHash).toBe(original.hash);
    expect(replay.tape).toEqual(original.tape);
  });

  it('an empty tape gives the fault-free default run: no loss, no jitter, no duplicate', async () => {
    const result = await runScenario(showcase, { seed: 5, replay: [], keepTrace: true });
    const records = packetRecords(result.trace ?? []);
    expect(records.filter((r) => r.phase === 'dropped')).toEqual([]);
    const sent = records.filter((r) => r.phase === 'sent');
    const delivered = records.filter((r) => r.phase === 'delivered');
    expect(sent).toHaveLength(40);
    expect(delivered.map((r) => r.at)).toEqual(sent.map((r) => r.at + 5e6));
  });

  it('an edited tape changes the run in exactly the way edited (one jitter changed, one loss flipped)', async () => {
    const original = await recorded(6);
    const tape = original.tape.slice();
    const pongJitters = indexesOf(tape, 'link server→client jitter');
    const pongLosses = indexesOf(tape, 'link server→client loss').filter((i) => tape[i]?.value === 0);
    const jitterAt = pongJitters[2] as number;
    const lossAt = pongLosses[pongLosses.length - 1] as number;
    const oldJitter = tape[jitterAt]?.value as number;
    const newJitter = oldJitter === 0 ? 1_500_000 : 0;
    tape[jitterAt] = { label: 'link server→client jitter', value: newJitter };
    tape[lossAt] = { label: 'link server→client loss', value: 1 };

    const edited = await runScenario(showcase, { seed: 6, replay: tape, keepTrace: true });
    expect(edited.status).toBe('passed');
    const before = packets(original.packets);
    const after = packets(packetRecords(edited.trace ?? []));
    const changed = before.filter((line) => !after.includes(line));
    const appeared = after.filter((line) => !before.includes(line));
    // Exactly two packet fates differ: the re-timed pong arrives later or earlier by the edit,
    // and the pong whose loss was flipped is dropped instead of delivered.
    expect(changed).toHaveLength(2);
    expect(appeared).toHaveLength(2);
    const retimed = appeared.find((line) => line.includes('delivered')) as string;
    const [id, , at] = retimed.split(' ');
    const originalAt = Number((changed.find((line) => line.startsWith(`${id} delivered`)) as string).split(' ')[2]);
    expect(Number(at) - originalAt).toBe(newJitter - oldJitter);
    expect(appeared.find((line) => line.includes('dropped'))).toMatch(/ loss$/);
  });

  it('a tape whose labels do not match reports the entry where it diverged', async () => {
    const original = await recorded(7);
    const tape: TapeEntry[] = original.tape.slice();
    tape[3] = { label: 'link server→client duplicate', value: 0 };
    const result = await runScenario(showcase, { seed: 7, replay: tape });
    expect(result.status).toBe('failed');
    expect(result.failure).toMatchObject({ kind: 'tape-diverged', seed: 7 });
    expect(result.failure?.message).toMatch(/^tape diverged at entry 3: the tape has 'link server→client duplicate', the run asked for '/);
  });
});

describe('explore: scenario definitions and failures', () => {
  it('a malformed definition is rejected at load, naming the field', () => {
    expect(() => defineScenario({ name: 'Bad Name', description: '', build: () => 0 })).toThrow(/option 'scenario \(unnamed\)\.name'|option 'scenario 'Bad Name'\.name'/);
    expect(() => defineScenario({ name: 'x', description: 'd', build: () => 0, limits: { time: 5 as never } })).toThrow(SimConfigError);
    expect(() => defineScenario({ name: 'x', description: 'd', build: () => 0, seeds: [1, -2] })).toThrow(/seeds\[1\]/);
    expect(() => defineScenario({ name: 'x', description: 'd', build: () => 0, test: { fuzzRuns: 1.5 } })).toThrow(/'scenario 'x'\.test\.fuzzRuns'/);
  });

  it('a build that throws, a failing check and a livelock come back as failed results', async () => {
    const throwing = defineScenario({ name: 'throws', description: 'd', build: () => { throw new Error('boom'); } });
    expect((await runScenario(throwing, { seed: 3 })).failure).toMatchObject({ kind: 'build', message: 'boom', seed: 3 });
    const checking = defineScenario({
      name: 'checks', description: 'd', build: () => 0,
      check: () => { throw new Error('expected 1 connection, saw 0'); },
    });
    expect((await runScenario(checking, { seed: 4 })).failure).toMatchObject({ kind: 'check', message: 'expected 1 connection, saw 0' });
    const looping = defineScenario({
      name: 'loops', description: 'd', limits: { events: 100 },
      build: (sim) => {
        const again = (): void => void sim.core.schedule(1, 'again', again);
        again();
      },
    });
    const result = await runScenario(looping, { seed: 5 });
    expect(result.failure).toMatchObject({ kind: 'livelock', message: 'event budget of 100 spent with 1 event pending' });
    expect(result.tail.length).toBe(0);
  });

  it('checkInvariants: a model inconsistency after an event fails the run as an assertion', async () => {
    // A plain event leaves a spin lock held: no routine hears it, only the checker sees it.
    const scenario = defineScenario({
      name: 'locks', description: 'd',
      build: (sim) => {
        sim.addHost({ name: 'h', ipv4: '10.0.0.1' });
        const k = sim.kernel('h');
        const lock = (): void => k.KeAcquireSpinLock(new KSPIN_LOCK(), { value: k.irql });
        sim.at('1ms', 'take a lock', lock);
      },
    });
    expect((await runScenario(scenario, { seed: 1 })).status).toBe('passed');
    const checked = await runScenario(scenario, { seed: 1, checkInvariants: true });
    expect(checked.failure).toMatchObject({
      kind: 'assertion',
      message: 'host h: 1 spin lock(s) held between events',
      at: 1e6,
    });
  });
});

describe('explore: knobs from outside the scenario', () => {
  it('kernel overrides a host\'s kernel options: IoAllocateIrp fails on the server', async () => {
    expect((await runScenario(acceptIrp, { seed: 1 })).status).toBe('passed');
    for (const host of ['server', '*']) {
      const result = await runScenario(acceptIrp, { seed: 1, kernel: { [host]: { irpAllocationFailure: 1 } } });
      // The driver notes the failed WskSocket and unloads; the check does not apply to the run.
      expect(result.status).toBe('passed');
      expect(result.checkSkipped).toBe(true);
      expect(result.faults.taken[0]).toMatchObject({ stream: 'kernel/server', label: 'irp allocation fails', injected: true });
      expect(result.faults.taken.some((f) => f.stream !== 'kernel/server')).toBe(host === '*');
    }
  });

  it('a wrong name, value, disabledRules or a host without a kernel throws, naming it', async () => {
    const run = (kernel: object) => runScenario(acceptIrp, { seed: 1, kernel: kernel as never });
    await expect(run({ server: { nosuch: 1 } })).rejects.toThrow(
      /option 'kernel\.server\.nosuch': unknown kernel option \(known: irpAllocationFailure/,
    );
    await expect(run({ server: { passiveCallbacks: '0.5' } })).rejects.toThrow(
      /option 'kernel\.server\.passiveCallbacks': expected a number/,
    );
    await expect(run({ server: { disabledRules: ['IRP-LEAKED'] } })).rejects.toThrow(
      /option 'kernel\.server\.disabledRules': verifier rules may not be switched off/,
    );
    await expect(run({ client: { strict: true } })).rejects.toThrow(
      /option 'kernel\.client': the scenario gives host client no kernel/,
    );
    await expect(run({ ghost: { strict: true } })).rejects.toThrow(SimConfigError);
  });

  it('sameInstantChoice puts same-instant choices on the tape', async () => {
    const plain = await runScenario(acceptIrp, { seed: 1, record: true });
    const reordered = await runScenario(acceptIrp, { seed: 1, record: true, sameInstantChoice: true });
    expect(plain.tape?.some((entry) => entry.label.startsWith('same-instant'))).toBe(false);
    expect(reordered.tape?.some((entry) => entry.label.startsWith('same-instant'))).toBe(true);
  });
});

function indexesOf(tape: Tape, label: string): number[] {
  return tape.flatMap((entry, index) => (entry.label === label ? [index] : []));
}
