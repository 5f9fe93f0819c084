/**
 * WSK registration, provider capture and the client-level provider dispatch
 * (docs/model.md#registration-and-capture, #version-negotiation, #provider-dispatch-tables,
 * #wskcontrolclient, #static-event-callbacks; docs/design.md#the-wsk-surface,
 * #status-violation-or-advisory).
 *
 * Routines, attached to the Kernel as bound functions (kernel.ts):
 * - WskRegister(WskClientNpi, WskRegistration): NTSTATUS. PASSIVE_LEVEL.
 * - WskCaptureProviderNPI(WskRegistration, WaitTimeout, WskProviderNpi). WSK_NO_WAIT returns the
 *   NTSTATUS itself (≤ DISPATCH_LEVEL, usable from a callback); any other timeout returns a
 *   promise of it (PASSIVE_LEVEL, in a system thread), so `await WskCaptureProviderNPI(...)`
 *   ports either way.
 * - WskReleaseProviderNPI(WskRegistration): void. ≤ DISPATCH_LEVEL.
 * - WskQueryProviderCharacteristics(WskRegistration, WskProviderCharacteristics): NTSTATUS.
 * - WskDeregister(WskRegistration): a promise that settles when every capture is released
 *   and every IRP passed to a provider-dispatch call has completed
 *   (docs/model.md#registration-and-capture, conditions (a) and (d); the one such IRP so far is
 *   WSK_TRANSPORT_LIST_CHANGE's). PASSIVE_LEVEL; blocking needs a system thread. Condition (b)
 *   calls in flight holds trivially (every call here returns before anything else runs); (c) open
 *   sockets: the client's sockets (socket.ts) must all be closed.
 *
 * A registration's phase (registered → deregistering → deregistered) changes only through
 * setRegistrationPhase, asserted against lifecycle.ts's table, which keeps the time of the change.
 *
 * A capture with WSK_INFINITE_WAIT and a WskDeregister that block are kept in the dispatcher's
 * waits (nt/dispatcher.ts blockedIn) while they block: one still blocked at the end of a run is
 * WAIT-NEVER-SATISFIED, naming the routine, since when, the line of the wait and, for
 * WskDeregister, what never drained (captures, sockets, IRPs).
 *
 * Statuses, each from docs/model.md#registration-and-capture unless marked:
 * - capture while the provider is not ready: NO_WAIT → STATUS_DEVICE_NOT_READY at once; a timeout
 *   → STATUS_DEVICE_NOT_READY when it expires (the documented code for "provider not yet
 *   available"); INFINITE waits for readiness.
 * - capture after WskDeregister began → STATUS_DEVICE_NOT_READY; captures blocked in other
 *   threads are released with STATUS_DEVICE_NOT_READY at once.
 * - major version unsupported → STATUS_NOINTERFACE (docs/model.md#version-negotiation), decided
 *   when the provider is ready.
 *
 * Misuse (docs/design.md#status-violation-or-advisory: the documentation requires or forbids it →
 * violation, the run fails):
 * - IRQL-TOO-HIGH (nt/kernel-core.ts) for WskRegister / WskDeregister / a waiting capture
 *   above PASSIVE and for NO_WAIT capture / release / WskControlClient above DISPATCH
 *   (docs/model.md#registration-and-capture, IRQL column).
 * - WAIT-OUTSIDE-THREAD (as nt/dispatcher.ts): a capture or deregister that must block, called
 *   outside a system thread.
 * - WSK-REGISTRATION-INVALID: a WSK_REGISTRATION never passed to a successful WskRegister (of
 *   this host), or one whose deregistration completed, used by release (or by capture, when
 *   never registered). The block is opaque and initialised by WskRegister
 *   (docs/model.md#registration-and-capture); using an uninitialised one is what the docs forbid.
 *   Exception: capture once deregistration began (or ended) is documented →
 *   STATUS_DEVICE_NOT_READY.
 * - WSK-REGISTRATION-IN-USE: WskRegister on a block that is still registered
 *   (docs/model.md#registration-and-capture: each registration has its own block and exactly one
 *   WskDeregister).
 * - WSK-DEREGISTER-TWICE: a second WskDeregister for one WskRegister
 *   (docs/model.md#registration-and-capture: exactly one).
 * - WSK-RELEASE-WITHOUT-CAPTURE: WskReleaseProviderNPI with no successful capture outstanding
 *   (docs/model.md#registration-and-capture: exactly one release per successful capture).
 * - WSK-CALL-AFTER-RELEASE: a WSK_PROVIDER_DISPATCH call by a client whose captures are all
 *   released (docs/model.md#registration-and-capture: no further calls through that dispatch after
 *   release).
 * - WSK-CLIENT-INVALID: a Client argument that is not a PWSK_CLIENT of this host.
 * - WSK-RELEASE-SD-UNKNOWN: WSK_RELEASE_SD of a descriptor that this client has not cached (or
 *   already released): a stale pointer handed to the provider.
 *
 * Named policies where Windows is silent (README fidelity table):
 * - wskProviderReadyAt (KernelOptions): the virtual time the host's WSK provider becomes ready;
 *   default 0 (ready at once); 'never' keeps it unready until `k.wsk.makeProviderReady()`.
 *   [gap] docs/policies.md#registration-and-capture-policies: "a switch is needed to test not-ready
 *   captures".
 * - wskProviderVersion (KernelOptions): the provider's WSK_PROVIDER_DISPATCH.Version, default
 *   MAKE_WSK_VERSION(1, 0) [infer: every public sample asks for 1.0,
 *   docs/model.md#version-negotiation]. A request for another major, or for a higher minor than the
 *   provider's, gets STATUS_NOINTERFACE [the minor case is a gap: docs/model.md#version-negotiation
 *   only says providers may report a higher minor than asked].
 * - WskRegister with a NULL Dispatch or Reserved ≠ 0 (docs/model.md#registration-and-capture: "must
 *   be 0") → STATUS_INVALID_PARAMETER (a bad argument where Windows documents no code:
 *   docs/policies.md#registration-and-capture-policies), with the advisory 'WSK-REGISTER-INPUT'
 *   (docs/design.md#status-violation-or-advisory).
 * - WskControlClient's argument policies: see its doc comment below.
 */
