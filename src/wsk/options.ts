/**
 * The WSK provider's policies, per host, and the one options object a WSK host's kernel takes:
 * the kernel layer's options (nt/options.ts) and these together.
 */
import {
  NT_KERNEL_OPTION_NAMES,
  NT_PROBABILITIES,
  checkNtOptions,
  type NtKernelOptions,
} from '../nt/index.ts';
import {
  checkInteger,
  checkNumber,
  describeValue,
  parseDuration,
  SimConfigError,
  type DurationInput,
} from '../sim/index.ts';

export interface WskPolicies {
  /**
   * Probability that WskAcceptEvent takes a connection although a WskAccept IRP is queued (a
   * race Microsoft's WskAcceptEvent page allows; docs/policies.md). @defaultValue 0
   */
  readonly acceptCallbackRace?: number;
  /**
   * Probability that WskAccept, called with a connection already waiting, pends (STATUS_PENDING,
   * the IRP completed with the socket on a zero-delay event; choice 'WskAccept pends with a
   * connection waiting') instead of completing at once. 0 is the documented behaviour: the
   * WskAccept page gives STATUS_PENDING for an IRP queued while no connection is waiting
   * (docs/policies.md#socket-bind-and-connect-policies). @defaultValue 0
   */
  readonly acceptReadyPends?: number;
  /**
   * When WskSend completes (docs/policies.md): 'acknowledged', when the peer has acknowledged
   * its last byte, or 'transmitted', when its last byte has left once.
   * @defaultValue 'acknowledged'
   */
  readonly wskSendCompletion?: 'acknowledged' | 'transmitted';
  /**
   * What enabling WskReceiveEvent / WskDisconnectEvent does with data, or a peer's FIN, that
   * arrived before (docs/policies.md#data-path-policies; the Microsoft pages are silent):
   * 'buffered' indicates them right after the enable, on a zero-delay event; 'arrivals' indicates
   * nothing until more data arrives (a driver that enabled after connect can then hang).
   * @defaultValue 'buffered'
   */
  readonly wskIndicateOnEnable?: 'buffered' | 'arrivals';
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
  /**
   * The longest a name resolution (WskGetAddressInfo, WskGetNameInfo) takes: the choice 'name
   * resolution latency' draws in [0, this] (name-resolution.ts). @defaultValue '1ms'
   */
  readonly nameResolutionLatency?: DurationInput;
  /**
   * Probability that a name resolution fails (STATUS_IO_TIMEOUT; the choice 'name resolution
   * fails'). @defaultValue 0
   */
  readonly nameResolutionFailure?: number;
}

/** Every WskPolicies name, at run time (options given from outside are checked by name). */
export const WSK_POLICY_NAMES = [
  'acceptCallbackRace',
  'acceptReadyPends',
  'wskSendCompletion',
  'wskIndicateOnEnable',
  'receiveCallbackRace',
  'wskProviderReadyAt',
  'wskProviderVersion',
  'nameResolutionLatency',
  'nameResolutionFailure',
] as const satisfies readonly (keyof WskPolicies)[];

// The list names every policy: a key missing from it fails to compile here.
const WSK_NAMES_COMPLETE: Record<keyof WskPolicies, true> = Object.fromEntries(
  WSK_POLICY_NAMES.map((name) => [name, true]),
) as Record<(typeof WSK_POLICY_NAMES)[number], true>;
void WSK_NAMES_COMPLETE;

/** A WSK host's kernel options: the kernel's knobs and the provider's policies. */
export type KernelOptions = NtKernelOptions & WskPolicies;

/** Every KernelOptions name: the kernel's, then the provider's. */
export const KERNEL_OPTION_NAMES: readonly (keyof KernelOptions)[] = [
  ...NT_KERNEL_OPTION_NAMES,
  ...WSK_POLICY_NAMES,
];

/**
 * Kernel options given from outside a scenario (`wsksim --set kernel.<host>.<option>=<value>`,
 * RunRequest.kernel, SimulationOptions.kernelOverrides), by host; `'*'` is every host. They are
 * merged over the scenario's own options when the host's kernel is made: `'*'` first, then the
 * host's. `disabledRules` is not among them: verifier rules are locked in scenarios.
 */
export type KernelOverrides = Readonly<Record<string, Omit<KernelOptions, 'disabledRules'>>>;

const PROBABILITY_NAMES: readonly string[] = [
  ...NT_PROBABILITIES,
  'acceptCallbackRace',
  'acceptReadyPends',
  'receiveCallbackRace',
  'nameResolutionFailure',
];

