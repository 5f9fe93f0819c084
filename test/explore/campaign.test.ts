import { describe, expect, it } from 'vitest';
import {
  ADAPTIVE_BATCH,
  batchEnd,
  planBatch,
  planRequest,
  runBatches,
  runCampaign,
  seedOnlyRun,
  type CampaignRunner,
  type RunOutcome,
} from '../../src/explore/campaign.ts';
import {
  defineScenario,
  runScenario,
  type ScenarioDefinition,
  type ScenarioResult,
} from '../../src/explore/scenario.ts';
import { WAIT, type Strategy } from '../../src/explore/strategy.ts';
import { runSeeds } from '../../src/explore/seeds.ts';
import { SimConfigError } from '../../src/sim/index.ts';
import { MAKE_WSK_VERSION, WSK_REGISTRATION, type WSK_CLIENT_NPI } from '../../src/wsk/index.ts';
import type { Payload } from '../../src/topology/index.ts';
import inspectAbortRace from '../../scenarios/inspect-abort-race.ts';

class Note implements Payload {
  describe(): string {
    return 'note';
  }
}

interface Allocations {
  failed: number;
}

/**
 * A driver that allocates and frees eight IRPs, handling a failed allocation as a driver must;
 * its check insists that every allocation succeeded, which only a fault-free run can promise.
 */
function allocator(extra: Partial<ScenarioDefinition<Allocations>> = {}, failure = 0) {
  return defineScenario<Allocations>({
    name: 'allocator',
    description: 'allocates and frees eight IRPs',
    build(sim) {
      const handles = { failed: 0 };
      sim.addHost({ name: 'server', ipv4: '10.0.0.2' });
      if (failure > 0) sim.kernel('server', { irpAllocationFailure: failure });
      sim.load('server', async (k) => {
        const ClientNpi: WSK_CLIENT_NPI = {
          ClientContext: null,
          Dispatch: { Version: MAKE_WSK_VERSION(1, 0), Reserved: 0, WskClientEvent: null },
        };
        const Registration = new WSK_REGISTRATION();
        k.WskRegister(ClientNpi, Registration);
        for (let i = 0; i < 8; i++) {
          const Irp = k.IoAllocateIrp(1, false);
          if (!Irp) handles.failed++;
          else k.IoFreeIrp(Irp);
        }
        sim.sometimes('an allocation failed', handles.failed > 0);
        sim.sometimes('every allocation failed', handles.failed === 8);
        await k.WskDeregister(Registration);
      });
      return handles;
    },
    check(_run, handles) {
      if (handles.failed > 0) throw new Error(`${handles.failed} allocations failed`);
    },
    ...extra,
  });
}

describe('explore: a campaign under the random strategy', () => {
  it('is the seed loop: the same seeds, the same failures', async () => {
    const campaign = await runCampaign(inspectAbortRace, { strategy: 'random', seed: 3, runs: 6 });
    const loop = await runSeeds(inspectAbortRace, { from: 3, runs: 6 });
    expect(campaign.failures.map((f) => [f.seed, f.what])).toEqual(loop.failures.map((f) => [f.seed, f.what]));
    expect(campaign.failures.map((f) => f.run)).toEqual(loop.failures.map((f) => f.seed - 3));
    expect([campaign.runs, campaign.passed, campaign.ok]).toEqual([loop.runs, loop.passed, loop.ok]);
    expect(campaign.strategy).toBe('random');
  });

  it('an unknown strategy is a configuration error naming it', async () => {
    await expect(
      runCampaign(inspectAbortRace, { strategy: 'bogus' as 'random', runs: 1 }),
    ).rejects.toThrow(/'strategy': expected one of random, .*got "bogus"/);
  });
});

