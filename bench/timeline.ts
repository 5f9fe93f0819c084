/**
 * html_generation_vs_run: the HTML timeline's generation time for a run of about 10,000 events
 * (a bulk TCP transfer under loss), divided by the run's own time with its records kept and its
 * choices noted (what `--html` runs). Both sides are timed in alternating rounds in this process
 * (measure.ts), the best of each kept. html_page_bytes_per_event: that page's size over the run's
 * events (what the browser reads and parses before it shows anything).
 */
import { defineScenario, type TcpConnection } from '../src/index.ts';
import { runScenario, type ScenarioResult } from '../src/explore/scenario.ts';
import { TimelineRecorder, timelineHtml } from '../src/report/index.ts';
import { timelineRequest } from '../src/cli/timeline-file.ts';
import { timeOnce, type Metric } from './measure.ts';

const SIZE = 7 * 1024 * 1024;
const ROUNDS = 5;

export const bulk = defineScenario({
  name: 'bench-timeline-bulk',
  description: 'about 10,000 events: 7 MB over a lossy link',
  build(sim) {
    sim.addHost({ name: 'client', ipv4: '10.0.0.1' });
    sim.addHost({ name: 'server', ipv4: '10.0.0.2' });
    sim.addLink('client', 'server', { latency: '10ms', loss: 0.02 });
    let received = 0;
    sim.tcp('server').listen(
      { local: { port: 9000 } },
      {
        onReady(listener) {
          listener.accept({
            onData(connection: TcpConnection) {
              for (let chunk = connection.read(); chunk.length > 0; chunk = connection.read())
                received += chunk.length;
            },
          });
        },
      },
    );
    sim.tcp('client', { dataRetransmissions: 15 }).connect(
      { remote: { address: '10.0.0.2', port: 9000 } },
      { onEstablished: (connection) => void connection.send(new Uint8Array(SIZE)) },
    );
    return { received: () => received };
  },
  until: ({ received }) => received() === SIZE,
  limits: { time: '10m' },
});

export async function benchTimeline(): Promise<Metric[]> {
  let bestRun = Infinity;
  let bestHtml = Infinity;
  let events = 0;
  let bytes = 0;
  let page = '';
  for (let round = 0; round < ROUNDS; round++) {
    let result: ScenarioResult | undefined;
    const recorder = new TimelineRecorder();
    bestRun = Math.min(
      bestRun,
      await timeOnce(async () => {
        result = await runScenario(bulk, timelineRequest({ seed: 1 }, recorder));
      }),
    );
    const ran = result as ScenarioResult;
    events = ran.events;
    bestHtml = Math.min(
      bestHtml,
      await timeOnce(() => {
        page = timelineHtml({
          scenario: ran.scenario,
          seed: ran.seed,
          status: ran.status,
          records: ran.trace ?? [],
          choices: recorder.choices,
          hosts: ran.hosts ?? [],
        });
      }),
    );
    bytes = Buffer.byteLength(page);
  }
  return [
    {
      name: 'html_generation_vs_run',
      value: bestHtml / bestRun,
      unit: `× the run (${events} events, ${(bytes / 1e6).toFixed(1)} MB page)`,
      measured: { value: bestHtml * 1000, unit: 'ms generating' },
      baseline: { value: bestRun * 1000, unit: 'ms running' },
    },
    {
      name: 'html_page_bytes_per_event',
      value: bytes / events,
      unit: `bytes per event (${events} events, ${(bytes / 1e6).toFixed(2)} MB)`,
    },
  ];
}
