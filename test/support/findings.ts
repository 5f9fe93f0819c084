/** The artifacts (JSON) in a findings directory, sorted; the HTML pages beside them left out. */
import { readdirSync } from 'node:fs';

export function artifactsIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort();
}
