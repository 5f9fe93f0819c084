/**
 * The correct twin of inspect-abort-race (docs/design.md#scenarios-may-not-lower-a-rule): the same
 * server, clients and decision delays, but its WskAbortEvent only marks the request's record as
 * aborted; the work item that still holds the record frees it, and skips WskInspectComplete for an
 * aborted request (calling it would be allowed too: it completes STATUS_SUCCESS and establishes
 * nothing, docs/model.md#inspect-pend-complete-abort). It passes on every seed.
 *
 *   npx wsksim fuzz inspect-abort-race-fixed --runs 50
 */
import { defineScenario } from 'wsksim';
import { buildInspectAbortRace, checkInspectAbortRace } from './inspect-abort-race.ts';

export default defineScenario({
  name: 'inspect-abort-race-fixed',
  description:
    "inspect-abort-race's correct twin: WskAbortEvent marks the record and the work item frees it",
  seeds: [1, 2, 3, 4, 5, 6, 7, 8],
  build: (sim) => buildInspectAbortRace(sim, true),
  check: ({ sim }, handles) => checkInspectAbortRace(sim, handles),
  limits: { time: '5m' },
});
