/**
 * The correct twin of accept-loop-leak (docs/design.md#scenarios-may-not-lower-a-rule): the same
 * discard server and clients, but when no IRP can be allocated for the next WskAccept, its
 * AcceptComplete still serves the connection it has just accepted; the failure only ends the accept
 * loop. It passes under every strategy: allocation failures anywhere in the server, inline or
 * pended completions, callbacks at PASSIVE_LEVEL.
 *
 *   npx wsksim fuzz accept-loop-leak-fixed --runs 200 --set kernel.server.irpAllocationFailure=0.3
 */
import { defineScenario } from 'wsksim';
import { buildAcceptLoopLeak, checkAcceptLoopLeak } from './accept-loop-leak.ts';

export default defineScenario({
  name: 'accept-loop-leak-fixed',
  description:
    "accept-loop-leak's correct twin: a NULL IRP for the next WskAccept ends the accept loop, " +
    'and the socket just accepted is served all the same',
  seeds: [1, 2, 3],
  build: (sim) => buildAcceptLoopLeak(sim, true),
  check: ({ sim }, h) => checkAcceptLoopLeak(sim, h),
  fuzz: { hosts: ['server'] },
  limits: { time: '1m' },
});