describe('explore: what counts as a failure under injected faults', () => {
  it('a fault-free run is checked', async () => {
    const result = await runScenario(allocator(), { seed: 1 });
    expect([result.status, result.checkSkipped, result.faults.taken]).toEqual(['passed', false, []]);
  });

  it('allocation failures from outside (--set) skip the check and are listed as injected', async () => {
    const result = await runScenario(allocator(), { seed: 1, kernel: { server: { irpAllocationFailure: 1 } } });
    expect(result.status).toBe('passed');
    expect(result.checkSkipped).toBe(true);
    expect(result.faults.taken).toHaveLength(8);
    expect(result.faults.taken[0]).toEqual({ stream: 'kernel/server', label: 'irp allocation fails', at: 0, injected: true });
  });

  it('a scenario that sets checkUnderFaults is checked under them', async () => {
    const result = await runScenario(allocator({ checkUnderFaults: true }), {
      seed: 1,
      kernel: { server: { irpAllocationFailure: 1 } },
    });
    expect(result.checkSkipped).toBe(false);
    expect(result.failure?.message).toBe('8 allocations failed');
  });

  it("faults the scenario's own options ask for are not injected: its check holds them", async () => {
    const result = await runScenario(allocator({}, 1), { seed: 1 });
    expect(result.faults.taken).toEqual([]);
    expect(result.failure?.message).toBe('8 allocations failed');
  });

  it('a strategy failing one fault point injects exactly that fault', async () => {
    let offered = 0;
    const result = await runScenario(allocator(), {
      seed: 1,
      faultPoints: true,
      decider: (choice) => (choice.fault && ++offered === 3 ? 1 : undefined),
    });
    expect(offered).toBe(8);
    expect(result.faults.taken.map((f) => f.label)).toEqual(['irp allocation fails']);
    expect([result.status, result.checkSkipped]).toEqual(['passed', true]);
  });

  it('kernel knobs of a strategy may name hosts without a kernel; --set may not', async () => {
    const knobs = await runScenario(allocator(), { seed: 1, kernelKnobs: { nobody: { passiveCallbacks: 1 } } });
    expect(knobs.status).toBe('passed');
    await expect(
      runScenario(allocator(), { seed: 1, kernel: { nobody: { passiveCallbacks: 1 } } }),
    ).rejects.toThrow(/'kernel\.nobody': the scenario gives host nobody no kernel/);
  });
});

describe('explore: link faults from a fuzz space', () => {
  const pinger = defineScenario({
    name: 'pinger',
    description: 'one host sends ten datagrams over a clean link',
    build(sim) {
      const a = sim.addHost({ name: 'a', ipv4: '10.0.0.1' });
      const b = sim.addHost({ name: 'b', ipv4: '10.0.0.2' });
      sim.addLink('a', 'b', { latency: '1ms' });
      let received = 0;
      b.onReceive(() => void received++);
      const send = () => a.send('10.0.0.1', '10.0.0.2', 10, new Note());
      for (let i = 0; i < 10; i++) a.schedule(i * 1e6, 'send', send);
      return { received: () => received };
    },
    check(_run, handles) {
      if (handles.received() !== 10) throw new Error(`received ${handles.received()} of 10`);
    },
  });

  it('raise every link to at least the given probabilities and count as injected', async () => {
    const clean = await runScenario(pinger, { seed: 1 });
    expect(clean.status).toBe('passed');
    const lossy = await runScenario(pinger, { seed: 1, linkFaults: { loss: 1 } });
    expect(lossy.faults.links).toBe(true);
    expect([lossy.status, lossy.checkSkipped]).toEqual(['passed', true]);
    const checked = await runScenario(defineScenario({ ...pinger, checkUnderFaults: true }), {
      seed: 1,
      linkFaults: { loss: 1 },
    });
    expect(checked.failure?.message).toBe('received 0 of 10');
  });

  it('a malformed link fault names the field', async () => {
    await expect(runScenario(pinger, { seed: 1, linkFaults: { loss: 2 } })).rejects.toThrow(/linkFaults\.loss/);
    await expect(runScenario(pinger, { seed: 1, linkFaults: { lag: 1 } as never })).rejects.toThrow(
      /'linkFaults\.lag': expected loss, duplicate or reorder/,
    );
  });
});

