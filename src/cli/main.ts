/**
 * The `wsksim` command. The one door to the outside world (docs/design.md#determinism-contract):
 * arguments, files, the terminal and child processes; it never reaches into a run's decisions.
 * Each command of some size has its own file (run-command.ts, fuzz-command.ts, replay.ts, …).
 */
import { SimConfigError, parseDuration } from '../sim/index.ts';
import { RULES } from '../wsk/index.ts';
import { UsageError, integerFlag, onePositional, parseArgs } from './args.ts';
import { buildDriverCommand } from './build-driver.ts';
import { checkDeterminism, logRun } from './check.ts';
import { fuzz } from './fuzz-command.ts';
import { merge } from './merge-command.ts';
import { KNOB_FLAGS, runKnobs } from './knobs.ts';
import { listScenarioNames, loadScenario } from './load.ts';
import { checkOutputDir } from './output-paths.ts';
import { wsksimVersion } from './provenance.ts';
import { replayArtifact } from './replay.ts';
import { REPORT_VALUES, reportFlags } from './report-files.ts';
import { run } from './run-command.ts';
import { showcase } from './showcase-command.ts';
import { ScenarioFileError } from './scenario-file-error.ts';
import { shrinkArtifact } from './shrink.ts';
import { test } from './test-command.ts';
import { htmlFlag } from './timeline-file.ts';
import type { Write } from './write.ts';

