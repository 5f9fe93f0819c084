/**
 * A run's closing lines, as `wsksim run`, `fuzz` and `replay` print them: the scenario, what ran
 * (a seed, or the tape or artifact replayed), the verdict, the virtual time and trace hash, and for
 * a failure its account (the verifier's facts, the faults injected, the last trace records) and
 * the command that makes the run again.
 */
import { formatInstant, formatRecord, type FailureDetails } from '../sim/index.ts';
import type { ScenarioResult } from '../explore/scenario.ts';

/**
 * The run's closing lines; `reference` is how the scenario was named (a name or a file), `flags`
 * the knobs it ran with (in the replay command), `ran` what ran (a seed, or a replayed file).
 */
export function summary(
  result: ScenarioResult,
  replay: string,
  note = '',
  ran = `seed ${result.seed}`,
): string {
  const lines = [
    `scenario ${result.scenario}  ${ran}  ${result.status}`,
    `virtual time ${formatInstant(result.now)}  events ${result.events}  ` +
      `trace hash ${result.traceHash}`,
  ];
  const failure = result.failure;
  if (failure !== undefined) {
    lines.push(
      `failure: ${failure.kind} at ${formatInstant(failure.at)}` +
        `${failure.event === undefined ? '' : ` in '${failure.event}'`}: ${failure.message}`,
    );
    if (failure.details !== undefined) lines.push(...detailLines(failure.details));
    if (failure.findings !== undefined) {
      lines.push('end-of-run findings (the settle phase after the failing check):');
      lines.push(...detailLines(failure.findings));
    }
    if (note !== '') lines.push(`varied: ${note}`);
    const injected = result.faults.taken;
    if (injected.length > 0) {
      const shown = injected.slice(0, 5);
      const more = injected.length > 5 ? `; ${injected.length - 5} more` : '';
      const text = shown.map((f) => `${f.label} (${f.stream}) at ${formatInstant(f.at)}`);
      lines.push(`injected faults: ${text.join('; ')}${more}`);
    }
    lines.push('last trace records:', ...result.tail.map((record) => `  ${formatRecord(record)}`));
    lines.push(`replay: ${replay}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A verifier failure's account, one fact per line (docs/design.md#the-verifier). */
function detailLines(details: FailureDetails): string[] {
  const summary = details.summary === undefined ? '' : `: ${details.summary}`;
  const lines = [`  rule ${details.rule}${summary}`];
  if (details.source !== undefined) lines.push(`  source ${details.source}`);
  const where = [
    details.host === undefined ? '' : `host ${details.host}`,
    details.socket === undefined ? '' : `socket #${details.socket}`,
    details.irp === undefined ? '' : `IRP #${details.irp}`,
  ].filter((part) => part !== '');
  if (where.length > 0) lines.push(`  on ${where.join(', ')}`);
  if (details.routine !== undefined) lines.push(`  in ${details.routine}`);
  if (details.site !== undefined) lines.push(`  at ${details.site}`);
  if (details.stack !== undefined) {
    lines.push('  stack:', ...details.stack.map((frame) => `    ${frame}`));
  }
  if (details.history !== undefined) {
    lines.push('  history:', ...details.history.map((line) => `    ${line}`));
  }
  if (details.outstanding !== undefined) {
    lines.push('  outstanding:', ...details.outstanding.map((line) => `    ${line}`));
  }
  return lines;
}

