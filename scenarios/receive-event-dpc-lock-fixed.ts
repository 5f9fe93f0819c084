/**
 * The correct twin of receive-event-dpc-lock (docs/design.md#scenarios-may-not-lower-a-rule): the
 * same log collector and clients, but its WskReceiveEvent takes the log's lock with
 * KeAcquireSpinLock, right at any IRQL up to DISPATCH_LEVEL. It passes under every strategy:
 * callbacks at PASSIVE_LEVEL, allocation failures anywhere in the server, inline or pended
 * completions, the receive callback race.
 *
 *   npx wsksim fuzz receive-event-dpc-lock-fixed --set kernel.server.passiveCallbacks=0.5
 */
import { defineScenario } from 'wsksim';
import { buildReceiveEventDpcLock, checkReceiveEventDpcLock } from './receive-event-dpc-lock.ts';

export default defineScenario({
  name: 'receive-event-dpc-lock-fixed',
  description:
    "receive-event-dpc-lock's correct twin: WskReceiveEvent takes the log's lock with " +
    'KeAcquireSpinLock, right at PASSIVE_LEVEL too',
  seeds: [1, 2, 3],
  build: (sim) => buildReceiveEventDpcLock(sim, true),
  check: ({ sim }, h) => checkReceiveEventDpcLock(sim, h),
  fuzz: { hosts: ['server'] },
  limits: { time: '1m' },
});