describe('explore: goals', () => {
  it('a campaign reports each goal and whether some run reached it', async () => {
    const campaign = await runCampaign(allocator(), {
      strategy: 'random',
      runs: 4,
      run: { kernel: { server: { irpAllocationFailure: 0.3 } } },
    });
    expect([...campaign.goals]).toEqual([
      ['an allocation failed', true],
      ['every allocation failed', false],
    ]);
    expect(campaign.checksSkipped).toBeGreaterThan(0);
  });
});

describe('explore: a scenario definition', () => {
  it('a malformed fuzz space or failing run names the field', () => {
    const base = { name: 'x', description: 'x', build: () => ({}) };
    const cases: [object, RegExp][] = [
      [{ fuzz: { kernel: { passiveCallbacks: [0, 2] } } }, /scenario 'x'\.fuzz\.kernel\.passiveCallbacks\[1\]/],
      [{ fuzz: { kernel: { warp: [0, 1] } } }, /fuzz\.kernel\.warp': expected one of irpAllocationFailure/],
      [{ fuzz: { links: { loss: false } } }, /fuzz\.links\.loss': expected \[min, max\]$/],
      [{ fuzz: { sites: [] } }, /fuzz\.sites': expected hosts, kernel or links/],
      [{ failingRuns: [{ strategy: 'swarm', seed: -1 }] }, /failingRuns\[0\]\.seed/],
      [{ checkUnderFaults: 'yes' }, /checkUnderFaults': expected true or false/],
    ];
    for (const [extra, message] of cases) {
      expect(() => defineScenario({ ...base, ...extra } as never)).toThrow(SimConfigError);
      expect(() => defineScenario({ ...base, ...extra } as never)).toThrow(message);
    }
  });

  it('run --strategy needs a strategy whose runs depend on the seed alone', () => {
    const plan = seedOnlyRun(inspectAbortRace, 'random', 7);
    expect(planRequest({}, plan)).toEqual({ seed: 7 });
  });
});

describe('explore: a replayed tape that disagrees with a draw at the start', () => {
  it('fails the run as tape-diverged instead of throwing', async () => {
    const draw = (choices: { stream(name: string): { chance(label: string, p: number): boolean } }) => {
      choices.stream('swarm').chance('swarm irp fails', 0.5);
      return {};
    };
    const result = await runScenario(allocator(), {
      seed: 1,
      replay: [{ label: 'not the draw', value: 1 }],
      draw: draw as never,
    });
    expect(result.failure?.kind).toBe('tape-diverged');
    expect(result.failure?.message).toBe(
      "tape diverged at entry 0: the tape has 'not the draw', the run asked for 'swarm irp fails'",
    );
  });
});

describe('explore: a campaign runs in batches', () => {
  /** A strategy that notes each call it gets; its plans say WAIT for runs 5 and 6 once each. */
  function noting(calls: string[], waitAt = [5, 6], last = 150): Strategy {
    const waited = new Set<number>();
    return {
      name: 'pct',
      seedOnly: false,
      next(index) {
        calls.push(`next ${index}`);
        if (waitAt.includes(index) && !waited.has(index)) {
          waited.add(index);
          return WAIT;
        }
        return index < last ? { seed: 1 + index, request: {}, note: '' } : null;
      },
      digest: (plan) => plan.seed,
      observe: (_plan, digest) => void calls.push(`observe ${digest as number}`),
      report: () => [],
    };
  }

  it('batches start at one run and double up to ADAPTIVE_BATCH; WAIT ends one sooner', () => {
    const calls: string[] = [];
    const strategy = noting(calls);
    const ends: number[] = [];
    for (let from = 0; from < 200; ) {
      const batch = planBatch(strategy, from, batchEnd(strategy, from), {});
      for (const run of batch.runs) strategy.observe(run.plan, run.digest({} as ScenarioResult));
      from += batch.runs.length;
      ends.push(from);
      if (batch.exhausted) break;
    }
    expect(ADAPTIVE_BATCH).toBe(256);
    // 0-1, 1-2, 2-4, 4-5 (WAIT at 5), 5-6 (WAIT at 6), 6-12, 12-24, 24-48, 48-96, 96-150 (null).
    expect(ends).toEqual([1, 2, 4, 5, 6, 12, 24, 48, 96, 150]);
    // Every run of a batch is planned before any is observed, and the WAIT is asked in between.
    expect(calls.slice(4, 12)).toEqual([
      'next 2', 'next 3', 'observe 3', 'observe 4',
      'next 4', 'next 5', 'observe 5', 'next 5',
    ]);
  });

  /**
   * runBatches over `runs` runs of `strategy` with a runner that makes no run (each outcome's
   * digest is its plan's seed), noting each batch handed over as `handOver <from>`.
   */
  async function batches(strategy: Strategy, calls: string[], runs: number): Promise<boolean> {
    const runner: CampaignRunner = {
      async runBatch(batch, take) {
        for (const run of batch.runs) {
          const outcome = { index: run.index, digest: run.plan.seed } as RunOutcome;
          if (!(await take(outcome))) return;
        }
      },
      handOver: (batch) => void calls.push(`handOver ${batch.from}`),
    };
    return runBatches(strategy, { from: 0, end: runs, base: {} }, runner, async () => true);
  }

  it('once batches are full, the next is planned and handed over before one is observed', async () => {
    const calls: string[] = [];
    expect(await batches(noting(calls, [], 2000), calls, 1100)).toBe(false);
    const at = (call: string) => calls.indexOf(call);
    // [128, 256) is not full: [256, 512) is planned after it is observed.
    expect(at('next 256')).toBeGreaterThan(at('observe 256'));
    // [256, 512) is: [512, 768) is planned, and handed over, before run 256 is observed.
    expect(at('next 767')).toBeLessThan(at('observe 257'));
    expect(at('handOver 512')).toBe(at('next 767') + 1);
    // Every batch is handed over once, in order.
    const handed = calls.filter((call) => call.startsWith('handOver'));
    expect(handed).toEqual(
      [0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 768, 1024].map((from) => `handOver ${from}`),
    );
    expect(at('next 1023')).toBeLessThan(at('observe 513'));
    // The last batch, [1024, 1100), is shorter: nothing is planned beyond it.
    expect(calls).not.toContain('next 1100');
    expect(calls.filter((call) => call.startsWith('observe'))).toHaveLength(1100);
  });

  it('a batch planned ahead that waits at once is asked again once the batch before is observed', async () => {
    const calls: string[] = [];
    expect(await batches(noting(calls, [768], 900), calls, 1100)).toBe(true);
    const asked = calls.flatMap((call, i) => (call === 'next 768' ? [i] : []));
    expect(asked).toHaveLength(2);
    expect(asked[0]).toBeLessThan(calls.indexOf('observe 513'));
    expect(calls[asked[0]! + 1]).toBe('handOver 768');
    expect(asked[1]).toBe(calls.indexOf('observe 768') + 1);
    // It then plans [768, 900) and says it has nothing left.
    expect(calls.at(-1)).toBe('observe 900');
    expect(calls).toContain('next 900');
  });

  it('the same campaign whichever order a runner runs a batch in', async () => {
    const reversed: CampaignRunner = {
      async runBatch(batch, take) {
        const results = new Map<number, ScenarioResult>();
        for (const run of [...batch.runs].reverse())
          results.set(run.index, await runScenario(inspectAbortRace, run.request));
        for (const run of batch.runs) {
          const result = results.get(run.index) as ScenarioResult;
          if (!(await take({ index: run.index, result, digest: run.digest(result) }))) return;
        }
      },
    };
    const request = { strategy: 'portfolio', runs: 60, seed: 9 } as const;
    const inOrder = await runCampaign(inspectAbortRace, request);
    const backwards = await runCampaign(inspectAbortRace, request, reversed);
    expect(backwards.failures).toEqual(inOrder.failures);
    expect(backwards.report).toEqual(inOrder.report);
  });
});
