/**
 * The WSK provider's policies, per host, and the one options object a WSK host's kernel takes:
 * the kernel layer's options (nt/options.ts) and these together.
 */
import { checkNtOptions, type NtKernelOptions } from '../nt/index.ts';
import { checkNumber, SimConfigError, type DurationInput } from '../sim/index.ts';

export interface WskPolicies {
  /**
   * Probability that WskAcceptEvent takes a connection although a WskAccept IRP is queued (a
   * race Microsoft's WskAcceptEvent page allows; docs/policies.md). @defaultValue 0
   */
  readonly acceptCallbackRace?: number;
  /**
   * When WskSend completes (docs/policies.md): 'acknowledged', when the peer has acknowledged
   * its last byte, or 'transmitted', when its last byte has left once.
   * @defaultValue 'acknowledged'
   */
  readonly wskSendCompletion?: 'acknowledged' | 'transmitted';
  /**
   * Probability that WskReceiveEvent gets data although a WskReceive IRP is queued (a race the
   * WskReceiveEvent page allows; docs/policies.md). @defaultValue 0
   */
  readonly receiveCallbackRace?: number;
  /**
   * When the host's WSK provider becomes ready (registration.ts): a virtual time from the start,
   * or 'never' (until `k.wsk.makeProviderReady()`). @defaultValue '0s' (ready at once)
   */
  readonly wskProviderReadyAt?: DurationInput | 'never';
  /** The provider's WSK_PROVIDER_DISPATCH.Version. @defaultValue MAKE_WSK_VERSION(1, 0) */
  readonly wskProviderVersion?: number;
}

/** A WSK host's kernel options: the kernel's knobs and the provider's policies. */
export type KernelOptions = NtKernelOptions & WskPolicies;

/** Rejects an option out of range, naming it as `kernel(<host>).<option>`. */
export function checkKernelOptions(host: string, options: KernelOptions): void {
  checkNtOptions(host, options);
  for (const name of ['acceptCallbackRace', 'receiveCallbackRace'] as const) {
    const value = options[name];
    if (value !== undefined) checkNumber(`kernel(${host}).${name}`, value, 0, 1);
  }
  const completion = options.wskSendCompletion;
  if (completion !== undefined && completion !== 'acknowledged' && completion !== 'transmitted') {
    const reason = `must be 'acknowledged' or 'transmitted', not ${String(completion)}`;
    throw new SimConfigError(`kernel(${host}).wskSendCompletion`, reason);
  }
}
