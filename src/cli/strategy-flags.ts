/** `--strategy` and its parameters (`--depth`, `--faults`, `--limit`, `--vary`): run and fuzz. */
import {
  STRATEGY_NAMES,
  type StrategyName,
  type StrategyParams,
} from '../explore/strategy.ts';
import { UsageError, integerFlag, type ParsedArgs } from './args.ts';

/** The flags of a campaign's strategy (`--strategy` and its parameters). */
export const STRATEGY_FLAGS = {
  values: ['strategy', 'depth', 'faults', 'limit'],
  lists: ['vary'],
} as const;

/** `--strategy` and its parameters; a name not among STRATEGY_NAMES is a usage error. */
export function strategyOf(args: ParsedArgs, fallback: StrategyName): {
  name: StrategyName;
  params: StrategyParams;
  flags: string[];
} {
  const text = args.values.get('strategy') ?? fallback;
  if (!(STRATEGY_NAMES as readonly string[]).includes(text))
    throw new UsageError(`--strategy expects one of ${STRATEGY_NAMES.join(', ')}, got '${text}'`);
  const name = text as StrategyName;
  const flags = args.values.has('strategy') ? ['--strategy', name] : [];
  const params: { -readonly [K in keyof StrategyParams]: StrategyParams[K] } = {};
  for (const flag of ['depth', 'faults', 'limit'] as const) {
    if (!args.values.has(flag)) continue;
    const value = integerFlag(args, flag, 0);
    if (value < 1) throw new UsageError(`--${flag} expects at least 1, got ${value}`);
    params[flag] = value;
    flags.push(`--${flag}`, String(value));
  }
  const vary = args.lists.get('vary');
  if (vary !== undefined) {
    params.vary = vary;
    for (const label of vary) flags.push('--vary', label);
  }
  return { name, params, flags };
}