const HELP = `wsksim — a deterministic network simulator with an executable model of Windows WSK

usage:
  wsksim showcase [--seed N] [--out DIR]  fuzz inspect-abort-race until it fails, shrink the run,
                          write its HTML timeline and capture (default .wsksim/showcase)
  wsksim run <scenario|file.ts> [options] run a scenario on each of its declared seeds
      --seed N            that root seed alone (--record, --choices and the files below
                          without --seed: the scenario's first seed alone)
      --trace             print every trace record
      --choices           print the trace with every choice the run drew where it drew it
                          (not with --strategy or --replay)
      --record FILE       write the choice tape of the run to FILE (JSON)
      --replay FILE       replay a recorded tape instead of seeded choices
      --pcap FILE         write every packet on the wire to FILE (classic pcap; TCP as
                          such, other payloads as UDP carrying their description)
      --pcapng FILE       the same as pcapng: an interface per link end, each packet's fate
                          (delivered, dropped and why, duplicated, reordered) as comments
      --mermaid FILE      the run as a Mermaid sequenceDiagram: packets and notes per host
      --last N            --mermaid: only the last N arrows and notes
      --from T, --to T    --mermaid: only what happened between virtual times T (e.g. 20ms)
      --trace-json FILE   every trace record as a JSON line (docs/trace-record.schema.json)
      --html FILE         the run's timeline: one self-contained HTML page (README "Seeing a
                          run: the HTML timeline")
      --set kernel.<host>.<option>=<value>
                          a kernel option of <host>'s kernel (* for every host) over the
                          scenario's; repeatable
      --same-instant      let the choices order events due at the same instant
      --strategy S        the run of seed N under strategy S (random or swarm), as in a campaign
  wsksim fuzz <scenario|file.ts> [--strategy S] [--runs N] [--seed S] [--time T] [--bail]
                          a campaign: run i has seed S+i (default 1, 100 runs) and what the
                          strategy varies; one line per group of failures with the same
                          signature, each with its artifact; report the first failure with the
                          command that makes it again
      --strategy S        random, swarm, systematic, pct, exhaustive, coverage or portfolio
                          (default portfolio: the others in turn, run by run)
      --depth D           pct: bug depth (default 3)
      --faults K          systematic: most allocation sites failed together (default 2)
      --vary LABEL        exhaustive: vary the choices whose label contains LABEL (repeatable)
      --limit N           exhaustive: the most runs (default --runs)
      --time T            stop when T of wall-clock time has passed (e.g. 60s)
      --jobs N            run on N worker threads (default: the machine's cores); the
                          campaign is the same whatever N (README: Parallel campaigns)
      --run-timeout T     a run still going after T of wall-clock time (default 60s) is a
                          hang: reported with its seed, its worker replaced, the campaign
                          goes on
      --bail              stop at the first failure that is not the scenario's expect
                          (any failure when it has none)
      --out DIR           where to write one artifact per failure group (default
                          .wsksim/findings); the first run of each group is shrunk
                          (<name>-shrunk.json beside it, at most 300 candidate runs)
      --no-shrink         write the artifacts without shrinking them
      --shard i/n         run the i-th of n parts of the campaign (vitest's --shard); with
                          --result, for wsksim merge
      --result FILE       write the campaign's result (JSON) for wsksim merge
      --set, --same-instant   as for run
                          Ctrl-C (SIGINT) or SIGTERM stops it between runs, writes what it
                          found and exits 130 (143); a progress line on standard error
  wsksim merge <result.json...> [--out DIR] [--json FILE] [--junit FILE]
                          the shards' results of one campaign as one report, one findings
                          directory (--out), one result file (--json), JUnit XML (--junit)
  wsksim replay <artifact.json> [--pcap F] [--pcapng F] [--mermaid F] [--trace-json F]
                          [--html F]
                          make a fuzz campaign's failing run again from its artifact and say
                          whether it reproduced (same trace hash), or why not; the files are
                          of that run, as for run (with --last, --from, --to)
  wsksim shrink <artifact.json> [--out DIR] [--budget N] [--time T]
                          make the failing run's tape as small and as default as possible
                          while it fails the same way; write <name>-shrunk.json and print the
                          sizes before and after; --pcap, --pcapng, --mermaid, --trace-json,
                          --html as for replay, of the shrunk run (--html: the choices the
                          shrunk tape sets apart from their default marked)
  wsksim test [files or folders...] [options]
                          test every scenario found (default: ./scenarios): its declared seeds,
                          its declared failing runs, a fuzz campaign, its expect; replay the
                          regression corpus; exit 0 when all pass, 1 when one fails
      --fuzz-runs N       the campaign's runs (default: the scenario's test.fuzzRuns, else 50)
      --fuzz-time T       stop each campaign after T of wall-clock time (e.g. 10s)
      --no-fuzz           no campaigns
      --junit FILE        write JUnit XML: a suite per scenario, a case per seed, failing run
                          and campaign, a suite 'corpus' with a case per artifact
      --out DIR           where failing runs' artifacts go (default .wsksim/findings)
      --corpus DIR        replay every artifact in DIR (default .wsksim/findings when it exists)
                          and say still failing, fixed or changed; a failing one fails the test
                          unless it fails as its scenario's expect
  wsksim check <scenario|file.ts> [--seed N] [--set ...] [--same-instant]
                          run the seed twice (here and in a child process), compare trace
                          hashes and name the first event where the runs diverge
  wsksim build-driver <files.c...> -o driver.wasm [-I DIR]... [--export NAME]...
                          compile a WSK driver's C sources for sim.loadDriver (README "Testing
                          your C driver"): clang (wasm32), wasm-ld, wasm-opt --asyncify; needs
                          Debian's clang, lld and binaryen
  wsksim list             the scenarios shipped in scenarios/
  wsksim rules            the verifier's rules: id, channel, what each forbids, its source
  wsksim help [command]   this text, or one command's (also: wsksim <command> --help)
  wsksim --version        wsksim's version

exit codes:
  0    passed; nothing but the expected found; reproduced; shrunk
  1    a failure: a run failed, a campaign found one, a replay did not reproduce
  2    usage or configuration: a bad flag or path, a scenario file that does not load, a
       scenario's own mistake (e.g. a bare number for a duration)
  70   an internal error of wsksim (a bug to report), with its stack
  130  stopped by SIGINT (Ctrl-C), what was found kept; 143 likewise for SIGTERM
`;

/** `EX_SOFTWARE` of sysexits.h: wsksim itself failed (a bug), as opposed to what it ran. */
const INTERNAL_ERROR = 70;

