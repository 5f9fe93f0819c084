/**
 * accept-loop-leak-c's correct twin: scenarios/c/accept-loop-leak-fixed.c (the same source with
 * FIXED), whose AcceptComplete serves the connection it has just accepted whatever the re-post's
 * allocation did. It passes under every strategy, as accept-loop-leak-fixed does.
 *
 *   npx wsksim build-driver scenarios/c/accept-loop-leak-fixed.c \
 *     -o .wsksim/c/accept-loop-leak-fixed.wasm
 *   npx wsksim fuzz accept-loop-leak-c-fixed --runs 200 \
 *     --set kernel.server.irpAllocationFailure=0.3
 */
import { defineScenario } from 'wsksim';
import { checkAcceptLoopLeak } from './accept-loop-leak.ts';
import { ACCEPT_LOOP_LEAK_FIXED_WASM, buildAcceptLoopLeakC } from './accept-loop-leak-c.ts';

export default defineScenario({
  name: 'accept-loop-leak-c-fixed',
  description:
    "accept-loop-leak-c's correct twin: a NULL IRP for the next WskAccept ends the accept loop, " +
    'and the socket just accepted is served all the same',
  seeds: [1, 2, 3],
  build: (sim) => buildAcceptLoopLeakC(sim, ACCEPT_LOOP_LEAK_FIXED_WASM),
  check: ({ sim }, h) => checkAcceptLoopLeak(sim, h),
  fuzz: { hosts: ['server'] },
  limits: { time: '1m' },
});
