/**
 * The kernel layer's options, per host: fault injection at the kernel's allocation routines,
 * how calls complete and at which IRQL callbacks run, and the verifier's switches. A WSK host
 * takes these and the provider's policies in one object (wsk/options.ts).
 */
import { checkNumber } from '../sim/index.ts';

export interface NtKernelOptions {
  /** Probability that IoAllocateIrp fails (returns null). @defaultValue 0 */
  readonly irpAllocationFailure?: number;
  /** Probability that ExAllocatePoolWithTag fails. @defaultValue 0 */
  readonly poolAllocationFailure?: number;
  /** Probability that IoAllocateMdl fails. @defaultValue 0 */
  readonly mdlAllocationFailure?: number;
  /** Probability that IoAllocateWorkItem fails. @defaultValue 0 */
  readonly workItemAllocationFailure?: number;
  /** Probability that a call Windows may complete either way pends. @defaultValue 0.5 */
  readonly pendingCompletions?: number;
  /** Probability that a callback or completion routine runs at PASSIVE_LEVEL. @defaultValue 0 */
  readonly passiveCallbacks?: number;
  /** Verifier rule ids switched off for this kernel (tests of the honoured-but-illegal paths). */
  readonly disabledRules?: readonly string[];
  /** Advisories fail the run (docs/design.md#status-violation-or-advisory). @defaultValue false */
  readonly strict?: boolean;
}

/** Every NtKernelOptions name, at run time (options given from outside are checked by name). */
export const NT_KERNEL_OPTION_NAMES = [
  'irpAllocationFailure',
  'poolAllocationFailure',
  'mdlAllocationFailure',
  'workItemAllocationFailure',
  'pendingCompletions',
  'passiveCallbacks',
  'disabledRules',
  'strict',
] as const satisfies readonly (keyof NtKernelOptions)[];

// The list names every option: a key missing from it fails to compile here.
const NT_NAMES_COMPLETE: Record<keyof NtKernelOptions, true> = Object.fromEntries(
  NT_KERNEL_OPTION_NAMES.map((name) => [name, true]),
) as Record<(typeof NT_KERNEL_OPTION_NAMES)[number], true>;
void NT_NAMES_COMPLETE;

/** The kernel options that are probabilities, checked in [0, 1] at construction. */
export const NT_PROBABILITIES = [
  'irpAllocationFailure',
  'poolAllocationFailure',
  'mdlAllocationFailure',
  'workItemAllocationFailure',
  'pendingCompletions',
  'passiveCallbacks',
] as const;

/** Rejects a kernel option out of range, naming it as `kernel(<host>).<option>`. */
export function checkNtOptions(host: string, options: NtKernelOptions): void {
  for (const name of NT_PROBABILITIES) {
    const value = options[name];
    if (value !== undefined) checkNumber(`kernel(${host}).${name}`, value, 0, 1);
  }
}
