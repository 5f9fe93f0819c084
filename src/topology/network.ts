/**
 * The network handle: build a topology (hosts, switches, routers, links), then break it with
 * fault verbs and per-packet rules. Everything lives in a private world (world.ts); this class
 * checks what users hand it, names the option when something is wrong (SimConfigError), and
 * returns handles and frozen snapshots, never the live state
 * (docs/design.md#options-are-data-state-is-separate).
 *
 * Each fault verb applies now, or at an absolute virtual time with `{ at: '2s' }`; its operands
 * are checked when it is called, not when it fires. A verb that changes nothing (healing hosts
 * that are not partitioned, crashing a crashed host) is still traced, and otherwise a no-op.
 */
import { SimConfigError, formatInstant, parseDuration } from '../sim/index.ts';
import type { DurationInput, Simulator } from '../sim/index.ts';
import { parseIPv4, parseIPv6 } from './address.ts';
import { applyFault, operandsOf, NODE_LIMIT, type Fault, type FaultVerb } from './faults.ts';
import { Host, HostState } from './host.ts';
import { checkNetworkInvariants } from './invariants.ts';
import { Link } from './link.ts';
import { NodeState } from './node.ts';
import { takeSnapshot, type NetworkSnapshot } from './netstat.ts';
import {
  checkNodeName, resolveLinkOptions, type LinkOptions, type ResolvedLink,
} from './options.ts';
import type { Payload } from './packet.ts';
import type { Rule } from './rules.ts';
import type { NodeHandle, NodeKind } from './vertex.ts';
import { World, type PacketTap } from './world.ts';

export interface HostOptions {
  readonly name: string;
  /** Dotted-decimal IPv4 address. At least one of ipv4 and ipv6 is required. */
  readonly ipv4?: string;
  /** IPv6 address in any valid spelling; kept in RFC 5952 canonical form. */
  readonly ipv6?: string;
}

/** When a fault verb applies. */
export interface FaultTiming {
  /** Absolute virtual time since the start; omitted: now. */
  readonly at?: DurationInput;
}

/** A node by name or by its handle. */
export type NodeRef = string | { readonly name: string };

/** What `addLink` returns: the link's name and its resolved, frozen options. */
export interface LinkInfo extends ResolvedLink {
  /** 'a-b' */
  readonly name: string;
  readonly a: string;
  readonly b: string;
}

interface FaultJob<P extends Payload> {
  readonly world: World<P>;
  readonly fault: Fault;
}

function fireFault<P extends Payload>(job: FaultJob<P>): void {
  applyNow(job.world, job.fault);
}

function applyNow<P extends Payload>(world: World<P>, fault: Fault): void {
  applyFault(world, fault);
  world.traceFault(fault.verb, fault.a.name, fault.b?.name);
}

export class Network<P extends Payload = Payload> {
  readonly #world: World<P>;
  readonly #hosts = new Map<string, Host<P>>();

  constructor(sim: Simulator) {
    this.#world = new World<P>(sim);
  }

  get sim(): Simulator {
    return this.#world.sim;
  }