import { callerSite, parseDuration } from '../sim/index.ts';
import {
  AF_INET,
  AF_INET6,
  IPPROTO_TCP,
  IPPROTO_UDP,
  MAKE_WSK_VERSION,
  SOCK_DGRAM,
  SOCK_STREAM,
  WSK_CACHE_SD,
  WSK_EVENT_ACCEPT,
  WSK_EVENT_DISCONNECT,
  WSK_EVENT_RECEIVE,
  WSK_EVENT_RECEIVE_FROM,
  WSK_EVENT_SEND_BACKLOG,
  WSK_INFINITE_WAIT,
  WSK_MAJOR_VERSION,
  WSK_MINOR_VERSION,
  WSK_NO_WAIT,
  WSK_RELEASE_SD,
  WSK_SET_STATIC_EVENT_CALLBACKS,
  WSK_TDI_BEHAVIOR,
  WSK_TDI_BEHAVIOR_BYPASS_TDI,
  WSK_TDI_DEVICENAME_MAPPING,
  WSK_TRANSPORT_LIST_CHANGE,
  WSK_TRANSPORT_LIST_QUERY,
  type ADDRESS_FAMILY,
} from './address.ts';
import {
  DISPATCH_LEVEL,
  PASSIVE_LEVEL,
  STATUS_BUFFER_OVERFLOW,
  STATUS_DEVICE_NOT_READY,
  STATUS_INVALID_DEVICE_STATE,
  STATUS_INVALID_PARAMETER,
  STATUS_NOINTERFACE,
  STATUS_NOT_SUPPORTED,
  STATUS_SUCCESS,
  STATUS_UNSUCCESSFUL,
  holderValue,
  isHolder,
  statusName,
  type DispatcherManager,
  type IRP,
  type IrpManager,
  type NTSTATUS,
  tracedWait,
} from '../nt/index.ts';
import {
  NPI_WSK_INTERFACE_ID,
  WSK_CACHED_SECURITY_DESCRIPTOR,
  WSK_CLIENT,
  WSK_PROVIDER_CHARACTERISTICS,
  WSK_TRANSPORT_SIZE,
  WSK_REGISTRATION,
  type CaptureWaiter,
  type PWSK_CLIENT,
  type Registration,
  type WSK_CLIENT_NPI,
  type WSK_EVENT_CALLBACK_CONTROL,
  type WSK_PROVIDER_DISPATCH,
  type WSK_PROVIDER_NPI,
  type WSK_TRANSPORT,
} from './client.ts';
import { setRegistrationPhase } from './lifecycle.ts';
import { NameResolver, type AddressInfoLeak, type NameTable } from './name-resolution.ts';
import type { WskKernelCore } from './provider-kernel.ts';
import { SocketProvider, type ClientCheck } from './socket.ts';
import type { Transport } from './transport.ts';
import type { DatagramTransport } from './datagram-transport.ts';

// ---- model state ----------------------------------------------------------------------------

const STATIC_EVENT_MASK =
  WSK_EVENT_ACCEPT |
  WSK_EVENT_RECEIVE |
  WSK_EVENT_DISCONNECT |
  WSK_EVENT_SEND_BACKLOG |
  WSK_EVENT_RECEIVE_FROM;

/**
 * WSK_TRANSPORT.Version and .ProviderId that the model reports: [gap] no source gives the values
 * Windows fills in; 0 and the nil GUID mark them as not modelled rather than guess.
 */
