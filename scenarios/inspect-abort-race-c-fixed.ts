/**
 * inspect-abort-race-c's correct twin: scenarios/c/inspect-abort-race-fixed.c (the same source
 * with FIXED), whose WskAbortEvent only marks the record; the work item frees it. It passes on
 * every seed, as inspect-abort-race-fixed does.
 *
 *   npx wsksim build-driver scenarios/c/inspect-abort-race-fixed.c \
 *     -o .wsksim/c/inspect-abort-race-fixed.wasm
 *   npx wsksim fuzz inspect-abort-race-c-fixed --runs 50
 */
import { defineScenario } from 'wsksim';
import {
  INSPECT_ABORT_RACE_FIXED_WASM,
  buildInspectAbortRaceC,
  checkInspectAbortRaceC,
} from './inspect-abort-race-c.ts';

export default defineScenario({
  name: 'inspect-abort-race-c-fixed',
  description:
    "inspect-abort-race-c's correct twin: WskAbortEvent marks the record and the work item " +
    'frees it',
  seeds: [1, 2, 3, 4, 5, 6, 7, 8],
  build: (sim) => buildInspectAbortRaceC(sim, INSPECT_ABORT_RACE_FIXED_WASM),
  check: ({ sim }, h) => checkInspectAbortRaceC(sim, h),
  limits: { time: '5m' },
});
