/**
 * A scenario file that cannot be loaded: a syntax error, an import that does not resolve, a
 * throw at the module's top level, a definition defineScenario refuses. One line naming the file
 * and, where known, the line and column; the CLI prints it and exits 2 (a configuration error,
 * not a failure of the run).
 */
import { relative } from 'node:path';
import type { ScenarioResult } from '../explore/scenario.ts';
import { SimConfigError } from '../sim/index.ts';

export class ScenarioFileError extends Error {
  override readonly name = 'ScenarioFileError';
}

/** The one-line account of why `path` did not load. */
export function scenarioFileError(path: string, error: unknown): ScenarioFileError {
  const shown = relative(process.cwd(), path) || path;
  if (error instanceof SimConfigError) return new ScenarioFileError(`${shown}: ${error.message}`);
  if (!(error instanceof Error)) return new ScenarioFileError(`${shown}: threw ${String(error)}`);
  // The message names the import and the importing file; the stack is the loader's.
  const code = (error as { code?: unknown }).code;
  if (code === 'ERR_MODULE_NOT_FOUND') return new ScenarioFileError(`${shown}: ${error.message}`);
  const located = transformLocation(error) ?? thrownLocation(error, path);
  if (located !== null) return new ScenarioFileError(located);
  return new ScenarioFileError(`${shown}: ${error.name}: ${error.message}`);
}

/**
 * A TypeScript syntax error as the transform (esbuild) reports it, `file:line:column: ERROR:
 * text` with a column from 0; shown with the column from 1, as editors and tsc count.
 */
function transformLocation(error: Error): string | null {
  if (error.name !== 'TransformError') return null;
  const match = /^(.+?):(\d+):(\d+): ERROR: (.*)$/m.exec(error.message);
  if (match === null) return null;
  const [, file, line, column, text] = match as unknown as string[];
  const shown = relative(process.cwd(), file as string) || file;
  return `${shown}:${line}:${Number(column) + 1}: ${text}`;
}

/** A throw at a module's top level (or in a module it imports): where, from its stack. */
function thrownLocation(error: Error, path: string): string | null {
  for (const frame of (error.stack ?? '').split('\n').slice(1)) {
    const match = /(?:\(|at )((?:file:\/\/)?(?:\/|[A-Za-z]:\\)[^():]*):(\d+):(\d+)\)?$/.exec(frame);
    if (match === null) continue;
    const file = (match[1] as string).replace(/^file:\/\//, '');
    if (file.includes('/node_modules/') || file.startsWith('node:')) continue;
    const shown = relative(process.cwd(), file) || path;
    return `${shown}:${match[2]}:${match[3]}: ${error.name}: ${error.message}`;
  }
  return null;
}

/**
 * A run that failed on the scenario's own configuration (a SimConfigError in its build, e.g. a
 * bare number for a duration) is the scenario's mistake, not a finding: one line, exit 2.
 */
export function refuseConfigFailure(reference: string, result: ScenarioResult | undefined): void {
  const failure = result?.failure;
  if (failure?.kind === 'config') throw new ScenarioFileError(`${reference}: ${failure.message}`);
}
