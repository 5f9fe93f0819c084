/**
 * The flags that change a run besides its seed and strategy (`--set`, `--same-instant`), shared
 * by run, fuzz and check, and the shell spelling of flags for the replay commands printed.
 */
import { parseKernelOption, type KernelOptions } from '../wsk/index.ts';
import { UsageError, type ParsedArgs } from './args.ts';
import type { RunKnobs } from './check.ts';

/** The flags that change a run besides its seed: `--set` (a list) and `--same-instant`. */
export const KNOB_FLAGS = { lists: ['set'], switches: ['same-instant'] } as const;

/**
 * The run request of `--set kernel.<host>.<option>=<value>` and `--same-instant`, and the flags
 * again (for a replay command and the determinism check's child). A malformed --set is a usage
 * error; a wrong option name or value a configuration error naming it (both exit 2).
 */
export function runKnobs(args: ParsedArgs): RunKnobs {
  const kernel: Record<string, Record<string, unknown>> = {};
  const flags: string[] = [];
  for (const text of args.lists.get('set') ?? []) {
    const match = /^kernel\.([^=]+)\.([^.=]+)=(.*)$/s.exec(text);
    if (match === null)
      throw new UsageError(`--set ${text}: expected kernel.<host>.<option>=<value>`);
    const [, host, option, value] = match as unknown as [string, string, string, string];
    const where = `--set kernel.${host}.${option}`;
    (kernel[host] ??= {})[option] = parseKernelOption(where, option, value);
    flags.push('--set', text);
  }
  const sameInstant = args.switches.has('same-instant');
  if (sameInstant) flags.push('--same-instant');
  return {
    request: {
      ...(flags.includes('--set') && {
        kernel: kernel as Readonly<Record<string, Omit<KernelOptions, 'disabledRules'>>>,
      }),
      ...(sameInstant && { sameInstantChoice: true }),
    },
    flags,
  };
}

/**
 * `flags` as they would be typed in the platform's shell: a POSIX shell's single quotes, or on
 * Windows (cmd and PowerShell alike) double quotes, so a printed command runs as printed.
 */
export function shellWords(
  flags: readonly string[],
  platform: NodeJS.Platform = process.platform,
): string {
  const [plain, quote] = platform === 'win32' ? WINDOWS : POSIX;
  return flags.map((word) => ` ${plain.test(word) ? word : quote(word)}`).join('');
}

/** Words a shell takes as they are, and how it quotes the others. */
type Quoting = readonly [RegExp, (word: string) => string];
const POSIX: Quoting = [/^[\w.,:/=@+-]+$/, posixQuote];
const WINDOWS: Quoting = [/^[\w.,:/\\=@+-]+$/, windowsQuote];

function posixQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

function windowsQuote(word: string): string {
  return `"${word.replace(/"/g, '\\"')}"`;
}
