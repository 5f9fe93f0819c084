/**
 * Name resolution (wsk.h, in WSK_PROVIDER_DISPATCH since the first WSK version; Microsoft pages
 * "PFN_WSK_GET_ADDRESS_INFO callback function (wsk.h)", "PFN_WSK_FREE_ADDRESS_INFO callback
 * function (wsk.h)", "PFN_WSK_GET_NAME_INFO callback function (wsk.h)", "ADDRINFOEXW structure
 * (ws2def.h)"; docs/model.md#name-resolution, docs/policies.md#name-resolution-policies).
 *
 * The names are the ones the simulation knows: every host's name (its IPv4 then its IPv6 address),
 * names a scenario adds (`sim.addName('svc.local', '10.0.0.2')`), and `localhost` (the loopback
 * addresses of the asking host's families); matching ignores case, as DNS does. A numeric NodeName
 * ('10.0.0.2', 'fd00::2') resolves to itself.
 * - WskGetAddressInfo(Client, NodeName, ServiceName, NameSpace, Provider, Hints, Result,
 *   OwningProcess, OwningThread, Irp), at PASSIVE_LEVEL: the IRP is required; the call returns
 *   STATUS_PENDING and completes the IRP after the resolver's latency (the labelled choice 'name
 *   resolution latency', uniform in [0, `nameResolutionLatency`], default 1 ms; 0 on the empty
 *   tape), with `Result.value` the head of an ADDRINFOEXW list linked through ai_next: one entry
 *   per address of the family Hints.ai_family asks for (AF_UNSPEC: all), with the socket type and
 *   protocol of the hints (SOCK_STREAM / IPPROTO_TCP when 0), the port of ServiceName (a decimal
 *   string; null is 0) and, with AI_CANONNAME, the name on the first entry. A name the
 *   simulation does not know completes with STATUS_NOT_FOUND (policy: Windows does not document
 *   the code), an injected resolver failure (choice 'name resolution fails', probability
 *   `nameResolutionFailure`, default 0) with STATUS_IO_TIMEOUT (policy), NodeName and ServiceName
 *   both null, or a ServiceName that is not a port number, with STATUS_INVALID_PARAMETER at once.
 *   A NULL NodeName gives the wildcard addresses with AI_PASSIVE, the loopback ones without.
 * - WskFreeAddressInfo(Client, AddrInfo) frees a list WskGetAddressInfo returned, given its head.
 *   Freeing one twice, one it did not return, or an entry that is not a head is
 *   ADDRINFO-FREE-INVALID; a list never freed is ADDRINFO-LEAKED at the end of the run, with the
 *   line of its WskGetAddressInfo.
 * - WskGetNameInfo(Client, SockAddr, SockAddrLength, NodeName, ServiceName, Flags, OwningProcess,
 *   OwningThread, Irp), at PASSIVE_LEVEL: completes the IRP, after the same latency, with the
 *   host name of the address written into NodeName (a UNICODE_STRING: Buffer and Length) and the
 *   port's decimal text into ServiceName. An address no name has gives its numeric text, or
 *   STATUS_NOT_FOUND under NI_NAMEREQD; NI_NUMERICHOST always gives the numeric text.
 * Name resolution goes to no server on the simulated network (no DNS packets): a policy.
 */
import {
  PASSIVE_LEVEL,
  STATUS_INVALID_PARAMETER,
  STATUS_IO_TIMEOUT,
  STATUS_NOT_FOUND,
  STATUS_PENDING,
  STATUS_SUCCESS,
  STATUS_UNSUCCESSFUL,
  statusName,
  type IRP,
  type IrpManager,
  type NTSTATUS,
  type UNICODE_STRING,
} from '../nt/index.ts';
import { callerSite, formatInstant, parseDuration } from '../sim/index.ts';
import { isIPv4, isIPv6, parseAddress } from '../topology/index.ts';
import {
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
  IPPROTO_TCP,
  IPPROTO_UDP,
  SOCK_DGRAM,
  SOCK_STREAM,
  type SOCKADDR,
} from './address.ts';
import {
  ADDRINFOEXW,
  AI_CANONNAME,
  AI_NUMERICHOST,
  AI_PASSIVE,
  NI_NAMEREQD,
  NI_NUMERICHOST,
  SOCKADDR_IN6_SIZE,
  SOCKADDR_IN_SIZE,
} from './addrinfo.ts';
import type { PWSK_CLIENT } from './client.ts';
import type { WskKernelCore } from './provider-kernel.ts';

