/**
 * One HTML timeline per failure group of `wsksim fuzz --out` (timeline-file.ts): the run of the
 * group's shrunk artifact when there is one (its non-default choices are exactly the ones that
 * make it fail), else of its artifact, written beside it as `<artifact>.html`. A hang's run is
 * not replayed (it would hang here too).
 */
import { existsSync } from 'node:fs';
import type { Interrupt } from './interrupt.ts';
import { command } from './invocation.ts';
import { replayOutcome } from './replay.ts';
import type { ReportedCampaign } from './reported-campaign.ts';
import { summary } from './summary.ts';
import { TimelineRecorder } from '../report/index.ts';
import { writeTimeline } from './timeline-file.ts';
import type { Write } from './write.ts';

export async function writeFindingPages(
  loop: ReportedCampaign,
  out: Write,
  interrupt: Interrupt,
): Promise<void> {
  for (const group of loop.groups) {
    if (group.artifact === null || group.hang || interrupt.stopped) continue;
    const shrunk = group.artifact.replace(/\.json$/, '-shrunk.json');
    const file = existsSync(shrunk) ? shrunk : group.artifact;
    const recorder = new TimelineRecorder();
    const outcome = await replayOutcome(file, undefined, recorder);
    if (outcome.kind !== 'ran') continue;
    const replay = command(['replay', file]);
    const closing = summary(outcome.result, replay, '', `replayed ${file}`);
    const page = group.artifact.replace(/\.json$/, '.html');
    writeTimeline(page, outcome.result, recorder, closing, replay, out);
  }
}
