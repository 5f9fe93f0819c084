/**
 * Command-line arguments: `command [positional...] [--flag value] [--switch]`. Unknown flags, a
 * missing value or a malformed number are usage errors naming the flag; the CLI prints them and
 * exits 2.
 */

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface FlagSpec {
  /** Flags that take a value. */
  readonly values: readonly string[];
  /** Flags that stand alone. */
  readonly switches: readonly string[];
}

export interface ParsedArgs {
  readonly positional: readonly string[];
  readonly values: ReadonlyMap<string, string>;
  readonly switches: ReadonlySet<string>;
}

export function parseArgs(argv: readonly string[], spec: FlagSpec): ParsedArgs {
  const positional: string[] = [];
  const values = new Map<string, string>();
  const switches = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [flag, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    if (spec.switches.includes(flag)) {
      if (inline !== undefined) throw new UsageError(`--${flag} takes no value`);
      switches.add(flag);
    } else if (spec.values.includes(flag)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith('--'))
        throw new UsageError(`--${flag} needs a value`);
      values.set(flag, value);
    } else {
      const known = [...spec.values, ...spec.switches].map((f) => `--${f}`).join(', ');
      throw new UsageError(`unknown option --${flag}${known === '' ? '' : ` (known: ${known})`}`);
    }
  }
  return { positional, values, switches };
}

/** A non-negative safe integer flag value, or the fallback when absent. */
export function integerFlag(args: ParsedArgs, flag: string, fallback: number): number {
  const text = args.values.get(flag);
  if (text === undefined) return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value))
    throw new UsageError(`--${flag} expects a non-negative integer, got '${text}'`);
  return value;
}
