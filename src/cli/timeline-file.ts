/**
 * `--html FILE` on `wsksim run`, `replay` and `shrink`: the run's HTML timeline
 * (src/report/timeline/, README "Seeing a run: the HTML timeline"). The run is made with its
 * records kept and a decider that notes every choice where it is drawn (TimelineRecorder): around
 * the run's own decider, or around a ReplayingDecider of the tape that would otherwise be
 * replayed, so the run is the same run, to the same trace hash. The path is checked before the
 * run, the page written after it and named on standard output, as report-files.ts does for the
 * other files of a run.
 */
import { writeFileSync } from 'node:fs';
import type { RunRequest, ScenarioResult } from '../explore/scenario.ts';
import { TimelineRecorder, timelineHtml } from '../report/index.ts';
import { ReplayingDecider, type TraceRecord } from '../sim/index.ts';
import type { ParsedArgs } from './args.ts';
import { checkOutputFile } from './output-paths.ts';
import type { Write } from './write.ts';

/** The `--html` path, refused before the run when it cannot be written. */
export function htmlFlag(args: ParsedArgs): string | undefined {
  const file = args.values.get('html');
  if (file !== undefined) checkOutputFile('html', file);
  return file;
}

/**
 * `request` made to draw a timeline: records kept, the tape recorded, every choice noted by
 * `recorder` (a tape to replay is replayed through the recorder's decider). `onRecord` is any
 * other reader of the records (`run --choices`).
 */
export function timelineRequest(
  request: RunRequest,
  recorder: TimelineRecorder,
  onRecord?: (record: TraceRecord) => void,
): RunRequest {
  const { replay, decider, ...rest } = request;
  const inner = replay !== undefined ? new ReplayingDecider(replay) : decider;
  return {
    ...rest,
    keepTrace: true,
    record: true,
    decider: recorder.decider(inner),
    onRecord:
      onRecord === undefined
        ? recorder.onRecord
        : (record) => {
            recorder.onRecord(record);
            onRecord(record);
          },
  };
}

/** Writes the timeline of `result` to `file` and says so. */
export function writeTimeline(
  file: string,
  result: ScenarioResult,
  recorder: TimelineRecorder,
  report: string,
  command: string,
  out: Write,
): void {
  const html = timelineHtml({
    scenario: result.scenario,
    seed: result.seed,
    status: result.status,
    records: result.trace ?? [],
    choices: recorder.choices,
    hosts: result.hosts ?? [],
    ...(result.failure !== undefined && { failure: result.failure }),
    report,
    subtitle: command,
    traceHash: result.traceHash,
  });
  writeFileSync(file, html);
  const kib = (Buffer.byteLength(html) / 1024).toFixed(0);
  const records = result.trace?.length ?? 0;
  out(`wrote ${file}: the run's HTML timeline, ${records} trace records (${kib} KiB)\n`);
}
