/**
 * Routing: the shortest path by hop count over links that are up, as a breadth-first search
 * from each node that forwards or sends. Neighbours are visited in link creation order, so of
 * two equally short paths the one found first through older links wins, deterministically.
 * A node's table (next hop towards every node) is computed on first use and cached until the
 * topology changes or a link goes down or up, which bumps the epoch and invalidates every table
 * at once (lazily: nothing is recomputed until a packet asks).
 *
 * Left out: routing protocols and their convergence time (a change is known everywhere at
 * once), link costs other than one hop, equal-cost multipath, and routes through hosts.
 *
 * Links and hosts name nodes as vertices (vertex.ts); a vertex's table lives on its NodeState,
 * found by index in the world's node array.
 */
import type { LinkDirection } from './link.ts';
import type { NodeState } from './node.ts';
import type { Vertex } from './vertex.ts';

export class Routing {
  readonly #nodes: readonly NodeState[];
  #epoch = 0;
  /** Tables computed since the simulator started (for snapshots and tests). */
  computed = 0;

  constructor(nodes: readonly NodeState[]) {
    this.#nodes = nodes;
  }

  /** Forgets every table: call after any change to nodes, links, or link state. */
  invalidate(): void {
    this.#epoch++;
  }

  /** The direction `from` sends on towards `to`, or null when no path is up. */
  nextHop(from: Vertex, to: Vertex): LinkDirection | null {
    const node = this.#nodes[from.index] as NodeState;
    if (node.routesEpoch !== this.#epoch) this.#compute(node);
    return node.routes[to.index] ?? null;
  }

  /** The node names of the current path, `from` first; empty when there is none. */
  path(from: Vertex, to: Vertex): string[] {
    const names = [from.name];
    let node = from;
    while (node !== to) {
      const hop = this.nextHop(node, to);
      if (hop === null) return [];
      node = hop.to;
      names.push(node.name);
    }
    return names;
  }

  #compute(source: NodeState): void {
    const count = this.#nodes.length;
    const first: (LinkDirection | null)[] = new Array<LinkDirection | null>(count).fill(null);
    const seen = new Uint8Array(count);
    const queue: NodeState[] = [source];
    seen[source.index] = 1;
    for (let head = 0; head < queue.length; head++) {
      const node = queue[head] as NodeState;
      // Only the source and forwarding nodes pass packets on: a path never crosses a host.
      if (node !== source && !node.forwards) continue;
      for (const direction of node.out) {
        const index = direction.to.index;
        if (seen[index] === 1 || !direction.link.isUp) continue;
        seen[index] = 1;
        first[index] = node === source ? direction : first[node.index] ?? null;
        queue.push(this.#nodes[index] as NodeState);
      }
    }
    source.routes = first;
    source.routesEpoch = this.#epoch;
    this.computed++;
  }
}
