/**
 * The kernel of one WSK host: the NT kernel's routines (nt/kernel.ts) and the WSK provider's
 * registration and capture routines (registration.ts): WskRegister, WskDeregister,
 * WskCaptureProviderNPI, WskReleaseProviderNPI, WskQueryProviderCharacteristics. This is the
 * object a driver receives, as DriverEntry code sees it: every routine is a bound function
 * property, safe to destructure (`const { IoAllocateIrp, WskRegister } = k;`).
 *
 * It is assembled here, where both layers are known; each layer lists its routines once, in a
 * table the kernel's type and its bound properties are both made from.
 */
import { defineRoutines, NtKernel, type RoutinesOf } from '../nt/index.ts';
import type { Simulator } from '../sim/index.ts';
import { checkKernelOptions, type KernelOptions } from './options.ts';
import { WskManager } from './registration.ts';
import { RULES, type AdvisoryId, type ViolationId } from './rules.ts';

/** The WSK routines a driver calls on the kernel object (the rest are in dispatch tables). */
export const WSK_ROUTINES = [
  'WskRegister',
  'WskDeregister',
  'WskCaptureProviderNPI',
  'WskReleaseProviderNPI',
  'WskQueryProviderCharacteristics',
] as const satisfies readonly (keyof WskManager)[];

export type WskRoutines = RoutinesOf<WskManager, typeof WSK_ROUTINES>;

// The class below gets its WSK routine properties from WSK_ROUTINES, bound on first read
// (defineRoutines, below the class).
export interface Kernel extends WskRoutines {}

export class Kernel extends NtKernel<KernelOptions, ViolationId, AdvisoryId> {
  /** The host's WSK provider: registration, capture, provider readiness (registration.ts). */
  readonly wsk: WskManager;

  constructor(sim: Simulator, host: string, options: KernelOptions = {}) {
    super(sim, host, options, RULES);
    checkKernelOptions(host, options);
    this.wsk = new WskManager(this, this.irps, this.dispatcher);
  }
}

defineRoutines(Kernel.prototype, 'wsk', WSK_ROUTINES);