const TRANSPORT_VERSION = 0;
const TRANSPORT_PROVIDER_ID = '00000000-0000-0000-0000-000000000000';

export class WskManager implements ClientCheck {
  readonly #k: WskKernelCore;
  readonly #irps: IrpManager;
  /** Keeps the waits with no timeout (capture, deregister) for the end-of-run report. */
  readonly #dispatcher: DispatcherManager;
  readonly #registrations = new Set<Registration>();
  readonly #readyWaiters = new Set<CaptureWaiter>();
  #ready = false;
  #addresses: () => readonly string[] = noAddresses;
  /** The provider's WSK_PROVIDER_DISPATCH.Version (policy wskProviderVersion). */
  readonly providerVersion: number;
  readonly #dispatch: WSK_PROVIDER_DISPATCH;
  /** The host's sockets: WskSocket, WskSocketConnect and the socket dispatch tables. */
  readonly sockets: SocketProvider;
  /** Name resolution: WskGetAddressInfo, WskFreeAddressInfo, WskGetNameInfo. */
  readonly names: NameResolver;

  constructor(kernel: WskKernelCore, irps: IrpManager, dispatcher: DispatcherManager) {
    this.#k = kernel;
    this.#irps = irps;
    this.#dispatcher = dispatcher;
    const options = kernel.options;
    this.providerVersion = options.wskProviderVersion ?? MAKE_WSK_VERSION(1, 0);
    const sockets = (this.sockets = new SocketProvider(kernel, irps, this));
    // Its state is made on the first resolution (most drivers never resolve a name).
    const names = (this.names = new NameResolver(kernel, irps, this));
    this.#dispatch = Object.freeze({
      Version: this.providerVersion,
      Reserved: 0,
      WskSocket: sockets.WskSocket.bind(sockets),
      WskSocketConnect: sockets.WskSocketConnect.bind(sockets),
      WskControlClient: this.WskControlClient.bind(this),
      WskGetAddressInfo: names.WskGetAddressInfo.bind(names),
      WskFreeAddressInfo: names.WskFreeAddressInfo.bind(names),
      WskGetNameInfo: names.WskGetNameInfo.bind(names),
    });
    const readyAt = options.wskProviderReadyAt ?? '0s';
    if (readyAt !== 'never') {
      const at = parseDuration('wskProviderReadyAt', readyAt);
      if (at <= kernel.sim.now) this.#ready = true;
      else {
        kernel.sim.scheduleAt(at, `${kernel.host} WSK provider ready`, () =>
          this.makeProviderReady(),
        );
      }
    }
  }

  /** @internal The host's addresses, for the transport list (Simulation.kernel sets it). */
  attachAddresses(addresses: () => readonly string[]): void {
    this.#addresses = addresses;
  }

  /** @internal The names the simulation knows, asked for on first use (Simulation.kernel). */
  attachNames(names: () => NameTable): void {
    this.names.attach(names, this.#addresses);
  }

  /** ADDRINFOEXW lists never freed, for the end-of-run check (outstanding.ts). */
  addressInfoLeaks(): readonly AddressInfoLeak[] {
    return this.names.leaks();
  }

  /** @internal The host's transport, for sockets (Simulation.kernel sets it). */
  attachTransport(transport: () => Transport): void {
    this.sockets.attachTransport(transport);
  }

  /** @internal The host's datagram transport (UDP), for datagram sockets. */
  attachDatagramTransport(transport: () => DatagramTransport): void {
    this.sockets.attachDatagramTransport(transport);
  }

  /** True once the host's WSK provider is ready. */
  get providerReady(): boolean {
    return this.#ready;
  }

  /** Makes the provider ready now and completes the captures waiting for it. */
  makeProviderReady(): void {
    if (this.#ready) return;
    this.#ready = true;
    const sim = this.#k.sim;
    sim.trace.emit({ at: sim.now, type: 'wsk.provider-ready', host: this.#k.host });
    for (const waiter of [...this.#readyWaiters]) {
      const registration = waiter.registration;
      this.#wake(registration, waiter, this.#capture(registration, waiter.npi));
    }
  }

  /** Registrations whose WskDeregister has not returned, in registration order. */
  registered(): readonly Registration[] {
    return [...this.#registrations];
  }

  // ---- what the sockets ask of the registrations (ClientCheck) --------------------------------

  /** @internal Called by the sockets slice when `Client` creates a socket. */
  noteSocketCreated(Client: PWSK_CLIENT): void {
    Client.socketCreated = true;
  }

  /** @internal A socket of `Client` closed: its WskDeregister may now complete. */
  noteSocketClosed(Client: PWSK_CLIENT): void {
    const registration = Client.registration;
    if (registration.phase === 'deregistering' && this.#drained(registration)) {
      this.#finish(registration);
    }
  }

  /** @internal The client's static event mask, for the sockets slice. */
  staticEvents(Client: PWSK_CLIENT): number {
    return Client.staticEventMask;
  }

  /**
   * @internal Whether `Client` may call `routine`: one of this host's registered clients with a
   * capture held; a violation otherwise.
   */
  clientUsable(Client: PWSK_CLIENT, routine: string): boolean {
    const k = this.#k;
    if (
      !(Client instanceof WSK_CLIENT) ||
      Client.host !== k.host ||
      !this.#registrations.has(Client.registration)
    ) {
      k.violation('WSK-CLIENT-INVALID', `${routine} with a Client that is not one of this host's`);
      return false;
    }
    if (Client.registration.captures === 0) {
      k.violation(
        'WSK-CALL-AFTER-RELEASE',
        `${routine} through a provider dispatch whose capture was released`,
      );
      return false;
    }
    return true;
  }

  // ---- WskRegister / WskDeregister ----------------------------------------------------------

  WskRegister(WskClientNpi: WSK_CLIENT_NPI, WskRegistration: WSK_REGISTRATION): NTSTATUS {
    const k = this.#k;
    if (!k.requireIrql('WskRegister', PASSIVE_LEVEL)) return STATUS_UNSUCCESSFUL;
    if (WskRegistration.state !== null && this.#registrations.has(WskRegistration.state)) {
      k.violation('WSK-REGISTRATION-IN-USE', 'WskRegister on a WSK_REGISTRATION still registered');
      return STATUS_UNSUCCESSFUL;
    }
    const Dispatch = WskClientNpi.Dispatch;
    if (Dispatch === null || Dispatch.Reserved !== 0) {
      k.advisory('WSK-REGISTER-INPUT', 'WskRegister: NULL Dispatch or Reserved not 0');
      return this.#trace('WskRegister', STATUS_INVALID_PARAMETER);
    }
    const registration: Registration = {
      npi: WskClientNpi,
      client: undefined as unknown as WSK_CLIENT,
      phase: 'registered',
      stateSince: k.sim.now,
      captures: 0,
      blocked: [],
      deregisterWaiters: [],
      pendingIrps: new Set(),
      site: k.sim.recordSites ? callerSite() : null,
    };
    (registration as { client: WSK_CLIENT }).client = new WSK_CLIENT(registration, k.host, k.sim);
    WskRegistration.state = registration;
    this.#registrations.add(registration);
    return this.#trace('WskRegister', STATUS_SUCCESS);
  }

  WskDeregister(WskRegistration: WSK_REGISTRATION): PromiseLike<void> {
    const k = this.#k;
    const done = Promise.resolve();
    if (!k.requireIrql('WskDeregister', PASSIVE_LEVEL)) return done;
    const registration = this.#registrationOf(WskRegistration, 'WskDeregister');
    if (registration === undefined) return done;
    if (registration.phase !== 'registered') {
      k.violation('WSK-DEREGISTER-TWICE', 'WskDeregister called twice for one WskRegister');
      return done;
    }
    setRegistrationPhase(registration, 'deregistering', k.sim.now);
    this.#traceCall('WskDeregister', undefined);
    // Captures blocked in other threads return STATUS_DEVICE_NOT_READY at once
    // (docs/model.md#registration-and-capture).
    for (const waiter of registration.blocked.slice()) {
      this.#wake(registration, waiter, STATUS_DEVICE_NOT_READY);
    }
    if (this.#drained(registration)) {
      this.#finish(registration);
      return done;
    }
    if (k.sim.threads.current === null) {
      k.violation(
        'WAIT-OUTSIDE-THREAD',
        'WskDeregister would block (captures not released) outside a system thread',
      );
      return done;
    }
    const parking = k.sim.threads.park<void>();
    registration.deregisterWaiters.push(parking);
    this.#dispatcher.blockedIn(parking, 'WskDeregister', () => this.#undrained(registration));
    return tracedWait(k, parking, 'WskDeregister on its captures');
  }

  // ---- capture / release ----------------------------------------------------------------------

  WskCaptureProviderNPI(
    WskRegistration: WSK_REGISTRATION,
    WaitTimeout: typeof WSK_NO_WAIT,
    WskProviderNpi: WSK_PROVIDER_NPI,
  ): NTSTATUS;
  WskCaptureProviderNPI(
    WskRegistration: WSK_REGISTRATION,
    WaitTimeout: number,
    WskProviderNpi: WSK_PROVIDER_NPI,
  ): NTSTATUS | PromiseLike<NTSTATUS>;
  WskCaptureProviderNPI(
    WskRegistration: WSK_REGISTRATION,
    WaitTimeout: number,
    WskProviderNpi: WSK_PROVIDER_NPI,
  ): NTSTATUS | PromiseLike<NTSTATUS> {
    const k = this.#k;
    const noWait = WaitTimeout === WSK_NO_WAIT;
    const answer = noWait ? returnedAtOnce : resolvedLater;
    if (!k.requireIrql('WskCaptureProviderNPI', noWait ? DISPATCH_LEVEL : PASSIVE_LEVEL)) {
      return answer(STATUS_UNSUCCESSFUL);
    }
    // After WskDeregister was called (also once it has returned, the block still being valid
    // memory) a capture fails with STATUS_DEVICE_NOT_READY (docs/model.md#registration-and-capture)
    // rather than a violation.
    const previous = WskRegistration.state;
    if (previous !== null && previous.phase === 'deregistered' && previous.client.host === k.host) {
      return answer(this.#trace('WskCaptureProviderNPI', STATUS_DEVICE_NOT_READY));
    }
    const registration = this.#registrationOf(WskRegistration, 'WskCaptureProviderNPI');
    if (registration === undefined) return answer(STATUS_UNSUCCESSFUL);
    if (registration.phase === 'deregistering') {
      return answer(this.#trace('WskCaptureProviderNPI', STATUS_DEVICE_NOT_READY));
    }
    if (this.#ready) return answer(this.#capture(registration, WskProviderNpi));
    if (noWait) return this.#trace('WskCaptureProviderNPI', STATUS_DEVICE_NOT_READY);
    if (k.sim.threads.current === null) {
      k.violation(
        'WAIT-OUTSIDE-THREAD',
        'WskCaptureProviderNPI would wait for the provider outside a system thread',
      );
      return answer(STATUS_UNSUCCESSFUL);
    }
    const waiter: CaptureWaiter = {
      registration,
      parking: k.sim.threads.park<NTSTATUS>(),
      npi: WskProviderNpi,
      timer: null,
    };
    registration.blocked.push(waiter);
    this.#readyWaiters.add(waiter);
    if (WaitTimeout === WSK_INFINITE_WAIT) {
      this.#dispatcher.blockedIn(waiter, 'WskCaptureProviderNPI', providerNeverReady);
    } else {
      waiter.timer = k.sim.schedule(WaitTimeout * 1e6, `${k.host} WSK capture timeout`, () => {
        waiter.timer = null;
        const status = this.#trace('WskCaptureProviderNPI', STATUS_DEVICE_NOT_READY);
        this.#wake(registration, waiter, status);
      });
    }
    return tracedWait(k, waiter.parking, 'WskCaptureProviderNPI on the WSK provider');
  }

  WskReleaseProviderNPI(WskRegistration: WSK_REGISTRATION): void {
    const k = this.#k;
    if (!k.requireIrql('WskReleaseProviderNPI', DISPATCH_LEVEL)) return;
    const registration = this.#registrationOf(WskRegistration, 'WskReleaseProviderNPI');
    if (registration === undefined) return;
    if (registration.captures === 0) {
      k.violation(
        'WSK-RELEASE-WITHOUT-CAPTURE',
        'WskReleaseProviderNPI without an outstanding successful WskCaptureProviderNPI',
      );
      return;
    }
    registration.captures--;
    this.#traceCall('WskReleaseProviderNPI', undefined);
    if (registration.phase === 'deregistering' && this.#drained(registration)) {
      this.#finish(registration);
    }
  }

  /**
   * WskQueryProviderCharacteristics(WskRegistration, WskProviderCharacteristics): the range of
   * versions the provider supports (here the one policy version, so Highest = Lowest), for a
   * client whose capture returned STATUS_NOINTERFACE (docs/model.md#registration-and-capture,
   * #version-negotiation). ≤ DISPATCH_LEVEL. STATUS_DEVICE_NOT_READY while the provider is not
   * ready or once deregistration began [doc lists the code; when exactly: infer, as for capture].
   */
  WskQueryProviderCharacteristics(
    WskRegistration: WSK_REGISTRATION,
    WskProviderCharacteristics: WSK_PROVIDER_CHARACTERISTICS,
  ): NTSTATUS {
    const k = this.#k;
    if (!k.requireIrql('WskQueryProviderCharacteristics', DISPATCH_LEVEL)) {
      return STATUS_UNSUCCESSFUL;
    }
    const registration = this.#registrationOf(WskRegistration, 'WskQueryProviderCharacteristics');
    if (registration === undefined) return STATUS_UNSUCCESSFUL;
    const call = 'WskQueryProviderCharacteristics';
    if (!this.#ready || registration.phase !== 'registered') {
      return this.#trace(call, STATUS_DEVICE_NOT_READY);
    }
    WskProviderCharacteristics.HighestVersion = this.providerVersion;
    WskProviderCharacteristics.LowestVersion = this.providerVersion;
    return this.#trace(call, STATUS_SUCCESS);
  }

  // ---- WskControlClient (docs/model.md#wskcontrolclient) ------------------------------------

  /**
   * WskControlClient(Client, ControlCode, InputSize, InputBuffer, OutputSize, OutputBuffer,
   * OutputSizeReturned, Irp). Buffers are what C's pointers point at:
   * - WSK_TRANSPORT_LIST_QUERY: OutputBuffer a WSK_TRANSPORT[] the call fills from index 0,
   *   sizes in bytes (WSK_TRANSPORT_SIZE each); OutputSizeReturned required. OutputSize 0 with a
   *   NULL buffer (or any too-small size) → STATUS_BUFFER_OVERFLOW with the required size
   *   [doc]. The list: one SOCK_STREAM / IPPROTO_TCP transport for AF_INET when the host has an
   *   IPv4 address and one for AF_INET6 when it has an IPv6 address, then the same two for
   *   SOCK_DGRAM / IPPROTO_UDP [infer: the transports the host can use, TCP's first].
   * - WSK_CACHE_SD: InputBuffer `{ value: PSECURITY_DESCRIPTOR }`, OutputBuffer `{ value }`
   *   receiving a WSK_CACHED_SECURITY_DESCRIPTOR; each call caches afresh and needs its own
   *   WSK_RELEASE_SD [infer].
   * - WSK_RELEASE_SD: InputBuffer `{ value: cached }`.
   * - WSK_SET_STATIC_EVENT_CALLBACKS: InputBuffer a WSK_EVENT_CALLBACK_CONTROL; the mask is ORed
   *   into the client's static mask (static callbacks are permanent,
   *   docs/model.md#static-event-callbacks) [infer].
   * - WSK_TDI_BEHAVIOR: InputBuffer `{ value: flags }` (only WSK_TDI_BEHAVIOR_BYPASS_TDI).
   * Pointer-sized InputSize / OutputSize of the SD, static-callback and TDI codes are not
   * checked. Policies [gap; docs/policies.md#registration-and-capture-policies lists them]: an IRP
   * passed where it must be NULL, a NULL or malformed argument, an unknown event bit or control
   * code → STATUS_INVALID_PARAMETER with the advisory 'WSK-CONTROL-CLIENT-INPUT' (the IRP is left
   * untouched: the call did not take it); WSK_SET_STATIC_EVENT_CALLBACKS or WSK_TDI_BEHAVIOR after
   * the client created a socket → STATUS_INVALID_DEVICE_STATE. WSK_TRANSPORT_LIST_CHANGE pends its
   * IRP until IoCancelIrp (a host's transports never change here). Not modelled:
   * WSK_TDI_DEVICENAME_MAPPING (no TDI) → STATUS_NOT_SUPPORTED.
   */
  WskControlClient(
    Client: PWSK_CLIENT,
    ControlCode: number,
    InputSize: number,
    InputBuffer: unknown,
    OutputSize: number,
    OutputBuffer: unknown,
    OutputSizeReturned: { value: number } | null,
    Irp: IRP | null,
  ): NTSTATUS {
    void InputSize;
    const k = this.#k;
    if (!k.requireIrql('WskControlClient', DISPATCH_LEVEL)) return STATUS_UNSUCCESSFUL;
    if (!this.clientUsable(Client, 'WskControlClient')) return STATUS_UNSUCCESSFUL;
    const status = (s: NTSTATUS): NTSTATUS => {
      if (s === STATUS_INVALID_PARAMETER) {
        k.advisory('WSK-CONTROL-CLIENT-INPUT', `WskControlClient(${ControlCode}): bad argument`);
      }
      return this.#trace(`WskControlClient(${ControlCode})`, s);
    };
    const needsNoIrp =
      ControlCode === WSK_TRANSPORT_LIST_QUERY ||
      ControlCode === WSK_CACHE_SD ||
      ControlCode === WSK_RELEASE_SD ||
      ControlCode === WSK_SET_STATIC_EVENT_CALLBACKS ||
      ControlCode === WSK_TDI_BEHAVIOR;
    if (needsNoIrp && Irp !== null) return status(STATUS_INVALID_PARAMETER);
    switch (ControlCode) {
      case WSK_TRANSPORT_LIST_QUERY: {
        if (OutputSizeReturned === null) return status(STATUS_INVALID_PARAMETER);
        const transports = this.transports();
        const required = transports.length * WSK_TRANSPORT_SIZE;
        if (OutputBuffer === null && OutputSize !== 0) return status(STATUS_INVALID_PARAMETER);
        if (OutputBuffer !== null && !Array.isArray(OutputBuffer)) {
          return status(STATUS_INVALID_PARAMETER);
        }
        if (OutputSize < required || (OutputBuffer === null && required > 0)) {
          OutputSizeReturned.value = required;
          return status(STATUS_BUFFER_OVERFLOW);
        }
        const out = OutputBuffer as WSK_TRANSPORT[] | null;
        transports.forEach((transport, index) => {
          if (out !== null) out[index] = transport;
        });
        OutputSizeReturned.value = required;
        return status(STATUS_SUCCESS);
      }
      case WSK_CACHE_SD: {
        const sd = holderValue(InputBuffer);
        if (sd === null || typeof sd !== 'object' || !isHolder(OutputBuffer)) {
          return status(STATUS_INVALID_PARAMETER);
        }
        const cached = new WSK_CACHED_SECURITY_DESCRIPTOR(sd);
        Client.cachedSds.add(cached);
        OutputBuffer.value = cached;
        return status(STATUS_SUCCESS);
      }
      case WSK_RELEASE_SD: {
        const cached = holderValue(InputBuffer);
        if (cached === null || cached === undefined) return status(STATUS_INVALID_PARAMETER);
        if (
          !(cached instanceof WSK_CACHED_SECURITY_DESCRIPTOR) ||
          !Client.cachedSds.has(cached)
        ) {
          k.violation(
            'WSK-RELEASE-SD-UNKNOWN',
            'WSK_RELEASE_SD of a descriptor this client has not cached, or released already',
          );
          return STATUS_UNSUCCESSFUL;
        }
        const holder = this.#irps.inFlight().find((irp) => irp.descriptor === cached);
        if (holder !== undefined) {
          // docs/model.md#wskcontrolclient: a cached descriptor stays cached until the IRP given it
          // completes.
          const detail = `WSK_RELEASE_SD while IRP #${holder.id} (${holder.operation}) holds it`;
          k.violation('WSK-SD-RELEASED-IN-USE', detail, { irp: holder.id });
          return STATUS_UNSUCCESSFUL;
        }
        Client.cachedSds.delete(cached);
        return status(STATUS_SUCCESS);
      }
      case WSK_SET_STATIC_EVENT_CALLBACKS: {
        const control = InputBuffer as WSK_EVENT_CALLBACK_CONTROL | null;
        if (
          control === null ||
          typeof control !== 'object' ||
          control.NpiId !== NPI_WSK_INTERFACE_ID ||
          typeof control.EventMask !== 'number' ||
          (control.EventMask & ~STATIC_EVENT_MASK) !== 0
        ) {
          return status(STATUS_INVALID_PARAMETER);
        }
        if (Client.socketCreated) return status(STATUS_INVALID_DEVICE_STATE);
        Client.staticEventMask |= control.EventMask;
        return status(STATUS_SUCCESS);
      }
      case WSK_TDI_BEHAVIOR: {
        const flags = holderValue(InputBuffer);
        if (typeof flags !== 'number' || (flags & ~WSK_TDI_BEHAVIOR_BYPASS_TDI) !== 0) {
          return status(STATUS_INVALID_PARAMETER);
        }
        if (Client.socketCreated) return status(STATUS_INVALID_DEVICE_STATE);
        Client.tdiBehavior = flags;
        return status(STATUS_SUCCESS);
      }
      case WSK_TRANSPORT_LIST_CHANGE: {
        // IRP required; it completes when a transport is added or removed
        // (docs/model.md#wskcontrolclient). A simulated host's addresses never change, so it stays
        // pending until IoCancelIrp (STATUS_CANCELLED) — and, like any pending IRP, holds up
        // WskDeregister.
        if (Irp === null) return status(STATUS_INVALID_PARAMETER);
        if (!this.#irps.issue(Irp, 'WskControlClient(WSK_TRANSPORT_LIST_CHANGE)')) {
          return STATUS_UNSUCCESSFUL;
        }
        const registration = Client.registration;
        registration.pendingIrps.add(Irp);
        return status(
          this.#irps.pend(Irp, (irp) => {
            registration.pendingIrps.delete(irp);
            if (registration.phase === 'deregistering' && this.#drained(registration)) {
              this.#finish(registration);
            }
          }),
        );
      }
      case WSK_TDI_DEVICENAME_MAPPING:
        return status(STATUS_NOT_SUPPORTED);
      default:
        return status(STATUS_INVALID_PARAMETER);
    }
  }

  /** The transports WSK_TRANSPORT_LIST_QUERY reports for this host (IPv4 first). */
  transports(): WSK_TRANSPORT[] {
    const addresses = this.#addresses();
    const families: ADDRESS_FAMILY[] = [];
    if (addresses.some((a) => !a.includes(':'))) families.push(AF_INET);
    if (addresses.some((a) => a.includes(':'))) families.push(AF_INET6);
    const tcp = families.map((AddressFamily) => ({
      Version: TRANSPORT_VERSION,
      SocketType: SOCK_STREAM,
      Protocol: IPPROTO_TCP,
      AddressFamily,
      ProviderId: TRANSPORT_PROVIDER_ID,
    }));
    // UDP beside TCP, one per family (datagram sockets, docs/model.md#datagram-sockets).
    const udp = families.map((AddressFamily) => ({
      Version: TRANSPORT_VERSION,
      SocketType: SOCK_DGRAM,
      Protocol: IPPROTO_UDP,
      AddressFamily,
      ProviderId: TRANSPORT_PROVIDER_ID,
    }));
    return [...tcp, ...udp];
  }

  // ---- internals ------------------------------------------------------------------------------

  #capture(registration: Registration, npi: WSK_PROVIDER_NPI): NTSTATUS {
    const wanted = registration.npi.Dispatch?.Version ?? 0;
    const have = this.providerVersion;
    if (
      WSK_MAJOR_VERSION(wanted) !== WSK_MAJOR_VERSION(have) ||
      WSK_MINOR_VERSION(wanted) > WSK_MINOR_VERSION(have)
    ) {
      return this.#trace('WskCaptureProviderNPI', STATUS_NOINTERFACE);
    }
    registration.captures++;
    npi.Client = registration.client;
    npi.Dispatch = this.#dispatch;
    return this.#trace('WskCaptureProviderNPI', STATUS_SUCCESS);
  }

  #wake(registration: Registration, waiter: CaptureWaiter, status: NTSTATUS): void {
    const index = registration.blocked.indexOf(waiter);
    if (index >= 0) registration.blocked.splice(index, 1);
    this.#readyWaiters.delete(waiter);
    this.#dispatcher.unblocked(waiter);
    waiter.timer?.cancel();
    waiter.timer = null;
    waiter.parking.wake(status);
  }

  /** Whether deregistration may complete: captures released, IRPs done, sockets closed. */
  #drained(registration: Registration): boolean {
    return (
      registration.captures === 0 &&
      registration.pendingIrps.size === 0 &&
      this.sockets.openSocketsOf(registration.client) === 0
    );
  }

  #finish(registration: Registration): void {
    setRegistrationPhase(registration, 'deregistered', this.#k.sim.now);
    this.#registrations.delete(registration);
    this.#traceCall('WskDeregister done', undefined);
    for (const parking of registration.deregisterWaiters.splice(0)) {
      this.#dispatcher.unblocked(parking);
      parking.wake();
    }
  }

  /** What a blocked WskDeregister still waits for, for the end-of-run report. */
  #undrained(registration: Registration): string {
    const left = [
      counted(registration.captures, 'capture', 'not released'),
      counted(this.sockets.openSocketsOf(registration.client), 'socket', 'not closed'),
      counted(registration.pendingIrps.size, 'IRP', 'not completed'),
    ].filter((text) => text !== '');
    return `its registration, never drained (${left.join(', ')})`;
  }

  #registrationOf(WskRegistration: WSK_REGISTRATION, routine: string): Registration | undefined {
    const registration = WskRegistration.state;
    if (registration?.phase === 'deregistered' && routine === 'WskDeregister') {
      this.#k.violation('WSK-DEREGISTER-TWICE', 'WskDeregister called twice for one WskRegister');
      return undefined;
    }
    if (registration === null || !this.#registrations.has(registration)) {
      this.#k.violation(
        'WSK-REGISTRATION-INVALID',
        `${routine} on a WSK_REGISTRATION that is not registered on this host`,
      );
      return undefined;
    }
    return registration;
  }

  #trace(call: string, status: NTSTATUS): NTSTATUS {
    this.#traceCall(call, statusName(status));
    return status;
  }

  /** The call's record; `status` is undefined for calls that return none. */
  #traceCall(call: string, status: string | undefined): void {
    const sim = this.#k.sim;
    sim.trace.emit({ at: sim.now, type: 'wsk.call', host: this.#k.host, call, status });
  }
}

/** What a WskCaptureProviderNPI with WSK_INFINITE_WAIT waits on, for the end-of-run report. */
function providerNeverReady(): string {
  return 'the WSK provider (WSK_INFINITE_WAIT), never ready';
}

/** '2 captures not released', or '' for none. */
function counted(count: number, noun: string, state: string): string {
  if (count === 0) return '';
  return `${count} ${noun}${count === 1 ? '' : 's'} ${state}`;
}

/** The host's addresses until Simulation.kernel attaches its own. */
function noAddresses(): readonly string[] {
  return [];
}

/** WskCaptureProviderNPI's status with WSK_NO_WAIT: returned as it is. */
function returnedAtOnce(status: NTSTATUS): NTSTATUS {
  return status;
}

/** WskCaptureProviderNPI's status when the call may wait: a promise, even when it need not. */
function resolvedLater(status: NTSTATUS): PromiseLike<NTSTATUS> {
  return Promise.resolve(status);
}
