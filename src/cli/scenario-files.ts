/**
 * Finding the scenarios `wsksim test` tests: each argument a scenario file, or a folder searched,
 * subfolders too, for .ts, .mts and .js files. A file found in a folder is a scenario when its
 * default export is one (defineScenario); any other module (a support file, an index) is skipped
 * quietly, and tests (`*.test.*`, `*.spec.*`), declarations (`*.d.ts`), `node_modules` and
 * folders whose names start with a dot are not opened at all. A file that fails to import (a
 * syntax error, a defineScenario that rejects its definition) is reported with its error, for
 * `wsksim test` to count as a failure naming the file. A file named as an argument must be a
 * scenario. Paths are kept as given (relative to the working directory when the argument is), so
 * the replay commands printed with them run as printed.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Scenario } from '../explore/scenario.ts';
import { UsageError } from './args.ts';
import { isScenario } from './load.ts';

/** A file found: its scenario, or the error importing it. */
export type FoundScenario =
  | { readonly file: string; readonly scenario: Scenario<unknown> }
  | { readonly file: string; readonly error: string };

const SOURCE = /\.(ts|mts|js|mjs)$/;
const NOT_SCENARIOS = /\.(test|spec)\.[a-z]+$|\.d\.ts$/;

/**
 * The scenarios in `paths` (files and folders), in path order within each argument; a path that
 * does not exist, or a named file that is not a scenario, is a usage error.
 */
export async function findScenarios(paths: readonly string[]): Promise<FoundScenario[]> {
  const found: FoundScenario[] = [];
  for (const path of paths) {
    if (!existsSync(path)) throw new UsageError(`no such file or folder: ${path}`);
    if (statSync(path).isDirectory()) {
      for (const file of sourceFiles(path)) {
        const loaded = await importScenario(file);
        if (loaded !== null) found.push(loaded);
      }
      continue;
    }
    const loaded = await importScenario(path);
    if (loaded === null) {
      throw new UsageError(
        `${path}: the module's default export is not a scenario (use defineScenario)`,
      );
    }
    found.push(loaded);
  }
  return found;
}

/** The source files under `dir`, sorted, subfolders after the files beside them. */
function sourceFiles(dir: string): string[] {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  const files = entries
    .filter((e) => e.isFile() && SOURCE.test(e.name) && !NOT_SCENARIOS.test(e.name))
    .map((e) => join(dir, e.name));
  const folders = entries.filter(
    (e) => e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.'),
  );
  return [...files, ...folders.flatMap((e) => sourceFiles(join(dir, e.name)))];
}

/** The scenario `file` exports, its import error, or null when it exports none. */
async function importScenario(file: string): Promise<FoundScenario | null> {
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(resolve(file)).href)) as { default?: unknown };
  } catch (error) {
    return { file, error: error instanceof Error ? error.message : String(error) };
  }
  return isScenario(module.default) ? { file, scenario: module.default } : null;
}
