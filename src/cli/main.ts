/**
 * The `wsksim` command. The one door to the outside world (docs/design.md#determinism-contract):
 * arguments, files, the terminal and child processes; it never reaches into a run's decisions.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { runScenario, type Scenario, type ScenarioResult } from '../explore/scenario.ts';
import { runSeeds, type SeedLoopResult } from '../explore/seeds.ts';
import {
  SimConfigError,
  formatDuration,
  formatInstant,
  parseDuration,
  formatRecord,
  type FailureDetails,
  type Tape,
} from '../sim/index.ts';
import { RULES, parseKernelOption, type KernelOptions } from '../wsk/index.ts';
import { UsageError, integerFlag, parseArgs, type ParsedArgs } from './args.ts';
import { checkDeterminism, logRun, type RunKnobs } from './check.ts';
import { listScenarioNames, loadScenario } from './load.ts';

const HELP = `wsksim — a deterministic network simulator with an executable model of Windows WSK

usage:
  wsksim showcase [--seed N]              run the showcase scenario and print its trace
  wsksim run <scenario|file.ts> [options] run one scenario with one seed
      --seed N            root seed (default: the scenario's first seed)
      --trace             print every trace record
      --record FILE       write the choice tape of the run to FILE (JSON)
      --replay FILE       replay a recorded tape instead of seeded choices
      --pcap FILE         write every TCP segment on the wire to FILE (classic pcap)
      --set kernel.<host>.<option>=<value>
                          a kernel option of <host>'s kernel (* for every host) over the
                          scenario's; repeatable
      --same-instant      let the choices order events due at the same instant
  wsksim fuzz <scenario|file.ts> [--runs N] [--seed S] [--time T] [--bail] [--set ...]
                          run seeds S, S+1, ... (default 1, 100 runs); list every failing seed;
                          report the first failure with the command that replays it
      --time T            stop when T of wall-clock time has passed (e.g. 60s)
      --bail              stop at the first failure that is not the scenario's expect
                          (any failure when it has none)
      --set, --same-instant   as for run
  wsksim check <scenario|file.ts> [--seed N] [--set ...] [--same-instant]
                          run the seed twice (here and in a child process), compare trace
                          hashes and name the first event where the runs diverge
  wsksim list             the scenarios shipped in scenarios/
  wsksim rules            the verifier's rules: id, channel, what each forbids, its source
`;

type Write = (text: string) => void;

export async function main(
  argv: readonly string[],
  out: Write = (t) => process.stdout.write(t),
  err: Write = (t) => process.stderr.write(t),
): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'showcase':
        return await run(['showcase', ...rest], out, true);
      case 'run':
        return await run(rest, out, false);
      case 'check':
        return await check(rest, out);
      case 'fuzz':
        return await fuzz(rest, out);
      case 'list':
        return list(out);
      case 'rules':
        return rules(out);
      case 'event-log':
        return await eventLog(rest, out);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out(HELP);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof SimConfigError) {
      err(`wsksim: ${error.message}\n`);
      if (error instanceof UsageError) err(`run 'wsksim help' for usage\n`);
      return 2;
    }
    throw error;
  }
}

/** The flags that change a run besides its seed: `--set` (a list) and `--same-instant`. */
const KNOB_FLAGS = { lists: ['set'], switches: ['same-instant'] } as const;

/**
 * The run request of `--set kernel.<host>.<option>=<value>` and `--same-instant`, and the flags
 * again (for a replay command and the determinism check's child). A malformed --set is a usage
 * error; a wrong option name or value a configuration error naming it (both exit 2).
 */
function runKnobs(args: ParsedArgs): RunKnobs {
  const kernel: Record<string, Record<string, unknown>> = {};
  const flags: string[] = [];
  for (const text of args.lists.get('set') ?? []) {
    const match = /^kernel\.([^=]+)\.([^.=]+)=(.*)$/s.exec(text);
    if (match === null)
      throw new UsageError(`--set ${text}: expected kernel.<host>.<option>=<value>`);
    const [, host, option, value] = match as unknown as [string, string, string, string];
    const where = `--set kernel.${host}.${option}`;
    (kernel[host] ??= {})[option] = parseKernelOption(where, option, value);
    flags.push('--set', text);
  }
  const sameInstant = args.switches.has('same-instant');
  if (sameInstant) flags.push('--same-instant');
  return {
    request: {
      ...(flags.includes('--set') && {
        kernel: kernel as Readonly<Record<string, Omit<KernelOptions, 'disabledRules'>>>,
      }),
      ...(sameInstant && { sameInstantChoice: true }),
    },
    flags,
  };
}

