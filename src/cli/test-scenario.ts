/**
 * One scenario under `wsksim test` (test-command.ts): a case per declared seed, a case per
 * declared failing run (`failingRuns`), a case for the fuzz campaign and, for a bug scenario, a
 * case for its `expect`.
 * - A seed passes when its run passes, or when it fails the way the scenario's `expect` says
 *   (failsAsExpected: a bug scenario's failure depends on the timing a seed draws).
 * - A declared failing run passes when it fails as `expect` says, as the scenario suite checks.
 * - The campaign (runCampaign, the default strategy) passes on its verdict (CampaignResult.ok)
 *   for a scenario without `expect`. For a bug scenario it passes when every failure it found is
 *   the expected one: whether the bug shows at all is judged over the whole suite, since a small
 *   budget often misses a rare bug that a declared failing run shows every time.
 * - `expect <X>`: some seed, declared failing run or campaign run failed that way.
 * Every failing run that fails a case is kept as an artifact (findings.ts) in the `--out` folder
 * (a seed's run as a `random` run: the seed alone), and its case carries the message, the command
 * that makes it again, as printed, and the artifact's path.
 */
import {
  planRequest,
  runCampaign,
  seedOnlyRun,
  type CampaignFailure,
  type CampaignResult,
  type FailureGroup,
} from '../explore/campaign.ts';
import {
  failsAsExpected,
  runScenario,
  type RunRequest,
  type Scenario,
  type ScenarioResult,
} from '../explore/scenario.ts';
import { failureSignature } from '../explore/signature.ts';
import type { StrategyName } from '../explore/strategy.ts';
import type { ArtifactScenario } from '../explore/artifact.ts';
import { writeFinding, writeFindings } from './findings.ts';
import type { JUnitCase } from './junit.ts';
import { command } from './invocation.ts';
import { scenarioIdentity } from './provenance.ts';
import { Stopwatch } from './stopwatch.ts';
import { summary } from './summary.ts';

/** Fuzz runs a scenario gets when neither the command nor the scenario says. */
export const DEFAULT_FUZZ_RUNS = 50;

/** The campaign every scenario gets: its runs, a wall-clock budget in ns (between runs). */
export interface FuzzBudget {
  /** `--fuzz-runs`; undefined: the scenario's own (`test.fuzzRuns`), else DEFAULT_FUZZ_RUNS. */
  readonly runs?: number;
  /** `--fuzz-time`, in nanoseconds. */
  readonly time?: number;
  /** `--no-fuzz`. */
  readonly none?: boolean;
}

export interface TestedCase extends JUnitCase {
  readonly ok: boolean;
  /** For a failing case: the failure in full (message, replay, artifact, the run's account). */
  readonly detail?: string;
}

export interface TestedSuite {
  readonly name: string;
  readonly file: string;
  readonly cases: readonly TestedCase[];
  readonly ok: boolean;
  /** One line: the verdict, the name, seeds, fuzz runs, the file. */
  readonly line: string;
}

/** Where failing runs' artifacts go, and the campaign budget. */
export interface TestSettings {
  readonly budget: FuzzBudget;
  readonly out: string;
}


/** Tests `scenario`, loaded from `file` (see the module header). */
export async function testScenario(
  file: string,
  scenario: Scenario<unknown>,
  settings: TestSettings,
): Promise<TestedSuite> {
  const suite = new SuiteRun(file, scenario, settings);
  const seeds: TestedCase[] = [];
  for (const seed of scenario.seeds) seeds.push(await suite.seed(seed));
  const runs: TestedCase[] = [];
  for (const run of scenario.failingRuns ?? []) runs.push(await suite.failingRun(run));
  const fuzz = await suite.fuzz();
  const expect = suite.expectCase();
  const cases = [...seeds, ...runs, ...(fuzz === null ? [] : [fuzz.case]), ...(expect ?? [])];
  const ok = cases.every((c) => c.ok);
  const parts = [
    `${ok ? 'PASS' : 'FAIL'}  ${scenario.name}`,
    `seeds ${seeds.filter((c) => c.ok).length}/${seeds.length} ok${suite.asExpected(seeds)}`,
    ...(runs.length === 0
      ? []
      : [`failing runs ${runs.filter((c) => c.ok).length}/${runs.length} ok`]),
    fuzz === null ? 'no fuzzing' : `fuzz ${fuzz.line}`,
    ...(scenario.expect === undefined ? [] : [`expect ${scenario.expect} ${expectWord(expect)}`]),
    file,
  ];
  return { name: scenario.name, file, cases, ok, line: parts.join('  ') };
}

