/** The strategies by name (strategy.ts): `wsksim fuzz --strategy <name>` and runCampaign. */
import { SimConfigError } from '../../sim/index.ts';
import {
  STRATEGY_NAMES,
  type CampaignContext,
  type Strategy,
  type StrategyName,
} from '../strategy.ts';
import { coverageStrategy } from './coverage.ts';
import { randomStrategy } from './random.ts';

const FACTORIES: Partial<Record<StrategyName, (context: CampaignContext) => Strategy>> = {
  random: randomStrategy,
  coverage: coverageStrategy,
};

/** The strategy `name` for a campaign; an unknown name throws SimConfigError naming it. */
export function makeStrategy(name: StrategyName, context: CampaignContext): Strategy {
  const factory = FACTORIES[name];
  if (factory === undefined) {
    throw new SimConfigError(
      'strategy',
      `expected one of ${STRATEGY_NAMES.join(', ')}, got ${JSON.stringify(name)}`,
    );
  }
  return factory(context);
}
