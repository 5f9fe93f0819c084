/**
 * The strategies' tests' driver (test/fixtures/unchecked-allocation.ts) and the sites of its
 * lines marked UNCHECKED and FALLBACK, as Choice.site names them.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineScenario, type Scenario } from '../../../src/explore/scenario.ts';
import type { FuzzSpace } from '../../../src/explore/fuzz-space.ts';
import unchecked from '../../fixtures/unchecked-allocation.ts';

export const FIXTURE = 'test/fixtures/unchecked-allocation.ts';
export const FIXTURE_PATH = fileURLToPath(new URL(`../../../${FIXTURE}`, import.meta.url));

/** `file:line` of the fixture's line that carries `marker`. */
export function siteOf(marker: string): string {
  const lines = readFileSync(FIXTURE_PATH, 'utf8').split('\n');
  return `${FIXTURE}:${lines.findIndex((line) => line.includes(`// ${marker}`)) + 1}`;
}

/** The fixture with a fuzz space of its own. */
export function uncheckedWithin(fuzz: FuzzSpace): Scenario<unknown> {
  return defineScenario({ ...unchecked, fuzz }) as Scenario<unknown>;
}

export { unchecked };
