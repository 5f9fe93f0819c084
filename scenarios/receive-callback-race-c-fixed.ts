/**
 * receive-callback-race-c's correct twin: scenarios/c/receive-callback-race-fixed.c (the same
 * source with FIXED), whose WskReceiveEvent answers an indication that comes while its WskReceive
 * is queued with STATUS_DATA_NOT_ACCEPTED. It passes under every strategy, as
 * receive-callback-race-fixed does.
 *
 *   npx wsksim build-driver scenarios/c/receive-callback-race-fixed.c \
 *     -o .wsksim/c/receive-callback-race-fixed.wasm
 *   npx wsksim run receive-callback-race-c-fixed --set kernel.server.receiveCallbackRace=1
 */
import { defineScenario } from 'wsksim';
import { checkReceiveCallbackRace } from './receive-callback-race.ts';
import {
  RECEIVE_CALLBACK_RACE_FIXED_WASM,
  buildReceiveCallbackRaceC,
} from './receive-callback-race-c.ts';

export default defineScenario({
  name: 'receive-callback-race-c-fixed',
  description:
    "receive-callback-race-c's correct twin: an indication while its WskReceive is queued is " +
    'answered STATUS_DATA_NOT_ACCEPTED, and the queued receive takes the data',
  seeds: [1, 2, 3],
  build: (sim) => buildReceiveCallbackRaceC(sim, RECEIVE_CALLBACK_RACE_FIXED_WASM),
  check: ({ sim }, h) => checkReceiveCallbackRace(sim, h),
  fuzz: { hosts: ['server'] },
  limits: { time: '1m' },
});