/** The names the simulation knows, as the kernel's host sees them (Simulation.kernel sets it). */
export interface NameTable {
  /** The addresses of `name` (already lower-case), or undefined for a name not known. */
  addresses(name: string): readonly string[] | undefined;
  /** The first name of `address` (canonical text), or undefined. */
  nameOf(address: string): string | undefined;
}

const NO_NAMES: NameTable = { addresses: () => undefined, nameOf: () => undefined };
const NO_ADDRESSES = (): readonly string[] => [];

/** A result list WskGetAddressInfo returned and WskFreeAddressInfo has not freed. */
interface Outstanding {
  readonly since: number;
  readonly site: string | null;
}

/** One unfreed result list, for the end-of-run report (outstanding.ts). */
export interface AddressInfoLeak {
  readonly detail: string;
  readonly site: string | null;
}

/** Something the client can be checked by (registration.ts's WskManager). */
export interface ClientUser {
  clientUsable(Client: PWSK_CLIENT, routine: string): boolean;
}

export class NameResolver {
  readonly #k: WskKernelCore;
  readonly #irps: IrpManager;
  readonly #clients: ClientUser;
  // Every host's kernel has a resolver; what it keeps is made on the first resolution.
  #names: (() => NameTable) | null = null;
  #addresses: () => readonly string[] = NO_ADDRESSES;
  #live: Map<ADDRINFOEXW, Outstanding> | null = null;
  #freed: WeakSet<ADDRINFOEXW> | null = null;

  constructor(kernel: WskKernelCore, irps: IrpManager, clients: ClientUser) {
    this.#k = kernel;
    this.#irps = irps;
    this.#clients = clients;
  }

  /** @internal The names (asked for on first use; Simulation.kernel) and the host's addresses. */
  attach(names: () => NameTable, addresses: () => readonly string[]): void {
    this.#names = names;
    this.#addresses = addresses;
  }

