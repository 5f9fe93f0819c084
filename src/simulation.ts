/**
 * The Simulation: the handle a scenario or a test builds a world on
 * (docs/design.md#scenarios-cli-and-reports). It is the network (hosts, switches, routers, links,
 * fault verbs and packet rules, from src/topology) together with the simulator that drives it
 * (clock, queue, choices, trace, from src/sim):
 *
 *   const sim = new Simulation({ seed: 7 });
 *   const a = sim.addHost({ name: 'a', ipv4: '10.0.0.1' });
 *   sim.addLink('a', 'b', { latency: '5ms', loss: 0.01 });
 *   sim.partition('a', 'b', { at: '2s' });
 *   const outcome = await sim.run({ until: '10s' });
 *
 * A host's TCP stack is made on first use: `sim.tcp('client', { profile: 'linux' })`; so is its
 * WSK kernel: `sim.kernel('server', { wskProviderReadyAt: '1s' })`.
 *
 * Running a driver: topology's Host must not know WSK (layers import downward only,
 * docs/design.md#layers), so a driver is loaded through the simulation
 * (docs/design.md#the-wsk-surface), `sim.load('server', (k) => { ... })`: the driver runs as
 * DriverEntry in a system thread at PASSIVE_LEVEL at the current virtual time (it may `await`
 * kernel waits such as KeWaitForSingleObject, WskCaptureProviderNPI or WskDeregister).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import {
  instantiateDriver,
  runDriverEntry,
  startDriverUnload,
  type LoadDriverOptions,
} from './cdriver/index.ts';
import {
  SimConfigError,
  TapeDivergedError,
  Simulator,
  checkNumber,
  formatDuration,
  ns,
  parseDuration,
  type ChoiceSource,
  type ChoiceStream,
  type DurationInput,
  type RunOptions,
  type RunOutcome,
  type SimEvent,
  type SimulatorOptions,
  type Tape,
  type TraceRecord,
} from './sim/index.ts';
import { TcpStack, type TcpProfileOptions } from './tcp/index.ts';
import { TcpTransport } from './tcp-transport.ts';
import { UdpStack, type UdpOptions } from './udp/index.ts';
import { UdpTransport } from './udp-transport.ts';
import {
  Network,
  parseAddress,
  type LinkDirectionOptions,
  type LinkInfo,
  type LinkOptions,
  type NodeRef,
  type Payload,
} from './topology/index.ts';
import {
  Kernel,
  checkKernelOptionNames,
  checkKernelOverrides,
  checkWskInvariants,
  outstandingOf,
  ruleOf,
  type Advisory,
  type KTHREAD,
  type KernelOptions,
  type KernelOverrides,
  type NameTable,
  type Outstanding,
} from './wsk/index.ts';

/** An advisory with the host whose kernel recorded it. */
export interface HostAdvisory extends Advisory {
  readonly host: string;
}

export interface SimulationOptions extends SimulatorOptions {
  /**
   * Kernel options from outside the scenario, by host or `'*'` for every host (KernelOverrides;
   * `wsksim --set kernel.<host>.<option>=<value>`): merged over the scenario's options when
   * kernel() makes the host's kernel. Checked by name and value here; a host named that never
   * gets a kernel is reported by unusedKernelOverrides().
   */
  readonly kernelOverrides?: KernelOverrides;
  /**
   * Kernel options a campaign's strategy drew (a swarm run's knobs), by host or `'*'`: merged over
   * the scenario's options and under kernelOverrides. Unlike kernelOverrides, a host named here
   * that gets no kernel is no error: the strategy cannot know the scenario's hosts beforehand.
   */
  readonly kernelKnobs?: KernelOverrides;
  /**
   * Link faults from outside the scenario (a strategy's swarm draw within the scenario's declared
   * fuzz space): every link direction's loss, duplication and reordering probability is at least
   * these. What the links then take counts as injected faults. @defaultValue none
   */
  readonly linkFaults?: LinkFaults;
  /**
   * A strategy's draw at the start of the run (a swarm run's fault kinds and rates): called once,
   * before the scenario builds anything, with the run's choice source. Its choices are the run's
   * first, so they head a recorded tape and a replayed tape draws the same again; what it returns
   * is merged over kernelKnobs and linkFaults. A strategy also starts its decider afresh here.
   */
  readonly draw?: (choices: ChoiceSource) => DrawnKnobs;
}

