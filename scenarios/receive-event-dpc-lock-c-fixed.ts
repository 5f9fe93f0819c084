/**
 * receive-event-dpc-lock-c's correct twin: scenarios/c/receive-event-dpc-lock-fixed.c (the same
 * source with FIXED), whose WskReceiveEvent takes the log's lock with KeAcquireSpinLock. It passes
 * under every strategy, as receive-event-dpc-lock-fixed does.
 *
 *   npx wsksim build-driver scenarios/c/receive-event-dpc-lock-fixed.c \
 *     -o .wsksim/c/receive-event-dpc-lock-fixed.wasm
 *   npx wsksim run receive-event-dpc-lock-c-fixed --set kernel.server.passiveCallbacks=1
 */
import { defineScenario } from 'wsksim';
import { checkReceiveEventDpcLock } from './receive-event-dpc-lock.ts';
import {
  RECEIVE_EVENT_DPC_LOCK_FIXED_WASM,
  buildReceiveEventDpcLockC,
} from './receive-event-dpc-lock-c.ts';

export default defineScenario({
  name: 'receive-event-dpc-lock-c-fixed',
  description:
    "receive-event-dpc-lock-c's correct twin: WskReceiveEvent takes the log's lock with " +
    'KeAcquireSpinLock, right at any IRQL up to DISPATCH_LEVEL',
  seeds: [1, 2, 3],
  build: (sim) => buildReceiveEventDpcLockC(sim, RECEIVE_EVENT_DPC_LOCK_FIXED_WASM),
  check: ({ sim }, h) => checkReceiveEventDpcLock(sim, h),
  fuzz: { hosts: ['server'] },
  limits: { time: '1m' },
});
