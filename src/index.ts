/**
 * wsksim's public surface. Start here: `Simulation` builds a world, `defineScenario` and
 * `runScenario` package one as a reproducible scenario. Each layer's own surface is its
 * folder's index.ts.
 */
export * from './sim/index.ts';
export * from './topology/index.ts';
export { Simulation, type SimulationOptions } from './simulation.ts';
export {
  defineScenario, runScenario,
  type RunRequest, type Scenario, type ScenarioDefinition, type ScenarioLimits, type ScenarioResult, type ScenarioRun,
} from './explore/scenario.ts';
