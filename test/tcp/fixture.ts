/**
 * Test fixture: hosts on src/topology's Network, each with a TcpStack, a capture of every
 * segment as it is sent (a pass-through rule installed first, so later rules may still drop),
 * and handlers that log notifications with their virtual times.
 */
import { Simulator, type RunOutcome } from '../../src/sim/index.ts';
import type { TcpSegment } from '../../src/tcp/payload.ts';
import type { ConnectionHandler, ListenerHandler, Offer, OfferAnswer, TcpConnection, TcpListener } from '../../src/tcp/port.ts';
import type { TcpProfileOptions } from '../../src/tcp/profiles.ts';
import { ACK, flagNames } from '../../src/tcp/segment.ts';
import { TcpStack } from '../../src/tcp/stack.ts';
import { Network, PASS, type Host, type LinkOptions, type Rule } from '../../src/topology/index.ts';

export interface HostSpec {
  readonly ipv4?: string;
  readonly ipv6?: string;
  readonly tcp?: TcpProfileOptions;
}

export interface FixtureOptions {
  readonly seed?: number;
  readonly hosts?: Readonly<Record<string, HostSpec>>;
  /** Links between consecutive hosts of `hosts` (default: client–server, 0.5 ms each way). */
  readonly link?: LinkOptions;
  readonly keepTrace?: boolean;
  /** Build stacks for these hosts only (default: all). */
  readonly stacks?: readonly string[];
}

export interface WireEntry {
  readonly at: number;
  readonly from: string;
  readonly to: string;
  readonly segment: TcpSegment;
}

export const DEFAULT_HOSTS: Readonly<Record<string, HostSpec>> = {
  client: { ipv4: '10.0.0.1' },
  server: { ipv4: '10.0.0.2' },
};

export class Fixture {
  readonly sim: Simulator;
  readonly net: Network;
  readonly wire: WireEntry[] = [];
  readonly #hosts = new Map<string, Host>();
  readonly #stacks = new Map<string, TcpStack>();

  constructor(options: FixtureOptions = {}) {
    this.sim = new Simulator({ seed: options.seed ?? 1, keepTrace: options.keepTrace ?? false });
    this.net = new Network(this.sim);
    const specs = options.hosts ?? DEFAULT_HOSTS;
    const names = Object.keys(specs);
    for (const name of names) {
      const spec = specs[name] as HostSpec;
      this.#hosts.set(name, this.net.addHost({ name, ...(spec.ipv4 !== undefined && { ipv4: spec.ipv4 }), ...(spec.ipv6 !== undefined && { ipv6: spec.ipv6 }) }));
    }
    for (let i = 1; i < names.length; i++) {
      this.net.addLink(names[i - 1] as string, names[i] as string, options.link ?? { latency: '500us' });
    }
    this.net.addRule((packet, context) => {
      this.wire.push({ at: context.now, from: context.sourceHost, to: context.targetHost, segment: packet.payload as unknown as TcpSegment });
      return PASS;
    });
    for (const name of options.stacks ?? names) {
      this.#stacks.set(name, new TcpStack(this.sim, this.host(name), specs[name]?.tcp ?? {}));
    }
  }

  host(name: string): Host {
    const host = this.#hosts.get(name);
    if (host === undefined) throw new Error(`no host ${name}`);
    return host;
  }

  stack(name: string): TcpStack {
    const stack = this.#stacks.get(name);
    if (stack === undefined) throw new Error(`no stack on ${name}`);
    return stack;
  }

  /**
   * How often source code marked `name` (coverage marks: a test asserts that the branch it aims at
   * ran).
   */
  marked(name: string): number {
    return this.sim.trace.marks().get(name) ?? 0;
  }

  addRule(rule: Rule): () => void {
    return this.net.addRule(rule);
  }

  /** Runs to an absolute virtual time ('2.5s') or until a predicate holds. */
  run(until: string | (() => boolean), timeLimit = '1h'): Promise<RunOutcome> {
    return this.sim.run({ until, timeLimit });
  }

  /** The wire as lines: '1ms server>client SYN,ACK seq=0 ack=1' (relative to the ISNs). */
  lines(filter: (entry: WireEntry) => boolean = () => true): string[] {
    return this.wire.filter(filter).map(formatEntry);
  }
}

export function ms(at: number): string {
  return `${Math.round(at / 1e3) / 1e3}ms`;
}

export function formatEntry(entry: WireEntry): string {
  const segment = entry.segment;
  let text = `${ms(entry.at)} ${entry.from}>${entry.to} ${flagNames(segment.flags)} seq=${(segment.seq - segment.seqBase) >>> 0}`;
  if ((segment.flags & ACK) !== 0) text += ` ack=${(segment.ack - segment.ackBase) >>> 0}`;
  if (segment.data.length > 0) text += ` len=${segment.data.length}`;
  return text;
}

/** A connection handler that logs every notification with its time. */
export class Log implements ConnectionHandler, ListenerHandler {
  readonly events: string[] = [];
  readonly #sim: Simulator;
  /** Answer given to offers (deferred listeners). */
  answer: OfferAnswer = 'accept';
  /** Accept ready connections at once (with this log as their handler). */
  autoAccept = true;
  readonly offers: Offer[] = [];
  readonly accepted: TcpConnection[] = [];

  constructor(sim: Simulator) {
    this.#sim = sim;
  }

  #log(text: string): void {
    this.events.push(`${ms(this.#sim.now)} ${text}`);
  }

  onEstablished(connection: TcpConnection): void {
    this.#log(`established #${connection.id}`);
  }
  onData(connection: TcpConnection): void {
    this.#log(`data #${connection.id} ${connection.readable}`);
  }
  onAcknowledged(connection: TcpConnection, id: number): void {
    this.#log(`acknowledged #${connection.id} ${id}`);
  }
  onPeerFin(connection: TcpConnection): void {
    this.#log(`peer-fin #${connection.id}`);
  }
  onPeerReset(connection: TcpConnection): void {
    this.#log(`peer-reset #${connection.id}`);
  }
  onClosed(connection: TcpConnection, outcome: string): void {
    this.#log(`closed #${connection.id} ${outcome}`);
  }
  onReady(listener: TcpListener): void {
    this.#log(`ready (${listener.readyCount})`);
    if (!this.autoAccept) return;
    for (let connection = listener.accept(this); connection !== null; connection = listener.accept(this)) {
      this.accepted.push(connection);
      this.#log(`accepted #${connection.id}`);
    }
  }
  onOffer(_listener: TcpListener, offer: Offer): OfferAnswer {
    this.offers.push(offer);
    this.#log(`offer #${offer.id} from ${offer.remoteAddress}:${offer.remotePort} → ${this.answer}`);
    return this.answer;
  }
  onOfferWithdrawn(_listener: TcpListener, offer: Offer, reason: string): void {
    this.#log(`withdrawn #${offer.id} ${reason}`);
  }

  /** Events without the connection ids (ids depend on how many connections came before). */
  plain(): string[] {
    return this.events.map((event) => event.replace(/ #\d+/g, ''));
  }
}
