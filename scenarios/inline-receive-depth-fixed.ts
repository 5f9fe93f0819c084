/**
 * The correct twin of inline-receive-depth (docs/design.md#scenarios-may-not-lower-a-rule): the
 * same telemetry collector and clients, but its receive completion routine processes the record in
 * hand before it decides whether to re-post at once or, past MAX_INLINE_DEPTH nested re-posts,
 * from the work item. It passes under every strategy: all-inline, all-pended or mixed completions,
 * allocation failures anywhere in the server, callbacks at PASSIVE_LEVEL.
 *
 *   npx wsksim fuzz inline-receive-depth-fixed --runs 200 --set kernel.server.pendingCompletions=0
 */
import { defineScenario } from 'wsksim';
import { buildInlineReceiveDepth, checkInlineReceiveDepth } from './inline-receive-depth.ts';

export default defineScenario({
  name: 'inline-receive-depth-fixed',
  description:
    "inline-receive-depth's correct twin: the record in hand is processed before the receive " +
    'loop defers to its work item',
  seeds: [1, 2, 3],
  build: (sim) => buildInlineReceiveDepth(sim, true),
  check: ({ sim }, h) => checkInlineReceiveDepth(sim, h),
  fuzz: { hosts: ['server'] },
  limits: { time: '1m' },
});
