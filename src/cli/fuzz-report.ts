/**
 * What `wsksim fuzz` prints (and `wsksim merge`, for a sharded campaign): the campaign's line,
 * one line per failure group with its artifact, what the strategy reached, goals and `expect`,
 * and the first failure in full with the command that makes it again, as printed.
 */
import type { ReportedCampaign, ReportedGroup } from './reported-campaign.ts';

export function fuzzReport(loop: ReportedCampaign, shard?: string): string {
  const stopped =
    loop.stopped === undefined
      ? ''
      : `  stopped ${loop.stopped} after ${loop.runs} of ${loop.requested} runs`;
  const { low, high } = loop.seeds;
  const sharded = shard === undefined ? '' : `  shard ${shard}`;
  const lines = [
    `fuzz ${loop.scenario}  strategy ${loop.strategy}${sharded}  seeds ${low}–${high}  ` +
      `${loop.passed} passed, ${loop.failures.length} failed${stopped}`,
    ...loop.groups.map(groupLine),
    ...loop.report.map((line) => `${loop.strategy}: ${line}`),
    ...notes(loop),
  ];
  const first = loop.groups[0];
  if (first !== undefined) {
    if (first.artifact !== null) lines.push(`first failure's artifact: ${first.artifact}`);
    lines.push('first failure:', first.account.trimEnd());
    if (first.hang)
      lines.push('(that run hangs: run and replay keep no watchdog; stop them with Ctrl-C)');
  }
  return `${lines.join('\n')}\n`;
}

/** Checks not applied, goals, and the scenario's `expect`. */
function notes(loop: ReportedCampaign): string[] {
  const lines: string[] = [];
  if (loop.checksSkipped > 0) {
    lines.push(
      `check not applied on ${loop.checksSkipped} runs with injected faults ` +
        '(the scenario does not set checkUnderFaults)',
    );
  }
  const unreached = loop.goals.filter(([, reached]) => !reached).map(([goal]) => goal);
  if (loop.goals.length > 0) {
    lines.push(
      `goals: ${loop.goals.length - unreached.length} of ${loop.goals.length} reached` +
        (unreached.length === 0 ? '' : `; never reached: ${unreached.join(', ')}`),
    );
  }
  if (loop.expect !== undefined) {
    const found = loop.failures.filter((f) => f.expected).length;
    lines.push(
      `expect ${loop.expect}: ${found === 0 ? 'not found' : `found on ${found} seeds`}` +
        `${loop.failures.length > found ? '; other failures too' : ''}`,
    );
  }
  return lines;
}

/**
 * One failure group in one line: how many runs, the first seed, the signature, the first run's
 * note and the group's artifact.
 */
function groupLine(group: ReportedGroup): string {
  const { first, count } = group;
  const note = first.note === '' ? '' : `  [${first.note}]`;
  return (
    `  ${count} run${count === 1 ? '' : 's'}  first seed ${first.seed}  ` +
    `${first.expected ? '(expected) ' : ''}${group.signature}${note}  ${group.artifact ?? ''}`
  );
}
