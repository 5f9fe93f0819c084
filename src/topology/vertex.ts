/**
 * A node's place in the graph, apart from what hangs off it. `Vertex` is what link directions
 * (link.ts) and host states (host.ts) hold of the nodes they join or sit on: index, name and
 * kind. A node (node.ts) holds its outgoing link directions and its host state, so if those
 * held the full `NodeState` back, the three files would import one another; this leaf breaks
 * the cycle. Code that needs the full node of a vertex (its links, host or routes) looks it up
 * by `index` in the world's node array, where it sits at that index (invariants.ts checks it).
 */

export type NodeKind = 'host' | 'switch' | 'router';

/** What `addSwitch` and `addRouter` return (and a host handle also satisfies). */
export interface NodeHandle {
  readonly name: string;
  readonly kind: NodeKind;
}

/** A node as links and hosts see it; `NodeState` (node.ts) implements it. */
export interface Vertex {
  /** Creation order: the node's index in the world's node array and in routing tables. */
  readonly index: number;
  readonly name: string;
  readonly kind: NodeKind;
}