  /**
   * Adds a host; its addresses must be unique across the network. `Q` narrows the payload type
   * of this host's handle when one network carries several kinds.
   */
  addHost<Q extends P = P>(options: HostOptions): Host<Q> {
    const name = checkNodeName('hosts[].name', options.name);
    const option = `hosts[${name}]`;
    const ipv4 = options.ipv4 === undefined ? undefined : parseIPv4(`${option}.ipv4`, options.ipv4);
    const ipv6 = options.ipv6 === undefined ? undefined : parseIPv6(`${option}.ipv6`, options.ipv6);
    if (ipv4 === undefined && ipv6 === undefined) {
      throw new SimConfigError(option, 'a host needs an ipv4 or an ipv6 address (or both)');
    }
    for (const [field, address] of [['ipv4', ipv4], ['ipv6', ipv6]] as const) {
      const owner = address === undefined ? undefined : this.#world.hostsByAddress.get(address);
      if (owner !== undefined) {
        const reason = `address ${address as string} already belongs to host ${owner.name}`;
        throw new SimConfigError(`${option}.${field}`, reason);
      }
    }
    const node = this.#addNode(option, name, 'host');
    const state = new HostState<P>(node, ipv4, ipv6);
    node.host = state as unknown as HostState;
    for (const address of state.addresses) this.#world.hostsByAddress.set(address, state);
    const host = new Host<P>(state, this.#world);
    this.#hosts.set(name, host);
    return host as unknown as Host<Q>;
  }

  /** Adds a switch: a forwarding node with no addresses. */
  addSwitch(name: string): NodeHandle {
    checkNodeName('switches[].name', name);
    const node = this.#addNode(`switches[${name}]`, name, 'switch');
    return Object.freeze({ name: node.name, kind: node.kind });
  }

  /** Adds a router: a forwarding node with no addresses. */
  addRouter(name: string): NodeHandle {
    checkNodeName('routers[].name', name);
    const node = this.#addNode(`routers[${name}]`, name, 'router');
    return Object.freeze({ name: node.name, kind: node.kind });
  }

  /** Joins two nodes; `forward` options are for a→b, `reverse` for b→a. */
  addLink(a: NodeRef, b: NodeRef, options: LinkOptions = {}): LinkInfo {
    const path = `links[${refName(a)}-${refName(b)}]`;
    const from = this.#node(`${path}.a`, a);
    const to = this.#node(`${path}.b`, b);
    if (from === to) {
      throw new SimConfigError(path, `a link joins two different nodes, not ${from.name} twice`);
    }
    if (from.directionTo(to) !== undefined) {
      throw new SimConfigError(path, `${from.name} and ${to.name} are already linked`);
    }
    const resolved = resolveLinkOptions(path, options);
    const world = this.#world;
    const link = new Link(world.links.length, from, to, resolved, world.sim.choices);
    world.links.push(link);
    from.out.push(link.forward);
    to.out.push(link.reverse);
    world.routing.invalidate();
    return Object.freeze({ name: link.name, a: from.name, b: to.name, ...resolved });
  }

  /** The handle of a host by name. */
  host<Q extends P = P>(name: string): Host<Q> {
    const host = this.#hosts.get(name);
    if (host === undefined) throw new SimConfigError('host', `no host ${JSON.stringify(name)}`);
    return host as unknown as Host<Q>;
  }

  /** Every host handle, in creation order. */
  hosts(): Host<P>[] {
    return [...this.#hosts.values()];
  }

  /** The host owning `address` (any spelling), if any. */
  hostByAddress(address: string): Host<P> | undefined {
    const state = this.#world.hostOf(address);
    return state === undefined ? undefined : this.#hosts.get(state.name);
  }

  /** The names of the nodes on the current path between two nodes; empty when there is none. */
  route(from: NodeRef, to: NodeRef): string[] {
    return this.#world.routing.path(this.#node('route.from', from), this.#node('route.to', to));
  }

  /** Drops packets between two hosts, both ways. */
  partition(a: NodeRef, b: NodeRef, when?: FaultTiming): void {
    this.#fault('partition', a, b, when);
  }

  heal(a: NodeRef, b: NodeRef, when?: FaultTiming): void {
    this.#fault('heal', a, b, when);
  }

  /** Drops packets from `from` to `to` only. */
  partitionOneWay(from: NodeRef, to: NodeRef, when?: FaultTiming): void {
    this.#fault('partition-one-way', from, to, when);
  }

  healOneWay(from: NodeRef, to: NodeRef, when?: FaultTiming): void {
    this.#fault('heal-one-way', from, to, when);
  }

  linkDown(a: NodeRef, b: NodeRef, when?: FaultTiming): void {
    this.#fault('link-down', a, b, when);
  }

  linkUp(a: NodeRef, b: NodeRef, when?: FaultTiming): void {
    this.#fault('link-up', a, b, when);
  }

  /** Buffers packets between two hosts on arrival, until `release`. */
  hold(a: NodeRef, b: NodeRef, when?: FaultTiming): void {
    this.#fault('hold', a, b, when);
  }

  /** Ends a hold: buffered packets are delivered in arrival order, at the release instant. */
  release(a: NodeRef, b: NodeRef, when?: FaultTiming): void {
    this.#fault('release', a, b, when);
  }

  crash(host: NodeRef, when?: FaultTiming): void {
    this.#fault('crash', host, null, when);
  }

  restart(host: NodeRef, when?: FaultTiming): void {
    this.#fault('restart', host, null, when);
  }

  /**
   * Ends every partition, hold and link failure now, each traced as its verb (heal-one-way,
   * release, link-up): the start of the verifier's settle phase
   * (docs/design.md#liveness-at-the-end-of-a-run). Crashed hosts stay down, and faults scheduled
   * for later still happen.
   */
  healAll(): void {
    const world = this.#world;
    const nodes = world.nodes;
    for (const [from, to] of world.faults.partitionPairs()) {
      const a = nodes[from] as NodeState;
      applyNow(world, { verb: 'heal-one-way', a, b: nodes[to] as NodeState, link: null });
    }
    for (const hold of world.faults.holds()) {
      const a = nodes[hold.a] as NodeState;
      applyNow(world, { verb: 'release', a, b: nodes[hold.b] as NodeState, link: null });
    }
    for (const link of world.links) {
      if (link.isUp) continue;
      const { from, to } = link.forward;
      const a = nodes[from.index] as NodeState;
      applyNow(world, { verb: 'link-up', a, b: nodes[to.index] as NodeState, link });
    }
  }

  /**
   * Shows `tap` every packet that leaves its host (not those refused at the host: no route, host
   * down), at the instant it leaves, before loss or a partition can act on it: what a capture at
   * every sender's interface would record. Returns a function that removes the tap.
   */
  addTap(tap: PacketTap<P>): () => void {
    if (typeof tap !== 'function') throw new SimConfigError('addTap.tap', 'expected a function');
    const taps = this.#world.taps;
    taps.push(tap);
    return () => {
      const index = taps.indexOf(tap);
      if (index >= 0) taps.splice(index, 1);
    };
  }

  /** Installs a per-packet rule after the others; returns a function that removes it. */
  addRule(rule: Rule<P>): () => void {
    if (typeof rule !== 'function') throw new SimConfigError('addRule.rule', 'expected a function');
    const rules = this.#world.rules;
    rules.push(rule);
    return () => {
      const index = rules.indexOf(rule);
      if (index >= 0) rules.splice(index, 1);
    };
  }

  /** Throws AssertionError when the layer's state is inconsistent (tests call it per event). */
  checkInvariants(): void {
    checkNetworkInvariants(this.#world);
  }

  /** A frozen snapshot of hosts, links, queues, faults and drop counts. */
  netstat(): NetworkSnapshot {
    return takeSnapshot(this.#world);
  }

  #addNode(option: string, name: string, kind: NodeKind): NodeState {
    const world = this.#world;
    if (world.nodesByName.has(name)) {
      throw new SimConfigError(option, `a node named ${name} already exists`);
    }
    if (world.nodes.length >= NODE_LIMIT) {
      throw new SimConfigError(option, `more than ${NODE_LIMIT} nodes`);
    }
    const node = new NodeState(world.nodes.length, name, kind);
    world.nodes.push(node);
    world.nodesByName.set(name, node);
    world.routing.invalidate();
    return node;
  }

  #node(option: string, ref: NodeRef): NodeState {
    const name = refName(ref);
    const node = this.#world.nodesByName.get(name);
    if (node === undefined) {
      throw new SimConfigError(option, `unknown node ${JSON.stringify(name)}`);
    }
    return node;
  }

  #host(option: string, ref: NodeRef): NodeState {
    const node = this.#node(option, ref);
    if (node.host === null) {
      throw new SimConfigError(option, `${node.name} is a ${node.kind}, not a host`);
    }
    return node;
  }

  #fault(verb: FaultVerb, a: NodeRef, b: NodeRef | null, when: FaultTiming | undefined): void {
    const fault = this.#resolveFault(verb, a, b);
    const world = this.#world;
    if (when?.at === undefined) return applyNow(world, fault);
    const at = parseDuration(`${verb}.at`, when.at);
    if (at < world.sim.now) {
      const now = formatInstant(world.sim.now);
      throw new SimConfigError(`${verb}.at`, `${formatInstant(at)} is before now (${now})`);
    }
    const label = `fault ${verb} ${fault.a.name}${fault.b === null ? '' : ` ${fault.b.name}`}`;
    world.sim.scheduleAt(at, label, fireFault, { world, fault });
  }

  #resolveFault(verb: FaultVerb, a: NodeRef, b: NodeRef | null): Fault {
    switch (operandsOf(verb)) {
      case 'host':
        return { verb, a: this.#host(`${verb}.host`, a), b: null, link: null };
      case 'hosts': {
        const first = this.#host(`${verb}.a`, a);
        const second = this.#host(`${verb}.b`, b as NodeRef);
        if (first === second) {
          throw new SimConfigError(`${verb}.b`, `names the same host as a (${first.name})`);
        }
        return { verb, a: first, b: second, link: null };
      }
      case 'link': {
        const first = this.#node(`${verb}.a`, a);
        const second = this.#node(`${verb}.b`, b as NodeRef);
        const direction = first.directionTo(second);
        if (direction === undefined) {
          throw new SimConfigError(verb, `no link between ${first.name} and ${second.name}`);
        }
        return { verb, a: first, b: second, link: direction.link };
      }
    }
  }
}

function refName(ref: NodeRef): string {
  return typeof ref === 'string' ? ref : String(ref?.name);
}