/** What a strategy's draw at the start of a run sets (SimulationOptions.draw). */
export interface DrawnKnobs {
  readonly kernelKnobs?: KernelOverrides;
  readonly linkFaults?: LinkFaults;
}

/** Link fault probabilities raised on every link (SimulationOptions.linkFaults). */
export interface LinkFaults {
  readonly loss?: number;
  readonly duplicate?: number;
  readonly reorder?: number;
}

/** The kernel options whose faults count as injected when they come from outside. */
const ALLOCATION_FAILURES = [
  'irpAllocationFailure',
  'poolAllocationFailure',
  'mdlAllocationFailure',
  'workItemAllocationFailure',
] as const;

/** Something a host's drivers left outstanding at the end of a run (wsk/outstanding.ts). */
export interface HostOutstanding extends Outstanding {
  readonly host: string;
}

/** The verifier's liveness phase by default (docs/design.md#liveness-at-the-end-of-a-run). */
export const DEFAULT_SETTLE = '120s';

export class Simulation extends Network<Payload> {
  /** The simulator underneath: clock, event queue, choice source, trace, threads. */
  readonly core: Simulator;
  readonly #stacks = new Map<string, TcpStack>();
  readonly #udpStacks = new Map<string, UdpStack>();
  readonly #kernels = new Map<string, Kernel>();
  #rulesLocked = false;
  #choices: ChoiceStream | undefined;
  readonly #overrides: KernelOverrides;
  readonly #knobs: KernelOverrides;
  readonly #linkFaults: LinkFaults | null;
  readonly #goals = new Map<string, boolean>();
  /** Names a scenario added (addName), lower-case, with their addresses; made on first use. */
  #names: Map<string, string[]> | null = null;
  /** What every kernel's name resolution asks (Kernel.wsk.attachNames); made on first use. */
  #nameTable: NameTable | null = null;
  readonly #nameTableOf = (): NameTable =>
    (this.#nameTable ??= {
      addresses: (name) => this.#names?.get(name) ?? this.#hostAddresses(name),
      nameOf: (address) => this.#nameOf(address),
    });

  constructor(options: SimulationOptions) {
    const { kernelOverrides = {}, kernelKnobs, linkFaults, draw, ...simulator } = options;
    checkKernelOverrides('kernel', kernelOverrides);
    const core = new Simulator(simulator);
    super(core);
    this.core = core;
    const drawn = draw === undefined ? {} : drawAtStart(core, draw);
    const knobs = { ...kernelKnobs, ...drawn.kernelKnobs };
    checkKernelOverrides('kernelKnobs', knobs);
    const links =
      linkFaults === undefined && drawn.linkFaults === undefined
        ? null
        : { ...linkFaults, ...drawn.linkFaults };
    if (links !== null) checkLinkFaults(links);
    this.#overrides = kernelOverrides;
    this.#knobs = knobs;
    this.#linkFaults = links;
  }

  /** Joins two nodes (Network.addLink), with the simulation's linkFaults raised over `options`. */
  override addLink(a: NodeRef, b: NodeRef, options: LinkOptions = {}): LinkInfo {
    const faults = this.#linkFaults;
    if (faults === null) return super.addLink(a, b, options);
    const info = super.addLink(a, b, raiseLinkFaults(options, faults));
    for (const name of [`${info.a}→${info.b}`, `${info.b}→${info.a}`])
      this.core.choices.stream(`link ${name}`).injecting = true;
    return info;
  }

  /**
   * A goal of the scenario (Antithesis's `sometimes`): records that `name` was reached when
   * `condition` holds. A campaign reports the goals it never reached, so a scenario can say which
   * states its exploration must get to. Costs one map look-up; never changes the run.
   */
  sometimes(name: string, condition: boolean): void {
    if (condition) this.#goals.set(name, true);
    else if (!this.#goals.has(name)) this.#goals.set(name, false);
  }

  /** Every goal named so far, and whether it was reached. */
  goals(): ReadonlyMap<string, boolean> {
    return this.#goals;
  }

  /** True when link faults from outside the scenario were raised (linkFaults or a draw). */
  get raisesLinkFaults(): boolean {
    return this.#linkFaults !== null;
  }

  /** True when faults from outside the scenario were set (kernel allocation failures, links). */
  get injectsFaults(): boolean {
    if (this.#linkFaults !== null) return true;
    return [this.#overrides, this.#knobs].some((overrides) =>
      Object.values(overrides).some((options) =>
        ALLOCATION_FAILURES.some((name) => (options?.[name] ?? 0) > 0),
      ),
    );
  }

  get seed(): number {
    return this.core.seed;
  }

  /** The current virtual time in nanoseconds. */
  get now(): number {
    return this.core.now;
  }

  /** Runs `action` at an absolute virtual time (a duration from the start, such as '2s'). */
  at(time: DurationInput, label: string, action: () => void): SimEvent<undefined> {
    return this.core.scheduleAt(parseDuration('at', time), label, action);
  }

  /** Runs the simulation; see RunOptions (until a time or a predicate, budget, time limit). */
  run(options: RunOptions = {}): Promise<RunOutcome> {
    return this.core.run(options);
  }

  /**
   * The TCP stack of `host`, made on first use with `options` (a profile, windows10 by default,
   * and overrides; a bad value throws SimConfigError naming it). Options given again once the
   * stack exists are rejected, since the stack would silently ignore them.
   */
  tcp(host: string, options?: TcpProfileOptions): TcpStack {
    const existing = this.#stacks.get(host);
    if (existing !== undefined) {
      if (options !== undefined)
        throw new SimConfigError(
          `tcp(${host})`,
          'the stack exists already; give its options on first use',
        );
      return existing;
    }
    const stack = new TcpStack(this.core, this.host(host), options);
    this.#stacks.set(host, stack);
    return stack;
  }

  /**
   * The UDP stack of `host` (src/udp), made on first use with `options` (the closed-port answer,
   * the ephemeral range); as with tcp(), options given once it exists are rejected.
   */
  udp(host: string, options?: UdpOptions): UdpStack {
    const existing = this.#udpStacks.get(host);
    if (existing !== undefined) {
      if (options !== undefined)
        throw new SimConfigError(
          `udp(${host})`,
          'the stack exists already; give its options on first use',
        );
      return existing;
    }
    const stack = new UdpStack(this.core, this.host(host), options);
    this.#udpStacks.set(host, stack);
    return stack;
  }

  /**
   * The WSK kernel of `host`, made on first use with `options` (KernelOptions: injected failures,
   * callback IRQL, WSK provider readiness and version, disabled rules). As with tcp(), options
   * given again once the kernel exists are rejected (SimConfigError naming `kernel(<host>)`), and
   * so are names KernelOptions does not have. The simulation's kernelOverrides are merged over
   * `options` when the kernel is made.
   */
  kernel(host: string, options?: KernelOptions): Kernel {
    const existing = this.#kernels.get(host);
    if (existing !== undefined) {
      if (options !== undefined)
        throw new SimConfigError(
          `kernel(${host})`,
          'the kernel exists already; give its options on first use',
        );
      return existing;
    }
    if (options !== undefined) checkKernelOptionNames(`kernel(${host})`, options);
    if (this.#rulesLocked && (options?.disabledRules?.length ?? 0) > 0) {
      throw new SimConfigError(
        `kernel(${host}).disabledRules`,
        'a scenario may not lower a verifier rule (docs/design.md#the-verifier); fix the driver',
      );
    }
    const node = this.host(host);
    const knobs = this.#knobs;
    const overrides = this.#overrides;
    const layers = [knobs['*'], knobs[host], overrides['*'], overrides[host]];
    const overridden = layers.some((layer) => layer !== undefined);
    const merged = overridden ? Object.assign({}, options, ...layers) : options;
    const kernel = new Kernel(this.core, node.name, merged);
    if (overridden) kernel.choices.injecting = allocationFailuresSet(layers);
    kernel.wsk.attachAddresses(() => node.addresses);
    kernel.wsk.attachNames(this.#nameTableOf);
    let transport: TcpTransport | null = null;
    kernel.wsk.attachTransport(() => (transport ??= new TcpTransport(this.tcp(host))));
    let datagrams: UdpTransport | null = null;
    kernel.wsk.attachDatagramTransport(() => (datagrams ??= new UdpTransport(this.udp(host))));
    this.#kernels.set(host, kernel);
    return kernel;
  }

  /**
   * Adds a name WskGetAddressInfo resolves to `addresses` on every host, beside the host names the
   * simulation knows (docs/model.md#name-resolution); a name added again gets more addresses. A
   * name given here wins over a host of that name. A name or address that is not one is a
   * SimConfigError naming `addName`.
   */
  addName(name: string, ...addresses: string[]): void {
    if (typeof name !== 'string' || !/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(name)) {
      throw new SimConfigError('addName', `expected a host name such as 'svc.local', got ${name}`);
    }
    if (addresses.length === 0) throw new SimConfigError(`addName(${name})`, 'no address given');
    const canonical = addresses.map((address) => parseAddress(`addName(${name})`, address));
    const key = name.toLowerCase();
    const names = (this.#names ??= new Map());
    names.set(key, [...(names.get(key) ?? []), ...canonical]);
  }

  /** The addresses of the host named `name` (any case), or undefined. */
  #hostAddresses(name: string): readonly string[] | undefined {
    return this.hosts().find((host) => host.name.toLowerCase() === name)?.addresses;
  }

  /** The host owning `address`, else the first added name with it. */
  #nameOf(address: string): string | undefined {
    const owner = this.hostByAddress(address);
    if (owner !== undefined) return owner.name;
    for (const [name, list] of this.#names ?? []) if (list.includes(address)) return name;
    return undefined;
  }

  /**
   * Loads a driver on `host`: runs `driver(k)` as DriverEntry in a system thread at
   * PASSIVE_LEVEL, starting at the current virtual time (as an event). Returns the thread
   * object, signalled when DriverEntry returns (its promise settles).
   */
  load(host: string, driver: (k: Kernel) => void | PromiseLike<void>): KTHREAD {
    const k = this.kernel(host);
    return k.threads.startThread(`${host}/DriverEntry`, () => driver(k), 'DriverEntry');
  }

  /**
   * Loads a C driver compiled to WebAssembly (`wsksim build-driver`, README "Testing your C
   * driver") on `host`: its DriverEntry(DriverObject, RegistryPath) runs in a system thread at
   * PASSIVE_LEVEL from the current virtual time, as `load`'s does. `wasm` is the module's path
   * or its bytes; a path that is no file is a SimConfigError naming it and the build command.
   * With `unloadAt`, DriverUnload is called then (src/cdriver/unload.ts).
   */
  loadDriver(host: string, wasm: string | Uint8Array, options: LoadDriverOptions = {}): KTHREAD {
    const where = `loadDriver(${host})`;
    const bytes = typeof wasm === 'string' ? readDriver(where, wasm, options.sources) : wasm;
    const name = options.name ?? (typeof wasm === 'string' ? basename(wasm) : 'driver.wasm');
    const k = this.kernel(host);
    const driver = instantiateDriver(k, bytes, { ...options, name }, where);
    const entry = options.entry ?? 'DriverEntry';
    const thread = `${host}/DriverEntry`;
    const body = (): Promise<void> =>
      runDriverEntry(driver, entry, thread, started).then(() => undefined);
    const started = k.threads.startThread(thread, body, entry);
    if (options.unloadAt !== undefined) {
      const at = parseDuration(`${where}.unloadAt`, options.unloadAt);
      if (at < this.now) {
        throw new SimConfigError(`${where}.unloadAt`, `${formatDuration(at)} is in the past`);
      }
      this.core.scheduleAt(at, `${host} driver unload`, () => {
        startDriverUnload(k, driver, host);
      });
    }
    return started;
  }

  /**
   * The hosts of kernelOverrides that have no kernel (so far), and `'*'` when no host has one:
   * overrides that would do nothing. runScenario rejects them once the scenario is built.
   */
  unusedKernelOverrides(): string[] {
    return Object.keys(this.#overrides).filter((host) =>
      host === '*' ? this.#kernels.size === 0 : !this.#kernels.has(host),
    );
  }

  /** From now on no kernel may switch verifier rules off (runScenario locks them). */
  lockRules(): void {
    this.#rulesLocked = true;
  }

  /**
   * Throws AssertionError when any layer's books disagree (docs/design.md#assertions): the
   * network's, every TCP stack's, every kernel's and its WSK provider's. Tests run it after every
   * event with `core.betweenEvents = () => sim.checkInvariants()` (RunRequest.checkInvariants); it
   * only reads, so the run and its trace hash are the same.
   */
  override checkInvariants(): void {
    super.checkInvariants();
    for (const stack of this.#stacks.values()) stack.checkInvariants();
    for (const kernel of this.#kernels.values()) checkWskInvariants(kernel);
  }

  /** What every host's drivers left outstanding now, host by host in creation order. */
  outstanding(): HostOutstanding[] {
    const all: HostOutstanding[] = [];
    for (const [host, kernel] of this.#kernels) {
      for (const item of outstandingOf(kernel)) all.push({ host, ...item });
    }
    return all;
  }

  /**
   * The verifier's liveness phase (docs/design.md#liveness-at-the-end-of-a-run): every partition,
   * hold and down link is healed, the simulation runs on for `duration`, and then anything a driver
   * left outstanding fails the run: kind 'violation', the first item's rule, every item listed in
   * the failure's details. Returns at once, changing nothing, when no host has a WSK kernel
   * (nothing to check) or the run has failed already.
   */
  async settle(duration: DurationInput = DEFAULT_SETTLE): Promise<RunOutcome | null> {
    const span = parseDuration('settle', duration);
    if (this.#kernels.size === 0 || this.core.failure !== null) return null;
    this.healAll();
    const until = ns(this.core.now + span);
    const outcome = await this.core.run({ until, timeLimit: ns(this.core.now + span + 1) });
    if (outcome.failure !== undefined) return outcome;
    const left = this.outstanding();
    const first = left[0];
    if (first === undefined) return outcome;
    const lines = left.map(
      (o) => `${o.rule} ${o.host}: ${o.detail}${o.site === undefined ? '' : ` (${o.site})`}`,
    );
    const message = `${first.rule}: ${left.length} left outstanding after the settle phase`;
    const rule = ruleOf(first.rule);
    this.core.fail('violation', message, {
      rule: first.rule,
      ...(rule !== undefined && { summary: rule.summary, source: rule.source }),
      host: first.host,
      ...first.place,
      ...(first.site !== undefined && { site: first.site }),
      outstanding: lines,
    });
    for (const o of left) {
      this.kernel(o.host).report(o.rule, o.detail, {
        ...o.place,
        ...(o.site !== undefined && { site: o.site }),
      });
    }
    const failure = this.core.failure;
    return { ...outcome, status: 'failed', ...(failure !== null && { failure }) };
  }

  /**
   * Every kernel's advisories (docs/design.md#status-violation-or-advisory), host by host in
   * creation order.
   */
  advisories(): readonly HostAdvisory[] {
    const all: HostAdvisory[] = [];
    for (const [host, kernel] of this.#kernels) {
      for (const advisory of kernel.advisories) all.push({ host, ...advisory });
    }
    return all;
  }

  /** The IP TTL a packet from `address` carries: its host's TCP profile's, else 64. */
  ttlOf(address: string): number {
    const host = this.hostByAddress(address);
    return (host === undefined ? undefined : this.#stacks.get(host.name)?.profile.ttl) ?? 64;
  }

  /** The trace hash so far: 16 hex digits, equal for equal runs. */
  traceHash(): string {
    return this.core.trace.hash();
  }

  /** Every trace record, when the simulation was made with `keepTrace: true`. */
  records(): readonly TraceRecord[] {
    return this.core.trace.records();
  }

  /** The choices made so far, when made with `record: true` or `replay`. */
  tape(): Tape {
    return this.core.choices.tape();
  }

  /**
   * The choice stream of a scenario's own choice points (a driver's decision delay, which
   * client goes first): labelled draws recorded on the tape and replayed like the model's
   * (docs/design.md#determinism-contract), e.g.
   * `sim.choices.between('decision delay ms', 0, 40_000)`.
   */
  get choices(): ChoiceStream {
    return (this.#choices ??= this.core.choices.stream('scenario'));
  }
}

/** Driver files already read, by path: a campaign's runs read each once. */
const driverFiles = new Map<string, Uint8Array>();

function readDriver(where: string, path: string, sources?: readonly string[]): Uint8Array {
  let bytes = driverFiles.get(path);
  if (bytes === undefined) {
    try {
      bytes = readFileSync(path);
    } catch {
      const files = sources?.join(' ') ?? '<files.c>';
      const build = `npx wsksim build-driver ${files} -o ${path}`;
      throw new SimConfigError(where, `no driver at ${path}: build it with \`${build}\``);
    }
    driverFiles.set(path, bytes);
  }
  return bytes;
}

function allocationFailuresSet(layers: readonly (KernelOverrides[string] | undefined)[]): boolean {
  return layers.some((options) =>
    ALLOCATION_FAILURES.some((name) => options?.[name] !== undefined),
  );
}

function checkLinkFaults(faults: LinkFaults): void {
  if (typeof faults !== 'object' || faults === null)
    throw new SimConfigError('linkFaults', 'expected { loss?, duplicate?, reorder? }');
  for (const [name, value] of Object.entries(faults)) {
    if (name !== 'loss' && name !== 'duplicate' && name !== 'reorder')
      throw new SimConfigError(`linkFaults.${name}`, 'expected loss, duplicate or reorder');
    checkNumber(`linkFaults.${name}`, value, 0, 1);
  }
}

/** `options` with every direction's fault probabilities at least `faults`. */
function raiseLinkFaults(options: LinkOptions, faults: LinkFaults): LinkOptions {
  const raise = <D extends LinkDirectionOptions>(direction: D): D => ({
    ...direction,
    ...(faults.loss !== undefined && { loss: Math.max(direction.loss ?? 0, faults.loss) }),
    ...(faults.duplicate !== undefined && {
      duplicate: Math.max(direction.duplicate ?? 0, faults.duplicate),
    }),
    ...(faults.reorder !== undefined && {
      reorder: Math.max(direction.reorder ?? 0, faults.reorder),
    }),
  });
  return {
    ...raise(options),
    ...(options.forward !== undefined && { forward: raise(options.forward) }),
    ...(options.reverse !== undefined && { reverse: raise(options.reverse) }),
  };
}

/**
 * A strategy's draw at the start of a run; a replayed tape that disagrees with it fails the run
 * (as 'tape-diverged', before its first event) rather than throwing out of the constructor.
 */
function drawAtStart(core: Simulator, draw: (choices: ChoiceSource) => DrawnKnobs): DrawnKnobs {
  try {
    return draw(core.choices);
  } catch (error) {
    if (!(error instanceof TapeDivergedError)) throw error;
    core.fail('tape-diverged', error.message);
    return {};
  }
}