/** `flags` as they would be typed in a POSIX shell. */
function shellWords(flags: readonly string[]): string {
  return flags
    .map((word) => (/^[\w.,:/=@+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`))
    .map((word) => ` ${word}`)
    .join('');
}

async function run(argv: readonly string[], out: Write, showcase: boolean): Promise<number> {
  const args = parseArgs(argv, {
    values: ['seed', 'record', 'replay', 'pcap'],
    switches: ['trace', ...KNOB_FLAGS.switches],
    lists: KNOB_FLAGS.lists,
  });
  const reference = onePositional(args, 'scenario');
  const knobs = runKnobs(args);
  const scenario = await loadScenario(reference);
  const seed = integerFlag(args, 'seed', scenario.seeds[0] ?? 1);
  const replayFile = args.values.get('replay');
  const recordFile = args.values.get('record');
  const pcapFile = args.values.get('pcap');
  const result = await runScenario(scenario, {
    ...knobs.request,
    seed,
    keepTrace: showcase || args.switches.has('trace'),
    ...(recordFile !== undefined && { record: true }),
    ...(replayFile !== undefined && { replay: readTape(replayFile) }),
    ...(pcapFile !== undefined && { pcap: true }),
  });
  for (const record of result.trace ?? []) out(`${formatRecord(record)}\n`);
  if (pcapFile !== undefined && result.pcap !== undefined) writeFileSync(pcapFile, result.pcap);
  if (recordFile !== undefined)
    writeFileSync(recordFile, `${JSON.stringify({ tape: result.tape ?? [] }, null, 1)}\n`);
  out(summary(result, reference, knobs.flags));
  return result.status === 'passed' ? 0 : 1;
}

/**
 * The run's closing lines; `reference` is how the scenario was named (a name or a file), `flags`
 * the knobs it ran with (in the replay command).
 */
function summary(result: ScenarioResult, reference: string, flags: readonly string[]): string {
  const lines = [
    `scenario ${result.scenario}  seed ${result.seed}  ${result.status}`,
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
    lines.push('last trace records:', ...result.tail.map((record) => `  ${formatRecord(record)}`));
    lines.push(`replay: wsksim run ${reference} --seed ${result.seed}${shellWords(flags)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `wsksim fuzz`: the seed loop; exit 0 when its verdict is good (explore/seeds.ts). */
async function fuzz(argv: readonly string[], out: Write): Promise<number> {
  const args = parseArgs(argv, {
    values: ['runs', 'seed', 'time'],
    switches: ['bail', ...KNOB_FLAGS.switches],
    lists: KNOB_FLAGS.lists,
  });
  const reference = onePositional(args, 'scenario');
  const knobs = runKnobs(args);
  const runs = integerFlag(args, 'runs', 100);
  if (runs < 1) throw new UsageError(`--runs expects at least 1, got ${runs}`);
  const from = integerFlag(args, 'seed', 1);
  const timeText = args.values.get('time');
  const budget = timeText === undefined ? undefined : parseDuration('--time', timeText);
  const scenario = await loadScenario(reference);
  // Outside the simulated world: --time is a wall-clock budget for the campaign, read here in
  // src/cli only and handed to the loop as a stop test between runs; no run ever reads it, so
  // each run is still a pure function of its scenario, knobs and seed.
  const start = performance.now();
  const loop = await runSeeds(scenario, {
    from,
    runs,
    run: knobs.request,
    bail: args.switches.has('bail'),
    ...(budget !== undefined && {
      // Wall clock by design (see above): between runs, never inside one.
      shouldStop: () => (performance.now() - start) * 1e6 >= budget,
    }),
  });
  const fuzzed = { reference, from, flags: knobs.flags, ...(budget !== undefined && { budget }) };
  out(fuzzReport(scenario, loop, fuzzed));
  return loop.ok ? 0 : 1;
}

interface FuzzCampaign {
  readonly reference: string;
  readonly from: number;
  readonly flags: readonly string[];
  /** The --time budget in nanoseconds. */
  readonly budget?: number;
}

function fuzzReport(scenario: Scenario<unknown>, loop: SeedLoopResult, c: FuzzCampaign): string {
  const { reference, from } = c;
  const stopped =
    loop.stopped === undefined
      ? ''
      : `  stopped by ${
          loop.stopped === 'bail' ? '--bail' : `--time ${formatDuration(c.budget ?? 0)}`
        } after ${loop.runs} of ${loop.requested} runs`;
  const lines = [
    `fuzz ${loop.scenario}  seeds ${from}–${from + loop.runs - 1}  ` +
      `${loop.passed} passed, ${loop.failures.length} failed${stopped}`,
    ...loop.failures.map((f) => {
      const message = f.message.startsWith(f.what) ? f.message : `${f.what}: ${f.message}`;
      return `  seed ${f.seed}  ${f.expected ? '(expected) ' : ''}${message}`;
    }),
  ];
  if (scenario.expect !== undefined) {
    const found = loop.failures.filter((f) => f.expected).length;
    lines.push(
      `expect ${scenario.expect}: ${found === 0 ? 'not found' : `found on ${found} seeds`}` +
        `${loop.failures.length > found ? '; other failures too' : ''}`,
    );
  }
  if (loop.first !== undefined) {
    lines.push('first failure:', summary(loop.first, reference, c.flags).trimEnd());
  }
  return `${lines.join('\n')}\n`;
}

async function check(argv: readonly string[], out: Write): Promise<number> {
  const args = parseArgs(argv, { values: ['seed'], ...KNOB_FLAGS });
  const reference = onePositional(args, 'scenario');
  const knobs = runKnobs(args);
  const seed = integerFlag(args, 'seed', (await loadScenario(reference)).seeds[0] ?? 1);
  const report = await checkDeterminism(reference, seed, knobs);
  if (report.divergence === null && report.hashes[0] === report.hashes[1]) {
    out(
      `deterministic: seed ${seed}, ${report.events[0]} events, ` +
        `trace hash ${report.hashes[0]} in both processes\n`,
    );
    return 0;
  }
  out(
    `NOT deterministic: seed ${seed}, ` +
      `trace hash ${report.hashes[0]} here, ${report.hashes[1]} in the child\n`,
  );
  out(
    `${report.divergence?.message ?? 'no event differs: the difference is after the last event'}\n`,
  );
  return 1;
}

async function eventLog(argv: readonly string[], out: Write): Promise<number> {
  const args = parseArgs(argv, { values: ['seed'], ...KNOB_FLAGS });
  const reference = onePositional(args, 'scenario');
  out(JSON.stringify(await logRun(reference, integerFlag(args, 'seed', 1), runKnobs(args))));
  return 0;
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
  if (details.site !== undefined) lines.push(`  at ${details.site}`);
  if (details.outstanding !== undefined) {
    lines.push('  outstanding:', ...details.outstanding.map((line) => `    ${line}`));
  }
  return lines;
}

/** The layers' titles in `wsksim rules`, lowest first. */
const RULE_LAYERS: Readonly<Record<string, string>> = {
  nt: 'NT kernel (src/nt)',
  wsk: 'WSK provider (src/wsk)',
};

function rules(out: Write): number {
  const rules = [...RULES.values()];
  for (const [layer, title] of Object.entries(RULE_LAYERS)) {
    const own = rules.filter((rule) => rule.layer === layer);
    out(`# ${title}: ${own.length} rules\n\n`);
    for (const rule of own) {
      out(`${rule.id}  ${rule.channel}\n  ${rule.summary}\n  source: ${rule.source}\n`);
    }
    out('\n');
  }
  return 0;
}

function list(out: Write): number {
  out(`${listScenarioNames().join('\n')}\n`);
  return 0;
}

function onePositional(args: ParsedArgs, what: string): string {
  const [first, ...extra] = args.positional;
  if (first === undefined) throw new UsageError(`missing ${what}`);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  return first;
}

function readTape(file: string): Tape {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(
      `--replay ${file}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const tape = (parsed as { tape?: unknown } | null)?.tape;
  if (!Array.isArray(tape))
    throw new UsageError(`--replay ${file}: expected {"tape": [{"label": ..., "value": ...}]}`);
  return tape as Tape;
}
