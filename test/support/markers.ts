/**
 * Where a test file breaks a rule: the line that ends in a marker comment (`// breaks RULE`, or
 * another verb), so a case can expect the report to name that very line without counting lines.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Markers {
  /** The file, relative to the checkout, as reports name it. */
  readonly file: string;
  /** The 1-based line ending in `// <verb> <rule>`; throws unless exactly one does. */
  lineOf(rule: string, verb?: string): number;
  /** `file:line` of that line. */
  siteOf(rule: string, verb?: string): string;
}

/** The markers of the test file at `url` (its `import.meta.url`). */
export function markers(url: string): Markers {
  const path = fileURLToPath(url);
  const file = relative(fileURLToPath(new URL('../..', import.meta.url)), path);
  const source = readFileSync(path, 'utf8').split('\n');
  const lineOf = (rule: string, verb = 'breaks'): number => {
    const marker = `// ${verb} ${rule}`;
    const lines = source.flatMap((text, index) => (text.trimEnd().endsWith(marker) ? [index + 1] : []));
    if (lines.length !== 1)
      throw new Error(`${lines.length} lines of ${file} end in '${marker}'; exactly one must`);
    return lines[0] as number;
  };
  return { file, lineOf, siteOf: (rule, verb) => `${file}:${lineOf(rule, verb)}` };
}
