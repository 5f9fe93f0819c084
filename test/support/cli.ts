/**
 * Runs the `wsksim` command in this process, as the CLI tests do: its exit code and what it
 * wrote to standard output and standard error.
 */
import { main } from '../../src/cli/main.ts';

export async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, (t) => void (out += t), (t) => void (err += t));
  return { code, out, err };
}