  /** The names the simulation knows, or none when the kernel is not a simulation's. */
  #table(): NameTable {
    return this.#names === null ? NO_NAMES : this.#names();
  }

  WskGetAddressInfo(
    Client: PWSK_CLIENT,
    NodeName: UNICODE_STRING | null,
    ServiceName: UNICODE_STRING | null,
    NameSpace: number,
    Provider: unknown,
    Hints: ADDRINFOEXW | null,
    Result: { value: ADDRINFOEXW | null },
    OwningProcess: unknown,
    OwningThread: unknown,
    Irp: IRP,
  ): NTSTATUS {
    void NameSpace;
    void Provider;
    void OwningProcess;
    void OwningThread;
    const routine = 'WskGetAddressInfo';
    const k = this.#k;
    if (!k.requireIrql(routine, PASSIVE_LEVEL)) return STATUS_UNSUCCESSFUL;
    if (!this.#clients.clientUsable(Client, routine)) return STATUS_UNSUCCESSFUL;
    if (!this.#irps.issue(Irp, routine)) return STATUS_UNSUCCESSFUL;
    const node = NodeName?.Buffer ?? null;
    const service = ServiceName?.Buffer ?? null;
    const port = service === null ? 0 : /^\d{1,5}$/.test(service) ? Number(service) : -1;
    if ((node === null && service === null) || port < 0 || port > 65535) {
      return this.#trace(routine, this.#irps.completeInline(Irp, STATUS_INVALID_PARAMETER));
    }
    const flags = Hints?.ai_flags ?? 0;
    const numeric = node !== null && (isIPv4(node) || isIPv6(node));
    const addresses = this.#resolve(node, flags);
    const list = addresses === undefined ? null : this.#list(addresses, Hints, port, node);
    let status = list === null ? STATUS_NOT_FOUND : STATUS_SUCCESS;
    if (!numeric && this.#fails()) status = STATUS_IO_TIMEOUT;
    const site = k.sim.recordSites ? callerSite() : null;
    this.#later(Irp, numeric ? 0 : this.#latency(), status, () => {
      if (status !== STATUS_SUCCESS || list === null) return;
      Result.value = list;
      (this.#live ??= new Map()).set(list, { since: k.sim.now, site });
    });
    return this.#trace(routine, STATUS_PENDING);
  }

  WskFreeAddressInfo(Client: PWSK_CLIENT, AddrInfo: ADDRINFOEXW): void {
    const routine = 'WskFreeAddressInfo';
    const k = this.#k;
    if (!k.requireIrql(routine, PASSIVE_LEVEL)) return;
    if (!this.#clients.clientUsable(Client, routine)) return;
    if (this.#live?.delete(AddrInfo) !== true) {
      const what = this.#freed?.has(AddrInfo) === true
        ? 'a list it freed already'
        : 'an entry WskGetAddressInfo did not return as a list head';
      k.violation('ADDRINFO-FREE-INVALID', `WskFreeAddressInfo of ${what}`);
      return;
    }
    (this.#freed ??= new WeakSet()).add(AddrInfo);
    this.#traceCall(routine, undefined);
  }

  WskGetNameInfo(
    Client: PWSK_CLIENT,
    SockAddr: SOCKADDR,
    SockAddrLength: number,
    NodeName: UNICODE_STRING | null,
    ServiceName: UNICODE_STRING | null,
    Flags: number,
    OwningProcess: unknown,
    OwningThread: unknown,
    Irp: IRP,
  ): NTSTATUS {
    void OwningProcess;
    void OwningThread;
    const routine = 'WskGetNameInfo';
    const k = this.#k;
    if (!k.requireIrql(routine, PASSIVE_LEVEL)) return STATUS_UNSUCCESSFUL;
    if (!this.#clients.clientUsable(Client, routine)) return STATUS_UNSUCCESSFUL;
    if (!this.#irps.issue(Irp, routine)) return STATUS_UNSUCCESSFUL;
    const v6 = 'sin6_family' in SockAddr && SockAddr.sin6_family === AF_INET6;
    const v4 = 'sin_family' in SockAddr && SockAddr.sin_family === AF_INET;
    const size = v6 ? SOCKADDR_IN6_SIZE : SOCKADDR_IN_SIZE;
    if ((!v4 && !v6) || SockAddrLength < size || (NodeName === null && ServiceName === null)) {
      return this.#trace(routine, this.#irps.completeInline(Irp, STATUS_INVALID_PARAMETER));
    }
    const address = 'sin6_addr' in SockAddr ? SockAddr.sin6_addr : SockAddr.sin_addr;
    const port = 'sin6_port' in SockAddr ? SockAddr.sin6_port : SockAddr.sin_port;
    const name = (Flags & NI_NUMERICHOST) !== 0 ? undefined : this.#table().nameOf(address);
    const required = (Flags & NI_NAMEREQD) !== 0;
    let status = name === undefined && required ? STATUS_NOT_FOUND : STATUS_SUCCESS;
    if (this.#fails()) status = STATUS_IO_TIMEOUT;
    this.#later(Irp, this.#latency(), status, () => {
      if (status !== STATUS_SUCCESS) return;
      if (NodeName !== null) setString(NodeName, name ?? address);
      if (ServiceName !== null) setString(ServiceName, String(port));
    });
    return this.#trace(routine, STATUS_PENDING);
  }

  /** Result lists never freed, in the order they were returned. */
  leaks(): readonly AddressInfoLeak[] {
    return [...(this.#live?.values() ?? [])].map(({ since, site }) => ({
      detail: `ADDRINFOEXW list returned at ${formatInstant(since)} never freed`,
      site,
    }));
  }

  /** The addresses of `node` (null: the host's wildcard or loopback), undefined if unknown. */
  #resolve(node: string | null, flags: number): readonly string[] | undefined {
    const own = this.#addresses();
    const families = (['0.0.0.0', '::'] as const).filter((wild) =>
      own.some((a) => a.includes(':') === wild.includes(':')),
    );
    if (node === null) {
      return (flags & AI_PASSIVE) !== 0 ? families : families.map(loopbackOf);
    }
    if (isIPv4(node) || isIPv6(node)) return [parseAddress('NodeName', node)];
    if ((flags & AI_NUMERICHOST) !== 0) return undefined;
    const name = node.toLowerCase();
    if (name === 'localhost') return families.map(loopbackOf);
    return this.#table().addresses(name);
  }

  /** The ADDRINFOEXW list of `addresses` that the hints ask for, or null if none is left. */
  #list(
    addresses: readonly string[],
    Hints: ADDRINFOEXW | null,
    port: number,
    node: string | null,
  ): ADDRINFOEXW | null {
    const family = Hints?.ai_family ?? AF_UNSPEC;
    const socktype = Hints?.ai_socktype || SOCK_STREAM;
    const protocol = Hints?.ai_protocol || (socktype === SOCK_DGRAM ? IPPROTO_UDP : IPPROTO_TCP);
    let head: ADDRINFOEXW | null = null;
    let tail: ADDRINFOEXW | null = null;
    for (const address of addresses) {
      const v6 = address.includes(':');
      if (family !== AF_UNSPEC && family !== (v6 ? AF_INET6 : AF_INET)) continue;
      const entry = new ADDRINFOEXW();
      entry.ai_family = v6 ? AF_INET6 : AF_INET;
      entry.ai_socktype = socktype;
      entry.ai_protocol = protocol;
      entry.ai_addrlen = v6 ? SOCKADDR_IN6_SIZE : SOCKADDR_IN_SIZE;
      entry.ai_addr = v6
        ? {
            sin6_family: AF_INET6,
            sin6_port: port,
            sin6_flowinfo: 0,
            sin6_addr: address,
            sin6_scope_id: 0,
          }
        : { sin_family: AF_INET, sin_port: port, sin_addr: address };
      if (head === null) {
        head = entry;
        if (((Hints?.ai_flags ?? 0) & AI_CANONNAME) !== 0) entry.ai_canonname = node;
      } else (tail as ADDRINFOEXW).ai_next = entry;
      tail = entry;
    }
    return head;
  }

  /** Pends `Irp` and completes it `delay` ns later with `status`, after `fill`; cancellable. */
  #later(Irp: IRP, delay: number, status: NTSTATUS, fill: () => void): void {
    const k = this.#k;
    // The pending IRP is held by its completion event (nt/invariants.ts) until it fires.
    Irp.completionDue = true;
    const event = k.sim.schedule(delay, `${k.host} name resolution`, () => {
      Irp.completionDue = false;
      if (Irp.state !== 'pending') return;
      fill();
      this.#irps.complete(Irp, status, 0);
    });
    this.#irps.pend(Irp, () => {
      Irp.completionDue = false;
      event.cancel();
    });
  }

  /** The labelled choice of the resolver's latency, in ns. */
  #latency(): number {
    const option = this.#k.options.nameResolutionLatency ?? '1ms';
    const max = parseDuration('nameResolutionLatency', option);
    return this.#k.choices.between('name resolution latency', 0, max);
  }

  #fails(): boolean {
    const k = this.#k;
    return k.choices.fault('name resolution fails', k.options.nameResolutionFailure ?? 0);
  }

  #trace(call: string, status: NTSTATUS): NTSTATUS {
    this.#traceCall(call, statusName(status));
    return status;
  }

  #traceCall(call: string, status: string | undefined): void {
    const sim = this.#k.sim;
    sim.trace.emit({ at: sim.now, type: 'wsk.call', host: this.#k.host, call, status });
  }
}

/** The loopback address of a wildcard's family. */
function loopbackOf(wildcard: string): string {
  return wildcard === '::' ? '::1' : '127.0.0.1';
}

/** Writes `text` into a driver's UNICODE_STRING, as the provider fills NodeName. */
function setString(target: UNICODE_STRING, text: string): void {
  target.Buffer = text;
  target.Length = text.length * 2;
  target.MaximumLength = Math.max(target.MaximumLength, target.Length + 2);
}
