/**
 * `npm run bench [-- --json] [-- --only name,...]`: the performance metrics of
 * docs/design.md#performance-metrics. Metric names are an interface: later work adds names, never
 * renames them.
 */
import { benchCEcho } from './c-echo.ts';
import { benchCDriver } from './cdriver.ts';
import { benchCdriverPool } from './cdriver-pool.ts';
import { benchCore } from './core.ts';
import { benchExplore, exploreOptions } from './explore.ts';
import { benchFuzz } from './fuzz.ts';
import { benchJobs } from './jobs.ts';
import { formatMetric, type Metric } from './measure.ts';
import { benchShowcase } from './showcase.ts';
import { benchTcp } from './tcp.ts';
import { benchTimeline } from './timeline.ts';
import { benchUdp } from './udp.ts';
import { benchWsk } from './wsk.ts';

type Bench = (argv: readonly string[]) => Promise<Metric[]>;

const BENCHES: Readonly<Record<string, Bench>> = {
  'c-echo': benchCEcho,
  cdriver: async () => [...(await benchCDriver()), ...(await benchCdriverPool())],
  core: benchCore,
  fuzz: benchFuzz,
  jobs: benchJobs,
  showcase: benchShowcase,
  tcp: benchTcp,
  timeline: benchTimeline,
  udp: benchUdp,
  wsk: benchWsk,
  explore: (argv) => benchExplore(exploreOptions(argv)),
};

/**
 * Groups that run only when named with --only: explore takes minutes; cdriver and c-echo need
 * clang, lld and binaryen to build their drivers.
 */
const ON_REQUEST: ReadonlySet<string> = new Set(['explore', 'cdriver', 'c-echo']);

async function main(argv: readonly string[]): Promise<void> {
  const json = argv.includes('--json');
  const onlyIndex = argv.indexOf('--only');
  const only =
    onlyIndex >= 0
      ? (argv[onlyIndex + 1] ?? '').split(',')
      : Object.keys(BENCHES).filter((name) => !ON_REQUEST.has(name));
  for (const name of only) {
    const bench = BENCHES[name];
    if (bench === undefined) {
      process.stderr.write(
        `bench: unknown group '${name}' (known: ${Object.keys(BENCHES).join(', ')})\n`,
      );
      process.exit(2);
    }
    for (const metric of await bench(argv)) {
      process.stdout.write(json ? `${JSON.stringify(metric)}\n` : `${formatMetric(metric)}\n`);
    }
  }
}

await main(process.argv.slice(2));
