/**
 * What a fault-injecting strategy (swarm, systematic) reads from a fault point: which allocation
 * it is ('irp allocation fails' is an IRP's, src/nt/kernel-core.ts allocationFails), on which
 * host (its stream is `kernel/<host>`), and whether the campaign's fuzz space lets it fail (the
 * kind's knob is not set false, the host is among the space's hosts).
 */
import type { Choice } from '../../sim/index.ts';
import { ALLOCATION_KNOBS, type KernelKnob, type ResolvedFuzzSpace } from '../fuzz-space.ts';

/** The allocations the kernel model can fail, as its fault points name them. */
export const ALLOCATION_KINDS = ['irp', 'pool', 'mdl', 'work item'] as const;
export type AllocationKind = (typeof ALLOCATION_KINDS)[number];

const LABEL_SUFFIX = ' allocation fails';
const KERNEL_STREAM = 'kernel/';

/** The allocation a fault point's label names, or null for any other label. */
export function allocationKindOf(label: string): AllocationKind | null {
  if (!label.endsWith(LABEL_SUFFIX)) return null;
  const kind = label.slice(0, -LABEL_SUFFIX.length);
  return (ALLOCATION_KINDS as readonly string[]).includes(kind) ? (kind as AllocationKind) : null;
}

/** The kernel knob of an allocation kind, e.g. 'irpAllocationFailure'. */
export function knobOf(kind: AllocationKind): KernelKnob {
  return ALLOCATION_KNOBS[kind] as KernelKnob;
}

/** The allocation kinds whose knob the fuzz space varies, in ALLOCATION_KINDS order. */
export function allowedKinds(space: ResolvedFuzzSpace): AllocationKind[] {
  return ALLOCATION_KINDS.filter((kind) => space.kernel.has(knobOf(kind)));
}

/** Whether the fuzz space's hosts include the host of `stream` (a 'kernel/<host>' stream). */
export function hostAllowed(stream: string, space: ResolvedFuzzSpace): boolean {
  if (space.hosts.includes('*')) return true;
  if (!stream.startsWith(KERNEL_STREAM)) return false;
  return space.hosts.includes(stream.slice(KERNEL_STREAM.length));
}

/**
 * The kind of allocation `choice` may fail within `space`: null unless it is an offered fault
 * point of an allocation whose kind and host the space lets vary.
 */
export function failableKind(choice: Choice, space: ResolvedFuzzSpace): AllocationKind | null {
  if (!choice.fault) return null;
  const kind = allocationKindOf(choice.label);
  if (kind === null || !space.kernel.has(knobOf(kind))) return null;
  return hostAllowed(choice.stream, space) ? kind : null;
}