/** One command's part of HELP: its lines from `  wsksim <command>` to the next command. */
export function commandHelp(command: string): string | null {
  const lines = HELP.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`  wsksim ${command} `));
  if (start < 0) return null;
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => line.startsWith('  wsksim ') || line === '');
  return `${[lines[start], ...rest.slice(0, end < 0 ? rest.length : end)].join('\n')}\n`;
}

/** `wsksim help [command]`, `wsksim <command> --help`. */
function help(command: string | undefined, out: Write): number {
  if (command === undefined) {
    out(HELP);
    return 0;
  }
  const text = commandHelp(command);
  if (text === null) throw new UsageError(`unknown command '${command}'`);
  out(`usage:\n${text}`);
  return 0;
}

export async function main(
  argv: readonly string[],
  out: Write = (t) => process.stdout.write(t),
  err: Write = (t) => process.stderr.write(t),
): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command !== undefined && (rest.includes('--help') || rest.includes('-h')))
      return help(command, out);
    switch (command) {
      case 'showcase':
        return await showcase(rest, out);
      case 'run':
        return await run(rest, out, false);
      case 'check':
        return await check(rest, out);
      case 'fuzz':
        return await fuzz(rest, out, err);
      case 'merge':
        return await merge(rest, out);
      case 'test':
        return await test(rest, out);
      case 'replay':
        return await replay(rest, out, err);
      case 'shrink':
        return await shrink(rest, out, err);
      case 'build-driver':
        return buildDriverCommand(rest, out);
      case 'list':
        return list(out);
      case 'rules':
        return rules(out);
      case 'event-log':
        return await eventLog(rest, out);
      case undefined:
        out(HELP);
        return 2;
      case 'help':
        return help(rest[0], out);
      case '--help':
      case '-h':
        return help(undefined, out);
      case '--version':
      case '-v':
      case 'version':
        out(`wsksim ${wsksimVersion()}\n`);
        return 0;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (error) {
    if (
      error instanceof UsageError ||
      error instanceof SimConfigError ||
      error instanceof ScenarioFileError
    ) {
      err(`wsksim: ${error.message}\n`);
      if (error instanceof UsageError) err(`run 'wsksim help' for usage\n`);
      return 2;
    }
    const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
    err(`wsksim: internal error (a bug in wsksim; please report it with this text):\n${stack}\n`);
    return INTERNAL_ERROR;
  }
}

/** `wsksim replay <artifact> [--html FILE]` (replay.ts). */
async function replay(argv: readonly string[], out: Write, err: Write): Promise<number> {
  const args = parseArgs(argv, { values: [...REPORT_VALUES, 'html'], switches: [] });
  const file = onePositional(args, 'artifact');
  const reports = reportFlags(args);
  return await replayArtifact(file, out, err, reports, htmlFlag(args));
}

/** `wsksim shrink <artifact> [--out DIR] [--budget N] [--time T] [--html FILE]` (shrink.ts). */
async function shrink(argv: readonly string[], out: Write, err: Write): Promise<number> {
  const values = ['out', 'budget', 'time', 'html', ...REPORT_VALUES];
  const args = parseArgs(argv, { values, switches: [] });
  const file = onePositional(args, 'artifact');
  const reports = reportFlags(args);
  const html = htmlFlag(args);
  const outDir = args.values.get('out');
  if (outDir !== undefined) checkOutputDir('out', outDir);
  const timeText = args.values.get('time');
  const budget = args.values.has('budget') ? integerFlag(args, 'budget', 0) : undefined;
  if (budget !== undefined && budget < 1)
    throw new UsageError(`--budget expects at least 1, got ${budget}`);
  return await shrinkArtifact(
    {
      file,
      ...(outDir !== undefined && { out: outDir }),
      ...(html !== undefined && { html }),
      ...(budget !== undefined && { budget }),
      ...(timeText !== undefined && { time: parseDuration('--time', timeText) }),
    },
    out,
    err,
    reports,
  );
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

