/** `random`: run i takes seed S+i and nothing else; the seeded choices do the exploring. */
import { seedPlan, type CampaignContext, type Strategy } from '../strategy.ts';

export function randomStrategy(context: CampaignContext): Strategy {
  return {
    name: 'random',
    seedOnly: true,
    next: (index) => seedPlan(context.seed + index),
    digest: () => null,
    observe: () => undefined,
    report: () => [],
  };
}
