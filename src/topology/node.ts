/**
 * Nodes of the topology graph. A host is an end point with addresses; a switch and a router
 * are forwarding nodes with no addresses of their own. The model does not tell a switch from a
 * router beyond its kind (both forward by the shortest path, store-and-forward, with no
 * processing delay): MAC learning, TTLs, ARP and ICMP are left out, because the layer above only
 * needs to know whether and when a packet arrives. Hosts never forward, as real hosts do not.
 */
import type { HostState } from './host.ts';
import type { LinkDirection } from './link.ts';
import type { NodeKind, Vertex } from './vertex.ts';

/**
 * A node as the world holds it, at `index` in its node array. Its link directions and host
 * point back at it as a Vertex (vertex.ts).
 */
export class NodeState implements Vertex {
  /** Creation order, and the index of this node in routing tables. */
  readonly index: number;
  readonly name: string;
  readonly kind: NodeKind;
  /** Outgoing link directions in link creation order (which is routing's tie-break). */
  readonly out: LinkDirection[] = [];
  /** Set for hosts. */
  host: HostState | null = null;
  /** Next hop towards each node index, valid while `routesEpoch` matches the world's. */
  routes: (LinkDirection | null)[] = [];
  routesEpoch = -1;

  constructor(index: number, name: string, kind: NodeKind) {
    this.index = index;
    this.name = name;
    this.kind = kind;
  }

  get forwards(): boolean {
    return this.kind !== 'host';
  }

  /** The outgoing direction towards `neighbour`, if a link joins them. */
  directionTo(neighbour: Vertex): LinkDirection | undefined {
    return this.out.find((direction) => direction.to === neighbour);
  }
}
