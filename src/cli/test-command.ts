/**
 * `wsksim test [files or folders…]`: every scenario found (scenario-files.ts; with no argument,
 * the `scenarios` folder of the working directory) tested on its declared seeds, its declared
 * failing runs and a fuzz campaign (test-scenario.ts), and every artifact of the regression corpus
 * replayed (regression-corpus.ts). One line per scenario and per artifact, then each failure in
 * full with the command that makes it again, then a tally; `--junit FILE` writes it all as JUnit
 * XML (junit.ts). Exit 0 when every case passes, 1 when one fails, 2 on a usage or configuration
 * error (an unknown flag, a path that does not exist, no scenario found).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Scenario } from '../explore/scenario.ts';
import { parseDuration } from '../sim/index.ts';
import { UsageError, integerFlag, parseArgs, type ParsedArgs } from './args.ts';
import { DEFAULT_FINDINGS_DIR } from './findings.ts';
import { junitXml, type JUnitSuite } from './junit.ts';
import { corpusFiles, replayCorpus, type CorpusEntry } from './regression-corpus.ts';
import { findScenarios } from './scenario-files.ts';
import { command } from './invocation.ts';
import { testScenario, type FuzzBudget, type TestedSuite } from './test-scenario.ts';
import { Stopwatch } from './stopwatch.ts';
import type { Write } from './write.ts';
import { checkOutputDir, checkOutputFile } from './output-paths.ts';

/** What `wsksim test` tests when given no path. */
export const DEFAULT_SCENARIO_DIR = 'scenarios';

export async function test(argv: readonly string[], out: Write): Promise<number> {
  const args = parseArgs(argv, {
    values: ['fuzz-runs', 'fuzz-time', 'junit', 'corpus', 'out'],
    switches: ['no-fuzz'],
  });
  const budget = fuzzBudget(args);
  const paths = args.positional.length > 0 ? args.positional : [defaultDir()];
  const corpus = corpusDir(args);
  const outDir = args.values.get('out') ?? DEFAULT_FINDINGS_DIR;
  checkOutputDir('out', outDir);
  const junitFile = args.values.get('junit');
  if (junitFile !== undefined) checkOutputFile('junit', junitFile, true);
  const found = await findScenarios(paths);
  if (found.length === 0) throw new UsageError(`no scenario found in ${paths.join(', ')}`);
  // The corpus as it is now: the artifacts this run writes (maybe into the same folder) wait for
  // the next run.
  const artifacts = corpus === undefined ? [] : corpusFiles(corpus);
  const suites: TestedSuite[] = [];
  const known = new Map<string, Scenario<unknown>>();
  for (const entry of found) {
    if ('error' in entry) {
      suites.push(importFailure(entry.file, entry.error));
    } else {
      known.set(entry.scenario.name, entry.scenario);
      suites.push(await testScenario(entry.file, entry.scenario, { budget, out: outDir }));
    }
    out(`${(suites.at(-1) as TestedSuite).line}\n`);
  }
  const stopwatch = new Stopwatch();
  const replayed = await replayCorpus(artifacts, known);
  const seconds = stopwatch.seconds() / Math.max(1, replayed.length);
  for (const entry of replayed)
    out(`${entry.ok ? 'PASS' : 'FAIL'}  corpus  ${entry.file}  ${entry.line}\n`);
  const all = corpus === undefined ? suites : [...suites, corpusSuite(replayed, seconds)];
  out(failureReport(all));
  out(tally(suites, replayed, corpus));
  const junit = junitFile;
  if (junit !== undefined) {
    mkdirSync(dirname(junit), { recursive: true });
    writeFileSync(junit, junitXml('wsksim test', all.map(junitSuite)));
  }
  return all.every((suite) => suite.ok) ? 0 : 1;
}

function fuzzBudget(args: ParsedArgs): FuzzBudget {
  const none = args.switches.has('no-fuzz');
  const timeText = args.values.get('fuzz-time');
  if (none && (args.values.has('fuzz-runs') || timeText !== undefined))
    throw new UsageError('--no-fuzz cannot be used with --fuzz-runs or --fuzz-time');
  const runs = args.values.has('fuzz-runs') ? integerFlag(args, 'fuzz-runs', 0) : undefined;
  return {
    ...(runs !== undefined && { runs }),
    ...(timeText !== undefined && { time: parseDuration('--fuzz-time', timeText) }),
    ...(none && { none }),
  };
}

