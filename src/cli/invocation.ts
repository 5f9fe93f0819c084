/**
 * How a printed command starts: `npx wsksim`, which runs the wsksim installed in the project (or
 * the checkout's own bin, in the checkout), so a replay command runs as printed.
 */
import { shellWords } from './knobs.ts';

export const WSKSIM = 'npx wsksim';

/** `npx wsksim` and `words`, as the platform's shell takes them. */
export function command(words: readonly string[]): string {
  return `${WSKSIM}${shellWords(words)}`;
}
