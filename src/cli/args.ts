/**
 * Command-line arguments: `command [positional...] [--flag value] [--switch]`. A list flag may be
 * given again and its values accumulate; any other flag given twice, an unknown flag, a missing
 * value or a malformed number is a usage error naming the flag; the CLI prints it and exits 2.
 */

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface FlagSpec {
  /** Flags that take a value. */
  readonly values: readonly string[];
  /** Flags that stand alone. */
  readonly switches: readonly string[];
  /** Flags that take a value and may be repeated (`--set a=1 --set b=2`). */
  readonly lists?: readonly string[];
}

export interface ParsedArgs {
  readonly positional: readonly string[];
  readonly values: ReadonlyMap<string, string>;
  readonly switches: ReadonlySet<string>;
  /** Each list flag given, with its values in order. */
  readonly lists: ReadonlyMap<string, readonly string[]>;
}

export function parseArgs(argv: readonly string[], spec: FlagSpec): ParsedArgs {
  const positional: string[] = [];
  const values = new Map<string, string>();
  const switches = new Set<string>();
  const lists = new Map<string, string[]>();
  const listFlags = spec.lists ?? [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const equals = arg.indexOf('=');
    const flag = equals < 0 ? arg.slice(2) : arg.slice(2, equals);
    const inline = equals < 0 ? undefined : arg.slice(equals + 1);
    if (spec.switches.includes(flag)) {
      if (inline !== undefined) throw new UsageError(`--${flag} takes no value`);
      if (switches.has(flag)) throw new UsageError(`--${flag} given more than once`);
      switches.add(flag);
    } else if (spec.values.includes(flag) || listFlags.includes(flag)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith('--'))
        throw new UsageError(`--${flag} needs a value`);
      if (listFlags.includes(flag)) lists.set(flag, [...(lists.get(flag) ?? []), value]);
      else if (values.has(flag)) throw new UsageError(`--${flag} given more than once`);
      else values.set(flag, value);
    } else {
      const flags = [...spec.values, ...listFlags, ...spec.switches];
      const known = flags.map((f) => `--${f}`).join(', ');
      throw new UsageError(`unknown option --${flag}${known === '' ? '' : ` (known: ${known})`}`);
    }
  }
  return { positional, values, switches, lists };
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

/** The one positional argument `what`; none or more than one is a usage error. */
export function onePositional(args: ParsedArgs, what: string): string {
  const [first, ...extra] = args.positional;
  if (first === undefined) throw new UsageError(`missing ${what}`);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  return first;
}