function defaultDir(): string {
  if (existsSync(DEFAULT_SCENARIO_DIR)) return DEFAULT_SCENARIO_DIR;
  throw new UsageError(
    `no '${DEFAULT_SCENARIO_DIR}' folder in ${process.cwd()}; ` +
      'name the scenario files or folders to test',
  );
}

/** `--corpus DIR`, which must exist, or `.wsksim/findings` when it exists, or none. */
function corpusDir(args: ParsedArgs): string | undefined {
  const dir = args.values.get('corpus');
  if (dir === undefined) return existsSync(DEFAULT_FINDINGS_DIR) ? DEFAULT_FINDINGS_DIR : undefined;
  if (!existsSync(dir)) throw new UsageError(`--corpus: no such folder: ${dir}`);
  return dir;
}

/** A file that failed to import: a suite of one failing case named after the file. */
function importFailure(file: string, error: string): TestedSuite {
  const message = `${file} failed to import: ${error}`;
  const replay = `replay: ${command(['run', file])}`;
  const failure = { message, text: `${message}\n${replay}` };
  const cases = [{ name: 'import', ok: false, seconds: 0, failure, detail: failure.text }];
  return { name: file, file, cases, ok: false, line: `FAIL  ${file}  failed to import` };
}

/** The corpus as a suite: a case per artifact, named after its file. */
function corpusSuite(entries: readonly CorpusEntry[], seconds: number): TestedSuite {
  const cases = entries.map((entry) => {
    const name = entry.file;
    if (entry.ok) return { name, ok: true, seconds, output: entry.line };
    const message = entry.line;
    const text = `${message}\nreplay: ${command(['replay', entry.file])}\nartifact: ${entry.file}`;
    return { name, ok: false, seconds, failure: { message, text }, detail: text };
  });
  const ok = cases.every((c) => c.ok);
  return { name: 'corpus', file: '', cases, ok, line: '' };
}

function junitSuite(suite: TestedSuite): JUnitSuite {
  return {
    name: suite.name,
    ...(suite.file !== '' && { file: suite.file }),
    cases: suite.cases.map(({ name, seconds, failure, output }) => ({
      name,
      seconds,
      ...(failure !== undefined && { failure }),
      ...(output !== undefined && { output }),
    })),
  };
}

/** Every failing case in full, or nothing. */
function failureReport(suites: readonly TestedSuite[]): string {
  const lines = suites.flatMap((suite) =>
    suite.cases
      .filter((c) => !c.ok)
      .map((c) => `FAIL ${suite.name} › ${c.name}\n${indent(c.detail ?? c.failure?.text ?? '')}`),
  );
  return lines.length === 0 ? '' : `\nfailures:\n\n${lines.join('\n\n')}\n\n`;
}

function indent(text: string): string {
  return text.replace(/^(?=.)/gm, '  ');
}

/** The closing line: scenarios, cases, and the corpus by status. */
function tally(
  suites: readonly TestedSuite[],
  corpus: readonly CorpusEntry[],
  dir: string | undefined,
): string {
  const cases = suites.flatMap((suite) => suite.cases);
  const failed = cases.filter((c) => !c.ok).length;
  const failing = suites.filter((suite) => !suite.ok).length;
  const statuses = new Map<string, number>();
  for (const entry of corpus) statuses.set(entry.status, (statuses.get(entry.status) ?? 0) + 1);
  const byStatus = [...statuses].map(([status, n]) => `${n} ${status}`).join(', ');
  const corpusFailed = corpus.filter((entry) => !entry.ok).length;
  const corpusPart =
    dir === undefined
      ? 'no corpus'
      : `corpus ${dir}: ${count(corpus.length, 'artifact')}` +
        `${byStatus === '' ? '' : ` (${byStatus})`}, ${corpusFailed} failed`;
  return (
    `test: ${count(suites.length, 'scenario')}, ${suites.length - failing} passed, ` +
    `${failing} failed; ${count(cases.length, 'case')}, ${failed} failed; ${corpusPart}\n`
  );
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}