function expectWord(expect: readonly TestedCase[] | null): string {
  return expect?.[0]?.ok === true ? 'found' : 'NOT FOUND';
}

/** A suite's cases as they run, and what they found of the scenario's `expect`. */
class SuiteRun {
  readonly #file: string;
  readonly #scenario: Scenario<unknown>;
  readonly #settings: TestSettings;
  readonly #identity: ArtifactScenario;
  #expectedFound = false;
  readonly #expectedCases = new Set<TestedCase>();

  constructor(file: string, scenario: Scenario<unknown>, settings: TestSettings) {
    this.#file = file;
    this.#scenario = scenario;
    this.#settings = settings;
    this.#identity = scenarioIdentity(scenario.name, file);
  }

  /** ` (N failed as expected)` for those of `cases` that did, or nothing. */
  asExpected(cases: readonly TestedCase[]): string {
    const n = cases.filter((c) => this.#expectedCases.has(c)).length;
    return n === 0 ? '' : ` (${n} failed as expected)`;
  }

  async seed(seed: number): Promise<TestedCase> {
    const start = new Stopwatch();
    const request = { seed };
    const result = await runScenario(this.#scenario, request);
    const replay = command(['run', this.#file, '--seed', `${seed}`]);
    const name = `seed ${seed}`;
    if (result.failure === undefined) return { name, ok: true, seconds: start.seconds() };
    if (failsAsExpected(this.#scenario, result)) return this.#expected(name, result, start);
    const artifact = await this.#keep(request, result, 'random');
    return failing(name, start, `seed ${seed}: ${oneLine(result)}`, result, replay, artifact);
  }

  async failingRun(run: { strategy: string; seed: number }): Promise<TestedCase> {
    const start = new Stopwatch();
    const name = `run ${run.strategy} seed ${run.seed}`;
    const words = ['run', this.#file, '--strategy', run.strategy, '--seed', `${run.seed}`];
    const replay = command(words);
    const strategy = run.strategy as StrategyName;
    let request: RunRequest;
    try {
      request = planRequest({}, seedOnlyRun(this.#scenario, strategy, run.seed));
    } catch (error) {
      const message = `${name}: ${error instanceof Error ? error.message : String(error)}`;
      return { name, ok: false, seconds: start.seconds(), failure: { message, text: message } };
    }
    const result = await runScenario(this.#scenario, request);
    if (failsAsExpected(this.#scenario, result)) return this.#expected(name, result, start);
    const message =
      result.failure === undefined
        ? `${name} passed; it is declared to fail as ${this.#scenario.expect ?? '(no expect)'}`
        : `${name}: ${oneLine(result)}`;
    const artifact =
      result.failure === undefined ? undefined : await this.#keep(request, result, strategy);
    return failing(name, start, message, result, replay, artifact);
  }

  /** The campaign's case and its part of the scenario's line, or null when there is none. */
  async fuzz(): Promise<{ case: TestedCase; line: string } | null> {
    const { budget } = this.#settings;
    const own = this.#scenario.test?.fuzzRuns;
    const runs =
      budget.runs ?? (budget.time !== undefined ? MANY_RUNS : (own ?? DEFAULT_FUZZ_RUNS));
    if (budget.none === true || runs === 0) return null;
    const start = new Stopwatch();
    const time = budget.time;
    const campaign = await runCampaign(this.#scenario, {
      runs,
      // Wall clock by design, as `wsksim fuzz --time`: between runs, never inside one.
      ...(time !== undefined && { shouldStop: () => start.spent(time) }),
    });
    const expected = campaign.failures.filter((f) => f.expected).length;
    if (expected > 0) this.#expectedFound = true;
    const name = `fuzz (${campaign.strategy}, ${campaign.runs} runs)`;
    const line =
      `${campaign.strategy} ${campaign.runs} runs` +
      (expected > 0 ? ` (${expected} failed as expected)` : '');
    const unexpected = campaign.groups.filter((group) => !group.first.expected);
    const ok = campaign.ok || (this.#scenario.expect !== undefined && unexpected.length === 0);
    if (ok) return { case: { name, ok, seconds: start.seconds() }, line };
    const failures = campaign.failures.filter((f) => !f.expected).length;
    const artifacts = writeFindings(
      { ...campaign, groups: unexpected },
      this.#identity,
      {},
      this.#settings.out,
    );
    return { case: fuzzFailure(name, start, campaign, unexpected, artifacts, failures), line };
  }

  /** For a bug scenario, the case of its `expect`: some run failed that way; else null. */
  expectCase(): TestedCase[] | null {
    const expect = this.#scenario.expect;
    if (expect === undefined) return null;
    const name = `expect ${expect}`;
    if (this.#expectedFound) return [{ name, ok: true, seconds: 0 }];
    const message =
      `never failed as expected (${expect}) on its seeds, its declared failing runs ` +
      'or in the fuzz campaign';
    const look = command(['fuzz', this.#file, '--runs', '1000']);
    const text = `${message}\nlook further: ${look}`;
    return [{ name, ok: false, seconds: 0, failure: { message, text }, detail: text }];
  }

  #expected(name: string, result: ScenarioResult, start: Stopwatch): TestedCase {
    this.#expectedFound = true;
    const output = `failed as expected: ${oneLine(result)}`;
    const c = { name, ok: true, seconds: start.seconds(), output };
    this.#expectedCases.add(c);
    return c;
  }

  /** Writes the artifact of a failing run that fails its case; returns its path. */
  async #keep(
    request: RunRequest,
    result: ScenarioResult,
    strategy: StrategyName,
  ): Promise<string> {
    const taped =
      result.tape !== undefined
        ? result
        : await runScenario(this.#scenario, { ...request, record: true });
    const failure = result.failure;
    const signature = failure === undefined ? '' : failureSignature(failure);
    const first: CampaignFailure = {
      run: 0,
      seed: result.seed,
      what: failure?.details?.rule ?? failure?.kind ?? '',
      message: failure?.message ?? '',
      expected: false,
      note: '',
      signature,
    };
    const group: FailureGroup = { signature, count: 1, first, result: taped, request };
    const source = { scenario: this.#identity, strategy, params: {} };
    return writeFinding(group, source, this.#settings.out);
  }
}

/** The runs `--fuzz-time` alone allows: the time ends the campaign. */
const MANY_RUNS = 1_000_000;

function fuzzFailure(
  name: string,
  start: Stopwatch,
  campaign: CampaignResult,
  groups: readonly FailureGroup[],
  artifacts: readonly string[],
  failures: number,
): TestedCase {
  const [group] = groups as [FailureGroup];
  const [artifact] = artifacts as [string];
  const message =
    `${failures} of ${campaign.runs} runs failed, ${groups.length} ` +
    `failure${groups.length === 1 ? '' : 's'}: ${group.signature}` +
    (groups.length > 1 ? ' and more' : '');
  const lines = groups.map(
    (g, i) =>
      `${g.count} run${g.count === 1 ? '' : 's'}  first seed ${g.first.seed}  ` +
      `${g.signature}  ${artifacts[i] ?? ''}`,
  );
  const replay = command(['replay', artifact]);
  return failing(name, start, message, group.result, replay, artifact, lines);
}

/** A failing case: its message, the replay command, the artifact and the run's account. */
function failing(
  name: string,
  start: Stopwatch,
  message: string,
  result: ScenarioResult,
  replay: string,
  artifact: string | undefined,
  more: readonly string[] = [],
): TestedCase {
  const text = [
    message,
    ...more,
    `replay: ${replay}`,
    ...(artifact === undefined ? [] : [`artifact: ${artifact}`]),
  ].join('\n');
  const account = summary(result, replay).trimEnd();
  const detail = `${text}\n${account.replace(/^/gm, '    ')}`;
  return { name, ok: false, seconds: start.seconds(), failure: { message, text }, detail };
}

/** A run's failure in one line: its kind and message (a violation's names its rule). */
function oneLine(result: ScenarioResult): string {
  const failure = result.failure;
  return failure === undefined ? 'passed' : `${failure.kind}: ${failure.message}`;
}
