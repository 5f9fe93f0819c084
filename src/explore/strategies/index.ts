/** The strategies by name (strategy.ts): `wsksim fuzz --strategy <name>` and runCampaign. */
import { SimConfigError } from '../../sim/index.ts';
import {
  STRATEGY_NAMES,
  type CampaignContext,
  type Strategy,
  type StrategyName,
} from '../strategy.ts';
import { coverageStrategy } from './coverage.ts';
import { exhaustiveStrategy } from './exhaustive.ts';
import { pctStrategy } from './pct.ts';
import { portfolioStrategy, type StrategyFactories } from './portfolio.ts';
import { randomStrategy } from './random.ts';
import { swarmStrategy } from './swarm.ts';
import { systematicStrategy } from './systematic.ts';

const FACTORIES: StrategyFactories = {
  random: randomStrategy,
  pct: pctStrategy,
  exhaustive: exhaustiveStrategy,
  swarm: swarmStrategy,
  systematic: systematicStrategy,
  coverage: coverageStrategy,
  // Its members are the strategies registered here among PORTFOLIO_MEMBERS, looked up when a
  // campaign starts, so a strategy registered above joins the portfolio without more ado.
  portfolio: (context) => portfolioStrategy(FACTORIES)(context),
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
