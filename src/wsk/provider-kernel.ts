/**
 * The kernel as the WSK provider's modules see it: the NT kernel's core with the provider's
 * options and with the rule ids of both layers (nt/rules.ts, rules.ts).
 */
import type { KernelCore } from '../nt/index.ts';
import type { KernelOptions } from './options.ts';
import type { AdvisoryId, ViolationId } from './rules.ts';

export type WskKernelCore = KernelCore<KernelOptions, ViolationId, AdvisoryId>;
