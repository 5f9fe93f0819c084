/**
 * Runs the `wsksim` command in this process, as the CLI tests do: its exit code and what it
 * wrote to standard output and standard error. A `fuzz` without `--out` writes its artifacts in a
 * temporary directory of this test process, never in the checkout's `.wsksim/findings`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';

let findings: string | undefined;

/** `argv` with `--out <temporary dir>` when it is a fuzz that names no directory. */
function withFindingsDir(argv: string[]): string[] {
  if (argv[0] !== 'fuzz' || argv.some((arg) => arg === '--out' || arg.startsWith('--out=')))
    return argv;
  findings ??= mkdtempSync(join(tmpdir(), 'wsksim-test-findings-'));
  return [...argv, '--out', findings];
}

export async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(withFindingsDir(argv), (t) => void (out += t), (t) => void (err += t));
  return { code, out, err };
}