/** Rejects option names KernelOptions does not have, naming them (`kernel(<host>)`). */
export function checkKernelOptionNames(where: string, options: object): void {
  const unknown = Object.keys(options).filter(
    (name) => !(KERNEL_OPTION_NAMES as readonly string[]).includes(name),
  );
  if (unknown.length > 0) {
    throw new SimConfigError(
      `${where}.${unknown.join(', ')}`,
      `unknown kernel option (known: ${KERNEL_OPTION_NAMES.join(', ')})`,
    );
  }
}

/**
 * Checks one kernel option given from outside, `where` naming it: a known name other than
 * disabledRules, and a value of its type and range.
 */
export function checkKernelOption(where: string, name: string, value: unknown): void {
  if (!(KERNEL_OPTION_NAMES as readonly string[]).includes(name))
    throw new SimConfigError(where, `unknown kernel option (known: ${outsideNames()})`);
  if (name === 'disabledRules') {
    throw new SimConfigError(
      where,
      'verifier rules may not be switched off from outside; they are locked in scenarios',
    );
  }
  if (PROBABILITY_NAMES.includes(name)) checkNumber(where, value, 0, 1);
  else if (name === 'wskSendCompletion') {
    if (value !== 'acknowledged' && value !== 'transmitted') {
      const reason = `must be 'acknowledged' or 'transmitted', not ${describeValue(value)}`;
      throw new SimConfigError(where, reason);
    }
  } else if (name === 'wskIndicateOnEnable') {
    checkIndicateOnEnable(where, value);
  } else if (name === 'wskProviderReadyAt') {
    if (value !== 'never') parseDuration(where, value);
  } else if (name === 'nameResolutionLatency') {
    parseDuration(where, value);
  } else if (name === 'wskProviderVersion') checkInteger(where, value, 0, 0xffff_ffff);
  else if (name === 'strict' && typeof value !== 'boolean') {
    throw new SimConfigError(where, `expected true or false, got ${describeValue(value)}`);
  }
}

/**
 * One kernel option's value from its text (the CLI's `--set`), parsed by the option's type and
 * checked (checkKernelOption): a number for a probability, 'acknowledged' or 'transmitted',
 * a duration such as '2s' or 'never', an integer, 'true' or 'false'.
 */
export function parseKernelOption(where: string, name: string, text: string): unknown {
  let value: unknown = text;
  const numeric = /^(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(text);
  if (PROBABILITY_NAMES.includes(name) && numeric) value = Number(text);
  else if (name === 'wskProviderVersion' && /^(0x[0-9a-f]+|\d+)$/i.test(text))
    value = Number(text);
  else if (name === 'strict') value = text === 'true' ? true : text === 'false' ? false : text;
  checkKernelOption(where, name, value);
  return value;
}

/** Checks every option of every host in `overrides` (checkKernelOption), `where` naming them. */
export function checkKernelOverrides(where: string, overrides: KernelOverrides): void {
  for (const [host, options] of Object.entries(overrides)) {
    if (typeof options !== 'object' || options === null)
      throw new SimConfigError(`${where}.${host}`, 'expected an object of kernel options');
    for (const [name, value] of Object.entries(options))
      checkKernelOption(`${where}.${host}.${name}`, name, value);
  }
}

function outsideNames(): string {
  return KERNEL_OPTION_NAMES.filter((name) => name !== 'disabledRules').join(', ');
}

/** Rejects an option out of range, naming it as `kernel(<host>).<option>`. */
export function checkKernelOptions(host: string, options: KernelOptions): void {
  checkNtOptions(host, options);
  for (const name of ['acceptCallbackRace', 'acceptReadyPends', 'receiveCallbackRace'] as const) {
    const value = options[name];
    if (value !== undefined) checkNumber(`kernel(${host}).${name}`, value, 0, 1);
  }
  if (options.nameResolutionFailure !== undefined) {
    checkNumber(`kernel(${host}).nameResolutionFailure`, options.nameResolutionFailure, 0, 1);
  }
  if (options.nameResolutionLatency !== undefined) {
    parseDuration(`kernel(${host}).nameResolutionLatency`, options.nameResolutionLatency);
  }
  const completion = options.wskSendCompletion;
  if (completion !== undefined && completion !== 'acknowledged' && completion !== 'transmitted') {
    const reason = `must be 'acknowledged' or 'transmitted', not ${String(completion)}`;
    throw new SimConfigError(`kernel(${host}).wskSendCompletion`, reason);
  }
  if (options.wskIndicateOnEnable !== undefined) {
    checkIndicateOnEnable(`kernel(${host}).wskIndicateOnEnable`, options.wskIndicateOnEnable);
  }
}

function checkIndicateOnEnable(where: string, value: unknown): void {
  if (value !== 'buffered' && value !== 'arrivals') {
    const reason = `must be 'buffered' or 'arrivals', not ${describeValue(value)}`;
    throw new SimConfigError(where, reason);
  }
}
