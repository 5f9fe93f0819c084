/**
 * The correct twin of receive-callback-race (docs/design.md#scenarios-may-not-lower-a-rule): the
 * same upload server and clients, but its WskReceiveEvent answers an indication that comes while
 * its WskReceive is queued with STATUS_DATA_NOT_ACCEPTED, so the queued receive takes the data.
 * It passes under every strategy: the receive callback race, allocation failures anywhere in the
 * server, inline or pended completions, callbacks at PASSIVE_LEVEL.
 *
 *   npx wsksim fuzz receive-callback-race-fixed --set kernel.server.receiveCallbackRace=1
 */
import { defineScenario } from 'wsksim';
import { buildReceiveCallbackRace, checkReceiveCallbackRace } from './receive-callback-race.ts';

export default defineScenario({
  name: 'receive-callback-race-fixed',
  description:
    "receive-callback-race's correct twin: an indication that comes while the WskReceive is " +
    'queued is declined (STATUS_DATA_NOT_ACCEPTED) and the receive takes the data',
  seeds: [1, 2, 3],
  build: (sim) => buildReceiveCallbackRace(sim, true),
  check: ({ sim }, h) => checkReceiveCallbackRace(sim, h),
  fuzz: { hosts: ['server'] },
  limits: { time: '1m' },
});
