/**
 * The rare-bug scenarios and their twins (scenarios/accept-loop-leak.ts, receive-event-dpc-lock.ts,
 * inline-receive-depth.ts, receive-callback-race.ts): each bug fails the way it declares under the
 * trigger a campaign strategy would find (one allocation site failed, callbacks at PASSIVE_LEVEL,
 * every completion inline, the receive callback race), its twin passes under the same trigger and
 * under all of them together (with same-instant reorderings and every allocation site failed in
 * turn), the strategy meant for it finds it in a campaign of 100 runs, and plain seeds 1–200 pass
 * for both: the bugs are rare by design.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/cli/load.ts';
import { runCampaign } from '../../src/explore/campaign.ts';
import {
  failsAsExpected,
  runScenario,
  type RunRequest,
  type ScenarioResult,
} from '../../src/explore/scenario.ts';
import type { Choice, DecideFunction } from '../../src/sim/index.ts';

/** The scenarios' directory as stack frames spell it. */
const SCENARIOS = fileURLToPath(new URL('../../scenarios/', import.meta.url));

/**
 * The driver's innermost frame in scenarios/ when a choice is made: 'function file:line'. Not
 * Choice.site(), which names the first frame outside wsksim's src/: here, this test's decider.
 */
function driverFrame(): string {
  for (const line of (new Error().stack ?? '').split('\n')) {
    const at = line.indexOf(SCENARIOS);
    if (at < 0) continue;
    // 'at Object.AcceptComplete [as routine] (' is AcceptComplete.
    const named = /^\s*at (?:async )?(?:\S+\.)?(\w+) (?:\[as \w+\] )?\(/.exec(line);
    const name = named?.[1] ?? '<anonymous>';
    const where = /^([^:()]+:\d+)/.exec(line.slice(at + SCENARIOS.length))?.[1];
    return `${name} ${where}`;
  }
  return '';
}

/** A decider that fails the server's allocations whose driver frame `fails` picks. */
function failAllocations(fails: (frame: string, choice: Choice) => boolean): DecideFunction {
  return (choice) =>
    choice.fault && choice.stream === 'kernel/server' && fails(driverFrame(), choice)
      ? 1
      : undefined;
}

/** accept-loop-leak's trigger: the IoAllocateIrp for the next WskAccept, in AcceptComplete. */
const REPOST_FAILS: Omit<RunRequest, 'seed'> = {
  faultPoints: true,
  decider: failAllocations((frame) => frame.startsWith('AcceptComplete ')),
};

interface Case {
  /** The bug scenario; its twin is the same name with '-fixed'. */
  readonly bug: string;
  /** What makes the bug show (a strategy's draw). */
  readonly trigger: Omit<RunRequest, 'seed'>;
  /** Strategies whose campaign of 100 runs from seed 1 finds the bug. */
  readonly finders: readonly ('swarm' | 'systematic')[];
}

const CASES: readonly Case[] = [
  { bug: 'accept-loop-leak', trigger: REPOST_FAILS, finders: ['swarm', 'systematic'] },
  {
    bug: 'receive-event-dpc-lock',
    trigger: { kernel: { server: { passiveCallbacks: 1 } } },
    finders: ['swarm'],
  },
  {
    bug: 'inline-receive-depth',
    trigger: { kernel: { server: { pendingCompletions: 0 } } },
    finders: ['swarm'],
  },
  {
    bug: 'receive-callback-race',
    trigger: { kernel: { server: { receiveCallbackRace: 1 } } },
    finders: ['swarm'],
  },
];

/** Every trigger at once, with all-inline or all-pended completions. */
function everything(pendingCompletions: 0 | 1): Omit<RunRequest, 'seed'> {
  const knobs = { passiveCallbacks: 1, receiveCallbackRace: 1, acceptCallbackRace: 1 };
  return {
    ...REPOST_FAILS,
    kernel: { server: { ...knobs, pendingCompletions } },
    sameInstantChoice: true,
  };
}

const TRIGGER_SEEDS = [1, 2, 3, 4, 5];
const PLAIN_SEEDS = 200;

function why(result: ScenarioResult): string {
  return `seed ${result.seed}: ${result.failure?.message ?? 'passed'}`;
}

describe.each(CASES)('$bug', ({ bug: name, trigger, finders }) => {
  const bug = () => loadScenario(name);
  const twin = () => loadScenario(`${name}-fixed`);

  it('fails as it declares under its trigger', async () => {
    const scenario = await bug();
    for (const seed of TRIGGER_SEEDS) {
      const result = await runScenario(scenario, { seed, ...trigger });
      expect(failsAsExpected(scenario, result), why(result)).toBe(true);
    }
  });

  it('its twin passes under the same trigger, and under every trigger together', async () => {
    const scenario = await twin();
    for (const seed of TRIGGER_SEEDS) {
      for (const request of [trigger, everything(0), everything(1)]) {
        const result = await runScenario(scenario, { seed, ...request });
        expect(result.status, why(result)).toBe('passed');
      }
    }
  });

  it('its twin passes with each allocation site of the server failed in turn', async () => {
    const scenario = await twin();
    const sites = new Set<string>();
    const record = failAllocations((frame, choice) => {
      sites.add(`${choice.label} at ${frame}`);
      return false;
    });
    await runScenario(scenario, { seed: 1, faultPoints: true, decider: record });
    expect(sites.size).toBeGreaterThanOrEqual(4);
    for (const site of sites) {
      const fail = failAllocations((frame, choice) => `${choice.label} at ${frame}` === site);
      for (const seed of [1, 2]) {
        const result = await runScenario(scenario, { seed, faultPoints: true, decider: fail });
        expect(result.status, `${site}, ${why(result)}`).toBe('passed');
      }
    }
  });

  it.each(finders)('a %s campaign finds it, and fails no other way', async (strategy) => {
    const result = await runCampaign(await bug(), { strategy, runs: 100, seed: 1 });
    const other = result.failures.filter((f) => !f.expected).map((f) => `${f.seed}: ${f.message}`);
    expect(other).toEqual([]);
    expect(result.failures.length).toBeGreaterThan(0);
    expect(result.ok).toBe(true);
  });

  it(`plain seeds 1–${PLAIN_SEEDS} pass, bug and twin alike: the bug is rare`, async () => {
    for (const scenario of [await bug(), await twin()]) {
      for (let seed = 1; seed <= PLAIN_SEEDS; seed++) {
        const result = await runScenario(scenario, { seed });
        if (result.status !== 'passed') expect.fail(`${scenario.name} ${why(result)}`);
        expect(result.advisories).toEqual([]);
      }
    }
  });
});
