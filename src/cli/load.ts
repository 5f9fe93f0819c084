/**
 * Finding and loading scenarios: a name in the package's `scenarios/` folder, or a path to a
 * user's TypeScript or JavaScript module (loaded through tsx, registered by bin/wsksim.js).
 * `src/` never imports `scenarios/` statically (imports point downward only); it loads files.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Scenario } from '../explore/scenario.ts';
import { UsageError } from './args.ts';
import { scenarioFileError } from './scenario-file-error.ts';

export const SCENARIO_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'scenarios');

/** Names of the scenarios shipped in scenarios/ (one file each, index.ts excluded). */
export function listScenarioNames(): string[] {
  return readdirSync(SCENARIO_DIR)
    .filter((file) => file.endsWith('.ts') && file !== 'index.ts')
    .map((file) => file.slice(0, -3))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The path of a scenario given by name or by file path. */
export function scenarioPath(reference: string): string {
  if (/\.(ts|mts|js|mjs)$/.test(reference)) {
    const path = resolve(reference);
    if (!existsSync(path)) throw new UsageError(`scenario file not found: ${reference}`);
    return path;
  }
  const path = join(SCENARIO_DIR, `${reference}.ts`);
  if (!existsSync(path)) {
    throw new UsageError(
      `unknown scenario '${reference}' ` +
        `(known: ${listScenarioNames().join(', ')}; or give a .ts file)`,
    );
  }
  return path;
}

export async function loadScenario(reference: string): Promise<Scenario> {
  const path = scenarioPath(reference);
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (error) {
    throw scenarioFileError(path, error);
  }
  if (!isScenario(module.default)) {
    throw new UsageError(
      `${reference}: the module's default export is not a scenario (use defineScenario)`,
    );
  }
  return module.default;
}

/** Whether a module's default export is a scenario (what defineScenario returns). */
export function isScenario(value: unknown): value is Scenario {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<Scenario>).build === 'function'
  );
}
