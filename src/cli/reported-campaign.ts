/**
 * A campaign as its report and result file hold it: plain data, every failure with its run index
 * in the unsharded campaign, each group's first run rendered once as its account (the summary
 * with the command that makes it again), so the report of a campaign, of one of its shards, and
 * of the merge of its shards (merge-command.ts) come from the same thing.
 */
import { HANG, type CampaignFailure, type CampaignResult } from '../explore/campaign.ts';
import type { Scenario } from '../explore/scenario.ts';
import { makeStrategy } from '../explore/strategies/index.ts';
import { resolveFuzzSpace } from '../explore/fuzz-space.ts';
import type { StrategyName } from '../explore/strategy.ts';
import { command } from './invocation.ts';
import { summary } from './summary.ts';

export interface ReportedGroup {
  readonly signature: string;
  readonly count: number;
  readonly first: CampaignFailure;
  /** Its artifact, as the writer named it (null: none written). */
  readonly artifact: string | null;
  /** The first run's account: its summary and the command that makes it again. */
  readonly account: string;
  /** The first run hung (no watchdog replays it). */
  readonly hang: boolean;
}

/** The campaign's own fields as they are, and the rest as plain data (see the module header). */
export interface ReportedCampaign
  extends Pick<
    CampaignResult,
    | 'scenario'
    | 'strategy'
    | 'seed'
    | 'seeds'
    | 'runs'
    | 'requested'
    | 'passed'
    | 'failures'
    | 'expect'
    | 'checksSkipped'
    | 'report'
    | 'ok'
  > {
  /** What stopped it early, in words ('by --bail', 'by SIGINT', 'in shard 2/3 by --time 1s'). */
  readonly stopped?: string;
  /** In the order each was first seen (by run index). */
  readonly groups: readonly ReportedGroup[];
  readonly goals: readonly (readonly [string, boolean])[];
}

/** How a campaign was asked for, for the commands that make its runs again. */
export interface CampaignCall {
  readonly reference: string;
  /** The knob and strategy flags as given. */
  readonly flags: readonly string[];
  /** Added to run indices to make them the unsharded campaign's (shard.ts). */
  readonly offset: number;
}

/** `loop` as plain data; `artifacts` are its groups' artifacts, in order. */
export function reportedCampaign(
  loop: CampaignResult,
  call: CampaignCall,
  artifacts: readonly (string | null)[],
  stopped: string | undefined,
): ReportedCampaign {
  const global = (f: CampaignFailure): CampaignFailure => ({ ...f, run: f.run + call.offset });
  return {
    scenario: loop.scenario,
    strategy: loop.strategy,
    seed: loop.seed - (seedOnly(loop.strategy) ? 0 : call.offset),
    seeds: loop.seeds,
    runs: loop.runs,
    requested: loop.requested,
    ...(stopped !== undefined && { stopped }),
    passed: loop.passed,
    failures: loop.failures.map(global),
    groups: loop.groups.map((group, i) => ({
      signature: group.signature,
      count: group.count,
      first: global(group.first),
      artifact: artifacts[i] ?? null,
      account: summary(group.result, replayCommand(call, loop, group.first), group.first.note),
      hang: group.result.failure?.kind === HANG,
    })),
    ...(loop.expect !== undefined && { expect: loop.expect }),
    checksSkipped: loop.checksSkipped,
    goals: [...loop.goals],
    report: loop.report,
    ok: loop.ok,
  };
}

/** Whether `strategy` plans each run from its seed alone (Strategy.seedOnly). */
export function seedOnly(strategy: StrategyName): boolean {
  return makeStrategy(strategy, {
    scenario: { name: 'any' } as Scenario<unknown>,
    seed: 1,
    runs: 1,
    space: resolveFuzzSpace(undefined),
    params: {},
  }).seedOnly;
}

/**
 * The command that makes a campaign's failing run again: for a strategy whose plans depend on the
 * seed alone, `run` with that seed and strategy; for one that learns, the campaign up to that run
 * (for a shard, the shard's own campaign: its seed, its runs).
 */
function replayCommand(call: CampaignCall, loop: CampaignResult, failure: CampaignFailure): string {
  const { reference, flags } = call;
  if (seedOnly(loop.strategy))
    return command(['run', reference, '--seed', `${failure.seed}`, ...flags]);
  const named = flags.includes('--strategy');
  const all = named ? flags : [...flags, '--strategy', loop.strategy];
  const runs = `${failure.run + 1}`;
  return command(['fuzz', reference, '--seed', `${loop.seed}`, '--runs', runs, '--bail', ...all]);
}
