/**
 * `portfolio`: several strategies share one campaign's budget, run by run in turn, as Coyote's
 * portfolio of exploration strategies does (Microsoft Coyote, https://microsoft.github.io/coyote/;
 * its scheduler's PortfolioStrategy switches strategy from one test iteration to the next): no
 * one strategy finds every bug soonest, so a campaign that does not know which will find its bug
 * gives each a share. The members are those registered among random, swarm, systematic, pct and
 * coverage, in that order; the registry (index.ts) passes them in, so this file does not import
 * it (index.ts imports this one).
 *
 * What a member sees: its own context (the campaign's scenario, space, params and seed, and a
 * budget of its share of the runs, rounded up), its own run counter (its k-th plan is asked for as
 * next(k)) and its own results (observe gets back the plan it made). Run i of the campaign is
 * still seed S+i whoever planned it: the portfolio sets the seed of a member's plan to the
 * campaign's, so a member's own draws beyond the seed (swarm's knobs, PCT's change points) come
 * from the seed it chose, the run's choices from S+i. A member whose next() is null has covered
 * all it can and is dropped; the campaign ends when every member is. A member whose next() is
 * WAIT (it needs its planned runs observed first) passes its turn; when every member waits, so
 * does the portfolio. A run's note names its member first: `portfolio/swarm: …`.
 *
 * Runs depend on the earlier runs (seedOnly false): a run is made again by the campaign up to it.
 */
import type { ScenarioResult } from '../scenario.ts';
import {
  WAIT,
  type CampaignContext,
  type Digest,
  type RunPlan,
  type Strategy,
  type StrategyFactory,
  type StrategyName,
  type Wait,
} from '../strategy.ts';

/** The strategies a portfolio interleaves, in turn order, when registered. */
export const PORTFOLIO_MEMBERS: readonly StrategyName[] = [
  'random',
  'swarm',
  'systematic',
  'pct',
  'coverage',
];

/** The registered strategies, by name: what the portfolio may choose its members from. */
export type StrategyFactories = Partial<Readonly<Record<StrategyName, StrategyFactory>>>;

/** What a portfolio run tells: whether it failed, and what its member learns. */
interface PortfolioDigest {
  readonly failed: boolean;
  readonly member: Digest;
}

/** One member of the portfolio and its books. */
interface Member {
  readonly name: StrategyName;
  readonly strategy: Strategy;
  runs: number;
  failures: number;
}

/** The portfolio over whichever of PORTFOLIO_MEMBERS `factories` registers. */
export function portfolioStrategy(factories: StrategyFactories): StrategyFactory {
  return (context) => {
    const names = PORTFOLIO_MEMBERS.filter((name) => factories[name] !== undefined);
    const share = { ...context, runs: Math.ceil(context.runs / Math.max(1, names.length)) };
    const members = names.map((name) => ({
      name,
      strategy: (factories[name] as StrategyFactory)(share),
      runs: 0,
      failures: 0,
    }));
    return new Portfolio(context, members);
  };
}

class Portfolio implements Strategy {
  readonly name = 'portfolio';
  readonly seedOnly = false;
  readonly #seed: number;
  /** Every member, dropped or not, for the report. */
  readonly #members: readonly Member[];
  /** The members still planning runs, in turn order. */
  readonly #active: Member[];
  /** The member whose turn is next, as an index into #active. */
  #turn = 0;
  /** Each run's member and the plan the member made, by the plan given to the campaign. */
  readonly #planned = new Map<RunPlan, { member: Member; plan: RunPlan }>();

  constructor(context: CampaignContext, members: readonly Member[]) {
    this.#seed = context.seed;
    this.#members = members;
    this.#active = [...members];
  }

  next(index: number): RunPlan | Wait | null {
    // The members in a row that wait for their runs to be observed; their turn passes.
    let waiting = 0;
    while (this.#active.length > 0) {
      if (waiting === this.#active.length) return WAIT;
      const member = this.#active[this.#turn] as Member;
      const plan = member.strategy.next(member.runs);
      if (plan === null) {
        this.#drop(this.#turn);
        continue;
      }
      if (plan === WAIT) {
        waiting++;
        this.#turn = (this.#turn + 1) % this.#active.length;
        continue;
      }
      member.runs++;
      this.#turn = (this.#turn + 1) % this.#active.length;
      // A member's note that names the member already ('swarm: …') is not named twice.
      const prefix = `${member.name}: `;
      const own = plan.note.startsWith(prefix) ? plan.note.slice(prefix.length) : plan.note;
      const note = `portfolio/${member.name}${own === '' ? '' : `: ${own}`}`;
      const given: RunPlan = { ...plan, seed: this.#seed + index, note };
      this.#planned.set(given, { member, plan });
      return given;
    }
    return null;
  }

  digest(given: RunPlan, result: ScenarioResult): PortfolioDigest | null {
    const planned = this.#planned.get(given);
    if (planned === undefined) return null;
    const member = planned.member.strategy.digest(planned.plan, result);
    return { failed: result.failure !== undefined, member };
  }

  observe(given: RunPlan, digest: Digest): void {
    const planned = this.#planned.get(given);
    if (planned === undefined || digest === null) return;
    this.#planned.delete(given);
    const { failed, member } = digest as PortfolioDigest;
    if (failed) planned.member.failures++;
    planned.member.strategy.observe(planned.plan, member);
  }

  progress(): string {
    const facts = this.#members.flatMap((member) => member.strategy.progress?.() ?? []);
    return facts.join(', ');
  }

  report(): readonly string[] {
    return this.#members.flatMap((member) => [
      `${member.name}: ${member.runs} runs, ${member.failures} failed` +
        (this.#active.includes(member) ? '' : ', then had nothing left to try'),
      ...member.strategy.report().map((line) => `${member.name}: ${line}`),
    ]);
  }

  /** Drops the member at `at` in the turn order; the next one takes its turn. */
  #drop(at: number): void {
    this.#active.splice(at, 1);
    if (this.#turn >= this.#active.length) this.#turn = 0;
  }
}
